/*
 * gatehouse audit: prints the audit trail as JSON lines, newest first,
 * each line the object GET /api/admin/audit answers with.  Read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "core/str.h"
#include "domain/audit.h"
#include "domain/users.h"

#define AUDIT_CLI_LIMIT		100
#define AUDIT_CLI_LIMIT_MAX	1000000

static const char usage[] =
"usage: gatehouse audit [--since TIME] [--until TIME] [--user USERNAME|ID]\n"
"                       [--event NAME] [--limit N]\n"
"\n"
"Prints the audit trail, newest first, one JSON object a line: id, at,\n"
"event, outcome, user_id, actor_id, session_id, client_addr, user_agent,\n"
"details.  TIME is RFC 3339 (2026-11-21T23:46:36Z); --since keeps rows at\n"
"or after it, --until rows before it.  --user takes a user id, or a\n"
"username (a deleted user's too, by the name its rows keep).  --limit:\n"
"at most N rows (default 100).  Rows older than audit_retention_days\n"
"are deleted by `gatehouse cleanup`.\n";

struct audit_args {
	struct gh_audit_filter	 f;
	const char		*user;
	long			 limit;
};

static int
parse(int argc, char *argv[], struct audit_args *a)
{
	char	*end;
	int	 i;

	memset(a, 0, sizeof(*a));
	a->limit = AUDIT_CLI_LIMIT;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--since") == 0)
			a->f.since = argv[i + 1];
		else if (strcmp(argv[i], "--until") == 0)
			a->f.until = argv[i + 1];
		else if (strcmp(argv[i], "--user") == 0)
			a->user = argv[i + 1];
		else if (strcmp(argv[i], "--event") == 0)
			a->f.event = argv[i + 1];
		else if (strcmp(argv[i], "--limit") == 0) {
			a->limit = strtol(argv[i + 1], &end, 10);
			if (*argv[i + 1] < '0' || *argv[i + 1] > '9' ||
			    *end != '\0' || a->limit < 1 ||
			    a->limit > AUDIT_CLI_LIMIT_MAX) {
				cli_err("audit: --limit takes 1 to 1000000");
				return -1;
			}
		} else
			break;
	}
	if (i != argc) {
		cli_err("audit: unexpected argument \"%s\"; see --help",
		    argv[i]);
		return -1;
	}
	if ((a->f.since != NULL && !gh_audit_time_ok(a->f.since,
	    strlen(a->f.since))) || (a->f.until != NULL &&
	    !gh_audit_time_ok(a->f.until, strlen(a->f.until)))) {
		cli_err("audit: --since and --until take an RFC 3339 time, "
		    "e.g. 2026-11-21T23:46:36Z");
		return -1;
	}
	if (a->f.event != NULL && !gh_audit_event_known(a->f.event,
	    strlen(a->f.event))) {
		cli_err("audit: no event \"%s\" (see docs/API.md, Audit)",
		    a->f.event);
		return -1;
	}
	return 0;
}

/* One line, compact: the database's own spacing is not the API's. */
static void
print_line(const char *json, void *arg)
{
	struct json_object	*o;

	(void)arg;
	if ((o = json_tokener_parse(json)) == NULL) {
		puts(json);
		return;
	}
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* --user: an id as it is; a name, the user's id, else the rows' name. */
static enum gh_status
resolve_user(struct cli *cli, struct audit_args *a, struct gh_user *u)
{
	enum gh_status	 st;

	if (a->user == NULL || gh_str_is_uuid(a->user, strlen(a->user))) {
		a->f.user_id = a->user;
		return GH_OK;
	}
	st = gh_users_get_for_login(cli->db, GH_LOGIN_USERNAME, a->user, u);
	if (st == GH_OK)
		a->f.user_id = u->id;
	else if (st == GH_NOT_FOUND)
		a->f.username = a->user;
	return st == GH_NOT_FOUND ? GH_OK : st;
}

int
cli_audit(struct cli *cli, int argc, char *argv[])
{
	struct audit_args	 a;
	struct gh_user		 u;
	enum gh_status		 st;
	long			 left, last;
	bool			 more = true;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (parse(argc, argv, &a) == -1)
		return CLI_USAGE;
	if ((st = resolve_user(cli, &a, &u)) != GH_OK)
		return cli_db_fail(cli, st, "audit");
	for (left = a.limit; left > 0 && more; left -= a.f.limit) {
		a.f.limit = left > GH_AUDIT_PAGE_MAX ? GH_AUDIT_PAGE_MAX :
		    (int)left;
		if ((st = gh_audit_list(cli->db, &a.f, print_line, NULL,
		    &more, &last)) != GH_OK)
			return cli_db_fail(cli, st, "audit");
		a.f.after = last;
	}
	if (fflush(stdout) == EOF) {
		cli_err("audit: cannot write the output");
		return CLI_FAIL;
	}
	return CLI_OK;
}
