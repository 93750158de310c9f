/*
 * cli: the admin command's subcommands (cmd_*.c, called by gatehouse.c's
 * main) and the helpers they share (cli_util.c).  Every failure is one
 * line on stderr starting "gatehouse: " and a non-zero exit: 1 for a
 * failure, 2 for a usage error.
 */
#ifndef GH_CLI_H
#define GH_CLI_H

#include "core/config.h"
#include "data/db.h"

#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

struct cli {
	struct gh_config	 cfg;
	struct gh_db		*db;
};

/* cli_util.c: prints "gatehouse: " and the message, as one line. */
void	cli_err(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Says what a failed library call means to an operator; returns CLI_FAIL. */
int	cli_db_fail(const struct cli *, enum gh_status, const char *what);

/* True when an argument after argv[0] asks for help. */
int	cli_wants_help(int argc, char *argv[]);

/* The subcommands: argv[0] is the subcommand's name; an exit code. */
int	cli_audit(struct cli *, int argc, char *argv[]);
int	cli_cleanup(struct cli *, int argc, char *argv[]);
int	cli_keys(struct cli *, int argc, char *argv[]);
int	cli_migrate(struct cli *, int argc, char *argv[]);
int	cli_roles_sql(int argc, char *argv[]);
int	cli_user(struct cli *, int argc, char *argv[]);

#endif
