/*
 * A user's change of their own profile, end to end: PATCH /api/auth/me
 * takes full_name, phone and email (application/json or
 * application/merge-patch+json), checked as registration checks them;
 * any other field is a 422 naming it; a taken email is a 409; a new
 * email is unverified (read from the database: the user object gains
 * email_verified with the recovery work of issue 16).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(profile, .timeout = 120);

#define ACCESS		"__Host-gh_access"
#define CSRF		"__Host-gh_csrf"
#define CSRF_VALUE	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* PATCH /api/auth/me as token with body (application/json). */
static void
patch(const char *token, const char *body, struct t_resp *r)
{
	t_http_json("PATCH", "/api/auth/me", token, body, r);
}

static const char *
verified(const struct t_user *u)
{
	return t_sql("SELECT email_verified FROM users WHERE id = '%s'",
	    u->id);
}

Test(profile, full_name_phone_and_email_change)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 body[512], email[200];

	t_make_user(&u, "prf");
	snprintf(email, sizeof(email), "new.%s", u.email);
	snprintf(body, sizeof(body), "{\"full_name\": \"Ada L\\u00f6we\", "
	    "\"phone\": \"+44 20 7946 0000\", \"email\": \"%s\"}", email);
	patch(u.access, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Ada L\xc3\xb6we");
	cr_assert_str_eq(t_resp_str(&r, "phone"), "+44 20 7946 0000");
	cr_assert_str_eq(t_resp_str(&r, "email"), email);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
	/* /me shows it at once. */
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Ada L\xc3\xb6we");
	cr_assert_str_eq(t_resp_str(&r, "email"), email);
	t_resp_free(&r);
	/* Only what is given changes; null clears. */
	patch(u.access, "{\"phone\": null}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_null(t_json_path(r.json, "phone"), "%s", r.body);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Ada L\xc3\xb6we");
	t_resp_free(&r);
	/* An empty patch changes nothing and answers the user. */
	patch(u.access, "{}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "email"), email);
	t_resp_free(&r);
}

Test(profile, other_fields_are_422_naming_them)
{
	static const char *const fields[] = { "username", "roles", "role",
	    "status", "password", "email_verified", "id", "employee_id",
	    "created_at", "nonsense" };
	struct t_user	 u;
	struct t_resp	 r;
	char		 body[256];
	size_t		 i;

	t_make_user(&u, "prf");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		t_case("%s", fields[i]);
		snprintf(body, sizeof(body), "{\"full_name\": \"X\", "
		    "\"%s\": \"admin\"}", fields[i]);
		patch(u.access, body, &r);
		t_assert_field_error(&r, 422, "validation_failed", fields[i]);
		t_resp_free(&r);
	}
	t_case(NULL);
	/* Nothing of a refused patch was applied. */
	cr_assert_str_eq(t_sql("SELECT full_name FROM users WHERE id = '%s'",
	    u.id), "Test User");
	cr_assert_str_eq(t_sql("SELECT string_agg(role, ',') FROM user_roles "
	    "WHERE user_id = '%s'", u.id), "user");
}

Test(profile, bad_values_are_refused_as_at_registration)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 body[512], name[260];

	t_make_user(&u, "prf");
	patch(u.access, "{\"email\": \"not-an-address\"}", &r);
	t_assert_field_error(&r, 422, "validation_failed", "email");
	t_resp_free(&r);
	memset(name, 'n', 201);
	name[201] = '\0';
	snprintf(body, sizeof(body), "{\"full_name\": \"%s\"}", name);
	patch(u.access, body, &r);
	t_assert_field_error(&r, 422, "validation_failed", "full_name");
	t_resp_free(&r);
	patch(u.access, "{\"phone\": 12345}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	patch(u.access, "[1]", &r);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT email FROM users WHERE id = '%s'",
	    u.id), u.email);
}

Test(profile, a_taken_email_is_409)
{
	struct t_user	 u, v;
	struct t_resp	 r;
	char		 body[256];

	t_make_user(&u, "prf");
	t_make_user(&v, "prf");
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", v.email);
	/* Another case of it is the same address. */
	body[11] = (char)(body[11] - 'a' + 'A');
	patch(u.access, body, &r);
	t_assert_field_error(&r, 409, "conflict", "email");
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT email FROM users WHERE id = '%s'",
	    u.id), u.email);
}

Test(profile, a_new_email_is_unverified)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 body[256];

	t_make_user(&u, "prf");
	t_sql("UPDATE users SET email_verified = true WHERE id = '%s'", u.id);
	/* The same address in capitals: still the confirmed one. */
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", u.email);
	body[11] = (char)(body[11] - 'a' + 'A');
	patch(u.access, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(verified(&u), "t");
	snprintf(body, sizeof(body), "{\"email\": \"other.%s\"}", u.email);
	patch(u.access, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(verified(&u), "f");
	/* A change of the name alone leaves the flag as it is. */
	t_sql("UPDATE users SET email_verified = true WHERE id = '%s'", u.id);
	patch(u.access, "{\"full_name\": \"Someone\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(verified(&u), "t");
}

Test(profile, merge_patch_json_is_taken_other_types_are_not)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 auth[4200];
	const char	*merge[] = { auth,
			    "Content-Type: application/merge-patch+json", NULL };
	const char	*text[] = { auth, "Content-Type: text/plain", NULL };
	const char	*body = "{\"full_name\": \"Merged\"}";

	t_make_user(&u, "prf");
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u.access);
	t_http("PATCH", "/api/auth/me", merge, body, strlen(body), &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Merged");
	t_resp_free(&r);
	t_http("PATCH", "/api/auth/me", text, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(profile, only_a_live_session_changes_anything)
{
	struct t_user	 u;
	struct t_resp	 r;

	patch(NULL, "{\"full_name\": \"X\"}", &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
	t_make_user(&u, "prf");
	t_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	patch(u.access, "{\"full_name\": \"X\"}", &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT full_name FROM users WHERE id = '%s'",
	    u.id), "Test User");
}

Test(profile, a_patch_by_cookie_needs_the_csrf_header)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 cookie[4400];
	const char	*bare[] = { cookie, "Content-Type: application/json",
			    NULL };
	const char	*proved[] = { cookie, "Content-Type: application/json",
			    "X-CSRF-Token: " CSRF_VALUE, NULL };
	const char	*body = "{\"full_name\": \"By Cookie\"}";

	t_make_user(&u, "prf");
	snprintf(cookie, sizeof(cookie), "Cookie: " ACCESS "=%s; " CSRF "="
	    CSRF_VALUE, u.access);
	t_http("PATCH", "/api/auth/me", bare, body, strlen(body), &r);
	t_assert_error(&r, 403, "csrf_failed");
	t_resp_free(&r);
	t_http("PATCH", "/api/auth/me", proved, body, strlen(body), &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT full_name FROM users WHERE id = '%s'",
	    u.id), "By Cookie");
}

Test(profile, the_methods_of_me_are_listed)
{
	struct t_resp	 r;

	t_http("OPTIONS", "/api/auth/me", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 204, "%ld", r.status);
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "GET, PATCH, OPTIONS");
	t_resp_free(&r);
	t_http("PUT", "/api/auth/me", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "GET, PATCH, OPTIONS");
	t_resp_free(&r);
}
