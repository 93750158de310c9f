/*
 * The session cache with auth_cache_max_staleness_ms = 2000 (the .conf),
 * end to end: every process of a pool has answered for a token before a
 * change, so each holds it; right after the change an answer may still
 * be the old one (never anything but the old or the new), and once the
 * bound has passed every answer is the new one.  That it IS still the
 * old one right after is not asserted: a process may have taken the
 * notification in already, and should.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(staleness, .timeout = 120);

/* The .conf's bound, and a margin for a busy machine past it. */
#define BOUND_MS	2000
#define MARGIN_MS	1000

/* Waves of requests sent at once, so that every process (4) answers. */
#define WAVE	16
#define WAVES	3

/* Every answer of WAVES waves of GET path is want, or else alt (0: none). */
static void
waves_of(const char *path, const char *token, long want, long alt)
{
	t_waves(WAVE, WAVES, path, token, want, alt);
}

static void
warm(const char *path, const char *token)
{
	waves_of(path, token, 200, 0);
}

/* Past the bound: every process must have seen the change. */
static void
wait_out_the_bound(void)
{
	t_sleep_ms(BOUND_MS + MARGIN_MS);
}

static void
logout(const struct t_user *u)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/logout", u->access, NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(staleness, a_logout_is_refused_everywhere_once_the_bound_has_passed)
{
	struct t_user	 u;

	t_make_user(&u, "sl");
	warm("/api/auth/me", u.access);
	logout(&u);
	wait_out_the_bound();
	waves_of("/api/auth/me", u.access, 401, 0);
}

/*
 * Within the bound a revocation may be unseen, but an answer is only
 * ever the old one or the new one; past it, only the new one.
 */
Test(staleness, a_revocation_is_old_or_new_at_once_and_new_past_the_bound)
{
	struct t_user	 u;

	t_make_user(&u, "sr");
	warm("/api/auth/me", u.access);
	t_sql("UPDATE sessions SET ended_at = now(), end_reason = 'logout' "
	    "WHERE user_id = '%s'", u.id);
	waves_of("/api/auth/me", u.access, 401, 200);
	wait_out_the_bound();
	waves_of("/api/auth/me", u.access, 401, 0);
}

Test(staleness, a_suspension_by_the_cli_is_refused_once_the_bound_has_passed)
{
	struct t_user	 u;
	const char	*argv[] = { "user", "suspend", NULL, NULL };

	t_make_user(&u, "ss");
	warm("/api/auth/me", u.access);
	argv[2] = u.username;
	cr_assert_eq(t_cli(argv, NULL), 0);
	waves_of("/api/auth/me", u.access, 401, 200);
	wait_out_the_bound();
	waves_of("/api/auth/me", u.access, 401, 0);
}

Test(staleness, a_lost_admin_role_is_refused_once_the_bound_has_passed)
{
	struct t_user	 a, b;
	struct t_resp	 r;
	char		 path[200];

	t_make_admin(&a, "sra");
	t_make_admin(&b, "srb");
	warm("/api/admin/dashboard", b.access);
	cr_assert(snprintf(path, sizeof(path), "/api/admin/users/%s", b.id) <
	    (int)sizeof(path));
	t_http_json("PATCH", path, a.access, "{\"roles\": [\"user\"]}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	waves_of("/api/admin/dashboard", b.access, 403, 200);
	wait_out_the_bound();
	waves_of("/api/admin/dashboard", b.access, 403, 0);
}

/* What a session is allowed does not change: it is answered throughout. */
Test(staleness, an_unchanged_session_is_answered_throughout)
{
	struct t_user	 u;

	t_make_user(&u, "su");
	warm("/api/auth/me", u.access);
	wait_out_the_bound();
	warm("/api/auth/me", u.access);
}
