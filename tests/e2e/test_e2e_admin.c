/*
 * The admin API under /api/admin/, end to end.  Tests here run in
 * parallel: the last-admin guard and exact dashboard counts, which need
 * the stack to themselves, are in test_e2e_lastadmin.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(admin, .timeout = 90);

static long
status_of(const char *method, const char *path, const char *token,
    const char *body)
{
	struct t_resp	 r;
	long		 st;

	t_http_json(method, path, token, body, &r);
	st = r.status;
	t_resp_free(&r);
	return st;
}

static void
user_path(char *buf, size_t sz, const char *id)
{
	snprintf(buf, sz, "/api/admin/users/%s", id);
}

/* --- the guard ------------------------------------------------------- */

Test(admin, dashboard_welcomes_an_admin)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*v;
	int64_t			 total, active, suspended;

	t_make_admin(&a, "ad");
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	cr_assert_str_eq(t_resp_str(&r, "message"), "Welcome admin");
	cr_assert_not_null(v = t_json_path(r.json, "users.total"));
	cr_assert(json_object_is_type(v, json_type_int));
	total = json_object_get_int64(v);
	active = json_object_get_int64(t_json_path(r.json, "users.active"));
	suspended = json_object_get_int64(t_json_path(r.json,
	    "users.suspended"));
	cr_assert_geq(total, 1);
	cr_assert_geq(active, 1);
	cr_assert_geq(suspended, 0);
	t_resp_free(&r);
}

Test(admin, dashboard_answers_403_insufficient_scope_to_a_user)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "adu");
	t_http_json("GET", "/api/admin/dashboard", u.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
}

