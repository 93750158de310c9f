/*
 * mail: messages built, checked and handed to mail_command.  See mail.h.
 */
#define _GNU_SOURCE		/* close_range(), pipe2() */

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "core/random.h"
#include "core/template.h"
#include "core/utf8.h"
#include "domain/mail.h"

static const char builtin_reset[] =
	"Hello {{username}},\n"
	"\n"
	"Someone asked to reset the password of your {{site_name}} account.\n"
	"To choose a new password, open this link within {{minutes}} minutes:\n"
	"\n"
	"{{link}}\n"
	"\n"
	"The link works once.\n"
	"\n"
	"If it was not you, you need not do anything: your password stays\n"
	"as it is, and nobody can change it without this link.  If such\n"
	"messages keep coming, tell the site's administrators.\n"
	"\n"
	"-- \n"
	"{{site_name}}\n";

static const char builtin_verify[] =
	"Hello {{username}},\n"
	"\n"
	"Please confirm that this is the email address of your {{site_name}}\n"
	"account by opening this link within {{hours}} hours:\n"
	"\n"
	"{{link}}\n"
	"\n"
	"If you did not create an account or give this address, you need not\n"
	"do anything: the address stays unconfirmed.\n"
	"\n"
	"-- \n"
	"{{site_name}}\n";

static const char builtin_password_changed[] =
	"Hello {{username}},\n"
	"\n"
	"The password of your {{site_name}} account was just changed.\n"
	"\n"
	"If it was you, you need not do anything.\n"
	"\n"
	"If it was not you, someone else may know your password or read your\n"
	"mail: choose a new password at once with \"Forgot your password?\"\n"
	"on the sign-in page (the link comes to this address), and tell the\n"
	"site's administrators.\n"
	"\n"
	"-- \n"
	"{{site_name}}\n";

/* [enum gh_mail_kind]: the file in templates_dir, the text, the rest. */
static const char *const files[] = {
	"reset.txt", "verify.txt", "password_changed.txt"
};
static const char *templates[] = {
	builtin_reset, builtin_verify, builtin_password_changed
};
static const char *const kinds[] = {
	"reset", "verify", "password_changed"
};
static const char *const subjects[] = {
	"Reset your password for ", "Confirm your email address for ",
	"Your password was changed for "
};

enum slot { S_SITE_NAME, S_USERNAME, S_LINK, S_MINUTES, S_HOURS, S_COUNT };

static const char *const slots[S_COUNT] = {
	"site_name", "username", "link", "minutes", "hours"
};
static const struct gh_template_names	 names = { slots, S_COUNT };

/* RFC 5322 keeps a line under 998 bytes; templates stay well under. */
#define LINE_MAX_BYTES		900
/* An RFC 2047 encoded-word's text: 75 less "=?UTF-8?Q?" and "?=". */
#define QWORD_MAX		63

