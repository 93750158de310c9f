/*
 * mail: the messages gatehouse sends (a password reset link, an email
 * verification link, a notice that a password changed), handed whole to
 * mail_command, a sendmail-compatible command (sendmail -t -i, msmtp -t),
 * which reads the recipients from the To: header, as PHP's mail() does.
 *
 * gh_mail_send() waits for the command (at most GH_MAIL_TIMEOUT_SECONDS,
 * then kills it), so it is only ever called from a gh_after_response()
 * job (http/after.h): once the response is with the client, no answer
 * waits on mail and none is slower for a real account.
 *
 * Promises: every header is written by one function, which refuses (no
 * message, nothing run, GH_INTERNAL and a log line) an address that is
 * not a plain addr-spec local@domain of at most 254 bytes (no display
 * name, comma, semicolon, angle bracket, space, quote, CR, LF or NUL:
 * nothing can add a recipient or a header) and any other value holding a
 * control byte; a non-ASCII Subject (site_name) is RFC 2047-encoded.  The
 * user name goes into the body only.  The body is a plain-text template
 * per kind, built in or replaced by templates_dir's reset.txt,
 * verify.txt and password_changed.txt (read once, gh_mail_load()), with
 * the placeholders {{site_name}} {{username}} {{link}} {{minutes}}
 * (reset_token_minutes) {{hours}} (verify_token_hours); a control byte
 * in a value is written as '?'.  The command runs without a shell
 * (mail_command split on spaces and tabs, its first word a path), with
 * the message on its standard input, its standard output and error the
 * program's standard error, and no other descriptor of the program's
 * (not the FastCGI socket, not the database's): a command that leaves a
 * process behind holds no client's connection open.  A failure (cannot
 * start, exit status, signal, timeout) is logged with the kind and the
 * user name, never the link, and returned; it never reaches a client.
 * The caller ignores SIGPIPE (the serve loop does).
 */
#ifndef GH_MAIL_H
#define GH_MAIL_H

#include <stddef.h>

#include "core/bounds.h"
#include "core/config.h"
#include "core/status.h"

#define GH_MAIL_ADDR_MAX	254
#define GH_MAIL_TEMPLATE_MAX	(16 * 1024)
#define GH_MAIL_MAX		(32 * 1024)	/* a whole message */
#define GH_MAIL_TIMEOUT_SECONDS	30
#define GH_MAIL_ARGS_MAX	32		/* words of mail_command */
#define GH_MAIL_HELPER_NAME	"gatehouse-mail"	/* its comm */

enum gh_mail_kind {
	GH_MAIL_RESET,
	GH_MAIL_VERIFY,
	GH_MAIL_PASSWORD_CHANGED
};

struct gh_mail {
	enum gh_mail_kind	 kind;
	const char		*to;		/* an address */
	const char		*username;	/* the body's greeting */
	const char		*link;		/* NULL for PASSWORD_CHANGED */
};

/*
 * Reads templates_dir's mail templates (when set) as the promises say; a
 * missing one keeps the built-in text.  0, or -1 with a message in err.
 */
int		 gh_mail_load(const struct gh_config *, char *err,
		    size_t errsz);

/* Is s a plain addr-spec, as the promises say?  1 or 0. */
int		 gh_mail_addr_ok(const char *s);

/*
 * The whole message (headers, blank line, body; LF line ends) as a new
 * string in *out, its length in *len.  GH_OK, GH_INTERNAL (a refused
 * value, logged) or GH_NOMEM.
 */
enum gh_status	 gh_mail_message(const struct gh_config *,
		    const struct gh_mail *, char **out, size_t *len);

/*
 * Forks the mail helper, for a program about to confine itself (which
 * can then run no command): from here on gh_mail_send() hands each
 * message to it over a socket pair and waits for its verdict, and the
 * helper, unconfined, runs mail_command as the promises say.  The helper
 * is forked before the database is connected and keeps nothing of the
 * program's but its configuration less the secret and the key-encryption
 * key (wiped), and standard error; its standard input is /dev/null, not
 * the FastCGI socket; its name (comm, as ps shows it) GH_MAIL_HELPER_NAME.  It leaves with its program: at end of file on the
 * pair, or at the SIGTERM PR_SET_PDEATHSIG sends it, always through
 * _exit(0) after its current message (so valgrind reports on it too).
 * Without mail_command no helper is forked and every send fails, logged.
 * 0, or -1 logged.
 */
int		 gh_mail_helper_start(struct gh_config *);

/* Builds the message and runs mail_command on it: GH_OK or logged error. */
enum gh_status	 gh_mail_send(const struct gh_config *,
		    const struct gh_mail *);

#endif
