/*
 * gatehouse keys: the signing keys' lifecycle (generate, rotate, list,
 * retire).  A private key is made here, sealed under the key-encryption
 * key of key_encryption_key_file, and leaves this process only sealed;
 * nothing here prints one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "core/jwk.h"
#include "core/jwt.h"
#include "domain/keys.h"

static const char usage[] =
"usage: gatehouse keys generate [--alg ES256|EdDSA|RS256]\n"
"       gatehouse keys rotate [--alg ES256|EdDSA|RS256]\n"
"       gatehouse keys list\n"
"       gatehouse keys retire KID [--now]\n"
"       gatehouse keys retire --expired\n"
"\n"
"generate  makes the first signing key; it signs at once.\n"
"rotate    makes the next key: published at once, it signs\n"
"          jwks_max_age_seconds later, when every cache of the key set\n"
"          has it; the current key is then published until its last\n"
"          token has expired (access token lifetime + leeway).\n"
"list      every key: kid, algorithm, state (next, current, previous,\n"
"          expired, retired) and its times (UTC).\n"
"retire    takes a key out once its tokens have expired (the only key\n"
"          that signs is kept unless --now); --now withdraws it at once:\n"
"          every token it signed gets 401 from the next request on (a\n"
"          leaked key: retire it --now, then rotate).  --expired\n"
"          retires every previous key whose tokens have all expired.\n"
"The algorithm is jwt_algorithm when that is ES256, EdDSA or RS256\n"
"(--alg may name no other: one algorithm signs and verifies at a\n"
"time); under HS256 any, ES256 by default, for the switch to a key\n"
"set.  The private keys are sealed under the key of\n"
"key_encryption_key_file.  Run from cron, e.g.:\n"
"  0 4 1 * *  gatehouse keys rotate\n"
"  30 4 * * *  gatehouse keys retire --expired\n";

/*
 * --alg NAME, or the configured algorithm, or ES256.  Under HS* any
 * asymmetric one (keys made before the switch to a key set); under a
 * key set only its own: one algorithm signs and verifies at a time
 * (docs/API.md), so a key of another would never sign, and would
 * supersede the one that does.
 */
static int
pick_alg(const struct cli *cli, const char *name, enum gh_jwt_alg *alg)
{
	enum gh_jwt_alg	 conf = cli->cfg.jwt_algorithm;

	if (name == NULL) {
		*alg = gh_jwt_alg_is_hmac(conf) ? GH_JWT_ES256 : conf;
		return 0;
	}
	if (gh_jwt_alg_lookup(name, alg) == -1 || gh_jwt_alg_is_hmac(*alg)) {
		cli_err("keys: --alg takes ES256, EdDSA or RS256");
		return -1;
	}
	if (!gh_jwt_alg_is_hmac(conf) && *alg != conf) {
		cli_err("keys: jwt_algorithm is %s, the one algorithm that "
		    "signs and verifies: a %s key would never sign.  To change "
		    "algorithms, see \"Changing the algorithm\" in "
		    "docs/DEPLOY.md", gh_jwt_alg_name(conf),
		    gh_jwt_alg_name(*alg));
		return -1;
	}
	return 0;
}

