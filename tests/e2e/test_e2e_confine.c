/*
 * Kernel confinement (http/confine.h): every FastCGI program the server
 * runs has its seccomp filter (/proc/PID/status "Seccomp: 2") and
 * no_new_privs; one started with confine = false has neither; and the
 * confined programs reconnect to PostgreSQL after it restarts, the same
 * processes serving again (a call the filter forbade would have killed
 * them); and the programs that send mail have an unconfined mail helper
 * (domain/mail.h), the others none.  The stack's cluster is its own
 * (test_e2e_confine.conf).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../lib/fcgi.h"
#include "client.h"
#include "http/confine.h"

TestSuite(confine, .timeout = 180);

#define PIDS_MAX	64

/* The stack's programs (the authorizer's too: #stack: authorizer). */
static const char	*programs[] = { "login", "register", "me", "admin",
    "wellknown", "health", "authorize" };
#define NPROGRAMS	(sizeof(programs) / sizeof(programs[0]))

static void
skip_unless_confined_build(void)
{
	const char	*why;

	if ((why = gh_confine_unavailable()) != NULL)
		cr_skip_test("this build runs unconfined: %s", why);
}

/* The value of field ("Seccomp", ...) in /proc/pid/status, or -1. */
static long
status_field(pid_t pid, const char *field)
{
	char	 path[64], line[256];
	size_t	 len = strlen(field);
	long	 v = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void
assert_confined(pid_t pid, const char *prog)
{
	cr_assert_eq(status_field(pid, "Seccomp"), 2,
	    "%s (pid %d) has no seccomp filter", prog, (int)pid);
	cr_assert_eq(status_field(pid, "NoNewPrivs"), 1,
	    "%s (pid %d) lacks no_new_privs", prog, (int)pid);
}

/* The authorizer (started on its first request on Apache): 401 or 200. */
static void
poke_authorizer(const char *token)
{
	struct t_resp	 r;
	char		 auth[4200];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    token != NULL ? token : "x");
	t_http("GET", "/members/", (const char *const[]){ auth, NULL }, NULL,
	    0, &r);
	cr_assert(r.status == (token != NULL ? 200 : 401) ||
	    (token != NULL && r.status == 404), "/members/: %ld", r.status);
	t_resp_free(&r);
}

/*
 * A request to every program: mod_fcgid starts a program on its first
 * request (lighttpd at start-up).
 */
static void
warm_up(void)
{
	static const char *const paths[] = { "/api/auth/me", "/health",
	    "/.well-known/jwks.json", "/api/admin/users" };
	struct t_resp	 r;
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http_json("GET", paths[i], NULL, NULL, &r);
		t_resp_free(&r);
	}
	t_http_json("POST", "/api/auth/login", NULL, "{}", &r);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/register", NULL, "{}", &r);
	t_resp_free(&r);
	poke_authorizer(NULL);
}

/* Every running program's pid, asserting each program runs. */
static size_t
read_pids(pid_t pids[NPROGRAMS][PIDS_MAX], size_t n[NPROGRAMS])
{
	size_t	 i, all = 0;

	for (i = 0; i < NPROGRAMS; i++) {
		n[i] = t_program_pids(programs[i], pids[i], PIDS_MAX);
		cr_assert_gt(n[i], 0, "no %s process", programs[i]);
		all += n[i];
	}
	return all;
}

Test(confine, every_program_of_the_stack_is_confined)
{
	pid_t	 pids[NPROGRAMS][PIDS_MAX];
	size_t	 n[NPROGRAMS], i, k;

	skip_unless_confined_build();
	warm_up();
	(void)read_pids(pids, n);
	for (i = 0; i < NPROGRAMS; i++)
		for (k = 0; k < n[i]; k++)
			assert_confined(pids[i][k], programs[i]);
}

/* The first line of /proc/PID/FILE into buf ("" when none). */
static void
proc_line(const char *pid, const char *file, char *buf, size_t bufsz)
{
	char	 path[300];
	FILE	*f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, (int)bufsz, f) == NULL)
		buf[0] = '\0';
	fclose(f);
}

/* The children of pid named gatehouse-mail; the first in *helper. */
static size_t
mail_helpers(pid_t pid, pid_t *helper)
{
	DIR		*d;
	struct dirent	*de;
	char		 line[512], comm[64], *rp;
	long		 ppid;
	size_t		 n = 0;

	cr_assert_not_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		proc_line(de->d_name, "stat", line, sizeof(line));
		if ((rp = strrchr(line, ')')) == NULL ||
		    sscanf(rp + 1, " %*c %ld", &ppid) != 1 || ppid != pid)
			continue;
		proc_line(de->d_name, "comm", comm, sizeof(comm));
		if (strcmp(comm, "gatehouse-mail\n") == 0 && n++ == 0)
			*helper = (pid_t)strtol(de->d_name, NULL, 10);
	}
	closedir(d);
	return n;
}

/*
 * The programs that send mail (mail_command is the default here) each
 * have one mail helper, unconfined by design, its standard input not the
 * FastCGI socket; the others have none.
 */