Test(admin, dashboard_answers_a_bare_challenge_without_a_token)
{
	struct t_resp	 r;

	t_http_json("GET", "/api/admin/dashboard", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(admin, dashboard_answers_a_challenge_for_a_bad_token)
{
	struct t_resp	 r;

	t_http_json("GET", "/api/admin/dashboard", "bad.token.here", NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(admin, every_admin_path_needs_the_admin_role)
{
	static const char	*paths[][2] = {
		{ "GET", "/api/admin/users" },
		{ "POST", "/api/admin/users" },
		{ "GET", "/api/admin/users/00000000-0000-4000-8000-000000000000" },
		{ "PATCH", "/api/admin/users/00000000-0000-4000-8000-000000000000" },
		{ "DELETE", "/api/admin/users/00000000-0000-4000-8000-000000000000" },
		{ "GET", "/api/admin/roles" },
		{ "POST", "/api/admin/roles" },
	};
	struct t_user		 u;
	struct t_resp		 r;
	size_t			 i;

	t_make_user(&u, "adg");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http_json(paths[i][0], paths[i][1], u.access,
		    strcmp(paths[i][0], "GET") == 0 ||
		    strcmp(paths[i][0], "DELETE") == 0 ? NULL : "{}", &r);
		cr_assert_eq(r.status, 403, "%s %s: %ld %s", paths[i][0],
		    paths[i][1], r.status, r.body);
		t_assert_error(&r, 403, "insufficient_scope");
		t_resp_free(&r);
		t_http_json(paths[i][0], paths[i][1], NULL, NULL, &r);
		cr_assert_eq(r.status, 401, "%s %s without a token: %ld",
		    paths[i][0], paths[i][1], r.status);
		t_resp_free(&r);
	}
}

Test(admin, a_granted_role_takes_effect_at_once)
{
	struct t_user		 u;

	t_make_user(&u, "adr");
	cr_assert_eq(status_of("GET", "/api/admin/dashboard", u.access, NULL),
	    403);
	t_sql("INSERT INTO user_roles (user_id, role) VALUES ('%s', 'admin')",
	    u.id);
	cr_assert_eq(status_of("GET", "/api/admin/dashboard", u.access, NULL),
	    200);
	t_sql("DELETE FROM user_roles WHERE user_id = '%s' AND role = 'admin'",
	    u.id);
	cr_assert_eq(status_of("GET", "/api/admin/dashboard", u.access, NULL),
	    403);
}

Test(admin, an_unknown_admin_path_answers_404_to_an_admin)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "ad404");
	t_http_json("GET", "/api/admin/nothing-here", a.access, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(admin, a_wrong_method_answers_405_with_allow)
{
	struct t_user		 a;
	struct t_resp		 r;
	const char		*allow;
	char			 path[128];

	t_make_admin(&a, "ad405");
	t_http_json("DELETE", "/api/admin/roles", a.access, NULL, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "GET") != NULL &&
	    strstr(allow, "POST") != NULL, "Allow: %s", allow);
	t_resp_free(&r);
	user_path(path, sizeof(path), a.id);
	t_http_json("PUT", path, a.access, "{}", &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "GET") != NULL &&
	    strstr(allow, "PATCH") != NULL && strstr(allow, "DELETE") != NULL,
	    "Allow: %s", allow);
	t_resp_free(&r);
	t_http_json("POST", "/api/admin/dashboard", a.access, "{}", &r);
	t_assert_error(&r, 405, "method_not_allowed");
	t_resp_free(&r);
}

/* --- listing --------------------------------------------------------- */

/* Makes n users whose full_name holds marker; names ascending. */
static void
make_marked(const char *marker, int n, struct t_user *us)
{
	struct t_resp	 r;
	int		 i;

	for (i = 0; i < n; i++) {
		memset(&us[i], 0, sizeof(us[i]));
		snprintf(us[i].username, sizeof(us[i].username), "%s-%02d",
		    marker, i);
		t_http_jsonf("POST", "/api/auth/register", NULL, &r,
		    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\", "
		    "\"full_name\": \"Member of %s\"}", us[i].username, marker);
		cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
		snprintf(us[i].id, sizeof(us[i].id), "%s", t_resp_str(&r,
		    "id"));
		t_resp_free(&r);
	}
}

Test(admin, users_lists_items_and_next)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*items, *next;
	size_t			 i;

	t_make_admin(&a, "adl");
	t_http_json("GET", "/api/admin/users?limit=5", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	items = t_json_path(r.json, "items");
	cr_assert(items != NULL && json_object_is_type(items, json_type_array));
	cr_assert_leq(json_object_array_length(items), 5);
	cr_assert_geq(json_object_array_length(items), 1);
	for (i = 0; i < json_object_array_length(items); i++)
		t_assert_user_object(json_object_array_get_idx(items, i));
	cr_assert(json_object_object_get_ex(r.json, "next", &next));
	cr_assert(next == NULL || json_object_is_type(next, json_type_string));
	cr_assert_null(strstr(r.body, "$2b$"));
	t_resp_free(&r);
}

Test(admin, users_q_matches_a_substring_ignoring_case)
{
	struct t_user		 a, us[3];
	struct t_resp		 r;
	struct json_object	*items;
	char			 marker[40], path[160], upper[40];
	size_t			 i;

	t_make_admin(&a, "adq");
	snprintf(marker, sizeof(marker), "%s", t_unique("qm"));
	make_marked(marker, 3, us);
	for (i = 0; marker[i] != '\0'; i++)
		upper[i] = (char)(marker[i] >= 'a' && marker[i] <= 'z' ?
		    marker[i] - 32 : marker[i]);
	upper[i] = '\0';
	/* A substring of full_name ("Member of <marker>"), upper-cased. */
	snprintf(path, sizeof(path), "/api/admin/users?q=OF%%20%s", upper);
	t_http_json("GET", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	items = t_json_path(r.json, "items");
	cr_assert_eq(json_object_array_length(items), 3, "%s", r.body);
	t_resp_free(&r);
}

Test(admin, users_q_matches_username_email_and_employee_id)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[256];
	const char		*needles[3];
	size_t			 i;

	t_make_admin(&a, "adqf");
	t_register(&u, "qfield");
	needles[0] = u.username + 2;
	needles[1] = u.email;
	needles[2] = u.employee_id + 2;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/api/admin/users?q=%s",
		    needles[i]);
		t_http_json("GET", path, a.access, NULL, &r);
		cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
		cr_assert_eq(json_object_array_length(t_json_path(r.json,
		    "items")), 1, "q=%s: %s", needles[i], r.body);
		cr_assert_str_eq(json_object_get_string(t_json_path(
		    json_object_array_get_idx(t_json_path(r.json, "items"), 0),
		    "id")), u.id);
		t_resp_free(&r);
	}
}

