/*
 * The OAuth endpoints other services use, end to end: revocation (RFC
 * 7009) at /api/auth/revoke, introspection (RFC 7662) at
 * /api/auth/introspect, the authorization server metadata (RFC 8414) and
 * the key set at /.well-known/.  One behaviour a test; the suite's .conf
 * sets jwks_max_age_seconds, so the max-age seen is the configured one.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "client.h"
#include "fcgi.h"

TestSuite(oauth, .timeout = 120);

#define MAX_AGE		"120"	/* test_e2e_oauth.conf */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* POST path with a form body (no token). */
static void
post_form(const char *path, const char *form, struct t_resp *r)
{
	t_http_form(path, form, r);
}

/* POST /api/auth/revoke {"token": token}: the status, the body empty. */
static long
revoke_token(const char *token)
{
	struct t_resp	 r;
	char		*body;
	long		 st;

	cr_assert_not_null(body = t_jbody("token", token, NULL));
	t_http_json("POST", "/api/auth/revoke", NULL, body, &r);
	free(body);
	st = r.status;
	if (st == 200)
		cr_assert_eq(r.len, 0, "revoke answered a body: %s", r.body);
	t_resp_free(&r);
	return st;
}

/* Revocation */

Test(oauth, revoking_a_refresh_token_ends_its_session_at_once)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 form[640], sid[64];

	t_make_user(&u, "rvr");
	t_jwt_sid(u.access, sid, sizeof(sid));
	snprintf(form, sizeof(form), "token=%s&token_type_hint=refresh_token",
	    u.refresh);
	post_form("/api/auth/revoke", form, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_eq(r.len, 0);
	cr_assert_str_eq(t_resp_header(&r, "Cache-Control"), "no-store");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_str_eq(t_sql("SELECT end_reason FROM sessions WHERE id = "
	    "'%s'", sid), "revoked");
}

Test(oauth, revoking_an_access_token_ends_its_session_at_once)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*body;

	t_make_user(&u, "rva");
	cr_assert_not_null(body = t_jbody("token", u.access,
	    "token_type_hint", "access_token", NULL));
	t_http_json("POST", "/api/auth/revoke", NULL, body, &r);
	free(body);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_eq(r.len, 0);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(oauth, revoking_ends_only_that_session)
{
	struct t_user	 a, b;

	t_make_user(&a, "rvo");
	b = a;
	t_login(&b);
	cr_assert_eq(revoke_token(a.refresh), 200);
	cr_assert_eq(t_me_status(a.access), 401);
	cr_assert_eq(t_me_status(b.access), 200);
}

/* Edits a payload into a token of another key's: signed, but not ours. */
static void
forge_for(const char *access, char *out, size_t outsz)
{
	struct json_object	*p;

	cr_assert_not_null(p = t_jwt_part(access, 1));
	t_jwt_forge("HS256", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
	    "another-secret-of-at-least-thirty-two-bytes", out, outsz);
	json_object_put(p);
}

static void
expire(struct json_object *p)
{
	int64_t	 now = (int64_t)time(NULL);

	json_object_object_add(p, "iat", json_object_new_int64(now - 3600));
	json_object_object_add(p, "exp", json_object_new_int64(now - 60));
}

Test(oauth, an_unknown_or_unverifiable_token_gets_200_and_changes_nothing)
{
	struct t_user	 u;
	char		 forged[4096], expired[4096];
	const char	*tokens[] = {
		"garbage", "a.b.c", "", forged, expired,
		/* 43 characters of base64url: a refresh token's shape. */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
	};
	size_t		 i;

	t_make_user(&u, "rvu");
	forge_for(u.access, forged, sizeof(forged));
	t_jwt_resign(u.access, expire, expired, sizeof(expired));
	for (i = 0; i < NELEM(tokens); i++) {
		if (tokens[i][0] == '\0')
			continue;	/* an empty token is a missing one: 400 */
		cr_assert_eq(revoke_token(tokens[i]), 200, "token %zu", i);
	}
	/* The forged and the expired token named u's session: it lives. */
	cr_assert_eq(t_me_status(u.access), 200);
	cr_assert_eq(t_refresh_status(u.refresh), 200);
}

