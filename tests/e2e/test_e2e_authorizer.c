/*
 * The authorizer (cgi-bin/authorize) in front of what the server serves,
 * on lighttpd ("mode" => "authorizer") and on Apache (mod_fcgid's
 * FcgidAccessChecker, with the same program as the ErrorDocument 401):
 * tests/with-stack ("#stack: authorizer") protects /members/ (any valid
 * token), /staff/ (the admin role, authorize-admin) and /app/ (tokens of
 * the audience app: GATEHOUSE_REQUIRE_AUDIENCE), each a static file and a
 * CGI printing the GATEHOUSE_* variables it was handed.  Under shared
 * hosting (-shared) the locations are guarded by .htaccess files as
 * etc/shared-hosting/README.md shows, /members/ and /staff/ only: an
 * audience needs the program's environment, which no .htaccess sets.
 * test_e2e_authorizer.conf leaves the cookie (gh_access: cookie_secure
 * is off) and the login page (/auth/login) at their defaults and sets
 * token_audiences.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(authorizer, .timeout = 60);

#define COOKIE		"gh_access"
#define LOGIN_URL	"/auth/login"

static const char	*members = "/members/index.txt";
static const char	*staff = "/staff/index.txt";
static const char	*app = "/app/index.txt";

/* True on shared hosting (see the top), where /app/ is not guarded. */
static bool
shared_hosting(void)
{
	const char	*server = getenv("GH_TEST_SERVER");

	return server != NULL && strcmp(server, "shared") == 0;
}

/* True (and says so) where /app/ is not guarded: skip its test. */
static bool
no_audience_location(void)
{
	if (!shared_hosting())
		return false;
	cr_log_info("skipped: no audience under shared hosting");
	return true;
}

/* GET path with the token as a bearer (NULL: none) and extra headers. */
static void
get(const char *path, const char *token, const char *extra,
    struct t_resp *r)
{
	char		 auth[4200];
	const char	*h[3];
	size_t		 n = 0;

	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (extra != NULL)
		h[n++] = extra;
	h[n] = NULL;
	t_http("GET", path, h, NULL, 0, r);
}

static void
assert_no_variables(const struct t_resp *r)
{
	cr_assert_null(t_resp_header(r, "Variable-GATEHOUSE_USER_ID"),
	    "the authorizer's Variable-* headers reached the client");
	cr_assert_null(t_resp_header(r, "Variable-GATEHOUSE_ROLES"));
}

/* The CGI's output line NAME=value, or NULL; in static storage. */
static const char *
cgi_var(const struct t_resp *r, const char *name)
{
	static char	 value[512];
	char		 key[80];
	const char	*p, *e;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = r->body; p != NULL && *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, key, strlen(key)) == 0) {
			snprintf(value, sizeof(value), "%.*s",
			    (int)(e - p - (ptrdiff_t)strlen(key)),
			    p + strlen(key));
			return value;
		}
		if (*e == '\0')
			break;
	}
	return NULL;
}