static int
cmd_add(struct cli *cli, enum gh_keys_add_mode mode, int argc, char *argv[])
{
	char		 err[GH_CONFIG_ERR_MAX], from[GH_KEYS_TIME_MAX];
	const char	*name = NULL;
	struct gh_jwk	*k = NULL;
	enum gh_jwt_alg	 alg;
	enum gh_status	 st;
	int		 publish, rc = CLI_FAIL;

	if (argc == 3 && strcmp(argv[1], "--alg") == 0)
		name = argv[2];
	else if (argc != 1) {
		cli_err("keys %s: unexpected arguments; see --help", argv[0]);
		return CLI_USAGE;
	}
	if (pick_alg(cli, name, &alg) == -1)
		return CLI_USAGE;
	if (gh_config_load_kek(&cli->cfg, err, sizeof(err)) == -1) {
		cli_err("keys %s: %s", argv[0], err);
		return CLI_FAIL;
	}
	if ((k = gh_jwk_generate(alg, 0)) == NULL) {
		cli_err("keys %s: cannot make a %s key", argv[0],
		    gh_jwt_alg_name(alg));
		goto out;
	}
	/* Every token the superseded key signed has expired by then. */
	publish = cli->cfg.access_token_expire_minutes * 60 +
	    cli->cfg.jwt_leeway_seconds;
	st = gh_keys_add(cli->db, mode, k, cli->cfg.kek, cli->cfg.kek_len,
	    cli->cfg.jwks_max_age_seconds, publish, from);
	if (st == GH_CONFLICT) {
		cli_err(mode == GH_KEYS_GENERATE ? "keys generate: a key "
		    "already signs or is about to: use `gatehouse keys rotate`" :
		    "keys rotate: a next key is already waiting to sign (see "
		    "`gatehouse keys list`)");
		goto out;
	}
	if (st != GH_OK) {
		(void)cli_db_fail(cli, st, mode == GH_KEYS_GENERATE ?
		    "keys generate" : "keys rotate");
		goto out;
	}
	printf("%s %s signs from %s\n", gh_jwk_kid(k), gh_jwt_alg_name(alg),
	    from);
	rc = CLI_OK;
out:
	gh_jwk_free(k);
	OPENSSL_cleanse(cli->cfg.kek, sizeof(cli->cfg.kek));
	return rc;
}

static void
print_row(void *arg, const struct gh_key_row *r)
{
	(void)arg;
	printf("%s %s %s created=%s signs_from=%s superseded_at=%s "
	    "publish_until=%s retired_at=%s\n", r->kid, r->alg, r->state,
	    r->created_at, r->signs_from,
	    r->superseded_at[0] != '\0' ? r->superseded_at : "-",
	    r->publish_until[0] != '\0' ? r->publish_until : "-",
	    r->retired_at[0] != '\0' ? r->retired_at : "-");
}

static int
cmd_list(struct cli *cli, int argc, char *argv[])
{
	enum gh_status	 st;

	(void)argv;
	if (argc != 1) {
		cli_err("keys list takes no arguments");
		return CLI_USAGE;
	}
	if ((st = gh_keys_list(cli->db, print_row, NULL)) != GH_OK)
		return cli_db_fail(cli, st, "keys list");
	return CLI_OK;
}

static int
cmd_retire(struct cli *cli, int argc, char *argv[])
{
	char		 when[GH_KEYS_TIME_MAX];
	enum gh_status	 st;
	long		 n;
	int		 now;

	if (argc == 2 && strcmp(argv[1], "--expired") == 0) {
		if ((st = gh_keys_retire_expired(cli->db, &n)) != GH_OK)
			return cli_db_fail(cli, st, "keys retire");
		printf("%ld key%s retired\n", n, n == 1 ? "" : "s");
		return CLI_OK;
	}
	now = argc == 3 && strcmp(argv[2], "--now") == 0;
	/* A kid is base64url: it may begin with '-', so only --now is not one. */
	if ((argc != 2 && !now) || strcmp(argv[1], "--now") == 0) {
		cli_err("keys retire: usage: gatehouse keys retire KID [--now] "
		    "| --expired");
		return CLI_USAGE;
	}
	st = gh_keys_retire(cli->db, argv[1], now, when);
	if (st == GH_NOT_FOUND) {
		cli_err("keys retire: no key %s", argv[1]);
		return CLI_FAIL;
	}
	if (st == GH_CONFLICT) {
		cli_err("keys retire: %s is the only key that signs: rotate "
		    "first, or retire it --now (logins then fail until a key "
		    "is made)", argv[1]);
		return CLI_FAIL;
	}
	if (st != GH_OK)
		return cli_db_fail(cli, st, "keys retire");
	printf("%s retired from %s\n", argv[1], when);
	return CLI_OK;
}

int
cli_keys(struct cli *cli, int argc, char *argv[])
{
	if (cli_wants_help(argc, argv) || argc < 2) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "generate") == 0)
		return cmd_add(cli, GH_KEYS_GENERATE, argc - 1, argv + 1);
	if (strcmp(argv[1], "rotate") == 0)
		return cmd_add(cli, GH_KEYS_ROTATE, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "retire") == 0)
		return cmd_retire(cli, argc - 1, argv + 1);
	cli_err("keys: unknown subcommand \"%s\"; see --help", argv[1]);
	return CLI_USAGE;
}