Test(oauth, revoking_twice_is_200_both_times)
{
	struct t_user	 u;

	t_make_user(&u, "rv2");
	cr_assert_eq(revoke_token(u.refresh), 200);
	cr_assert_eq(revoke_token(u.refresh), 200);
	cr_assert_eq(revoke_token(u.access), 200);
}

Test(oauth, revoke_without_a_token_is_400)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/revoke", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/revoke", NULL, "{\"token\": 5}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	post_form("/api/auth/revoke", "token_type_hint=refresh_token", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(oauth, revoke_with_another_content_type_is_415)
{
	static const char *const h[] = { "Content-Type: text/plain", NULL };
	struct t_resp	 r;

	t_http("POST", "/api/auth/revoke", h, "token=x", 7, &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(oauth, revoke_takes_only_post)
{
	struct t_resp	 r;

	t_http("GET", "/api/auth/revoke", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "POST, OPTIONS");
	t_resp_free(&r);
}

/* The revocation a /me race (t_me_race()) waits on. */
static void
revoke_now(const void *token)
{
	cr_assert_eq(revoke_token(token), 200);
}

static void
race_round(bool by_refresh)
{
	struct t_user	 u;

	t_make_user(&u, by_refresh ? "rcr" : "rca");
	t_me_race(u.access, revoke_now, by_refresh ? u.refresh : u.access);
}

Test(oauth, no_me_started_after_a_refresh_token_revocation_succeeds)
{
	race_round(true);
}

Test(oauth, no_me_started_after_an_access_token_revocation_succeeds)
{
	race_round(false);
}

/* Introspection */

/* A user holding role, logged in. */
static void
make_with_role(struct t_user *u, const char *prefix, const char *role)
{
	t_make_user(u, prefix);
	t_sql("INSERT INTO user_roles (user_id, role) VALUES ('%s', '%s')",
	    u->id, role);
}

/* POST /api/auth/introspect by caller about token (form). */
static void
introspect(const char *caller, const char *token, struct t_resp *r)
{
	char		 auth[4200], form[4200];
	const char	*h[] = { auth,
			    "Content-Type: application/x-www-form-urlencoded",
			    NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", caller);
	snprintf(form, sizeof(form), "token=%s", token);
	t_http("POST", "/api/auth/introspect", caller != NULL ? h : h + 1,
	    form, strlen(form), r);
}

/* The answer is exactly {"active": false}. */
static void
assert_inactive(const char *caller, const char *token, const char *what)
{
	struct t_resp		 r;
	struct json_object	*a;

	introspect(caller, token, &r);
	cr_assert_eq(r.status, 200, "%s: %ld %s", what, r.status, r.body);
	cr_assert_not_null(r.json, "%s: %s", what, r.body);
	cr_assert_eq(json_object_object_length(r.json), 1, "%s: %s", what,
	    r.body);
	cr_assert(json_object_object_get_ex(r.json, "active", &a) &&
	    json_object_is_type(a, json_type_boolean) &&
	    !json_object_get_boolean(a), "%s: %s", what, r.body);
	t_resp_free(&r);
}

static int64_t
int_member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	cr_assert(json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_int), "%s", key);
	return json_object_get_int64(v);
}

/* The members of an active answer, for a token of u's. */
static void
assert_active(struct t_resp *r, const struct t_user *u, const char *type)
{
	struct json_object	*a, *roles;
	char			 sid[64];

	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	cr_assert_str_eq(t_resp_header(r, "Cache-Control"), "no-store");
	t_assert_json_type(r);
	cr_assert_not_null(r->json);
	cr_assert_eq(json_object_object_length(r->json), 9, "%s", r->body);
	cr_assert(json_object_object_get_ex(r->json, "active", &a) &&
	    json_object_get_boolean(a));
	cr_assert_str_eq(t_resp_str(r, "token_type"), type);
	cr_assert_str_eq(t_resp_str(r, "sub"), u->id);
	cr_assert_str_eq(t_resp_str(r, "username"), u->username);
	t_jwt_sid(u->access, sid, sizeof(sid));
	cr_assert_str_eq(t_resp_str(r, "sid"), sid);
	cr_assert_str_eq(t_resp_str(r, "iss"), "gatehouse");
	cr_assert(json_object_object_get_ex(r->json, "roles", &roles) &&
	    json_object_is_type(roles, json_type_array));
	cr_assert(t_json_array_has(roles, "user"), "%s", r->body);
	cr_assert_lt(int_member(r->json, "iat"), int_member(r->json, "exp"));
}

Test(oauth, introspect_without_a_bearer_is_401)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "inb");
	introspect(NULL, u.access, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(oauth, introspect_by_a_plain_user_is_403)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "inp");
	introspect(u.access, u.access, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
}

