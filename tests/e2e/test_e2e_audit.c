/*
 * The audit trail (docs/API.md, Audit), end to end: each action made
 * through the real server (or the real `gatehouse` command) leaves its
 * row, read back from the stack's database: event, outcome, user,
 * actor, session, client address, user agent, and details without a
 * password, token or hash.  Then GET /api/admin/audit: its paging, its
 * filters and its 422s.  Each test sends from a loopback address of its
 * own, so rows are told apart by address as well as by user.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "client.h"
#include "mail.h"

TestSuite(audit, .timeout = 120);

#define UA		"audit-test/1.0 (gatehouse e2e)"
#define MAIL_WAIT	20
#define ROW_WAIT_MS	10000

static char	addr[32];

/* A fresh client address for this test's requests. */
static void
from_own_address(void)
{
	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
}

/* method path with body as JSON, token as bearer, and the test's agent. */
static void
send_ua(const char *method, const char *path, const char *token,
    const char *body, struct t_resp *r)
{
	const char	*headers[4];
	char		 auth[4200];
	size_t		 n = 0;

	headers[n++] = "User-Agent: " UA;
	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	headers[n] = NULL;
	t_http(method, path, headers, body, body != NULL ? strlen(body) : 0,
	    r);
}

/* Logs u in with the test's agent: the status; tokens into u on 200. */
static long
login_ua(struct t_user *u, const char *password)
{
	struct t_resp	 r;
	char		 body[512];
	const char	*a, *rt;
	long		 st;

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", u->username, password);
	send_ua("POST", "/api/auth/login", NULL, body, &r);
	st = r.status;
	if (st == 200) {
		cr_assert_not_null(a = t_resp_str(&r, "access_token"));
		cr_assert_not_null(rt = t_resp_str(&r, "refresh_token"));
		snprintf(u->access, sizeof(u->access), "%s", a);
		snprintf(u->refresh, sizeof(u->refresh), "%s", rt);
	}
	t_resp_free(&r);
	return st;
}

/*
 * The newest row of event matching cond (SQL on audit_log a), as its
 * JSON; waits for it, since a failed login's row and a forgotten
 * password's are written after their answers.  NULL when none came.
 */
static struct json_object *
row_where(const char *event, const char *cond)
{
	const char	*s;
	long		 waited;

	for (waited = 0; waited <= ROW_WAIT_MS; waited += 100) {
		s = t_sql("SELECT coalesce((SELECT row_to_json(a)::text "
		    "FROM audit_log a WHERE event = '%s' AND (%s) "
		    "ORDER BY id DESC LIMIT 1), '')", event, cond);
		if (*s != '\0')
			return json_tokener_parse(s);
		t_sleep_ms(100);
	}
	return NULL;
}

static struct json_object *
row_of(const char *event, const char *user_id)
{
	char	 cond[128];

	snprintf(cond, sizeof(cond), "user_id = '%s'", user_id);
	return row_where(event, cond);
}

