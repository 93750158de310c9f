/*
 * The browser sign-in pages, end to end over HTTP (test_e2e_pages.conf):
 * /auth/login, /auth/logout and /auth/register, their headers, cookies,
 * CSRF check and next= rule.  Cookies are read from Set-Cookie and sent
 * back by hand, as a browser would.  Built twice: as test_e2e_pages
 * (cookie_secure = false, the bare names) and, with T_SECURE, as
 * test_e2e_pages_secure (cookie_secure = true: the __Host-/__Secure-
 * names and Secure).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

#ifdef T_SECURE
#define T_ACCESS	"__Host-gh_access"
#define T_REFRESH	"__Secure-gh_refresh"
#define T_CSRF		"__Host-gh_csrf"
TestSuite(pages_secure, .timeout = 120);
#define SUITE		pages_secure
#else
#define T_ACCESS	"gh_access"
#define T_REFRESH	"gh_refresh"
#define T_CSRF		"gh_csrf"
TestSuite(pages, .timeout = 120);
#define SUITE		pages
#endif

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define COOKIE_MAX	4400

/* What a browser keeps: the three cookies' values ("" when none). */
struct jar {
	char	access[COOKIE_MAX];
	char	refresh[128];
	char	csrf[128];
};

/* The Set-Cookie line of r setting name ("name=value; ..."), or NULL. */
static const char *
set_cookie(const struct t_resp *r, const char *name)
{
	size_t		 off = 0, n = strlen(name);
	const char	*h, *v;

	while (off < r->hlen) {
		h = r->headers + off;
		off += strlen(h) + 1;
		if (strncasecmp(h, "Set-Cookie:", 11) != 0)
			continue;
		for (v = h + 11; *v == ' '; v++)
			continue;
		if (strncmp(v, name, n) == 0 && v[n] == '=')
			return v;
	}
	return NULL;
}

/* The value of the cookie a Set-Cookie line sets, into out. */
static void
cookie_value(const char *line, char *out, size_t outsz)
{
	const char	*v = strchr(line, '=') + 1;
	size_t		 n = strcspn(v, ";");

	cr_assert_lt(n, outsz);
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Does the Set-Cookie line carry attribute attr ("HttpOnly", "Path=/")? */
static bool
has_attr(const char *line, const char *attr)
{
	const char	*p = line;
	size_t		 n = strlen(attr);

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, attr, n) == 0 && (p[n] == ';' ||
		    p[n] == '\0'))
			return true;
	}
	return false;
}

/* Takes r's Set-Cookie lines into the jar, as a browser does. */
static void
jar_take(struct jar *j, const struct t_resp *r)
{
	static const char *const names[] = { T_ACCESS, T_REFRESH, T_CSRF };
	char		*slots[] = { j->access, j->refresh, j->csrf };
	const size_t	 sizes[] = { sizeof(j->access), sizeof(j->refresh),
			    sizeof(j->csrf) };
	const char	*line;
	size_t		 i;

	for (i = 0; i < NELEM(names); i++)
		if ((line = set_cookie(r, names[i])) != NULL)
			cookie_value(line, slots[i], sizes[i]);
}

/* The Cookie header a browser would send to path with j. */
static void
jar_header(const struct jar *j, const char *path, char *out, size_t outsz)
{
	int	 n;

	n = snprintf(out, outsz, "Cookie: %s=%s; %s=%s; %s=%s",
	    T_ACCESS, j->access, T_CSRF, j->csrf, T_REFRESH,
	    strncmp(path, "/auth/", 6) == 0 ? j->refresh : "");
	cr_assert(n > 0 && (size_t)n < outsz);
}

/* method path with j's cookies (and a form body when not NULL). */
static void
send(const char *method, const char *path, const struct jar *j,
    const char *form, struct t_resp *r)
{
	char		 cookie[3 * COOKIE_MAX + 128];
	const char	*headers[3] = { cookie,
			    "Content-Type: application/x-www-form-urlencoded",
			    NULL };

	jar_header(j, path, cookie, sizeof(cookie));
	t_http(method, path, headers, form, form != NULL ? strlen(form) : 0,
	    r);
}

