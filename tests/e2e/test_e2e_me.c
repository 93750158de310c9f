/*
 * GET /api/auth/me (and bearer-token verification through it) and
 * POST /api/auth/password, end to end.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(me, .timeout = 60);

static void
get_me(const char *authorization, struct t_resp *r)
{
	const char	*h[2] = { authorization, NULL };

	t_http("GET", "/api/auth/me", authorization != NULL ? h : NULL, NULL,
	    0, r);
}

static void
assert_refused(const char *token)
{
	struct t_resp	 r;

	t_http_json("GET", "/api/auth/me", token, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(me, answers_the_callers_user_object)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "me");
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "id"), u.id);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	cr_assert_str_eq(t_resp_str(&r, "email"), u.email);
	cr_assert_str_eq(t_resp_str(&r, "employee_id"), u.employee_id);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Test User");
	cr_assert_str_eq(t_resp_str(&r, "status"), "active");
	t_resp_free(&r);
}

Test(me, ignores_a_query_string)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "meq");
	t_http_json("GET", "/api/auth/me?fields=all", u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(me, matches_the_bearer_scheme_ignoring_case)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 h[4200];

	t_make_user(&u, "mes");
	snprintf(h, sizeof(h), "Authorization: bearer %s", u.access);
	get_me(h, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(h, sizeof(h), "Authorization: BEARER %s", u.access);
	get_me(h, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(me, answers_a_bare_challenge_without_credentials)
{
	struct t_resp	 r;

	get_me(NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(me, answers_a_challenge_for_another_scheme)
{
	struct t_resp	 r;
	const char	*w;

	get_me("Authorization: Basic YWxpY2U6c2VjcmV0", &r);
	t_assert_error(&r, 401, "invalid_token");
	w = t_resp_header(&r, "WWW-Authenticate");
	cr_assert(w != NULL && strncmp(w, "Bearer realm=\"gatehouse\"", 24) == 0,
	    "WWW-Authenticate: %s", w != NULL ? w : "(none)");
	t_resp_free(&r);
}

Test(me, refuses_a_garbage_token)
{
	assert_refused("garbage");
	assert_refused("a.b.c");
	assert_refused("eyJhbGciOiJIUzI1NiJ9..");
}

Test(me, refuses_an_empty_bearer_token)
{
	struct t_resp	 r;

	get_me("Authorization: Bearer ", &r);
	t_assert_error(&r, 401, "invalid_token");
	cr_assert_not_null(t_resp_header(&r, "WWW-Authenticate"));
	t_resp_free(&r);
}

Test(me, refuses_a_token_with_a_changed_payload)
{
	struct t_user		 u;
	char			 bad[4096], *dot;

	/* Seed 000: a modified token gives 401. */
	t_make_user(&u, "mtp");
	snprintf(bad, sizeof(bad), "%s", u.access);
	dot = strchr(bad, '.');
	dot[5] = dot[5] == 'A' ? 'B' : 'A';
	assert_refused(bad);
}

Test(me, refuses_a_token_with_a_changed_signature)
{
	struct t_user		 u;
	char			 bad[4096];
	size_t			 n;

	t_make_user(&u, "mts");
	snprintf(bad, sizeof(bad), "%s", u.access);
	n = strlen(bad);
	bad[n - 3] = bad[n - 3] == 'A' ? 'B' : 'A';
	assert_refused(bad);
}

Test(me, refuses_a_token_signed_with_another_key)
{
	struct t_user		 u;
	struct json_object	*p;
	char			 bad[4096];

	t_make_user(&u, "mtk");
	p = t_jwt_part(u.access, 1);
	t_jwt_forge("HS256", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
	    "another-key-of-thirty-two-bytes-at-least", bad, sizeof(bad));
	json_object_put(p);
	assert_refused(bad);
}

Test(me, accepts_a_token_re_signed_with_the_stack_key)
{
	struct t_user		 u;
	char			 tok[4096];

	/* The forging below is right: unchanged claims still pass. */
	t_make_user(&u, "mok");
	t_jwt_resign(u.access, NULL, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 200);
}

