/*
 * gatehouse user ...: adds and manages users from the shell.  Passwords
 * come from a prompt without echo, or from stdin when it is not a
 * terminal (for scripts), never from the arguments, where ps would show
 * them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "core/bounds.h"
#include "domain/accounts.h"
#include "domain/fields.h"
#include "domain/recovery.h"
#include "domain/users.h"

/* One byte past bcrypt's limit, so an over-long password is seen, not cut. */
#define PW_BUF	(GH_PASSWORD_MAX + 2)

static const char usage[] =
"usage: gatehouse user add USERNAME [--role ROLE]... [--email EMAIL]\n"
"                      [--employee-id ID] [--full-name NAME] [--phone PHONE]\n"
"       gatehouse user passwd USERNAME\n"
"       gatehouse user suspend USERNAME [--force]\n"
"       gatehouse user activate USERNAME\n"
"       gatehouse user grant USERNAME ROLE\n"
"       gatehouse user revoke USERNAME ROLE [--force]\n"
"       gatehouse user list [--query TEXT]\n"
"       gatehouse user reset-link USERNAME\n"
"\n"
"add and passwd read the password from the terminal without echo (asked\n"
"twice), or as one line from stdin when stdin is not a terminal.  A new\n"
"user gets the role \"user\" unless --role is given.  Suspending a user\n"
"ends all of their sessions at once.\n"
"\n"
"suspend and revoke refuse to take the last active admin away (nobody\n"
"could use the admin API after it) and exit 1; --force does it anyway,\n"
"for a recovery.  Grant admin to someone else first when you can.\n"
"\n"
"reset-link prints a password reset link for an operator helping a user\n"
"by hand (read it to them; nothing is mailed): the link of the reset\n"
"mail, at public_base_url, working once for reset_token_minutes, and\n"
"the end of any older one.  The account must be active and have an\n"
"email address; without one, set the password with passwd.\n";

