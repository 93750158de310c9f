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
sole_admin(struct gh_user_t *a, const char *prefix)
{
	gh_make_admin(a, prefix);
	gh_sql("DELETE FROM user_roles WHERE role = 'admin' AND user_id <> "
	    "'%s'", a->id);
}

static void
user_path(char *buf, size_t sz, const char *id)
{
	snprintf(buf, sz, "/api/admin/users/%s", id);
}

Test(lastadmin, the_last_admin_cannot_be_suspended)
{
	struct gh_user_t	 a;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la1");
	user_path(path, sizeof(path), a.id);
	gh_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	gh_assert_error(&r, 409, "conflict");
	gh_resp_free(&r);
	cr_assert_str_eq(gh_sql("SELECT status FROM users WHERE id = '%s'",
	    a.id), "active");
	cr_assert_eq(gh_me_status(a.access), 200);
}

Test(lastadmin, the_last_admin_cannot_be_deleted)
{
	struct gh_user_t	 a;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la2");
	user_path(path, sizeof(path), a.id);
	gh_http_json("DELETE", path, a.access, NULL, &r);
	gh_assert_error(&r, 409, "conflict");
	gh_resp_free(&r);
	cr_assert_str_eq(gh_sql("SELECT count(*) FROM users WHERE id = '%s'",
	    a.id), "1");
}

Test(lastadmin, the_last_admin_cannot_lose_the_admin_role)
{
	struct gh_user_t	 a;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la3");
	user_path(path, sizeof(path), a.id);
	gh_http_json("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	gh_assert_error(&r, 409, "conflict");
	gh_resp_free(&r);
	cr_assert_eq(gh_me_status(a.access), 200);
	gh_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	gh_resp_free(&r);
}

Test(lastadmin, a_suspended_admin_does_not_count)
{
	struct gh_user_t	 a, b;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la4");
	gh_make_admin(&b, "la4b");
	gh_sql("UPDATE users SET status = 'suspended' WHERE id = '%s'", b.id);
	user_path(path, sizeof(path), a.id);
	gh_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	gh_assert_error(&r, 409, "conflict");
	gh_resp_free(&r);
}

Test(lastadmin, with_two_admins_one_may_go)
{
	struct gh_user_t	 a, b;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la5");
	gh_make_admin(&b, "la5b");
	user_path(path, sizeof(path), b.id);
	gh_http_json("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	gh_resp_free(&r);
	/* Now a is the last one again. */
	user_path(path, sizeof(path), a.id);
	gh_http_json("DELETE", path, a.access, NULL, &r);
	gh_assert_error(&r, 409, "conflict");
	gh_resp_free(&r);
}

Test(lastadmin, an_admin_may_suspend_another_admin)
{
	struct gh_user_t	 a, b;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la6");
	gh_make_admin(&b, "la6b");
	user_path(path, sizeof(path), b.id);
	gh_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	gh_resp_free(&r);
	cr_assert_eq(gh_me_status(b.access), 401);
}

Test(lastadmin, an_admin_may_delete_another_admin)
{
	struct gh_user_t	 a, b;
	struct gh_resp		 r;
	char			 path[128];

	sole_admin(&a, "la7");
	gh_make_admin(&b, "la7b");
	user_path(path, sizeof(path), b.id);
	gh_http_json("DELETE", path, a.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	gh_resp_free(&r);
}

static long
count_of(const struct gh_resp *r, const char *what)
{
	char	 path[64];

	snprintf(path, sizeof(path), "users.%s", what);
	return (long)json_object_get_int64(gh_json_path(r->json, path));
}

Test(lastadmin, the_dashboard_counts_every_user)
{
	struct gh_user_t	 a;
	struct gh_resp		 r;

	sole_admin(&a, "la8");
	gh_http_json("GET", "/api/admin/dashboard", a.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(count_of(&r, "total"), strtol(gh_sql("SELECT count(*) "
	    "FROM users"), NULL, 10));
	cr_assert_eq(count_of(&r, "active"), strtol(gh_sql("SELECT count(*) "
	    "FROM users WHERE status = 'active'"), NULL, 10));
	cr_assert_eq(count_of(&r, "suspended"), strtol(gh_sql("SELECT "
	    "count(*) FROM users WHERE status = 'suspended'"), NULL, 10));
	cr_assert_eq(count_of(&r, "total"), count_of(&r, "active") +
	    count_of(&r, "suspended"));
	gh_resp_free(&r);
}

Test(lastadmin, the_dashboard_follows_registration_and_suspension)
{
	struct gh_user_t	 a, u;
	struct gh_resp		 before, after;
	char			 path[128];

	sole_admin(&a, "la9");
	gh_http_json("GET", "/api/admin/dashboard", a.access, NULL, &before);
	gh_register(&u, "la9u");
	user_path(path, sizeof(path), u.id);
	gh_http_json("PATCH", path, a.access, "{\"status\": \"suspended\"}",
	    &after);
	cr_assert_eq(after.status, 200);
	gh_resp_free(&after);
	gh_http_json("GET", "/api/admin/dashboard", a.access, NULL, &after);
	cr_assert_eq(count_of(&after, "total"), count_of(&before, "total") + 1);
	cr_assert_eq(count_of(&after, "active"), count_of(&before, "active"));
	cr_assert_eq(count_of(&after, "suspended"),
	    count_of(&before, "suspended") + 1);
	gh_resp_free(&before);
	gh_resp_free(&after);
}
