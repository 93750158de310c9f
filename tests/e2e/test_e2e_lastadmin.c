/*
 * The last-admin guard and the dashboard's counts, end to end.  These
 * need to know every admin and user of the stack, so the suite runs one
 * test at a time (test_e2e_lastadmin.conf: jobs=1) and each test starts
 * by taking "admin" from everyone else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(lastadmin, .timeout = 60);

/* Leaves a the only admin of the stack. */
static void
sole_admin(struct t_user *a, const char *prefix)
{
	t_make_admin(a, prefix);
	t_sql("DELETE FROM user_roles WHERE role = 'admin' AND user_id <> "
	    "'%s'", a->id);
}

static void
user_path(char *buf, size_t sz, const char *id)
{
	snprintf(buf, sz, "/api/admin/users/%s", id);
}

Test(lastadmin, the_last_admin_cannot_be_suspended)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la1");
	user_path(path, sizeof(path), a.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT status FROM users WHERE id = '%s'",
	    a.id), "active");
	cr_assert_eq(t_me_status(a.access), 200);
}

Test(lastadmin, the_last_admin_cannot_be_deleted)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la2");
	user_path(path, sizeof(path), a.id);
	t_http_json("DELETE", path, a.access, NULL, &r);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE id = '%s'",
	    a.id), "1");
}

Test(lastadmin, the_last_admin_cannot_lose_the_admin_role)
{
	struct t_user		 a;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la3");
	user_path(path, sizeof(path), a.id);
	t_http_json("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(a.access), 200);
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	t_resp_free(&r);
}

Test(lastadmin, a_suspended_admin_does_not_count)
{
	struct t_user		 a, b;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la4");
	t_make_admin(&b, "la4b");
	t_sql("UPDATE users SET status = 'suspended' WHERE id = '%s'", b.id);
	user_path(path, sizeof(path), a.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);
}

Test(lastadmin, with_two_admins_one_may_go)
{
	struct t_user		 a, b;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la5");
	t_make_admin(&b, "la5b");
	user_path(path, sizeof(path), b.id);
	t_http_json("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	/* Now a is the last one again. */
	user_path(path, sizeof(path), a.id);
	t_http_json("DELETE", path, a.access, NULL, &r);
	t_assert_error(&r, 409, "conflict");
	t_resp_free(&r);
}

Test(lastadmin, an_admin_may_suspend_another_admin)
{
	struct t_user		 a, b;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la6");
	t_make_admin(&b, "la6b");
	user_path(path, sizeof(path), b.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(b.access), 401);
}

Test(lastadmin, an_admin_may_delete_another_admin)
{
	struct t_user		 a, b;
	struct t_resp		 r;
	char			 path[128];

	sole_admin(&a, "la7");
	t_make_admin(&b, "la7b");
	user_path(path, sizeof(path), b.id);
	t_http_json("DELETE", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

static long
count_of(const struct t_resp *r, const char *what)
{
	char	 path[64];

	snprintf(path, sizeof(path), "users.%s", what);
	return (long)json_object_get_int64(t_json_path(r->json, path));
}

Test(lastadmin, the_dashboard_counts_every_user)
{
	struct t_user		 a;
	struct t_resp		 r;

	sole_admin(&a, "la8");
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(count_of(&r, "total"), strtol(t_sql("SELECT count(*) "
	    "FROM users"), NULL, 10));
	cr_assert_eq(count_of(&r, "active"), strtol(t_sql("SELECT count(*) "
	    "FROM users WHERE status = 'active'"), NULL, 10));
	cr_assert_eq(count_of(&r, "suspended"), strtol(t_sql("SELECT "
	    "count(*) FROM users WHERE status = 'suspended'"), NULL, 10));
	cr_assert_eq(count_of(&r, "total"), count_of(&r, "active") +
	    count_of(&r, "suspended"));
	t_resp_free(&r);
}

Test(lastadmin, the_dashboard_follows_registration_and_suspension)
{
	struct t_user		 a, u;
	struct t_resp		 before, after;
	char			 path[128];

	sole_admin(&a, "la9");
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &before);
	t_register(&u, "la9u");
	user_path(path, sizeof(path), u.id);
	t_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &after);
	cr_assert_eq(after.status, 200);
	t_resp_free(&after);
	t_http_json("GET", "/api/admin/dashboard", a.access, NULL, &after);
	cr_assert_eq(count_of(&after, "total"), count_of(&before, "total") + 1);
	cr_assert_eq(count_of(&after, "active"), count_of(&before, "active"));
	cr_assert_eq(count_of(&after, "suspended"),
	    count_of(&before, "suspended") + 1);
	t_resp_free(&before);
	t_resp_free(&after);
}