Test(admin, users_pages_through_with_the_cursor)
{
	struct t_user		 a, us[5];
	struct t_resp		 r;
	struct json_object	*items, *next;
	char			 marker[40], path[1024], cursor[256], e[768];
	int			 pages = 0, seen = 0, i;
	size_t			 k;

	t_make_admin(&a, "adp");
	snprintf(marker, sizeof(marker), "%s", t_unique("pg"));
	make_marked(marker, 5, us);
	cursor[0] = '\0';
	for (;;) {
		cr_assert_lt(pages, 5, "the cursor does not end");
		t_urlencode(cursor, e, sizeof(e));
		snprintf(path, sizeof(path), "/api/admin/users?limit=2&q=%s%s%s",
		    marker, cursor[0] != '\0' ? "&after=" : "", e);
		t_http_json("GET", path, a.access, NULL, &r);
		cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
		items = t_json_path(r.json, "items");
		cr_assert_leq(json_object_array_length(items), 2);
		for (k = 0; k < json_object_array_length(items); k++) {
			cr_assert_lt(seen, 5);
			/* In order of username, none twice. */
			cr_assert_str_eq(json_object_get_string(t_json_path(
			    json_object_array_get_idx(items, k), "username")),
			    us[seen].username, "page %d: %s", pages, r.body);
			seen++;
		}
		pages++;
		cr_assert(json_object_object_get_ex(r.json, "next", &next));
		if (next == NULL) {
			t_resp_free(&r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s",
		    json_object_get_string(next));
		t_resp_free(&r);
	}
	cr_assert_eq(seen, 5);
	cr_assert_leq(pages, 4);
	for (i = 0; i < 5; i++)
		cr_assert_neq(us[i].id[0], '\0');
}

Test(admin, users_refuses_a_limit_of_0_with_422)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adl0");
	t_http_json("GET", "/api/admin/users?limit=0", a.access, NULL, &r);
	t_assert_field_error(&r, 422, "validation_failed", "limit");
	t_resp_free(&r);
}

Test(admin, users_refuses_a_limit_of_201_with_422)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adl201");
	t_http_json("GET", "/api/admin/users?limit=201", a.access, NULL, &r);
	t_assert_field_error(&r, 422, "validation_failed", "limit");
	t_resp_free(&r);
}

Test(admin, users_accepts_a_limit_of_200)
{
	struct t_user		 a;

	t_make_admin(&a, "adl200");
	cr_assert_eq(status_of("GET", "/api/admin/users?limit=200", a.access,
	    NULL), 200);
	cr_assert_eq(status_of("GET", "/api/admin/users?limit=1", a.access,
	    NULL), 200);
}

Test(admin, users_refuses_a_malformed_cursor_with_400)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcur");
	t_http_json("GET", "/api/admin/users?after=%25%25not-a-cursor%25%25",
	    a.access, NULL, &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

/* --- one user -------------------------------------------------------- */

Test(admin, create_user_answers_201_with_roles_and_status)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*roles;
	char			 name[80];

	t_make_admin(&a, "adc");
	snprintf(name, sizeof(name), "%s", t_unique("made"));
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\", "
	    "\"email\": \"%s@example.com\", \"roles\": [\"user\", \"admin\"], "
	    "\"status\": \"suspended\"}", name, name);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "username"), name);
	cr_assert_str_eq(t_resp_str(&r, "status"), "suspended");
	roles = t_json_path(r.json, "roles");
	cr_assert_eq(json_object_array_length(roles), 2, "%s", r.body);
	cr_assert(t_json_array_has(roles, "admin"));
	cr_assert(t_json_array_has(roles, "user"));
	t_resp_free(&r);
}