static const char *
col(struct json_object *row, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(row, key, &v) || v == NULL ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static const char *
detail(struct json_object *row, const char *key)
{
	struct json_object	*d;

	if (!json_object_object_get_ex(row, "details", &d) || d == NULL)
		return NULL;
	return col(d, key);
}

/* The row holds none of the strings given (NULL-terminated), nor a hash. */
static void
assert_no_secret(struct json_object *row, ...)
{
	const char	*text = json_object_to_json_string(row), *s;
	va_list		 ap;

	cr_assert_null(strstr(text, "$2b$"), "a hash in %s", text);
	va_start(ap, row);
	while ((s = va_arg(ap, const char *)) != NULL)
		cr_assert(*s == '\0' || strstr(text, s) == NULL,
		    "a secret in %s", text);
	va_end(ap);
}

/*
 * The row's outcome and user, no actor (the user's own action), and the
 * request's address and agent.
 */
static void
assert_own(struct json_object *row, const char *outcome, const char *uid)
{
	cr_assert_not_null(row, "no row");
	cr_assert_str_eq(col(row, "outcome"), outcome, "%s",
	    json_object_to_json_string(row));
	if (uid != NULL)
		cr_assert_str_eq(col(row, "user_id"), uid);
	cr_assert_null(col(row, "actor_id"));
	cr_assert_str_eq(col(row, "client_addr"), addr);
	cr_assert_str_eq(col(row, "user_agent"), UA);
}

static long
rows_about(const char *uid)
{
	return atol(t_sql("SELECT count(*) FROM audit_log WHERE user_id = "
	    "'%s'", uid));
}

/* --- sign-in ------------------------------------------------------- */

Test(audit, a_login_appends_login_succeeded_with_its_session)
{
	struct t_user		 u;
	struct json_object	*row;
	char			 sid[64];

	from_own_address();
	t_register(&u, "aul");
	cr_assert_eq(login_ua(&u, u.password), 200);
	t_jwt_sid(u.access, sid, sizeof(sid));
	row = row_of("login.succeeded", u.id);
	assert_own(row, "success", u.id);
	cr_assert_str_eq(col(row, "session_id"), sid);
	cr_assert_str_eq(detail(row, "username"), u.username);
	assert_no_secret(row, u.password, u.access, u.refresh, NULL);
	json_object_put(row);
}

Test(audit, a_wrong_password_appends_login_failed)
{
	struct t_user		 u;
	struct json_object	*row;

	from_own_address();
	t_register(&u, "auf");
	cr_assert_eq(login_ua(&u, "Wrong-Guess-123"), 401);
	row = row_of("login.failed", u.id);
	assert_own(row, "failure", u.id);
	cr_assert_null(col(row, "session_id"));
	cr_assert_str_eq(detail(row, "reason"), "bad_credentials");
	assert_no_secret(row, "Wrong-Guess-123", u.password, NULL);
	json_object_put(row);
}

Test(audit, an_unknown_name_appends_login_failed_without_a_user)
{
	struct t_user		 u;
	struct json_object	*row;
	char			 cond[160];

	from_own_address();
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("nobody"));
	cr_assert_eq(login_ua(&u, "Whatever-123"), 401);
	snprintf(cond, sizeof(cond), "details->>'username' = '%s'",
	    u.username);
	row = row_where("login.failed", cond);
	assert_own(row, "failure", NULL);
	cr_assert_null(col(row, "user_id"));
	assert_no_secret(row, "Whatever-123", NULL);
	json_object_put(row);
}

Test(audit, a_throttled_login_appends_login_throttled)
{
	struct t_user		 u;
	struct json_object	*row;
	long			 st = 0;
	int			 i;

	from_own_address();
	t_register(&u, "aut");
	/* test_e2e_audit.conf: three failures an account. */
	for (i = 0; i < 6 && st != 429; i++)
		st = login_ua(&u, "Wrong-Guess-123");
	cr_assert_eq(st, 429);
	row = row_of("login.throttled", u.id);
	assert_own(row, "failure", u.id);
	assert_no_secret(row, "Wrong-Guess-123", u.password, NULL);
	json_object_put(row);
}

/*
 * The cookie r sets whose name ends in name (gh_csrf, gh_access, ...:
 * with cookie_secure it has a __Host- or __Secure- prefix), as the
 * "name=value" a browser sends back, into out.
 */
static void
cookie_of(const struct t_resp *r, const char *name, char *out, size_t outsz)
{
	const char	*h, *v;
	size_t		 off = 0, n;

	out[0] = '\0';
	while (off < r->hlen) {
		h = r->headers + off;
		off += strlen(h) + 1;
		if (strncasecmp(h, "Set-Cookie:", 11) != 0 ||
		    (v = strstr(h, name)) == NULL || v[strlen(name)] != '=')
			continue;
		for (h += 11; *h == ' '; h++)
			continue;
		n = strcspn(h, ";");
		cr_assert_lt(n, outsz);
		memcpy(out, h, n);
		out[n] = '\0';
	}
}

/* The value of a "name=value" pair. */
static const char *
value_of(const char *pair)
{
	const char	*v = strchr(pair, '=');

	cr_assert_not_null(v, "%s", pair);
	return v + 1;
}

/* POSTs form to a page path with the cookies and the test's agent. */
static void
post_page(const char *path, const char *cookies, const char *form,
    struct t_resp *r)
{
	const char	*headers[4];

