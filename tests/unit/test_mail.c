/*
 * mail: the message's headers for each kind, every header injection
 * refused with nothing run, the message handed whole to a real command,
 * failures returned and logged without the link, templates_dir's texts,
 * and no descriptor of the program's left to a command that lingers.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "domain/mail.h"
#include "http/confine.h"

#define LINK	"https://auth.example.com/auth/reset?token=SECRETTOKEN123"

static char	 dir[] = "/tmp/gh-mail-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	(void)signal(SIGPIPE, SIG_IGN);
}

static void
teardown(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(mail, .init = setup, .fini = teardown);

static void
put(const char *name, const char *text, mode_t mode)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
}

/* The file's contents (a new string), or NULL when there is none. */
static char *
slurp(const char *name)
{
	char	 path[256];
	char	*buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	cr_assert_not_null(buf = calloc(1, (size_t)n + 1));
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Defaults, public_base_url, and mail_command: capture.sh into out. */
static void
config(struct gh_config *cfg)
{
	gh_config_defaults(cfg);
	snprintf(cfg->public_base_url, sizeof(cfg->public_base_url),
	    "https://auth.example.com");
	snprintf(cfg->mail_from, sizeof(cfg->mail_from),
	    "gatehouse@example.com");
	snprintf(cfg->site_name, sizeof(cfg->site_name), "Example");
	put("capture.sh", "#!/bin/sh\ncat >\"$1\"\n", 0755);
	snprintf(cfg->mail_command, sizeof(cfg->mail_command),
	    "%s/capture.sh %s/out", dir, dir);
}

/* Standard error into dir/log, for the log lines (and the command's). */
static void
capture_log(void)
{
	char	 path[256];
	int	 fd;

	snprintf(path, sizeof(path), "%s/log", dir);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
	cr_assert_neq(dup2(fd, 2), -1);
	close(fd);
}

/* The headers (up to the blank line) of msg, as a new string. */
static char *
headers_of(const char *msg)
{
	const char	*end = strstr(msg, "\n\n");

	cr_assert_not_null(end);
	return strndup(msg, (size_t)(end - msg) + 1);
}

static char *
message(const struct gh_config *cfg, enum gh_mail_kind kind, const char *to,
    const char *username, const char *link)
{
	struct gh_mail	 m = { kind, to, username, link };
	char		*msg;
	size_t		 len;

	cr_assert_eq(gh_mail_message(cfg, &m, &msg, &len), GH_OK);
	cr_assert_eq(strlen(msg), len);
	return msg;
}

static void
common_headers(const char *h)
{
	cr_assert_not_null(strstr(h, "From: gatehouse@example.com\n"), "%s", h);
	cr_assert_not_null(strstr(h, "\nTo: alice@example.org\n"), "%s", h);
	cr_assert_not_null(strstr(h, "\nDate: "), "%s", h);
	cr_assert_not_null(strstr(h, " +0000\n"), "%s", h);
	cr_assert_not_null(strstr(h, "\nMessage-ID: <"), "%s", h);
	cr_assert_not_null(strstr(h, "@example.com>\n"), "%s", h);
	cr_assert_not_null(strstr(h, "\nMIME-Version: 1.0\n"), "%s", h);
	cr_assert_not_null(strstr(h,
	    "\nContent-Type: text/plain; charset=utf-8\n"), "%s", h);
	cr_assert_not_null(strstr(h, "\nContent-Transfer-Encoding: 8bit\n"),
	    "%s", h);
	cr_assert_not_null(strstr(h, "\nAuto-Submitted: auto-generated\n"),
	    "%s", h);
	cr_assert_null(strstr(h, "alice\n"), "the user name is in the body "
	    "only: %s", h);
}

Test(mail, reset_headers_and_body)
{
	struct gh_config	 cfg;
	char			*msg, *h;

	config(&cfg);
	msg = message(&cfg, GH_MAIL_RESET, "alice@example.org", "alice", LINK);
	h = headers_of(msg);
	common_headers(h);
	cr_assert_not_null(strstr(h, "\nSubject: Reset your password for "
	    "Example\n"), "%s", h);
	cr_assert_not_null(strstr(msg, "\n\nHello alice,\n"), "%s", msg);
	cr_assert_not_null(strstr(msg, "\n" LINK "\n"), "%s", msg);
	cr_assert_not_null(strstr(msg, "within 30 minutes"), "%s", msg);
	cr_assert_not_null(strstr(msg, "If it was not you"), "%s", msg);
	free(h);
	free(msg);
}

Test(mail, verify_headers_and_body)
{
	struct gh_config	 cfg;
	char			*msg, *h;

	config(&cfg);
	msg = message(&cfg, GH_MAIL_VERIFY, "alice@example.org", "alice",
	    "https://auth.example.com/auth/verify?token=T");
	h = headers_of(msg);
	common_headers(h);
	cr_assert_not_null(strstr(h, "\nSubject: Confirm your email address "
	    "for Example\n"), "%s", h);
	cr_assert_not_null(strstr(msg,
	    "\nhttps://auth.example.com/auth/verify?token=T\n"), "%s", msg);
	cr_assert_not_null(strstr(msg, "within 48 hours"), "%s", msg);
	free(h);
	free(msg);
}

Test(mail, password_changed_headers_and_body)
{
	struct gh_config	 cfg;
	char			*msg, *h;

	config(&cfg);
	msg = message(&cfg, GH_MAIL_PASSWORD_CHANGED, "alice@example.org",
	    "alice", NULL);
	h = headers_of(msg);
	common_headers(h);
	cr_assert_not_null(strstr(h, "\nSubject: Your password was changed "
	    "for Example\n"), "%s", h);
	cr_assert_not_null(strstr(msg, "was just changed"), "%s", msg);
	cr_assert_not_null(strstr(msg, "If it was you, you need not do "
	    "anything"), "%s", msg);
	cr_assert_null(strstr(msg, "http"), "%s", msg);
	free(h);
	free(msg);
}

Test(mail, from_defaults_to_noreply_at_the_public_host)
{
	struct gh_config	 cfg;
	struct gh_mail		 m = { GH_MAIL_RESET, "a@b.example", "a",
				     LINK };
	char			*msg;
	size_t			 len;

	config(&cfg);
	cfg.mail_from[0] = '\0';
	snprintf(cfg.public_base_url, sizeof(cfg.public_base_url),
	    "https://Auth.Example.com:8443/base");
	msg = message(&cfg, GH_MAIL_RESET, "a@b.example", "a", LINK);
	cr_assert_not_null(strstr(msg, "From: noreply@Auth.Example.com\n"),
	    "%s", msg);
	free(msg);
	cfg.public_base_url[0] = '\0';
	capture_log();
	cr_assert_eq(gh_mail_message(&cfg, &m, &msg, &len), GH_INTERNAL);
	cr_assert_null(msg);
}

Test(mail, a_non_ascii_site_name_is_rfc2047_encoded)
{
	struct gh_config	 cfg;
	char			*msg, *h;
	const unsigned char	*p;

	config(&cfg);
	/* 40 x "é": more than one encoded-word, none cut inside a char. */
	cfg.site_name[0] = '\0';
	while (strlen(cfg.site_name) < 80)
		strcat(cfg.site_name, "\xc3\xa9");
	msg = message(&cfg, GH_MAIL_RESET, "alice@example.org", "alice", LINK);
	h = headers_of(msg);
	cr_assert_not_null(strstr(h, "\nSubject: =?UTF-8?Q?Reset_your_"
	    "password_for_=C3=A9"), "%s", h);
	cr_assert_not_null(strstr(h, "?=\n =?UTF-8?Q?=C3=A9"), "%s", h);
	for (p = (const unsigned char *)h; *p != '\0'; p++)
		cr_assert_lt(*p, 0x80, "raw UTF-8 in the headers: %s", h);
	free(h);
	free(msg);
}

/* gh_mail_send() with m refuses, logs, and runs nothing. */
static void
refused(struct gh_config *cfg, const struct gh_mail *m)
{
	char	*out, *log;

	capture_log();
	cr_assert_eq(gh_mail_send(cfg, m), GH_INTERNAL);
	out = slurp("out");
	cr_assert_null(out, "the command ran: %s", out);
	cr_assert_not_null(log = slurp("log"));
	cr_assert_not_null(strstr(log, "mail: refused the"), "%s", log);
	cr_assert_null(strstr(log, "SECRETTOKEN"), "%s", log);
	free(log);
}

Test(mail, no_address_can_add_a_header_or_a_recipient)
{
	static const char *const bad[] = {
		"a@b.c, evil@x.y", "a@b.c,evil@x.y", "a@b.c;evil@x.y",
		"a@b.c\r\nBcc: evil@x.y", "a@b.c\nBcc: evil@x.y",
		"a@b.c\rBcc: evil@x.y", "Alice <a@b.c>", "<a@b.c>",
		"a b@c.d", "\"a,b\"@c.d", "a@b.c evil@x.y", "a@b@c.d",
		"a@b.c\tx", "a\0@b.c", "", "@b.c", "a@", "a@.c", "a@b..c",
		".a@b.c", "a.@b.c", "-oX@b.c", "a|b@c.d", "/tmp/x@b.c",
		"a@b.c(comment)", "a@[127.0.0.1]", "\xc3\xa9@b.c", NULL
	};
	struct gh_config	 cfg;
	struct gh_mail		 m = { GH_MAIL_RESET, NULL, "alice", LINK };
	char			 longer[400];
	size_t			 i;

	config(&cfg);
	for (i = 0; bad[i] != NULL; i++) {
		cr_assert_eq(gh_mail_addr_ok(bad[i]), 0, "%s", bad[i]);
		m.to = bad[i];
		refused(&cfg, &m);
	}
	memset(longer, 'a', sizeof(longer));
	memcpy(longer + sizeof(longer) - 10, "@b.example", 10);
	longer[sizeof(longer) - 1] = '\0';
	m.to = longer;
	refused(&cfg, &m);
	m.to = NULL;
	refused(&cfg, &m);
	cr_assert_eq(gh_mail_addr_ok("a.b+tag@mail.example.org"), 1);
	cr_assert_eq(gh_mail_addr_ok("o'brien@example.ie"), 1);
}

Test(mail, no_configured_value_can_add_a_header)
{
	struct gh_config	 cfg;
	struct gh_mail		 m = { GH_MAIL_RESET, "alice@example.org",
				     "alice", LINK };

	config(&cfg);
	snprintf(cfg.mail_from, sizeof(cfg.mail_from),
	    "a@b.c\nBcc: evil@x.y");
	refused(&cfg, &m);
	snprintf(cfg.mail_from, sizeof(cfg.mail_from), "Gatehouse <a@b.c>");
	refused(&cfg, &m);
	config(&cfg);
	snprintf(cfg.site_name, sizeof(cfg.site_name), "Site\r\nBcc: evil@x.y");
	refused(&cfg, &m);
	snprintf(cfg.site_name, sizeof(cfg.site_name), "Site\xff");
	refused(&cfg, &m);
}

Test(mail, a_hostile_username_stays_in_the_body)
{
	struct gh_config	 cfg;
	char			*msg, *h;

	config(&cfg);
	msg = message(&cfg, GH_MAIL_RESET, "alice@example.org",
	    "x\r\nBcc: evil@x.y\r\n\r\nhi", LINK);
	h = headers_of(msg);
	cr_assert_null(strstr(h, "evil"), "%s", h);
	cr_assert_not_null(strstr(msg, "Hello x??Bcc: evil@x.y????hi,\n"),
	    "%s", msg);
	free(h);
	free(msg);
}

Test(mail, the_command_reads_exactly_the_message)
{
	struct gh_config	 cfg;
	struct gh_mail		 m = { GH_MAIL_VERIFY, "alice@example.org",
				     "alice", LINK };
	char			*out, *got;
	size_t			 len;

	config(&cfg);
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_OK);
	cr_assert_not_null(got = slurp("out"));
	/* The same message but its Date and Message-ID. */
	cr_assert_eq(gh_mail_message(&cfg, &m, &out, &len), GH_OK);
	cr_assert_eq(strlen(got), len);
	cr_assert_str_eq(strstr(got, "\nMIME-Version"),
	    strstr(out, "\nMIME-Version"));
	cr_assert_eq(strncmp(got, out, (size_t)(strstr(out, "\nDate:") -
	    out)), 0);
	free(got);
	free(out);
}

