/*
 * POST /api/auth/register, end to end.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(register, .timeout = 60);

static void
post(struct t_resp *r, const char *body)
{
	t_http_json("POST", "/api/auth/register", NULL, body, r);
}

Test(register, answers_201_with_the_user_object)
{
	struct t_resp	 r;
	char		 name[80], body[512];

	snprintf(name, sizeof(name), "%s", t_unique("reg"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"email\": \"%s@example.com\", \"full_name\": "
	    "\"Alice Doe\", \"employee_id\": \"E-%s\", \"phone\": "
	    "\"+15551234\"}", name, name, name);
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "username"), name);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Alice Doe");
	cr_assert_str_eq(t_resp_str(&r, "phone"), "+15551234");
	cr_assert_str_eq(t_resp_str(&r, "status"), "active");
	cr_assert_not_null(strstr(t_resp_str(&r, "email"), "@example.com"));
	cr_assert_str_eq(t_resp_str(&r, "employee_id") + 2, name);
	t_resp_free(&r);
}

Test(register, gives_the_default_role_user_only)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*roles;

	t_make_user(&u, "role");
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	roles = t_json_path(r.json, "roles");
	cr_assert_eq(json_object_array_length(roles), 1, "%s", r.body);
	cr_assert(t_json_array_has(roles, "user"));
	t_resp_free(&r);
}

Test(register, stores_only_a_bcrypt_hash)
{
	struct t_user		 u;
	const char		*hash;

	t_register(&u, "hash");
	hash = t_sql("SELECT password_hash FROM users WHERE id = '%s'", u.id);
	cr_assert(strncmp(hash, "$2b$04$", 7) == 0, "hash %s", hash);
	cr_assert_null(strstr(hash, u.password));
}

Test(register, never_answers_with_the_password)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Visible-Secret-77\"}", t_unique("pw"));
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_null(strstr(r.body, "Visible-Secret-77"));
	cr_assert_null(strstr(r.body, "$2b$"));
	t_resp_free(&r);
}

Test(register, needs_only_username_and_password)
{
	struct t_resp		 r;
	struct json_object	*v;
	char			 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", t_unique("min"));
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_assert_user_object(r.json);
	/* Unset optional fields are null, not "" (contract-silent choice). */
	cr_assert(json_object_object_get_ex(r.json, "email", &v) && v == NULL,
	    "%s", r.body);
	cr_assert(json_object_object_get_ex(r.json, "employee_id", &v) &&
	    v == NULL, "%s", r.body);
	t_resp_free(&r);
}

Test(register, keeps_the_username_case)
{
	struct t_resp	 r;
	char		 name[80], body[256];

	snprintf(name, sizeof(name), "MiXed.%s", t_unique("Case_"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", name);
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "username"), name);
	t_resp_free(&r);
}

Test(register, accepts_json_with_a_charset)
{
	const char	*h[] = { "Content-Type: application/json; charset=utf-8",
	    NULL };
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", t_unique("cs"));
	t_http("POST", "/api/auth/register", h, body, strlen(body), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(register, ignores_fields_the_contract_does_not_name)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"client_id\": \"web\", \"scope\": \"x\", "
	    "\"favourite_colour\": 3}", t_unique("ign"));
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_null(t_json_path(r.json, "favourite_colour"));
	t_resp_free(&r);
}

Test(register, reads_null_optional_fields_as_unset)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"email\": null, \"phone\": null}",
	    t_unique("nul"));
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(register, refuses_a_role_field_with_422)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"role\": \"admin\"}", t_unique("r1"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "role");
	t_resp_free(&r);
}

Test(register, refuses_a_roles_field_with_422)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"roles\": [\"admin\"]}", t_unique("r2"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "roles");
	t_resp_free(&r);
}

Test(register, refuses_an_empty_roles_list_too)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"roles\": []}", t_unique("r3"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "roles");
	t_resp_free(&r);
}

Test(register, a_refused_role_creates_no_user)
{
	struct t_resp	 r;
	char		 name[80], body[256];

	snprintf(name, sizeof(name), "%s", t_unique("r4"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"role\": \"admin\"}", name);
	post(&r, body);
	cr_assert_eq(r.status, 422);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE username "
	    "= '%s'", name), "0");
}

Test(register, answers_409_for_a_taken_username)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 body[256];

	t_register(&u, "dup");
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", u.username);
	post(&r, body);
	t_assert_field_error(&r, 409, "conflict", "username");
	t_resp_free(&r);
}

