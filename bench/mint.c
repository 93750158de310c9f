/*
 * mint: access tokens for bench/run, signed by gatehouse's own code.
 *
 * Usage: GATEHOUSE_CONFIG=FILE mint < LINES
 *
 * Each input line is "USER_ID SESSION_ID USERNAME" (a session bench/run
 * inserted with SQL); each output line is an access token for it, signed
 * with gh_jwt_sign() under the config's key, algorithm, issuer and
 * audience, with the role "user", issued now and valid for four hours.
 * The programs check these exactly as they check a login's tokens
 * (signature, claims, then the live user and session in PostgreSQL):
 * minting them only spares bench/run a bcrypt per token.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/jwt.h"
#include "core/random.h"

int
main(void)
{
	static struct gh_config	 cfg;
	struct gh_jwt_key	 key;
	struct gh_jwt_claims	 c;
	char			 err[GH_CONFIG_ERR_MAX], line[512], tok[4096];
	char			 sub[GH_UUID_LEN + 1], sid[GH_UUID_LEN + 1];
	char			 name[GH_USERNAME_MAX + 1];
	long			 n = 0;

	if (gh_config_load(&cfg, GH_CONFIG_NEED_SECRET, err, sizeof(err))) {
		fprintf(stderr, "mint: %s\n", err);
		return 1;
	}
	memset(&key, 0, sizeof(key));
	key.alg = cfg.jwt_algorithm;
	key.secret = cfg.jwt_secret;
	key.secret_len = cfg.jwt_secret_len;
	key.issuer = cfg.jwt_issuer;
	key.audience = cfg.jwt_audience;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "%36s %36s %64s", sub, sid, name) != 3)
			continue;
		memset(&c, 0, sizeof(c));
		memcpy(c.sub, sub, sizeof(c.sub));
		memcpy(c.sid, sid, sizeof(c.sid));
		memcpy(c.username, name, sizeof(c.username));
		snprintf(c.roles[0], sizeof(c.roles[0]), "user");
		c.nroles = 1;
		c.iat = (int64_t)time(NULL);
		c.exp = c.iat + 4 * 3600;
		if (gh_random_uuid(c.jti, sizeof(c.jti)) == -1 ||
		    gh_jwt_sign(&key, &c, tok, sizeof(tok)) < 0) {
			fprintf(stderr, "mint: cannot sign for %s\n", sub);
			return 1;
		}
		puts(tok);
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "mint: no input lines\n");
		return 1;
	}
	return 0;
}
