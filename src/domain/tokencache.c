/*
 * tokencache: verified asymmetric tokens, per process.  See
 * tokencache.h.
 *
 * Set-associative: the digest's first two bytes pick a set of WAYS
 * slots, so a lookup is at most WAYS comparisons, a full set evicts its
 * least recently used slot, never failing, and a working set of tokens
 * well below GH_TOKENCACHE_SLOTS stays whole (a direct-mapped table
 * loses a token to every other one that lands on its slot: with 1,000
 * clients in turn on 256 slots, bench/run saw almost no hits).
 *
 * A slot keeps the claims packed (the roles back to back), about 600
 * bytes, not a struct gh_jwt_claims with room for every role's longest
 * name: the table is static, so a program that never keeps a token
 * (HMAC) never touches its pages, and one that does touches about as
 * many as it keeps tokens.  Claims whose roles do not fit are not kept
 * (that token is verified every time).
 */
#include <limits.h>
#include <stdint.h>
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
#define WAYS		4
#define SETS		(GH_TOKENCACHE_SLOTS / WAYS)
/* The roles, each NUL-terminated, back to back. */
#define ROLES_PACKED	256

struct slot {
	unsigned char	 digest[SHA256_DIGEST_LENGTH];
	char		 kid[GH_JWK_KID_MAX + 1];
	char		 sub[GH_UUID_LEN + 1];
	char		 sid[GH_UUID_LEN + 1];
	char		 jti[GH_UUID_LEN + 1];
	char		 username[GH_USERNAME_MAX + 1];
	char		 employee_id[GH_EMPLOYEE_ID_MAX + 1];
	char		 roles[ROLES_PACKED];
	size_t		 nroles;
	int64_t		 iat;
	int64_t		 exp;
	unsigned long	 gen;	/* live while it is the table's */
	unsigned long	 used;	/* tick of its last put or hit */
};

static struct slot	 table[SETS][WAYS];
/* A flush is a new generation: O(1) when the set reloads every call. */
static unsigned long	 gen = 1;
static unsigned long	 tick;
static unsigned long	 hits;

/* The set of a digest: its first two bytes, SETS dividing 65536. */
static struct slot *
set_of(const unsigned char *digest)
{
	return table[((unsigned)digest[0] << 8 | digest[1]) % SETS];
}

/* The live slot holding digest, or NULL. */
static struct slot *
find(const unsigned char *digest)
{
	struct slot	*set = set_of(digest);
	size_t		 i;

	for (i = 0; i < WAYS; i++)
		if (set[i].gen == gen &&
		    CRYPTO_memcmp(set[i].digest, digest, SHA256_DIGEST_LENGTH) == 0)
			return &set[i];
	return NULL;
}

/* Where digest goes: its own slot, else a free one, else the oldest. */
static struct slot *
victim(const unsigned char *digest)
{
	struct slot	*set = set_of(digest), *s, *v = NULL;
	size_t		 i;

	if ((s = find(digest)) != NULL)
		return s;
	for (i = 0; i < WAYS; i++) {
		s = &set[i];
		if (s->gen != gen)
			return s;
		if (v == NULL || s->used < v->used)
			v = s;
	}
	return v;
}

/* The claims into s; -1 when the roles do not fit (nothing is kept). */
static int
pack(struct slot *s, const struct gh_jwt_claims *c)
{
	size_t	 i, n, off = 0;

	if (c->nroles > GH_ROLES_MAX)
		return -1;
	for (i = 0; i < c->nroles; i++) {
		n = strnlen(c->roles[i], sizeof(c->roles[i]));
		if (n == sizeof(c->roles[i]) || n + 1 > sizeof(s->roles) - off)
			return -1;
		memcpy(s->roles + off, c->roles[i], n + 1);
		off += n + 1;
	}
	memcpy(s->sub, c->sub, sizeof(s->sub));
	memcpy(s->sid, c->sid, sizeof(s->sid));
	memcpy(s->jti, c->jti, sizeof(s->jti));
	memcpy(s->username, c->username, sizeof(s->username));
	memcpy(s->employee_id, c->employee_id, sizeof(s->employee_id));
	s->nroles = c->nroles;
	s->iat = c->iat;
	s->exp = c->exp;
	return 0;
}

/* The claims of s, as the verification that kept them gave them. */
static void
unpack(const struct slot *s, struct gh_jwt_claims *c)
{
	size_t	 i, n, off = 0;

	memset(c, 0, sizeof(*c));
	memcpy(c->sub, s->sub, sizeof(c->sub));
	memcpy(c->sid, s->sid, sizeof(c->sid));
	memcpy(c->jti, s->jti, sizeof(c->jti));
	memcpy(c->username, s->username, sizeof(c->username));
	memcpy(c->employee_id, s->employee_id, sizeof(c->employee_id));
	for (i = 0; i < s->nroles; i++) {
		/* pack() wrote each with its NUL, shorter than a role's room. */
		n = strlen(s->roles + off);
		memcpy(c->roles[i], s->roles + off, n + 1);
		off += n + 1;
	}
	c->nroles = s->nroles;
	c->iat = s->iat;
	c->exp = s->exp;
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
	if ((s = find(digest)) == NULL)
		return 0;
	if (now >= s->exp || !kid_live(key, s->kid)) {
		/* It would not verify now, and never will again. */
		s->gen = 0;
		return 0;
	}
	unpack(s, claims);
	s->used = ++tick;
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
	s = victim(digest);
	s->gen = 0;
	if (pack(s, claims) == -1)
		return;
	memcpy(s->digest, digest, sizeof(digest));
	memcpy(s->kid, kid, sizeof(kid));
	s->used = ++tick;
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
