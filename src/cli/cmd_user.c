/*
 * gatehouse user ...: adds and manages users from the shell.  Passwords
 * come from a prompt without echo, or from stdin when it is not a
 * terminal (for scripts), never from the arguments, where ps would show
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/bounds.h"
#include "cli.h"
#include "core/password.h"
#include "domain/fields.h"
#include "domain/users.h"

/* One byte past bcrypt's limit, so an over-long password is seen, not cut. */
#define PW_BUF	(GH_PASSWORD_MAX + 2)

static const char usage[] =
"usage: gatehouse user add USERNAME [--role ROLE]... [--email EMAIL]\n"
"                      [--employee-id ID] [--full-name NAME] [--phone PHONE]\n"
"       gatehouse user passwd USERNAME\n"
"       gatehouse user suspend|activate USERNAME\n"
"       gatehouse user grant|revoke USERNAME ROLE\n"
"       gatehouse user list [--query TEXT]\n"
"\n"
"add and passwd read the password from the terminal without echo (asked\n"
"twice), or as one line from stdin when stdin is not a terminal.  A new\n"
"user gets the role \"user\" unless --role is given.  Suspending a user\n"
"ends all of their sessions at once.\n";

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

/* Reads, checks against the policy and hashes a password. */
static int
new_password_hash(const struct cli *cli, const char *username,
    const char *email, char *hash, size_t hashsz)
{
	struct gh_password_policy	 policy;
	enum gh_password_verdict	 v;
	char				 pw[PW_BUF];
	size_t				 len = 0;
	int				 rc = -1;

	if (read_password(pw, &len) == -1)
		goto out;
	policy.min_length = cli->cfg.password_min_length;
	policy.require_classes = cli->cfg.password_require_classes;
	if ((v = gh_password_check(&policy, pw, len, username, email)) !=
	    GH_PW_OK) {
		cli_err("password %s", gh_password_verdict_str(v));
		goto out;
	}
	if (gh_password_hash(pw, len, cli->cfg.bcrypt_cost, hash, hashsz) == -1) {
		cli_err("hashing the password failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
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
parse_add(int argc, char *argv[], struct gh_user_new *n, const char **roles)
{
	int	 i;

	for (i = 2; i < argc; i++) {
		const char	**slot = NULL;

		if (i + 1 >= argc) {
			cli_err("user add: %s needs a value", argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "--role") == 0) {
			if (n->nroles == GH_ROLES_MAX) {
				cli_err("user add: too many roles");
				return -1;
			}
			roles[n->nroles++] = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--email") == 0)
			slot = &n->email;
		else if (strcmp(argv[i], "--employee-id") == 0)
			slot = &n->employee_id;
		else if (strcmp(argv[i], "--full-name") == 0)
			slot = &n->full_name;
		else if (strcmp(argv[i], "--phone") == 0)
			slot = &n->phone;
		else {
			cli_err("user add: unexpected \"%s\"", argv[i]);
			return -1;
		}
		*slot = argv[++i];
	}
	return 0;
}

static int
check_new_user(const struct gh_user_new *n, const char **roles)
{
	size_t	 i;

	if (check_field("username", n->username, gh_field_check_username) ||
	    check_field("email", n->email, gh_field_check_email) ||
	    check_field("employee id", n->employee_id,
	    gh_field_check_employee_id) ||
	    check_field("full name", n->full_name, gh_field_check_full_name) ||
	    check_field("phone", n->phone, gh_field_check_phone))
		return -1;
	for (i = 0; i < n->nroles; i++)
		if (check_field("role", roles[i], gh_field_check_role_name))
			return -1;
	return 0;
}

static int
cmd_add(struct cli *cli, int argc, char *argv[])
{
	const char		*roles[GH_ROLES_MAX];
	char			 hash[GH_HASH_MAX];
	struct gh_user_new	 n;
	struct gh_user		 u;
	enum gh_status		 st;

	memset(&n, 0, sizeof(n));
	n.username = argv[1];
	if (parse_add(argc, argv, &n, roles) == -1)
		return CLI_USAGE;
	if (n.nroles == 0)
		roles[n.nroles++] = "user";
	n.roles = roles;
	if (check_new_user(&n, roles) == -1)
		return CLI_FAIL;
	if (new_password_hash(cli, n.username, n.email, hash,
	    sizeof(hash)) == -1)
		return CLI_FAIL;
	n.password_hash = hash;
	st = gh_users_create(cli->db, &n, &u);
	if (st == GH_CONFLICT) {
		if (strcmp(gh_users_conflict_field(cli->db), "roles") == 0)
			cli_err("user add: a role given does not exist");
		else
			cli_err("user add: %s is taken",
			    gh_users_conflict_field(cli->db));
		return CLI_FAIL;
	}
	if (st != GH_OK)
		return cli_db_fail(cli, st, "user add");
	printf("%s %s\n", u.id, u.username);
	return CLI_OK;
}

static int
cmd_passwd(struct cli *cli, const char *username)
{
	char			 hash[GH_HASH_MAX];
	struct gh_user		 u;
	enum gh_status		 st;

	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	if (new_password_hash(cli, u.username, u.email, hash,
	    sizeof(hash)) == -1)
		return CLI_FAIL;
	st = gh_users_set_password(cli->db, u.id, hash, NULL, "password_reset");
	if (st != GH_OK)
		return cli_db_fail(cli, st, "user passwd");
	printf("password of %s set; their sessions have ended\n", u.username);
	return CLI_OK;
}

static int
cmd_status(struct cli *cli, const char *username, bool active)
{
	struct gh_user		 u;
	enum gh_status		 st;

	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	if ((st = gh_users_set_active(cli->db, u.id, active)) != GH_OK)
		return cli_db_fail(cli, st, active ? "user activate" :
		    "user suspend");
	printf("%s %s\n", u.username, active ? "activated" : "suspended");
	return CLI_OK;
}

static int
cmd_role(struct cli *cli, const char *username, const char *role, bool grant)
{
	struct gh_user		 u;
	enum gh_status		 st;

	if (check_field("role", role, gh_field_check_role_name) == -1)
		return CLI_FAIL;
	if (find_user(cli, username, &u) == -1)
		return CLI_FAIL;
	st = grant ? gh_users_grant(cli->db, u.id, role) :
	    gh_users_revoke(cli->db, u.id, role);
	if (st == GH_CONFLICT) {
		cli_err("no role \"%s\"", role);
		return CLI_FAIL;
	}
	if (st != GH_OK)
		return cli_db_fail(cli, st, grant ? "user grant" : "user revoke");
	printf("%s %s %s\n", u.username, grant ? "granted" : "revoked", role);
	return CLI_OK;
}

struct list_state {
	char	last[GH_USERNAME_MAX + 1];
};

static void
print_user(const struct gh_user *u, void *arg)
{
	struct list_state	*ls = arg;
	size_t			 i;

	printf("%s\t%s\t%s\t", u->id, u->username,
	    u->active ? "active" : "suspended");
	for (i = 0; i < u->nroles; i++)
		printf("%s%s", i > 0 ? "," : "", u->roles[i]);
	printf("\t%s\n", u->email);
	for (i = 0; u->username[i] != '\0'; i++)
		ls->last[i] = (char)(u->username[i] >= 'A' &&
		    u->username[i] <= 'Z' ? u->username[i] + 32 : u->username[i]);
	ls->last[i] = '\0';
}

static int
cmd_list(struct cli *cli, int argc, char *argv[])
{
	struct list_state	 ls;
	const char		*q = "";
	enum gh_status		 st;
	int			 n;

	if (argc == 3 && strcmp(argv[1], "--query") == 0)
		q = argv[2];
	else if (argc != 1) {
		cli_err("user list: unexpected arguments; see --help");
		return CLI_USAGE;
	}
	ls.last[0] = '\0';
	do {
		st = gh_users_list(cli->db, ls.last, q, 200, print_user, &ls,
		    &n);
		if (st != GH_OK)
			return cli_db_fail(cli, st, "user list");
	} while (n == 200);
	return CLI_OK;
}

int
cli_user(struct cli *cli, int argc, char *argv[])
{
	const char	*cmd = argc > 1 ? argv[1] : "";

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(cmd, "list") == 0)
		return cmd_list(cli, argc - 1, argv + 1);
	if (argc < 3)
		goto bad;
	if (strcmp(cmd, "add") == 0)
		return cmd_add(cli, argc - 1, argv + 1);
	if (strcmp(cmd, "passwd") == 0 && argc == 3)
		return cmd_passwd(cli, argv[2]);
	if (strcmp(cmd, "suspend") == 0 && argc == 3)
		return cmd_status(cli, argv[2], false);
	if (strcmp(cmd, "activate") == 0 && argc == 3)
		return cmd_status(cli, argv[2], true);
	if (strcmp(cmd, "grant") == 0 && argc == 4)
		return cmd_role(cli, argv[2], argv[3], true);
	if (strcmp(cmd, "revoke") == 0 && argc == 4)
		return cmd_role(cli, argv[2], argv[3], false);
bad:
	cli_err("user: bad arguments; see gatehouse user --help");
	return CLI_USAGE;
}