/*
 * In a child (Criterion's process keeps its own): the mail helper forked,
 * the child confined, one message sent: the child's exit status, 0 when
 * gh_mail_send() gave want.
 */
static int
send_confined(struct gh_config *cfg, enum gh_status want)
{
	struct gh_mail	 m = { GH_MAIL_VERIFY, "alice@example.org", "alice",
			     LINK };
	pid_t		 pid;
	int		 st;

	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		cfg->confine = true;
		if (gh_mail_helper_start(cfg) == -1 ||
		    gh_confine(cfg, "test") == -1)
			_exit(2);
		_exit(gh_mail_send(cfg, &m) == want ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(mail, a_confined_program_mails_through_its_helper)
{
	struct gh_config	 cfg;
	char			*got;

	config(&cfg);
	cr_assert_eq(send_confined(&cfg, GH_OK), 0);
	cr_assert_not_null(got = slurp("out"));
	cr_assert_not_null(strstr(got, "\nTo: alice@example.org\n"), "%s",
	    got);
	cr_assert_not_null(strstr(got, LINK), "%s", got);
	free(got);
	/* The command's failure comes back through the helper. */
	put("fail.sh", "#!/bin/sh\ncat >/dev/null\nexit 1\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), "%s/fail.sh",
	    dir);
	cr_assert_eq(send_confined(&cfg, GH_INTERNAL), 0);
}

/* gh_mail_send() fails and logs want, never the link. */
static void
fails(struct gh_config *cfg, const char *want)
{
	struct gh_mail	 m = { GH_MAIL_RESET, "alice@example.org", "alice",
			     LINK };
	char		*log;

	capture_log();
	cr_assert_eq(gh_mail_send(cfg, &m), GH_INTERNAL);
	cr_assert_not_null(log = slurp("log"));
	cr_assert_not_null(strstr(log, "mail reset to user alice: "), "%s",
	    log);
	cr_assert_not_null(strstr(log, want), "%s", log);
	cr_assert_null(strstr(log, "SECRETTOKEN"), "%s", log);
	free(log);
}

Test(mail, a_failing_command_is_an_error_logged)
{
	struct gh_config	 cfg;

	config(&cfg);
	put("fail.sh", "#!/bin/sh\ncat >/dev/null\nexit 1\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), "%s/fail.sh",
	    dir);
	fails(&cfg, "exited with status 1");
	put("early.sh", "#!/bin/sh\nexit 0\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), "%s/early.sh",
	    dir);
	(void)gh_mail_send(&cfg, &(struct gh_mail){ GH_MAIL_RESET,
	    "alice@example.org", "alice", LINK });
	put("kill.sh", "#!/bin/sh\nkill -9 $$\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), "%s/kill.sh",
	    dir);
	fails(&cfg, "died of signal 9");
	snprintf(cfg.mail_command, sizeof(cfg.mail_command),
	    "/nonexistent/sendmail -t -i");
	fails(&cfg, "cannot run mail_command /nonexistent/sendmail");
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), " \t ");
	fails(&cfg, "mail_command is empty");
}

