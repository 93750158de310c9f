/*
 * Faults under load: PostgreSQL stopped and started while clients hammer
 * GET /api/auth/me, a program killed with SIGKILL mid-load, and tables
 * grown to a million rows.  The stack's cluster is its own and the tests
 * run one at a time (test_e2e_faults.conf).
 *
 * The load comes from CLIENTS forked processes, each sending requests
 * one after another on its own keep-alive connection and writing what it
 * got (start, end, status or libcurl error) into memory shared with the
 * test.  A load runs until the test has seen the fault's end (the
 * database answering again, the program respawned) and LATE_MS more,
 * so what is asserted of the time after the fault never depends on how
 * fast this machine stops and starts things; LOAD_MAX_MS bounds it.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "client.h"
#include "run.h"

TestSuite(faults, .timeout = 300);

#define CLIENTS		4	/* concurrent load clients */
#define SAMPLES_MAX	100000	/* requests one client records, at most */
#define HANG_S		10L	/* a request taking this long has hung */
#define PIDS_MAX	64
#define LOAD_MAX_MS	120000LL /* a load stops by then, whatever happens */
#define RECOVER_MAX_MS	30000LL	/* the database answers again by then */
#define RESPAWN_MAX_MS	10000LL	/* a killed program is replaced by then */
#define LATE_MS		4000L	/* the load goes on this long after */
#define SETTLE_MS	1000LL	/* then every answer is 200 */
#define CLEANUP_MAX_S	150	/* a cleanup of two million rows */

struct sample {
	long long	 t0, t1;	/* CLOCK_MONOTONIC ms */
	long		 status;	/* 0 on a transport error */
	int		 curlerr;	/* CURLE_OK, or what went wrong */
};

struct load {
	atomic_int	 stop;		/* set by the test: clients finish */
	size_t		 n[CLIENTS];
	struct sample	 s[CLIENTS][SAMPLES_MAX];
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/*
 * One load client, in a child process: never returns.  It stops when the
 * test says so, at end, or when the test process is gone (a failed
 * assertion ends it without a word to its children).
 */
static void
load_client(struct load *l, int c, const char *url, const char *auth,
    long long end, pid_t parent)
{
	struct curl_slist	*hdr;
	struct sample		*s;
	CURL			*h;
	CURLcode		 rc;

	if ((h = curl_easy_init()) == NULL ||
	    (hdr = curl_slist_append(NULL, auth)) == NULL)
		_exit(1);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, HANG_S);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	while (l->n[c] < SAMPLES_MAX && !atomic_load(&l->stop) &&
	    now_ms() < end && getppid() == parent) {
		s = &l->s[c][l->n[c]];
		s->t0 = now_ms();
		rc = curl_easy_perform(h);
		s->t1 = now_ms();
		s->curlerr = (int)rc;
		s->status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE,
			    &s->status);
		l->n[c]++;
	}
	/* No exit handlers: they belong to the test process. */
	_exit(0);
}

/*
 * Starts CLIENTS clients sending GET /api/auth/me with token, until
 * load_stop() (or LOAD_MAX_MS).
 */
