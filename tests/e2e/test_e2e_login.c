/*
 * POST /api/auth/login, end to end (bcrypt_cost 8: test_e2e_login.conf).
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(login, .timeout = 90);

static void
login_json(struct t_resp *r, const char *field, const char *id,
    const char *password)
{
	t_http_jsonf("POST", "/api/auth/login", NULL, r,
	    "{\"%s\": \"%s\", \"password\": \"%s\"}", field, id, password);
}

static void
assert_token_pair(const struct t_resp *r)
{
	const char		*cc;
	struct json_object	*v;

	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	t_assert_json_type(r);
	cr_assert_not_null(t_resp_str(r, "access_token"), "%s", r->body);
	cr_assert_not_null(t_resp_str(r, "refresh_token"), "%s", r->body);
	cr_assert_str_eq(t_resp_str(r, "token_type"), "bearer");
	v = t_json_path(r->json, "expires_in");
	cr_assert(v != NULL && json_object_is_type(v, json_type_int),
	    "expires_in: %s", r->body);
	cr_assert_eq(json_object_get_int(v), 900);
	cc = t_resp_header(r, "Cache-Control");
	cr_assert(cc != NULL && strstr(cc, "no-store") != NULL,
	    "Cache-Control: %s", cc != NULL ? cc : "(none)");
}

Test(login, answers_a_token_pair_for_username_and_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "li");
	login_json(&r, "username", u.username, u.password);
	assert_token_pair(&r);
	cr_assert_eq(t_me_status(t_resp_str(&r, "access_token")), 200);
	t_resp_free(&r);
}

Test(login, accepts_the_email_as_identifier)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "lm");
	login_json(&r, "email", u.email, u.password);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, accepts_the_employee_id_as_identifier)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "le");
	login_json(&r, "employee_id", u.employee_id, u.password);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, matches_the_username_ignoring_case)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 upper[80];
	size_t			 i;

	t_register(&u, "lcase");
	for (i = 0; u.username[i] != '\0'; i++)
		upper[i] = (char)(u.username[i] >= 'a' && u.username[i] <= 'z' ?
		    u.username[i] - 32 : u.username[i]);
	upper[i] = '\0';
	login_json(&r, "username", upper, u.password);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, matches_the_email_ignoring_case)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 upper[160];
	size_t			 i;

	t_register(&u, "lecase");
	for (i = 0; u.email[i] != '\0'; i++)
		upper[i] = (char)(u.email[i] >= 'a' && u.email[i] <= 'z' ?
		    u.email[i] - 32 : u.email[i]);
	upper[i] = '\0';
	login_json(&r, "email", upper, u.password);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, accepts_the_oauth2_password_grant_form)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[256];

	t_register(&u, "lf");
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s", u.username, u.password);
	t_http_form("/api/auth/login", form, &r);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, ignores_client_id_and_scope_in_the_form)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[256];

	t_register(&u, "lfc");
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s&client_id=swagger&scope=openid+profile", u.username,
	    u.password);
	t_http_form("/api/auth/login", form, &r);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, decodes_percent_and_plus_in_the_form)
{
	struct t_resp	 r;
	char		 name[80], body[256], form[256];

	snprintf(name, sizeof(name), "%s", t_unique("lpe"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"P&ss w+rd%%1=\"}", name);
	t_http_json("POST", "/api/auth/register", NULL, body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=P%%26ss+w%%2Brd%%251%%3D", name);
	t_http_form("/api/auth/login", form, &r);
	assert_token_pair(&r);
	t_resp_free(&r);
}

Test(login, refuses_another_grant_type_in_the_form_with_400)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[256];
	const char		*code;

	t_register(&u, "lgt");
	snprintf(form, sizeof(form), "grant_type=client_credentials&"
	    "username=%s&password=%s", u.username, u.password);
	t_http_form("/api/auth/login", form, &r);
	t_assert_error(&r, 400, NULL);
	code = t_resp_str(&r, "error");
	cr_assert(strcmp(code, "invalid_request") == 0 ||
	    strcmp(code, "unsupported_grant_type") == 0, "error %s", code);
	t_resp_free(&r);
}

Test(login, answers_400_for_a_malformed_form)
{
	struct t_resp	 r;

	t_http_form("/api/auth/login", "grant_type=password&username=%zz&"
	    "password=x%", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_401_invalid_grant_for_a_wrong_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "lw");
	login_json(&r, "username", u.username, "Wrong-Password-1");
	t_assert_grant_401(&r);
	cr_assert_null(t_resp_str(&r, "access_token"));
	t_resp_free(&r);
}

Test(login, answers_401_invalid_grant_for_an_unknown_user)
{
	struct t_resp	 r;

	login_json(&r, "username", t_unique("nobody"), "Some-Password-1");
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(login, answers_401_invalid_grant_for_an_unknown_email)
{
	struct t_resp	 r;
	char		 mail[120];

	snprintf(mail, sizeof(mail), "%s@example.com", t_unique("nobody"));
	login_json(&r, "email", mail, "Some-Password-1");
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(login, answers_401_invalid_grant_for_a_suspended_user)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*argv[] = { "user", "suspend", NULL, NULL };

	t_register(&u, "ls");
	argv[2] = u.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	login_json(&r, "username", u.username, u.password);
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(login, answers_the_three_failures_alike)
{
	struct t_user		 a, s;
	struct t_resp		 wrong, unknown, suspended;
	const char		*argv[] = { "user", "suspend", NULL, NULL };

	t_register(&a, "la");
	t_register(&s, "las");
	argv[2] = s.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	login_json(&wrong, "username", a.username, "Wrong-Password-1");
	login_json(&unknown, "username", t_unique("nobody"), a.password);
	login_json(&suspended, "username", s.username, s.password);
	cr_assert_eq(wrong.status, 401);
	cr_assert_str_eq(wrong.body, unknown.body);
	cr_assert_str_eq(wrong.body, suspended.body);
	cr_assert_eq(unknown.status, 401);
	cr_assert_eq(suspended.status, 401);
	t_resp_free(&wrong);
	t_resp_free(&unknown);
	t_resp_free(&suspended);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

Test(login, takes_about_as_long_for_an_unknown_user_as_a_wrong_password)
{
	struct t_user		 u;
	struct t_resp		 r;
	double			 wrong[9], unknown[9];
	size_t			 i;

	t_register(&u, "lt");
	for (i = 0; i < 9; i++) {
		login_json(&r, "username", u.username, "Wrong-Password-1");
		cr_assert_eq(r.status, 401);
		wrong[i] = r.seconds;
		t_resp_free(&r);
		login_json(&r, "username", t_unique("nobody"),
		    "Wrong-Password-1");
		cr_assert_eq(r.status, 401);
		unknown[i] = r.seconds;
		t_resp_free(&r);
	}
	qsort(wrong, 9, sizeof(double), cmp_double);
	qsort(unknown, 9, sizeof(double), cmp_double);
	/* At cost 8 a verification is milliseconds; a skipped one is not. */
	cr_assert_geq(unknown[4], wrong[4] * 0.5,
	    "median %.2f ms for an unknown user, %.2f ms for a wrong password",
	    unknown[4] * 1000, wrong[4] * 1000);
}

