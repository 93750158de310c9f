/*
 * gatehouse migrate [up|status]: applies or lists the SQL migrations, and
 * fails when the programs' roles they grant to are missing while the
 * config says the programs connect as them.  gatehouse roles-sql: the
 * SQL that makes those roles.
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
"           (the default); a second run applies nothing.  It fails when\n"
"           the programs' roles are missing (see gatehouse roles-sql)\n"
"           unless database_program_roles = false\n"
"  status   list each migration as applied, pending or changed\n"
"  --dir    the directory of NNN_name.sql files (default: $GATEHOUSE_SQL_DIR,\n"
"           else " GH_SQL_DIR ")\n";

static const char roles_usage[] =
"usage: gatehouse roles-sql\n"
"\n"
"Prints the SQL that makes the programs' database roles (gatehouse_login,\n"
"gatehouse_me, ...), for a superuser or a role with CREATEROLE to run once\n"
"per PostgreSQL cluster when the database's owner may not create roles:\n"
"\n"
"  gatehouse roles-sql | psql -X -v ON_ERROR_STOP=1 -d DATABASE\n"
"\n"
"then run `gatehouse migrate` again as the owner: it grants each role what\n"
"its program needs.  It reads no config and needs no database.\n";

/*
 * The roles missing make every program fail to connect (serve.c): say
 * which, and the two ways out, instead of a migration that "worked".
 */
static int
check_roles(struct cli *cli)
{
	char			 missing[GH_MIGRATE_ROLES_MAX];
	enum gh_status		 st;

	if (!cli->cfg.database_program_roles)
		return CLI_OK;
	if ((st = gh_migrate_roles_missing(cli->db, missing,
	    sizeof(missing))) != GH_OK)
		return cli_db_fail(cli, st, "migrate: checking the roles");
	if (missing[0] == '\0')
		return CLI_OK;
	cli_err("migrate: the programs' database roles %s do not exist: the "
	    "migrating user may not create roles (no CREATEROLE), and with "
	    "database_program_roles = true every program would fail to "
	    "connect.  Either have a superuser run `gatehouse roles-sql | "
	    "psql -X -v ON_ERROR_STOP=1 -d DATABASE` once and run `gatehouse "
	    "migrate` again (it then grants each role its rights), or set "
	    "database_program_roles = false (every program then connects as "
	    "the user of database_url); see docs/DEPLOY.md", missing);
	return CLI_FAIL;
}

int
cli_roles_sql(int argc, char *argv[])
{

	if (cli_wants_help(argc, argv)) {
		fputs(roles_usage, stdout);
		return CLI_OK;
	}
	if (argc != 1) {
		cli_err("roles-sql takes no arguments");
		return CLI_USAGE;
	}
	if (gh_migrate_roles_sql(stdout) == -1) {
		cli_err("roles-sql: cannot write the SQL");
		return CLI_FAIL;
	}
	return CLI_OK;
}

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
	return check_roles(cli);
}
