/*
 * jwt: compact JWS (RFC 7515) with HMAC or an asymmetric key, and the
 * access-token claims.
 *
 * Why OpenSSL and not libjwt: Debian 12 ships libjwt 1.10, which has no
 * claim-validation API -- exp, iss, aud and type would be left to us
 * anyway -- and no key set looked up by kid.  HMAC, EVP signatures and
 * base64url on OpenSSL are a few pages of code we control, over a
 * library we link for random bytes already.
 *
 * Verification trusts nothing before the signature: the header is read
 * only for its alg, which must be the configured one, and its kid, which
 * picks a key the caller gave (never one the token brings), and the
 * payload is not parsed until the signature over "header.payload" has
 * matched.  HMAC is computed here; the asymmetric signatures are
 * core/jws.c's, with the keys of core/jwk.c.  Both are
 * read by the json module's strict parse (core/json.h), the one reading
 * of JSON in the library: a token is held to what a request body is.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "core/b64url.h"
#include "core/bounds.h"
#include "core/json.h"
#include "core/jwk.h"
#include "core/jws.h"
#include "core/jwt.h"
#include "core/random.h"
#include "core/str.h"
#include "core/utf8.h"

#define PART_MAX	GH_B64URL_DECODED_MAX(GH_TOKEN_MAX)

static const struct {
	const char	*name;
	enum gh_jwt_alg	 alg;
	int		 hmac;
} algs[] = {
	{ "HS256", GH_JWT_HS256, 1 },
	{ "HS384", GH_JWT_HS384, 1 },
	{ "HS512", GH_JWT_HS512, 1 },
	{ "ES256", GH_JWT_ES256, 0 },
	{ "EdDSA", GH_JWT_EDDSA, 0 },
	{ "RS256", GH_JWT_RS256, 0 },
};

static int
alg_find(const char *name, int hmac_only, enum gh_jwt_alg *alg)
{
	size_t	 i;

	if (name == NULL || alg == NULL)
		return -1;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(name, algs[i].name) == 0 &&
		    (algs[i].hmac || !hmac_only)) {
			*alg = algs[i].alg;
			return 0;
		}
	return -1;
}

int
gh_jwt_alg_parse(const char *name, enum gh_jwt_alg *alg)
{

	return alg_find(name, 1, alg);
}

int
gh_jwt_alg_lookup(const char *name, enum gh_jwt_alg *alg)
{

	return alg_find(name, 0, alg);
}

int
gh_jwt_alg_is_hmac(enum gh_jwt_alg alg)
{
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].hmac;
	return 0;
}

const char *
gh_jwt_alg_name(enum gh_jwt_alg alg)
{
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return NULL;
}

const char *
gh_jwt_result_str(enum gh_jwt_result r)
{

	switch (r) {
	case GH_JWT_OK:
		return "token is valid";
	case GH_JWT_MALFORMED:
		return "token is malformed";
	case GH_JWT_TOO_LONG:
		return "token is too long";
	case GH_JWT_BAD_ALGORITHM:
		return "token algorithm is not accepted";
	case GH_JWT_BAD_SIGNATURE:
		return "token signature is invalid";
	case GH_JWT_EXPIRED:
		return "token has expired";
	case GH_JWT_BAD_CLAIMS:
		return "token claims are invalid";
	case GH_JWT_UNKNOWN_KEY:
		return "token key is unknown";
	case GH_JWT_INTERNAL:
		break;
	}
	return "internal error";
}

static const EVP_MD *
alg_md(enum gh_jwt_alg alg)
{

	switch (alg) {
	case GH_JWT_HS256:
		return EVP_sha256();
	case GH_JWT_HS384:
		return EVP_sha384();
	case GH_JWT_HS512:
		return EVP_sha512();
	default:
		break;
	}
	return NULL;
}

/*
 * One keyed HMAC context, for the last key used: OpenSSL 3's one-shot
 * HMAC() fetches the algorithm and keys a new context on every call,
 * which made it the largest single cost of a token check.  Re-initialising
 * a kept context with a NULL key reuses its key.  The key is kept, so
 * that a different one (tests, the CLI) is noticed and keyed afresh.
 * The secret's kid is kept with it, for the same reason.
 */
static struct {
	EVP_MAC_CTX		*ctx;
	enum gh_jwt_alg		 alg;
	unsigned char		 key[GH_SECRET_MAX];
	size_t			 keylen;
	char			 kid[GH_JWK_KID_MAX + 1];
} mac;

