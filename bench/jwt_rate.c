/*
 * jwt_rate: what a token check costs the CPU in one process, per token,
 * by algorithm, for bench/run: the path domain/principal.c takes before
 * it asks PostgreSQL about the session.
 *
 * Usage: jwt_rate SECONDS
 *
 * Signs one access token with HS256 (a random secret) and one with ES256
 * (a P-256 key made here, the set holding its public half), as
 * gh_jwt_sign() signs login's, then times, each for SECONDS:
 *
 *   hs256          gh_tokencache_get() (nothing: HMAC is never kept)
 *                  and gh_jwt_verify(): every HS256 check
 *   es256_first    the table flushed, then get (a miss), gh_jwt_verify()
 *                  and gh_tokencache_put(): a token's first sight
 *   es256_repeat   gh_tokencache_get() finding it: every later sight
 *   hs256_sign, es256_sign   gh_jwt_sign(): what login and refresh add
 *
 * Prints one line "NAME=MICROSECONDS ..." (mean per call).  A check that
 * does not give the expected answer stops it (exit 1): a fast failure is
 * not a result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jwk.h"
#include "core/jwt.h"
#include "core/random.h"
#include "domain/tokencache.h"

enum what { HS256, ES256_FIRST, ES256_REPEAT, SIGN };

static double
now_s(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One call of what; 0, or -1 when it did not answer as it should. */
static int
once(enum what w, const struct gh_jwt_key *key, const char *tok,
    size_t len, const struct gh_jwt_claims *c)
{
	struct gh_jwt_claims	 out;
	char			 buf[4096];
	int64_t			 now = (int64_t)time(NULL);

	switch (w) {
	case HS256:
		if (gh_tokencache_get(key, tok, len, now, &out))
			return -1;
		return gh_jwt_verify(key, tok, len, now, &out) == GH_JWT_OK ?
		    0 : -1;
	case ES256_FIRST:
		gh_tokencache_flush();
		if (gh_tokencache_get(key, tok, len, now, &out) ||
		    gh_jwt_verify(key, tok, len, now, &out) != GH_JWT_OK)
			return -1;
		gh_tokencache_put(key, tok, len, &out);
		return 0;
	case ES256_REPEAT:
		return gh_tokencache_get(key, tok, len, now, &out) ? 0 : -1;
	case SIGN:
		return gh_jwt_sign(key, c, buf, sizeof(buf)) > 0 ? 0 : -1;
	}
	return -1;
}

/* Mean microseconds of one call over seconds; -1 on a wrong answer. */
static double
rate(enum what w, const struct gh_jwt_key *key, const char *tok,
    const struct gh_jwt_claims *c, double seconds)
{
	double	 t0, t;
	long	 n = 0, i;
	size_t	 len = strlen(tok);

	t0 = now_s();
	do {
		/* The clock read a hundred calls apart: not part of the cost. */
		for (i = 0; i < 100; i++)
			if (once(w, key, tok, len, c) == -1)
				return -1;
		n += 100;
		t = now_s() - t0;
	} while (t < seconds);
	return t * 1e6 / (double)n;
}

int
main(int argc, char *argv[])
{
	static unsigned char	 secret[32];
	struct gh_jwt_key	 hs, es;
	struct gh_jwt_vkey	 vkey;
	struct gh_jwt_claims	 c;
	struct gh_jwk		*jwk;
	char			 hstok[4096], estok[4096];
	double			 s, r[5];
	int			 i;

	if (argc != 2 || (s = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: jwt_rate SECONDS\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	if (gh_random_uuid(c.sub, sizeof(c.sub)) == -1 ||
	    gh_random_uuid(c.sid, sizeof(c.sid)) == -1 ||
	    gh_random_uuid(c.jti, sizeof(c.jti)) == -1 ||
	    gh_random_bytes(secret, sizeof(secret)) == -1 ||
	    (jwk = gh_jwk_generate(GH_JWT_ES256, 0)) == NULL) {
		fprintf(stderr, "jwt_rate: no key\n");
		return 1;
	}
	snprintf(c.username, sizeof(c.username), "bench0000000");
	snprintf(c.roles[0], sizeof(c.roles[0]), "user");
	c.nroles = 1;
	c.iat = (int64_t)time(NULL);
	c.exp = c.iat + 3600;

	memset(&hs, 0, sizeof(hs));
	hs.alg = GH_JWT_HS256;
	hs.secret = secret;
	hs.secret_len = sizeof(secret);
	hs.issuer = "gatehouse";
	es = hs;
	es.alg = GH_JWT_ES256;
	es.secret = NULL;
	es.secret_len = 0;
	vkey.jwk = jwk;
	vkey.retired = 0;
	es.signer = jwk;
	es.keys = &vkey;
	es.nkeys = 1;
	if (gh_jwt_sign(&hs, &c, hstok, sizeof(hstok)) < 0 ||
	    gh_jwt_sign(&es, &c, estok, sizeof(estok)) < 0) {
		fprintf(stderr, "jwt_rate: cannot sign\n");
		return 1;
	}

	r[0] = rate(HS256, &hs, hstok, &c, s);
	r[1] = rate(ES256_FIRST, &es, estok, &c, s);
	/* The table holds the token now: every call below is a hit. */
	r[2] = rate(ES256_REPEAT, &es, estok, &c, s);
	r[3] = rate(SIGN, &hs, hstok, &c, s);
	r[4] = rate(SIGN, &es, estok, &c, s);
	gh_jwk_free(jwk);
	for (i = 0; i < 5; i++)
		if (r[i] < 0) {
			fprintf(stderr, "jwt_rate: a check failed (%d)\n", i);
			return 1;
		}
	printf("hs256=%.2f es256_first=%.2f es256_repeat=%.2f "
	    "hs256_sign=%.2f es256_sign=%.2f\n", r[0], r[1], r[2], r[3], r[4]);
	return 0;
}
