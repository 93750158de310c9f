/*
 * mail: the end-to-end tests' view of the mail a stack sent, for suites
 * run with "#stack: mail" (tests/with-stack): msmtp delivers over SMTP to
 * tests/mailsink, which stores each message as $GH_TEST_MAILDIR/NNNN.eml,
 * the envelope's recipients in an X-Sink-Rcpt header of its own, line
 * ends "\n".  Messages are found by recipient, so tests running in
 * parallel against one stack (each with its own unique addresses) never
 * see each other's.  A missing GH_TEST_MAILDIR fails the test.
 */
#ifndef T_MAIL_H
#define T_MAIL_H

#include <stddef.h>

/* The number of messages whose envelope names to (ignoring case). */
size_t	 t_mail_count(const char *to);

/*
 * The n-th (1-based, in the order the sink got them) message to to, as a
 * new string, waiting (polling) up to timeout_s seconds for it; NULL
 * when it has not come by then.
 */
char	*t_mail_wait(const char *to, size_t n, int timeout_s);

/*
 * The token of the link to path ("/auth/reset", "/auth/verify") in the
 * n-th message to to, as a new string; asserts the message comes within
 * timeout_s seconds and carries such a link.
 */
char	*t_mail_token(const char *to, size_t n, const char *path,
	    int timeout_s);

/* Asserts that the n-th message to to comes within timeout_s seconds. */
void	 t_mail_arrives(const char *to, size_t n, int timeout_s);

/*
 * The first URL in msg's body that begins with prefix, or with
 * $GH_TEST_BASE_URL then prefix when prefix begins with '/' (so
 * "/auth/reset?token=" finds the reset link), as a new string, up to the
 * next white space; NULL when there is none.
 */
char	*t_mail_link(const char *msg, const char *prefix);

/*
 * The value (its first line) of msg's first header name (ignoring case),
 * as a new string; or NULL.
 */
char	*t_mail_header(const char *msg, const char *name);

/* msg's body: what follows the blank line after the headers. */
const char *t_mail_body(const char *msg);

#endif
