/*
 * mint: access tokens for bench/run, signed by gatehouse's own code.
 *
 * Usage: GATEHOUSE_CONFIG=FILE mint [-n COUNT] [KID SEALED] < LINES
 *
 * Each input line is "USER_ID SESSION_ID USERNAME" (a session bench/run
 * inserted with SQL); for each, COUNT (default 1) output lines are access
 * tokens for it, each with its own jti, signed with gh_jwt_sign() under
 * the config's algorithm, issuer and audience, with the role "user",
 * issued now and valid for four hours.
 *
 * With HS256 (or another HMAC) the config's secret signs.  With ES256,
 * EdDSA or RS256 the key is the stack's own: KID and SEALED are a row of
 * signing_keys (its kid and private_sealed, as `gatehouse keys generate`
 * stored it), opened here with the config's key_encryption_key_file
 * exactly as the login program opens it.
 *
 * The programs check these exactly as they check a login's tokens
 * (signature, kid, claims, then the live user and session in
 * PostgreSQL): minting them only spares bench/run a bcrypt per token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/config.h"
#include "core/jwk.h"
#include "core/jwt.h"
#include "core/random.h"

#define COUNT_MAX	1000

/* Signs COUNT tokens for one input line; -1 when one could not be. */
static int
mint_line(const struct gh_jwt_key *key, const char *line, long count)
{
	struct gh_jwt_claims	 c;
	char			 tok[4096];
	char			 sub[GH_UUID_LEN + 1], sid[GH_UUID_LEN + 1];
	char			 name[GH_USERNAME_MAX + 1];
	long			 i;

	if (sscanf(line, "%36s %36s %64s", sub, sid, name) != 3)
		return 0;
	for (i = 0; i < count; i++) {
		memset(&c, 0, sizeof(c));
		memcpy(c.sub, sub, sizeof(c.sub));
		memcpy(c.sid, sid, sizeof(c.sid));
		memcpy(c.username, name, sizeof(c.username));
		snprintf(c.roles[0], sizeof(c.roles[0]), "user");
		c.nroles = 1;
		c.iat = (int64_t)time(NULL);
		c.exp = c.iat + 4 * 3600;
		if (gh_random_uuid(c.jti, sizeof(c.jti)) == -1 ||
		    gh_jwt_sign(key, &c, tok, sizeof(tok)) < 0) {
			fprintf(stderr, "mint: cannot sign for %s\n", sub);
			return -1;
		}
		puts(tok);
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	static struct gh_config	 cfg;
	struct gh_jwt_key	 key;
	struct gh_jwt_vkey	 vkey;
	struct gh_jwk		*jwk = NULL;
	char			 err[GH_CONFIG_ERR_MAX], line[512];
	const char		*kid = NULL, *sealed = NULL;
	char			*end;
	long			 count = 1, n = 0;
	int			 ch, rc = 1, r, need;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end != '\0' || count < 1 || count > COUNT_MAX)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2) {
		kid = argv[0];
		sealed = argv[1];
	} else if (argc != 0)
		goto usage;

	need = GH_CONFIG_NEED_SECRET | (kid != NULL ? GH_CONFIG_NEED_SIGN : 0);
	if (gh_config_load(&cfg, need, err, sizeof(err))) {
		fprintf(stderr, "mint: %s\n", err);
		return 1;
	}
	memset(&key, 0, sizeof(key));
	key.alg = cfg.jwt_algorithm;
	key.secret = cfg.jwt_secret;
	key.secret_len = cfg.jwt_secret_len;
	key.issuer = cfg.jwt_issuer;
	key.audience = cfg.jwt_audience;
	if (gh_jwt_alg_is_hmac(key.alg) != (kid == NULL)) {
		fprintf(stderr, "mint: %s %s\n", gh_jwt_alg_name(key.alg),
		    kid == NULL ? "needs KID and SEALED" :
		    "signs with the secret: no KID and SEALED");
		goto out;
	}
	if (kid != NULL) {
		jwk = gh_jwk_unseal(sealed, strlen(sealed), kid, cfg.kek,
		    cfg.kek_len);
		if (jwk == NULL || gh_jwk_alg(jwk) != key.alg) {
			fprintf(stderr, "mint: cannot open the key %s\n", kid);
			goto out;
		}
		vkey.jwk = jwk;
		vkey.retired = 0;
		key.signer = jwk;
		key.keys = &vkey;
		key.nkeys = 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if ((r = mint_line(&key, line, count)) == -1)
			goto out;
		n += r;
	}
	if (n == 0) {
		fprintf(stderr, "mint: no input lines\n");
		goto out;
	}
	rc = 0;
out:
	gh_jwk_free(jwk);
	OPENSSL_cleanse(cfg.kek, sizeof(cfg.kek));
	return rc;
usage:
	fprintf(stderr, "usage: mint [-n COUNT] [KID SEALED] < LINES\n");
	return 1;
}
