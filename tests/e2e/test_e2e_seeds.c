/*
 * The seeds' own test flows (../shared/seeds), end to end, each as one
 * story.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(seeds, .timeout = 60);

/*
 * Seed 000 ("Test Flow (Mandatory)"): create a user manually, log in with
 * employee_id and password, /me works, a modified token gives 401, a
 * deactivated user gives 401.
 */
Test(seeds, seed_000_manual_user_login_me_tamper_deactivate)
{
	struct t_user		 u;
	struct t_resp		 r;
	const char		*add[] = { "user", "add", NULL, "--employee-id",
	    NULL, "--full-name", "Manual Person", NULL };
	const char		*suspend[] = { "user", "suspend", NULL, NULL };
	char			 stdin_pw[100], bad[4096], *dot;

	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("s000-"));
	snprintf(u.employee_id, sizeof(u.employee_id), "%s", t_unique("E"));
	snprintf(u.password, sizeof(u.password), "Manual-Pass-1");
	add[2] = u.username;
	add[4] = u.employee_id;
	snprintf(stdin_pw, sizeof(stdin_pw), "%s\n", u.password);
	cr_assert_eq(t_cli(add, stdin_pw), 0);

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"employee_id\": \"%s\", \"password\": \"%s\"}", u.employee_id,
	    u.password);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	snprintf(u.access, sizeof(u.access), "%s",
	    t_resp_str(&r, "access_token"));
	t_resp_free(&r);

	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "employee_id"), u.employee_id);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Manual Person");
	t_resp_free(&r);

	snprintf(bad, sizeof(bad), "%s", u.access);
	dot = strrchr(bad, '.');
	dot[-2] = dot[-2] == 'x' ? 'y' : 'x';
	t_http_json("GET", "/api/auth/me", bad, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);

	suspend[2] = u.username;
	cr_assert_eq(t_cli(suspend, NULL), 0);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

/*
 * Seed 001: register, log in; a user's token on the admin dashboard gives
 * 403, an admin's gives 200 {"message": "Welcome admin"}.
 */
Test(seeds, seed_001_rbac_dashboard)
{
	struct t_user		 u, a;
	struct t_resp		 r;

	t_make_user(&u, "s001u-");
	t_http_json("GET", "/api/admin/dashboard", u.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);

	t_make_admin(&a, "s001a-");
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "message"), "Welcome admin");
	t_resp_free(&r);
}

/*
 * Seed 003: register, log in for an access and a refresh token, /me with
 * the access token, refresh for a new pair, /me with the new one.
 */
Test(seeds, seed_003_register_login_me_refresh)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 first[4096];

	t_register(&u, "s003-");
	t_login(&u);
	cr_assert_neq(u.refresh[0], '\0');
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
	snprintf(first, sizeof(first), "%s", u.access);
	t_refresh(&u);
	cr_assert_str_neq(u.access, first);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
}

/*
 * Seed 004's tests: register (201, the email echoed), log in with the
 * email (200, access_token), /me (200); plus its auth rules: a duplicate
 * registration is refused, bad credentials are 401, a refresh gives a
 * new pair.
 */
Test(seeds, seed_004_register_login_by_email_me)
{
	struct t_resp	 r;
	char		 name[80], mail[120], access[4096], refresh[512];

	snprintf(name, sizeof(name), "%s", t_unique("s004-"));
	snprintf(mail, sizeof(mail), "%s@test.com", name);
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"email\": \"%s\", \"password\": "
	    "\"Test1234\"}", name, mail);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "email"), mail);
	t_resp_free(&r);

	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"email\": \"%s\", \"password\": "
	    "\"Test1234\"}", name, mail);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"email\": \"%s\", \"password\": \"Wrong1234\"}", mail);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"email\": \"%s\", \"password\": \"Test1234\"}", mail);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(t_resp_str(&r, "access_token"));
	snprintf(access, sizeof(access), "%s", t_resp_str(&r,
	    "access_token"));
	snprintf(refresh, sizeof(refresh), "%s", t_resp_str(&r,
	    "refresh_token"));
	t_resp_free(&r);

	t_http_json("GET", "/api/auth/me", access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "email"), mail);
	t_resp_free(&r);

	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", refresh);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_neq(t_resp_str(&r, "refresh_token"), refresh);
	t_resp_free(&r);
}

/* Seed 002: the OAuth2 password flow a FastAPI client (Swagger UI) uses. */
Test(seeds, seed_002_oauth2_form_login_then_bearer)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[300];

	t_register(&u, "s002-");
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s&scope=&client_id=&client_secret=", u.username,
	    u.password);
	t_http_form("/api/auth/login", form, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "token_type"), "bearer");
	snprintf(u.access, sizeof(u.access), "%s",
	    t_resp_str(&r, "access_token"));
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
}
