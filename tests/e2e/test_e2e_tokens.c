/*
 * Refresh rotation and reuse detection, and logout, end to end
 * (refresh_reuse_grace_seconds 0: test_e2e_tokens.conf).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(tokens, .timeout = 60);

static const char *
claim(const char *token, const char *name)
{
	static char		 buf[256];
	struct json_object	*p;

	cr_assert_not_null(p = t_jwt_part(token, 1));
	snprintf(buf, sizeof(buf), "%s",
	    json_object_get_string(t_json_path(p, name)));
	json_object_put(p);
	return buf;
}

static long
logout(const char *token, const char *body)
{
	struct t_resp	 r;
	long		 st;

	t_http_json("POST", "/api/auth/logout", token, body, &r);
	st = r.status;
	if (st == 204)
		cr_assert_eq(r.len, 0, "a 204 with a body: %s", r.body);
	t_resp_free(&r);
	return st;
}

Test(tokens, refresh_answers_a_new_pair_of_the_same_session)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 sid[64], old_access[4096], old_refresh[512];
	const char		*cc;

	t_make_user(&u, "tr");
	snprintf(sid, sizeof(sid), "%s", claim(u.access, "sid"));
	snprintf(old_access, sizeof(old_access), "%s", u.access);
	snprintf(old_refresh, sizeof(old_refresh), "%s", u.refresh);
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", u.refresh);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	cr_assert_str_eq(t_resp_str(&r, "token_type"), "bearer");
	cr_assert_eq(json_object_get_int(t_json_path(r.json, "expires_in")),
	    900);
	cc = t_resp_header(&r, "Cache-Control");
	cr_assert(cc != NULL && strstr(cc, "no-store") != NULL);
	cr_assert_str_neq(t_resp_str(&r, "refresh_token"), old_refresh);
	cr_assert_str_neq(t_resp_str(&r, "access_token"), old_access);
	cr_assert_str_eq(claim(t_resp_str(&r, "access_token"), "sid"), sid);
	cr_assert_eq(t_me_status(t_resp_str(&r, "access_token")), 200);
	t_resp_free(&r);
}

Test(tokens, refresh_accepts_the_oauth2_refresh_token_grant_form)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[700];

	t_make_user(&u, "trf");
	snprintf(form, sizeof(form), "grant_type=refresh_token&"
	    "refresh_token=%s&client_id=web", u.refresh);
	t_http_form("/api/auth/refresh", form, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(t_resp_str(&r, "access_token"));
	t_resp_free(&r);
}

Test(tokens, refresh_can_go_on_rotating)
{
	struct t_user		 u;
	int			 i;

	t_make_user(&u, "trr");
	for (i = 0; i < 5; i++)
		t_refresh(&u);
	cr_assert_eq(t_me_status(u.access), 200);
}

Test(tokens, a_rotated_refresh_token_no_longer_works)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[512];

	t_make_user(&u, "trot");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", old);
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(tokens, reusing_a_rotated_refresh_token_revokes_the_whole_session)
{
	struct t_user		 u;
	char			 first_access[4096], old[512];

	t_make_user(&u, "tre");
	snprintf(first_access, sizeof(first_access), "%s", u.access);
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	cr_assert_eq(t_refresh_status(old), 401);
	/* Every token descended from the login is dead now. */
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_me_status(first_access), 401);
}

Test(tokens, reuse_answers_a_bearer_challenge_on_me_afterwards)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 old[512];

	t_make_user(&u, "trc");
	snprintf(old, sizeof(old), "%s", u.refresh);
	t_refresh(&u);
	cr_assert_eq(t_refresh_status(old), 401);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(tokens, reuse_leaves_the_users_other_sessions_alone)
{
	struct t_user		 a, b;
	char			 old[512];

	t_make_user(&a, "tro");
	b = a;
	t_login(&b);
	snprintf(old, sizeof(old), "%s", a.refresh);
	t_refresh(&a);
	cr_assert_eq(t_refresh_status(old), 401);
	cr_assert_eq(t_me_status(a.access), 401);
	cr_assert_eq(t_me_status(b.access), 200);
	t_refresh(&b);
}