Test(admin, create_user_gives_the_default_role_without_roles)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcd");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\"}",
	    t_unique("made"));
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "status"), "active");
	cr_assert(t_json_array_has(t_json_path(r.json, "roles"), "user"));
	cr_assert_eq(json_object_array_length(t_json_path(r.json, "roles")),
	    1);
	t_resp_free(&r);
}

Test(admin, a_created_user_can_log_in)
{
	struct t_user		 a, u;
	struct t_resp		 r;

	t_make_admin(&a, "adcl");
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s", t_unique("made"));
	snprintf(u.password, sizeof(u.password), "Secret-Pass1");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_login(&u);
}

Test(admin, create_user_answers_409_for_a_taken_username)
{
	struct t_user		 a, u;
	struct t_resp		 r;

	t_make_admin(&a, "adcc");
	t_register(&u, "taken");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\"}",
	    u.username);
	t_assert_field_error(&r, 409, "conflict", "username");
	t_resp_free(&r);
}

Test(admin, create_user_answers_422_for_an_unknown_role)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcr");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\", "
	    "\"roles\": [\"no-such-role\"]}", t_unique("made"));
	t_assert_field_error(&r, 422, "validation_failed", "roles");
	t_resp_free(&r);
}

Test(admin, create_user_answers_422_for_an_invalid_status)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcs");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\", \"password\": \"Secret-Pass1\", "
	    "\"status\": \"banned\"}", t_unique("made"));
	t_assert_field_error(&r, 422, "validation_failed", "status");
	t_resp_free(&r);
}

Test(admin, create_user_answers_422_for_a_bad_username)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcu");
	t_http_json("POST", "/api/admin/users", a.access,
	    "{\"username\": \"no way\", \"password\": \"Secret-Pass1\"}", &r);
	t_assert_field_error(&r, 422, "validation_failed", "username");
	t_resp_free(&r);
}

Test(admin, create_user_answers_400_without_a_password)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adcp");
	t_http_jsonf("POST", "/api/admin/users", a.access, &r,
	    "{\"username\": \"%s\"}", t_unique("made"));
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(admin, create_user_answers_415_for_text)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 auth[4200];
	const char		*h[3], *body = "{}";

	t_make_admin(&a, "adct");
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a.access);
	h[0] = "Content-Type: text/plain";
	h[1] = auth;
	h[2] = NULL;
	t_http("POST", "/api/admin/users", h, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(admin, get_user_answers_the_user)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adgu");
	t_register(&u, "got");
	user_path(path, sizeof(path), u.id);
	t_http_json("GET", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "id"), u.id);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
}

Test(admin, get_user_answers_404_for_an_unknown_id)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adg404");
	t_http_json("GET", "/api/admin/users/"
	    "00000000-0000-4000-8000-000000000000", a.access, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(admin, get_user_answers_404_for_a_malformed_id)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adgm");
	t_http_json("GET", "/api/admin/users/not-a-uuid", a.access, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(admin, patch_user_changes_the_fields)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128], mail[120], emp[40];

	t_make_admin(&a, "adpf");
	t_register(&u, "patched");
	user_path(path, sizeof(path), u.id);
	snprintf(mail, sizeof(mail), "%s@example.org", t_unique("new"));
	snprintf(emp, sizeof(emp), "%s", t_unique("EMP-"));
	t_http_jsonf("PATCH", path, a.access, &r,
	    "{\"email\": \"%s\", \"full_name\": \"Renamed Person\", "
	    "\"employee_id\": \"%s\", \"phone\": \"+4912345\"}", mail, emp);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "email"), mail);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Renamed Person");
	cr_assert_str_eq(t_resp_str(&r, "employee_id"), emp);
	cr_assert_str_eq(t_resp_str(&r, "phone"), "+4912345");
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	t_resp_free(&r);
	t_http_json("GET", path, a.access, NULL, &r);
	cr_assert_str_eq(t_resp_str(&r, "full_name"), "Renamed Person");
	t_resp_free(&r);
}