Test(login, answers_400_without_a_password)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "lnp");
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\"}", u.username);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_400_without_an_identifier)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/login", NULL,
	    "{\"password\": \"Some-Password-1\"}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_400_for_an_empty_object)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/login", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_400_for_a_form_without_a_password)
{
	struct t_resp	 r;

	t_http_form("/api/auth/login", "grant_type=password&username=abc",
	    &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_400_for_a_password_of_the_wrong_type)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "lpt");
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": 12345678}", u.username);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_400_for_malformed_json)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/login", NULL, "{\"username\": ", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(login, answers_405_with_allow_for_get)
{
	struct t_resp	 r;
	const char	*allow;

	t_http("GET", "/api/auth/login", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "POST") != NULL);
	t_resp_free(&r);
}

Test(login, issues_an_access_token_with_the_contract_claims)
{
	struct t_user		 u;
	struct json_object	*h, *p, *v;
	int64_t			 iat, exp;

	t_make_user(&u, "lc");
	cr_assert_not_null(h = t_jwt_part(u.access, 0));
	cr_assert_not_null(p = t_jwt_part(u.access, 1));
	cr_assert_str_eq(json_object_get_string(t_json_path(h, "alg")),
	    "HS256");
	cr_assert_str_eq(json_object_get_string(t_json_path(p, "iss")),
	    "gatehouse");
	cr_assert_str_eq(json_object_get_string(t_json_path(p, "sub")), u.id);
	cr_assert_str_eq(json_object_get_string(t_json_path(p, "username")),
	    u.username);
	cr_assert_str_eq(json_object_get_string(t_json_path(p,
	    "employee_id")), u.employee_id);
	cr_assert_str_eq(json_object_get_string(t_json_path(p, "type")),
	    "access");
	cr_assert(t_is_uuid(json_object_get_string(t_json_path(p, "sid"))));
	cr_assert_not_null(v = t_json_path(p, "jti"));
	cr_assert_gt(json_object_get_string_len(v), 0);
	cr_assert(t_json_array_has(t_json_path(p, "roles"), "user"));
	cr_assert(json_object_is_type(t_json_path(p, "iat"), json_type_int));
	cr_assert(json_object_is_type(t_json_path(p, "exp"), json_type_int));
	iat = json_object_get_int64(t_json_path(p, "iat"));
	exp = json_object_get_int64(t_json_path(p, "exp"));
	cr_assert_eq(exp - iat, 900);
	cr_assert_null(t_json_path(p, "aud"));
	json_object_put(h);
	json_object_put(p);
}