Test(oauth, introspect_of_a_live_access_token_tells_its_claims)
{
	struct t_user		 caller, u;
	struct t_resp		 r;
	struct json_object	*p;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "ina");
	introspect(caller.access, u.access, &r);
	assert_active(&r, &u, "access_token");
	cr_assert_not_null(p = t_jwt_part(u.access, 1));
	cr_assert_eq(int_member(r.json, "iat"), int_member(p, "iat"));
	cr_assert_eq(int_member(r.json, "exp"), int_member(p, "exp"));
	json_object_put(p);
	t_resp_free(&r);
}

Test(oauth, introspect_of_a_live_refresh_token_tells_its_session)
{
	struct t_user	 caller, u;
	struct t_resp	 r;
	int64_t		 life;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "inr");
	introspect(caller.access, u.refresh, &r);
	assert_active(&r, &u, "refresh_token");
	/* refresh_token_expire_days: 7 */
	life = int_member(r.json, "exp") - int_member(r.json, "iat");
	cr_assert(life >= 7 * 86400 - 1 && life <= 7 * 86400 + 1, "%lld",
	    (long long)life);
	t_resp_free(&r);
}

Test(oauth, introspect_roles_are_the_ones_held_now)
{
	struct t_user	 caller, u;
	struct t_resp	 r;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "inn");
	t_sql("INSERT INTO user_roles (user_id, role) VALUES ('%s', "
	    "'introspect')", u.id);
	introspect(caller.access, u.access, &r);
	cr_assert_not_null(r.json);
	cr_assert(t_json_array_has(t_json_path(r.json, "roles"),
	    "introspect"), "%s", r.body);
	t_resp_free(&r);
}

Test(oauth, an_admin_may_introspect)
{
	struct t_user	 admin, u;
	struct t_resp	 r;

	t_make_admin(&admin, "ina");
	t_make_user(&u, "inu");
	introspect(admin.access, u.access, &r);
	assert_active(&r, &u, "access_token");
	t_resp_free(&r);
}

Test(oauth, introspect_after_logout_is_inactive)
{
	struct t_user	 caller, u;
	struct t_resp	 r;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "inl");
	t_http_json("POST", "/api/auth/logout", u.access, NULL, &r);
	cr_assert_eq(r.status, 204);
	t_resp_free(&r);
	assert_inactive(caller.access, u.access, "access after logout");
	assert_inactive(caller.access, u.refresh, "refresh after logout");
}

Test(oauth, introspect_after_revoke_is_inactive)
{
	struct t_user	 caller, u;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "inv");
	cr_assert_eq(revoke_token(u.refresh), 200);
	assert_inactive(caller.access, u.access, "access after revoke");
	assert_inactive(caller.access, u.refresh, "refresh after revoke");
}

Test(oauth, introspect_after_suspension_is_inactive)
{
	struct t_user	 admin, caller, u;
	struct t_resp	 r;
	char		 path[128];

	t_make_admin(&admin, "ins");
	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "ins");
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	t_http_json("PATCH", path, admin.access, "{\"status\": \"suspended\"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_inactive(caller.access, u.access, "access after suspension");
	assert_inactive(caller.access, u.refresh, "refresh after suspension");
}