Test(admin, patch_user_with_nothing_changes_nothing)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adpn");
	t_register(&u, "same");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access, "{}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "email"), u.email);
	t_resp_free(&r);
}

Test(admin, patch_user_suspending_ends_the_sessions_at_once)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adps");
	t_make_user(&u, "susp");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "status"), "suspended");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
}

Test(admin, patch_user_reactivating_allows_login_again)
{
	struct t_user		 a, u;
	char			 path[128];

	t_make_admin(&a, "adpa");
	t_make_user(&u, "react");
	user_path(path, sizeof(path), u.id);
	cr_assert_eq(status_of("PATCH", path, a.access,
	    "{\"status\": \"suspended\"}"), 200);
	cr_assert_eq(status_of("PATCH", path, a.access,
	    "{\"status\": \"active\"}"), 200);
	cr_assert_eq(t_me_status(u.access), 401);
	t_login(&u);
}

Test(admin, patch_user_setting_a_password_ends_the_sessions)
{
	struct t_user		 a, u;
	char			 path[128];

	t_make_admin(&a, "adpp");
	t_make_user(&u, "reset");
	user_path(path, sizeof(path), u.id);
	cr_assert_eq(status_of("PATCH", path, a.access,
	    "{\"password\": \"Reset-Password-9\"}"), 200);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	snprintf(u.password, sizeof(u.password), "Reset-Password-9");
	t_login(&u);
}

Test(admin, patch_user_refuses_a_bad_password_with_422)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adpb");
	t_make_user(&u, "badpw");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access, "{\"password\": \"short\"}", &r);
	t_assert_field_error(&r, 422, "validation_failed", "password");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
}

Test(admin, patch_user_replaces_the_roles)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	struct json_object	*roles;
	char			 path[128], role[40];

	t_make_admin(&a, "adpr");
	t_register(&u, "roled");
	snprintf(role, sizeof(role), "%s", t_unique("aud-"));
	t_http_jsonf("POST", "/api/admin/roles", a.access, &r,
	    "{\"name\": \"%s\", \"description\": \"Auditors\"}", role);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	user_path(path, sizeof(path), u.id);
	t_http_jsonf("PATCH", path, a.access, &r, "{\"roles\": [\"%s\"]}",
	    role);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	roles = t_json_path(r.json, "roles");
	cr_assert_eq(json_object_array_length(roles), 1, "%s", r.body);
	cr_assert(t_json_array_has(roles, role));
	t_resp_free(&r);
}

Test(admin, patch_user_answers_422_for_an_unknown_role)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adpur");
	t_register(&u, "noroles");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access,
	    "{\"roles\": [\"user\", \"no-such-role\"]}", &r);
	t_assert_field_error(&r, 422, "validation_failed", "roles");
	t_resp_free(&r);
}

Test(admin, patch_user_answers_409_for_a_taken_email)
{
	struct t_user		 a, u, other;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adpe");
	t_register(&u, "mine");
	t_register(&other, "theirs");
	user_path(path, sizeof(path), u.id);
	t_http_jsonf("PATCH", path, a.access, &r, "{\"email\": \"%s\"}",
	    other.email);
	t_assert_field_error(&r, 409, "conflict", "email");
	t_resp_free(&r);
}

Test(admin, patch_user_answers_422_for_a_bad_email)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "adpbe");
	t_register(&u, "bademail");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access, "{\"email\": \"nope\"}", &r);
	t_assert_field_error(&r, 422, "validation_failed", "email");
	t_resp_free(&r);
}

