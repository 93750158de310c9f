/*
 * Start-up and stop: a program that signs or verifies tokens, given a
 * missing, short or example secret, stops at once with a message that
 * says what to do; health, which does neither, needs no secret (but
 * refuses the example one like every program).  The programs are run
 * directly, with a config file that is right but for the secret.  And a
 * running program ends on SIGTERM, wherever between requests the signal
 * finds it.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../lib/fcgi.h"
#include "client.h"
#include "../lib/run.h"

TestSuite(startup, .timeout = 60);

/* The programs that sign or check tokens (health and register do neither). */
static const char	*programs[] = { "login", "me", "admin" };

/* Writes a config with database_url and the given secret line. */
static void
write_config(char *path, size_t pathsz, const char *secret_line)
{
	FILE	*f;
	int	 fd;

	snprintf(path, pathsz, "/tmp/gh-startup.XXXXXX");
	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fprintf(f, "database_url = \"%s\"\n%s\n",
	    getenv("GH_TEST_DATABASE_URL"), secret_line);
	fclose(f);
}

static void
assert_refused(const char *secret_line)
{
	char		 conf[64], env0[128], prog[4096], err[4096];
	const char	*argv[2], *env[2];
	const char	*dir;
	size_t		 i;
	int		 rc;

	cr_assert_not_null(dir = getenv("GH_TEST_CGI_DIR"),
	    "run through tests/with-stack");
	write_config(conf, sizeof(conf), secret_line);
	snprintf(env0, sizeof(env0), "GATEHOUSE_CONFIG=%s", conf);
	env[0] = env0;
	env[1] = NULL;
	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		snprintf(prog, sizeof(prog), "%s/%s", dir, programs[i]);
		argv[0] = prog;
		argv[1] = NULL;
		rc = t_run(argv, env, NULL, NULL, 0, err, sizeof(err));
		cr_assert_neq(rc, 0, "%s started with \"%s\"", programs[i],
		    secret_line);
		cr_assert_not_null(strstr(err, "secret"),
		    "%s's message does not mention the secret: %s",
		    programs[i], err);
	}
	unlink(conf);
}

/*
 * With no algorithm named and no secret, a new install signs with ES256
 * keys (issue 14): only HS256, named, still insists on its secret.
 */
Test(startup, every_program_refuses_a_missing_secret)
{
	assert_refused("jwt_algorithm = HS256");
}

Test(startup, every_program_refuses_a_secret_under_32_bytes)
{
	assert_refused("jwt_secret = 0123456789abcdef0123456789abcde");
}

Test(startup, every_program_refuses_the_example_secret)
{
	assert_refused("jwt_secret = "
	    "change-me-run-gatehouse-secret-to-make-a-real-one");
}

Test(startup, the_message_says_how_to_make_a_secret)
{
	char		 conf[64], env0[128], prog[4096], err[4096];
	const char	*argv[2], *env[2];

	write_config(conf, sizeof(conf), "jwt_secret = short");
	snprintf(env0, sizeof(env0), "GATEHOUSE_CONFIG=%s", conf);
	env[0] = env0;
	env[1] = NULL;
	snprintf(prog, sizeof(prog), "%s/login", getenv("GH_TEST_CGI_DIR"));
	argv[0] = prog;
	argv[1] = NULL;
	cr_assert_neq(t_run(argv, env, NULL, NULL, 0, err, sizeof(err)),
	    0);
	cr_assert_not_null(strstr(err, "gatehouse secret"),
	    "the message does not name `gatehouse secret`: %s", err);
	unlink(conf);
}

/*
 * Stopping: lighttpd and mod_fcgid end a program with SIGTERM.  Between
 * requests a program waits in poll() (on its FastCGI socket, and on its
 * PostgreSQL connection once it has checked a token); a SIGTERM landing
 * there, or while libfcgi lingers over a closing connection, must end it
 * without another request to wake it.
 */
enum moment { IDLE, CLOSING };

static void
assert_stops(const char *prog, const char *uri, bool bearer, long want,
    enum moment when)
{
	struct t_fcgi_buf	 req = { 0 }, out = { 0 };
	struct t_user		 u;
	char			 path[4096], sock[64], auth[4200], status[32];
	char			*argv[2];
	const char		*dir, *conf;
	pid_t			 pid, done = 0;
	int			 c, st, k;