Test(tokens, refresh_answers_401_for_an_unknown_token)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/refresh", NULL,
	    "{\"refresh_token\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	    &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
}

Test(tokens, refresh_answers_401_for_an_access_token)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "tra");
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", u.access);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	t_refresh(&u);
}

Test(tokens, refresh_answers_400_without_the_field)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/refresh", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(tokens, refresh_answers_400_for_a_field_of_the_wrong_type)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/refresh", NULL,
	    "{\"refresh_token\": 42}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(tokens, refresh_answers_400_for_a_form_with_another_grant)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 form[700];

	t_make_user(&u, "trg");
	snprintf(form, sizeof(form), "grant_type=password&refresh_token=%s",
	    u.refresh);
	t_http_form("/api/auth/refresh", form, &r);
	t_assert_error(&r, 400, NULL);
	t_resp_free(&r);
}

Test(tokens, refresh_answers_401_for_an_expired_token)
{
	struct t_user		 u;
	char			 sid[64];

	t_make_user(&u, "trx");
	snprintf(sid, sizeof(sid), "%s", claim(u.access, "sid"));
	t_sql("UPDATE refresh_tokens SET expires_at = now() - interval "
	    "'1 second' WHERE session_id = '%s'", sid);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(tokens, refresh_answers_401_after_the_session_max_age)
{
	struct t_user		 u;
	char			 sid[64];

	t_make_user(&u, "trm");
	snprintf(sid, sizeof(sid), "%s", claim(u.access, "sid"));
	t_sql("UPDATE sessions SET expires_at = now() - interval '1 second' "
	    "WHERE id = '%s'", sid);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(tokens, the_access_token_of_a_session_past_its_max_age_is_refused)
{
	struct t_user		 u;
	char			 sid[64];

	t_make_user(&u, "tram");
	snprintf(sid, sizeof(sid), "%s", claim(u.access, "sid"));
	t_sql("UPDATE sessions SET expires_at = now() - interval '1 second' "
	    "WHERE id = '%s'", sid);
	cr_assert_eq(t_me_status(u.access), 401);
}

Test(tokens, refresh_answers_401_for_a_suspended_user)
{
	struct t_user		 u;
	const char		*argv[] = { "user", "suspend", NULL, NULL };

	t_make_user(&u, "trs");
	argv[2] = u.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_eq(t_me_status(u.access), 401);
}

Test(tokens, refresh_answers_401_for_a_deleted_user)
{
	struct t_user		 u;

	t_make_user(&u, "trd");
	t_sql("DELETE FROM users WHERE id = '%s'", u.id);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(tokens, refresh_answers_405_with_allow_for_get)
{
	struct t_resp	 r;
	const char	*allow;

	t_http("GET", "/api/auth/refresh", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "POST") != NULL);
	t_resp_free(&r);
}

Test(tokens, two_concurrent_refreshes_of_one_token_leave_one_winner)
{
	struct t_user		 u;
	struct t_resp		 rs[2];
	char			 body[600];
	const char		*bodies[1];
	int			 ok = 0, i;

	t_make_user(&u, "trcc");
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}", u.refresh);
	bodies[0] = body;
	t_http_many(2, "POST", "/api/auth/refresh", NULL, bodies, 1, rs);
	for (i = 0; i < 2; i++) {
		cr_assert(rs[i].status == 200 || rs[i].status == 401,
		    "%ld %s", rs[i].status, rs[i].body);
		ok += rs[i].status == 200;
	}
	/* Without a grace window the loser's reuse revokes the session. */
	cr_assert_geq(ok, 1);
	for (i = 0; i < 2; i++)
		t_resp_free(&rs[i]);
}

/* --- logout ---------------------------------------------------------- */

Test(tokens, logout_with_an_empty_body_ends_the_bearers_session)
{
	struct t_user		 u;

	t_make_user(&u, "lo");
	cr_assert_eq(logout(u.access, NULL), 204);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(tokens, logout_with_an_empty_object_ends_the_bearers_session)
{
	struct t_user		 u;

	t_make_user(&u, "loe");
	cr_assert_eq(logout(u.access, "{}"), 204);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

Test(tokens, logout_ends_only_the_bearers_session)
{
	struct t_user		 a, b;

	t_make_user(&a, "loo");
	b = a;
	t_login(&b);
	cr_assert_eq(logout(a.access, "{}"), 204);
	cr_assert_eq(t_me_status(a.access), 401);
	cr_assert_eq(t_me_status(b.access), 200);
	t_refresh(&b);
}

Test(tokens, logout_with_a_refresh_token_ends_that_session)
{
	struct t_user		 a, b;
	char			 body[600];

	t_make_user(&a, "lor");
	b = a;
	t_login(&b);
	snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}", b.refresh);
	cr_assert_eq(logout(a.access, body), 204);
	cr_assert_eq(t_refresh_status(b.refresh), 401);
	cr_assert_eq(t_me_status(b.access), 401);
	cr_assert_eq(t_me_status(a.access), 200);
	t_refresh(&a);
}

Test(tokens, logout_refuses_another_users_refresh_token)
{
	struct t_user		 a, victim;
	struct t_resp		 r;

	t_make_user(&a, "lox");
	t_make_user(&victim, "lov");
	t_http_jsonf("POST", "/api/auth/logout", a.access, &r,
	    "{\"refresh_token\": \"%s\"}", victim.refresh);
	/* Contract-silent: as an unknown token, 401 invalid_grant. */
	t_assert_grant_401(&r);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(victim.access), 200);
	t_refresh(&victim);
	cr_assert_eq(t_me_status(a.access), 200);
}

Test(tokens, logout_refuses_an_unknown_refresh_token)
{
	struct t_user		 a;
	struct t_resp		 r;

	t_make_user(&a, "lou");
	t_http_json("POST", "/api/auth/logout", a.access,
	    "{\"refresh_token\": \"not-a-token-we-issued\"}", &r);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(a.access), 200);
}

