/*
 * The API with the sign-in cookie as credentials (docs/API.md, "Browser
 * sign-in"): gh_access stands for the bearer header when none is sent,
 * and then a POST, PUT, PATCH or DELETE must carry X-CSRF-Token equal to
 * the gh_csrf cookie and an Origin, when one is sent, of this site or
 * named in cors_allowed_origins, else 403 csrf_failed with nothing done.
 * A bearer header needs neither.
 *
 * test_e2e_cookies.conf sets cookie_secure = true, so the names are
 * __Host-gh_access and __Host-gh_csrf: the cookies are sent by hand over
 * the stack's plain http, as a browser would send them over https.  It
 * lists https://app.example.com by name and "*" for CORS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(cookies, .timeout = 60);

#define ACCESS		"__Host-gh_access"
#define CSRF		"__Host-gh_csrf"
#define CSRF_VALUE	"Zm9yZ2VyaWVzLWFyZS1ub3Qtd2VsY29tZS1oZXJlLTEy"
#define NAMED_ORIGIN	"https://app.example.com"
#define STAR_ORIGIN	"https://evil.example.net"

/* What a request carries; NULL members are not sent. */
struct creds {
	const char	*access;	/* the __Host-gh_access cookie */
	const char	*csrf_cookie;	/* the __Host-gh_csrf cookie */
	const char	*csrf_header;	/* X-CSRF-Token */
	const char	*origin;	/* Origin */
	const char	*bearer;	/* Authorization: Bearer */
};

/* Sends method path with c and body (JSON; NULL: none). */
static void
send_with(const char *method, const char *path, const struct creds *c,
    const char *body, struct t_resp *r)
{
	char		 cookie[4600], csrf[300], origin[300], auth[4200];
	const char	*h[6];
	size_t		 n = 0;
	int		 w;

	if (c->access != NULL || c->csrf_cookie != NULL) {
		w = snprintf(cookie, sizeof(cookie), "Cookie: theme=dark");
		if (c->access != NULL)
			w += snprintf(cookie + w, sizeof(cookie) - (size_t)w,
			    "; %s=%s", ACCESS, c->access);
		if (c->csrf_cookie != NULL)
			(void)snprintf(cookie + w, sizeof(cookie) - (size_t)w,
			    "; %s=%s", CSRF, c->csrf_cookie);
		h[n++] = cookie;
	}
	if (c->csrf_header != NULL) {
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s",
		    c->csrf_header);
		h[n++] = csrf;
	}
	if (c->origin != NULL) {
		snprintf(origin, sizeof(origin), "Origin: %s", c->origin);
		h[n++] = origin;
	}
	if (c->bearer != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    c->bearer);
		h[n++] = auth;
	}
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	t_http(method, path, h, body, body != NULL ? strlen(body) : 0, r);
}

/* This site's origin: the stack's base URL, which has no path. */
static const char *
own_origin(void)
{
	const char	*base = getenv("GH_TEST_BASE_URL");

	cr_assert_not_null(base);
	return base;
}

/* The cookie pair and header a page of this site sends. */
static struct creds
signed_in(const struct t_user *u)
{
	struct creds	 c = { u->access, CSRF_VALUE, CSRF_VALUE, NULL, NULL };

	return c;
}

/* POST /api/auth/password from current to next with c. */
static void
change_password(const struct creds *c, const char *current,
    const char *next, struct t_resp *r)
{
	char	 body[300];

	snprintf(body, sizeof(body), "{\"current_password\": \"%s\", "
	    "\"new_password\": \"%s\"}", current, next);
	send_with("POST", "/api/auth/password", c, body, r);
}

/* Logging in with password answers status. */
static void
assert_login(const struct t_user *u, const char *password, long status)
{
	struct t_resp	 r;

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u->username,
	    password);
	cr_assert_eq(r.status, status, "login with %s: %ld %s", password,
	    r.status, r.body);
	t_resp_free(&r);
}

/* A password change c is refused for: 403 csrf_failed, nothing changed. */
static void
assert_csrf_refused(const struct t_user *u, const struct creds *c,
    const char *what)
{
	struct t_resp	 r;

	change_password(c, u->password, "Changed-Password-9", &r);
	t_case("%s", what);
	t_assert_error(&r, 403, "csrf_failed");
	t_case(NULL);
	t_resp_free(&r);
	/* The old password still works (no failed login: the throttle). */
	assert_login(u, u->password, 200);
}

