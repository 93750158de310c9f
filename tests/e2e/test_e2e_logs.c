/*
 * No password, token, hash or secret in any log line (log_level = debug:
 * test_e2e_logs.conf, so everything that could leak is logged).  A whole
 * flow runs with distinctive passwords, then the programs' log (their
 * stderr, which tests/with-stack collects in $GH_TEST_LOGDIR/lighttpd.out)
 * and lighttpd's error.log are searched for every secret the flow used.
 */
#define _GNU_SOURCE	/* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "client.h"

TestSuite(logs, .timeout = 90);

#define MAX_SECRETS	96

/* Everything the log must never show, with what it is. */
struct secrets {
	char	*value[MAX_SECRETS];
	char	*what[MAX_SECRETS];
	size_t	 n;
};

static void
keep(struct secrets *s, const char *what, const char *value)
{
	cr_assert_lt(s->n, MAX_SECRETS);
	cr_assert(value != NULL && strlen(value) >= 8, "%s: too short to "
	    "search for", what);
	cr_assert_not_null(s->value[s->n] = strdup(value));
	cr_assert_not_null(s->what[s->n] = strdup(what));
	s->n++;
}

/* A token, and each of its three parts: a log might print one alone. */
static void
keep_token(struct secrets *s, const char *what, const char *tok)
{
	const char	*p = tok, *dot;
	char		 part[4096], name[120];
	int		 i;

	keep(s, what, tok);
	for (i = 1; i <= 3; i++) {
		dot = strchr(p, '.');
		snprintf(part, sizeof(part), "%.*s", dot != NULL ?
		    (int)(dot - p) : (int)strlen(p), p);
		/* The header is the same in every token: not a secret. */
		if (i > 1 && strlen(part) >= 16) {
			snprintf(name, sizeof(name), "%s (part %d)", what, i);
			keep(s, name, part);
		}
		if (dot == NULL)
			break;
		p = dot + 1;
	}
}

