/*
 * Key rotation and retirement under load (issue 14), against requests
 * in flight on every process of the pool:
 *
 * - rotation: WORKERS clients keep logging in and refreshing, check
 *   every fresh token at /api/auth/me and through the authorizer
 *   (/members/), and hand it to tests/verifiers/jwks_cache_verify.py:
 *   jwcrypto with one JWKS copy kept exactly max-age and never fetched
 *   again for an unknown kid, as a resource server does.  Meanwhile
 *   `gatehouse keys rotate` runs every ROTATE_MS, then `keys retire
 *   --expired`.  Not one check may fail, online or offline: the next
 *   key is published max-age before it signs, the previous one stays
 *   published while its tokens live.  The checker is code nobody here
 *   wrote because the promise is to other services, and our own
 *   verifier shares our reading of the key set.
 * - retirement: PROBERS clients loop on /me and /members/ with one
 *   token whose key every process has already verified and remembered
 *   (domain/tokencache.h); `gatehouse keys retire KID --now` runs in
 *   the middle.  Every request sent after it returned gets 401, every
 *   one done before it started 200, and nothing else comes back.
 *
 * The clients are forked processes, each on its own keep-alive
 * connection, reporting through memory shared with the test; times are
 * CLOCK_MONOTONIC nanoseconds, which the verifier reads too.  The tests
 * share one key set, so they run one at a time (test_e2e_rotation.conf),
 * each leaving one current key and no next one.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "client.h"

#ifndef T_VERIFIERS
#error "T_VERIFIERS (the tests/verifiers directory) is not defined"
#endif

TestSuite(rotation, .timeout = 180);

#define ISSUER		"https://gatehouse.test"	/* the .conf's */
#define MAX_AGE_MS	2000LL	/* the .conf's jwks_max_age_seconds */
#define MEMBERS		"/members/index.txt"	/* behind the authorizer */

#define WORKERS		4	/* rotation: clients */
#define ROTATIONS	5
#define ROTATE_MS	3000LL	/* between rotations */
#define LOGIN_EVERY	4	/* a login, else a refresh */
#define OLD_EVERY	8	/* the worker's first token checked again */
#define CHECKS_MIN	200	/* each of online and offline, at least */
#define LAG_MAX_MS	1000	/* a token is checked offline within this */
#define HEADS_MAX	16	/* distinct token headers a worker notes */
/* A worker's round at most this often: the verifier keeps up. */
#define PACE_MS		30LL

#define PROBERS		4	/* retirement: clients */
#define PROBES_MAX	50000	/* requests one prober records, at most */
#define WARM		40	/* 200s each prober sees before retiring */
#define AFTER_MS	1500LL	/* the probers go on this long after */

#define LOAD_MAX_MS	60000LL	/* a client stops by then, whatever happens */
#define HANG_S		10L	/* a request taking this long has hung */
#define TOKEN_MAX	4096
#define NOTE_MAX	256

static long long
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One client's connection and the body of its last answer. */
struct conn {
	CURL	*h;
	char	 base[256];
	char	 body[8192];
	size_t	 len;
};

/* Keeps what fits: a cut JSON body fails to parse, which is reported. */
static size_t
keep_body(char *p, size_t size, size_t n, void *arg)
{
	struct conn	*c = arg;
	size_t		 len = size * n, room = sizeof(c->body) - 1 - c->len;

	memcpy(c->body + c->len, p, len < room ? len : room);
	c->len += len < room ? len : room;
	c->body[c->len] = '\0';
	return size * n;
}

/* In a child: the connection to the stack, or -1. */
static int
conn_open(struct conn *c, const char *base)
{
	memset(c, 0, sizeof(*c));
	if (snprintf(c->base, sizeof(c->base), "%s", base) >=
	    (int)sizeof(c->base) || (c->h = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT, HANG_S);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	return 0;
}

/*
 * A GET of path with token as a bearer, or a POST of json (not NULL)
 * without one: the status, 0 on a transport error.
 */
static long
conn_do(struct conn *c, const char *path, const char *token,
    const char *json)
{
	struct curl_slist	*sl = NULL, *t;
	char			 url[512], auth[TOKEN_MAX + 32];
	long			 status = 0;

	c->len = 0;
	c->body[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		if ((t = curl_slist_append(sl, auth)) == NULL)
			return 0;
		sl = t;
	}
	if (json != NULL) {
		if ((t = curl_slist_append(sl,
		    "Content-Type: application/json")) == NULL)
			goto out;
		sl = t;
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, json);
	} else
		curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, sl);
	if (curl_easy_perform(c->h) == CURLE_OK)
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
out:
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(sl);
	return status;
}

