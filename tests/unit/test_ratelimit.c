/*
 * ratelimit: the shared table counts per address and per minute, rolls
 * over with the window, is shared by processes that map it, and a
 * collision only ever makes a limit stricter.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/ratelimit.h"

static char	 dir[64];

static void
make_dir(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/gh-rl.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
remove_dir(void)
{
	char	 cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ratelimit, .init = make_dir, .fini = remove_dir);

static void
open_table(struct gh_ratelimit *rl, const char *key, int entries, int limit)
{
	char	 err[256];

	cr_assert_eq(gh_ratelimit_open(rl, dir, key, entries, limit, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert(gh_ratelimit_on(rl));
}

/* A minute's start, far from the epoch. */
#define T0	((time_t)1800000000 - (time_t)1800000000 % 60)

Test(ratelimit, counts_up_to_the_limit_then_refuses)
{
	struct gh_ratelimit		 rl;
	struct gh_ratelimit_verdict	 v;
	int				 i;

	open_table(&rl, "/etc/a.conf", 1024, 5);
	for (i = 1; i <= 5; i++) {
		gh_ratelimit_hit(&rl, "192.0.2.1", T0 + 18, &v);
		cr_assert_not(v.limited, "request %d", i);
		cr_assert_eq(v.remaining, 5 - i);
		cr_assert_eq(v.reset, 42);
	}
	gh_ratelimit_hit(&rl, "192.0.2.1", T0 + 59, &v);
	cr_assert(v.limited);
	cr_assert_eq(v.remaining, 0);
	cr_assert_eq(v.reset, 1);
	/* Peeking reads the count and adds none. */
	gh_ratelimit_peek(&rl, "192.0.2.1", T0 + 59, &v);
	cr_assert(v.limited);
	gh_ratelimit_close(&rl);
	cr_assert_not(gh_ratelimit_on(&rl));
}

Test(ratelimit, a_new_window_starts_from_nothing)
{
	struct gh_ratelimit		 rl;
	struct gh_ratelimit_verdict	 v;
	int				 i;

	open_table(&rl, "k", 1024, 3);
	for (i = 0; i < 4; i++)
		gh_ratelimit_hit(&rl, "2001:db8::1", T0 + 30, &v);
	cr_assert(v.limited);
	gh_ratelimit_hit(&rl, "2001:db8::1", T0 + 60, &v);
	cr_assert_not(v.limited);
	cr_assert_eq(v.remaining, 2);
	cr_assert_eq(v.reset, 60);
	gh_ratelimit_peek(&rl, "2001:db8::1", T0 + 125, &v);
	cr_assert_eq(v.remaining, 3);
	gh_ratelimit_close(&rl);
}

Test(ratelimit, addresses_count_apart_and_an_ipv6_64_together)
{
	struct gh_ratelimit		 rl;
	struct gh_ratelimit_verdict	 v;

	open_table(&rl, "k", 1048576, 10);
	gh_ratelimit_hit(&rl, "192.0.2.1", T0, &v);
	gh_ratelimit_hit(&rl, "192.0.2.1", T0, &v);
	cr_assert_eq(v.remaining, 8);
	gh_ratelimit_hit(&rl, "192.0.2.2", T0, &v);
	cr_assert_eq(v.remaining, 9);
	/* One /64 is one client; an IPv4-mapped address is the IPv4 one. */
	gh_ratelimit_hit(&rl, "2001:db8:0:1::1", T0, &v);
	gh_ratelimit_hit(&rl, "2001:db8:0:1:ffff::2", T0, &v);
	cr_assert_eq(v.remaining, 8);
	gh_ratelimit_hit(&rl, "::ffff:192.0.2.2", T0, &v);
	cr_assert_eq(v.remaining, 8);
	gh_ratelimit_close(&rl);
}

/*
 * With one slot every address collides: they share one count, so each
 * is refused sooner than alone, never later.
 */
Test(ratelimit, a_collision_is_stricter_never_looser)
{
	struct gh_ratelimit		 one, big;
	struct gh_ratelimit_verdict	 v, w;
	char				 addr[32];
	int				 i, n = 0;

	open_table(&one, "one", 1, 10);
	open_table(&big, "big", 1048576, 10);
	for (i = 0; i < 30; i++) {
		(void)snprintf(addr, sizeof(addr), "198.51.100.%d", i % 3);
		gh_ratelimit_hit(&one, addr, T0, &v);
		gh_ratelimit_hit(&big, addr, T0, &w);
		/* Whatever big refuses, one refuses too. */
		cr_assert(!w.limited || v.limited);
		cr_assert_leq(v.remaining, w.remaining);
		n += v.limited;
	}
	cr_assert_eq(n, 20);
	gh_ratelimit_close(&one);
	gh_ratelimit_close(&big);
}

Test(ratelimit, processes_that_map_it_share_the_count)
{
	struct gh_ratelimit		 rl;
	struct gh_ratelimit_verdict	 v;
	pid_t				 pid[4];
	int				 i, j, st;

	for (i = 0; i < 4; i++) {
		cr_assert_neq(pid[i] = fork(), -1);
		if (pid[i] == 0) {
			struct gh_ratelimit	 own;
			char			 err[256];

			if (gh_ratelimit_open(&own, dir, "node", 64, 1000000,
			    err, sizeof(err)) == -1)
				_exit(1);
			for (j = 0; j < 1000; j++)
				gh_ratelimit_hit(&own, "203.0.113.7", T0, &v);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		cr_assert_eq(waitpid(pid[i], &st, 0), pid[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	open_table(&rl, "node", 64, 1000000);
	gh_ratelimit_peek(&rl, "203.0.113.7", T0, &v);
	cr_assert_eq(v.remaining, 1000000 - 4000);
	gh_ratelimit_close(&rl);
}

Test(ratelimit, another_config_has_another_table)
{
	struct gh_ratelimit		 a, b;
	struct gh_ratelimit_verdict	 v;

	open_table(&a, "/srv/a/gatehouse.conf", 64, 5);
	open_table(&b, "/srv/b/gatehouse.conf", 64, 5);
	cr_assert_str_neq(a.path, b.path);
	gh_ratelimit_hit(&a, "192.0.2.9", T0, &v);
	gh_ratelimit_peek(&b, "192.0.2.9", T0, &v);
	cr_assert_eq(v.remaining, 5);
	gh_ratelimit_close(&a);
	gh_ratelimit_close(&b);
}

Test(ratelimit, an_unusable_dir_leaves_it_off)
{
	struct gh_ratelimit		 rl;
	struct gh_ratelimit_verdict	 v;
	char				 err[256], missing[128];

	(void)snprintf(missing, sizeof(missing), "%s/none", dir);
	cr_assert_eq(gh_ratelimit_open(&rl, missing, "k", 64, 5, err,
	    sizeof(err)), -1);
	cr_assert_not(gh_ratelimit_on(&rl));
	cr_assert_not_null(strstr(err, "cannot open"));
	gh_ratelimit_hit(&rl, "192.0.2.1", T0, &v);
	cr_assert_not(v.limited);
	gh_ratelimit_close(&rl);
}

Test(ratelimit, another_users_or_open_file_is_refused)
{
	struct gh_ratelimit	 rl;
	char			 err[256];

	open_table(&rl, "k", 64, 5);
	gh_ratelimit_close(&rl);
	cr_assert_eq(chmod(rl.path, 0666), 0);
	cr_assert_eq(gh_ratelimit_open(&rl, dir, "k", 64, 5, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "alone"), "%s", err);
}