static char *
canary(const char *label)
{
	char	*s;

	/* Letters, digits and '-': the same in JSON and in a form. */
	cr_assert_geq(asprintf(&s, "Canary-%s-%s", label, t_unique("")), 0);
	return s;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0, n;

	*len = 0;
	if ((f = fopen(path, "r")) == NULL)
		return strdup("");
	for (;;) {
		if (*len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			cr_assert_not_null(buf = realloc(buf, cap));
		}
		if ((n = fread(buf + *len, 1, 4096, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static char *
log_path(const char *name)
{
	const char	*dir;
	char		*p;

	dir = getenv("GH_TEST_LOGDIR");
	cr_assert(dir != NULL && *dir != '\0', "GH_TEST_LOGDIR is not set: run "
	    "through tests/with-stack");
	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

/* Waits (5 s at most) until the programs' log shows line. */
static void
wait_for_log_line(const char *line)
{
	char	*path, *log;
	size_t	 len;
	int	 i;

	path = log_path("lighttpd.out");
	for (i = 0; i < 50; i++) {
		log = slurp(path, &len);
		if (strstr(log, line) != NULL) {
			free(log);
			free(path);
			return;
		}
		free(log);
		t_sleep_ms(100);
	}
	free(path);
	cr_assert_fail("the log never showed \"%s\": is log_level debug?",
	    line);
}

static void
assert_log_clean(const char *name, const struct secrets *s)
{
	char	*path, *log;
	size_t	 len, i;

	path = log_path(name);
	log = slurp(path, &len);
	for (i = 0; i < s->n; i++)
		cr_assert_null(memmem(log, len, s->value[i],
		    strlen(s->value[i])), "%s shows %s", name, s->what[i]);
	cr_assert_null(memmem(log, len, "$2b$", 4), "%s shows a bcrypt hash",
	    name);
	cr_assert_null(memmem(log, len, "$2a$", 4), "%s shows a bcrypt hash",
	    name);
	cr_assert_null(memmem(log, len, "$2y$", 4), "%s shows a bcrypt hash",
	    name);
	free(log);
	free(path);
}

static void
store_pair(const struct t_resp *r, struct t_user *u,
    struct secrets *s, const char *what)
{
	char	 name[80];

	cr_assert_eq(r->status, 200, "%s: %ld %s", what, r->status, r->body);
	snprintf(u->access, sizeof(u->access), "%s",
	    t_resp_str(r, "access_token"));
	snprintf(u->refresh, sizeof(u->refresh), "%s",
	    t_resp_str(r, "refresh_token"));
	snprintf(name, sizeof(name), "the access token of %s", what);
	keep_token(s, name, u->access);
	snprintf(name, sizeof(name), "the refresh token of %s", what);
	keep(s, name, u->refresh);
}

Test(logs, a_whole_flow_leaves_no_secret_in_the_logs)
{
	struct secrets		 s = { .n = 0 };
	struct t_user		 u, v, admin;
	struct t_resp		 r;
	char			*p1, *p2, *p3, *p4, *p5, *w1, *w2, *w3, *w4, *j1;
	char			 form[1024], first_refresh[512], path[1200];
	char			 uid[64], long_pw[200];
	char			*bad;
	size_t			 i;

	p1 = canary("P1");
	p2 = canary("P2");
	p3 = canary("P3");
	p4 = canary("P4");
	p5 = canary("P5");
	w1 = canary("W1");
	w2 = canary("W2");
	w3 = canary("W3");
	w4 = canary("W4");
	j1 = canary("J1");
	keep(&s, "the password", p1);
	keep(&s, "the new password", p2);
	keep(&s, "an admin-set password", p3);
	keep(&s, "an admin reset password", p4);
	keep(&s, "a refused registration's password", p5);
	keep(&s, "a wrong password", w1);
	keep(&s, "an unknown user's password", w2);
	keep(&s, "a wrong current password", w3);
	keep(&s, "a form's wrong password", w4);
	keep(&s, "a password in a malformed body", j1);
	keep(&s, "the JWT secret", t_secret());

	/* Registration, and refusals that carry a password. */
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("lg"));
	snprintf(u.password, sizeof(u.password), "%s", p1);
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\", \"email\": "
	    "\"%s@example.com\", \"full_name\": \"Log Test\"}", u.username, p1,
	    u.username);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	snprintf(u.id, sizeof(u.id), "%s", t_resp_str(&r, "id"));
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username, p5);
	cr_assert_eq(r.status, 409, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* 73 bytes: refused by the policy. */
	snprintf(long_pw, sizeof(long_pw), "%s%s", p5,
	    "-this-makes-it-longer-than-bcrypt-takes-0123456789-abcdef");
	cr_assert_gt(strlen(long_pw), 72);
	keep(&s, "an over-long password", long_pw);
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", t_unique("lgl"),
	    long_pw);
	cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
	t_resp_free(&r);

	/* Logins: JSON and the OAuth2 form. */
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username, p1);
	store_pair(&r, &u, &s, "a JSON login");
	t_resp_free(&r);
	snprintf(first_refresh, sizeof(first_refresh), "%s", u.refresh);
	v = u;
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s&client_id=web", u.username, p1);
	t_http_form("/api/auth/login", form, &r);
	store_pair(&r, &v, &s, "a form login");
	t_resp_free(&r);

	/* Refreshes, both ways. */
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", u.refresh);
	store_pair(&r, &u, &s, "a JSON refresh");
	t_resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=refresh_token&"
	    "refresh_token=%s", v.refresh);
	t_http_form("/api/auth/refresh", form, &r);
	store_pair(&r, &v, &s, "a form refresh");
	t_resp_free(&r);

	/* me, with the token and with broken ones. */
	cr_assert_eq(t_me_status(u.access), 200);
	cr_assert_not_null(bad = strdup(u.access));
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	keep(&s, "a tampered token", bad);
	cr_assert_eq(t_me_status(bad), 401);
	free(bad);

	/* Wrong passwords, an unknown user, a malformed body. */
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username, w1);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", t_unique("nobody"),
	    w2);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s", u.username, w4);
	t_http_form("/api/auth/login", form, &r);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"", u.username, j1);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);

	/* Password changes: refused, then made. */
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": \"%s\"}", w3, p2);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": \"%s\"}", p1, p2);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* The old password is wrong now. */
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username, p1);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	snprintf(u.password, sizeof(u.password), "%s", p2);
	t_login(&u);
	keep_token(&s, "the access token after the change", u.access);
	keep(&s, "the refresh token after the change", u.refresh);

	/*
	 * A reused refresh token: a warning names the session it ended
	 * (not the token).
	 */
	cr_assert_eq(t_refresh_status(first_refresh), 401);
	snprintf(uid, sizeof(uid), "%s", t_sql("SELECT session_id FROM "
	    "refresh_tokens WHERE token_hash = sha256('%s'::bytea)",
	    first_refresh));
	cr_assert(t_is_uuid(uid), "no session for the reused token");
	snprintf(path, sizeof(path), "refresh: a rotated token was reused; "
	    "session %s ended", uid);
	wait_for_log_line(path);

	/* Logout, by refresh token and by bearer. */
	t_http_jsonf("POST", "/api/auth/logout", u.access, &r,
	    "{\"refresh_token\": \"%s\"}", u.refresh);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);

	/* The admin API: a user made with a password, then a reset. */
	t_make_admin(&admin, "lga");
	keep(&s, "the admin's password", admin.password);
	keep_token(&s, "the admin's access token", admin.access);
	keep(&s, "the admin's refresh token", admin.refresh);
	t_http_jsonf("POST", "/api/admin/users", admin.access, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\", \"roles\": "
	    "[\"user\"]}", t_unique("lgu"), p3);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	snprintf(uid, sizeof(uid), "%s", t_resp_str(&r, "id"));
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/api/admin/users/%s", uid);
	t_http_jsonf("PATCH", path, admin.access, &r,
	    "{\"password\": \"%s\"}", p4);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_http_json("GET", "/api/admin/users?limit=5", admin.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* A token in the query string, where it never belongs. */
	snprintf(form, sizeof(form), "%.60s", admin.refresh);
	keep(&s, "a refresh token in a query string", form);
	snprintf(path, sizeof(path), "/api/admin/users?q=%s", form);
	t_http_json("GET", path, admin.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/logout", admin.access, "{}", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);

	/* The log has the flow (debug is on), and none of its secrets. */
	wait_for_log_line("POST /api/auth/logout 204");
	wait_for_log_line("PATCH /api/admin/users/");
	wait_for_log_line("POST /api/auth/login 401");
	wait_for_log_line("POST /api/auth/password 204");
	assert_log_clean("lighttpd.out", &s);
	assert_log_clean("error.log", &s);
	for (i = 0; i < s.n; i++) {
		free(s.value[i]);
		free(s.what[i]);
	}
	free(p1);
	free(p2);
	free(p3);
	free(p4);
	free(p5);
	free(w1);
	free(w2);
	free(w3);
	free(w4);
	free(j1);
}

Test(logs, the_stored_hashes_are_never_logged)
{
	struct t_user		 u;
	char			*path, *log, hash[200];
	size_t			 len;

	t_make_user(&u, "lgh");
	cr_assert_eq(t_me_status(u.access), 200);
	snprintf(hash, sizeof(hash), "%s", t_sql("SELECT password_hash FROM "
	    "users WHERE id = '%s'", u.id));
	cr_assert_eq(strncmp(hash, "$2b$", 4), 0);
	wait_for_log_line("GET /api/auth/me 200");
	path = log_path("lighttpd.out");
	log = slurp(path, &len);
	/* The salt and digest part, without the "$2b$04$" that says it. */
	cr_assert_null(memmem(log, len, hash + 7, strlen(hash + 7)),
	    "the log shows %s's bcrypt hash", u.username);
	free(log);
	free(path);
}