/* What the test and its clients share, first in each test's memory. */
struct clients {
	atomic_int	 stop;		/* set by the test: clients finish */
	long long	 end;		/* a client stops by then anyway */
	pid_t		 parent;	/* the test process */
	char		 base[256];	/* the stack's URL */
};

/* Memory of size bytes shared with the clients, starting a struct clients. */
static void *
clients_map(size_t size)
{
	struct clients	*c;

	c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(c, MAP_FAILED);
	memset(c, 0, size);
	atomic_init(&c->stop, 0);
	c->end = now_ns() + LOAD_MAX_MS * 1000000;
	c->parent = getpid();
	snprintf(c->base, sizeof(c->base), "%s", getenv("GH_TEST_BASE_URL"));
	return c;
}

/* Forks n clients running fn(arg, i); returns in the test only. */
static void
clients_start(pid_t *pids, int n, void (*fn)(void *, int), void *arg)
{
	int	 i;

	for (i = 0; i < n; i++) {
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (pids[i] == 0) {
			fn(arg, i);
			/* No exit handlers: they belong to the test process. */
			_exit(0);
		}
	}
}

/* Tells the n clients to stop and waits for them. */
static void
clients_stop(struct clients *c, pid_t *pids, int n)
{
	int	 i, st;

	atomic_store(&c->stop, 1);
	for (i = 0; i < n; i++) {
		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "client %d failed", i);
	}
}

/* Whether a client goes on: not told to stop, the test still there. */
static int
client_goes_on(struct clients *c)
{
	return !atomic_load(&c->stop) && now_ns() < c->end &&
	    getppid() == c->parent;
}

static void
sleep_until(long long ns)
{
	long long	 d = ns - now_ns();

	if (d > 0)
		t_sleep_ms((long)(d / 1000000));
}

static void
keys_cli(const char *a, const char *b, const char *c)
{
	const char	*argv[] = { "keys", a, b, c, NULL };

	cr_assert_eq(t_cli(argv, NULL), 0, "gatehouse keys %s %s", a,
	    b != NULL ? b : "");
}

/* The token's kid ("" when none). */
static void
kid_of(const char *token, char *out, size_t outsz)
{
	struct json_object	*h, *v;

	h = t_jwt_part(token, 0);
	cr_assert_not_null(h);
	snprintf(out, outsz, "%s", json_object_object_get_ex(h, "kid", &v) ?
	    json_object_get_string(v) : "");
	json_object_put(h);
}

/* Waits until no next key waits to sign (a test before may have left one). */
static void
no_next_key(void)
{
	if (strcmp(t_sql("SELECT count(*) FROM signing_keys WHERE "
	    "signs_from > now() AND retired_at IS NULL"), "0") != 0)
		t_sleep_ms((long)MAX_AGE_MS + 500);
}

/* GET path with token: the status. */
static long
get_status(const char *path, const char *token)
{
	struct t_resp	 r;
	char		 auth[TOKEN_MAX + 32];
	const char	*h[2] = { auth, NULL };
	long		 st;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	t_http("GET", path, h, NULL, 0, &r);
	st = r.status;
	t_resp_free(&r);
	return st;
}

/*
 * Waves of path with token, every answer want: each process sees it.
 * As wide as the probers, no wider: mod_fcgid makes a request that
 * finds every process busy wait seconds.
 */
static void
waves(const char *path, const char *token, long want)
{
	struct t_resp	 rs[PROBERS];
	const char	*none[1] = { NULL };
	size_t		 i;
	int		 w;

	for (w = 0; w < 3; w++) {
		t_http_many(PROBERS, "GET", path, token, none, 1, rs);
		for (i = 0; i < PROBERS; i++) {
			cr_assert_eq(rs[i].status, want, "%s, wave %d: %ld %s",
			    path, w, rs[i].status, rs[i].body);
			t_resp_free(&rs[i]);
		}
	}
}

