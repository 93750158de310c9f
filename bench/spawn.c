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
 * REQUEST_URI and, with -H, HTTP_AUTHORIZATION.  The clock starts just
 * before fork() and stops when the first FCGI_STDOUT bytes arrive, so a
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
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS_MAX	1000

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

static void
put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 256;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("spawn: realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
record(struct buf *b, int type, const void *data, size_t len)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, 0, 1,
			    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	put(b, h, 8);
	if (len > 0)
		put(b, data, len);
}

static void
param(struct buf *b, const char *name, const char *value)
{
	size_t		 n = strlen(name), v = strlen(value);
	unsigned char	 l[8];
	size_t		 k = 0;

	if (n < 128)
		l[k++] = (unsigned char)n;
	else {
		l[k++] = (unsigned char)((n >> 24) | 0x80);
		l[k++] = (unsigned char)(n >> 16);
		l[k++] = (unsigned char)(n >> 8);
		l[k++] = (unsigned char)n;
	}
	if (v < 128)
		l[k++] = (unsigned char)v;
	else {
		l[k++] = (unsigned char)((v >> 24) | 0x80);
		l[k++] = (unsigned char)(v >> 16);
		l[k++] = (unsigned char)(v >> 8);
		l[k++] = (unsigned char)v;
	}
	put(b, l, k);
	put(b, name, n);
	put(b, value, v);
}

static double
now_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
read_full(int fd, void *p, size_t len)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read(fd, (char *)p + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * One request on a new connection to sa: its stdout into out; the time
 * from t0 to its first stdout bytes into *first.  -1 without an answer.
 */
static int
exchange(const struct sockaddr_un *sa, const struct buf *request,
    struct buf *out, double t0, double *first)
{
	unsigned char	 h[8], content[65536 + 256];
	size_t		 clen;
	int		 c, done = 0;

	if ((c = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (const struct sockaddr *)sa, sizeof(*sa)) == -1 ||
	    write(c, request->p, request->len) != (ssize_t)request->len) {
		perror("spawn: send");
		exit(1);
	}
	out->len = 0;
	*first = -1;
	while (!done && read_full(c, h, 8) == 0) {
		clen = ((size_t)h[4] << 8) | h[5];
		if (read_full(c, content, clen + h[6]) == -1)
			break;
		if (h[1] == 6 && clen > 0) {		/* FCGI_STDOUT */
			if (*first < 0)
				*first = now_ms() - t0;
			put(out, content, clen);
		} else if (h[1] == 3)			/* FCGI_END_REQUEST */
			done = 1;
	}
	close(c);
	return done ? 0 : -1;
}

/* One cold run; the time to the first stdout bytes, or -1. */
static double
run_once(const char *sockpath, char **argv, const struct buf *request,
    struct buf *out, int requests)
{
	struct sockaddr_un	 sa;
	double			 t0, first, later;
	pid_t			 pid;
	int			 ls, status, ok, i;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	unlink(sockpath);
	if ((ls = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(ls, 16) == -1) {
		perror("spawn: listen");
		exit(1);
	}
	t0 = now_ms();
	if ((pid = fork()) == -1) {
		perror("spawn: fork");
		exit(1);
	}
	if (pid == 0) {
		if (dup2(ls, 0) == -1)
			_exit(127);
		close(ls);
		execv(argv[0], argv);
		_exit(127);
	}
	close(ls);
	ok = exchange(&sa, request, out, t0, &first) == 0;
	for (i = 1; ok && i < requests; i++)
		ok = exchange(&sa, request, out, now_ms(), &later) == 0;
	unlink(sockpath);
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return ok ? first : -1;
}

int
main(int argc, char *argv[])
{
	struct buf	 request = { 0 }, params = { 0 }, out = { 0 };
	const char	*outfile = NULL, *auth = NULL, *method = "GET", *uri;
	unsigned char	 begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
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
			begin[1] = 2;	/* FCGI_AUTHORIZER */
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

	param(&params, "GATEWAY_INTERFACE", "CGI/1.1");
	param(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	param(&params, "SERVER_SOFTWARE", "gatehouse-bench-spawn");
	param(&params, "REQUEST_METHOD", method);
	param(&params, "REQUEST_URI", uri);
	param(&params, "SCRIPT_NAME", uri);
	param(&params, "REMOTE_ADDR", "127.0.0.1");
	param(&params, "HTTP_HOST", "127.0.0.1");
	if (auth != NULL)
		param(&params, "HTTP_AUTHORIZATION", auth);
	record(&request, 1, begin, sizeof(begin));	/* FCGI_BEGIN_REQUEST */
	record(&request, 4, params.p, params.len);	/* FCGI_PARAMS */
	record(&request, 4, NULL, 0);
	record(&request, 5, NULL, 0);			/* FCGI_STDIN */

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
	put(&out, "", 1);
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
