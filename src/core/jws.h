/*
 * jws: the signatures of RFC 7518 ES256, EdDSA (RFC 8037) and RS256 over
 * a JWS signing input, with the keys of core/jwk.h.  jwt.c builds and
 * reads tokens around them.
 *
 * Promises: signatures are in their JWS form, never in DER: ES256 is the
 * 64 bytes r || s, each 32 bytes big-endian (RFC 7518 3.4), EdDSA the 64
 * bytes of RFC 8032, RS256 exactly as many bytes as the modulus.  A
 * signature of any other length, a DER-encoded ECDSA signature among
 * them, is refused before any arithmetic.  A key verifies only the
 * algorithm it was made for.
 */
#ifndef GH_JWS_H
#define GH_JWS_H

#include <stddef.h>

#include "core/jwk.h"
#include "core/jwt.h"

/* The longest JWS signature: an RS256 one under the largest modulus. */
#define GH_JWS_SIG_MAX	(GH_JWK_RSA_MAX_BITS / 8)

/*
 * Signs in[0..inlen) with the private key k into sig (sigsz bytes); the
 * signature length, or -1.
 */
long	gh_jws_sign_bytes(const struct gh_jwk *k, const void *in,
	    size_t inlen, unsigned char *sig, size_t sigsz);

/*
 * Checks sig[0..siglen) over in[0..inlen) under k: GH_JWT_OK,
 * GH_JWT_BAD_SIGNATURE (also for a wrong length), or GH_JWT_INTERNAL.
 */
enum gh_jwt_result gh_jws_check_bytes(const struct gh_jwk *k, const void *in,
	    size_t inlen, const unsigned char *sig, size_t siglen);

#endif
