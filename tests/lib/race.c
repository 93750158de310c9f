/*
 * race: /me against a session's ending.  See race.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "client.h"
#include "race.h"

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	cr_assert_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Calls /me until stop reads as closed, reporting "start status" on out. */
static void
keep_calling(const char *access, int stop, int out)
{
	struct pollfd	 pfd;
	char		 line[64];
	int64_t		 t0;
	long		 st;
	int		 n;

	/* Connections of its own: the parent's are not this process's. */
	t_client_from("127.0.0.1");
	pfd.fd = stop;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 0) != 0)
			break;
		t0 = now_ns();
		st = t_me_status(access);
		n = snprintf(line, sizeof(line), "%lld %ld\n", (long long)t0,
		    st);
		if (n <= 0 || write(out, line, (size_t)n) != n)
			_exit(1);
	}
	_exit(0);
}

/* What the clients said of each /me, around the ending. */
struct race {
	int64_t	before, answered;	/* 0 while not yet */
	int	early_ok, late;
};

/* One client's line: a 200 before the ending, or a late call. */
static void
tally(struct race *r, long long t0, long st)
{
	if ((r->before == 0 || t0 < r->before) && st == 200)
		r->early_ok++;
	if (r->answered != 0 && t0 > r->answered) {
		r->late++;
		cr_assert_eq(st, 401, "a /me started %lld ns after the "
		    "session's end answered got %ld", (long long)(t0 -
		    r->answered), st);
	}
}

/*
 * Reads the clients' lines until *count reaches want or ten seconds
 * pass: a loaded machine (Apache's process manager among it) may take
 * long to answer, and the test needs calls on both sides.
 */
static void
read_until(FILE *in, struct race *r, const int *count, int want)
{
	int64_t		 until = now_ns() + 10 * (int64_t)1000000000;
	long long	 t0;
	long		 st;

	while (*count < want && now_ns() < until &&
	    fscanf(in, "%lld %ld", &t0, &st) == 2)
		tally(r, t0, st);
}

void
t_race_me(const char *access, void (*end)(const void *), const void *arg)
{
	struct race	 r = { 0, 0, 0, 0 };
	pid_t		 kids[T_RACE_CLIENTS];
	int		 stop[2], res[2], i, status;
	long long	 t0;
	long		 st;
	FILE		*in;

	cr_assert_eq(pipe(stop), 0);
	cr_assert_eq(pipe(res), 0);
	for (i = 0; i < T_RACE_CLIENTS; i++) {
		cr_assert_neq(kids[i] = fork(), -1);
		if (kids[i] == 0) {
			close(stop[1]);
			close(res[0]);
			keep_calling(access, stop[0], res[1]);
		}
	}
	close(stop[0]);
	close(res[1]);
	cr_assert_not_null(in = fdopen(res[0], "r"));
	read_until(in, &r, &r.early_ok, 1);
	r.before = now_ns();
	end(arg);
	r.answered = now_ns();
	read_until(in, &r, &r.late, T_RACE_CLIENTS);
	close(stop[1]);
	while (fscanf(in, "%lld %ld", &t0, &st) == 2)
		tally(&r, t0, st);
	fclose(in);
	for (i = 0; i < T_RACE_CLIENTS; i++) {
		cr_assert_eq(waitpid(kids[i], &status, 0), kids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cr_assert_gt(r.early_ok, 0, "no /me succeeded before the ending");
	cr_assert_gt(r.late, 0, "no /me started after the ending");
}