Test(register, compares_usernames_ignoring_case)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 body[256], upper[80];
	size_t			 i;

	t_register(&u, "dupcase");
	for (i = 0; u.username[i] != '\0'; i++)
		upper[i] = (char)(u.username[i] >= 'a' && u.username[i] <= 'z' ?
		    u.username[i] - 32 : u.username[i]);
	upper[i] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", upper);
	post(&r, body);
	t_assert_field_error(&r, 409, "conflict", "username");
	t_resp_free(&r);
}

Test(register, answers_409_for_a_taken_email_ignoring_case)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 body[512], upper[160];
	size_t			 i;

	t_register(&u, "dupmail");
	for (i = 0; u.email[i] != '\0'; i++)
		upper[i] = (char)(u.email[i] >= 'a' && u.email[i] <= 'z' ?
		    u.email[i] - 32 : u.email[i]);
	upper[i] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"email\": \"%s\"}", t_unique("other"), upper);
	post(&r, body);
	t_assert_field_error(&r, 409, "conflict", "email");
	t_resp_free(&r);
}

Test(register, answers_409_for_a_taken_employee_id)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 body[512];

	t_register(&u, "dupemp");
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"employee_id\": \"%s\"}", t_unique("other"),
	    u.employee_id);
	post(&r, body);
	t_assert_field_error(&r, 409, "conflict", "employee_id");
	t_resp_free(&r);
}

Test(register, accepts_usernames_of_3_and_64_characters)
{
	struct t_resp	 r;
	char		 name[80], body[256];

	/* 3 characters cannot be unique per run: accept 201 or 409. */
	post(&r, "{\"username\": \"a.b\", \"password\": \"Secret-Pass1\"}");
	cr_assert(r.status == 201 || r.status == 409, "%ld %s", r.status,
	    r.body);
	t_resp_free(&r);
	snprintf(name, sizeof(name), "%s", t_unique("L64-"));
	memset(name + strlen(name), 'x', 64 - strlen(name));
	name[64] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", name);
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(register, refuses_a_username_of_2_characters)
{
	struct t_resp	 r;

	post(&r, "{\"username\": \"ab\", \"password\": \"Secret-Pass1\"}");
	t_assert_field_error(&r, 422, "validation_failed", "username");
	t_resp_free(&r);
}

Test(register, refuses_a_username_of_65_characters)
{
	struct t_resp	 r;
	char		 name[80], body[256];

	snprintf(name, sizeof(name), "%s", t_unique("L65-"));
	memset(name + strlen(name), 'x', 65 - strlen(name));
	name[65] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", name);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "username");
	t_resp_free(&r);
}

Test(register, refuses_a_username_with_other_characters)
{
	static const char	*bad[] = { "with space", "semi;colon",
	    "sl/ash", "at@sign", "\\u00e9t\\u00e9" };
	struct t_resp		 r;
	char			 body[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"username\": \"%s%s\", "
		    "\"password\": \"Secret-Pass1\"}", bad[i],
		    t_unique("x"));
		post(&r, body);
		t_assert_field_error(&r, 422, "validation_failed", "username");
		t_resp_free(&r);
	}
}

Test(register, refuses_an_email_that_is_not_an_address)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"email\": \"not-an-address\"}",
	    t_unique("em"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "email");
	t_resp_free(&r);
}

Test(register, refuses_a_full_name_over_200_characters)
{
	struct t_resp	 r;
	char		 name[202], body[512];

	memset(name, 'n', 201);
	name[201] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"full_name\": \"%s\"}", t_unique("fn"), name);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "full_name");
	t_resp_free(&r);
}

Test(register, refuses_a_phone_over_32_characters)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"phone\": \"+1555123456789012345678901234567"
	    "89\"}", t_unique("ph"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "phone");
	t_resp_free(&r);
}

Test(register, refuses_an_employee_id_over_64_characters)
{
	struct t_resp	 r;
	char		 id[66], body[256];

	memset(id, '7', 65);
	id[65] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\", \"employee_id\": \"%s\"}", t_unique("eid"), id);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "employee_id");
	t_resp_free(&r);
}

Test(register, names_every_bad_field_at_once)
{
	struct t_resp	 r;

	post(&r, "{\"username\": \"a b\", \"password\": \"Secret-Pass1\", "
	    "\"email\": \"nope\"}");
	t_assert_field_error(&r, 422, "validation_failed", "username");
	t_assert_field_error(&r, 422, "validation_failed", "email");
	t_resp_free(&r);
}

