/*
 * jwt: compact JWS with HMAC (HS256, HS384, HS512) on OpenSSL, and the
 * access-token claims of the contract.
 *
 * Promises: gh_jwt_verify() accepts a token only when its header names
 * exactly the configured algorithm (never "none", never another one), its
 * signature matches under CRYPTO_memcmp, its typ, if any, is "JWT" (in any
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
 * Why not libjwt: Debian 12 ships libjwt 1.10, which validates no claims
 * (exp, iss, aud and type would be ours anyway) and has no road to the
 * asymmetric keys and JWKS planned later.  HMAC plus base64url is a page
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
	GH_JWT_HS512
};

enum gh_jwt_result {
	GH_JWT_OK = 0,
	GH_JWT_MALFORMED,	/* not three base64url parts of JSON objects */
	GH_JWT_TOO_LONG,
	GH_JWT_BAD_ALGORITHM,	/* header alg is not the configured one */
	GH_JWT_BAD_SIGNATURE,
	GH_JWT_EXPIRED,
	GH_JWT_BAD_CLAIMS,	/* missing or wrong exp, type, sid, sub, iss, aud */
	GH_JWT_INTERNAL		/* OpenSSL or memory failure: not the client's fault */
};

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

/* "HS256" etc. to the enum; 0 on success, -1 if not supported. */
int		 gh_jwt_alg_parse(const char *, enum gh_jwt_alg *);
/* The name of an alg, or NULL for a value outside the enum. */
const char	*gh_jwt_alg_name(enum gh_jwt_alg);

/*
 * Signs claims as an access token (type "access", iss and aud from key)
 * into out, NUL-terminated.  Returns the token length, or -1: also when
 * the secret or issuer is empty, or claims hold what gh_jwt_verify()
 * would refuse (sub or sid not a uuid, empty username).
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
 * and sets *payloadlen.  No claim is looked at.
 */
enum gh_jwt_result gh_jws_verify(enum gh_jwt_alg, const unsigned char *secret,
	    size_t secret_len, const char *token, size_t len, char *payload,
	    size_t payloadsz, size_t *payloadlen);

#endif
