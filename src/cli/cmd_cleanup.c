/*
 * gatehouse cleanup: deletes what no request can use any more, so the
 * tables stay the size of the live data.  Safe to run at any time and
 * from any number of hosts at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domain/audit.h"
#include "domain/recovery.h"
#include "domain/sessions.h"
#include "domain/throttle.h"

static const char usage[] =
"usage: gatehouse cleanup [--keep-days N]\n"
"\n"
"Deletes sessions and refresh tokens that ended or expired more than N\n"
"days ago (default 7; 0 deletes them at once), failed-login records\n"
"older than login_failure_window_seconds, registration and forgot-password\n"
"records older than register_window_seconds, reset and verification\n"
"links dead for an hour, and audit trail rows older than\n"
"audit_retention_days (default 365).  Run it daily, e.g. from cron:\n"
"  17 3 * * *  GATEHOUSE_CONFIG=/etc/gatehouse.conf gatehouse cleanup\n";

int
cli_cleanup(struct cli *cli, int argc, char *argv[])
{
	enum gh_status		 st;
	char			*end;
	long			 days = 7, sessions = 0, throttle = 0, links = 0;
	long			 audit = 0, deleted;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (argc == 3 && strcmp(argv[1], "--keep-days") == 0) {
		days = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || days < 0 ||
		    days > 3650) {
			cli_err("cleanup: --keep-days takes 0 to 3650");
			return CLI_USAGE;
		}
	} else if (argc != 1) {
		cli_err("cleanup: unexpected arguments; see --help");
		return CLI_USAGE;
	}
	/*
	 * statement_timeout_ms bounds the programs' requests; a cron job
	 * deleting a million dead rows (and their foreign-key checks)
	 * takes longer than that, and nobody is waiting on it.
	 */
	st = gh_db_set_statement_timeout(cli->db, 0);
	if (st == GH_OK)
		st = gh_sessions_cleanup(cli->db, (int)days, &sessions);
	if (st == GH_OK)
		st = gh_throttle_cleanup(cli->db, &cli->cfg, &throttle);
	if (st == GH_OK)
		st = gh_recovery_cleanup(cli->db, &links);
	/* The owner's DELETE: the only way an audit row goes (sql/016). */
	if (st == GH_OK)
		st = gh_audit_cleanup(cli->db, cli->cfg.audit_retention_days,
		    &audit);
	if (st != GH_OK)
		return cli_db_fail(cli, st, "cleanup");
	deleted = sessions + throttle + links + audit;
	printf("%ld row%s deleted\n", deleted, deleted == 1 ? "" : "s");
	return CLI_OK;
}