/* GET /auth/login: the form, and its CSRF cookie into j. */
static void
open_form(struct jar *j, const char *path)
{
	struct t_resp	 r;

	memset(j, 0, sizeof(*j));
	send("GET", path, j, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	jar_take(j, &r);
	cr_assert_neq(j->csrf[0], '\0', "no CSRF cookie");
	t_resp_free(&r);
}

/* POST /auth/login with username, password, next (raw, urlencoded). */
static void
post_login(const struct jar *j, const char *username, const char *password,
    const char *next_enc, struct t_resp *r)
{
	char	 form[8192], user[512], pw[256];

	t_urlencode(username, user, sizeof(user));
	t_urlencode(password, pw, sizeof(pw));
	snprintf(form, sizeof(form), "username=%s&password=%s&next=%s&"
	    "csrf_token=%s", user, pw, next_enc, j->csrf);
	send("POST", "/auth/login", j, form, r);
}

/* Signs u in through the page; j holds the cookies afterwards. */
static void
sign_in(const struct t_user *u, struct jar *j)
{
	struct t_resp	 r;

	open_form(j, "/auth/login");
	post_login(j, u->username, u->password, "%2Fmembers%2F", &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	jar_take(j, &r);
	t_resp_free(&r);
	cr_assert_neq(j->access[0], '\0');
	cr_assert_neq(j->refresh[0], '\0');
}

static void
assert_page_headers(const struct t_resp *r)
{
	const char	*csp;

	cr_assert_str_eq(t_resp_header(r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_not_null(csp = t_resp_header(r, "Content-Security-Policy"));
	cr_assert_not_null(strstr(csp, "default-src 'self'"), "%s", csp);
	cr_assert_not_null(strstr(csp, "frame-ancestors 'none'"), "%s", csp);
	cr_assert_not_null(strstr(csp, "form-action 'self'"), "%s", csp);
	cr_assert_str_eq(t_resp_header(r, "Cache-Control"), "no-store");
	cr_assert_str_eq(t_resp_header(r, "Referrer-Policy"), "no-referrer");
	cr_assert_str_eq(t_resp_header(r, "X-Content-Type-Options"),
	    "nosniff");
	cr_assert_str_eq(t_resp_header(r, "X-Frame-Options"), "DENY");
}

static void
assert_secure(const char *line)
{
#ifdef T_SECURE
	cr_assert(has_attr(line, "Secure"), "%s", line);
#else
	cr_assert(!has_attr(line, "Secure"), "%s", line);
#endif
}

Test(SUITE, the_sign_in_page_has_the_headers_and_the_form)
{
	struct t_resp	 r;
	const char	*csrf;
	char		 tok[128], want[256];

	send("GET", "/auth/login", &(struct jar){ "", "", "" }, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_page_headers(&r);
	cr_assert_not_null(csrf = set_cookie(&r, T_CSRF));
	cr_assert(has_attr(csrf, "Path=/"), "%s", csrf);
	cr_assert(has_attr(csrf, "SameSite=Lax"), "%s", csrf);
	cr_assert(!has_attr(csrf, "HttpOnly"), "%s", csrf);
	assert_secure(csrf);
	cookie_value(csrf, tok, sizeof(tok));
	cr_assert_eq(strlen(tok), 43, "%s", tok);
	snprintf(want, sizeof(want), "name=\"csrf_token\" value=\"%s\"", tok);
	cr_assert_not_null(strstr(r.body, want), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "action=\"/auth/login\""));
	cr_assert_not_null(strstr(r.body, "name=\"username\""));
	cr_assert_not_null(strstr(r.body, "autocomplete=\"username\""));
	cr_assert_not_null(strstr(r.body, "name=\"password\""));
	cr_assert_not_null(strstr(r.body, "autocomplete=\"current-password\""));
	cr_assert_not_null(strstr(r.body, "name=\"next\" value=\"/\""));
	cr_assert_not_null(strstr(r.body, "<label for=\"username\">"));
	cr_assert_not_null(strstr(r.body, "href=\"/auth/register\""));
	cr_assert_not_null(strstr(r.body, "href=\"/auth/forgot\""));
	cr_assert_not_null(strstr(r.body, "href=\"/auth/gatehouse.css\""));
	t_resp_free(&r);
}

Test(SUITE, a_csrf_cookie_the_browser_has_is_kept)
{
	struct jar	 j;
	struct t_resp	 r;
	char		 want[256];

	open_form(&j, "/auth/login");
	send("GET", "/auth/login?next=%2Fa%2F", &j, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_null(set_cookie(&r, T_CSRF));
	snprintf(want, sizeof(want), "value=\"%s\"", j.csrf);
	cr_assert_not_null(strstr(r.body, want));
	cr_assert_not_null(strstr(r.body, "name=\"next\" value=\"/a/\""));
	t_resp_free(&r);
}

Test(SUITE, the_stylesheet_is_served)
{
	struct t_resp	 r;

	t_http("GET", "/auth/gatehouse.css", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld", r.status);
	cr_assert_not_null(strstr(t_resp_header(&r, "Content-Type"),
	    "text/css"));
	cr_assert_not_null(strstr(r.body, ".gh-card"));
	t_resp_free(&r);
}

Test(SUITE, sign_in_answers_303_to_next_with_the_cookies)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	const char	*a, *f, *c;
	char		 csrf[128];

	t_register(&u, "pg");
	open_form(&j, "/auth/login");
	post_login(&j, u.username, u.password, "%2Fmembers%2F", &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Location"), "/members/");
	cr_assert_str_eq(t_resp_header(&r, "Cache-Control"), "no-store");
	cr_assert_not_null(a = set_cookie(&r, T_ACCESS));
	cr_assert_not_null(f = set_cookie(&r, T_REFRESH));
	cr_assert_not_null(c = set_cookie(&r, T_CSRF));
	cr_assert(has_attr(a, "Path=/") && has_attr(a, "HttpOnly") &&
	    has_attr(a, "SameSite=Lax") && has_attr(a, "Max-Age=900"), "%s",
	    a);
	cr_assert(has_attr(f, "Path=/auth/") && has_attr(f, "HttpOnly") &&
	    has_attr(f, "SameSite=Strict") && has_attr(f, "Max-Age=604800"),
	    "%s", f);
	cr_assert(has_attr(c, "Path=/") && !has_attr(c, "HttpOnly") &&
	    has_attr(c, "SameSite=Lax"), "%s", c);
	assert_secure(a);
	assert_secure(f);
	assert_secure(c);
	/* A fresh CSRF token: never the one the form came with. */
	cookie_value(c, csrf, sizeof(csrf));
	cr_assert_str_neq(csrf, j.csrf);
	jar_take(&j, &r);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(j.access), 200);
	cr_assert_eq(t_refresh_status(j.refresh), 200);
}

static void
assert_generic_401(const struct t_resp *r, const char *password)
{
	cr_assert_eq(r->status, 401, "%ld %s", r->status, r->body);
	assert_page_headers(r);
	cr_assert_str_eq(t_resp_header(r, "WWW-Authenticate"),
	    "Bearer realm=\"gatehouse\"");
	cr_assert_not_null(strstr(r->body, "Those details are not right"));
	cr_assert_null(strstr(r->body, password), "the password came back");
	cr_assert_null(set_cookie(r, T_ACCESS));
}

Test(SUITE, a_wrong_password_gets_the_page_again_with_401)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r, r2;
	char		 want[160];

	t_register(&u, "pgw");
	open_form(&j, "/auth/login");
	post_login(&j, u.username, "Wrong-Pass-77", "%2F", &r);
	assert_generic_401(&r, "Wrong-Pass-77");
	snprintf(want, sizeof(want), "value=\"%s\"", u.username);
	cr_assert_not_null(strstr(r.body, want), "the username was lost");
	/* An unknown user reads the same. */
	post_login(&j, "nobody-here-at-all", "Wrong-Pass-77", "%2F", &r2);
	assert_generic_401(&r2, "Wrong-Pass-77");
	t_resp_free(&r);
	t_resp_free(&r2);
}

Test(SUITE, too_many_failures_answer_429_with_retry_after)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	int		 i;

	t_register(&u, "pgt");
	open_form(&j, "/auth/login");
	/* test_e2e_pages.conf: 3 failures an account. */
	for (i = 0; i < 3; i++) {
		post_login(&j, u.username, "Wrong-Pass-77", "%2F", &r);
		cr_assert_eq(r.status, 401, "%ld", r.status);
		t_resp_free(&r);
	}
	post_login(&j, u.username, u.password, "%2F", &r);
	cr_assert_eq(r.status, 429, "%ld %s", r.status, r.body);
	assert_page_headers(&r);
	cr_assert(atol(t_resp_header(&r, "Retry-After")) > 0);
	cr_assert_null(set_cookie(&r, T_ACCESS));
	t_resp_free(&r);
}

static long
sessions_of(const struct t_user *u)
{
	return atol(t_sql("SELECT count(*) FROM sessions s JOIN users x ON "
	    "x.id = s.user_id WHERE x.username = '%s'", u->username));
}

Test(SUITE, sign_in_without_the_csrf_token_answers_403_and_does_nothing)
{
	static const char *const tokens[] = { "", "wrong", NULL };
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	char		 form[512];
	size_t		 i;

	t_register(&u, "pgc");
	open_form(&j, "/auth/login");
	for (i = 0; i < NELEM(tokens); i++) {
		t_case("csrf_token %s", tokens[i] != NULL ? tokens[i] : "absent");
		snprintf(form, sizeof(form), "username=%s&password=%s%s%s",
		    u.username, u.password, tokens[i] != NULL ?
		    "&csrf_token=" : "", tokens[i] != NULL ? tokens[i] : "");
		send("POST", "/auth/login", &j, form, &r);
		cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
		assert_page_headers(&r);
		cr_assert_not_null(strstr(r.body, "csrf_failed"));
		cr_assert_null(set_cookie(&r, T_ACCESS));
		t_resp_free(&r);
	}
	t_case(NULL);
	/* The right token, but no cookie to match it: refused too. */
	snprintf(form, sizeof(form), "username=%s&password=%s&csrf_token=%s",
	    u.username, u.password, j.csrf);
	t_http("POST", "/auth/login", (const char *const[]){
	    "Content-Type: application/x-www-form-urlencoded", NULL }, form,
	    strlen(form), &r);
	cr_assert_eq(r.status, 403, "%ld", r.status);
	t_resp_free(&r);
	cr_assert_eq(sessions_of(&u), 0);
}

Test(SUITE, next_goes_only_to_a_path_on_this_site)
{
	static const struct {
		const char	*next;		/* urlencoded */
		const char	*location;
	} cases[] = {
		{ "%2Fmembers%2F", "/members/" },
		{ "%2Fa%3Fb%3Dc", "/a?b=c" },
		{ "%2F%2Fevil.example", "/" },
		{ "%2F%5Cevil.example", "/" },
		{ "%2Fa%5Cb", "/" },
		{ "https%3A%2F%2Fevil.example%2F", "/" },
		{ "javascript%3Aalert(1)", "/" },
		{ "%252F%252Fevil.example", "/" },
		{ "%2F%252F%252Fevil.example", "/" },
		{ "%2Fa%0D%0ASet-Cookie%3A%20x%3Dy", "/" },
		{ "%2Fa%09b", "/" },
		{ "%2Fa%2500b", "/" },
		{ "%2Fa%20b", "/" },
		{ "", "/" },
		{ "evil", "/" },
	};
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	char		 longnext[1300];
	size_t		 i;

	t_register(&u, "pgn");
	open_form(&j, "/auth/login");
	for (i = 0; i < NELEM(cases); i++) {
		t_case("next=%s", cases[i].next);
		post_login(&j, u.username, u.password, cases[i].next, &r);
		cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
		cr_assert_str_eq(t_resp_header(&r, "Location"),
		    cases[i].location);
		jar_take(&j, &r);
		t_resp_free(&r);
	}
	t_case("a next of 1100 bytes");
	longnext[0] = '/';
	memset(longnext + 1, 'a', 1099);
	longnext[1100] = '\0';
	post_login(&j, u.username, u.password, longnext, &r);
	cr_assert_eq(r.status, 303);
	cr_assert_str_eq(t_resp_header(&r, "Location"), "/");
	t_resp_free(&r);
	t_case(NULL);
}

Test(SUITE, the_sign_in_page_escapes_what_it_shows)
{
	struct jar	 j;
	struct t_resp	 r;

	open_form(&j, "/auth/login");
	post_login(&j, "<script>alert(1)</script>\"'><b>", "x", "%2F", &r);
	cr_assert_eq(r.status, 401, "%ld", r.status);
	cr_assert_null(strstr(r.body, "<script>alert"), "%s", r.body);
	cr_assert_null(strstr(r.body, "<b>"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"
	    "&quot;&#39;&gt;&lt;b&gt;"), "%s", r.body);
	/* site_name (test_e2e_pages.conf) is hostile too. */
	cr_assert_null(strstr(r.body, "<i>"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "&lt;i&gt;Pages&lt;/i&gt; &amp; "
	    "&#39;Co&#39;"), "%s", r.body);
	t_resp_free(&r);
	/* A next= value in the form is escaped in its attribute. */
	send("GET", "/auth/login?next=%2F%22%3E%3Cscript%3E", &j, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_null(strstr(r.body, "\"><script>"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "value=\"/&quot;&gt;&lt;script&gt;\""),
	    "%s", r.body);
	t_resp_free(&r);
}

Test(SUITE, a_refresh_cookie_signs_in_again_without_the_form)
{
	struct t_user	 u;
	struct jar	 j, only;
	struct t_resp	 r;
	char		 old[128];

	t_register(&u, "pgr");
	sign_in(&u, &j);
	/* The access cookie has run out: the browser no longer sends it. */
	only = j;
	only.access[0] = '\0';
	snprintf(old, sizeof(old), "%s", j.refresh);
	send("GET", "/auth/login?next=%2Fmembers%2Fpage", &only, NULL, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Location"), "/members/page");
	jar_take(&only, &r);
	t_resp_free(&r);
	cr_assert_str_neq(only.refresh, old);
	cr_assert_eq(t_me_status(only.access), 200);
	/* Rotated: the old refresh token is spent. */
	cr_assert_eq(t_refresh_status(old), 401);
}

Test(SUITE, a_live_access_cookie_goes_straight_to_next)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;

	t_register(&u, "pgl");
	sign_in(&u, &j);
	send("GET", "/auth/login?next=%2Fdone", &j, NULL, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Location"), "/done");
	cr_assert_null(set_cookie(&r, T_ACCESS));
	t_resp_free(&r);
}

Test(SUITE, a_reused_refresh_cookie_ends_the_session)
{
	struct t_user	 u;
	struct jar	 j, now;
	struct t_resp	 r;
	const char	*line;

	t_register(&u, "pgu");
	sign_in(&u, &j);
	j.access[0] = '\0';
	now = j;
	send("GET", "/auth/login", &now, NULL, &r);
	cr_assert_eq(r.status, 303, "%ld", r.status);
	jar_take(&now, &r);
	t_resp_free(&r);
	/* The old cookie again (grace 0 in test_e2e_pages.conf): reuse. */
	send("GET", "/auth/login", &j, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(line = set_cookie(&r, T_REFRESH));
	cr_assert(has_attr(line, "Max-Age=0"), "%s", line);
	cr_assert_not_null(line = set_cookie(&r, T_ACCESS));
	cr_assert(has_attr(line, "Max-Age=0"), "%s", line);
	cr_assert_not_null(strstr(r.body, "name=\"password\""));
	t_resp_free(&r);
	/* The whole session ended, the pair the rotation gave included. */
	cr_assert_eq(t_me_status(now.access), 401);
	cr_assert_eq(t_refresh_status(now.refresh), 401);
}

Test(SUITE, sign_out_clears_the_cookies_and_ends_the_session)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	const char	*names[] = { T_ACCESS, T_REFRESH, T_CSRF }, *line;
	char		 form[256];
	size_t		 i;

	t_register(&u, "pgo");
	sign_in(&u, &j);
	snprintf(form, sizeof(form), "csrf_token=%s", j.csrf);
	send("POST", "/auth/logout", &j, form, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Location"), "/auth/login");
	for (i = 0; i < NELEM(names); i++) {
		cr_assert_not_null(line = set_cookie(&r, names[i]), "%s",
		    names[i]);
		cr_assert(has_attr(line, "Max-Age=0"), "%s", line);
		cr_assert_eq(strchr(line, '=')[1], ';', "%s", line);
	}
	t_resp_free(&r);
	cr_assert_eq(t_me_status(j.access), 401);
	cr_assert_eq(t_refresh_status(j.refresh), 401);
	/* Again, the session gone already: the same answer. */
	send("POST", "/auth/logout", &j, form, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/* The browser's sign-out while clients use the session (t_me_race()). */
static void
sign_out_in_race(const void *arg)
{
	const struct jar	*j = arg;
	struct t_resp		 r;
	char			 form[256];

	snprintf(form, sizeof(form), "csrf_token=%s", j->csrf);
	send("POST", "/auth/logout", j, form, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(SUITE, no_me_started_after_a_sign_out_succeeds)
{
	struct t_user	 u;
	struct jar	 j;

	t_register(&u, "pgr");
	sign_in(&u, &j);
	t_me_race(j.access, sign_out_in_race, &j);
}

Test(SUITE, sign_out_without_the_csrf_token_answers_403_and_ends_nothing)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;

	t_register(&u, "pgx");
	sign_in(&u, &j);
	send("POST", "/auth/logout", &j, "csrf_token=nope", &r);
	cr_assert_eq(r.status, 403, "%ld", r.status);
	cr_assert_null(set_cookie(&r, T_ACCESS));
	t_resp_free(&r);
	send("POST", "/auth/logout", &j, "", &r);
	cr_assert_eq(r.status, 403, "%ld", r.status);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(j.access), 200);
}

Test(SUITE, the_sign_up_page_has_the_form)
{
	struct jar	 j;
	struct t_resp	 r;

	memset(&j, 0, sizeof(j));
	send("GET", "/auth/register?next=%2Fmembers%2F", &j, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_page_headers(&r);
	cr_assert_not_null(set_cookie(&r, T_CSRF));
	cr_assert_not_null(strstr(r.body, "action=\"/auth/register\""));
	cr_assert_not_null(strstr(r.body, "autocomplete=\"new-password\""));
	cr_assert_not_null(strstr(r.body, "name=\"email\""));
	cr_assert_not_null(strstr(r.body, "name=\"full_name\""));
	cr_assert_not_null(strstr(r.body, "name=\"next\" value=\"/members/\""));
	t_resp_free(&r);
}

static void
post_register(const struct jar *j, const char *fields, struct t_resp *r)
{
	char	 form[2048];

	snprintf(form, sizeof(form), "%s&csrf_token=%s", fields, j->csrf);
	send("POST", "/auth/register", j, form, r);
}

Test(SUITE, sign_up_creates_the_account_and_sends_to_sign_in)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	char		 fields[512];

	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("pgs"));
	snprintf(u.password, sizeof(u.password), "Secret-Pass12");
	open_form(&j, "/auth/register");
	snprintf(fields, sizeof(fields), "username=%s&password=%s&email=&"
	    "full_name=Page+User&next=%%2Fmembers%%2F", u.username,
	    u.password);
	post_register(&j, fields, &r);
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Location"),
	    "/auth/login?registered=1&next=/members/");
	/* No session: sign-up never signs in. */
	cr_assert_null(set_cookie(&r, T_ACCESS));
	t_resp_free(&r);
	t_login(&u);
	send("GET", "/auth/login?registered=1&next=/members/", &j, NULL, &r);
	cr_assert_not_null(strstr(r.body, "account was created"));
	t_resp_free(&r);
}

Test(SUITE, sign_up_shows_field_errors_and_keeps_the_values)
{
	struct t_user	 u;
	struct jar	 j;
	struct t_resp	 r;
	char		 fields[512];

	open_form(&j, "/auth/register");
	post_register(&j, "username=ok-name-1&password=Secret-Pass12&"
	    "email=not-an-address&full_name=%3Cb%3EBo%3C%2Fb%3E", &r);
	cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
	assert_page_headers(&r);
	cr_assert_not_null(strstr(r.body, "id=\"error-email\""), "%s", r.body);
	cr_assert_null(strstr(r.body, "id=\"error-username\""));
	cr_assert_not_null(strstr(r.body, "value=\"not-an-address\""));
	cr_assert_not_null(strstr(r.body, "value=\"&lt;b&gt;Bo&lt;/b&gt;\""));
	cr_assert_null(strstr(r.body, "Secret-Pass12"), "the password came back");
	t_resp_free(&r);
	/* A taken username: 409, named. */
	t_register(&u, "pgd");
	snprintf(fields, sizeof(fields), "username=%s&password=Secret-Pass12",
	    u.username);
	post_register(&j, fields, &r);
	cr_assert_eq(r.status, 409, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.body, "id=\"error-username\""));
	t_resp_free(&r);
	/* Nobody chooses a role. */
	post_register(&j, "username=ok-name-2&password=Secret-Pass12&"
	    "role=admin", &r);
	cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(SUITE, sign_up_without_the_csrf_token_answers_403)
{
	struct jar	 j;
	struct t_resp	 r;
	char		 name[80], form[256];

	open_form(&j, "/auth/register");
	snprintf(name, sizeof(name), "%s", t_unique("pgf"));
	snprintf(form, sizeof(form), "username=%s&password=Secret-Pass12&"
	    "csrf_token=bad", name);
	send("POST", "/auth/register", &j, form, &r);
	cr_assert_eq(r.status, 403, "%ld", r.status);
	cr_assert_not_null(strstr(r.body, "csrf_failed"));
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE username = "
	    "'%s'", name), "0");
}