Test(oauth, introspect_of_garbage_and_expired_tokens_is_inactive)
{
	struct t_user	 caller, u;
	char		 expired[4096], forged[4096];

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "ing");
	t_jwt_resign(u.access, expire, expired, sizeof(expired));
	forge_for(u.access, forged, sizeof(forged));
	assert_inactive(caller.access, "garbage", "garbage");
	assert_inactive(caller.access, "a.b.c", "dots");
	assert_inactive(caller.access, forged, "another key's token");
	assert_inactive(caller.access, expired, "expired access token");
	assert_inactive(caller.access,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "unknown refresh");
	t_sql("UPDATE refresh_tokens SET expires_at = now() - interval '1 s' "
	    "WHERE session_id = (SELECT id FROM sessions WHERE user_id = "
	    "'%s')", u.id);
	assert_inactive(caller.access, u.refresh, "expired refresh token");
}

Test(oauth, introspect_of_a_rotated_refresh_token_is_inactive)
{
	struct t_user	 caller, u;
	char		 old[512];

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "ino");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	assert_inactive(caller.access, old, "rotated refresh token");
}

Test(oauth, introspect_takes_json_too)
{
	struct t_user	 caller, u;
	struct t_resp	 r;
	char		*body;

	make_with_role(&caller, "inc", "introspect");
	t_make_user(&u, "inj");
	cr_assert_not_null(body = t_jbody("token", u.refresh,
	    "token_type_hint", "refresh_token", NULL));
	t_http_json("POST", "/api/auth/introspect", caller.access, body, &r);
	free(body);
	assert_active(&r, &u, "refresh_token");
	t_resp_free(&r);
}

Test(oauth, introspect_without_a_token_is_400)
{
	struct t_user	 caller;
	struct t_resp	 r;

	make_with_role(&caller, "inc", "introspect");
	t_http_json("POST", "/api/auth/introspect", caller.access, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

/* Discovery */

/* The headers of a public document. */
static void
assert_public(const struct t_resp *r)
{
	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	t_assert_json_type(r);
	cr_assert_str_eq(t_resp_header(r, "Cache-Control"),
	    "public, max-age=" MAX_AGE);
	cr_assert_str_eq(t_resp_header(r, "Access-Control-Allow-Origin"), "*");
	cr_assert_str_eq(t_resp_header(r, "X-Content-Type-Options"),
	    "nosniff");
	cr_assert_null(t_resp_header(r, "Pragma"));
}

static void
assert_url(struct json_object *o, const char *key, const char *base,
    const char *path)
{
	char	 want[512];

	snprintf(want, sizeof(want), "%s%s", base, path);
	cr_assert_str_eq(json_object_get_string(t_json_path(o, key)), want,
	    "%s", key);
}

/* The whole metadata document, its URLs on base. */
static void
assert_metadata(struct json_object *o, const char *base)
{
	struct json_object	*a;

	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), 7, "%s",
	    json_object_to_json_string(o));
	cr_assert_str_eq(json_object_get_string(t_json_path(o, "issuer")),
	    "gatehouse");
	assert_url(o, "token_endpoint", base, "/api/auth/login");
	assert_url(o, "jwks_uri", base, "/.well-known/jwks.json");
	assert_url(o, "revocation_endpoint", base, "/api/auth/revoke");
	assert_url(o, "introspection_endpoint", base, "/api/auth/introspect");
	a = t_json_path(o, "grant_types_supported");
	cr_assert_eq(json_object_array_length(a), 2);
	cr_assert(t_json_array_has(a, "password"));
	cr_assert(t_json_array_has(a, "refresh_token"));
	a = t_json_path(o, "token_endpoint_auth_methods_supported");
	cr_assert_eq(json_object_array_length(a), 1);
	cr_assert(t_json_array_has(a, "none"));
}

/* The token endpoint's refresh_token grant, as a form: its status. */
static long
refresh_at_token_endpoint(const char *refresh, struct t_resp *r)
{
	char	 enc[1024], form[1200];

	t_urlencode(refresh, enc, sizeof(enc));
	cr_assert_lt((size_t)snprintf(form, sizeof(form),
	    "grant_type=refresh_token&refresh_token=%s", enc), sizeof(form));
	post_form("/api/auth/login", form, r);
	return r->status;
}