Test(me, refuses_alg_none)
{
	struct t_user		 u;
	struct json_object	*p;
	char			 bad[4096];

	t_make_user(&u, "mnone");
	p = t_jwt_part(u.access, 1);
	t_jwt_forge("none", "{\"alg\":\"none\",\"typ\":\"JWT\"}",
	    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "",
	    bad, sizeof(bad));
	json_object_put(p);
	assert_refused(bad);
}

Test(me, refuses_another_algorithm_even_with_the_right_key)
{
	struct t_user		 u;
	struct json_object	*p;
	char			 bad[4096];

	t_make_user(&u, "mhs512");
	p = t_jwt_part(u.access, 1);
	t_jwt_forge("HS512", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
	    t_secret(), bad, sizeof(bad));
	json_object_put(p);
	assert_refused(bad);
}

static void
expire(struct json_object *p)
{
	json_object_object_add(p, "iat", json_object_new_int64(
	    (int64_t)time(NULL) - 3600));
	json_object_object_add(p, "exp", json_object_new_int64(
	    (int64_t)time(NULL) - 60));
}

static void
drop_exp(struct json_object *p)
{
	json_object_object_del(p, "exp");
}

static void
refresh_type(struct json_object *p)
{
	json_object_object_add(p, "type", json_object_new_string("refresh"));
}

static void
drop_type(struct json_object *p)
{
	json_object_object_del(p, "type");
}

static void
drop_sid(struct json_object *p)
{
	json_object_object_del(p, "sid");
}

static void
other_sid(struct json_object *p)
{
	json_object_object_add(p, "sid", json_object_new_string(
	    "00000000-0000-4000-8000-000000000000"));
}

static void
other_iss(struct json_object *p)
{
	json_object_object_add(p, "iss", json_object_new_string("evil"));
}

/* Edits of a valid token's claims, each breaking a rule, re-signed. */
static const struct edit {
	const char	*why;
	void		(*edit)(struct json_object *);
} edits[] = {
	{ "an expired token", expire },
	{ "a token without exp", drop_exp },
	{ "a token of another type", refresh_type },
	{ "a token without type", drop_type },
	{ "a token without sid", drop_sid },
	{ "a token of an unknown session", other_sid },
	{ "a token of another issuer", other_iss },
};

Test(me, refuses_a_re_signed_token_whose_claims_break_a_rule)
{
	struct t_user		 u;
	char			 bad[4096];
	size_t			 i;

	t_make_user(&u, "medit");
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		t_case("%s", edits[i].why);
		t_jwt_resign(u.access, edits[i].edit, bad, sizeof(bad));
		assert_refused(bad);
	}
	t_case(NULL);
	/* The token as issued still passes: each refusal was its edit's. */
	cr_assert_eq(t_me_status(u.access), 200);
}

static char	 victim_id[64];

static void
other_sub(struct json_object *p)
{
	json_object_object_add(p, "sub", json_object_new_string(victim_id));
}

Test(me, refuses_a_session_presented_for_another_user)
{
	struct t_user		 u, victim;
	char			 bad[4096];

	t_make_user(&u, "msub");
	t_register(&victim, "msubv");
	snprintf(victim_id, sizeof(victim_id), "%s", victim.id);
	t_jwt_resign(u.access, other_sub, bad, sizeof(bad));
	assert_refused(bad);
}

Test(me, refuses_the_token_of_a_suspended_user_at_once)
{
	struct t_user		 u;

	/* Only the row changes: the check is made on every request. */
	t_make_user(&u, "msus");
	t_sql("UPDATE users SET status = 'suspended' WHERE id = '%s'", u.id);
	assert_refused(u.access);
}

Test(me, refuses_the_token_of_a_suspended_user_via_the_cli)
{
	struct t_user		 u;
	const char		*argv[] = { "user", "suspend", NULL, NULL };

	t_make_user(&u, "mscli");
	argv[2] = u.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	assert_refused(u.access);
}

Test(me, refuses_the_token_of_a_deleted_user)
{
	struct t_user		 u;

	t_make_user(&u, "mdel");
	t_sql("DELETE FROM users WHERE id = '%s'", u.id);
	assert_refused(u.access);
}

