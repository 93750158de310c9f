/*
 * jwt: compact JWS with HMAC (HS256, HS384, HS512) or an asymmetric key
 * (ES256, EdDSA, RS256: core/jwk.h, core/jws.h) on OpenSSL, and the
 * access-token claims of the contract.
 *
 * Promises: gh_jwt_verify() accepts a token only when its header names
 * exactly the configured algorithm (never "none", never another one), its
 * signature matches (an HMAC under CRYPTO_memcmp, the others by
 * EVP_DigestVerify), its typ, if any, is "JWT" (in any
 * case), it is at most GH_TOKEN_MAX bytes, and its claims hold: exp
 * present and in the future, iat and nbf, if present, not later than now
 * plus the key's leeway, type "access", sid
 * and sub present, iss equal to the configured issuer, aud equal to the
 * configured audience when one is set, and no aud value naming another
 * recipient's audience (key->foreign; RFC 7519 4.1.3: a recipient that
 * is not the audience rejects the token).  A token is signed with aud
 * key->audience: a key with another audience mints for another
 * recipient.  Nothing is trusted from the token before the signature is
 * checked.
 *
 * Results: header or payload that is not exactly one JSON object as
 * gh_json_parse_object() reads one (strict RFC 8259 JSON, valid UTF-8,
 * at most GH_JSON_DEPTH deep, nothing trailing) is GH_JWT_MALFORMED, and
 * so is a header without a string "alg" or with "crit".  A payload with invalid
 * UTF-8 is therefore MALFORMED, not BAD_CLAIMS.  A header alg that is a
 * string other than the configured name is GH_JWT_BAD_ALGORITHM, which
 * is checked before the signature.  sub and sid must be uuids by the one
 * rule of core/str.h (hex digits of either case); claims hands them out
 * lower-cased, the spelling PostgreSQL and gh_random_uuid() print, so ids
 * compare as text downstream.
 * A string claim too long for its field in gh_jwt_claims is BAD_CLAIMS:
 * nothing is truncated.
 *
 * Keys and kid (issue 14): every token gh_jwt_sign() writes has the
 * header {"alg":ALG,"typ":"JWT","kid":KID}.  KID is the signing key's
 * RFC 7638 thumbprint, or for HMAC the secret's id of gh_jwk_hs_kid(),
 * which tells nothing of the secret.  With an asymmetric algorithm the
 * kid is required, and picks the key out of the key's verification set:
 * a missing kid, one that names no key of the set or a retired one is
 * GH_JWT_UNKNOWN_KEY; a kid whose key is of another algorithm than the
 * configured one is GH_JWT_BAD_ALGORITHM, as is a token of any other
 * alg (an HS256 token "signed" with the public key's bytes among them:
 * the configured alg decides, never the token).  With HMAC the kid is
 * optional, because the tokens of live sessions signed before it was
 * written have none; when present it must be the secret's id, else
 * GH_JWT_UNKNOWN_KEY, which is checked after the signature (there is
 * one secret to try, so a token under another is BAD_SIGNATURE).  A
 * header offering its own key or a way to one (jwk, jku, x5u, x5c) is
 * GH_JWT_MALFORMED, like crit: gatehouse never
 * fetches or trusts a key a token brings, and a token that brings one
 * is not one it wrote.  A kid is at most GH_JWK_KID_MAX bytes.
 * Callers answer every result but GH_JWT_INTERNAL with 401 invalid_token.
 *
 * Why not libjwt: Debian 12 ships libjwt 1.10, which validates no claims
 * (exp, iss, aud and type would be ours anyway) and has no key set
 * looked up by kid.  HMAC, EVP signatures and base64url are a few pages
 * of code on OpenSSL, which we link for random bytes already.
 */
#ifndef GH_JWT_H
#define GH_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "core/bounds.h"
#include "core/random.h"

enum gh_jwt_alg {
	GH_JWT_HS256 = 0,
	GH_JWT_HS384,
	GH_JWT_HS512,
	GH_JWT_ES256,		/* ECDSA on P-256 with SHA-256 */
	GH_JWT_EDDSA,		/* "EdDSA": Ed25519 */
	GH_JWT_RS256		/* RSASSA-PKCS1-v1_5 with SHA-256 */
};

enum gh_jwt_result {
	GH_JWT_OK = 0,
	GH_JWT_MALFORMED,	/* not three base64url parts of JSON objects */
	GH_JWT_TOO_LONG,
	GH_JWT_BAD_ALGORITHM,	/* header alg is not the configured one */
	GH_JWT_BAD_SIGNATURE,
	GH_JWT_EXPIRED,
	GH_JWT_BAD_CLAIMS,	/* missing or wrong exp, type, sid, sub, iss, aud */
	GH_JWT_UNKNOWN_KEY,	/* kid missing, unknown or retired */
	GH_JWT_INTERNAL		/* OpenSSL or memory failure: not the client's fault */
};

