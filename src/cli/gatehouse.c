/*
 * gatehouse: the admin command line's table of commands and main().  It
 * migrates the database, manages users, roles and signing keys, and makes
 * secrets.  It reads the programs' configuration (GATEHOUSE_CONFIG and the
 * environment), then the admin config with the owner's credentials
 * (admin_database_url; GATEHOUSE_ADMIN_CONFIG, else gatehouse-admin.conf
 * beside the other), which no program reads.  It needs no JWT secret, so it
 * can run before one exists.
 * The commands are in cmd_*.c; what they share is in cli_util.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/b64url.h"
#include "cli.h"
#include "core/config.h"
#include "data/db.h"
#include "core/log.h"
#include "core/random.h"
#include "domain/audit.h"

/* 48 random bytes: 64 characters of base64url, twice HS256's key length. */
#define SECRET_BYTES	48

static const char usage[] =
"usage: gatehouse [-c FILE] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  migrate [up|status]      apply pending SQL migrations, or list them\n"
"  roles-sql                print the SQL a superuser runs once to make\n"
"                           the programs' roles (no CREATEROLE case)\n"
"  user add USERNAME [--role ROLE]... [--email EMAIL]\n"
"           [--employee-id ID] [--full-name NAME] [--phone PHONE]\n"
"  user passwd USERNAME     set a password (read from stdin or a prompt)\n"
"  user suspend USERNAME [--force]\n"
"                           suspend and end every session at once\n"
"  user activate USERNAME\n"
"  user grant USERNAME ROLE\n"
"  user revoke USERNAME ROLE [--force]\n"
"                           suspend and revoke refuse to leave no active\n"
"                           admin unless --force is given\n"
"  user list [--query TEXT]\n"
"  cleanup [--keep-days N]  delete sessions and tokens ended or expired\n"
"                           more than N days ago (default 7), and old\n"
"                           login failures, and audit rows older than\n"
"                           audit_retention_days; run it daily from cron\n"
"  audit [--since TIME] [--until TIME] [--user USERNAME|ID]\n"
"        [--event NAME] [--limit N]\n"
"                           print the audit trail as JSON lines, newest\n"
"                           first\n"
"  keys generate|rotate [--alg ES256|EdDSA|RS256]\n"
"  keys list | keys retire KID [--now] | keys retire --expired\n"
"                           the signing keys of ES256, EdDSA and RS256\n"
"  secret [--kek]           print a fresh random JWT secret (--kek: a\n"
"                           key-encryption key for key_encryption_key_file)\n"
"\n"
"  -c FILE   the configuration file (default: $GATEHOUSE_CONFIG); the\n"
"            owner's admin_database_url is read from $GATEHOUSE_ADMIN_CONFIG,\n"
"            else from gatehouse-admin.conf in the same directory, if any\n"
"Every command takes --help.  Passwords are never taken from arguments.\n";

static int
cmd_secret(int argc, char *argv[])
{
	char	 secret[GH_B64URL_ENCODED_LEN(SECRET_BYTES) + 1];
	size_t	 bytes = SECRET_BYTES;

	if (cli_wants_help(argc, argv)) {
		puts("usage: gatehouse secret [--kek]\n\nPrints a fresh random "
		    "secret for jwt_secret (JWT_SECRET): 384 bits, base64url.\n"
		    "--kek: 256 bits for key_encryption_key_file instead.");
		return CLI_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--kek") == 0)
		bytes = GH_KEK_LEN;
	else if (argc != 1) {
		cli_err("secret takes no arguments but --kek");
		return CLI_USAGE;
	}
	if (gh_random_b64url(bytes, secret, sizeof(secret)) == -1) {
		cli_err("secret: the random generator failed");
		return CLI_FAIL;
	}
	puts(secret);
	return CLI_OK;
}

static int
open_config(struct cli *cli)
{
	char		 err[GH_CONFIG_ERR_MAX];

	const char	*url;

	if (gh_config_load_admin(&cli->cfg, err, sizeof(err)) == -1) {
		cli_err("%s", err);
		return -1;
	}
	gh_log_set_level(cli->cfg.log_level);
	/* No address, no agent, no acting user: an operator's command. */
	gh_audit_context(NULL, NULL, "cli");
	/* The owner's, when the admin config gives it. */
	url = cli->cfg.admin_database_url[0] != '\0' ?
	    cli->cfg.admin_database_url : cli->cfg.database_url;
	if ((cli->db = gh_db_new(url, cli->cfg.statement_timeout_ms)) == NULL) {
		cli_err("out of memory");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct cli	 cli;
	int			 rc = CLI_USAGE;

	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		if (setenv(GH_CONFIG_ENV, argv[2], 1) == -1) {
			cli_err("setenv failed");
			return CLI_FAIL;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "secret") == 0)
		return cmd_secret(argc - 1, argv + 1);
	if (strcmp(argv[1], "roles-sql") == 0)
		return cli_roles_sql(argc - 1, argv + 1);
	if (strcmp(argv[1], "migrate") != 0 && strcmp(argv[1], "user") != 0 &&
	    strcmp(argv[1], "cleanup") != 0 && strcmp(argv[1], "keys") != 0 &&
	    strcmp(argv[1], "audit") != 0) {
		cli_err("unknown command \"%s\"; see gatehouse --help", argv[1]);
		return CLI_USAGE;
	}
	if (!cli_wants_help(argc - 1, argv + 1) && open_config(&cli) == -1)
		return CLI_FAIL;
	if (strcmp(argv[1], "migrate") == 0)
		rc = cli_migrate(&cli, argc - 1, argv + 1);
	else if (strcmp(argv[1], "cleanup") == 0)
		rc = cli_cleanup(&cli, argc - 1, argv + 1);
	else if (strcmp(argv[1], "keys") == 0)
		rc = cli_keys(&cli, argc - 1, argv + 1);
	else if (strcmp(argv[1], "audit") == 0)
		rc = cli_audit(&cli, argc - 1, argv + 1);
	else
		rc = cli_user(&cli, argc - 1, argv + 1);
	gh_db_free(cli.db);
	return rc;
}
