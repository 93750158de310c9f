/*
 * Settings that change behaviour, end to end (test_e2e_closed.conf):
 * registration closed, password classes required with a minimum of 10,
 * a configured issuer and audience, 5-minute access tokens.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(closed, .timeout = 60);

#define ISSUER		"https://auth.example.com"
#define AUDIENCE	"gatehouse-tests"

Test(closed, registration_answers_403)
{
	struct t_resp	 r;
	char		 name[80];

	snprintf(name, sizeof(name), "%s", t_unique("cl"));
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass12\"}", name);
	t_assert_error(&r, 403, NULL);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE username = "
	    "'%s'", name), "0");
}

Test(closed, the_sign_up_page_answers_403)
{
	struct t_resp	 r;
	char		 name[80], form[256];

	t_http("GET", "/auth/register", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_not_null(strstr(r.body, "Registration is closed"));
	t_resp_free(&r);
	snprintf(name, sizeof(name), "%s", t_unique("clp"));
	snprintf(form, sizeof(form), "username=%s&password=Secret-Pass12",
	    name);
	t_http("POST", "/auth/register", (const char *const[]){
	    "Content-Type: application/x-www-form-urlencoded", NULL }, form,
	    strlen(form), &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE username = "
	    "'%s'", name), "0");
}

Test(closed, the_sign_in_page_offers_no_sign_up)
{
	struct t_resp	 r;

	t_http("GET", "/auth/login", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_null(strstr(r.body, "/auth/register"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "/auth/forgot"));
	t_resp_free(&r);
}

Test(closed, an_admin_can_still_create_users)
{
	struct t_user		 a, u;
	struct t_resp		 r;

	t_make_admin(&a, "cla");
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("clu"));
	snprintf(u.password, sizeof(u.password), "Secret-Pass12");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_login(&u);
}

static long
create_with_password(const char *password, struct t_resp *r)
{
	struct t_user		 a;

	t_make_admin(&a, "clp");
	t_http_jsonf("POST", "/api/admin/users", a.access, r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", t_unique("clpw"),
	    password);
	return r->status;
}

Test(closed, a_password_without_a_digit_answers_422)
{
	struct t_resp	 r;

	create_with_password("No-Digits-Here", &r);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(closed, a_password_without_an_upper_case_letter_answers_422)
{
	struct t_resp	 r;

	create_with_password("lower-case-123", &r);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(closed, a_password_without_a_lower_case_letter_answers_422)
{
	struct t_resp	 r;

	create_with_password("UPPER-CASE-123", &r);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(closed, a_password_under_the_configured_minimum_answers_422)
{
	struct t_resp	 r;

	create_with_password("Short-Pw9", &r);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(closed, a_password_with_every_class_is_accepted)
{
	struct t_resp	 r;

	cr_assert_eq(create_with_password("Every-Class-9", &r), 201, "%s",
	    r.body);
	t_resp_free(&r);
}

Test(closed, a_password_change_follows_the_policy_too)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "clch");
	t_http_jsonf("POST", "/api/auth/password", a.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": "
	    "\"alllowercase1\"}", a.password);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
}

Test(closed, tokens_carry_the_configured_issuer_audience_and_lifetime)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*p, *aud;

	t_make_admin(&a, "cltok");
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", a.username,
	    a.password);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(json_object_get_int(t_json_path(r.json, "expires_in")),
	    300);
	cr_assert_not_null(p = t_jwt_part(t_resp_str(&r, "access_token"),
	    1));
	cr_assert_str_eq(json_object_get_string(t_json_path(p, "iss")),
	    ISSUER);
	aud = t_json_path(p, "aud");
	cr_assert_not_null(aud);
	cr_assert(json_object_is_type(aud, json_type_string) ?
	    strcmp(json_object_get_string(aud), AUDIENCE) == 0 :
	    t_json_array_has(aud, AUDIENCE), "aud %s",
	    json_object_to_json_string(aud));
	cr_assert_eq(json_object_get_int64(t_json_path(p, "exp")) -
	    json_object_get_int64(t_json_path(p, "iat")), 300);
	json_object_put(p);
	t_resp_free(&r);
}

static void
drop_aud(struct json_object *p)
{
	json_object_object_del(p, "aud");
}

static void
other_aud(struct json_object *p)
{
	json_object_object_add(p, "aud", json_object_new_string("elsewhere"));
}

static void
default_iss(struct json_object *p)
{
	json_object_object_add(p, "iss", json_object_new_string("gatehouse"));
}

Test(closed, a_token_without_the_audience_is_refused)
{
	struct t_user		 a;
	char			 tok[4096];

	t_make_admin(&a, "clna");
	t_jwt_resign(a.access, NULL, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 200);
	t_jwt_resign(a.access, drop_aud, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 401);
}

Test(closed, a_token_for_another_audience_is_refused)
{
	struct t_user		 a;
	char			 tok[4096];

	t_make_admin(&a, "clwa");
	t_jwt_resign(a.access, other_aud, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 401);
}

Test(closed, a_token_of_the_default_issuer_is_refused)
{
	struct t_user		 a;
	char			 tok[4096];

	t_make_admin(&a, "clwi");
	t_jwt_resign(a.access, default_iss, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 401);
}