	headers[0] = "User-Agent: " UA;
	headers[1] = "Content-Type: application/x-www-form-urlencoded";
	headers[2] = cookies;
	headers[3] = NULL;
	t_http("POST", path, headers, form, strlen(form), r);
}

Test(audit, the_sign_in_and_sign_out_pages_append_their_rows)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 csrf[256], access[4096], refresh[512];
	char			 cookies[5000], form[1024];

	from_own_address();
	t_register(&u, "aup");
	t_http("GET", "/auth/login", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	cookie_of(&r, "gh_csrf", csrf, sizeof(csrf));
	t_resp_free(&r);
	cr_assert_neq(csrf[0], '\0', "no CSRF cookie");
	snprintf(cookies, sizeof(cookies), "Cookie: %s", csrf);
	snprintf(form, sizeof(form), "username=%s&password=%s&next=%%2F&"
	    "csrf_token=%s", u.username, u.password, value_of(csrf));
	post_page("/auth/login", cookies, form, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cookie_of(&r, "gh_access", access, sizeof(access));
	cookie_of(&r, "gh_refresh", refresh, sizeof(refresh));
	cookie_of(&r, "gh_csrf", csrf, sizeof(csrf));
	t_resp_free(&r);
	row = row_of("login.succeeded", u.id);
	assert_own(row, "success", u.id);
	cr_assert_not_null(col(row, "session_id"));
	assert_no_secret(row, u.password, value_of(access), value_of(refresh),
	    NULL);
	json_object_put(row);

	snprintf(cookies, sizeof(cookies), "Cookie: %s; %s; %s", csrf, access,
	    refresh);
	snprintf(form, sizeof(form), "csrf_token=%s", value_of(csrf));
	post_page("/auth/logout", cookies, form, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("logout", u.id);
	assert_own(row, "success", u.id);
	cr_assert_str_eq(detail(row, "reason"), "sign_out_page");
	assert_no_secret(row, value_of(access), value_of(refresh), NULL);
	json_object_put(row);
}

/* --- sessions ------------------------------------------------------ */

Test(audit, a_logout_appends_logout_with_its_session)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 sid[64];

	from_own_address();
	t_register(&u, "auo");
	cr_assert_eq(login_ua(&u, u.password), 200);
	t_jwt_sid(u.access, sid, sizeof(sid));
	send_ua("POST", "/api/auth/logout", u.access, "{}", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("logout", u.id);
	assert_own(row, "success", u.id);
	cr_assert_str_eq(col(row, "session_id"), sid);
	assert_no_secret(row, u.access, u.refresh, NULL);
	json_object_put(row);
}

Test(audit, a_revocation_appends_session_revoked)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 sid[64], body[600], cond[96];

	from_own_address();
	t_register(&u, "aur");
	cr_assert_eq(login_ua(&u, u.password), 200);
	t_jwt_sid(u.access, sid, sizeof(sid));
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", u.refresh);
	send_ua("POST", "/api/auth/revoke", NULL, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(cond, sizeof(cond), "session_id = '%s'", sid);
	cr_assert_not_null(row = row_where("session.revoked", cond));
	cr_assert_str_eq(col(row, "outcome"), "success");
	cr_assert_str_eq(col(row, "client_addr"), addr);
	assert_no_secret(row, u.refresh, u.access, NULL);
	json_object_put(row);
}

Test(audit, ending_an_own_session_appends_session_revoked)
{
	struct t_user		 u, other;
	struct t_resp		 r;
	struct json_object	*row;
	char			 sid[64], path[128];

	from_own_address();
	t_register(&u, "aus");
	cr_assert_eq(login_ua(&u, u.password), 200);
	other = u;
	cr_assert_eq(login_ua(&other, u.password), 200);
	t_jwt_sid(other.access, sid, sizeof(sid));
	snprintf(path, sizeof(path), "/api/auth/sessions/%s", sid);
	send_ua("DELETE", path, u.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("session.revoked", u.id);
	assert_own(row, "success", u.id);
	cr_assert_str_eq(col(row, "session_id"), sid);
	json_object_put(row);
}

Test(audit, a_reused_refresh_token_appends_refresh_reuse_detected)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 old[512], sid[64], body[600];

	from_own_address();
	t_register(&u, "auz");
	cr_assert_eq(login_ua(&u, u.password), 200);
	t_jwt_sid(u.access, sid, sizeof(sid));
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	/* test_e2e_audit.conf: no grace, so the second use is a reuse. */
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}", old);
	send_ua("POST", "/api/auth/refresh", NULL, body, &r);
	cr_assert_eq(r.status, 401, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("refresh.reuse_detected", u.id);
	assert_own(row, "failure", u.id);
	cr_assert_str_eq(col(row, "session_id"), sid);
	assert_no_secret(row, old, u.refresh, NULL);
	json_object_put(row);
}

Test(audit, me_appends_no_row)
{
	struct t_user	 u;
	struct t_resp	 r;
	long		 before;
	int		 i;

	from_own_address();
	t_register(&u, "aum");
	cr_assert_eq(login_ua(&u, u.password), 200);
	before = rows_about(u.id);
	for (i = 0; i < 3; i++) {
		send_ua("GET", "/api/auth/me", u.access, NULL, &r);
		cr_assert_eq(r.status, 200);
		t_resp_free(&r);
	}
	t_sleep_ms(300);
	cr_assert_eq(rows_about(u.id), before);
}

/* --- passwords and addresses --------------------------------------- */

Test(audit, a_password_change_appends_password_changed)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 body[512];
	const char		*next = "Next-Password-9a";

	from_own_address();
	t_register(&u, "auc");
	cr_assert_eq(login_ua(&u, u.password), 200);
	snprintf(body, sizeof(body), "{\"current_password\": \"%s\", "
	    "\"new_password\": \"%s\"}", u.password, next);
	send_ua("POST", "/api/auth/password", u.access, body, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("password.changed", u.id);
	assert_own(row, "success", u.id);
	assert_no_secret(row, u.password, next, NULL);
	json_object_put(row);
}

Test(audit, a_forgotten_password_and_its_reset_append_their_rows)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 body[512], *tok;
	const char		*next = "Reset-Password-9a";

	from_own_address();
	t_register(&u, "auw");
	/*
	 * Registering mails a confirmation after its answer, from another
	 * program: wait for it, so that the reset message is the second.
	 */
	t_mail_arrives(u.email, 1, MAIL_WAIT);
	snprintf(body, sizeof(body), "{\"username\": \"%s\"}", u.username);
	send_ua("POST", "/api/auth/password/forgot", NULL, body, &r);
	cr_assert_eq(r.status, 202, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	tok = t_mail_token(u.email, 2, "/auth/reset", MAIL_WAIT);
	row = row_of("password.reset_requested", u.id);
	assert_own(row, "success", u.id);
	assert_no_secret(row, tok, NULL);
	json_object_put(row);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": "
	    "\"%s\"}", tok, next);
	send_ua("POST", "/api/auth/password/reset", NULL, body, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("password.reset", u.id);
	assert_own(row, "success", u.id);
	assert_no_secret(row, tok, next, NULL);
	json_object_put(row);
	free(tok);
}

Test(audit, a_registration_and_its_confirmation_append_their_rows)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*row;
	char			 body[512], *tok;

	from_own_address();
	t_register(&u, "aue");
	row = row_of("user.registered", u.id);
	cr_assert_not_null(row);
	cr_assert_str_eq(col(row, "outcome"), "success");
	cr_assert_null(col(row, "actor_id"));
	cr_assert_str_eq(col(row, "client_addr"), addr);
	cr_assert_str_eq(detail(row, "username"), u.username);
	assert_no_secret(row, u.password, NULL);
	json_object_put(row);
	tok = t_mail_token(u.email, 1, "/auth/verify", MAIL_WAIT);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", tok);
	send_ua("POST", "/api/auth/email/verify", NULL, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	row = row_of("email.verified", u.id);
	assert_own(row, "success", u.id);
	assert_no_secret(row, tok, NULL);
	json_object_put(row);
	free(tok);
}

/* --- the admin API -------------------------------------------------- */

/* The row of event about uid, made by admin (the actor) from here. */
static void
assert_by_admin(const char *event, const char *uid, const struct t_user *a)
{
	struct json_object	*row;

	row = row_of(event, uid);
	cr_assert_not_null(row, "no %s row", event);
	cr_assert_str_eq(col(row, "outcome"), "success");
	cr_assert_str_eq(col(row, "actor_id"), a->id);
	cr_assert_str_eq(col(row, "client_addr"), addr);
	cr_assert_str_eq(col(row, "user_agent"), UA);
	assert_no_secret(row, a->access, NULL);
	json_object_put(row);
}

Test(audit, admin_changes_append_rows_naming_the_admin)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*row;
	char			 body[512], path[128], uid[64], cond[160];
	const char		*name = t_unique("aua");
	const char		*pw = "Admin-Made-Pw-9";

	from_own_address();
	t_make_admin(&a, "aad");
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", name, pw);
	send_ua("POST", "/api/admin/users", a.access, body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	snprintf(uid, sizeof(uid), "%s", t_resp_str(&r, "id"));
	t_resp_free(&r);
	assert_by_admin("user.created", uid, &a);
	snprintf(path, sizeof(path), "/api/admin/users/%s", uid);

	send_ua("PATCH", path, a.access, "{\"full_name\": \"Changed\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_by_admin("user.updated", uid, &a);

	send_ua("PATCH", path, a.access, "{\"roles\": [\"user\", \"admin\"]}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_by_admin("role.granted", uid, &a);
	row = row_of("role.granted", uid);
	cr_assert_str_eq(detail(row, "role"), "admin");
	json_object_put(row);

	send_ua("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_by_admin("role.revoked", uid, &a);

	send_ua("PATCH", path, a.access, "{\"status\": \"suspended\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_by_admin("user.suspended", uid, &a);

	send_ua("DELETE", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_by_admin("user.deleted", uid, &a);
	/* The user is gone; the rows stay, and say who it was. */
	row = row_of("user.deleted", uid);
	cr_assert_str_eq(detail(row, "username"), name);
	assert_no_secret(row, pw, NULL);
	json_object_put(row);
	cr_assert_geq(rows_about(uid), 6);

	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", t_unique("role"));
	send_ua("POST", "/api/admin/roles", a.access, body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	snprintf(cond, sizeof(cond), "details->>'role' = '%s'",
	    t_resp_str(&r, "name"));
	t_resp_free(&r);
	row = row_where("role.created", cond);
	cr_assert_not_null(row);
	cr_assert_str_eq(col(row, "actor_id"), a.id);
	json_object_put(row);
}

/* --- the command line ----------------------------------------------- */

Test(audit, cli_user_actions_append_rows_without_an_actor)
{
	static const char *const events[] = { "user.created",
	    "user.suspended", "user.updated", "role.granted", "role.revoked",
	    "password.changed" };
	struct json_object	*row;
	const char		*name = t_unique("auk");
	char			 uid[64];
	size_t			 i;

	cr_assert_eq(t_cli((const char *const[]){ "user", "add", name, NULL },
	    "Cli-Made-Pw-9a\n"), 0);
	snprintf(uid, sizeof(uid), "%s", t_sql("SELECT id FROM users WHERE "
	    "username = '%s'", name));
	cr_assert_eq(t_cli((const char *const[]){ "user", "suspend", name,
	    NULL }, NULL), 0);
	cr_assert_eq(t_cli((const char *const[]){ "user", "activate", name,
	    NULL }, NULL), 0);
	cr_assert_eq(t_cli((const char *const[]){ "user", "grant", name,
	    "admin", NULL }, NULL), 0);
	cr_assert_eq(t_cli((const char *const[]){ "user", "revoke", name,
	    "admin", NULL }, NULL), 0);
	cr_assert_eq(t_cli((const char *const[]){ "user", "passwd", name,
	    NULL }, "Cli-Other-Pw-9a\n"), 0);
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		row = row_of(events[i], uid);
		cr_assert_not_null(row, "no %s row", events[i]);
		cr_assert_str_eq(col(row, "outcome"), "success");
		cr_assert_null(col(row, "actor_id"));
		cr_assert_null(col(row, "client_addr"));
		cr_assert_str_eq(detail(row, "via"), "cli");
		assert_no_secret(row, "Cli-Made-Pw-9a", "Cli-Other-Pw-9a",
		    NULL);
		json_object_put(row);
	}
}

/* --- GET /api/admin/audit ------------------------------------------- */

Test(audit, the_admin_api_pages_newest_first_by_user)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	struct json_object	*items, *it;
	char			 path[256], next[32];
	long			 prev = 0, id;
	size_t			 seen = 0, i, n;
	int			 k;

	from_own_address();
	t_make_admin(&a, "aap");
	t_register(&u, "aaq");
	for (k = 0; k < 4; k++)
		cr_assert_eq(login_ua(&u, u.password), 200);
	/* user.registered and four logins: three pages of two. */
	next[0] = '\0';
	do {
		snprintf(path, sizeof(path), "/api/admin/audit?user_id=%s&"
		    "limit=2%s%s", u.id, next[0] != '\0' ? "&after=" : "",
		    next);
		send_ua("GET", path, a.access, NULL, &r);
		cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
		items = t_json_path(r.json, "items");
		cr_assert_not_null(items);
		n = json_object_array_length(items);
		cr_assert_leq(n, 2);
		for (i = 0; i < n; i++) {
			it = json_object_array_get_idx(items, i);
			id = json_object_get_int64(t_json_path(it, "id"));
			cr_assert(prev == 0 || id < prev, "not newest first");
			prev = id;
			cr_assert_str_eq(col(it, "user_id"), u.id);
			cr_assert(t_is_timestamp(col(it, "at")), "%s",
			    col(it, "at"));
			cr_assert_not_null(t_json_path(it, "details"));
			seen++;
		}
		if (col(r.json, "next") != NULL)
			snprintf(next, sizeof(next), "%s", col(r.json, "next"));
		else
			next[0] = '\0';
		t_resp_free(&r);
	} while (next[0] != '\0' && seen < 20);
	cr_assert_eq(seen, 5);
}

Test(audit, the_admin_api_filters_by_event_and_time)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	struct json_object	*items;
	char			 path[256];

	from_own_address();
	t_make_admin(&a, "aaf");
	t_register(&u, "aag");
	cr_assert_eq(login_ua(&u, u.password), 200);
	snprintf(path, sizeof(path), "/api/admin/audit?user_id=%s&event="
	    "login.succeeded&since=2000-01-01T00:00:00Z", u.id);
	send_ua("GET", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	items = t_json_path(r.json, "items");
	cr_assert_eq(json_object_array_length(items), 1);
	cr_assert_str_eq(col(json_object_array_get_idx(items, 0), "event"),
	    "login.succeeded");
	cr_assert_null(col(r.json, "next"));
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/api/admin/audit?user_id=%s&until="
	    "2000-01-01T00:00:00%%2B02:00", u.id);
	send_ua("GET", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_eq(json_object_array_length(t_json_path(r.json, "items")),
	    0);
	t_resp_free(&r);
}

Test(audit, the_admin_api_answers_422_for_bad_filters)
{
	static const char *const bad[][2] = {
		{ "limit=0", "limit" },
		{ "limit=201", "limit" },
		{ "limit=x", "limit" },
		{ "user_id=alice", "user_id" },
		{ "event=login.maybe", "event" },
		{ "since=yesterday", "since" },
		{ "since=2026-02-30T00:00:00Z", "since" },
		{ "until=2026-01-01T00:00:00", "until" },
		{ "until=2026-01-01", "until" },
	};
	struct t_user	 a;
	struct t_resp	 r;
	char		 path[256];
	size_t		 i;

	t_make_admin(&a, "aab");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_case("%s", bad[i][0]);
		snprintf(path, sizeof(path), "/api/admin/audit?%s", bad[i][0]);
		t_http_json("GET", path, a.access, NULL, &r);
		t_assert_field_error(&r, 422, "validation_failed", bad[i][1]);
		t_resp_free(&r);
	}
	t_http_json("GET", "/api/admin/audit?after=abc", a.access, NULL, &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(audit, the_admin_api_needs_the_admin_role)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "aan");
	t_http_json("GET", "/api/admin/audit", u.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
	t_http_json("GET", "/api/admin/audit", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}