int
gh_mail_load(const struct gh_config *cfg, char *err, size_t errsz)
{
	const char	*p, *nl;
	char		*text;
	size_t		 i;
	int		 rc;

	if (cfg->templates_dir[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		text = NULL;
		rc = gh_template_load(cfg->templates_dir, files[i],
		    GH_MAIL_TEMPLATE_MAX, &names, &text, err, errsz);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		for (p = text; *p != '\0'; p = nl + (*nl != '\0')) {
			nl = p + strcspn(p, "\n");
			if (nl - p > LINE_MAX_BYTES) {
				(void)snprintf(err, errsz, "%s: a line over "
				    "%d bytes", files[i], LINE_MAX_BYTES);
				free(text);
				return -1;
			}
		}
		templates[i] = text;	/* kept for the program's life */
	}
	return 0;
}

/* A message growing in a fixed-size buffer: whole, or failed. */
struct buf {
	char	*p;
	size_t	 len;
	bool	 failed;
};

static void
put(struct buf *b, const char *s, size_t len)
{
	if (b->failed || len >= GH_MAIL_MAX - b->len) {
		b->failed = true;
		return;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

int
gh_mail_addr_ok(const char *s)
{
	const char	*at, *p;
	size_t		 len;

	if (s == NULL || (len = strlen(s)) < 3 || len > GH_MAIL_ADDR_MAX ||
	    (at = strchr(s, '@')) == NULL || at == s || at - s > 64 ||
	    strchr(at + 1, '@') != NULL || at[1] == '\0')
		return 0;
	/* The local part: a dot-atom of RFC 5322's safest atext. */
	if (s[0] == '.' || s[0] == '-' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++)
		if (!is_alnum((unsigned char)*p) &&
		    strchr("._+-=%!#$&'*?^{}~", *p) == NULL)
			return 0;
		else if (p[0] == '.' && p[1] == '.')
			return 0;
	/* The domain: dot-separated labels of letters, digits and '-'. */
	for (p = at + 1; *p != '\0'; p++) {
		if (*p == '.' && (p[-1] == '.' || p[-1] == '@' ||
		    p[1] == '\0'))
			return 0;
		if (!is_alnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	}
	return 1;
}

/* Writes v as RFC 2047 Q encoded-words (UTF-8), folded between words. */
static void
put_encoded(struct buf *b, const char *v)
{
	const unsigned char	*p = (const unsigned char *)v;
	char			 word[QWORD_MAX + 1], enc[16];
	size_t			 n = 0, clen, elen, i;

	while (*p != '\0') {
		clen = gh_utf8_seq(p, strlen((const char *)p));
		elen = 0;
		for (i = 0; i < clen; i++) {
			if (is_alnum(p[i]) || strchr("!*+-/", p[i]) != NULL)
				enc[elen++] = (char)p[i];
			else if (p[i] == ' ')
				enc[elen++] = '_';
			else
				elen += (size_t)snprintf(enc + elen,
				    sizeof(enc) - elen, "=%02X", p[i]);
		}
		if (n + elen > QWORD_MAX) {
			put(b, "=?UTF-8?Q?", 10);
			put(b, word, n);
			put(b, "?=\n ", 4);
			n = 0;
		}
		memcpy(word + n, enc, elen);
		n += elen;
		p += clen;
	}
	put(b, "=?UTF-8?Q?", 10);
	put(b, word, n);
	put(b, "?=", 2);
}

enum hkind { H_ADDR, H_TEXT };

/*
 * The one way a header is written: "Name: value\n".  An H_ADDR value must
 * be a plain addr-spec; an H_TEXT value valid UTF-8 without a control
 * byte, RFC 2047-encoded when not ASCII.  -1 (logged) refuses it.
 */
static int
header(struct buf *b, const char *name, const char *value, enum hkind k)
{
	const unsigned char	*p;
	bool			 ascii = true;

	if (value == NULL)
		goto refuse;
	if (k == H_ADDR && !gh_mail_addr_ok(value))
		goto refuse;
	if (!gh_utf8_valid(value, strlen(value)))
		goto refuse;
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f)
			goto refuse;
		if (*p >= 0x80)
			ascii = false;
	}
	puts_(b, name);
	put(b, ": ", 2);
	if (ascii)
		puts_(b, value);
	else
		put_encoded(b, value);
	put(b, "\n", 1);
	return 0;
refuse:
	gh_log(GH_LOG_ERROR, "mail: refused the %s header's value: not %s",
	    name, k == H_ADDR ? "a plain address" :
	    "printable UTF-8 on one line");
	return -1;
}

/* Dates are English whatever the locale (RFC 5322 3.3). */
static int
date_header(struct buf *b)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 v[64];
	int		 n;

	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL)
		return -1;
	n = snprintf(v, sizeof(v), "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= sizeof(v))
		return -1;
	return header(b, "Date", v, H_TEXT);
}

/* mail_from, else noreply@ and public_base_url's host; -1 if neither. */
static int
from_address(const struct gh_config *cfg, char *out, size_t outsz)
{
	const char	*host, *end;
	int		 n;

	if (cfg->mail_from[0] != '\0') {
		n = snprintf(out, outsz, "%s", cfg->mail_from);
		return n < 0 || (size_t)n >= outsz ? -1 : 0;
	}
	if ((host = strstr(cfg->public_base_url, "://")) == NULL)
		return -1;
	host += 3;
	end = host + strcspn(host, ":/");
	n = snprintf(out, outsz, "noreply@%.*s", (int)(end - host), host);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* A value into the body: a control byte (but none is wanted) as '?'. */
static void
put_value(struct buf *b, const char *v)
{
	for (; v != NULL && *v != '\0'; v++)
		put(b, (unsigned char)*v < ' ' || *v == 0x7f ? "?" : v, 1);
}

struct fill {
	struct buf		*b;
	const struct gh_config	*cfg;
	const struct gh_mail	*m;
};

static void
fill_lit(void *arg, const char *s, size_t len)
{
	put(((struct fill *)arg)->b, s, len);
}

static void
fill_slot(void *arg, size_t slot)
{
	struct fill	*f = arg;
	char		 num[16];

	switch ((enum slot)slot) {
	case S_SITE_NAME:
		put_value(f->b, f->cfg->site_name);
		break;
	case S_USERNAME:
		put_value(f->b, f->m->username);
		break;
	case S_LINK:
		put_value(f->b, f->m->link);
		break;
	case S_MINUTES:
	case S_HOURS:
		(void)snprintf(num, sizeof(num), "%d", slot == S_MINUTES ?
		    f->cfg->reset_token_minutes : f->cfg->verify_token_hours);
		put_value(f->b, num);
		break;
	case S_COUNT:
		break;
	}
}

enum gh_status
gh_mail_message(const struct gh_config *cfg, const struct gh_mail *m,
    char **out, size_t *len)
{
	struct buf	 b;
	struct fill	 f;
	char		 from[GH_MAIL_ADDR_MAX + 16], subject[256];
	char		 id[GH_MAIL_ADDR_MAX + 64], rnd[32];
	int		 n;

	*out = NULL;
	*len = 0;
	if ((unsigned)m->kind > GH_MAIL_PASSWORD_CHANGED)
		return GH_INTERNAL;
	memset(&b, 0, sizeof(b));
	if ((b.p = malloc(GH_MAIL_MAX)) == NULL)
		return GH_NOMEM;
	b.p[0] = '\0';
	if (from_address(cfg, from, sizeof(from)) == -1) {
		gh_log(GH_LOG_ERROR, "mail: no From address: set mail_from "
		    "or public_base_url");
		goto refused;
	}
	n = snprintf(subject, sizeof(subject), "%s%s", subjects[m->kind],
	    cfg->site_name);
	if (n < 0 || (size_t)n >= sizeof(subject) ||
	    gh_random_b64url(18, rnd, sizeof(rnd)) == -1)
		goto refused;
	/* The From address's domain: checked as an address just below. */
	n = snprintf(id, sizeof(id), "<%s%s>", rnd, strchr(from, '@') != NULL ?
	    strchr(from, '@') : "@gatehouse.invalid");
	if (n < 0 || (size_t)n >= sizeof(id) ||
	    header(&b, "From", from, H_ADDR) == -1 ||
	    header(&b, "To", m->to, H_ADDR) == -1 ||
	    header(&b, "Subject", subject, H_TEXT) == -1 ||
	    date_header(&b) == -1 ||
	    header(&b, "Message-ID", id, H_TEXT) == -1 ||
	    header(&b, "MIME-Version", "1.0", H_TEXT) == -1 ||
	    header(&b, "Content-Type", "text/plain; charset=utf-8",
	    H_TEXT) == -1 ||
	    header(&b, "Content-Transfer-Encoding", "8bit", H_TEXT) == -1 ||
	    header(&b, "Auto-Submitted", "auto-generated", H_TEXT) == -1)
		goto refused;
	put(&b, "\n", 1);
	f.b = &b;
	f.cfg = cfg;
	f.m = m;
	gh_template_render(templates[m->kind], &names, fill_lit, fill_slot, &f);
	if (b.len > 0 && b.p[b.len - 1] != '\n')
		put(&b, "\n", 1);
	if (b.failed) {
		gh_log(GH_LOG_ERROR, "mail: the %s message is over %d bytes",
		    kinds[m->kind], GH_MAIL_MAX);
		goto refused;
	}
	*out = b.p;
	*len = b.len;
	return GH_OK;
refused:
	free(b.p);
	return GH_INTERNAL;
}

/*
 * mail_command split on spaces and tabs into argv (words in cmd, which
 * holds a copy): the number of words, or -1 when none or too many.
 */
static int
split(const char *command, char *cmd, size_t cmdsz, char **argv)
{
	char	*p, *save = NULL;
	int	 n = 0, len;

	len = snprintf(cmd, cmdsz, "%s", command);
	if (len < 0 || (size_t)len >= cmdsz)
		return -1;
	for (p = strtok_r(cmd, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (n == GH_MAIL_ARGS_MAX)
			return -1;
		argv[n++] = p;
	}
	argv[n] = NULL;
	return n == 0 ? -1 : n;
}

/*
 * The child: the pipe as standard input, standard output to standard
 * error, nothing else open; only async-signal-safe calls here.
 */
static void
child(int in, char *const *argv)
{
	if (in == 0) {
		if (fcntl(0, F_SETFD, 0) == -1)
			_exit(126);
	} else if (dup2(in, 0) == -1)
		_exit(126);
	if (dup2(2, 1) == -1) {
		/* No standard error either: the command writes nowhere. */
	}
	if (close_range(3, ~0U, 0) == -1) {
		int	 fd;

		for (fd = 3; fd < 1024; fd++)
			(void)close(fd);
	}
	execv(argv[0], argv);
	_exit(127);
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec	 now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Writes msg to fd before the deadline: 0, or -1 (what failed in *why). */
static int
feed(int fd, const char *msg, size_t len, const struct timespec *deadline,
    const char **why)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	long		 left;

	while (len > 0) {
		if ((left = ms_left(deadline)) <= 0) {
			*why = "did not read the message in time";
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR) {
			*why = "cannot be written to";
			return -1;
		}
		if ((n = write(fd, msg, len)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*why = "did not read the whole message";
			return -1;
		}
		msg += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits for pid until the deadline, then kills it: its wait status. */
static int
reap(pid_t pid, const struct timespec *deadline, bool *killed)
{
	struct timespec	 nap = { 0, 10 * 1000 * 1000 };
	pid_t		 r;
	int		 st = 0;

	*killed = false;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && ms_left(deadline) > 0)
		(void)nanosleep(&nap, NULL);
	if (r == pid)
		return st;
	if (r == 0) {
		*killed = true;
		(void)kill(pid, SIGKILL);
	}
	do
		r = waitpid(pid, &st, 0);
	while (r == -1 && errno == EINTR);
	return st;
}

/* The user's name for a log line. */
static const char *
who(const struct gh_mail *m)
{
	return m->username != NULL ? m->username : "?";
}

static enum gh_status
run(const struct gh_config *cfg, const struct gh_mail *m, const char *msg,
    size_t len)
{
	struct timespec	 deadline;
	char		 cmd[sizeof(cfg->mail_command)];
	char		*argv[GH_MAIL_ARGS_MAX + 1];
	const char	*why = NULL;
	pid_t		 pid;
	bool		 killed;
	int		 p[2], st;

	if (split(cfg->mail_command, cmd, sizeof(cmd), argv) == -1) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: mail_command is "
		    "empty or has over %d words", kinds[m->kind], who(m),
		    GH_MAIL_ARGS_MAX);
		return GH_INTERNAL;
	}
	if (access(argv[0], X_OK) == -1) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: cannot run "
		    "mail_command %s: %s", kinds[m->kind], who(m),
		    argv[0], strerror(errno));
		return GH_INTERNAL;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: pipe: %s",
		    kinds[m->kind], who(m), strerror(errno));
		return GH_INTERNAL;
	}
	if ((pid = fork()) == -1) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: fork: %s",
		    kinds[m->kind], who(m), strerror(errno));
		(void)close(p[0]);
		(void)close(p[1]);
		return GH_INTERNAL;
	}
	if (pid == 0)
		child(p[0], argv);
	(void)close(p[0]);
	(void)clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += GH_MAIL_TIMEOUT_SECONDS;
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1)
		why = "cannot be written to";
	else
		(void)feed(p[1], msg, len, &deadline, &why);
	(void)close(p[1]);
	st = reap(pid, &deadline, &killed);
	if (killed)
		why = "did not finish in time: killed";
	else if (WIFSIGNALED(st)) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: %s died of signal "
		    "%d", kinds[m->kind], who(m), argv[0], WTERMSIG(st));
		return GH_INTERNAL;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: %s exited with "
		    "status %d", kinds[m->kind], who(m), argv[0],
		    WEXITSTATUS(st));
		return GH_INTERNAL;
	}
	if (why != NULL) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: %s %s",
		    kinds[m->kind], who(m), argv[0], why);
		return GH_INTERNAL;
	}
	return GH_OK;
}