/* ----- rotation under load ----- */

struct worker {
	long	 online;	/* /me and authorizer checks */
	long	 offline;	/* tokens handed to the verifier */
	long	 failures;
	char	 failure[NOTE_MAX];	/* the first */
	size_t	 nheads;	/* distinct token headers: one a kid */
	char	 heads[HEADS_MAX][128];
};

struct rotation {
	struct clients	 c;
	int		 verifier;	/* the verifier's stdin */
	struct t_user	 users[WORKERS];
	struct worker	 w[WORKERS];
};

static void	worker_fail(struct worker *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Counts a failure; the first is told. */
static void
worker_fail(struct worker *w, const char *fmt, ...)
{
	va_list	 ap;

	if (w->failures++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(w->failure, sizeof(w->failure), fmt, ap);
	va_end(ap);
}

/* The header segment of token, noted once (the kid, in effect). */
static void
worker_head(struct worker *w, const char *token)
{
	const char	*dot = strchr(token, '.');
	size_t		 i, len;

	len = dot != NULL ? (size_t)(dot - token) : 0;
	if (len == 0 || len >= sizeof(w->heads[0]))
		return;
	for (i = 0; i < w->nheads; i++)
		if (strncmp(w->heads[i], token, len) == 0 &&
		    w->heads[i][len] == '\0')
			return;
	if (w->nheads < HEADS_MAX) {
		memcpy(w->heads[w->nheads], token, len);
		w->heads[w->nheads++][len] = '\0';
	}
}

/* /me and the authorizer take token. */
static void
worker_online(struct worker *w, struct conn *c, const char *token)
{
	static const char *const paths[] = { "/api/auth/me", MEMBERS };
	long		 st;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		st = conn_do(c, paths[i], token, NULL);
		w->online++;
		if (st != 200)
			worker_fail(w, "GET %s: %ld %.160s", paths[i], st,
			    c->body);
	}
}

/* Hands token to the outside verifier, with the time: one atomic write. */
static void
worker_offline(struct worker *w, int fd, const char *token)
{
	char		 line[TOKEN_MAX + 32];
	int		 n;

	n = snprintf(line, sizeof(line), "%s %lld\n", token, now_ns());
	/* PIPE_BUF (4096) bytes at most: the workers' lines never mix. */
	if (n <= 0 || n > 4096 || write(fd, line, (size_t)n) != n) {
		worker_fail(w, "the verifier is gone");
		return;
	}
	w->offline++;
}

/* A login (or a refresh) of u: its new tokens, or -1. */
static int
worker_tokens(struct worker *w, struct conn *c, struct t_user *u, int login)
{
	struct json_object	*o, *a, *r;
	char			 body[1024];
	long			 st;
	int			 rc = -1;

	if (login)
		snprintf(body, sizeof(body), "{\"username\": \"%s\", "
		    "\"password\": \"%s\"}", u->username, u->password);
	else
		snprintf(body, sizeof(body), "{\"refresh_token\": \"%s\"}",
		    u->refresh);
	st = conn_do(c, login ? "/api/auth/login" : "/api/auth/refresh",
	    NULL, body);
	if (st != 200 || (o = json_tokener_parse(c->body)) == NULL) {
		worker_fail(w, "%s: %ld %.160s", login ? "login" : "refresh",
		    st, c->body);
		return -1;
	}
	if (json_object_object_get_ex(o, "access_token", &a) &&
	    json_object_object_get_ex(o, "refresh_token", &r) &&
	    snprintf(u->access, sizeof(u->access), "%s",
	    json_object_get_string(a)) < (int)sizeof(u->access) &&
	    snprintf(u->refresh, sizeof(u->refresh), "%s",
	    json_object_get_string(r)) < (int)sizeof(u->refresh))
		rc = 0;
	else
		worker_fail(w, "%s: %ld no tokens in %.160s", login ? "login" :
		    "refresh", st, c->body);
	json_object_put(o);
	return rc;
}

/*
 * One worker: fresh tokens, each checked online and offline, and now
 * and then its first token (of the key that signed before any
 * rotation) checked again, both ways.
 */
static void
worker_run(void *arg, int i)
{
	struct rotation	*l = arg;
	struct worker	*w = &l->w[i];
	struct t_user	*u = &l->users[i];
	struct conn	 c;
	char		 first[TOKEN_MAX];
	long long	 t0;
	long		 n;

	signal(SIGPIPE, SIG_IGN);
	if (conn_open(&c, l->c.base) == -1)
		_exit(1);
	snprintf(first, sizeof(first), "%s", u->access);
	for (n = 1; client_goes_on(&l->c); n++) {
		t0 = now_ns();
		if (worker_tokens(w, &c, u, n % LOGIN_EVERY == 0) == -1) {
			/* A refresh token lost with a failure: log in again. */
			if (worker_tokens(w, &c, u, 1) == -1)
				continue;
		}
		worker_head(w, u->access);
		worker_online(w, &c, u->access);
		worker_offline(w, l->verifier, u->access);
		if (n % OLD_EVERY == 0) {
			worker_online(w, &c, first);
			worker_offline(w, l->verifier, first);
		}
		sleep_until(t0 + PACE_MS * 1000000);
	}
	curl_easy_cleanup(c.h);
}

/* Starts the verifier reading *in; its report comes on *out. */
static pid_t
verifier_start(int *in, int *out)
{
	char		 url[512], ready[16];
	const char	*base = getenv("GH_TEST_BASE_URL");
	int		 pin[2], pout[2], i;
	pid_t		 pid;

	cr_assert_not_null(base);
	snprintf(url, sizeof(url), "%s/.well-known/jwks.json", base);
	/* Close-on-exec: `gatehouse keys` must not hold its stdin open. */
	cr_assert_eq(pipe(pin), 0);
	cr_assert_eq(pipe(pout), 0);
	for (i = 0; i < 2; i++) {
		cr_assert_neq(fcntl(pin[i], F_SETFD, FD_CLOEXEC), -1);
		cr_assert_neq(fcntl(pout[i], F_SETFD, FD_CLOEXEC), -1);
	}
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		if (dup2(pin[0], 0) == -1 || dup2(pout[1], 1) == -1)
			_exit(127);
		execl("/usr/bin/python3", "python3",
		    T_VERIFIERS "/jwks_cache_verify.py", url, ISSUER, "ES256",
		    (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	*in = pin[1];
	*out = pout[0];
	/* Loaded, with a first JWKS: no token waits for its start. */
	for (i = 0; i < (int)sizeof(ready) - 1; i++)
		if (read(*out, &ready[i], 1) != 1 || ready[i] == '\n')
			break;
	ready[i] = '\0';
	cr_assert_str_eq(ready, "ready", "jwks_cache_verify.py did not start "
	    "(see stderr)");
	return pid;
}

/* The verifier's report, once its stdin is closed everywhere. */
static struct json_object *
verifier_report(pid_t pid, int out)
{
	struct json_object	*o;
	char			 buf[8192];
	size_t			 len = 0;
	ssize_t			 n;
	int			 st;

	while (len < sizeof(buf) - 1 &&
	    (n = read(out, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(out);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "jwks_cache_verify.py failed (see stderr): %s", buf);
	o = json_tokener_parse(buf);
	cr_assert_not_null(o, "the verifier's report: %s", buf);
	cr_log_info("offline: %s", buf);
	return o;
}

static long
report_long(struct json_object *o, const char *name)
{
	struct json_object	*v;

	cr_assert(json_object_object_get_ex(o, name, &v), "no %s", name);
	return (long)json_object_get_int64(v);
}

/* The distinct kids all workers were issued. */
static size_t
issued_kids(const struct rotation *l)
{
	const char	*seen[WORKERS * HEADS_MAX];
	size_t		 n = 0, i, j;
	int		 k;

	for (k = 0; k < WORKERS; k++)
		for (i = 0; i < l->w[k].nheads; i++) {
			for (j = 0; j < n; j++)
				if (strcmp(seen[j], l->w[k].heads[i]) == 0)
					break;
			if (j == n)
				seen[n++] = l->w[k].heads[i];
		}
	return n;
}

Test(rotation, rotations_under_load_fail_no_check_online_or_offline)
{
	struct rotation		*l;
	struct json_object	*rep, *kids;
	pid_t			 pids[WORKERS], vpid;
	long long		 t0, t1;
	char			 retired[32];
	long			 online = 0, offline = 0;
	int			 i, vout;

	no_next_key();
	snprintf(retired, sizeof(retired), "%s", t_sql("SELECT count(*) "
	    "FROM signing_keys WHERE retired_at IS NOT NULL"));
	l = clients_map(sizeof(*l));
	/* curl_global_init happens here, before the forks. */
	for (i = 0; i < WORKERS; i++)
		t_make_user(&l->users[i], "rot");
	vpid = verifier_start(&l->verifier, &vout);
	t0 = now_ns();
	clients_start(pids, WORKERS, worker_run, l);
	/* Only the workers write to the verifier: EOF when they are done. */
	close(l->verifier);
	for (i = 1; i <= ROTATIONS; i++) {
		sleep_until(t0 + i * ROTATE_MS * 1000000);
		t1 = now_ns();
		keys_cli("rotate", NULL, NULL);
		cr_log_info("rotate %d: %lld to %lld ns", i, t1, now_ns());
	}
	/* The last key signs for a while, then the expired ones go. */
	t_sleep_ms((long)(MAX_AGE_MS + 1000));
	keys_cli("retire", "--expired", NULL);
	t_sleep_ms(1000);
	clients_stop(&l->c, pids, WORKERS);
	rep = verifier_report(vpid, vout);
	for (i = 0; i < WORKERS; i++) {
		cr_assert_eq(l->w[i].failures, 0, "worker %d: %ld failures, "
		    "the first: %s", i, l->w[i].failures, l->w[i].failure);
		online += l->w[i].online;
		offline += l->w[i].offline;
	}
	cr_log_info("online checks %ld, offline %ld, kids issued %zu", online,
	    offline, issued_kids(l));
	cr_assert_eq(report_long(rep, "failed"), 0, "offline failures: %s",
	    json_object_to_json_string(rep));
	cr_assert_eq(report_long(rep, "verified"), offline);
	cr_assert_gt(online, CHECKS_MIN);
	cr_assert_gt(offline, CHECKS_MIN);
	/* Every key that signed was seen signing, and checked offline. */
	cr_assert_eq(issued_kids(l), ROTATIONS + 1);
	cr_assert(json_object_object_get_ex(rep, "kids", &kids));
	cr_assert_eq(json_object_array_length(kids), ROTATIONS + 1);
	/* The cache lived by max-age: fetched again, not for each token. */
	cr_assert_geq(report_long(rep, "fetches"), ROTATIONS);
	cr_assert_lt(report_long(rep, "fetches"), offline / 10);
	/* Checked soon after the issue: a key signing early is caught. */
	cr_assert_lt(report_long(rep, "max_lag_ms"), LAG_MAX_MS);
	/* Nothing had expired: every previous key's tokens still live. */
	cr_assert_str_eq(t_sql("SELECT count(*) FROM signing_keys WHERE "
	    "retired_at IS NOT NULL"), retired);
	json_object_put(rep);
	munmap(l, sizeof(*l));
	no_next_key();
}

/* ----- retirement with requests in flight ----- */

struct probe {
	long long	 t0, t1;	/* sent, answered */
	long		 status;	/* 0: a transport error */
};

struct probes {
	struct clients	 c;
	char		 token[TOKEN_MAX];
	atomic_long	 n[PROBERS];
	struct probe	 p[PROBERS][PROBES_MAX];
};

/* One prober: /me and the authorizer in turn, each request noted. */
static void
probe_run(void *arg, int i)
{
	static const char *const paths[] = { "/api/auth/me", MEMBERS };
	struct probes	*l = arg;
	struct probe	*p;
	struct conn	 c;
	long		 n;

	if (conn_open(&c, l->c.base) == -1)
		_exit(1);
	for (n = 0; n < PROBES_MAX &&
	    client_goes_on(&l->c); n++) {
		p = &l->p[i][n];
		p->t0 = now_ns();
		p->status = conn_do(&c, paths[(n + i) % 2], l->token, NULL);
		p->t1 = now_ns();
		atomic_store(&l->n[i], n + 1);
	}
	curl_easy_cleanup(c.h);
}

/* Waits until every prober has WARM answers, all 200. */
static void
probes_warm(struct probes *l)
{
	long long	 give_up = now_ns() + 20 * 1000000000LL;
	long		 n, k;
	int		 i, ready;

	do {
		t_sleep_ms(50);
		for (ready = 0, i = 0; i < PROBERS; i++) {
			n = atomic_load(&l->n[i]);
			for (k = 0; k < n; k++)
				cr_assert_eq(l->p[i][k].status, 200, "prober "
				    "%d, request %ld before the retirement: "
				    "%ld", i, k, l->p[i][k].status);
			ready += n >= WARM;
		}
	} while (ready < PROBERS && now_ns() < give_up);
	cr_assert_eq(ready, PROBERS, "the probers are too slow to warm up");

}

Test(rotation, retire_now_wins_against_requests_in_flight)
{
	struct probes	*l;
	struct probe	*p;
	struct t_user	 u;
	pid_t		 pids[PROBERS];
	char		 kid[80], cur[80], old[TOKEN_MAX];
	long long	 t0, t1;
	long		 n, k, before = 0, after = 0, mid_ok = 0, mid_no = 0;
	int		 i;

	no_next_key();
	t_make_user(&u, "ret");
	kid_of(u.access, kid, sizeof(kid));
	cr_assert_str_eq(kid, t_sql("SELECT kid FROM signing_keys WHERE "
	    "signs_from <= now() AND retired_at IS NULL AND "
	    "(superseded_at IS NULL OR superseded_at > now())"));
	/* Every process of both pools has verified it and remembers it. */
	waves("/api/auth/me", u.access, 200);
	waves(MEMBERS, u.access, 200);
	l = clients_map(sizeof(*l));
	snprintf(l->token, sizeof(l->token), "%s", u.access);
	clients_start(pids, PROBERS, probe_run, l);
	probes_warm(l);
	t0 = now_ns();
	keys_cli("retire", kid, "--now");
	t1 = now_ns();
	t_sleep_ms((long)AFTER_MS);
	clients_stop(&l->c, pids, PROBERS);
	for (i = 0; i < PROBERS; i++) {
		n = atomic_load(&l->n[i]);
		for (k = 0; k < n; k++) {
			p = &l->p[i][k];
			cr_assert(p->status == 200 || p->status == 401,
			    "prober %d, request %ld (%+lld ms): %ld", i, k,
			    (p->t0 - t1) / 1000000, p->status);
			if (p->t1 < t0) {
				cr_assert_eq(p->status, 200, "prober %d, "
				    "request %ld done before the retirement",
				    i, k);
				before++;
			} else if (p->t0 > t1) {
				cr_assert_eq(p->status, 401, "prober %d, "
				    "request %ld sent %lld us after the "
				    "retirement returned", i, k,
				    (p->t0 - t1) / 1000);
				after++;
			} else if (p->status == 200)
				mid_ok++;
			else
				mid_no++;
		}
	}
	cr_log_info("retire took %lld ms: %ld requests before (200), %ld "
	    "after (401), in flight %ld 200 and %ld 401",
	    (t1 - t0) / 1000000, before, after, mid_ok, mid_no);
	cr_assert_geq(before, PROBERS * WARM);
	cr_assert_geq(after, 20, "too few requests after the retirement");
	munmap(l, sizeof(*l));
	/* No key signs now: a rotation makes one that signs at once. */
	keys_cli("rotate", NULL, NULL);
	snprintf(old, sizeof(old), "%s", u.access);
	t_login(&u);
	kid_of(u.access, cur, sizeof(cur));
	cr_assert_str_neq(cur, kid);
	cr_assert_eq(get_status("/api/auth/me", u.access), 200);
	cr_assert_eq(get_status(MEMBERS, u.access), 200);
	cr_assert_eq(get_status("/api/auth/me", old), 401);
	cr_assert_eq(get_status(MEMBERS, old), 401);
}
