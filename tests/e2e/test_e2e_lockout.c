/*
 * Consecutive failed logins per account, end to end
 * (test_e2e_lockout.conf: a cap of 100, the window throttle out of
 * reach).  The count never expires: a guesser slower than the window
 * is still stopped at the cap, until a successful login or a new
 * password clears it.  The tests seed the count by SQL
 * (sql/010_lockout.sql) and make the last failures themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(lockout, .timeout = 120);

#define CAP		100	/* login_max_consecutive_failures */
#define WINDOW		900	/* login_failure_window_seconds */
#define WRONG		"Wrong-Password-1"

/* Sets the consecutive failures counted under account to n. */
static void
seed(const char *account, int n)
{
	t_sql("INSERT INTO login_lockout (account, failures) VALUES "
	    "('%s', %d) ON CONFLICT (account) DO UPDATE SET failures = %d",
	    account, n, n);
}

static void
seed_user(const struct t_user *u, int n)
{
	char	 account[128];

	cr_assert_lt(snprintf(account, sizeof(account), "id:%s", u->id),
	    (int)sizeof(account));
	seed(account, n);
}

/* A login of username with password; r to be freed. */
static void
login(const char *username, const char *password, struct t_resp *r)
{
	char	*body;

	body = t_jbody("username", username, "password", password, NULL);
	t_http_json("POST", "/api/auth/login", NULL, body, r);
	free(body);
}

static long
login_status(const char *username, const char *password)
{
	struct t_resp	 r;
	long		 st;

	login(username, password, &r);
	st = r.status;
	if (st == 401)
		t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	return st;
}

/* The throttle's 429, waiting the whole window. */
static void
assert_locked(const struct t_resp *r)
{
	const char	*ra;

	t_assert_error(r, 429, "too_many_requests");
	ra = t_resp_header(r, "Retry-After");
	cr_assert_not_null(ra, "a 429 without Retry-After");
	cr_assert_eq(atol(ra), WINDOW, "Retry-After %s, not the window", ra);
}

static void
assert_login_locked(const char *username, const char *password)
{
	struct t_resp	 r;

	login(username, password, &r);
	assert_locked(&r);
	t_resp_free(&r);
}

static long
count_of(const struct t_user *u)
{
	return atol(t_sql("SELECT coalesce((SELECT failures FROM "
	    "login_lockout WHERE account = 'id:%s'), 0)", u->id));
}

Test(lockout, the_hundredth_failure_is_401_and_then_even_the_right_password_429)
{
	struct t_user	 u;

	t_register(&u, "lk");
	seed_user(&u, CAP - 1);
	cr_assert_eq(login_status(u.username, WRONG), 401);
	assert_login_locked(u.username, u.password);
	assert_login_locked(u.username, WRONG);
	/* A refusal is no new failure, and nothing logged in. */
	cr_assert_eq(count_of(&u), CAP);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM sessions WHERE "
	    "user_id = '%s'", u.id), "0");
}

Test(lockout, it_outlasts_the_window)
{
	struct t_user	 u;

	t_register(&u, "lkw");
	seed_user(&u, CAP - 1);
	cr_assert_eq(login_status(u.username, WRONG), 401);
	/* The window's failures are long gone; the count is not. */
	t_sql("UPDATE login_failures SET failed_at = failed_at - "
	    "interval '1 day' WHERE account = 'id:%s'", u.id);
	assert_login_locked(u.username, u.password);
}

Test(lockout, an_admin_reset_clears_it_and_the_new_password_logs_in)
{
	struct t_user	 a, u;
	struct t_resp	 r;
	char		 path[128];

	t_make_admin(&a, "lka");
	t_register(&u, "lkr");
	seed_user(&u, CAP);
	assert_login_locked(u.username, u.password);
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	t_http_json("PATCH", path, a.access,
	    "{\"password\": \"Reset-Password-9\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(count_of(&u), 0);
	cr_assert_eq(login_status(u.username, "Reset-Password-9"), 200);
}

Test(lockout, a_success_before_the_cap_clears_the_count)
{
	struct t_user	 u;

	t_register(&u, "lks");
	seed_user(&u, CAP - 2);
	cr_assert_eq(login_status(u.username, u.password), 200);
	cr_assert_eq(count_of(&u), 0);
	/* Two more failures would have reached the cap: now they do not. */
	cr_assert_eq(login_status(u.username, WRONG), 401);
	cr_assert_eq(login_status(u.username, WRONG), 401);
	cr_assert_eq(login_status(u.username, u.password), 200);
}

Test(lockout, an_unknown_account_is_capped_alike)
{
	struct t_user	 u;
	struct t_resp	 known, unknown;
	char		 name[80], account[128];

	t_register(&u, "lkk");
	snprintf(name, sizeof(name), "%s", t_unique("nobody"));
	snprintf(account, sizeof(account), "name:username:%s", name);
	seed(account, CAP - 1);
	seed_user(&u, CAP - 1);
	cr_assert_eq(login_status(name, WRONG), 401);
	cr_assert_eq(login_status(u.username, WRONG), 401);
	login(u.username, WRONG, &known);
	login(name, WRONG, &unknown);
	assert_locked(&known);
	assert_locked(&unknown);
	/* Nothing tells a real account from a made-up one. */
	cr_assert_str_eq(known.body, unknown.body);
	t_resp_free(&known);
	t_resp_free(&unknown);
}

/* The own password change: its current password is a login's guess. */
static void
change(const struct t_user *u, const char *current, const char *next,
    struct t_resp *r)
{
	char	*body;

	body = t_jbody("current_password", current, "new_password", next,
	    NULL);
	t_http_json("POST", "/api/auth/password", u->access, body, r);
	free(body);
}

Test(lockout, the_own_password_change_is_capped_too)
{
	struct t_user	 u;
	struct t_resp	 r;

	t_make_user(&u, "lkp");
	seed_user(&u, CAP - 1);
	change(&u, WRONG, "New-Password-99", &r);
	t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	change(&u, u.password, "New-Password-99", &r);
	assert_locked(&r);
	t_resp_free(&r);
	/* The password did not change. */
	assert_login_locked(u.username, u.password);
	assert_login_locked(u.username, "New-Password-99");
}
