/*
 * The refresh-token reuse grace window, end to end
 * (refresh_reuse_grace_seconds 3: test_e2e_grace.conf).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

#define GRACE_MS	3000

TestSuite(grace, .timeout = 60);

Test(grace, a_reuse_within_the_window_gets_a_pair_of_the_same_session)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[512], sid[64], sid2[64];

	t_make_user(&u, "gw");
	t_jwt_sid(u.access, sid, sizeof(sid));
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", old);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(t_resp_str(&r, "refresh_token"));
	t_jwt_sid(t_resp_str(&r, "access_token"), sid2, sizeof(sid2));
	cr_assert_str_eq(sid2, sid);
	cr_assert_str_neq(t_resp_str(&r, "refresh_token"), u.refresh);
	cr_assert_eq(t_me_status(t_resp_str(&r, "access_token")), 200);
	cr_assert_eq(t_me_status(u.access), 200);
	t_resp_free(&r);
}

Test(grace, a_reuse_within_the_window_keeps_the_session_alive)
{
	struct t_user		 u, tab;
	char			 old[512];

	t_make_user(&u, "gk");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	tab = u;
	snprintf(tab.refresh, sizeof(tab.refresh), "%s", old);
	t_refresh(&tab);
	/* The second tab goes on refreshing its own line. */
	t_refresh(&tab);
	cr_assert_eq(t_me_status(tab.access), 200);
}

Test(grace, two_concurrent_refreshes_of_one_token_both_succeed)
{
	struct t_user		 u;
	struct t_resp		 rs[2];
	char			 body[600], sid[64], s0[64], s1[64];
	const char		*bodies[1];
	int			 i;

	t_make_user(&u, "gc");
	t_jwt_sid(u.access, sid, sizeof(sid));
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}", u.refresh);
	bodies[0] = body;
	t_http_many(2, "POST", "/api/auth/refresh", NULL, bodies, 1, rs);
	for (i = 0; i < 2; i++)
		cr_assert_eq(rs[i].status, 200, "%ld %s", rs[i].status,
		    rs[i].body);
	t_jwt_sid(t_resp_str(&rs[0], "access_token"), s0, sizeof(s0));
	t_jwt_sid(t_resp_str(&rs[1], "access_token"), s1, sizeof(s1));
	cr_assert_str_eq(s0, sid);
	cr_assert_str_eq(s1, sid);
	for (i = 0; i < 2; i++)
		t_resp_free(&rs[i]);
}

Test(grace, a_reuse_after_the_window_revokes_the_session)
{
	struct t_user		 u;
	char			 old[512];

	t_make_user(&u, "ga");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	t_sleep_ms(GRACE_MS + 1500);
	cr_assert_eq(t_refresh_status(old), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_eq(t_me_status(u.access), 401);
}

Test(grace, a_token_rotated_twice_is_not_in_the_window_of_the_second)
{
	struct t_user		 u;
	char			 first[512];

	/* first -> second (at t0), then second -> third after the window:
	 * first was rotated long ago, whatever happened since. */
	t_make_user(&u, "gt");
	snprintf(first, sizeof(first), "%s", u.refresh);
	t_refresh(&u);
	t_sleep_ms(GRACE_MS + 1500);
	t_refresh(&u);
	cr_assert_eq(t_refresh_status(first), 401);
	cr_assert_eq(t_me_status(u.access), 401);
}

Test(grace, a_reuse_within_the_window_ends_the_earlier_successor)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[512], thief[512];

	/* u rotates old; a replay of old in the window gets its own pair. */
	t_make_user(&u, "gf");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", old);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	snprintf(thief, sizeof(thief), "%s", t_resp_str(&r, "refresh_token"));
	t_resp_free(&r);
	/* One live branch: u's successor counts as rotated, so once the
	 * window is over its use is a reuse, which ends the session. */
	t_sleep_ms(GRACE_MS + 1500);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_eq(t_refresh_status(thief), 401);
	cr_assert_eq(t_me_status(u.access), 401);
}

Test(grace, a_logged_out_session_gets_nothing_in_the_window)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[512];

	t_make_user(&u, "gl");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	t_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_refresh_status(old), 401);
}