Test(admin, patch_user_answers_404_for_an_unknown_id)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adp404");
	t_http_json("PATCH", "/api/admin/users/"
	    "00000000-0000-4000-8000-000000000000", a.access,
	    "{\"full_name\": \"x\"}", &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(admin, delete_user_answers_204_and_the_user_is_gone)
{
	struct t_user		 a, u;
	struct t_resp		 r;
	char			 path[128];

	t_make_admin(&a, "addel");
	t_make_user(&u, "gone");
	user_path(path, sizeof(path), u.id);
	t_http_json("DELETE", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_eq(r.len, 0);
	t_resp_free(&r);
	cr_assert_eq(status_of("GET", path, a.access, NULL), 404);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(admin, delete_user_answers_404_for_an_unknown_id)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "add404");
	t_http_json("DELETE", "/api/admin/users/"
	    "00000000-0000-4000-8000-000000000000", a.access, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

/* --- roles ----------------------------------------------------------- */

Test(admin, roles_lists_admin_and_user)
{
	struct t_user		 a;
	struct t_resp		 r;
	struct json_object	*items, *e;
	size_t			 i;
	int			 found = 0;

	t_make_admin(&a, "adrl");
	t_http_json("GET", "/api/admin/roles", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	items = t_json_path(r.json, "items");
	cr_assert(items != NULL && json_object_is_type(items, json_type_array));
	for (i = 0; i < json_object_array_length(items); i++) {
		e = json_object_array_get_idx(items, i);
		cr_assert(json_object_is_type(t_json_path(e, "name"),
		    json_type_string));
		cr_assert(json_object_is_type(t_json_path(e, "description"),
		    json_type_string));
		if (strcmp(json_object_get_string(t_json_path(e, "name")),
		    "admin") == 0 ||
		    strcmp(json_object_get_string(t_json_path(e, "name")),
		    "user") == 0)
			found++;
	}
	cr_assert_eq(found, 2, "%s", r.body);
	t_resp_free(&r);
}

Test(admin, roles_create_answers_201_with_the_role)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 name[40];

	t_make_admin(&a, "adrc");
	snprintf(name, sizeof(name), "%s", t_unique("ops_"));
	t_http_jsonf("POST", "/api/admin/roles", a.access, &r,
	    "{\"name\": \"%s\", \"description\": \"Operations\"}", name);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	cr_assert_str_eq(t_resp_str(&r, "name"), name);
	cr_assert_str_eq(t_resp_str(&r, "description"), "Operations");
	t_resp_free(&r);
	t_http_json("GET", "/api/admin/roles", a.access, NULL, &r);
	cr_assert_not_null(strstr(r.body, name));
	t_resp_free(&r);
}

Test(admin, roles_create_answers_409_for_an_existing_role)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adrdup");
	t_http_json("POST", "/api/admin/roles", a.access,
	    "{\"name\": \"user\", \"description\": \"again\"}", &r);
	t_assert_field_error(&r, 409, "conflict", "name");
	t_resp_free(&r);
}

Test(admin, roles_create_answers_422_for_a_bad_name)
{
	static const char	*bad[] = { "Upper", "with space", "dot.ted", "" };
	struct t_user		 a;
	struct t_resp		 r;
	size_t			 i;

	t_make_admin(&a, "adrb");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_http_jsonf("POST", "/api/admin/roles", a.access, &r,
		    "{\"name\": \"%s\", \"description\": \"x\"}", bad[i]);
		t_assert_field_error(&r, 422, "validation_failed", "name");
		t_resp_free(&r);
	}
}

Test(admin, roles_create_answers_422_for_a_name_of_65_characters)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 name[66];

	t_make_admin(&a, "adr65");
	memset(name, 'r', 65);
	name[65] = '\0';
	t_http_jsonf("POST", "/api/admin/roles", a.access, &r,
	    "{\"name\": \"%s\", \"description\": \"x\"}", name);
	t_assert_field_error(&r, 422, "validation_failed", "name");
	t_resp_free(&r);
}

Test(admin, roles_create_answers_400_without_a_name)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_admin(&a, "adrn");
	t_http_json("POST", "/api/admin/roles", a.access,
	    "{\"description\": \"nameless\"}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}