Test(tokens, logout_all_ends_every_session_of_the_user)
{
	struct t_user		 a, b, c, other;

	t_make_user(&a, "loa");
	b = a;
	t_login(&b);
	c = a;
	t_login(&c);
	t_make_user(&other, "loa2");
	cr_assert_eq(logout(b.access, "{\"all\": true}"), 204);
	cr_assert_eq(t_me_status(a.access), 401);
	cr_assert_eq(t_me_status(b.access), 401);
	cr_assert_eq(t_me_status(c.access), 401);
	cr_assert_eq(t_refresh_status(a.refresh), 401);
	cr_assert_eq(t_refresh_status(b.refresh), 401);
	cr_assert_eq(t_refresh_status(c.refresh), 401);
	cr_assert_eq(t_me_status(other.access), 200);
}

Test(tokens, a_new_login_works_after_logout_all)
{
	struct t_user		 a;

	t_make_user(&a, "loan");
	cr_assert_eq(logout(a.access, "{\"all\": true}"), 204);
	t_login(&a);
	cr_assert_eq(t_me_status(a.access), 200);
}

Test(tokens, logout_without_a_token_answers_a_bare_challenge)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/logout", NULL, "{}", &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(tokens, logout_with_a_bad_token_answers_invalid_token)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/logout", "not.a.token", "{}", &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(tokens, logout_twice_answers_401_the_second_time)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "lot");
	cr_assert_eq(logout(u.access, "{}"), 204);
	t_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(tokens, logout_answers_400_for_all_of_the_wrong_type)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "low");
	t_http_json("POST", "/api/auth/logout", u.access, "{\"all\": \"yes\"}",
	    &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(u.access), 200);
}

Test(tokens, logout_answers_405_with_allow_for_get)
{
	struct t_resp	 r;
	const char	*allow;

	t_http("GET", "/api/auth/logout", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "POST") != NULL);
	t_resp_free(&r);
}