	cr_assert_not_null(dir = getenv("GH_TEST_CGI_DIR"));
	cr_assert_not_null(conf = getenv("GH_TEST_CONFIG"));
	cr_assert_eq(setenv("GATEHOUSE_CONFIG", conf, 1), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	snprintf(sock, sizeof(sock), "/tmp/gh-stop-%s-%d", prog, (int)getpid());
	if (bearer) {
		t_make_user(&u, "stop");
		snprintf(auth, sizeof(auth), "Bearer %s", u.access);
	}
	t_fcgi_request(&req, 1, "GET", uri, bearer ? auth : NULL);
	argv[0] = path;
	argv[1] = NULL;
	cr_assert_neq(pid = t_fcgi_spawn(sock, argv), -1);
	cr_assert_neq(c = t_fcgi_exchange(sock, &req, &out), -1,
	    "%s gave no answer", prog);
	t_fcgi_put(&out, "", 1);
	snprintf(status, sizeof(status), "Status: %ld", want);
	cr_assert_not_null(strstr((char *)out.p, status), "%s: %s", prog,
	    (char *)out.p);
	if (when == IDLE)
		close(c);
	t_sleep_ms(200);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	for (k = 0; k < 250 && done == 0; k++) {
		done = waitpid(pid, &st, WNOHANG);
		if (done == 0)
			t_sleep_ms(20);
	}
	if (done == 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &st, 0);
	}
	if (when == CLOSING)
		close(c);
	unlink(sock);
	free(req.p);
	free(out.p);
	cr_assert_eq(done, pid, "%s ignored SIGTERM for 5 s", prog);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %d",
	    prog, st);
}

Test(startup, me_stops_on_sigterm_while_idle)
{
	assert_stops("me", "/api/auth/me", true, 200, IDLE);
}

Test(startup, me_stops_on_sigterm_while_a_connection_closes)
{
	assert_stops("me", "/api/auth/me", true, 200, CLOSING);
}

/* health starts, answers and stops with no secret at all. */
Test(startup, health_needs_no_secret)
{
	char	 conf[64];

	write_config(conf, sizeof(conf), "# no jwt_secret");
	cr_assert_eq(setenv("GH_TEST_CONFIG", conf, 1), 0);
	assert_stops("health", "/health", false, 200, IDLE);
	unlink(conf);
}

Test(startup, health_stops_on_sigterm_while_idle)
{
	assert_stops("health", "/health", false, 200, IDLE);
}

Test(startup, health_stops_on_sigterm_while_a_connection_closes)
{
	assert_stops("health", "/health", false, 200, CLOSING);
}

/*
 * The programs' config names no owner credentials (docs/SECURITY.md): a
 * program finding the owner's admin_database_url, or a password in
 * database_url while it connects as its own role, refuses to start and
 * says where the credentials go.
 */
static void
assert_start_refused(const char *prog, const char *lines, const char *want)
{
	char		 conf[64], env0[128], path[4096], err[4096];
	const char	*argv[2], *env[2];

	write_config(conf, sizeof(conf), lines);
	snprintf(env0, sizeof(env0), "GATEHOUSE_CONFIG=%s", conf);
	env[0] = env0;
	env[1] = NULL;
	snprintf(path, sizeof(path), "%s/%s", getenv("GH_TEST_CGI_DIR"), prog);
	argv[0] = path;
	argv[1] = NULL;
	cr_assert_neq(t_run(argv, env, NULL, NULL, 0, err, sizeof(err)), 0,
	    "%s started with %s", prog, lines);
	cr_assert_not_null(strstr(err, want), "%s: no \"%s\" in: %s", prog,
	    want, err);
	/* Nor is the credential quoted back. */
	cr_assert_null(strstr(err, "s3cret"), "%s quoted it: %s", prog, err);
	unlink(conf);
}

Test(startup, every_program_refuses_the_owners_url)
{
	const char	*all[] = { "login", "register", "me", "admin",
			    "authorize", "health", "wellknown" };
	size_t		 i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		assert_start_refused(all[i], "jwt_secret = "
		    "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5\n"
		    "admin_database_url = \"user=owner password=s3cret\"",
		    "GATEHOUSE_ADMIN_CONFIG");
}

Test(startup, a_password_in_database_url_is_refused_with_program_roles)
{
	assert_start_refused("health", "database_url = "
	    "\"postgresql://owner:s3cret@127.0.0.1/gh\"", "passfile");
	assert_start_refused("login", "jwt_secret = "
	    "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5\n"
	    "database_url = \"host=/tmp password=s3cret\"", "passfile");
}

/* health and register never open the secret file (only signers do). */
Test(startup, health_and_register_do_not_open_the_secret_file)
{
	const char	*lines = "jwt_secret_file = /nonexistent/gh-secret";

	/* Past the config: they stop only at the missing FastCGI socket. */
	assert_start_refused("health", lines, "FastCGI");
	assert_start_refused("register", lines, "FastCGI");
	assert_start_refused("wellknown", lines, "FastCGI");
	assert_start_refused("login", lines, "/nonexistent/gh-secret");
}

/*
 * Issue 14: a config naming neither an algorithm nor a secret is a new
 * install's, which signs with ES256 keys.  The verifiers need no secret;
 * login, which signs, needs the key-encryption key and is the one that
 * opens its file.
 */
Test(startup, without_a_secret_the_programs_start_with_es256)
{
	const char	*kek = "key_encryption_key_file = /nonexistent/gh-kek";

	assert_start_refused("me", "# no jwt_secret", "FastCGI");
	assert_start_refused("admin", "# no jwt_secret", "FastCGI");
	assert_start_refused("authorize", "# no jwt_secret", "FastCGI");
	assert_start_refused("login", "# no jwt_secret",
	    "key_encryption_key_file");
	assert_start_refused("me", kek, "FastCGI");
	assert_start_refused("login", kek, "/nonexistent/gh-kek");
}