/* The one slow test: a command that never ends is killed at the limit. */
Test(mail, a_hanging_command_is_killed_in_time, .timeout = 90)
{
	struct gh_config	 cfg;
	time_t			 t0 = time(NULL);

	config(&cfg);
	put("hang.sh", "#!/bin/sh\ncat >/dev/null\nexec sleep 120\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command), "%s/hang.sh",
	    dir);
	fails(&cfg, "did not finish in time: killed");
	cr_assert_geq(time(NULL) - t0, GH_MAIL_TIMEOUT_SECONDS - 1);
	cr_assert_leq(time(NULL) - t0, GH_MAIL_TIMEOUT_SECONDS + 5);
}

Test(mail, a_lingering_command_holds_no_descriptor_of_ours)
{
	struct gh_config	 cfg;
	struct gh_mail		 m = { GH_MAIL_RESET, "alice@example.org",
				     "alice", LINK };
	struct pollfd		 pfd;
	char			 c;
	int			 q[2];

	config(&cfg);
	/* What a lingering child would keep: our stdin, any descriptor. */
	put("linger.sh", "#!/bin/sh\ncat >\"$1\"\nsleep 5 &\n", 0755);
	snprintf(cfg.mail_command, sizeof(cfg.mail_command),
	    "%s/linger.sh %s/out", dir, dir);
	cr_assert_eq(pipe(q), 0);
	cr_assert_neq(dup2(q[1], 0), -1);
	cr_assert_eq(gh_mail_send(&cfg, &m), GH_OK);
	close(0);
	close(q[1]);
	pfd.fd = q[0];
	pfd.events = POLLIN;
	cr_assert_eq(poll(&pfd, 1, 2000), 1, "the command holds our pipe");
	cr_assert_eq(read(q[0], &c, 1), 0);
}