/* Reads one line of at most PW_BUF - 1 bytes; -1 on EOF or overflow. */
static int
read_line(FILE *f, char *buf, size_t bufsz, size_t *len)
{
	int	 c;
	size_t	 n = 0;

	while ((c = fgetc(f)) != EOF && c != '\n') {
		if (n + 1 >= bufsz) {
			/* Drain the rest of the line: it is refused whole. */
			do
				c = fgetc(f);
			while (c != EOF && c != '\n');
			return -2;
		}
		buf[n++] = (char)c;
	}
	if (c == EOF && n == 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

static int
prompt_line(const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	struct termios	 old, quiet;
	int		 rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == -1)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1)
		return -1;
	rc = read_line(stdin, buf, bufsz, len);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* Gets a password into pw (PW_BUF bytes); -1 with a message on failure. */
static int
read_password(char *pw, size_t *len)
{
	char	 again[PW_BUF];
	size_t	 againlen;
	int	 rc;

	if (!isatty(STDIN_FILENO)) {
		rc = read_line(stdin, pw, PW_BUF, len);
		goto check;
	}
	if ((rc = prompt_line("Password: ", pw, PW_BUF, len)) != 0)
		goto check;
	if ((rc = prompt_line("Again: ", again, sizeof(again), &againlen)) != 0)
		goto check;
	if (againlen != *len || CRYPTO_memcmp(again, pw, *len) != 0) {
		OPENSSL_cleanse(again, sizeof(again));
		cli_err("the two passwords differ");
		return -1;
	}
	OPENSSL_cleanse(again, sizeof(again));
check:
	if (rc == -2) {
		cli_err("password longer than %d bytes (bcrypt's limit)",
		    GH_PASSWORD_MAX);
		return -1;
	}
	if (rc != 0) {
		cli_err("no password given on stdin");
		return -1;
	}
	return 0;
}

/* Reads a new password into pw (PW_BUF bytes) and checks the policy. */
static int
new_password(const struct cli *cli, const char *username, const char *email,
    char *pw, size_t *len)
{
	const char	*why;

	*len = 0;
	if (read_password(pw, len) == -1)
		return -1;
	if ((why = gh_field_check_password(&cli->cfg, pw, *len, username,
	    email)) != NULL) {
		cli_err("password %s", why);
		return -1;
	}
	return 0;
}

static int
find_user(struct cli *cli, const char *username, struct gh_user *u)
{
	enum gh_status		 st;

	st = gh_users_get_for_login(cli->db, GH_LOGIN_USERNAME, username, u);
	if (st == GH_NOT_FOUND) {
		cli_err("no user \"%s\"", username);
		return -1;
	}
	if (st != GH_OK) {
		(void)cli_db_fail(cli, st, "user");
		return -1;
	}
	return 0;
}

/* Checks an optional field given on the command line. */
static int
check_field(const char *name, const char *value,
    const char *(*check)(const char *, size_t))
{
	const char	*why;

	if (value == NULL)
		return 0;
	if ((why = check(value, strlen(value))) != NULL) {
		cli_err("%s %s", name, why);
		return -1;
	}
	return 0;
}

static int
parse_add(int argc, char *argv[], struct gh_account_new *a)
{
	int	 i;

	for (i = 2; i < argc; i++) {
		const char	**slot = NULL;

		if (i + 1 >= argc) {
			cli_err("user add: %s needs a value", argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "--role") == 0) {
			if (a->roles.n == GH_ROLES_MAX) {
				cli_err("user add: too many roles");
				return -1;
			}
			a->roles.given = true;
			a->roles.names[a->roles.n++] = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--email") == 0)
			slot = &a->email;
		else if (strcmp(argv[i], "--employee-id") == 0)
			slot = &a->employee_id;
		else if (strcmp(argv[i], "--full-name") == 0)
			slot = &a->full_name;
		else if (strcmp(argv[i], "--phone") == 0)
			slot = &a->phone;
		else {
			cli_err("user add: unexpected \"%s\"", argv[i]);
			return -1;
		}
		*slot = argv[++i];
	}
	return 0;
}

static int
check_new_user(const struct gh_account_new *a)
{
	size_t	 i;

	if (check_field("username", a->username, gh_field_check_username) ||
	    check_field("email", a->email, gh_field_check_email) ||
	    check_field("employee id", a->employee_id,
	    gh_field_check_employee_id) ||
	    check_field("full name", a->full_name, gh_field_check_full_name) ||
	    check_field("phone", a->phone, gh_field_check_phone))
		return -1;
	for (i = 0; i < a->roles.n; i++)
		if (check_field("role", a->roles.names[i],
		    gh_field_check_role_name))
			return -1;
	return 0;
}

/* The refusal of a change that would leave no active admin. */
static int
last_admin(const char *what, const char *username)
{
	cli_err("%s: %s is the last active admin; refusing to leave none "
	    "(--force does it anyway)", what, username);
	return CLI_FAIL;
}

static int
cmd_add(struct cli *cli, int argc, char *argv[])
{
	char			 pw[PW_BUF];
	struct gh_account_new	 a;
	struct gh_user		 u;
	enum gh_status		 st;
	int			 rc = CLI_FAIL;

	memset(&a, 0, sizeof(a));
	a.username = argv[1];
	if (parse_add(argc, argv, &a) == -1)
		return CLI_USAGE;
	if (check_new_user(&a) == -1)
		return CLI_FAIL;
	if (new_password(cli, a.username, a.email, pw, &a.password_len) == -1)
		goto out;
	a.password = pw;
	st = gh_account_create(cli->db, &cli->cfg, &a, &u);
	if (st == GH_CONFLICT) {
		if (strcmp(gh_users_conflict_field(cli->db), "roles") == 0)
			cli_err("user add: a role given does not exist");
		else
			cli_err("user add: %s is taken",
			    gh_users_conflict_field(cli->db));
	} else if (st != GH_OK)
		(void)cli_db_fail(cli, st, "user add");
	else {
		printf("%s %s\n", u.id, u.username);
		rc = CLI_OK;
	}
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

static int
cmd_passwd(struct cli *cli, const char *username)
{
	char			 pw[PW_BUF];
	struct gh_account_patch	 p;
	struct gh_user		 u;
	enum gh_status		 st;
	int			 rc = CLI_FAIL;

	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	memset(&p, 0, sizeof(p));
	if (new_password(cli, u.username, u.email, pw, &p.password_len) == -1)
		goto out;
	p.password = pw;
	st = gh_account_patch(cli->db, &cli->cfg, u.id, &p, 0, NULL);
	if (st != GH_OK)
		(void)cli_db_fail(cli, st, "user passwd");
	else {
		printf("password of %s set; their sessions have ended\n",
		    u.username);
		rc = CLI_OK;
	}
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

static int
cmd_reset_link(struct cli *cli, const char *username)
{
	struct gh_config		 cfg;
	struct gh_onetime		 ot;
	struct gh_user			 u;
	enum gh_recovery_outcome	 oc;
	enum gh_status			 st;
	char				 link[GH_URL_BASE_MAX + 128];
	int				 rc = CLI_FAIL;

	memset(&ot, 0, sizeof(ot));
	/* Checked first: a link that cannot be printed must not end one. */
	if (gh_recovery_link(&cli->cfg, "/auth/reset", "x", link,
	    sizeof(link)) == -1) {
		cli_err("user reset-link: public_base_url is not set (the "
		    "link is built on it)");
		return CLI_FAIL;
	}
	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	/* An operator's link is not mail: reset_max_per_hour is for those. */
	cfg = cli->cfg;
	cfg.reset_max_per_hour = 0;
	st = gh_recovery_forgot(cli->db, &cfg, GH_LOGIN_USERNAME, u.username,
	    &ot, &oc);
	if (st != GH_OK) {
		(void)cli_db_fail(cli, st, "user reset-link");
		goto out;
	}
	if (oc != GH_RECOVERY_OK) {
		cli_err("user reset-link: %s is suspended or has no email "
		    "address; see gatehouse user passwd", u.username);
		goto out;
	}
	if (gh_recovery_link(&cli->cfg, "/auth/reset", ot.token, link,
	    sizeof(link)) == -1) {
		cli_err("user reset-link: the link does not fit");
		goto out;
	}
	printf("%s\n", link);
	fprintf(stderr, "works once, for %d minutes; any older reset link of "
	    "%s has ended\n", cli->cfg.reset_token_minutes, u.username);
	rc = CLI_OK;
out:
	OPENSSL_cleanse(&ot, sizeof(ot));
	OPENSSL_cleanse(link, sizeof(link));
	return rc;
}

static int
cmd_status(struct cli *cli, const char *username, bool active, int flags)
{
	const char		*what = active ? "user activate" :
				    "user suspend";
	struct gh_user		 u;
	enum gh_status		 st;

	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	st = gh_account_set_active(cli->db, u.id, active, flags);
	if (st == GH_LAST_ADMIN)
		return last_admin(what, u.username);
	if (st != GH_OK)
		return cli_db_fail(cli, st, what);
	printf("%s %s\n", u.username, active ? "activated" : "suspended");
	return CLI_OK;
}

static int
cmd_role(struct cli *cli, const char *username, const char *role, bool grant,
    int flags)
{
	const char		*what = grant ? "user grant" : "user revoke";
	struct gh_user		 u;
	enum gh_status		 st;

	if (check_field("role", role, gh_field_check_role_name) == -1)
		return CLI_FAIL;
	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	st = grant ? gh_account_grant(cli->db, u.id, role) :
	    gh_account_revoke(cli->db, u.id, role, flags);
	if (st == GH_CONFLICT) {
		cli_err("no role \"%s\"", role);
		return CLI_FAIL;
	}
	if (st == GH_LAST_ADMIN)
		return last_admin(what, u.username);
	if (st != GH_OK)
		return cli_db_fail(cli, st, what);
	printf("%s %s %s\n", u.username, grant ? "granted" : "revoked", role);
	return CLI_OK;
}

static void
print_user(const struct gh_user *u, void *arg)
{
	size_t	 i;

	(void)arg;
	printf("%s\t%s\t%s\t", u->id, u->username,
	    u->active ? "active" : "suspended");
	for (i = 0; i < u->nroles; i++)
		printf("%s%s", i > 0 ? "," : "", u->roles[i]);
	printf("\t%s\n", u->email);
}

static int
cmd_list(struct cli *cli, int argc, char *argv[])
{
	struct gh_account_page	 pg;
	const char		*q = "";
	enum gh_status		 st;

	if (argc == 3 && strcmp(argv[1], "--query") == 0)
		q = argv[2];
	else if (argc != 1) {
		cli_err("user list: unexpected arguments; see --help");
		return CLI_USAGE;
	}
	memset(&pg, 0, sizeof(pg));
	do {
		st = gh_account_list(cli->db, &pg, q, GH_ACCOUNT_PAGE_MAX,
		    print_user, NULL);
		if (st != GH_OK)
			return cli_db_fail(cli, st, "user list");
	} while (pg.more);
	return CLI_OK;
}

/*
 * Takes every "--force" out of argv (argc shrinks); true when there was
 * one.  Only for subcommands whose arguments can take no such value.
 */
static bool
take_force(int *argc, char *argv[])
{
	bool	 found = false;
	int	 i, n = 0;

	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			found = true;
		else
			argv[n++] = argv[i];
	}
	*argc = n;
	return found;
}

int
cli_user(struct cli *cli, int argc, char *argv[])
{
	const char	*cmd = argc > 1 ? argv[1] : "";
	int		 flags = 0;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(cmd, "list") == 0)
		return cmd_list(cli, argc - 1, argv + 1);
	if ((strcmp(cmd, "suspend") == 0 || strcmp(cmd, "revoke") == 0) &&
	    take_force(&argc, argv))
		flags |= GH_ACCOUNT_FORCE;
	if (argc < 3)
		goto bad;
	if (strcmp(cmd, "add") == 0)
		return cmd_add(cli, argc - 1, argv + 1);
	if (strcmp(cmd, "passwd") == 0 && argc == 3)
		return cmd_passwd(cli, argv[2]);
	if (strcmp(cmd, "reset-link") == 0 && argc == 3)
		return cmd_reset_link(cli, argv[2]);
	if (strcmp(cmd, "suspend") == 0 && argc == 3)
		return cmd_status(cli, argv[2], false, flags);
	if (strcmp(cmd, "activate") == 0 && argc == 3)
		return cmd_status(cli, argv[2], true, 0);
	if (strcmp(cmd, "grant") == 0 && argc == 4)
		return cmd_role(cli, argv[2], argv[3], true, 0);
	if (strcmp(cmd, "revoke") == 0 && argc == 4)
		return cmd_role(cli, argv[2], argv[3], false, flags);
bad:
	cli_err("user: bad arguments; see gatehouse user --help");
	return CLI_USAGE;
}