struct gh_jwk;

/* One key tokens may be verified with, found by its kid. */
struct gh_jwt_vkey {
	const struct gh_jwk	*jwk;
	int			 retired;	/* its tokens fail from now on */
};

/*
 * The HMAC members serve HS*; signer, keys and nkeys serve ES256, EdDSA
 * and RS256 and are never read for HS*.
 */
struct gh_jwt_key {
	enum gh_jwt_alg		 alg;
	const unsigned char	*secret;
	size_t			 secret_len;
	const char		*issuer;	/* required, e.g. "gatehouse" */
	const char		*audience;	/* NULL or "" when not configured */
	/*
	 * Other recipients' audiences, space-separated (token_audiences):
	 * a token whose aud names one of them but audience is refused.
	 * NULL or "" for none.
	 */
	const char		*foreign;
	int			 leeway;	/* seconds iat, nbf may be ahead */
	/* The private key of alg that signs; NULL where nothing signs. */
	const struct gh_jwk	*signer;
	/* The verification set: tokens are checked with these, by kid. */
	const struct gh_jwt_vkey *keys;
	size_t			 nkeys;
};

struct gh_jwt_claims {
	char	sub[GH_UUID_LEN + 1];		/* user id */
	char	sid[GH_UUID_LEN + 1];		/* session id */
	char	jti[GH_UUID_LEN + 1];
	char	username[GH_USERNAME_MAX + 1];
	char	employee_id[GH_EMPLOYEE_ID_MAX + 1];	/* "" when unset */
	char	roles[GH_ROLES_MAX][GH_ROLE_NAME_MAX + 1];
	size_t	nroles;
	int64_t	iat;
	int64_t	exp;
};

/*
 * "HS256" etc. to the enum; 0 on success, -1 if not supported.  Only the
 * algorithms a configuration may name today: the HMAC ones, until keys
 * for the others can be configured (then gh_jwt_alg_lookup() serves).
 */
int		 gh_jwt_alg_parse(const char *, enum gh_jwt_alg *);
/* Every algorithm's name, "ES256", "EdDSA" and "RS256" too; 0 or -1. */
int		 gh_jwt_alg_lookup(const char *, enum gh_jwt_alg *);
/* The name of an alg, or NULL for a value outside the enum. */
const char	*gh_jwt_alg_name(enum gh_jwt_alg);
/* Is alg one of the HMAC ones? */
int		 gh_jwt_alg_is_hmac(enum gh_jwt_alg);

/*
 * Signs claims as an access token (type "access", iss and aud from key)
 * into out, NUL-terminated.  Returns the token length, or -1: also when
 * the issuer is empty, the secret is (HMAC) or the signer is missing, has
 * no private part or is of another algorithm (the others), or claims
 * hold what gh_jwt_verify() would refuse (sub or sid not a uuid, empty
 * username).
 * employee_id and jti are written only when non-empty.
 */
long	gh_jwt_sign(const struct gh_jwt_key *, const struct gh_jwt_claims *,
	    char *out, size_t outsz);

/*
 * Verifies token[0..len) at time now (seconds since the epoch) and fills
 * claims on GH_JWT_OK.  claims is zeroed on any other result.
 */
enum gh_jwt_result gh_jwt_verify(const struct gh_jwt_key *, const char *token,
	    size_t len, int64_t now, struct gh_jwt_claims *);

/* A short, fixed sentence for a result, safe to send to a client. */
const char	*gh_jwt_result_str(enum gh_jwt_result);

/*
 * The JWS layer alone, for tests against RFC 7515 and for the fuzzer:
 * checks the header's alg against alg and the signature, and on success
 * copies the decoded payload into payload (payloadsz bytes, NUL-terminated)
 * and sets *payloadlen.  No claim is looked at.  HMAC algorithms only.
 */
enum gh_jwt_result gh_jws_verify(enum gh_jwt_alg, const unsigned char *secret,
	    size_t secret_len, const char *token, size_t len, char *payload,
	    size_t payloadsz, size_t *payloadlen);

/* The same for any algorithm, with the key's secret or key set. */
enum gh_jwt_result gh_jws_verify_key(const struct gh_jwt_key *,
	    const char *token, size_t len, char *payload, size_t payloadsz,
	    size_t *payloadlen);

#endif