static int
mac_keyed_for(enum gh_jwt_alg alg, const unsigned char *secret, size_t len)
{
	return mac.ctx != NULL && mac.alg == alg && mac.keylen == len &&
	    CRYPTO_memcmp(mac.key, secret, len) == 0;
}

static int
mac_rekey(enum gh_jwt_alg alg, const unsigned char *secret, size_t len)
{
	const EVP_MD	*evp;
	EVP_MAC		*m;
	OSSL_PARAM	 params[2];

	EVP_MAC_CTX_free(mac.ctx);
	mac.ctx = NULL;
	OPENSSL_cleanse(mac.key, sizeof(mac.key));
	if ((evp = alg_md(alg)) == NULL || len > sizeof(mac.key))
		return -1;
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	mac.ctx = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	if (mac.ctx == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)EVP_MD_get0_name(evp), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(mac.ctx, secret, len, params) ||
	    gh_jwk_hs_kid(secret, len, mac.kid, sizeof(mac.kid)) == -1) {
		EVP_MAC_CTX_free(mac.ctx);
		mac.ctx = NULL;
		return -1;
	}
	memcpy(mac.key, secret, len);
	mac.keylen = len;
	mac.alg = alg;
	return 0;
}

/* Keys the kept context for secret under alg, unless it is already. */
static int
mac_ready(enum gh_jwt_alg alg, const unsigned char *secret, size_t len)
{

	if (secret == NULL || len == 0 || len > INT_MAX)
		return -1;
	if (mac_keyed_for(alg, secret, len))
		return 0;
	return mac_rekey(alg, secret, len);
}

/* The secret's kid (gh_jwk_hs_kid()), or NULL on failure. */
static const char *
hs_kid(enum gh_jwt_alg alg, const unsigned char *secret, size_t len)
{

	return mac_ready(alg, secret, len) == -1 ? NULL : mac.kid;
}

/*
 * HMAC of data under secret with alg's digest into md (EVP_MAX_MD_SIZE
 * bytes).  Returns the digest length, or 0 on failure.
 */
static unsigned int
hmac(enum gh_jwt_alg alg, const unsigned char *secret, size_t secret_len,
    const void *data, size_t datalen, unsigned char *md)
{
	size_t	 mdlen = 0;

	if (mac_ready(alg, secret, secret_len) == -1 ||
	    !EVP_MAC_init(mac.ctx, NULL, 0, NULL))
		return 0;
	if (!EVP_MAC_update(mac.ctx, data, datalen) ||
	    !EVP_MAC_final(mac.ctx, md, &mdlen, EVP_MAX_MD_SIZE))
		return 0;
	return (unsigned int)mdlen;
}

/*
 * The string value of name in obj, with its length.  Returns 1 when it
 * is there and a string without embedded NULs, 0 when it is absent, and
 * -1 when it is anything else.
 */
static int
get_string(struct json_object *obj, const char *name, const char **s,
    size_t *len)
{
	struct json_object	*v;
	int			 n;

	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	if ((n = json_object_get_string_len(v)) < 0)
		return -1;
	*s = json_object_get_string(v);
	*len = (size_t)n;
	if (*s == NULL || memchr(*s, '\0', *len) != NULL)
		return -1;
	return 1;
}

