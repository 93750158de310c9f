/*
 * The per-process session cache (auth_cache_entries), end to end: every
 * process of a pool has answered for a token before the change, so each
 * holds it, and the very next requests after a logout, suspension,
 * password change, role change or profile change, made through the API,
 * the CLI or plain SQL, must all see the change.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(cache, .timeout = 90);

/*
 * Waves of requests sent at once, so that every process of a pool (4)
 * answers some: sequential requests could all land on the first one.
 */
#define WAVE	16
#define WAVES	3

/* Every answer of WAVES waves of GET path is want. */
static void
waves(const char *path, const char *token, long want)
{
	t_waves(WAVE, WAVES, path, token, want, 0);
}

/* Every me process answers 200 for token, so each has it cached. */
static void
warm(const char *token)
{
	waves("/api/auth/me", token, 200);
}

static void
assert_refused_everywhere(const char *token)
{
	waves("/api/auth/me", token, 401);
}

static void
admin_patch(const struct t_user *a, const char *id, const char *body)
{
	struct t_resp	 r;
	char		 path[200];

	snprintf(path, sizeof(path), "/api/admin/users/%s", id);
	t_http_json("PATCH", path, a->access, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(cache, a_logout_is_refused_by_every_warm_process)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "cl");
	warm(u.access);
	t_http_json("POST", "/api/auth/logout", u.access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_refused_everywhere(u.access);
}

Test(cache, a_suspension_by_an_admin_is_refused_by_every_warm_process)
{
	struct t_user		 a, u;

	t_make_admin(&a, "csa");
	t_make_user(&u, "csu");
	warm(u.access);
	admin_patch(&a, u.id, "{\"status\": \"suspended\"}");
	assert_refused_everywhere(u.access);
}

Test(cache, a_suspension_by_the_cli_is_refused_by_every_warm_process)
{
	struct t_user		 u;
	const char		*argv[] = { "user", "suspend", NULL, NULL };

	t_make_user(&u, "ccu");
	warm(u.access);
	argv[2] = u.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	assert_refused_everywhere(u.access);
}

Test(cache, a_session_ended_by_sql_is_refused_by_every_warm_process)
{
	struct t_user		 u;

	t_make_user(&u, "cq");
	warm(u.access);
	t_sql("UPDATE sessions SET ended_at = now(), end_reason = 'logout' "
	    "WHERE user_id = '%s'", u.id);
	assert_refused_everywhere(u.access);
}

Test(cache, a_password_change_ends_the_other_sessions_on_every_process)
{
	struct t_user		 u, second;
	struct t_resp		 r;

	t_make_user(&u, "cp");
	second = u;
	t_login(&second);
	warm(u.access);
	warm(second.access);
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": "
	    "\"Changed-%s-Aa9\"}", u.password, t_unique(""));
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	assert_refused_everywhere(second.access);
	warm(u.access);		/* the caller's own session goes on */
}

Test(cache, a_lost_admin_role_is_refused_by_every_warm_admin_process)
{
	struct t_user		 a, b;
	struct t_resp		 r;

	t_make_admin(&a, "cra");
	t_make_admin(&b, "crb");
	waves("/api/admin/dashboard", b.access, 200);
	admin_patch(&a, b.id, "{\"roles\": [\"user\"]}");
	waves("/api/admin/dashboard", b.access, 403);
	t_http_json("GET", "/api/admin/dashboard", b.access, NULL, &r);
	t_assert_error(&r, 403, "insufficient_scope");
	t_resp_free(&r);
}

Test(cache, a_profile_change_shows_on_every_warm_process)
{
	struct t_user		 u;
	struct t_resp		 rs[WAVE];
	const char		*none[1] = { NULL };
	size_t			 j;
	int			 i;

	t_make_user(&u, "cf");
	warm(u.access);
	t_sql("UPDATE users SET full_name = 'Changed Behind' WHERE id = '%s'",
	    u.id);
	for (i = 0; i < WAVES; i++) {
		t_http_many(WAVE, "GET", "/api/auth/me", u.access, none, 1, rs);
		for (j = 0; j < WAVE; j++) {
			cr_assert_eq(rs[j].status, 200, "%ld %s", rs[j].status,
			    rs[j].body);
			cr_assert_str_eq(t_resp_str(&rs[j], "full_name"),
			    "Changed Behind");
			t_resp_free(&rs[j]);
		}
	}
}

/*
 * Idle processes read their notifications: after a burst far larger
 * than a socket buffer, no backend of ours is left blocked writing to a
 * program that is not reading (which would hold the server's
 * notification queue).
 */
Test(cache, idle_processes_take_in_a_burst_of_notifications)
{
	struct t_user		 u;
	const char		*blocked = "";
	char			 tag[32];
	int			 i;

	t_make_user(&u, "cb");
	warm(u.access);
	snprintf(tag, sizeof(tag), "%s", t_unique("burst"));
	t_sql("INSERT INTO users (username, password_hash) SELECT '%s' || i, "
	    "'x' FROM generate_series(1, 30000) i", tag);
	t_sql("UPDATE users SET full_name = 'burst' WHERE username LIKE '%s%%'",
	    tag);
	for (i = 0; i < 50; i++) {
		t_sleep_ms(100);
		blocked = t_sql("SELECT count(*) FROM pg_stat_activity WHERE "
		    "application_name = 'gatehouse' AND wait_event = 'ClientWrite'");
		if (strcmp(blocked, "0") == 0)
			break;
	}
	cr_assert_str_eq(blocked, "0", "backends still blocked writing");
	warm(u.access);
	t_sql("DELETE FROM users WHERE username LIKE '%s%%'", tag);
}