Test(register, refuses_a_password_under_8_characters)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Short-1\"}", t_unique("pw7"));
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(register, accepts_a_password_of_8_characters)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Eight-88\"}", t_unique("pw8"));
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(register, accepts_a_password_of_72_bytes)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 pw[73], body[512];

	memset(pw, 'p', 72);
	pw[72] = '\0';
	snprintf(u.username, sizeof(u.username), "%s", t_unique("pw72"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", u.username, pw);
	post(&r, body);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(u.password, sizeof(u.password), "%s", pw);
	t_login(&u);
}

Test(register, refuses_a_password_of_73_bytes)
{
	struct t_resp	 r;
	char		 pw[74], body[512];

	memset(pw, 'p', 73);
	pw[73] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", t_unique("pw73"), pw);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(register, counts_the_72_byte_limit_in_utf8_bytes)
{
	struct t_resp	 r;
	char		 pw[128], body[512];
	size_t		 i;

	/* 37 characters, 74 bytes: over bcrypt's limit though short. */
	for (i = 0; i < 37; i++)
		memcpy(pw + 2 * i, "\xc3\xa9", 2);
	pw[74] = '\0';
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", t_unique("pwu"), pw);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(register, refuses_a_password_equal_to_the_username)
{
	struct t_resp	 r;
	char		 name[80], body[256];

	snprintf(name, sizeof(name), "%s", t_unique("same"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", name, name);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

Test(register, refuses_a_password_equal_to_the_email)
{
	struct t_resp	 r;
	char		 mail[120], body[512];

	snprintf(mail, sizeof(mail), "%s@example.com", t_unique("same"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\", \"email\": \"%s\"}", t_unique("u"), mail, mail);
	post(&r, body);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
}

/*
 * Bodies that are no registration at all, each answered 400: the names
 * in them are fixed, as none of them may ever make a user.
 */
static const struct malformed {
	const char	*why, *body;
} malformed[] = {
	{ "no username", "{\"password\": \"Secret-Pass1\"}" },
	{ "no password", "{\"username\": \"r400nopass\"}" },
	{ "an empty body", "" },
	{ "a username of the wrong type",
	    "{\"username\": 12345, \"password\": \"Secret-Pass1\"}" },
	{ "an optional field of the wrong type",
	    "{\"username\": \"r400type\", \"password\": \"Secret-Pass1\", "
	    "\"email\": [\"a@example.com\"]}" },
	{ "malformed JSON", "{\"username\": \"abc\", \"password\": " },
	{ "JSON that is not an object", "[\"username\", \"password\"]" },
	{ "data after the object",
	    "{\"username\": \"r400trail\", \"password\": \"Secret-Pass1\"} "
	    "{}" },
	{ "invalid UTF-8",
	    "{\"username\": \"r400utf\", \"password\": "
	    "\"Secret-\xff\xfe-Pass1\"}" },
};

Test(register, answers_400_for_a_body_that_is_no_registration)
{
	struct t_resp	 r;
	size_t		 i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		t_case("%s", malformed[i].why);
		post(&r, malformed[i].body);
		t_assert_error(&r, 400, "invalid_request");
		t_resp_free(&r);
	}
}

Test(register, answers_400_for_a_string_with_a_nul)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "{\"username\": \"%s\\u0000x\", "
	    "\"password\": \"Secret-Pass1\"}", t_unique("nul"));
	post(&r, body);
	cr_assert(r.status == 400 || r.status == 422, "%ld %s", r.status,
	    r.body);
	t_assert_error(&r, r.status, NULL);
	t_resp_free(&r);
}

Test(register, answers_400_for_deeply_nested_json)
{
	struct t_resp	 r;
	char		 body[4096];
	size_t		 n = 0, i;

	n += (size_t)snprintf(body, sizeof(body), "{\"username\": \"%s\", "
	    "\"password\": \"Secret-Pass1\", \"x\": ", t_unique("deep"));
	for (i = 0; i < 1000; i++)
		body[n++] = '[';
	for (i = 0; i < 1000; i++)
		body[n++] = ']';
	body[n++] = '}';
	body[n] = '\0';
	post(&r, body);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(register, answers_415_for_a_form)
{
	struct t_resp	 r;
	char		 body[256];

	snprintf(body, sizeof(body), "username=%s&password=Secret-Pass1",
	    t_unique("form"));
	t_http_form("/api/auth/register", body, &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(register, answers_405_with_allow_for_get)
{
	struct t_resp	 r;
	const char	*allow;

	t_http("GET", "/api/auth/register", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert_not_null(allow);
	cr_assert_not_null(strstr(allow, "POST"), "Allow: %s", allow);
	t_resp_free(&r);
}
