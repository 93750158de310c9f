/*
 * The real-mail path the recovery tests stand on, end to end: the
 * stack's config ("#stack: mail"), gh_mail_send() running msmtp as the
 * programs' user, SMTP to tests/mailsink, and tests/lib/mail.h reading
 * what came: the right To, From and Subject, the link whole, no other
 * recipient; hostile input adds none; a closed port is an error, logged.
 */
#include <sys/types.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "domain/mail.h"
#include "mail.h"

TestSuite(mail, .timeout = 60);

/* The stack's config, as the programs read it; as their user when root. */
static void
stack_config(struct gh_config *cfg, const char *file)
{
	struct passwd	*pw;
	const char	*user = getenv("GH_STACK_USER");
	char		 err[GH_CONFIG_ERR_MAX];

	(void)signal(SIGPIPE, SIG_IGN);
	cr_assert_not_null(file, "GH_TEST_CONFIG is not set");
	cr_assert_eq(setenv(GH_CONFIG_ENV, file, 1), 0);
	cr_assert_eq(gh_config_load(cfg, 0, err, sizeof(err)), 0, "%s", err);
	if (geteuid() != 0)
		return;
	cr_assert_not_null(pw = getpwnam(user != NULL ? user : "www-data"));
	cr_assert_eq(setgroups(0, NULL), 0);
	cr_assert_eq(setgid(pw->pw_gid), 0);
	cr_assert_eq(setuid(pw->pw_uid), 0);
}

/* An address no other test (or run) uses. */
static void
unique_address(char *out, size_t outsz, const char *what)
{
	unsigned int	 r;
	int		 fd;

	cr_assert_neq(fd = open("/dev/urandom", O_RDONLY), -1);
	cr_assert_eq(read(fd, &r, sizeof(r)), (ssize_t)sizeof(r));
	close(fd);
	snprintf(out, outsz, "%s-%d-%08x@example.test", what, (int)getpid(),
	    r);
}

Test(mail, the_stack_names_its_own_base_url)
{
	struct gh_config	 cfg;
	const char		*base = getenv("GH_TEST_BASE_URL");
	const char		*server = getenv("GH_TEST_SERVER");
	char			 beside[2048];

	cr_assert_not_null(base);
	stack_config(&cfg, getenv("GH_TEST_CONFIG"));
	cr_assert_str_eq(cfg.public_base_url, base);
	cr_assert_str_eq(cfg.mail_from, "gatehouse@example.test");
	cr_assert_not_null(strstr(cfg.mail_command, "/usr/bin/msmtp -C "));
	if (server != NULL && strcmp(server, "shared") == 0) {
		/* Shared hosting: the programs read the copy beside them. */
		snprintf(beside, sizeof(beside), "%s/cgi-bin/gatehouse.conf",
		    getenv("GH_TEST_DOCROOT"));
		stack_config(&cfg, beside);
		cr_assert_str_eq(cfg.public_base_url, base);
	}
}

Test(mail, a_message_reaches_the_sink_whole)
{
	struct gh_config	 cfg;
	struct gh_mail		 m;
	char			 to[128], link[2048];
	char			*msg, *v, *got;

	stack_config(&cfg, getenv("GH_TEST_CONFIG"));
	unique_address(to, sizeof(to), "reset");
	snprintf(link, sizeof(link), "%s/auth/reset?token=abc-DEF_123",
	    cfg.public_base_url);
	m = (struct gh_mail){ GH_MAIL_RESET, to, "alice", link };
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_OK);
	cr_assert_not_null(msg = t_mail_wait(to, 1, 10), "no mail to %s", to);
	cr_assert_str_eq(v = t_mail_header(msg, "X-Sink-Rcpt"), to);
	free(v);
	cr_assert_str_eq(v = t_mail_header(msg, "X-Sink-From"),
	    "gatehouse@example.test");
	free(v);
	cr_assert_str_eq(v = t_mail_header(msg, "To"), to);
	free(v);
	cr_assert_str_eq(v = t_mail_header(msg, "From"),
	    "gatehouse@example.test");
	free(v);
	cr_assert_str_eq(v = t_mail_header(msg, "Subject"),
	    "Reset your password for Mail Test");
	free(v);
	cr_assert_null(t_mail_header(msg, "Cc"));
	cr_assert_null(t_mail_header(msg, "Bcc"));
	cr_assert_not_null(got = t_mail_link(msg, "/auth/reset?token="));
	cr_assert_str_eq(got, link);
	free(got);
	cr_assert_not_null(strstr(t_mail_body(msg), "Hello alice,\n"));
	cr_assert_eq(t_mail_count(to), 1);
	cr_assert_null(t_mail_wait(to, 2, 1));
	free(msg);
}

Test(mail, hostile_input_adds_no_recipient)
{
	struct gh_config	 cfg;
	struct gh_mail		 m;
	char			 to[128], evil[128], bad[300], name[300];
	char			*msg;

	stack_config(&cfg, getenv("GH_TEST_CONFIG"));
	unique_address(to, sizeof(to), "victim");
	unique_address(evil, sizeof(evil), "evil");
	snprintf(bad, sizeof(bad), "%s\r\nBcc: %s", to, evil);
	m = (struct gh_mail){ GH_MAIL_VERIFY, bad, "bob", "x" };
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_INTERNAL);
	snprintf(bad, sizeof(bad), "%s, %s", to, evil);
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_INTERNAL);
	/* A name with header lines in it goes to the body, harmless. */
	snprintf(name, sizeof(name), "bob\nBcc: %s\n\nCc: %s", evil, evil);
	m = (struct gh_mail){ GH_MAIL_PASSWORD_CHANGED, to, name, NULL };
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_OK);
	cr_assert_not_null(msg = t_mail_wait(to, 1, 10));
	cr_assert_null(t_mail_header(msg, "Bcc"));
	cr_assert_null(t_mail_header(msg, "Cc"));
	free(msg);
	cr_assert_eq(t_mail_count(to), 1);
	cr_assert_eq(t_mail_count(evil), 0);
}

Test(mail, a_closed_port_is_an_error_and_logged)
{
	struct gh_config	 cfg;
	struct gh_mail		 m;
	char			 to[128], log[] = "/tmp/gh-e2e-mail-XXXXXX";
	char			 buf[4096];
	char			*a;
	ssize_t			 n;
	int			 fd;

	stack_config(&cfg, getenv("GH_TEST_CONFIG"));
	/* msmtp's account "closed": a port nothing listens on. */
	cr_assert_not_null(a = strstr(cfg.mail_command, " -a default "));
	memcpy(a, " -a closed  ", strlen(" -a closed  "));
	unique_address(to, sizeof(to), "closed");
	cr_assert_neq(fd = mkstemp(log), -1);
	cr_assert_neq(dup2(fd, 2), -1);
	m = (struct gh_mail){ GH_MAIL_RESET, to, "carol",
	    "http://x/auth/reset?token=NEVERLOGGED" };
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_INTERNAL);
	cr_assert_geq(n = pread(fd, buf, sizeof(buf) - 1, 0), 0);
	buf[n] = '\0';
	close(fd);
	(void)unlink(log);
	cr_assert_not_null(strstr(buf, "mail reset to user carol: "
	    "/usr/bin/msmtp exited with status 75"), "%s", buf);
	cr_assert_null(strstr(buf, "NEVERLOGGED"), "%s", buf);
	cr_assert_eq(t_mail_count(to), 0);
}
