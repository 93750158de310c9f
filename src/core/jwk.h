/*
 * jwk: the asymmetric keys tokens are signed with (ES256 on P-256, EdDSA
 * on Ed25519, RS256), their RFC 7638 thumbprints, their public JWK form
 * (RFC 7517) and their sealing at rest.  No database, no files: PEM text
 * and sealed blobs go in and out of bounded buffers, the caller keeps
 * them where it likes.
 *
 * Promises: a struct gh_jwk holds one key of one algorithm, its kid and
 * whether it holds the private part; its kid is always the RFC 7638
 * thumbprint (SHA-256, base64url) of its public members, so a kid names
 * exactly one public key and anyone can recompute it.  Only P-256,
 * Ed25519 and RSA of GH_JWK_RSA_MIN_BITS to GH_JWK_RSA_MAX_BITS are ever
 * loaded or made; anything else is refused, not converted.
 * gh_jwk_public_json() writes the public members only: never d, p, q,
 * dp, dq, qi or k, whatever the key holds.  gh_jwk_save_private() is the
 * only way out for a private key, as PKCS#8 PEM, and gh_jwk_seal() the
 * way to keep it: AES-256-GCM under a 32-byte key-encryption key, a
 * fresh random 96-bit nonce each time, the kid as associated data, so a
 * blob fails to open under another key-encryption key, for another kid,
 * or with any byte changed; and the key found inside must have that kid.
 * Intermediate copies of private keys are cleansed before they are freed.
 *
 * HS256 has no public key to take a thumbprint of: gh_jwk_hs_kid() gives
 * a secret a stable id that tells nothing about it, the base64url of the
 * first 16 bytes of HMAC-SHA256(secret, "gatehouse kid").  HMAC is a
 * pseudo-random function of its key, so the id neither reveals the
 * secret nor helps guess it (a guess is checked as cheaply against a
 * token's signature anyway), and two secrets get two ids.
 */
#ifndef GH_JWK_H
#define GH_JWK_H

#include <stddef.h>

#include <openssl/types.h>

#include "core/b64url.h"
#include "core/jwt.h"

struct json_object;

#define GH_JWK_KID_MAX		64	/* a thumbprint is 43 characters */
#define GH_JWK_KEK_LEN		32	/* AES-256 */
#define GH_JWK_RSA_MIN_BITS	2048
#define GH_JWK_RSA_MAX_BITS	8192
/* An 8192-bit RSA key's PKCS#8 PEM is about 6.4 kB. */
#define GH_JWK_PEM_MAX		8192
/* "v1." and the base64url of nonce, ciphertext and tag, and a NUL. */
#define GH_JWK_SEALED_MAX \
	(3 + GH_B64URL_ENCODED_LEN(12 + GH_JWK_PEM_MAX + 16) + 1)

struct gh_jwk;

/*
 * A new key for alg (GH_JWT_ES256, GH_JWT_EDDSA or GH_JWT_RS256); bits
 * is the RSA modulus size, 0 for GH_JWK_RSA_MIN_BITS, and must be 0 for
 * the others.  NULL on failure or for a size out of bounds.
 */
struct gh_jwk	*gh_jwk_generate(enum gh_jwt_alg, int bits);

/*
 * A key from pem[0..len): PKCS#8 ("PRIVATE KEY") for the private one,
 * SubjectPublicKeyInfo ("PUBLIC KEY") for the public one.  The algorithm
 * follows from the key: P-256 is ES256, Ed25519 EdDSA, RSA RS256.
 * NULL for anything else, an encrypted PEM, or trailing garbage.
 */
struct gh_jwk	*gh_jwk_load_private(const char *pem, size_t len);
struct gh_jwk	*gh_jwk_load_public(const char *pem, size_t len);

/*
 * Writes the key as PEM into out, NUL-terminated; returns its length,
 * or -1 (also when out is too small, or, for the private form, when the
 * key has no private part).
 */
long		 gh_jwk_save_private(const struct gh_jwk *, char *out,
		    size_t outsz);
long		 gh_jwk_save_public(const struct gh_jwk *, char *out,
		    size_t outsz);

void		 gh_jwk_free(struct gh_jwk *);

enum gh_jwt_alg	 gh_jwk_alg(const struct gh_jwk *);
/* The kid: the key's RFC 7638 thumbprint, NUL-terminated. */
const char	*gh_jwk_kid(const struct gh_jwk *);
int		 gh_jwk_has_private(const struct gh_jwk *);
/* For core/jws.c: the key to sign or verify with, owned by the jwk. */
EVP_PKEY	*gh_jwk_pkey(const struct gh_jwk *);

/*
 * Adds the public JWK members to obj: kty, kid, use ("sig"), alg and
 * crv, x, y (EC), crv, x (OKP) or n, e (RSA).  0, or -1 on failure
 * (obj may then hold some of them).
 */
int		 gh_jwk_public_json(const struct gh_jwk *, struct json_object *);

/*
 * The RFC 7638 canonical JSON of the key's required public members, in
 * lexicographic order and without whitespace, NUL-terminated in out;
 * its SHA-256, base64url-encoded, is the kid.  Length, or -1.
 */
long		 gh_jwk_canonical(const struct gh_jwk *, char *out,
		    size_t outsz);

/* The stable, revealing-nothing id of an HMAC secret (see above). */
int		 gh_jwk_hs_kid(const unsigned char *secret, size_t len,
		    char *out, size_t outsz);

/*
 * Seals the private key under kek (GH_JWK_KEK_LEN bytes) into out as
 * "v1." base64url(nonce || ciphertext || tag), NUL-terminated; returns
 * its length or -1.  out of GH_JWK_SEALED_MAX bytes always suffices.
 */
long		 gh_jwk_seal(const struct gh_jwk *, const unsigned char *kek,
		    size_t keklen, char *out, size_t outsz);

/*
 * Opens blob[0..len) sealed for kid under kek: the private key, or NULL
 * if the blob is not one of ours, was changed, was sealed under another
 * kek or for another kid, or holds a key whose kid is not kid.
 */
struct gh_jwk	*gh_jwk_unseal(const char *blob, size_t len, const char *kid,
		    const unsigned char *kek, size_t keklen);

#endif
