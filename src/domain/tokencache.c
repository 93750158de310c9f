/*
 * tokencache: verified asymmetric tokens, per process.  See
 * tokencache.h.
 *
 * Direct-mapped: the digest's first byte picks the slot, so a lookup is
 * one comparison and a full table evicts by overwriting, never failing.
 */
#include <limits.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/b64url.h"
#include "core/json.h"
#include "core/jwk.h"
#include "domain/tokencache.h"

/* A header we write is far smaller: anything longer is not cached. */
#define HEADER_MAX	512

struct slot {
	unsigned char		 digest[SHA256_DIGEST_LENGTH];
	char			 kid[GH_JWK_KID_MAX + 1];
	struct gh_jwt_claims	 claims;
	unsigned long		 gen;	/* live while it is the table's */
};

static struct slot	 table[GH_TOKENCACHE_SLOTS];
/* A flush is a new generation: O(1) when the set reloads every call. */
static unsigned long	 gen = 1;
static unsigned long	 hits;

static struct slot *
slot_of(const unsigned char *digest)
{
	return &table[digest[0] % GH_TOKENCACHE_SLOTS];
}

/* A NUL-terminated string, NULL as "", into the digest. */
static int
update_str(EVP_MD_CTX *ctx, const char *s)
{
	if (s == NULL)
		s = "";
	return EVP_DigestUpdate(ctx, s, strlen(s) + 1);
}

/*
 * The slot's key: the whole token, and what it was verified against
 * (issuer, audience, foreign audiences), because one process may check
 * the same token for several audiences (the authorizer's locations): a
 * token accepted for one is never taken from the table for another.
 * 0, or -1 when OpenSSL failed (then nothing is cached).
 */
static int
digest_of(const struct gh_jwt_key *key, const char *tok, size_t len,
    unsigned char *out)
{
	EVP_MD_CTX	*ctx;
	unsigned int	 n = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    update_str(ctx, key->issuer) == 1 &&
	    update_str(ctx, key->audience) == 1 &&
	    update_str(ctx, key->foreign) == 1 &&
	    EVP_DigestUpdate(ctx, tok, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1 &&
	    n == SHA256_DIGEST_LENGTH;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Is kid a key of key's set, of its alg, that verifies now? */
static int
kid_live(const struct gh_jwt_key *key, const char *kid)
{
	size_t	 i;

	for (i = 0; i < key->nkeys; i++) {
		if (key->keys[i].jwk == NULL ||
		    strcmp(gh_jwk_kid(key->keys[i].jwk), kid) != 0)
			continue;
		return !key->keys[i].retired &&
		    gh_jwk_alg(key->keys[i].jwk) == key->alg;
	}
	return 0;
}

/* The header's kid, of a token already verified; -1 when none fits. */
static int
header_kid(const char *tok, size_t len, char *kid, size_t kidsz)
{
	struct json_object	*obj;
	struct gh_input_errors	 errs = { 0 };
	unsigned char		 hdr[HEADER_MAX];
	const char		*dot, *s;
	size_t			 slen;
	long			 n;
	int			 rc = -1;

	if ((dot = memchr(tok, '.', len)) == NULL ||
	    (n = gh_b64url_decode(tok, (size_t)(dot - tok), hdr,
	    sizeof(hdr))) < 0)
		return -1;
	if ((obj = gh_json_parse_object((const char *)hdr, (size_t)n)) == NULL)
		return -1;
	if (gh_json_string(obj, "kid", 0, &s, &slen, &errs) == 1 &&
	    slen > 0 && slen < kidsz) {
		memcpy(kid, s, slen);
		kid[slen] = '\0';
		rc = 0;
	}
	json_object_put(obj);
	return rc;
}

int
gh_tokencache_get(const struct gh_jwt_key *key, const char *tok, size_t len,
    int64_t now, struct gh_jwt_claims *claims)
{
	unsigned char	 digest[SHA256_DIGEST_LENGTH];
	struct slot	*s;

	if (gh_jwt_alg_is_hmac(key->alg) || len == 0 || len > GH_TOKEN_MAX ||
	    digest_of(key, tok, len, digest) == -1)
		return 0;
	s = slot_of(digest);
	if (s->gen != gen || CRYPTO_memcmp(s->digest, digest, sizeof(digest)) != 0)
		return 0;
	if (now >= s->claims.exp || !kid_live(key, s->kid)) {
		/* It would not verify now, and never will again. */
		s->gen = 0;
		return 0;
	}
	*claims = s->claims;
	hits++;
	return 1;
}

void
gh_tokencache_put(const struct gh_jwt_key *key, const char *tok, size_t len,
    const struct gh_jwt_claims *claims)
{
	unsigned char	 digest[SHA256_DIGEST_LENGTH];
	char		 kid[GH_JWK_KID_MAX + 1];
	struct slot	*s;

	if (gh_jwt_alg_is_hmac(key->alg) || len == 0 || len > GH_TOKEN_MAX ||
	    header_kid(tok, len, kid, sizeof(kid)) == -1 ||
	    digest_of(key, tok, len, digest) == -1)
		return;
	s = slot_of(digest);
	memcpy(s->digest, digest, sizeof(digest));
	memcpy(s->kid, kid, sizeof(kid));
	s->claims = *claims;
	s->gen = gen;
}

void
gh_tokencache_flush(void)
{
	/* 0 marks a free slot: never a generation. */
	gen = gen == ULONG_MAX ? 1 : gen + 1;
}

unsigned long
gh_tokencache_hits(void)
{
	return hits;
}
