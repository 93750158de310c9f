/*
 * test_confine: gh_confine() in forked children (Criterion's own process
 * must keep talking to its runner): a call outside the filter (exec,
 * fork, ptrace, an open for writing) kills the child with SIGSYS; a read
 * outside Landlock's set is refused where the kernel has Landlock; what
 * the request loop does (memory, clocks, randomness, a socket, reading a
 * certificate directory, TCP, a name lookup, libpq connecting and
 * querying) still works; confine = false changes nothing.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "core/random.h"
#include "http/confine.h"

static char	 secret_path[64];
static char	 database_url[1024];

static void
skip_unless_confined_build(void)
{
	const char	*why;

	if ((why = gh_confine_unavailable()) != NULL)
		cr_skip_test("this build runs unconfined: %s", why);
}

/* Runs fn() (or not) in a child: its wait status. */
static int
in_child(int (*fn)(void), int confine)
{
	static struct gh_config	 cfg;
	pid_t			 pid;
	int			 st;

	memset(&cfg, 0, sizeof(cfg));
	cfg.confine = confine != 0;
	(void)snprintf(cfg.database_url, sizeof(cfg.database_url), "%s",
	    database_url);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		if (gh_confine(&cfg, "test") == -1)
			_exit(100);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

static void
assert_killed(int st, const char *what)
{
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "%s: not killed by SIGSYS (status %d)", what, st);
}

static void
assert_exit0(int st, const char *what)
{
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: status %d (exit %d)", what, st,
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static int
do_exec(void)
{
	char	*argv[] = { "/bin/true", NULL };

	(void)execv(argv[0], argv);
	return 1;
}

static int
do_fork(void)
{
	pid_t	 pid;

	if ((pid = fork()) == 0)
		_exit(0);
	return pid == -1 ? 2 : 0;
}

static int
do_ptrace(void)
{
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 3;
}

static int
do_write_open(void)
{
	int	 fd;

	fd = open("/tmp/gh-confine-write", O_WRONLY | O_CREAT, 0600);
	return fd == -1 ? 4 : 0;
}

/* The secret file made before confining: EACCES is the pass (0). */
static int
do_read_outside(void)
{
	int	 fd;

	if ((fd = open(secret_path, O_RDONLY)) != -1)
		return 5;
	return errno == EACCES ? 0 : 6;
}

static int	do_network(void);

/* The loop's work: any failure an exit status naming it. */
static int
do_allowed(void)
{
	struct sockaddr_un	 sun;
	struct timespec		 ts;
	char			 rnd[64], *p;
	int			 s, fd;

	if ((p = malloc(1 << 20)) == NULL)
		return 10;
	memset(p, 'x', 1 << 20);
	free(p);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 11;
	if (gh_random_b64url(32, rnd, sizeof(rnd)) == -1)
		return 12;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 13;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "/tmp/gh-confine-none/.s.PGSQL.5432");
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) != -1 ||
	    errno != ENOENT)
		return 14;
	(void)close(s);
	if ((fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC)) == -1)
		return 15;
	(void)close(fd);
	if ((fd = open("/etc/ssl/certs", O_RDONLY | O_DIRECTORY)) == -1 &&
	    errno != ENOENT)
		return 16;
	if (fd != -1)
		(void)close(fd);
	return do_network();
}

/* TCP to a closed port, and a name lookup (nsswitch, hosts, gai.conf). */
static int
do_network(void)
{
	struct sockaddr_in	 sin;
	struct addrinfo		 hints, *res = NULL;
	int			 s;

	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 20;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) != -1 ||
	    errno != ECONNREFUSED)
		return 21;
	(void)close(s);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", "5432", &hints, &res) != 0)
		return 22;
	freeaddrinfo(res);
	/* glibc's interface query is refused, not fatal. */
	if (socket(AF_NETLINK, SOCK_RAW, 0) != -1 || errno != EAFNOSUPPORT)
		return 23;
	return 0;
}

/* libpq connects (a reconnect is the same work) and queries, confined. */
static int
do_database(void)
{
	PGconn		*c;
	PGresult	*r;
	int		 rc = 30;

	c = PQconnectdb(database_url);
	if (PQstatus(c) != CONNECTION_OK)
		goto out;
	r = PQexec(c, "SELECT 1");
	rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : 31;
	PQclear(r);
out:
	PQfinish(c);
	return rc;
}

Test(confine, libpq_connects_confined)
{
	const char	*url = getenv("GH_TEST_DATABASE_URL");

	skip_unless_confined_build();
	if (url == NULL)
		cr_skip_test("no GH_TEST_DATABASE_URL: run under "
		    "tests/with-postgres");
	(void)snprintf(database_url, sizeof(database_url), "%s dbname=postgres",
	    url);
	assert_exit0(in_child(do_database, 1), "connect and query");
}

Test(confine, exec_kills_the_process)
{
	skip_unless_confined_build();
	assert_killed(in_child(do_exec, 1), "execv");
}

Test(confine, fork_kills_the_process)
{
	skip_unless_confined_build();
	assert_killed(in_child(do_fork, 1), "fork");
}

Test(confine, ptrace_kills_the_process)
{
	skip_unless_confined_build();
	assert_killed(in_child(do_ptrace, 1), "ptrace");
}

Test(confine, an_open_for_writing_kills_the_process)
{
	skip_unless_confined_build();
	assert_killed(in_child(do_write_open, 1), "open O_WRONLY");
	(void)unlink("/tmp/gh-confine-write");
}

Test(confine, landlock_refuses_a_read_outside_the_set)
{
	int	 fd, st;

	skip_unless_confined_build();
	if (gh_confine_landlock_abi() == 0)
		cr_skip_test("the kernel has no Landlock: nothing to show");
	(void)snprintf(secret_path, sizeof(secret_path),
	    "/tmp/gh-confine.XXXXXX");
	cr_assert_neq(fd = mkstemp(secret_path), -1);
	cr_assert_eq(write(fd, "secret\n", 7), 7);
	cr_assert_eq(close(fd), 0);
	/* Unconfined, the file reads (the refusal is Landlock's). */
	st = in_child(do_read_outside, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 5, "unconfined: %d",
	    st);
	assert_exit0(in_child(do_read_outside, 1), "read outside");
	(void)unlink(secret_path);
}

Test(confine, the_request_loops_work_still_works)
{
	skip_unless_confined_build();
	assert_exit0(in_child(do_allowed, 1), "allowed work");
}

Test(confine, confine_false_changes_nothing)
{
	assert_exit0(in_child(do_fork, 0), "fork unconfined");
	assert_exit0(in_child(do_exec, 0), "exec unconfined");
}
