/*
 * gatehouse migrate [up|status]: applies or lists the SQL migrations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data/migrate.h"

#ifndef GH_SQL_DIR
#define GH_SQL_DIR	"sql"
#endif

static const char usage[] =
"usage: gatehouse migrate [up|status] [--dir DIR]\n"
"\n"
"  up       apply every pending migration, each in its own transaction\n"
"           (the default); a second run applies nothing\n"
"  status   list each migration as applied, pending or changed\n"
"  --dir    the directory of NNN_name.sql files (default: $GATEHOUSE_SQL_DIR,\n"
"           else " GH_SQL_DIR ")\n";

int
cli_migrate(struct cli *cli, int argc, char *argv[])
{
	char			 err[GH_MIGRATE_ERR_MAX];
	const char		*dir, *action = "up";
	enum gh_status		 st;
	int			 i, n;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	dir = getenv("GATEHOUSE_SQL_DIR");
	if (dir == NULL || *dir == '\0')
		dir = GH_SQL_DIR;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "up") == 0 ||
		    strcmp(argv[i], "status") == 0)
			action = argv[i];
		else {
			cli_err("migrate: unexpected \"%s\"; see "
			    "gatehouse migrate --help", argv[i]);
			return CLI_USAGE;
		}
	}
	if (strcmp(action, "status") == 0) {
		st = gh_migrate_status(cli->db, dir, stdout, &n, err,
		    sizeof(err));
		if (st != GH_OK) {
			cli_err("migrate status: %s%s", st == GH_UNAVAILABLE ?
			    "database unavailable: " : "", err);
			return CLI_FAIL;
		}
		printf("%d pending\n", n);
		return CLI_OK;
	}
	if ((st = gh_migrate_up(cli->db, dir, &n, err, sizeof(err))) !=
	    GH_OK) {
		cli_err("migrate: %s%s", st == GH_UNAVAILABLE ?
		    "database unavailable: " : "", err);
		return CLI_FAIL;
	}
	printf("%d migration%s applied\n", n, n == 1 ? "" : "s");
	return CLI_OK;
}
