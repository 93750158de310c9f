/*
 * Start-up: a program given a missing, short or example secret stops at
 * once with a message that says what to do, whichever program it is (a
 * health check that says "ok" while login cannot start would mislead a
 * load balancer).  The programs are run directly, with a config file that
 * is right but for the secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../lib/http.h"
#include "../lib/run.h"

TestSuite(startup, .timeout = 60);

static const char	*programs[] = { "login", "register", "me", "admin",
    "health" };

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
		rc = gh_test_run(argv, env, NULL, NULL, 0, err, sizeof(err));
		cr_assert_neq(rc, 0, "%s started with \"%s\"", programs[i],
		    secret_line);
		cr_assert_not_null(strstr(err, "secret"),
		    "%s's message does not mention the secret: %s",
		    programs[i], err);
	}
	unlink(conf);
}

Test(startup, every_program_refuses_a_missing_secret)
{
	assert_refused("# no jwt_secret");
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
	cr_assert_neq(gh_test_run(argv, env, NULL, NULL, 0, err, sizeof(err)),
	    0);
	cr_assert_not_null(strstr(err, "gatehouse secret"),
	    "the message does not name `gatehouse secret`: %s", err);
	unlink(conf);
}