/*
 * The mail helper (mail.h): the program's end of the socket pair, and
 * whether the program must hand every message to it (it is confined).
 * A request is one SOCK_SEQPACKET record, a struct ask and the message;
 * the answer a struct reply with the same sequence number.
 */
static int		 helper = -1;
static bool		 delegated;
static unsigned int	 asked;

struct ask {
	unsigned int	 seq;
	int		 kind;
	char		 username[GH_USERNAME_MAX + 1];
	size_t		 len;
};

struct reply {
	unsigned int	 seq;
	int		 status;	/* enum gh_status */
};

static volatile sig_atomic_t	 orphaned;

static void
on_parent_gone(int sig)
{
	(void)sig;
	orphaned = 1;
}

/* The helper's loop: one message at a time, until its program is gone. */
static void
helper_loop(int s, const struct gh_config *cfg)
{
	struct ask	*a;
	struct reply	 r;
	struct gh_mail	 m;
	char		*rec;
	size_t		 recsz = sizeof(*a) + GH_MAIL_MAX;
	ssize_t		 n;

	if ((rec = malloc(recsz)) == NULL)
		return;
	a = (struct ask *)(void *)rec;
	while (!orphaned) {
		/* MSG_TRUNC: n is the record's length, even past recsz. */
		if ((n = recv(s, rec, recsz, MSG_TRUNC)) == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((size_t)n < sizeof(*a))
			continue;	/* no sequence number to answer */
		memset(&m, 0, sizeof(m));
		m.kind = (enum gh_mail_kind)a->kind;
		a->username[GH_USERNAME_MAX] = '\0';
		m.username = a->username;
		r.seq = a->seq;
		r.status = GH_INTERNAL;
		if (a->len < GH_MAIL_MAX && (size_t)n == sizeof(*a) + a->len &&
		    (unsigned)a->kind <= GH_MAIL_PASSWORD_CHANGED)
			r.status = run(cfg, &m, rec + sizeof(*a), a->len);
		OPENSSL_cleanse(rec, (size_t)n < recsz ? (size_t)n : recsz);
		if (send(s, &r, sizeof(r), MSG_NOSIGNAL) == -1)
			break;
	}
	free(rec);
}

/* The helper's start: nothing of the program's it does not need. */
static void
helper_main(int s, pid_t parent, struct gh_config *cfg)
{
	struct sigaction	 sa;
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_parent_gone;
	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1 ||
	    getppid() != parent)
		_exit(0);
	/* ps and top tell it from the program it serves. */
	(void)prctl(PR_SET_NAME, GH_MAIL_HELPER_NAME, 0, 0, 0);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	/* Not the FastCGI socket: the web server's, not the helper's. */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(fd, 0) == -1)
		_exit(0);
	(void)close(fd);
	OPENSSL_cleanse(cfg->jwt_secret, sizeof(cfg->jwt_secret));
	OPENSSL_cleanse(cfg->kek, sizeof(cfg->kek));
	cfg->jwt_secret_len = cfg->kek_len = 0;
	helper_loop(s, cfg);
	(void)close(s);
	/* _exit: the program's atexit work is the program's own. */
	_exit(0);
}