Test(authorizer, no_token_answers_401_with_a_challenge)
{
	struct t_resp	 r;

	get(members, NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
	get("/staff/cgi/env.sh", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	cr_assert_null(strstr(r.body, "GATEHOUSE_"), "the CGI ran: %s", r.body);
	t_resp_free(&r);
}

Test(authorizer, a_bad_token_answers_401_invalid_token)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 bad[4096], *dot;

	t_make_user(&u, "azb");
	snprintf(bad, sizeof(bad), "%s", u.access);
	dot = strrchr(bad, '.');
	dot[-2] = dot[-2] == 'x' ? 'y' : 'x';
	get(members, bad, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	get(members, "not-a-token", NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(authorizer, a_user_token_gets_the_static_file)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "azs");
	get(members, u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "gatehouse members file\n");
	assert_no_variables(&r);
	t_resp_free(&r);
}

Test(authorizer, a_user_token_on_an_admin_location_answers_403)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*w;

	t_make_user(&u, "azr");
	get(staff, u.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	w = t_resp_header(&r, "WWW-Authenticate");
	cr_assert(w != NULL && strcmp(w, "Bearer realm=\"gatehouse\", "
	    "error=\"insufficient_scope\"") == 0, "WWW-Authenticate: %s",
	    w != NULL ? w : "(none)");
	t_resp_free(&r);
	get("/staff/cgi/env.sh", u.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
}

Test(authorizer, an_admin_token_reaches_the_cgi_with_the_variables)
{
	struct t_user		 a;
	struct t_resp		 r;
	const char		*v;

	t_make_admin(&a, "aza");
	get("/staff/cgi/env.sh", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	v = cgi_var(&r, "GATEHOUSE_USER_ID");
	cr_assert(v != NULL && strcmp(v, a.id) == 0, "GATEHOUSE_USER_ID=%s; "
	    "body: %s", v != NULL ? v : "(none)", r.body);
	v = cgi_var(&r, "GATEHOUSE_USERNAME");
	cr_assert(v != NULL && strcmp(v, a.username) == 0, "body: %s", r.body);
	v = cgi_var(&r, "GATEHOUSE_ROLES");
	cr_assert(v != NULL && (strcmp(v, "admin,user") == 0 ||
	    strcmp(v, "user,admin") == 0), "GATEHOUSE_ROLES=%s",
	    v != NULL ? v : "(none)");
	assert_no_variables(&r);
	t_resp_free(&r);
	get(staff, a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "gatehouse staff file\n");
	t_resp_free(&r);
}

Test(authorizer, a_user_token_reaches_the_members_cgi)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*v;

	t_make_user(&u, "azc");
	get("/members/cgi/env.sh", u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	v = cgi_var(&r, "GATEHOUSE_USERNAME");
	cr_assert(v != NULL && strcmp(v, u.username) == 0, "body: %s",
	    r.body);
	v = cgi_var(&r, "GATEHOUSE_ROLES");
	cr_assert(v != NULL && strcmp(v, "user") == 0, "GATEHOUSE_ROLES=%s",
	    v != NULL ? v : "(none)");
	t_resp_free(&r);
}

Test(authorizer, a_suspended_users_token_answers_401_at_once)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[200];

	t_make_admin(&a, "azsa");
	t_make_user(&u, "azsu");
	get(members, u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* The very next request. */
	get(members, u.access, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(authorizer, a_role_granted_counts_at_once)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[200];

	t_make_admin(&a, "azga");
	t_make_user(&u, "azgu");
	get(staff, u.access, NULL, &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	t_http_json("PATCH", path, a.access,
	    "{\"roles\": [\"user\", \"admin\"]}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* The token still says "user"; the database says admin. */
	get(staff, u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/*
 * Every authorizer process has let the token through (and cached its
 * session) before the logout: all of them refuse it right after.
 */
Test(authorizer, a_logout_is_refused_by_every_warm_process)
{
	struct t_user		 u;
	struct t_resp		 r;
	int			 i;

	t_make_user(&u, "azlo");
	for (i = 0; i < 16; i++) {
		get(members, u.access, NULL, &r);
		cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
		t_resp_free(&r);
	}
	t_http_json("POST", "/api/auth/logout", u.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	for (i = 0; i < 16; i++) {
		get(members, u.access, NULL, &r);
		t_assert_bearer_401(&r, false);
		t_resp_free(&r);
	}
}

Test(authorizer, the_token_in_the_sign_in_cookie_works)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 cookie[4200];

	t_make_user(&u, "azk");
	snprintf(cookie, sizeof(cookie), "Cookie: theme=dark; %s=%s; x=1",
	    COOKIE, u.access);
	get(members, NULL, cookie, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "gatehouse members file\n");
	t_resp_free(&r);
	/* Another cookie's name is not the token. */
	snprintf(cookie, sizeof(cookie), "Cookie: other=%s", u.access);
	get(members, NULL, cookie, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

/* The cookie alone: the user reaches the protected application. */
Test(authorizer, the_cookie_alone_reaches_the_cgi)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 cookie[4200];
	const char	*v;

	t_make_user(&u, "azck");
	snprintf(cookie, sizeof(cookie), "Cookie: %s=%s", COOKIE, u.access);
	get("/members/cgi/env.sh", NULL, cookie, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	v = cgi_var(&r, "GATEHOUSE_USERNAME");
	cr_assert(v != NULL && strcmp(v, u.username) == 0, "body: %s",
	    r.body);
	v = cgi_var(&r, "GATEHOUSE_USER_ID");
	cr_assert(v != NULL && strcmp(v, u.id) == 0, "body: %s", r.body);
	t_resp_free(&r);
	/* The Secure name is not read without cookie_secure. */
	snprintf(cookie, sizeof(cookie), "Cookie: __Host-%s=%s", COOKIE,
	    u.access);
	get(members, NULL, cookie, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

/* GET path as a browser would, with the cookie (NULL: none). */
static void
browse(const char *path, const char *cookie_token, struct t_resp *r)
{
	char		 cookie[4200];
	const char	*h[3] = { "Accept: text/html,application/xhtml+xml;"
	    "q=0.9,*/*;q=0.8", NULL, NULL };

	if (cookie_token != NULL) {
		snprintf(cookie, sizeof(cookie), "Cookie: %s=%s", COOKIE,
		    cookie_token);
		h[1] = cookie;
	}
	t_http("GET", path, h, NULL, 0, r);
}

/* r is the 302 to the login page with next, exactly. */
static void
assert_to_login(const struct t_resp *r, const char *next)
{
	char		 want[600];
	const char	*loc;

	snprintf(want, sizeof(want), "%s?next=%s", LOGIN_URL, next);
	cr_assert_eq(r->status, 302, "%ld %s", r->status, r->body);
	loc = t_resp_header(r, "Location");
	cr_assert(loc != NULL && strcmp(loc, want) == 0,
	    "Location: %s, not %s", loc != NULL ? loc : "(none)", want);
	assert_no_variables(r);
}

static void
expire(struct json_object *pay)
{
	time_t	 now = time(NULL);

	json_object_object_add(pay, "iat", json_object_new_int64(
	    (int64_t)now - 7200));
	json_object_object_add(pay, "exp", json_object_new_int64(
	    (int64_t)now - 3600));
}

/*
 * A browser whose cookie is expired, revoked or junk goes to sign in
 * again, as one without; an API client gets the 401.
 */
Test(authorizer, a_browser_with_a_dead_cookie_goes_to_the_login_page)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 old[4096];
	char		 cookie[4200];

	t_make_user(&u, "azdc");
	t_jwt_resign(u.access, expire, old, sizeof(old));
	browse("/members/cgi/env.sh", old, &r);
	assert_to_login(&r, "%2Fmembers%2Fcgi%2Fenv.sh");
	cr_assert_null(strstr(r.body, "GATEHOUSE_"), "the CGI ran: %s",
	    r.body);
	t_resp_free(&r);
	snprintf(cookie, sizeof(cookie), "Cookie: %s=%s", COOKIE, old);
	get(members, NULL, cookie, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);

	browse(members, "not-a-token", &r);
	assert_to_login(&r, "%2Fmembers%2Findex.txt");
	t_resp_free(&r);

	/* Revoked: the session ended by a logout. */
	browse(members, u.access, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/logout", u.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	browse(members, u.access, &r);
	assert_to_login(&r, "%2Fmembers%2Findex.txt");
	t_resp_free(&r);
	snprintf(cookie, sizeof(cookie), "Cookie: %s=%s", COOKIE, u.access);
	get(members, NULL, cookie, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

/* next is the page's path and query, encoded whole. */
Test(authorizer, next_carries_the_path_and_the_query)
{
	struct t_resp	 r;

	browse("/members/index.txt?a=b&c=%2F&d=%22", NULL, &r);
	assert_to_login(&r, "%2Fmembers%2Findex.txt%3Fa%3Db%26c%3D%252F"
	    "%26d%3D%2522");
	t_resp_free(&r);
	browse("/members/", NULL, &r);
	assert_to_login(&r, "%2Fmembers%2F");
	t_resp_free(&r);
}

/* Only a role's refusal: a signed-in browser is not sent to sign in. */
Test(authorizer, a_signed_in_browser_without_the_role_gets_403)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "azbr");
	browse(staff, u.access, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
}

Test(authorizer, a_browser_without_a_token_goes_to_the_login_page)
{
	struct t_resp	 r;
	const char	*loc;

	get(members, NULL, "Accept: text/html,application/xhtml+xml", &r);
	cr_assert_eq(r.status, 302, "%ld %s", r.status, r.body);
	loc = t_resp_header(&r, "Location");
	cr_assert(loc != NULL && strcmp(loc, LOGIN_URL
	    "?next=%2Fmembers%2Findex.txt") == 0, "Location: %s",
	    loc != NULL ? loc : "(none)");
	t_resp_free(&r);
	/* An API client (no text/html) still gets the 401. */
	get(members, NULL, "Accept: application/json", &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(authorizer, the_api_is_not_behind_the_authorizer)
{
	struct t_resp	 r;

	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(authorizer, the_error_document_alone_answers_404)
{
	struct t_resp	 r;

	if (!t_on_apache()) {
		cr_log_info("skipped: the error document is Apache's; "
		    "lighttpd has none");
		return;
	}
	/* Asked directly, not as the error document: nothing there. */
	get(shared_hosting() ? "/cgi-bin/authorize" : "/.gatehouse/denied",
	    NULL, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

/*
 * next is always a path of this site: "//members/..." (which both servers
 * still serve as /members/...) would send the browser, after sign-in, to
 * the host "members" -- an open redirect through the login page.
 */
Test(authorizer, next_is_always_a_same_site_path)
{
	static const char *const paths[] = {
		"//members/index.txt",
		"///members/index.txt",
		"/%2Fmembers/index.txt",
	};
	struct t_resp	 r;
	const char	*loc;
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get(paths[i], NULL, "Accept: text/html", &r);
		/* Apache (AllowEncodedSlashes Off) refuses %2F itself. */
		if (r.status == 404 && strstr(paths[i], "%2F") != NULL) {
			t_resp_free(&r);
			continue;
		}
		cr_assert_eq(r.status, 302, "%s: %ld %s", paths[i], r.status,
		    r.body);
		loc = t_resp_header(&r, "Location");
		cr_assert(loc != NULL && strcmp(loc, LOGIN_URL
		    "?next=%2Fmembers%2Findex.txt") == 0, "%s: Location: %s",
		    paths[i], loc != NULL ? loc : "(none)");
		t_resp_free(&r);
	}
}

/* GET path with token: 200 from what serves it. */
static void
assert_passes(const char *path, const char *token)
{
	struct t_resp	 r;

	get(path, token, NULL, &r);
	cr_assert_eq(r.status, 200, "%s: %ld %s", path, r.status, r.body);
	cr_assert_null(strstr(r.body, "\"error\""), "%s", r.body);
	t_resp_free(&r);
}

/* GET path with token: 401 invalid_token, and nothing of what is there. */
static void
assert_refused(const char *path, const char *token)
{
	struct t_resp	 r;

	get(path, token, NULL, &r);
	t_assert_bearer_401(&r, false);
	cr_assert_null(strstr(r.body, "GATEHOUSE_"), "the CGI ran: %s", r.body);
	t_resp_free(&r);
}

/* Logs u in again for audience (form: the OAuth2 grant; else JSON). */
static void
login_for(struct t_user *u, const char *audience, bool form,
    struct t_resp *r)
{
	char	 body[512];

	if (!form) {
		t_http_jsonf("POST", "/api/auth/login", NULL, r,
		    "{\"username\": \"%s\", \"password\": \"%s\", "
		    "\"audience\": \"%s\"}", u->username, u->password,
		    audience);
		return;
	}
	snprintf(body, sizeof(body), "grant_type=password&username=%s&"
	    "password=%s&audience=%s", u->username, u->password, audience);
	t_http_form("/api/auth/login", body, r);
}

/* The aud claim of token, "" when none; in static storage. */
static const char *
aud_of(const char *token)
{
	static char		 aud[160];
	struct json_object	*pay, *a;

	pay = t_jwt_part(token, 1);
	aud[0] = '\0';
	if (json_object_object_get_ex(pay, "aud", &a))
		snprintf(aud, sizeof(aud), "%s", json_object_get_string(a));
	json_object_put(pay);
	return aud;
}

/* Replaces u's tokens with a login's for the audience app. */
static void
login_app(struct t_user *u, bool form)
{
	struct t_resp	 r;
	const char	*a, *rt;

	login_for(u, "app", form, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert((a = t_resp_str(&r, "access_token")) != NULL);
	cr_assert((rt = t_resp_str(&r, "refresh_token")) != NULL);
	snprintf(u->access, sizeof(u->access), "%s", a);
	snprintf(u->refresh, sizeof(u->refresh), "%s", rt);
	t_resp_free(&r);
	cr_assert_str_eq(aud_of(u->access), "app");
}

/*
 * A token for the audience app passes /app/ and nothing of the API: the
 * application there cannot replay it against /api/admin.
 */
Test(authorizer, an_audience_token_passes_its_location_only)
{
	struct t_user	 u, admin;
	struct t_resp	 r;

	if (no_audience_location())
		return;
	t_make_user(&u, "aza");
	login_app(&u, false);
	get(app, u.access, NULL, &r);
	cr_assert_str_eq(r.body, "gatehouse app file\n");
	t_resp_free(&r);
	get("/app/cgi/env.sh", u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(cgi_var(&r, "GATEHOUSE_USERNAME"), u.username);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 401);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	/* Even an admin's: the API takes none. */
	t_make_admin(&admin, "azA");
	login_app(&admin, true);
	t_http_json("GET", "/api/admin/users", admin.access, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	assert_passes(app, admin.access);
	/* Nor does an authorizer location without the audience. */
	assert_refused(members, u.access);
}

/* A refresh keeps the session's audience. */
Test(authorizer, an_audience_token_refreshes_into_the_same_audience)
{
	struct t_user	 u;

	if (no_audience_location())
		return;
	t_make_user(&u, "azr");
	login_app(&u, false);
	t_refresh(&u);
	cr_assert_str_eq(aud_of(u.access), "app");
	assert_passes(app, u.access);
	cr_assert_eq(t_me_status(u.access), 401);
}

/* The API's own tokens do not pass a location that asks for an audience. */
Test(authorizer, an_api_token_is_refused_at_an_audience_location)
{
	struct t_user	 u;
	struct t_resp	 r;

	if (no_audience_location())
		return;
	t_make_user(&u, "azn");
	cr_assert_str_eq(aud_of(u.access), "");
	assert_refused(app, u.access);
	assert_refused("/app/cgi/env.sh", u.access);
	/* A browser goes to sign in, as with any token the location refuses. */
	get(app, u.access, "Accept: text/html", &r);
	cr_assert_eq(r.status, 302, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
}

/* Only the audiences of token_audiences can be asked for. */
Test(authorizer, an_unknown_audience_is_422)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "azu");
	login_for(&u, "wiki", false, &r);
	t_assert_field_error(&r, 422, "validation_failed", "audience");
	t_resp_free(&r);
	login_for(&u, "wiki", true, &r);
	t_assert_field_error(&r, 422, "validation_failed", "audience");
	t_resp_free(&r);
	login_for(&u, "", false, &r);
	t_assert_field_error(&r, 422, "validation_failed", "audience");
	t_resp_free(&r);
}