static struct load *
load_start(const char *token, pid_t pids[CLIENTS])
{
	struct load	*l;
	char		 url[512], auth[4200];
	long long	 end;
	pid_t		 parent;
	int		 c;

	/* curl_global_init happens here, before the fork. */
	cr_assert_eq(t_me_status(token), 200);
	l = mmap(NULL, sizeof(*l), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(l, MAP_FAILED);
	atomic_init(&l->stop, 0);
	snprintf(url, sizeof(url), "%s/api/auth/me", getenv("GH_TEST_BASE_URL"));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	end = now_ms() + LOAD_MAX_MS;
	parent = getpid();
	for (c = 0; c < CLIENTS; c++) {
		pids[c] = fork();
		cr_assert_neq(pids[c], -1);
		if (pids[c] == 0)
			load_client(l, c, url, auth, end, parent);
	}
	return l;
}

/* Tells the clients to finish and waits for them. */
static void
load_stop(struct load *l, pid_t pids[CLIENTS])
{
	int	 c, st;

	atomic_store(&l->stop, 1);
	for (c = 0; c < CLIENTS; c++) {
		cr_assert_eq(waitpid(pids[c], &st, 0), pids[c]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "load client %d failed", c);
	}
}

static size_t
load_count(const struct load *l)
{
	size_t	 n = 0;
	int	 c;

	for (c = 0; c < CLIENTS; c++)
		n += l->n[c];
	return n;
}

/* Prints the answers of a load, a line per 250 ms, for the test log. */
static void
load_log(const struct load *l, long long t0, const char *what)
{
	size_t		 i, ok, bad;
	long long	 from, to;
	int		 c;

	for (from = t0; ; from += 250) {
		to = from + 250;
		ok = bad = 0;
		for (c = 0; c < CLIENTS; c++)
			for (i = 0; i < l->n[c]; i++)
				if (l->s[c][i].t0 >= from &&
				    l->s[c][i].t0 < to) {
					if (l->s[c][i].status == 200)
						ok++;
					else
						bad++;
				}
		if (ok + bad == 0 && from > t0)
			break;
		cr_log_info("%s: +%5lld ms: %zu ok, %zu not", what, from - t0,
		    ok, bad);
	}
}

static size_t
pids_of(const char *prog, pid_t *pids)
{
	return t_program_pids(prog, pids, PIDS_MAX);
}

static bool
pid_in(pid_t p, const pid_t *set, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

/*
 * Polls GET /api/auth/me with token until it answers 200: the time of
 * that answer, or -1 when none came by deadline.
 */
static long long
await_200(const char *token, long long deadline)
{
	while (now_ms() < deadline) {
		if (t_me_status(token) == 200)
			return now_ms();
		t_sleep_ms(100);
	}
	return -1;
}

/* Sends a wave of concurrent requests, so every me process has served. */
static void
warm_up(const char *token)
{
	struct t_resp	 rs[16];
	const char	*none[1] = { NULL };
	size_t		 i;

	t_http_many(16, "GET", "/api/auth/me", token, none, 1, rs);
	for (i = 0; i < 16; i++) {
		cr_assert_eq(rs[i].status, 200, "warm-up: %ld %s",
		    rs[i].status, rs[i].body);
		t_resp_free(&rs[i]);
	}
}

/*
 * PostgreSQL goes away for two seconds under load: every answer is 200
 * or 503 (never a 500, a dropped connection or a hang), and once it is
 * back the very same processes answer 200 again: from SETTLE_MS after
 * the first 200 the test sees, every answer of the load is 200.
 */
Test(faults, a_database_outage_under_load_gives_503_then_recovers)
{
	struct t_user		 u;
	struct load		*l;
	const struct sample	*s;
	pid_t			 clients[CLIENTS], before[PIDS_MAX], after[PIDS_MAX];
	size_t			 nb, na, i, n503 = 0, nlate = 0;
	long long		 t0, t_down, t_up, t_back, first_ok = -1;
	int			 c;

	t_make_user(&u, "fltpg");
	warm_up(u.access);
	cr_assert_gt(nb = pids_of("me", before), 0, "no me process");

	t0 = now_ms();
	l = load_start(u.access, clients);
	t_sleep_ms(1500);
	t_down = now_ms();
	t_pg("GH_TEST_PG_STOP");
	t_sleep_ms(2000);
	t_pg("GH_TEST_PG_START");
	t_up = now_ms();
	if ((t_back = await_200(u.access, t_up + RECOVER_MAX_MS)) != -1)
		t_sleep_ms(LATE_MS);
	load_stop(l, clients);
	load_log(l, t0, "outage");
	cr_log_info("outage: stopped at +%lld ms, up again at +%lld ms, "
	    "answering at +%lld ms, %zu requests", t_down - t0, t_up - t0,
	    t_back - t0, load_count(l));
	cr_assert_neq(t_back, -1, "GET /api/auth/me did not answer 200 "
	    "within %lld ms of the restart", RECOVER_MAX_MS);

	for (c = 0; c < CLIENTS; c++)
		for (i = 0; i < l->n[c]; i++) {
			s = &l->s[c][i];
			cr_assert_eq(s->curlerr, CURLE_OK, "client %d, request "
			    "%zu at +%lld ms: %s", c, i, s->t0 - t0,
			    curl_easy_strerror((CURLcode)s->curlerr));
			cr_assert(s->status == 200 || s->status == 503,
			    "client %d, request %zu at +%lld ms: status %ld",
			    c, i, s->t0 - t0, s->status);
			if (s->status == 503)
				n503++;
			if (s->status == 200 && s->t0 >= t_up &&
			    (first_ok == -1 || s->t1 < first_ok))
				first_ok = s->t1;
			/* Once the database answers, all is well. */
			if (s->t0 >= t_back + SETTLE_MS) {
				nlate++;
				cr_assert_eq(s->status, 200, "client %d, request "
				    "%zu, %lld ms after the first 200: %ld", c,
				    i, s->t0 - t_back, s->status);
			}
		}
	cr_log_info("outage: the load's first 200 after the restart came "
	    "%lld ms after it", first_ok == -1 ? -1 : first_ok - t_up);
	cr_assert_gt(n503, 0, "no 503 while the database was down");
	cr_assert_neq(first_ok, -1, "no 200 after the database came back");
	cr_assert_gt(nlate, 0, "no requests in the %ld ms after the recovery",
	    LATE_MS);
	munmap(l, sizeof(*l));

	/* The same processes: none died and none was started. */
	na = pids_of("me", after);
	cr_assert_eq(na, nb, "%zu me processes, then %zu", nb, na);
	for (i = 0; i < na; i++)
		cr_assert(pid_in(after[i], before, nb), "me process %d is new",
		    (int)after[i]);
}

/*
 * One me process is killed with SIGKILL mid-load.  What lighttpd 1.4.69
 * does (its error.log says so): the requests it had already written to
 * the dying process's socket, in the listen backlog or being served, get
 * "response not received, request sent ... closing connection" and the
 * client gets lighttpd's own 500 (still an HTTP answer); "child
 * signalled: 9" follows, and it spawns a replacement at once; meanwhile
 * a connect to the dead socket is refused and lighttpd sends the request
 * to another process of the pool, so nothing else fails.  So: at most
 * one failure per client, each a 500 under way at the kill, and none
 * after the replacement is there.
 */
Test(faults, a_killed_program_is_respawned_and_no_request_fails_after)
{
	struct t_user		 u;
	struct load		*l;
	const struct sample	*s;
	pid_t			 clients[CLIENTS], before[PIDS_MAX], now[PIDS_MAX];
	pid_t			 victim, fresh = 0;
	size_t			 nb, nn, i, failed = 0, after_respawn = 0;
	long long		 t0, t_kill, t_respawn = -1;
	const char		*server;
	int			 c;

	server = getenv("GH_TEST_SERVER");
	if (server != NULL && *server != '\0' && strcmp(server, "lighttpd") != 0)
		cr_skip_test("what follows a killed program is lighttpd's, "
		    "not %s's", server);
	t_make_user(&u, "fltkill");
	warm_up(u.access);
	nb = pids_of("me", before);
	cr_assert_geq(nb, 2, "the pool needs two me processes, has %zu", nb);
	victim = before[0];

	t0 = now_ms();
	l = load_start(u.access, clients);
	t_sleep_ms(2000);
	t_kill = now_ms();
	cr_assert_eq(kill(victim, SIGKILL), 0);
	/* The replacement: a me process that was not there before. */
	while (t_respawn == -1 && now_ms() < t_kill + RESPAWN_MAX_MS) {
		nn = pids_of("me", now);
		for (i = 0; i < nn; i++)
			if (!pid_in(now[i], before, nb)) {
				fresh = now[i];
				t_respawn = now_ms();
			}
		if (t_respawn == -1)
			t_sleep_ms(20);
	}
	if (t_respawn != -1)
		t_sleep_ms(LATE_MS);
	load_stop(l, clients);
	load_log(l, t0, "kill");
	cr_log_info("kill: pid %d killed at +%lld ms, pid %d there at +%lld "
	    "ms, %zu requests", (int)victim, t_kill - t0, (int)fresh,
	    t_respawn - t0, load_count(l));
	cr_assert_neq(t_respawn, -1, "lighttpd did not respawn me within "
	    "%lld ms", RESPAWN_MAX_MS);

	for (c = 0; c < CLIENTS; c++)
		for (i = 0; i < l->n[c]; i++) {
			s = &l->s[c][i];
			if (s->t0 >= t_respawn) {
				after_respawn++;
				cr_assert_eq(s->status, 200, "client %d, request "
				    "%zu, %lld ms after the respawn: %ld %s", c,
				    i, s->t0 - t_respawn, s->status,
				    curl_easy_strerror((CURLcode)s->curlerr));
				continue;
			}
			if (s->status == 200)
				continue;
			failed++;
			cr_log_info("kill: client %d, request %zu (+%lld to "
			    "+%lld ms): %ld %s", c, i, s->t0 - t0, s->t1 - t0,
			    s->status, curl_easy_strerror(
			    (CURLcode)s->curlerr));
			cr_assert_eq(s->curlerr, CURLE_OK, "client %d, request "
			    "%zu at +%lld ms: %s", c, i, s->t0 - t0,
			    curl_easy_strerror((CURLcode)s->curlerr));
			cr_assert_eq(s->status, 500, "client %d, request %zu at "
			    "+%lld ms: %ld", c, i, s->t0 - t0, s->status);
			/*
			 * Under way when the process died: the kill takes
			 * a moment to land (an ASan process takes longer
			 * to tear down), hence up to 2 s after it.
			 */
			cr_assert(s->t1 >= t_kill && s->t0 < t_kill + 2000,
			    "client %d, request %zu (+%lld to +%lld ms) failed "
			    "though the kill was at +%lld ms", c, i,
			    s->t0 - t0, s->t1 - t0, t_kill - t0);
		}
	cr_assert_leq(failed, CLIENTS, "%zu requests failed around the kill",
	    failed);
	cr_assert_gt(after_respawn, 0, "no requests after the respawn");
	munmap(l, sizeof(*l));

	/* The pool is whole again, without the victim. */
	nn = pids_of("me", now);
	cr_assert_eq(nn, nb, "%zu me processes, then %zu", nb, nn);
	cr_assert(!pid_in(victim, now, nn), "the killed process is still there");
	cr_assert(pid_in(fresh, now, nn));
	cr_assert_eq(t_me_status(u.access), 200);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define TIMED	51	/* requests a median is taken of */

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The median time of GET /api/auth/me, in seconds. */
static double
median_me(const char *token)
{
	struct t_resp	 r;
	double		 t[TIMED];
	size_t		 i;

	for (i = 0; i < TIMED; i++) {
		t_http_json("GET", "/api/auth/me", token, NULL, &r);
		cr_assert_eq(r.status, 200, "me: %ld %s", r.status, r.body);
		t[i] = r.seconds;
		t_resp_free(&r);
	}
	return median(t, TIMED);
}

/* The median time of a failed login of username, in seconds. */
static double
median_failed_login(const char *username)
{
	struct t_resp	 r;
	double		 t[TIMED];
	size_t		 i;

	for (i = 0; i < TIMED; i++) {
		t_http_jsonf("POST", "/api/auth/login", NULL, &r,
		    "{\"username\": \"%s\", \"password\": \"Not-The-Pass-1\"}",
		    username);
		cr_assert_eq(r.status, 401, "failed login: %ld %s", r.status,
		    r.body);
		t[i] = r.seconds;
		t_resp_free(&r);
	}
	return median(t, TIMED);
}

/*
 * Slower by at most 3 times, give or take 10 ms of noise (a sequential
 * scan of a million rows costs far more than that); then what the fill
 * put in, long dead, is deleted by `gatehouse cleanup` as cron runs it.
 */
Test(faults, a_million_dead_rows_keep_the_speed_and_cleanup_removes_them)
{
	struct t_user		 u;
	double			 me0, fail0, me1, fail1;
	const char		*argv[] = { "cleanup", NULL };
	long long		 t;

	t_make_user(&u, "fltbig");
	(void)median_me(u.access);		/* warm: connections, plans */
	me0 = median_me(u.access);
	fail0 = median_failed_login(u.username);

	t = now_ms();
	/*
	 * Failed logins a day old and more: a tenth of them this user's
	 * account, half of them from this client's address (127.0.0.1),
	 * so a query that read them would read a lot of them.
	 */
	t_sql("INSERT INTO login_failures (account, address, failed_at) "
	    "SELECT CASE WHEN i %% 10 = 0 THEN 'id:%s' "
	    "ELSE 'name:username:ghost' || i END, "
	    "CASE WHEN i %% 2 = 0 THEN '127.0.0.1' "
	    "ELSE '10.' || i %% 250 || '.' || i / 250 %% 250 || '.1' END, "
	    "now() - interval '1 day' - make_interval(secs => i) "
	    "FROM generate_series(1, 1000000) i", u.id);
	/* This user's sessions, half ended, half expired, weeks ago. */
	t_sql("INSERT INTO sessions (user_id, created_at, expires_at, "
	    "ended_at, end_reason) "
	    "SELECT '%s', now() - interval '60 days', "
	    "now() - interval '30 days' - make_interval(secs => i), "
	    "CASE WHEN i %% 2 = 0 THEN now() - interval '40 days' END, "
	    "CASE WHEN i %% 2 = 0 THEN 'logout' END "
	    "FROM generate_series(1, 1000000) i", u.id);
	/* What autovacuum does soon after a bulk load, done now. */
	t_sql("ANALYZE login_failures");
	t_sql("ANALYZE sessions");
	cr_log_info("big: filled in %lld ms", now_ms() - t);

	me1 = median_me(u.access);
	fail1 = median_failed_login(u.username);
	cr_log_info("big: median me %.2f ms, then %.2f ms; failed login "
	    "%.2f ms, then %.2f ms", me0 * 1e3, me1 * 1e3, fail0 * 1e3,
	    fail1 * 1e3);
	cr_assert_leq(me1, 3 * me0 + 0.010, "GET /api/auth/me: median %.2f "
	    "ms with a million dead rows, %.2f ms without", me1 * 1e3,
	    me0 * 1e3);
	cr_assert_leq(fail1, 3 * fail0 + 0.010, "a failed login: median "
	    "%.2f ms with a million dead rows, %.2f ms without", fail1 * 1e3,
	    fail0 * 1e3);

	/*
	 * Seconds on an idle machine, but past t_run()'s 30 on a loaded one:
	 * the limit is to catch a hang, and this is no hang.
	 */
	t_run_timeout(CLEANUP_MAX_S);
	t = now_ms();
	cr_assert_eq(t_cli(argv, NULL), 0, "gatehouse cleanup failed");
	cr_log_info("big: cleanup took %lld ms", now_ms() - t);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM login_failures WHERE "
	    "failed_at < now() - interval '1 hour'"), "0");
	cr_assert_str_eq(t_sql("SELECT count(*) FROM sessions WHERE "
	    "user_id = '%s' AND coalesce(ended_at, expires_at) < now()", u.id),
	    "0");
	/* What is alive stays: the login's session, the recent failures. */
	cr_assert_eq(t_me_status(u.access), 200);
	cr_assert_str_eq(t_sql("SELECT count(*) >= %d FROM login_failures "
	    "WHERE account = 'id:%s'", 2 * TIMED, u.id), "t");
}
