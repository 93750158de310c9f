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

static void
sid_of(const char *token, char *out, size_t outsz)
{
	struct json_object	*p;

	cr_assert_not_null(p = gh_jwt_part(token, 1));
	snprintf(out, outsz, "%s", json_object_get_string(gh_json_path(p,
	    "sid")));
	json_object_put(p);
}

Test(grace, a_reuse_within_the_window_gets_a_pair_of_the_same_session)
{
	struct gh_user_t	 u;
	struct gh_resp		 r;
	char			 old[512], sid[64], sid2[64];

	gh_make_user(&u, "gw");
	sid_of(u.access, sid, sizeof(sid));
	snprintf(old, sizeof(old), "%s", u.refresh);
	gh_refresh(&u);
	gh_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", old);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(gh_resp_str(&r, "refresh_token"));
	sid_of(gh_resp_str(&r, "access_token"), sid2, sizeof(sid2));
	cr_assert_str_eq(sid2, sid);
	cr_assert_str_neq(gh_resp_str(&r, "refresh_token"), u.refresh);
	cr_assert_eq(gh_me_status(gh_resp_str(&r, "access_token")), 200);
	cr_assert_eq(gh_me_status(u.access), 200);
	gh_resp_free(&r);
}

Test(grace, a_reuse_within_the_window_keeps_the_session_alive)
{
	struct gh_user_t	 u, tab;
	char			 old[512];

	gh_make_user(&u, "gk");
	snprintf(old, sizeof(old), "%s", u.refresh);
	gh_refresh(&u);
	tab = u;
	snprintf(tab.refresh, sizeof(tab.refresh), "%s", old);
	gh_refresh(&tab);
	/* The second tab goes on refreshing its own line. */
	gh_refresh(&tab);
	cr_assert_eq(gh_me_status(tab.access), 200);
}

Test(grace, two_concurrent_refreshes_of_one_token_both_succeed)
{
	struct gh_user_t	 u;
	struct gh_resp		 rs[2];
	char			 body[600], sid[64], s0[64], s1[64];
	const char		*bodies[1];
	int			 i;

	gh_make_user(&u, "gc");
	sid_of(u.access, sid, sizeof(sid));
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}", u.refresh);
	bodies[0] = body;
	gh_http_many(2, "POST", "/api/auth/refresh", NULL, bodies, 1, rs);
	for (i = 0; i < 2; i++)
		cr_assert_eq(rs[i].status, 200, "%ld %s", rs[i].status,
		    rs[i].body);
	sid_of(gh_resp_str(&rs[0], "access_token"), s0, sizeof(s0));
	sid_of(gh_resp_str(&rs[1], "access_token"), s1, sizeof(s1));
	cr_assert_str_eq(s0, sid);
	cr_assert_str_eq(s1, sid);
	for (i = 0; i < 2; i++)
		gh_resp_free(&rs[i]);
}

Test(grace, a_reuse_after_the_window_revokes_the_session)
{
	struct gh_user_t	 u;
	char			 old[512];

	gh_make_user(&u, "ga");
	snprintf(old, sizeof(old), "%s", u.refresh);
	gh_refresh(&u);
	gh_sleep_ms(GRACE_MS + 1500);
	cr_assert_eq(gh_refresh_status(old), 401);
	cr_assert_eq(gh_refresh_status(u.refresh), 401);
	cr_assert_eq(gh_me_status(u.access), 401);
}

Test(grace, a_token_rotated_twice_is_not_in_the_window_of_the_second)
{
	struct gh_user_t	 u;
	char			 first[512];

	/* first -> second (at t0), then second -> third after the window:
	 * first was rotated long ago, whatever happened since. */
	gh_make_user(&u, "gt");
	snprintf(first, sizeof(first), "%s", u.refresh);
	gh_refresh(&u);
	gh_sleep_ms(GRACE_MS + 1500);
	gh_refresh(&u);
	cr_assert_eq(gh_refresh_status(first), 401);
	cr_assert_eq(gh_me_status(u.access), 401);
}

Test(grace, a_logged_out_session_gets_nothing_in_the_window)
{
	struct gh_user_t	 u;
	struct gh_resp		 r;
	char			 old[512];

	gh_make_user(&u, "gl");
	snprintf(old, sizeof(old), "%s", u.refresh);
	gh_refresh(&u);
	gh_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	gh_resp_free(&r);
	cr_assert_eq(gh_refresh_status(old), 401);
}