Test(me, shows_a_role_change_at_once)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "mrole");
	t_sql("INSERT INTO user_roles (user_id, role) VALUES ('%s', 'admin')",
	    u.id);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(t_json_array_has(t_json_path(r.json, "roles"), "admin"),
	    "%s", r.body);
	t_resp_free(&r);
}

Test(me, answers_405_with_allow_for_post)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*allow;

	t_make_user(&u, "m405");
	t_http_json("POST", "/api/auth/me", u.access, "{}", &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "GET") != NULL &&
	    strstr(allow, "POST") == NULL, "Allow: %s", allow);
	t_resp_free(&r);
}

/* --- password -------------------------------------------------------- */

static void
change(const struct t_user *u, const char *current, const char *next,
    struct t_resp *r)
{
	t_http_jsonf("POST", "/api/auth/password", u->access, r,
	    "{\"current_password\": \"%s\", \"new_password\": \"%s\"}",
	    current, next);
}

Test(me, password_change_answers_204)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pw");
	change(&u, u.password, "New-Password-42", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_eq(r.len, 0);
	cr_assert_not_null(t_resp_header(&r, "X-Content-Type-Options"));
	t_resp_free(&r);
}

Test(me, password_change_makes_the_new_password_the_one)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[80];

	t_make_user(&u, "pwn");
	snprintf(old, sizeof(old), "%s", u.password);
	change(&u, u.password, "New-Password-42", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username, old);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	snprintf(u.password, sizeof(u.password), "New-Password-42");
	t_login(&u);
}

Test(me, password_change_keeps_the_callers_session)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pwk");
	change(&u, u.password, "New-Password-42", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
	t_refresh(&u);
	cr_assert_eq(t_me_status(u.access), 200);
}

Test(me, password_change_ends_every_other_session)
{
	struct t_user		 u, other;
	struct t_resp		 r;

	t_make_user(&u, "pwo");
	other = u;
	t_login(&other);
	change(&u, u.password, "New-Password-42", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(other.access), 401);
	cr_assert_eq(t_refresh_status(other.refresh), 401);
}

Test(me, password_change_answers_401_invalid_grant_for_a_wrong_current)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pww");
	change(&u, "Not-The-Password-1", "New-Password-42", &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
	t_login(&u);
}

Test(me, password_change_answers_422_for_a_short_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pws");
	change(&u, u.password, "Short-1", &r);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
	t_login(&u);
}

Test(me, password_change_answers_422_for_73_bytes)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 pw[74];

	t_make_user(&u, "pwl");
	memset(pw, 'q', 73);
	pw[73] = '\0';
	change(&u, u.password, pw, &r);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
}

Test(me, password_change_answers_422_for_the_username)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pwu");
	change(&u, u.password, u.username, &r);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
}

Test(me, password_change_answers_422_for_the_email)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pwe");
	change(&u, u.password, u.email, &r);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
}

Test(me, password_change_answers_400_without_the_new_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pwm");
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\"}", u.password);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(me, password_change_answers_400_without_the_current_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "pwc");
	t_http_json("POST", "/api/auth/password", u.access,
	    "{\"new_password\": \"New-Password-42\"}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(me, password_change_answers_a_challenge_without_a_token)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/password", NULL,
	    "{\"current_password\": \"a\", \"new_password\": \"b\"}", &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(me, password_change_answers_a_challenge_for_a_bad_token)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/password", "x.y.z",
	    "{\"current_password\": \"a\", \"new_password\": \"b\"}", &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(me, password_change_answers_415_for_a_form)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 auth[4200];
	const char		*h[3];
	const char		*form = "current_password=a&new_password=b";

	t_make_user(&u, "pwf");
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u.access);
	h[0] = "Content-Type: application/x-www-form-urlencoded";
	h[1] = auth;
	h[2] = NULL;
	t_http("POST", "/api/auth/password", h, form, strlen(form), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(me, password_change_answers_405_with_allow_for_get)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*allow;

	t_make_user(&u, "pw405");
	t_http_json("GET", "/api/auth/password", u.access, NULL, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "POST") != NULL);
	t_resp_free(&r);
}
