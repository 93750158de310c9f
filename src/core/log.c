/*
 * log: "gatehouse[pid] level: message" lines on stderr.
 *
 * Several FastCGI processes share one stderr (the web server's error log),
 * so each line is formatted whole into a buffer and handed to a single
 * write(2).  The buffer is kept under PIPE_BUF, which makes that write
 * atomic on a pipe: lines of different processes never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

/* Below PIPE_BUF (at least 512 by POSIX, 4096 on Linux): see above. */
#define GH_LOG_LINE_MAX	1024
/* What ends a message cut to fit the line. */
#define CUT_MARK	"..."
#define CUT_MARK_LEN	(sizeof(CUT_MARK) - 1)

static enum gh_log_level	 min_level = GH_LOG_INFO;

static const struct {
	const char		*name;
	enum gh_log_level	 level;
} levels[] = {
	{ "debug",	GH_LOG_DEBUG },
	{ "info",	GH_LOG_INFO },
	{ "warning",	GH_LOG_WARN },
	{ "warn",	GH_LOG_WARN },
	{ "error",	GH_LOG_ERROR },
};

static const char *
level_name(enum gh_log_level level)
{

	switch (level) {
	case GH_LOG_DEBUG:
		return "debug";
	case GH_LOG_INFO:
		return "info";
	case GH_LOG_WARN:
		return "warning";
	case GH_LOG_ERROR:
		return "error";
	}
	return "error";
}

void
gh_log_set_level(enum gh_log_level level)
{

	min_level = level;
}

int
gh_log_parse_level(const char *s, enum gh_log_level *level)
{
	size_t	 i;

	if (s == NULL || level == NULL)
		return -1;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(s, levels[i].name) == 0) {
			*level = levels[i].level;
			return 0;
		}
	}
	return -1;
}

/*
 * A message may carry text a client sent (a username, a header); a newline
 * in it could forge a log line, and other control bytes could drive a
 * terminal that displays the log.
 */
static void
sanitize(char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			s[i] = '?';
	}
}

/* One write(2) for the line; a short write only finishes the rest. */
static void
write_line(const char *buf, size_t len)
{

	while (len > 0) {
		ssize_t	 n = write(STDERR_FILENO, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		/* Nowhere is left to report a logging failure. */
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void
gh_log(enum gh_log_level level, const char *fmt, ...)
{
	char		 line[GH_LOG_LINE_MAX];
	va_list		 ap;
	size_t		 off, room, len;
	int		 n, saved_errno;

	if (level < min_level || fmt == NULL)
		return;

	/* Callers log and then look at errno: leave it as it was. */
	saved_errno = errno;

	n = snprintf(line, sizeof(line), "gatehouse[%ld] %s: ",
	    (long)getpid(), level_name(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		goto out;
	off = (size_t)n;

	/* Keep one byte for the newline after the message. */
	room = sizeof(line) - off - 1;
	va_start(ap, fmt);
	n = vsnprintf(line + off, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		n = snprintf(line + off, room, "(message could not be "
		    "formatted)");
		if (n < 0 || (size_t)n >= room)
			goto out;
	}

	if ((size_t)n >= room) {
		/* Truncated: say so, in place of the message's last bytes. */
		len = off + room - 1;
		sanitize(line + off, len - off);
		memcpy(line + len - CUT_MARK_LEN, CUT_MARK, CUT_MARK_LEN);
	} else {
		len = off + (size_t)n;
		sanitize(line + off, len - off);
	}
	line[len++] = '\n';
	write_line(line, len);
out:
	errno = saved_errno;
}
