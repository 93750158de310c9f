/*
 * jws: ES256, EdDSA and RS256 signatures with EVP_DigestSign and
 * EVP_DigestVerify.  See jws.h for the promises.
 *
 * OpenSSL speaks DER for ECDSA, JWS the fixed-width r || s: the two are
 * converted here, through ECDSA_SIG, and nowhere else.  Ed25519 hashes
 * internally, so its context takes no digest and the one-shot calls.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/jwk.h"
#include "core/jws.h"
#include "core/jwt.h"

#define ES256_HALF	32
#define ES256_LEN	(2 * ES256_HALF)
#define EDDSA_LEN	64
/* A DER ECDSA-Sig-Value of two 33-byte integers, and a little slack. */
#define DER_MAX		80

/* The digest alg signs with; NULL for EdDSA, which takes none. */
static const EVP_MD *
digest_of(enum gh_jwt_alg alg)
{

	return alg == GH_JWT_EDDSA ? NULL : EVP_sha256();
}

static int
supported(const struct gh_jwk *k)
{
	enum gh_jwt_alg	 alg;

	if (k == NULL)
		return 0;
	alg = gh_jwk_alg(k);
	return alg == GH_JWT_ES256 || alg == GH_JWT_EDDSA ||
	    alg == GH_JWT_RS256;
}

/* The JWS length of k's signatures. */
static size_t
sig_len(const struct gh_jwk *k)
{

	switch (gh_jwk_alg(k)) {
	case GH_JWT_ES256:
		return ES256_LEN;
	case GH_JWT_EDDSA:
		return EDDSA_LEN;
	default:
		return (size_t)EVP_PKEY_get_size(gh_jwk_pkey(k));
	}
}

/* DER ECDSA-Sig-Value to r || s; 0 or -1. */
static int
der_to_jws(const unsigned char *der, size_t derlen, unsigned char *out)
{
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;
	const unsigned char	*p = der;
	int			 rc = -1;

	if (derlen > DER_MAX)
		return -1;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, out, ES256_HALF) == ES256_HALF &&
	    BN_bn2binpad(s, out + ES256_HALF, ES256_HALF) == ES256_HALF)
		rc = 0;
	ECDSA_SIG_free(es);
	return rc;
}

/* r || s to DER; the DER length, or -1. */
static long
jws_to_der(const unsigned char *in, unsigned char *der, size_t dersz)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*p = der;
	int		 n;

	r = BN_bin2bn(in, ES256_HALF, NULL);
	s = BN_bin2bn(in + ES256_HALF, ES256_HALF, NULL);
	if (r == NULL || s == NULL || (es = ECDSA_SIG_new()) == NULL) {
		BN_free(r);
		BN_free(s);
		return -1;
	}
	/* es owns r and s from here. */
	if (!ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > dersz || i2d_ECDSA_SIG(es, &p) != n)
		n = -1;
	ECDSA_SIG_free(es);
	return n;
}

long
gh_jws_sign_bytes(const struct gh_jwk *k, const void *in, size_t inlen,
    unsigned char *sig, size_t sigsz)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 der[DER_MAX];
	unsigned char	*buf;
	size_t		 len, want;
	long		 rc = -1;

	if (!supported(k) || !gh_jwk_has_private(k) || in == NULL ||
	    sig == NULL || (want = sig_len(k)) == 0 || sigsz < want)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, NULL, digest_of(gh_jwk_alg(k)), NULL,
	    gh_jwk_pkey(k)) != 1)
		goto out;
	/* ECDSA comes out as DER, to be converted; the others as they are. */
	buf = gh_jwk_alg(k) == GH_JWT_ES256 ? der : sig;
	len = gh_jwk_alg(k) == GH_JWT_ES256 ? sizeof(der) : sigsz;
	if (EVP_DigestSign(ctx, buf, &len, in, inlen) != 1)
		goto out;
	if (gh_jwk_alg(k) == GH_JWT_ES256) {
		if (der_to_jws(der, len, sig) == -1)
			goto out;
		len = ES256_LEN;
	}
	if (len != want)
		goto out;
	rc = (long)len;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

enum gh_jwt_result
gh_jws_check_bytes(const struct gh_jwk *k, const void *in, size_t inlen,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX		*ctx;
	unsigned char		 der[DER_MAX];
	const unsigned char	*buf = sig;
	size_t			 len = siglen;
	long			 n;
	enum gh_jwt_result	 rc = GH_JWT_INTERNAL;

	if (!supported(k) || in == NULL)
		return GH_JWT_INTERNAL;
	/* The exact JWS length, or it is not a signature of ours. */
	if (sig == NULL || siglen != sig_len(k))
		return GH_JWT_BAD_SIGNATURE;
	if (gh_jwk_alg(k) == GH_JWT_ES256) {
		if ((n = jws_to_der(sig, der, sizeof(der))) < 0)
			return GH_JWT_INTERNAL;
		buf = der;
		len = (size_t)n;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return GH_JWT_INTERNAL;
	if (EVP_DigestVerifyInit(ctx, NULL, digest_of(gh_jwk_alg(k)), NULL,
	    gh_jwk_pkey(k)) != 1)
		goto out;
	/* 1 is a match; 0 a mismatch; below 0 a malformed signature. */
	rc = EVP_DigestVerify(ctx, buf, len, in, inlen) == 1 ?
	    GH_JWT_OK : GH_JWT_BAD_SIGNATURE;
out:
	EVP_MD_CTX_free(ctx);
	/* A client's bad signature leaves nothing for the next report. */
	if (rc != GH_JWT_OK)
		ERR_clear_error();
	return rc;
}
