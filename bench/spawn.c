/*
 * spawn: cold start of a FastCGI program, timed to its first answer.
 *
 * Usage: spawn [-n RUNS] [-r REQUESTS] [-a] [-o FILE] [-H AUTHORIZATION]
 *              [-m METHOD] URI PROGRAM [ARG...]
 *
 * Each run does what lighttpd does when it (re)starts a pool member:
 * binds a fresh unix socket, forks, puts the listening socket on the
 * child's fd 0 and execs PROGRAM with the caller's environment (so
 * GATEHOUSE_CONFIG reaches it).  The parent then connects and sends one
 * FastCGI request (RESPONDER, or AUTHORIZER with -a): REQUEST_METHOD,
 * REQUEST_URI and, with -H, HTTP_AUTHORIZATION (tests/lib/fcgi.c).  The
 * clock starts just before fork() and stops when the answer has arrived
 * (one write by the program: its first bytes come with its last), so a
 * run counts exec, dynamic linking, the program's start-up (config,
 * signals, libfcgi) and the whole first request (for gatehouse programs:
 * connecting to PostgreSQL, preparing the statement, the query).  The
 * page cache is warm (the binary and libraries were just run): this is a
 * pool member being replaced, not a machine booting.
 *
 * Prints one line: "runs N min_ms M p50_ms M max_ms M status S", where S
 * is the Status of the last answer (200 when the program sent none).
 * With -o, the last run's complete FCGI_STDOUT (CGI headers and body) is
 * written to FILE.  With -r, each spawned program then gets REQUESTS - 1
 * more requests, one after another, each on a new connection as lighttpd
 * sends them (bench/run profiles a program under callgrind this way).
 * Exits non-zero when a request gets no answer.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/lib/fcgi.h"

#define RUNS_MAX	1000

static double
now_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One request on a new connection: its stdout into out; -1 without one. */
static int
exchange(const char *sockpath, const struct t_fcgi_buf *request,
    struct t_fcgi_buf *out)
{
	int	 c;

	if ((c = t_fcgi_exchange(sockpath, request, out)) == -1)
		return -1;
	close(c);
	return 0;
}

/* One cold run; the time to the whole first answer, or -1. */
static double
run_once(const char *sockpath, char **argv, const struct t_fcgi_buf *request,
    struct t_fcgi_buf *out, int requests)
{
	double	 t0, first = -1;
	pid_t	 pid;
	int	 status, ok, i;

	t0 = now_ms();
	if ((pid = t_fcgi_spawn(sockpath, argv)) == -1) {
		perror("spawn: starting the program");
		exit(1);
	}
	ok = exchange(sockpath, request, out) == 0;
	if (ok)
		first = now_ms() - t0;
	for (i = 1; ok && i < requests; i++)
		ok = exchange(sockpath, request, out) == 0;
	unlink(sockpath);
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return ok ? first : -1;
}

int
main(int argc, char *argv[])
{
	struct t_fcgi_buf request = { 0 }, out = { 0 };
	const char	*outfile = NULL, *auth = NULL, *method = "GET", *uri;
	int		 role = 1;	/* FCGI_RESPONDER */
	char		 dir[] = "/tmp/gh-spawn-XXXXXX", sockpath[64];
	double		 t[RUNS_MAX];
	int		 ch, runs = 1, requests = 1, i, status = 200;
	FILE		*f;
	char		*s;

	while ((ch = getopt(argc, argv, "+n:r:ao:H:m:")) != -1) {
		switch (ch) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'r':
			requests = atoi(optarg);
			break;
		case 'a':
			role = 2;	/* FCGI_AUTHORIZER */
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'H':
			auth = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 2 || runs < 1 || runs > RUNS_MAX || requests < 1)
		goto usage;
	uri = argv[optind];
	argv += optind + 1;

	t_fcgi_request(&request, role, method, uri, auth);

	if (mkdtemp(dir) == NULL) {
		perror("spawn: mkdtemp");
		return 1;
	}
	snprintf(sockpath, sizeof(sockpath), "%s/s", dir);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < runs; i++) {
		if ((t[i] = run_once(sockpath, argv, &request, &out,
		    requests)) < 0) {
			fprintf(stderr, "spawn: %s gave no answer\n", argv[0]);
			rmdir(dir);
			return 1;
		}
	}
	rmdir(dir);
	t_fcgi_put(&out, "", 1);
	out.len--;
	if (strncmp((char *)out.p, "Status: ", 8) == 0)
		status = atoi((char *)out.p + 8);
	else if ((s = strstr((char *)out.p, "\nStatus: ")) != NULL)
		status = atoi(s + 9);
	if (outfile != NULL) {
		if ((f = fopen(outfile, "wb")) == NULL ||
		    fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
			perror(outfile);
			return 1;
		}
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	printf("runs %d min_ms %.2f p50_ms %.2f max_ms %.2f status %d\n",
	    runs, t[0], t[runs / 2], t[runs - 1], status);
	return 0;
usage:
	fprintf(stderr, "usage: spawn [-n RUNS] [-r REQUESTS] [-a] [-o FILE] "
	    "[-H AUTH] [-m METHOD] URI PROGRAM [ARG...]\n");
	return 2;
}