Test(confine, only_the_mailing_programs_have_an_unconfined_mail_helper)
{
	pid_t	 pids[NPROGRAMS][PIDS_MAX], h = 0;
	size_t	 n[NPROGRAMS], i, k, want;
	char	 path[64], fd0[PATH_MAX];
	ssize_t	 len;

	skip_unless_confined_build();
	warm_up();
	(void)read_pids(pids, n);
	for (i = 0; i < NPROGRAMS; i++) {
		want = i < 4;	/* login, register, me, admin */
		for (k = 0; k < n[i]; k++) {
			cr_assert_eq(mail_helpers(pids[i][k], &h), want,
			    "%s (pid %d): %zu mail helpers", programs[i],
			    (int)pids[i][k], mail_helpers(pids[i][k], &h));
			if (!want)
				continue;
			cr_assert_eq(status_field(h, "Seccomp"), 0);
			snprintf(path, sizeof(path), "/proc/%d/fd/0", (int)h);
			cr_assert_gt(len = readlink(path, fd0,
			    sizeof(fd0) - 1), 0);
			fd0[len] = '\0';
			cr_assert_str_eq(fd0, "/dev/null");
		}
	}
}

/* health started by hand, its CONFINE variable set to value (or not). */
static void
assert_spawned(const char *value, long seccomp, long nnp)
{
	struct t_fcgi_buf	 req = { 0 }, out = { 0 };
	char			 path[4096], sock[64];
	char			*argv[2];
	const char		*dir, *conf;
	pid_t			 pid;
	int			 c, st;

	cr_assert_not_null(dir = getenv("GH_TEST_CGI_DIR"));
	cr_assert_not_null(conf = getenv("GH_TEST_CONFIG"));
	cr_assert_eq(setenv("GATEHOUSE_CONFIG", conf, 1), 0);
	if (value != NULL)
		cr_assert_eq(setenv("CONFINE", value, 1), 0);
	else
		cr_assert_eq(unsetenv("CONFINE"), 0);
	snprintf(path, sizeof(path), "%s/health", dir);
	snprintf(sock, sizeof(sock), "/tmp/gh-confine-%d", (int)getpid());
	t_fcgi_request(&req, 1, "GET", "/health", NULL);
	argv[0] = path;
	argv[1] = NULL;
	cr_assert_neq(pid = t_fcgi_spawn(sock, argv), -1);
	cr_assert_neq(c = t_fcgi_exchange(sock, &req, &out), -1,
	    "health gave no answer");
	t_fcgi_put(&out, "", 1);
	cr_assert_not_null(strstr((char *)out.p, "Status: 200"), "%s",
	    (char *)out.p);
	close(c);
	cr_expect_eq(status_field(pid, "Seccomp"), seccomp,
	    "CONFINE=%s: Seccomp %ld", value, status_field(pid, "Seccomp"));
	cr_expect_eq(status_field(pid, "NoNewPrivs"), nnp,
	    "CONFINE=%s: NoNewPrivs %ld", value,
	    status_field(pid, "NoNewPrivs"));
	(void)kill(pid, SIGTERM);
	(void)waitpid(pid, &st, 0);
	(void)unsetenv("CONFINE");
	unlink(sock);
	free(req.p);
	free(out.p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "health did not end cleanly: status %d", st);
}

Test(confine, confine_false_leaves_a_program_unconfined)
{
	assert_spawned("false", 0, 0);
}

Test(confine, a_program_started_by_hand_is_confined_by_default)
{
	skip_unless_confined_build();
	assert_spawned(NULL, 2, 1);
}

/*
 * PostgreSQL restarts: login (password check, a new session), me and
 * admin answer again, every program of before still running, confined.
 */
Test(confine, the_programs_reconnect_after_a_database_restart)
{
	static pid_t	 before[NPROGRAMS][PIDS_MAX], after[NPROGRAMS][PIDS_MAX];
	struct t_user	 u, a;
	struct t_resp	 r;
	size_t		 nb[NPROGRAMS], na[NPROGRAMS], i, k;
	int		 tries;

	skip_unless_confined_build();
	t_make_user(&u, "conf");
	t_make_admin(&a, "confadm");
	cr_assert_eq(t_me_status(u.access), 200);
	warm_up();
	(void)read_pids(before, nb);
	t_pg("GH_TEST_PG_STOP");
	cr_assert_eq(t_me_status(u.access), 503);
	t_pg("GH_TEST_PG_START");
	for (tries = 0; tries < 100 && t_me_status(u.access) != 200; tries++)
		t_sleep_ms(200);
	cr_assert_eq(t_me_status(u.access), 200);
	/* Logins: password checks and new sessions, reconnected. */
	for (i = 0; i < 8; i++)
		t_login(&u);
	cr_assert_eq(t_me_status(u.access), 200);
	poke_authorizer(u.access);
	t_http_json("GET", "/api/admin/users", a.access, NULL, &r);
	cr_assert_eq(r.status, 200, "admin: %ld %s", r.status, r.body);
	t_resp_free(&r);
	t_register(&u, "conf2");
	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	t_resp_free(&r);
	(void)read_pids(after, na);
	/* Apache may have started more; none of before may be gone. */
	for (i = 0; i < NPROGRAMS; i++) {
		for (k = 0; k < nb[i]; k++)
			cr_assert_eq(status_field(before[i][k], "Seccomp"), 2,
			    "%s (pid %d) is gone: killed by its filter?",
			    programs[i], (int)before[i][k]);
		for (k = 0; k < na[i]; k++)
			assert_confined(after[i][k], programs[i]);
	}
}