Test(login, leaves_employee_id_out_of_the_token_when_unset)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*p;

	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("lne"));
	snprintf(u.password, sizeof(u.password), "Secret-Pass1");
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	cr_assert_eq(r.status, 201);
	t_resp_free(&r);
	t_login(&u);
	cr_assert_not_null(p = t_jwt_part(u.access, 1));
	cr_assert_null(t_json_path(p, "employee_id"));
	json_object_put(p);
}

Test(login, issues_an_opaque_refresh_token_of_256_bits)
{
	struct t_user		 u;
	size_t			 i;

	t_make_user(&u, "lr");
	/* 32 bytes of base64url are 43 characters. */
	cr_assert_geq(strlen(u.refresh), 43, "refresh token %s", u.refresh);
	for (i = 0; u.refresh[i] != '\0'; i++)
		cr_assert(u.refresh[i] > ' ' && u.refresh[i] < 127);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM refresh_tokens t JOIN "
	    "sessions s ON s.id = t.session_id WHERE s.user_id = '%s'", u.id),
	    "1");
	cr_assert_str_eq(t_sql("SELECT count(*) FROM refresh_tokens WHERE "
	    "encode(token_hash, 'escape') LIKE '%%%s%%'", u.refresh), "0");
}

Test(login, starts_a_new_session_each_time)
{
	struct t_user		 u;
	struct json_object	*p1, *p2;
	char			 first[4096];

	t_make_user(&u, "lss");
	snprintf(first, sizeof(first), "%s", u.access);
	t_login(&u);
	p1 = t_jwt_part(first, 1);
	p2 = t_jwt_part(u.access, 1);
	cr_assert_str_neq(json_object_get_string(t_json_path(p1, "sid")),
	    json_object_get_string(t_json_path(p2, "sid")));
	cr_assert_eq(t_me_status(first), 200);
	cr_assert_eq(t_me_status(u.access), 200);
	json_object_put(p1);
	json_object_put(p2);
}

Test(login, rehashes_a_hash_of_an_older_cost)
{
	struct t_user		 u;
	struct crypt_data	*cd;
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;

	t_register(&u, "lrh");
	cr_assert_not_null(cd = calloc(1, sizeof(*cd)));
	cr_assert_not_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt,
	    sizeof(salt)));
	cr_assert_not_null(h = crypt_rn(u.password, salt, cd, sizeof(*cd)));
	cr_assert_eq(strncmp(h, "$2b$04$", 7), 0);
	t_sql("UPDATE users SET password_hash = '%s' WHERE id = '%s'", h,
	    u.id);
	free(cd);
	t_login(&u);
	h = t_sql("SELECT password_hash FROM users WHERE id = '%s'", u.id);
	cr_assert_eq(strncmp(h, "$2b$08$", 7), 0, "hash after login: %.7s", h);
	t_login(&u);
}

Test(login, keeps_the_hash_when_the_password_is_wrong)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 before[128];

	t_register(&u, "lkh");
	snprintf(before, sizeof(before), "%s", t_sql("SELECT password_hash "
	    "FROM users WHERE id = '%s'", u.id));
	login_json(&r, "username", u.username, "Wrong-Password-1");
	cr_assert_eq(r.status, 401);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT password_hash FROM users WHERE id = "
	    "'%s'", u.id), before);
}