Test(mail, templates_dir_replaces_a_text)
{
	struct gh_config	 cfg;
	char			 err[256];
	char			*msg, *body;

	config(&cfg);
	snprintf(cfg.templates_dir, sizeof(cfg.templates_dir), "%s", dir);
	put("reset.txt", "Reset {{username}} of {{site_name}}: {{link}} "
	    "({{minutes}} min, {{hours}} h)", 0644);
	cr_assert_eq(gh_mail_load(&cfg, err, sizeof(err)), 0, "%s", err);
	msg = message(&cfg, GH_MAIL_RESET, "alice@example.org", "alice", LINK);
	cr_assert_not_null(body = strstr(msg, "\n\n"));
	cr_assert_str_eq(body + 2, "Reset alice of Example: " LINK
	    " (30 min, 48 h)\n");
	free(msg);
	/* The others keep the built-in texts. */
	msg = message(&cfg, GH_MAIL_VERIFY, "alice@example.org", "alice", LINK);
	cr_assert_not_null(strstr(msg, "Please confirm"));
	free(msg);
}

Test(mail, a_bad_template_stops_the_program)
{
	struct gh_config	 cfg;
	char			 err[256], line[1200];

	config(&cfg);
	snprintf(cfg.templates_dir, sizeof(cfg.templates_dir), "%s", dir);
	put("verify.txt", "{{token}}\n", 0644);
	cr_assert_eq(gh_mail_load(&cfg, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "unknown placeholder {{token}}"), "%s",
	    err);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	put("verify.txt", line, 0644);
	cr_assert_eq(gh_mail_load(&cfg, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "a line over"), "%s", err);
}
