/*
 * cli_util: what the subcommands share: one-line errors and the reading
 * of a failed call.  See cli.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/status.h"
#include "data/db.h"

void
cli_err(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;
	size_t	 i, n = 0;
	int	 len;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0)
		(void)snprintf(msg, sizeof(msg), "error");
	/* One line: libpq's messages carry newlines and tabs. */
	for (i = 0; msg[i] != '\0'; i++) {
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f) {
			if (n > 0 && msg[n - 1] != ' ')
				msg[n++] = ' ';
		} else
			msg[n++] = msg[i];
	}
	while (n > 0 && msg[n - 1] == ' ')
		n--;
	msg[n] = '\0';
	fprintf(stderr, "gatehouse: %s\n", msg);
}

int
cli_db_fail(const struct cli *cli, enum gh_status st, const char *what)
{
	switch (st) {
	case GH_UNAVAILABLE:
		cli_err("%s: database unavailable: %s", what,
		    gh_db_error(cli->db));
		break;
	case GH_NOT_FOUND:
		cli_err("%s: no such user", what);
		break;
	case GH_DB_ERROR:
		cli_err("%s: database error: %s", what, gh_db_error(cli->db));
		break;
	default:
		/* Not the database's fault: do not quote its last message. */
		cli_err("%s: %s", what, gh_status_str(st));
		break;
	}
	return CLI_FAIL;
}

int
cli_wants_help(int argc, char *argv[])
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}