int
gh_mail_helper_start(struct gh_config *cfg)
{
	pid_t	 parent = getpid(), pid;
	int	 sv[2];

	delegated = true;
	if (cfg->mail_command[0] == '\0')
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		gh_log(GH_LOG_ERROR, "mail helper: socketpair: %s",
		    strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		gh_log(GH_LOG_ERROR, "mail helper: fork: %s", strerror(errno));
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		(void)close(sv[0]);
		helper_main(sv[1], parent, cfg);
	}
	(void)close(sv[1]);
	helper = sv[0];
	return 0;
}

/* Hands the message to the helper and waits for its answer. */
static enum gh_status
delegate(const struct gh_mail *m, const char *msg, size_t len)
{
	struct ask	*a;
	struct reply	 r;
	struct pollfd	 pfd;
	struct timespec	 deadline;
	char		*rec;
	unsigned int	 seq = ++asked;
	long		 left;
	ssize_t		 n;

	if (helper == -1) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: no mail helper (no "
		    "mail_command at start-up, or it died)", kinds[m->kind],
		    who(m));
		return GH_INTERNAL;
	}
	if ((rec = calloc(1, sizeof(*a) + len)) == NULL)
		return GH_NOMEM;
	a = (struct ask *)(void *)rec;
	a->seq = seq;
	a->kind = (int)m->kind;
	(void)snprintf(a->username, sizeof(a->username), "%s", who(m));
	a->len = len;
	memcpy(rec + sizeof(*a), msg, len);
	n = send(helper, rec, sizeof(*a) + len, MSG_NOSIGNAL);
	OPENSSL_cleanse(rec, sizeof(*a) + len);
	free(rec);
	if (n == -1)
		goto gone;
	(void)clock_gettime(CLOCK_MONOTONIC, &deadline);
	/* The helper kills the command at its own deadline: then answers. */
	deadline.tv_sec += GH_MAIL_TIMEOUT_SECONDS + 5;
	while ((left = ms_left(&deadline)) > 0) {
		pfd.fd = helper;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			goto gone;
		if (pfd.revents == 0)
			continue;
		if ((n = recv(helper, &r, sizeof(r), 0)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			goto gone;
		}
		/* An answer to an earlier message that timed out here. */
		if ((size_t)n == sizeof(r) && r.seq == seq)
			return (enum gh_status)r.status;
	}
	gh_log(GH_LOG_ERROR, "mail %s to user %s: the mail helper did not "
	    "answer in time", kinds[m->kind], who(m));
	return GH_INTERNAL;
gone:
	gh_log(GH_LOG_ERROR, "mail %s to user %s: the mail helper is gone: "
	    "%s", kinds[m->kind], who(m), n == 0 ? "closed" : strerror(errno));
	(void)close(helper);
	helper = -1;
	return GH_INTERNAL;
}

enum gh_status
gh_mail_send(const struct gh_config *cfg, const struct gh_mail *m)
{
	enum gh_status	 st;
	char		*msg;
	size_t		 len;

	if ((st = gh_mail_message(cfg, m, &msg, &len)) != GH_OK) {
		gh_log(GH_LOG_ERROR, "mail %s to user %s: not sent (%s)",
		    (unsigned)m->kind <= GH_MAIL_PASSWORD_CHANGED ?
		    kinds[m->kind] : "?", who(m), gh_status_str(st));
		return st;
	}
	st = delegated ? delegate(m, msg, len) : run(cfg, m, msg, len);
	free(msg);
	return st;
}