Test(cookies, me_with_the_cookie_passes)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct creds	 c = { NULL, NULL, NULL, NULL, NULL };
	const char	*v;

	t_make_user(&u, "ck");
	c.access = u.access;
	send_with("GET", "/api/auth/me", &c, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	v = t_resp_str(&r, "username");
	cr_assert(v != NULL && strcmp(v, u.username) == 0, "%s", r.body);
	t_resp_free(&r);
	/* A GET needs no CSRF token, even from another site. */
	c.origin = STAR_ORIGIN;
	send_with("GET", "/api/auth/me", &c, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/*
 * With cookie_secure the bare name is not the sign-in cookie: a
 * subdomain, or a page over plain http, can set gh_access, never
 * __Host-gh_access.
 */
Test(cookies, the_bare_name_is_not_the_cookie_under_cookie_secure)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 cookie[4200];
	const char	*h[2] = { cookie, NULL };

	t_make_user(&u, "ckb");
	snprintf(cookie, sizeof(cookie), "Cookie: gh_access=%s", u.access);
	t_http("GET", "/api/auth/me", h, NULL, 0, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

/* GET /api/auth/me with c: 401 invalid_token. */
static void
assert_me_refused(const struct creds *c)
{
	struct t_resp	 r;

	send_with("GET", "/api/auth/me", c, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(cookies, a_bad_cookie_answers_401_invalid_token)
{
	struct creds	 c = { "not-a-token", NULL, NULL, NULL, NULL };

	assert_me_refused(&c);
}

Test(cookies, a_write_without_the_csrf_header_is_refused)
{
	struct t_user	 u;
	struct creds	 c;

	t_make_user(&u, "ckn");
	c = signed_in(&u);
	c.csrf_header = NULL;
	assert_csrf_refused(&u, &c, "no X-CSRF-Token");
	c.origin = own_origin();
	assert_csrf_refused(&u, &c, "no X-CSRF-Token, our origin");
}

Test(cookies, a_write_with_a_wrong_csrf_token_is_refused)
{
	struct t_user	 u;
	struct creds	 c;

	t_make_user(&u, "ckw");
	c = signed_in(&u);
	c.csrf_header = "Zm9yZ2VyaWVzLWFyZS1ub3Qtd2VsY29tZS1oZXJlLTEz";
	assert_csrf_refused(&u, &c, "another token of the same length");
	c.csrf_header = "Zm9yZ2VyaWVz";
	assert_csrf_refused(&u, &c, "a prefix of the token");
	c.csrf_header = CSRF_VALUE "x";
	assert_csrf_refused(&u, &c, "the token and more");
	c.csrf_header = "";
	assert_csrf_refused(&u, &c, "an empty header");
	/* The header alone, without the cookie it must equal. */
	c = signed_in(&u);
	c.csrf_cookie = NULL;
	assert_csrf_refused(&u, &c, "no CSRF cookie");
	c.csrf_cookie = "";
	c.csrf_header = "";
	assert_csrf_refused(&u, &c, "both empty");
}

Test(cookies, a_write_from_another_origin_is_refused)
{
	static const char *const foreign[] = {
		"https://evil.example.net",
		"null",
		"http://127.0.0.1",
		"https://app.example.com.evil.net",
		"http://app.example.com",
	};
	struct t_user	 u;
	struct creds	 c;
	char		 case_name[200];
	size_t		 i;

	t_make_user(&u, "cko");
	c = signed_in(&u);
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		c.origin = foreign[i];
		snprintf(case_name, sizeof(case_name), "Origin: %s",
		    foreign[i]);
		assert_csrf_refused(&u, &c, case_name);
	}
}

Test(cookies, a_write_with_the_token_from_this_site_passes)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct creds	 c;

	t_make_user(&u, "cky");
	c = signed_in(&u);
	c.origin = own_origin();
	change_password(&c, u.password, "Changed-Password-9", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_login(&u, "Changed-Password-9", 200);
	/* No Origin at all (an older browser's same-origin request). */
	c.origin = NULL;
	change_password(&c, "Changed-Password-9", u.password, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_login(&u, u.password, 200);
}

/*
 * An origin named in cors_allowed_origins may write with the cookie, and
 * is told it may send credentials; one let in by "*" may do neither.
 */
Test(cookies, a_named_origin_passes_and_a_star_one_does_not)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct creds	 c;
	const char	*v;

	t_make_user(&u, "ckc");
	c = signed_in(&u);
	c.origin = NAMED_ORIGIN;
	change_password(&c, u.password, "Changed-Password-9", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Access-Control-Allow-Origin"),
	    NAMED_ORIGIN);
	v = t_resp_header(&r, "Access-Control-Allow-Credentials");
	cr_assert(v != NULL && strcmp(v, "true") == 0,
	    "Access-Control-Allow-Credentials: %s", v != NULL ? v : "(none)");
	t_resp_free(&r);
	change_password(&c, "Changed-Password-9", u.password, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);

	c.origin = STAR_ORIGIN;
	assert_csrf_refused(&u, &c, "an origin listed by \"*\" only");
	send_with("GET", "/api/auth/me", &c, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Access-Control-Allow-Origin"),
	    STAR_ORIGIN);
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Credentials"),
	    "credentials allowed to an origin of \"*\"");
	t_resp_free(&r);
}

Test(cookies, a_preflight_allows_the_csrf_header_and_credentials)
{
	const char	*named[] = { "Origin: " NAMED_ORIGIN,
	    "Access-Control-Request-Method: POST",
	    "Access-Control-Request-Headers: content-type, x-csrf-token",
	    NULL };
	const char	*star[] = { "Origin: " STAR_ORIGIN,
	    "Access-Control-Request-Method: POST", NULL };
	struct t_resp	 r;
	const char	*v;

	t_http("OPTIONS", "/api/auth/password", named, NULL, 0, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	v = t_resp_header(&r, "Access-Control-Allow-Headers");
	cr_assert(v != NULL && strstr(v, "X-CSRF-Token") != NULL,
	    "Access-Control-Allow-Headers: %s", v != NULL ? v : "(none)");
	v = t_resp_header(&r, "Access-Control-Allow-Credentials");
	cr_assert(v != NULL && strcmp(v, "true") == 0,
	    "Access-Control-Allow-Credentials: %s", v != NULL ? v : "(none)");
	t_resp_free(&r);
	t_http("OPTIONS", "/api/auth/password", star, NULL, 0, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Credentials"));
	t_resp_free(&r);
}

/* A bearer header needs neither the token nor the origin. */
Test(cookies, a_bearer_write_is_unaffected)
{
	struct t_user	 u, other;
	struct t_resp	 r;
	struct creds	 c = { NULL, NULL, NULL, STAR_ORIGIN, NULL };

	t_make_user(&u, "ckh");
	c.bearer = u.access;
	change_password(&c, u.password, "Changed-Password-9", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_login(&u, "Changed-Password-9", 200);
	/* The header wins over another user's cookie. */
	t_make_user(&other, "cko");
	c.access = other.access;
	send_with("GET", "/api/auth/me", &c, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
}

/* An Authorization header of another scheme is no token: no cookie then. */
Test(cookies, another_authorization_scheme_does_not_fall_back)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 cookie[4200];
	const char	*h[3] = { cookie, "Authorization: Basic dXNlcjpwdw==",
	    NULL };

	t_make_user(&u, "cks");
	snprintf(cookie, sizeof(cookie), "Cookie: %s=%s", ACCESS, u.access);
	t_http("GET", "/api/auth/me", h, NULL, 0, &r);
	cr_assert_eq(r.status, 401, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/* The admin API: the same one decision, PATCH and DELETE alike. */
Test(cookies, an_admin_write_needs_the_csrf_token)
{
	struct t_user	 a, u;
	struct t_resp	 r;
	struct creds	 c;
	char		 path[200];

	t_make_admin(&a, "cka");
	t_make_user(&u, "ckv");
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	c = signed_in(&a);
	c.csrf_header = NULL;
	send_with("PATCH", path, &c, "{\"full_name\": \"Forged\"}", &r);
	t_assert_error(&r, 403, "csrf_failed");
	t_resp_free(&r);
	send_with("DELETE", path, &c, NULL, &r);
	t_assert_error(&r, 403, "csrf_failed");
	t_resp_free(&r);
	/* Nothing changed, and the GET needs no token. */
	send_with("GET", path, &c, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_null(strstr(r.body, "Forged"), "%s", r.body);
	t_resp_free(&r);

	c = signed_in(&a);
	c.origin = own_origin();
	send_with("PATCH", path, &c, "{\"full_name\": \"Meant\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Meant");
	t_resp_free(&r);
	send_with("DELETE", path, &c, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/*
 * The API logout takes the cookie as its bearer, with the CSRF rule; its
 * body (a refresh token, or all) means what it always meant.
 */
Test(cookies, logout_with_the_cookie_needs_the_csrf_token)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct creds	 c;

	t_make_user(&u, "ckl");
	c = signed_in(&u);
	c.csrf_header = NULL;
	send_with("POST", "/api/auth/logout", &c, NULL, &r);
	t_assert_error(&r, 403, "csrf_failed");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
	c = signed_in(&u);
	send_with("POST", "/api/auth/logout", &c, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	/* The ended session's cookie: 401, not a CSRF refusal, on a GET. */
	assert_me_refused(&c);
}

/* The refresh grant is the body's refresh token, cookie or none. */
Test(cookies, refresh_still_takes_the_token_in_the_body)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct creds	 c;
	char		 body[700];

	t_make_user(&u, "ckr");
	c = signed_in(&u);
	c.csrf_header = NULL;
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}",
	    u.refresh);
	send_with("POST", "/api/auth/refresh", &c, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}