Test(oauth, the_token_endpoint_takes_the_refresh_token_grant)
{
	struct t_user	 u;
	struct t_resp	 r;
	const char	*access, *refresh;

	t_make_user(&u, "tef");
	cr_assert_eq(refresh_at_token_endpoint(u.refresh, &r), 200, "%s",
	    r.body);
	cr_assert_not_null(access = t_resp_str(&r, "access_token"));
	cr_assert_not_null(refresh = t_resp_str(&r, "refresh_token"));
	cr_assert_str_neq(refresh, u.refresh);
	cr_assert_eq(t_me_status(access), 200);
	t_resp_free(&r);
}

/*
 * This suite keeps the default reuse grace, in which a reused token is
 * answered as a concurrent refresh; a token of an ended session is the
 * reuse that is always refused, at both endpoints alike.
 */
Test(oauth, the_token_endpoint_refuses_a_spent_or_garbage_refresh_token)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 enc[1024], form[1200];

	t_make_user(&u, "ter");
	cr_assert_eq(revoke_token(u.refresh), 200);
	refresh_at_token_endpoint(u.refresh, &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	t_urlencode(u.refresh, enc, sizeof(enc));
	snprintf(form, sizeof(form), "grant_type=refresh_token&"
	    "refresh_token=%s", enc);
	post_form("/api/auth/refresh", form, &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	refresh_at_token_endpoint("not.a.token", &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(oauth, metadata_names_every_endpoint_on_the_request_host)
{
	struct t_resp	 r;

	t_http("GET", "/.well-known/oauth-authorization-server", NULL, NULL, 0,
	    &r);
	assert_public(&r);
	assert_metadata(r.json, getenv("GH_TEST_BASE_URL"));
	t_resp_free(&r);
}

Test(oauth, metadata_follows_the_host_header_in_lower_case)
{
	static const char *const h[] = { "Host: Auth.Example.org:8443", NULL };
	struct t_resp	 r;

	t_http("GET", "/.well-known/oauth-authorization-server", h, NULL, 0,
	    &r);
	assert_public(&r);
	assert_metadata(r.json, "http://auth.example.org:8443");
	t_resp_free(&r);
}

/*
 * The wellknown program itself, spoken to as its web server would, with
 * settings and CGI variables no stack's server would give it.
 */
static void
direct_get(const char *const *env, const char *const *params,
    const char *uri, char *out, size_t outsz)
{
	struct t_fcgi_buf	 req = { 0 }, pbuf = { 0 }, ans = { 0 };
	unsigned char		 begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	char			 path[4096], sock[64];
	char			*argv[2];
	const char		*dir;
	pid_t			 pid;
	size_t			 i;
	int			 c, st;

	cr_assert_not_null(dir = getenv("GH_TEST_CGI_DIR"));
	cr_assert_eq(setenv("GATEHOUSE_CONFIG", getenv("GH_TEST_CONFIG"), 1),
	    0);
	for (i = 0; env[i] != NULL; i += 2)
		cr_assert_eq(setenv(env[i], env[i + 1], 1), 0);
	snprintf(path, sizeof(path), "%s/wellknown", dir);
	snprintf(sock, sizeof(sock), "/tmp/gh-wk-%d", (int)getpid());
	t_fcgi_param(&pbuf, "REQUEST_METHOD", "GET");
	t_fcgi_param(&pbuf, "REQUEST_URI", uri);
	t_fcgi_param(&pbuf, "SCRIPT_NAME", uri);
	t_fcgi_param(&pbuf, "REMOTE_ADDR", "127.0.0.1");
	for (i = 0; params[i] != NULL; i += 2)
		t_fcgi_param(&pbuf, params[i], params[i + 1]);
	t_fcgi_record(&req, 1, begin, sizeof(begin));
	t_fcgi_record(&req, 4, pbuf.p, pbuf.len);
	t_fcgi_record(&req, 4, NULL, 0);
	t_fcgi_record(&req, 5, NULL, 0);
	argv[0] = path;
	argv[1] = NULL;
	cr_assert_neq(pid = t_fcgi_spawn(sock, argv), -1);
	c = t_fcgi_exchange(sock, &req, &ans);
	(void)kill(pid, SIGTERM);
	(void)waitpid(pid, &st, 0);
	unlink(sock);
	cr_assert_neq(c, -1, "wellknown gave no answer");
	close(c);
	t_fcgi_put(&ans, "", 1);
	snprintf(out, outsz, "%s", (char *)ans.p);
	free(req.p);
	free(pbuf.p);
	free(ans.p);
}

/* The JSON body of a direct answer. */
static struct json_object *
direct_body(const char *answer)
{
	const char	*b = strstr(answer, "\r\n\r\n");

	cr_assert_not_null(b, "%s", answer);
	return json_tokener_parse(b + 4);
}

Test(oauth, metadata_is_built_on_public_base_url_when_set)
{
	static const char *const env[] = {
		"PUBLIC_BASE_URL", "https://auth.example.com/gh/", NULL
	};
	static const char *const params[] = {
		"HTTP_HOST", "elsewhere.example", NULL
	};
	struct json_object	*o;
	char			 out[8192];

	direct_get(env, params, "/.well-known/oauth-authorization-server", out,
	    sizeof(out));
	cr_assert_not_null(strstr(out, "Status: 200"), "%s", out);
	o = direct_body(out);
	assert_metadata(o, "https://auth.example.com/gh");
	json_object_put(o);
}

Test(oauth, metadata_takes_https_and_never_reflects_a_bad_host)
{
	static const char *const env[] = { NULL };
	static const char *const params[] = {
		"HTTPS", "on", "HTTP_HOST", "evil.example/\"><x",
		"SERVER_NAME", "api.example", "SERVER_PORT", "443", NULL
	};
	static const char *const junk[] = {
		"HTTP_HOST", "a b", "SERVER_NAME", "c\"d", NULL
	};
	struct json_object	*o;
	char			 out[8192];

	direct_get(env, params, "/.well-known/oauth-authorization-server", out,
	    sizeof(out));
	cr_assert_null(strstr(out, "evil"), "%s", out);
	o = direct_body(out);
	assert_metadata(o, "https://api.example");
	json_object_put(o);
	direct_get(env, junk, "/.well-known/oauth-authorization-server", out,
	    sizeof(out));
	cr_assert_not_null(strstr(out, "Status: 400"), "%s", out);
	cr_assert_null(strstr(out, "c\"d"), "%s", out);
}

/* wellknown loads no secret: without one it starts and answers. */
Test(oauth, wellknown_needs_no_secret)
{
	static const char *const env[] = {
		"JWT_SECRET", "", "JWT_SECRET_FILE", "", NULL
	};
	static const char *const params[] = { "HTTP_HOST", "x.example", NULL };
	char	 out[8192];

	direct_get(env, params, "/.well-known/jwks.json", out, sizeof(out));
	cr_assert_not_null(strstr(out, "Status: 200"), "%s", out);
}

Test(oauth, jwks_in_hs256_mode_is_an_empty_set)
{
	struct t_resp		 r;
	struct json_object	*keys;

	t_http("GET", "/.well-known/jwks.json", NULL, NULL, 0, &r);
	assert_public(&r);
	cr_assert_not_null(r.json, "%s", r.body);
	cr_assert_eq(json_object_object_length(r.json), 1, "%s", r.body);
	keys = t_json_path(r.json, "keys");
	cr_assert(json_object_is_type(keys, json_type_array), "%s", r.body);
	cr_assert_eq(json_object_array_length(keys), 0);
	t_resp_free(&r);
}

Test(oauth, well_known_documents_take_only_get)
{
	struct t_resp	 r;

	t_http("POST", "/.well-known/jwks.json", NULL, "", 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "GET, OPTIONS");
	t_resp_free(&r);
}