/* Does obj's string name equal want, byte for byte? */
static int
string_is(struct json_object *obj, const char *name, const char *want)
{
	const char	*s;
	size_t		 len;

	if (get_string(obj, name, &s, &len) != 1)
		return 0;
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

/*
 * Copies the string claim name into dst (dstsz bytes).  An absent claim
 * is "" unless required.  Too long is refused, never truncated: a cut
 * name could be someone else's.
 */
static int
copy_string(struct json_object *obj, const char *name, int required,
    char *dst, size_t dstsz)
{
	const char	*s = NULL;
	size_t		 len = 0;
	int		 c;

	dst[0] = '\0';
	if ((c = get_string(obj, name, &s, &len)) == -1)
		return -1;
	if (c == 0)
		return required ? -1 : 0;
	if (len >= dstsz)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/*
 * Copies the uuid claim name into dst (GH_UUID_LEN + 1 bytes) lower-cased:
 * either case is a uuid (core/str.h's one rule), but the session cache and
 * the database's notifications compare ids as text, in the lower case
 * gh_random_uuid() and PostgreSQL print.
 */
static int
copy_uuid(struct json_object *obj, const char *name, char *dst, size_t dstsz)
{

	if (copy_string(obj, name, 1, dst, dstsz) == -1 ||
	    !gh_str_is_uuid(dst, strlen(dst)))
		return -1;
	gh_str_lower_inplace(dst);
	return 0;
}

/* Only a JSON integer is a NumericDate here: no doubles, no strings. */
static int
get_int(struct json_object *obj, const char *name, int64_t *v)
{
	struct json_object	*o;

	if (!json_object_object_get_ex(obj, name, &o))
		return 0;
	if (!json_object_is_type(o, json_type_int))
		return -1;
	*v = json_object_get_int64(o);
	return 1;
}

/* Splits token into its three parts at exactly two dots. */
static enum gh_jwt_result
split(const char *token, size_t len, size_t *dot1, size_t *dot2)
{
	const char	*p, *q;

	if ((p = memchr(token, '.', len)) == NULL)
		return GH_JWT_MALFORMED;
	*dot1 = (size_t)(p - token);
	if ((q = memchr(p + 1, '.', len - *dot1 - 1)) == NULL)
		return GH_JWT_MALFORMED;
	*dot2 = (size_t)(q - token);
	if (memchr(q + 1, '.', len - *dot2 - 1) != NULL)
		return GH_JWT_MALFORMED;
	/*
	 * An empty header or payload is malformed; an empty signature is
	 * left for later, so that "alg":"none" is reported as what it is.
	 */
	if (*dot1 == 0 || *dot2 == *dot1 + 1)
		return GH_JWT_MALFORMED;
	return GH_JWT_OK;
}

/* Could c be in a kid we wrote?  Thumbprints and ids are base64url. */
static int
kid_char(char c)
{

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Is buf[0..len) the header gh_jwt_sign() writes for alg, byte for byte,
 * with or without the kid?  Then the kid, or "", is copied into kid.
 */
static int
is_our_header(const char *buf, size_t len, const char *alg, char *kid,
    size_t kidsz)
{
	char	 want[64];
	size_t	 i, klen;
	int	 n;

	n = snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"typ\":\"JWT\"",
	    alg);
	if (n <= 0 || (size_t)n >= sizeof(want) || len <= (size_t)n ||
	    memcmp(buf, want, (size_t)n) != 0)
		return 0;
	buf += n;
	len -= (size_t)n;
	if (len == 1 && buf[0] == '}') {
		kid[0] = '\0';
		return 1;
	}
	if (len < sizeof(",\"kid\":\"\"}") ||
	    memcmp(buf, ",\"kid\":\"", 8) != 0 ||
	    memcmp(buf + len - 2, "\"}", 2) != 0)
		return 0;
	klen = len - 10;
	if (klen >= kidsz)
		return 0;
	for (i = 0; i < klen; i++)
		if (!kid_char(buf[8 + i]))
			return 0;
	memcpy(kid, buf + 8, klen);
	kid[klen] = '\0';
	return 1;
}

/*
 * Members that bring a key or say where to fetch one (RFC 7515 4.1.3-6):
 * we trust only the keys we were given, and write none of these.
 */
static const char *const key_members[] = { "jwk", "jku", "x5u", "x5c" };

/* MALFORMED for crit, which we cannot honour, and key-bearing members. */
static int
has_refused_member(struct json_object *obj)
{
	struct json_object	*v;
	size_t			 i;

	/* We understand no extension, so RFC 7515 4.1.11 says refuse. */
	if (json_object_object_get_ex(obj, "crit", &v))
		return 1;
	for (i = 0; i < sizeof(key_members) / sizeof(key_members[0]); i++)
		if (json_object_object_get_ex(obj, key_members[i], &v))
			return 1;
	return 0;
}

/*
 * Copies the header's kid into kid ("" when there is none).  A kid
 * longer than any of ours names no key of ours.
 */
static enum gh_jwt_result
copy_kid(struct json_object *obj, char *kid, size_t kidsz)
{
	const char	*s = NULL;
	size_t		 len = 0;

	kid[0] = '\0';
	switch (get_string(obj, "kid", &s, &len)) {
	case 0:
		return GH_JWT_OK;
	case 1:
		if (len == 0 || len >= kidsz)
			return GH_JWT_UNKNOWN_KEY;
		memcpy(kid, s, len);
		kid[len] = '\0';
		return GH_JWT_OK;
	default:
		return GH_JWT_MALFORMED;
	}
}

/*
 * Checks the encoded header token[0..hlen) names exactly alg, and copies
 * its kid, or "", into kid (kidsz bytes).
 */
static enum gh_jwt_result
check_header(enum gh_jwt_alg alg, const char *hdr, size_t hlen, char *kid,
    size_t kidsz)
{
	char			 buf[PART_MAX + 1];
	struct json_object	*obj = NULL;
	const char		*name, *s = NULL;
	size_t			 slen = 0;
	long			 n;
	enum gh_jwt_result	 rc;

	kid[0] = '\0';
	if ((name = gh_jwt_alg_name(alg)) == NULL)
		return GH_JWT_INTERNAL;
	n = gh_b64url_decode(hdr, hlen, (unsigned char *)buf, sizeof(buf) - 1);
	if (n <= 0)
		return GH_JWT_MALFORMED;
	buf[n] = '\0';
	/*
	 * The header gh_jwt_sign() writes, byte for byte, says alg and kid
	 * and nothing else; only another spelling needs the parser.
	 */
	if (is_our_header(buf, (size_t)n, name, kid, kidsz))
		return GH_JWT_OK;
	/* The json module's strict parse: a token reads as a body does. */
	if ((obj = gh_json_parse_object(buf, (size_t)n)) == NULL)
		return GH_JWT_MALFORMED;

	rc = GH_JWT_MALFORMED;
	if (get_string(obj, "alg", &s, &slen) != 1)
		goto out;
	if (has_refused_member(obj))
		goto out;
	rc = GH_JWT_BAD_ALGORITHM;
	if (slen != strlen(name) || memcmp(s, name, slen) != 0)
		goto out;
	/*
	 * RFC 8725 3.11: a token of another kind (at+jwt, a logout token)
	 * must not pass for ours.  We write "JWT"; media types ignore case.
	 */
	rc = GH_JWT_MALFORMED;
	switch (get_string(obj, "typ", &s, &slen)) {
	case 0:
		break;
	case 1:
		if (gh_str_eq_nocase(s, slen, "JWT", 3))
			break;
		goto out;
	default:
		goto out;
	}
	rc = copy_kid(obj, kid, kidsz);
out:
	json_object_put(obj);
	return rc;
}

/* Checks the signature part against the HMAC of token[0..signedlen). */
static enum gh_jwt_result
check_signature(enum gh_jwt_alg alg, const unsigned char *secret,
    size_t secret_len, const char *token, size_t signedlen, const char *sig,
    size_t siglen)
{
	unsigned char		 got[PART_MAX];
	unsigned char		 want[EVP_MAX_MD_SIZE];
	unsigned int		 wantlen;
	long			 n;
	enum gh_jwt_result	 rc = GH_JWT_MALFORMED;

	if (siglen == 0)
		return GH_JWT_MALFORMED;
	if ((n = gh_b64url_decode(sig, siglen, got, sizeof(got))) < 0)
		return GH_JWT_MALFORMED;
	wantlen = hmac(alg, secret, secret_len, token, signedlen, want);
	if (wantlen == 0) {
		rc = GH_JWT_INTERNAL;
		goto out;
	}
	rc = GH_JWT_BAD_SIGNATURE;
	if ((size_t)n != wantlen || CRYPTO_memcmp(got, want, wantlen) != 0)
		goto out;
	rc = GH_JWT_OK;
out:
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/*
 * An HMAC token's kid is optional (tokens from before kids have none);
 * if there, it must be the secret's.
 */
static enum gh_jwt_result
check_hs_kid(const struct gh_jwt_key *key, const char *kid)
{
	const char	*ours;

	if (kid[0] == '\0')
		return GH_JWT_OK;
	if ((ours = hs_kid(key->alg, key->secret, key->secret_len)) == NULL)
		return GH_JWT_INTERNAL;
	return strcmp(kid, ours) == 0 ? GH_JWT_OK : GH_JWT_UNKNOWN_KEY;
}

/* The key of the verification set kid names, if it may verify. */
static enum gh_jwt_result
find_key(const struct gh_jwt_key *key, const char *kid,
    const struct gh_jwk **jwk)
{
	const struct gh_jwt_vkey	*v;
	size_t				 i;

	*jwk = NULL;
	if (kid[0] == '\0' || key->keys == NULL)
		return GH_JWT_UNKNOWN_KEY;
	for (i = 0; i < key->nkeys; i++) {
		v = &key->keys[i];
		if (v->jwk == NULL || strcmp(gh_jwk_kid(v->jwk), kid) != 0)
			continue;
		if (v->retired)
			return GH_JWT_UNKNOWN_KEY;
		/* One algorithm verifies at a time, whatever the set holds. */
		if (gh_jwk_alg(v->jwk) != key->alg)
			return GH_JWT_BAD_ALGORITHM;
		*jwk = v->jwk;
		return GH_JWT_OK;
	}
	return GH_JWT_UNKNOWN_KEY;
}

/* Checks the signature part against jwk's over token[0..signedlen). */
static enum gh_jwt_result
check_key_signature(const struct gh_jwk *jwk, const char *token,
    size_t signedlen, const char *sig, size_t siglen)
{
	unsigned char	 got[GH_JWS_SIG_MAX];
	long		 n;

	if (siglen == 0)
		return GH_JWT_MALFORMED;
	/* Longer than any signature of ours: no need to decode it. */
	if (siglen > GH_B64URL_ENCODED_LEN(sizeof(got)))
		return GH_JWT_BAD_SIGNATURE;
	if ((n = gh_b64url_decode(sig, siglen, got, sizeof(got))) < 0)
		return GH_JWT_MALFORMED;
	return gh_jws_check_bytes(jwk, token, signedlen, got, (size_t)n);
}

/* Is key usable to verify with at all?  Not the token's fault if not. */
static int
key_usable(const struct gh_jwt_key *key)
{

	if (key == NULL || gh_jwt_alg_name(key->alg) == NULL)
		return 0;
	if (gh_jwt_alg_is_hmac(key->alg))
		return key->secret != NULL && key->secret_len > 0;
	return key->nkeys == 0 || key->keys != NULL;
}

enum gh_jwt_result
gh_jws_verify_key(const struct gh_jwt_key *key, const char *token,
    size_t len, char *payload, size_t payloadsz, size_t *payloadlen)
{
	const struct gh_jwk	*jwk = NULL;
	char			 kid[GH_JWK_KID_MAX + 1];
	size_t			 dot1, dot2, plen, need;
	long			 n;
	enum gh_jwt_result	 rc;

	if (payload == NULL || payloadsz == 0 || payloadlen == NULL)
		return GH_JWT_INTERNAL;
	payload[0] = '\0';
	*payloadlen = 0;
	if (!key_usable(key))
		return GH_JWT_INTERNAL;
	if (token == NULL)
		return GH_JWT_MALFORMED;
	if (len > GH_TOKEN_MAX)
		return GH_JWT_TOO_LONG;

	if ((rc = split(token, len, &dot1, &dot2)) != GH_JWT_OK)
		return rc;
	rc = check_header(key->alg, token, dot1, kid, sizeof(kid));
	if (rc != GH_JWT_OK)
		return rc;
	if (gh_jwt_alg_is_hmac(key->alg)) {
		/*
		 * One secret, so the kid picks nothing: it is held to the
		 * secret's only once the signature shows the token is ours,
		 * and a token under another secret stays BAD_SIGNATURE.
		 */
		rc = check_signature(key->alg, key->secret, key->secret_len,
		    token, dot2, token + dot2 + 1, len - dot2 - 1);
		if (rc == GH_JWT_OK)
			rc = check_hs_kid(key, kid);
	} else {
		if ((rc = find_key(key, kid, &jwk)) != GH_JWT_OK)
			return rc;
		rc = check_key_signature(jwk, token, dot2, token + dot2 + 1,
		    len - dot2 - 1);
	}
	if (rc != GH_JWT_OK)
		return rc;

	/* Signed by us: now the payload may be looked at. */
	plen = dot2 - dot1 - 1;
	need = GH_B64URL_DECODED_LEN(plen);
	if (need >= payloadsz)
		return GH_JWT_INTERNAL;
	n = gh_b64url_decode(token + dot1 + 1, plen,
	    (unsigned char *)payload, payloadsz - 1);
	if (n < 0) {
		payload[0] = '\0';
		return GH_JWT_MALFORMED;
	}
	payload[n] = '\0';
	*payloadlen = (size_t)n;
	return GH_JWT_OK;
}

enum gh_jwt_result
gh_jws_verify(enum gh_jwt_alg alg, const unsigned char *secret,
    size_t secret_len, const char *token, size_t len, char *payload,
    size_t payloadsz, size_t *payloadlen)
{
	struct gh_jwt_key	 key;

	if (payload != NULL && payloadsz > 0)
		payload[0] = '\0';
	if (payloadlen != NULL)
		*payloadlen = 0;
	if (!gh_jwt_alg_is_hmac(alg))
		return GH_JWT_INTERNAL;
	memset(&key, 0, sizeof(key));
	key.alg = alg;
	key.secret = secret;
	key.secret_len = secret_len;
	return gh_jws_verify_key(&key, token, len, payload, payloadsz,
	    payloadlen);
}

/*
 * exp must be an integer in the future; iat and nbf, if there, integers
 * not later than now by more than the leeway (another node's clock may run
 * ahead of ours by that much).  exp gets no leeway: a token never lives
 * longer than it says.
 */
static enum gh_jwt_result
check_times(struct json_object *obj, int64_t now, int leeway,
    struct gh_jwt_claims *c)
{
	int64_t	 nbf = 0, latest;
	int	 has_iat, has_nbf;

	if (get_int(obj, "exp", &c->exp) != 1)
		return GH_JWT_BAD_CLAIMS;
	if ((has_iat = get_int(obj, "iat", &c->iat)) == -1 ||
	    (has_nbf = get_int(obj, "nbf", &nbf)) == -1)
		return GH_JWT_BAD_CLAIMS;
	if (c->exp <= now)
		return GH_JWT_EXPIRED;
	latest = now + (leeway > 0 ? leeway : 0);
	if ((has_iat && c->iat > latest) || (has_nbf && nbf > latest))
		return GH_JWT_BAD_CLAIMS;
	return GH_JWT_OK;
}

/*
 * aud may be a string or an array of them (RFC 7519 4.1.3).  It must name
 * key->audience when one is set, and no audience of key->foreign but
 * that one: a token minted for another recipient is not for us.
 */
static int
audience_ok(struct json_object *obj, const struct gh_jwt_key *key)
{
	struct json_object	*aud, *v;
	const char		*own, *s;
	size_t			 i, n, ownlen, len;
	int			 named = 0;

	own = key->audience != NULL ? key->audience : "";
	ownlen = strlen(own);
	if (!json_object_object_get_ex(obj, "aud", &aud))
		return ownlen == 0;
	if (json_object_is_type(aud, json_type_string))
		n = 1;
	else if (json_object_is_type(aud, json_type_array))
		n = json_object_array_length(aud);
	else
		return ownlen == 0;
	for (i = 0; i < n; i++) {
		v = json_object_is_type(aud, json_type_string) ? aud :
		    json_object_array_get_idx(aud, i);
		if (v == NULL || !json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (ownlen > 0 && len == ownlen && memcmp(s, own, len) == 0)
			named = 1;
		else if (gh_str_word_in(key->foreign, s, len))
			return 0;
	}
	return ownlen == 0 || named;
}

static int
copy_roles(struct json_object *obj, struct gh_jwt_claims *c)
{
	struct json_object	*roles;
	size_t			 i, n;

	if (!json_object_object_get_ex(obj, "roles", &roles))
		return 0;
	if (!json_object_is_type(roles, json_type_array))
		return -1;
	if ((n = json_object_array_length(roles)) > GH_ROLES_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		struct json_object	*v = json_object_array_get_idx(roles, i);
		const char		*s;
		int			 len;

		if (v == NULL || !json_object_is_type(v, json_type_string))
			return -1;
		s = json_object_get_string(v);
		len = json_object_get_string_len(v);
		if (s == NULL || len < 0 || len > GH_ROLE_NAME_MAX ||
		    memchr(s, '\0', (size_t)len) != NULL)
			return -1;
		memcpy(c->roles[i], s, (size_t)len);
		c->roles[i][len] = '\0';
	}
	c->nroles = n;
	return 0;
}

static enum gh_jwt_result
check_claims(const struct gh_jwt_key *key, struct json_object *obj,
    int64_t now, struct gh_jwt_claims *c)
{
	enum gh_jwt_result	 rc;

	if ((rc = check_times(obj, now, key->leeway, c)) != GH_JWT_OK)
		return rc;
	if (!string_is(obj, "type", "access"))
		return GH_JWT_BAD_CLAIMS;
	if (copy_uuid(obj, "sub", c->sub, sizeof(c->sub)) == -1 ||
	    copy_uuid(obj, "sid", c->sid, sizeof(c->sid)) == -1)
		return GH_JWT_BAD_CLAIMS;
	if (!string_is(obj, "iss", key->issuer))
		return GH_JWT_BAD_CLAIMS;
	if (!audience_ok(obj, key))
		return GH_JWT_BAD_CLAIMS;
	if (copy_string(obj, "username", 1, c->username,
	    sizeof(c->username)) == -1 || c->username[0] == '\0')
		return GH_JWT_BAD_CLAIMS;
	if (copy_string(obj, "employee_id", 0, c->employee_id,
	    sizeof(c->employee_id)) == -1)
		return GH_JWT_BAD_CLAIMS;
	if (copy_string(obj, "jti", 0, c->jti, sizeof(c->jti)) == -1)
		return GH_JWT_BAD_CLAIMS;
	if (copy_roles(obj, c) == -1)
		return GH_JWT_BAD_CLAIMS;
	return GH_JWT_OK;
}

enum gh_jwt_result
gh_jwt_verify(const struct gh_jwt_key *key, const char *token, size_t len,
    int64_t now, struct gh_jwt_claims *claims)
{
	char			 payload[PART_MAX + 1];
	struct json_object	*obj = NULL;
	size_t			 plen;
	enum gh_jwt_result	 rc;

	if (claims == NULL)
		return GH_JWT_INTERNAL;
	memset(claims, 0, sizeof(*claims));
	if (key == NULL || key->issuer == NULL || key->issuer[0] == '\0')
		return GH_JWT_INTERNAL;

	rc = gh_jws_verify_key(key, token, len, payload, sizeof(payload),
	    &plen);
	if (rc != GH_JWT_OK)
		goto out;
	if ((obj = gh_json_parse_object(payload, plen)) == NULL) {
		rc = GH_JWT_MALFORMED;
		goto out;
	}
	rc = check_claims(key, obj, now, claims);
out:
	json_object_put(obj);
	if (rc != GH_JWT_OK)
		memset(claims, 0, sizeof(*claims));
	return rc;
}

/* Is s a NUL-terminated string within its sz-byte buffer? */
static int
bounded(const char *s, size_t sz)
{

	return memchr(s, '\0', sz) != NULL;
}

/* Refuses to sign what gh_jwt_verify() would refuse to accept. */
static int
claims_signable(const struct gh_jwt_claims *c)
{
	size_t	 i;

	if (!bounded(c->sub, sizeof(c->sub)) ||
	    !bounded(c->sid, sizeof(c->sid)) ||
	    !bounded(c->jti, sizeof(c->jti)) ||
	    !bounded(c->username, sizeof(c->username)) ||
	    !bounded(c->employee_id, sizeof(c->employee_id)))
		return 0;
	if (!gh_str_is_uuid(c->sub, strlen(c->sub)) ||
	    !gh_str_is_uuid(c->sid, strlen(c->sid)) ||
	    c->username[0] == '\0' || c->nroles > GH_ROLES_MAX)
		return 0;
	/* What verify refuses as malformed must not be signed either. */
	if (!gh_utf8_valid(c->username, strlen(c->username)) ||
	    !gh_utf8_valid(c->employee_id, strlen(c->employee_id)))
		return 0;
	for (i = 0; i < c->nroles; i++)
		if (!bounded(c->roles[i], sizeof(c->roles[i])) ||
		    !gh_utf8_valid(c->roles[i], strlen(c->roles[i])))
			return 0;
	return 1;
}

static struct json_object *
build_header(enum gh_jwt_alg alg, const char *kid)
{
	struct json_object	*obj;
	const char		*name;

	if ((name = gh_jwt_alg_name(alg)) == NULL || kid == NULL)
		return NULL;
	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if (gh_json_add(obj, "alg", json_object_new_string(name)) == -1 ||
	    gh_json_add(obj, "typ", json_object_new_string("JWT")) == -1 ||
	    gh_json_add(obj, "kid", json_object_new_string(kid)) == -1) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *
build_roles(const struct gh_jwt_claims *c)
{
	struct json_object	*arr, *v;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < c->nroles; i++) {
		if ((v = json_object_new_string(c->roles[i])) == NULL)
			goto fail;
		if (json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			goto fail;
		}
	}
	return arr;
fail:
	json_object_put(arr);
	return NULL;
}

static struct json_object *
build_payload(const struct gh_jwt_key *key, const struct gh_jwt_claims *c)
{
	struct json_object	*obj;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if (gh_json_add(obj, "iss",
	    json_object_new_string(key->issuer)) == -1 ||
	    gh_json_add(obj, "sub", json_object_new_string(c->sub)) == -1 ||
	    gh_json_add(obj, "username",
	    json_object_new_string(c->username)) == -1)
		goto fail;
	if (c->employee_id[0] != '\0' && gh_json_add(obj, "employee_id",
	    json_object_new_string(c->employee_id)) == -1)
		goto fail;
	if (gh_json_add(obj, "roles", build_roles(c)) == -1 ||
	    gh_json_add(obj, "type",
	    json_object_new_string("access")) == -1 ||
	    gh_json_add(obj, "sid", json_object_new_string(c->sid)) == -1 ||
	    gh_json_add(obj, "iat", json_object_new_int64(c->iat)) == -1 ||
	    gh_json_add(obj, "exp", json_object_new_int64(c->exp)) == -1)
		goto fail;
	if (c->jti[0] != '\0' &&
	    gh_json_add(obj, "jti", json_object_new_string(c->jti)) == -1)
		goto fail;
	if (key->audience != NULL && key->audience[0] != '\0' &&
	    gh_json_add(obj, "aud",
	    json_object_new_string(key->audience)) == -1)
		goto fail;
	return obj;
fail:
	json_object_put(obj);
	return NULL;
}

/* Appends obj, serialised and base64url-encoded, to out at *pos. */
static int
append_json(struct json_object *obj, char *out, size_t outsz, size_t *pos)
{
	const char	*s;
	size_t		 len;
	long		 n;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return -1;
	if ((n = gh_b64url_encode(s, len, out + *pos, outsz - *pos)) == -1)
		return -1;
	*pos += (size_t)n;
	return 0;
}

/* Appends c to out at *pos, keeping room for the NUL. */
static int
append_char(char c, char *out, size_t outsz, size_t *pos)
{

	if (outsz - *pos < 2)
		return -1;
	out[(*pos)++] = c;
	out[*pos] = '\0';
	return 0;
}

/* Can key sign?  With HMAC, a secret; else a private key of its alg. */
static int
key_signs(const struct gh_jwt_key *key)
{

	if (key->issuer == NULL || key->issuer[0] == '\0')
		return 0;
	if (gh_jwt_alg_is_hmac(key->alg))
		return key->secret != NULL && key->secret_len > 0;
	return key->signer != NULL && gh_jwk_has_private(key->signer) &&
	    gh_jwk_alg(key->signer) == key->alg;
}

/* Signs out[0..len) with key into sig (GH_JWS_SIG_MAX bytes); or -1. */
static long
sign_input(const struct gh_jwt_key *key, const char *out, size_t len,
    unsigned char *sig)
{
	unsigned int	 mdlen;

	if (!gh_jwt_alg_is_hmac(key->alg))
		return gh_jws_sign_bytes(key->signer, out, len, sig,
		    GH_JWS_SIG_MAX);
	/* GH_JWS_SIG_MAX is far above EVP_MAX_MD_SIZE. */
	mdlen = hmac(key->alg, key->secret, key->secret_len, out, len, sig);
	return mdlen == 0 ? -1 : (long)mdlen;
}

long
gh_jwt_sign(const struct gh_jwt_key *key, const struct gh_jwt_claims *claims,
    char *out, size_t outsz)
{
	struct json_object	*hdr = NULL, *pay = NULL;
	unsigned char		 sig[GH_JWS_SIG_MAX];
	const char		*kid;
	size_t			 pos = 0;
	long			 n, siglen, rc = -1;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (key == NULL || claims == NULL || !key_signs(key) ||
	    !claims_signable(claims))
		return -1;

	if (gh_jwt_alg_is_hmac(key->alg))
		kid = hs_kid(key->alg, key->secret, key->secret_len);
	else
		kid = gh_jwk_kid(key->signer);
	if ((hdr = build_header(key->alg, kid)) == NULL ||
	    (pay = build_payload(key, claims)) == NULL)
		goto out;
	if (append_json(hdr, out, outsz, &pos) == -1 ||
	    append_char('.', out, outsz, &pos) == -1 ||
	    append_json(pay, out, outsz, &pos) == -1)
		goto out;
	if ((siglen = sign_input(key, out, pos, sig)) < 0)
		goto out;
	if (append_char('.', out, outsz, &pos) == -1)
		goto out;
	n = gh_b64url_encode(sig, (size_t)siglen, out + pos, outsz - pos);
	if (n == -1)
		goto out;
	pos += (size_t)n;
	/* We would not accept a longer one back. */
	if (pos > GH_TOKEN_MAX)
		goto out;
	rc = (long)pos;
out:
	OPENSSL_cleanse(sig, sizeof(sig));
	json_object_put(hdr);
	json_object_put(pay);
	if (rc == -1)
		out[0] = '\0';
	return rc;
}
