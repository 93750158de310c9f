/*
 * jwk: asymmetric signing keys, their thumbprints, public JWKs and
 * sealing.  See jwk.h for the promises.
 *
 * Everything goes through OpenSSL 3's EVP_PKEY and its parameter
 * getters: no RSA_ or EC_KEY_ call, so a provider (a FIPS one, an HSM)
 * could stand behind the same code.  PEM is read and written by
 * OpenSSL; we only insist on the PKCS#8 and SPKI framings and on nothing
 * around them, and never let OpenSSL prompt for a passphrase.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/b64url.h"
#include "core/json.h"
#include "core/jwk.h"
#include "core/jwt.h"
#include "core/random.h"

#define PRIV_PEM	"-----BEGIN PRIVATE KEY-----"
#define PUB_PEM		"-----BEGIN PUBLIC KEY-----"
#define SEAL_PREFIX	"v1."
#define NONCE_LEN	12
#define TAG_LEN		16
#define SEALED_RAW_MAX	(NONCE_LEN + GH_JWK_PEM_MAX + TAG_LEN)
/* The longest base64url member: an RSA modulus of the largest size. */
#define MEMBER_MAX	(GH_B64URL_ENCODED_LEN(GH_JWK_RSA_MAX_BITS / 8) + 1)
#define EC_COORD_LEN	32
#define ED25519_LEN	32

struct gh_jwk {
	enum gh_jwt_alg	 alg;
	EVP_PKEY	*pkey;
	int		 priv;
	char		 kid[GH_JWK_KID_MAX + 1];
};

/* The required public members of a key (RFC 7638 3.2), encoded. */
struct members {
	const char	*kty;
	const char	*crv;		/* NULL for RSA */
	char		 a[MEMBER_MAX];	/* x, or n */
	char		 b[MEMBER_MAX];	/* y, or e; "" for OKP */
};

/* Whatever OpenSSL asks a passphrase for, there is none: refuse. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{

	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Which of our algorithms pkey is for, or -1 if it is none of them. */
static int
classify(EVP_PKEY *pkey, enum gh_jwt_alg *alg)
{
	char	 group[64];
	size_t	 glen = 0;
	int	 bits;

	if (EVP_PKEY_is_a(pkey, "EC")) {
		/* Named curves only: explicit parameters have no group name. */
		if (!EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen))
			return -1;
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "P-256") != 0)
			return -1;
		*alg = GH_JWT_ES256;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*alg = GH_JWT_EDDSA;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < GH_JWK_RSA_MIN_BITS || bits > GH_JWK_RSA_MAX_BITS)
			return -1;
		*alg = GH_JWT_RS256;
		return 0;
	}
	return -1;
}

/* Encodes the big number param of pkey, padded to pad bytes if pad > 0. */
static int
bn_member(EVP_PKEY *pkey, const char *param, int pad, char *out,
    size_t outsz)
{
	unsigned char	 buf[GH_JWK_RSA_MAX_BITS / 8];
	BIGNUM		*bn = NULL;
	int		 n, rc = -1;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		return -1;
	if (pad > 0)
		n = BN_bn2binpad(bn, buf, pad);
	else if (BN_num_bytes(bn) > (int)sizeof(buf))
		n = -1;
	else
		n = BN_bn2bin(bn, buf);
	if (n <= 0)
		goto out;
	if (gh_b64url_encode(buf, (size_t)n, out, outsz) < 0)
		goto out;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

static int
get_members(const struct gh_jwk *k, struct members *m)
{
	unsigned char	 raw[ED25519_LEN];
	size_t		 len = sizeof(raw);

	memset(m, 0, sizeof(*m));
	switch (k->alg) {
	case GH_JWT_ES256:
		m->kty = "EC";
		m->crv = "P-256";
		if (bn_member(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, EC_COORD_LEN,
		    m->a, sizeof(m->a)) == -1 ||
		    bn_member(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, EC_COORD_LEN,
		    m->b, sizeof(m->b)) == -1)
			return -1;
		return 0;
	case GH_JWT_EDDSA:
		m->kty = "OKP";
		m->crv = "Ed25519";
		if (!EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) ||
		    len != ED25519_LEN)
			return -1;
		return gh_b64url_encode(raw, len, m->a, sizeof(m->a)) < 0 ?
		    -1 : 0;
	case GH_JWT_RS256:
		m->kty = "RSA";
		if (bn_member(k->pkey, OSSL_PKEY_PARAM_RSA_N, 0, m->a,
		    sizeof(m->a)) == -1 ||
		    bn_member(k->pkey, OSSL_PKEY_PARAM_RSA_E, 0, m->b,
		    sizeof(m->b)) == -1)
			return -1;
		return 0;
	default:
		return -1;
	}
}

long
gh_jwk_canonical(const struct gh_jwk *k, char *out, size_t outsz)
{
	struct members	 m;
	int		 n;

	if (k == NULL || out == NULL || outsz == 0 || get_members(k, &m) == -1)
		return -1;
	/* RFC 7638 3.3: required members only, sorted, no whitespace. */
	switch (k->alg) {
	case GH_JWT_ES256:
		n = snprintf(out, outsz,
		    "{\"crv\":\"%s\",\"kty\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}",
		    m.crv, m.kty, m.a, m.b);
		break;
	case GH_JWT_EDDSA:
		n = snprintf(out, outsz, "{\"crv\":\"%s\",\"kty\":\"%s\","
		    "\"x\":\"%s\"}", m.crv, m.kty, m.a);
		break;
	default:
		n = snprintf(out, outsz, "{\"e\":\"%s\",\"kty\":\"%s\","
		    "\"n\":\"%s\"}", m.b, m.kty, m.a);
		break;
	}
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return -1;
	}
	return n;
}

static int
set_kid(struct gh_jwk *k)
{
	char		 canon[2 * MEMBER_MAX + 64];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	long		 n;

	if ((n = gh_jwk_canonical(k, canon, sizeof(canon))) < 0)
		return -1;
	if (!EVP_Digest(canon, (size_t)n, md, &mdlen, EVP_sha256(), NULL))
		return -1;
	return gh_b64url_encode(md, mdlen, k->kid, sizeof(k->kid)) < 0 ?
	    -1 : 0;
}

/* Takes pkey: it is freed on failure. */
static struct gh_jwk *
wrap(EVP_PKEY *pkey, int priv)
{
	struct gh_jwk	*k;

	if (pkey == NULL)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	k->priv = priv;
	if (classify(pkey, &k->alg) == -1 || set_kid(k) == -1) {
		gh_jwk_free(k);
		return NULL;
	}
	return k;
}

struct gh_jwk *
gh_jwk_generate(enum gh_jwt_alg alg, int bits)
{
	EVP_PKEY	*pkey;

	switch (alg) {
	case GH_JWT_ES256:
		if (bits != 0)
			return NULL;
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case GH_JWT_EDDSA:
		if (bits != 0)
			return NULL;
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case GH_JWT_RS256:
		if (bits == 0)
			bits = GH_JWK_RSA_MIN_BITS;
		if (bits < GH_JWK_RSA_MIN_BITS || bits > GH_JWK_RSA_MAX_BITS)
			return NULL;
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	default:
		return NULL;
	}
	return wrap(pkey, 1);
}

/* Is s[0..len) only white space? */
static int
blank(const char *s, long len)
{
	long	 i;

	for (i = 0; i < len; i++)
		if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/*
 * Reads one PEM object of the framing begin from pem[0..len), with
 * nothing but white space after it.
 */
static struct gh_jwk *
load(const char *pem, size_t len, const char *begin, int priv)
{
	BIO		*bio;
	EVP_PKEY	*pkey;
	char		*rest = NULL;
	long		 restlen;

	if (pem == NULL || len > GH_JWK_PEM_MAX || len < strlen(begin) ||
	    memcmp(pem, begin, strlen(begin)) != 0)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	if (priv)
		pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase,
		    NULL, NULL, NULL);
	else
		pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, no_passphrase, NULL,
		    NULL, NULL);
	restlen = BIO_get_mem_data(bio, &rest);
	if (pkey != NULL && (restlen < 0 || !blank(rest, restlen))) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	BIO_free(bio);
	/* Bad input is an answer, not an error to report later. */
	if (pkey == NULL)
		ERR_clear_error();
	return wrap(pkey, priv);
}

struct gh_jwk *
gh_jwk_load_private(const char *pem, size_t len)
{

	return load(pem, len, PRIV_PEM, 1);
}

struct gh_jwk *
gh_jwk_load_public(const char *pem, size_t len)
{

	return load(pem, len, PUB_PEM, 0);
}

/* Copies what bio holds into out, NUL-terminated. */
static long
drain(BIO *bio, char *out, size_t outsz)
{
	char	*p = NULL;
	long	 n;

	n = BIO_get_mem_data(bio, &p);
	if (n <= 0 || p == NULL || (size_t)n >= outsz)
		return -1;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return n;
}

/*
 * Writes k's private (PKCS#8) or public (SPKI) PEM into out.  A private
 * key goes through the secure heap's memory BIO, cleansed when freed.
 */
static long
save(const struct gh_jwk *k, int priv, char *out, size_t outsz)
{
	BIO	*bio;
	long	 n = -1;
	int	 ok;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (k == NULL || (priv && !k->priv))
		return -1;
	if ((bio = BIO_new(priv ? BIO_s_secmem() : BIO_s_mem())) == NULL)
		return -1;
	/* OpenSSL 3 writes PKCS#8 ("PRIVATE KEY") for every key type. */
	ok = priv ? PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0,
	    NULL, NULL) : PEM_write_bio_PUBKEY(bio, k->pkey);
	if (ok)
		n = drain(bio, out, outsz);
	BIO_free(bio);
	if (n < 0)
		OPENSSL_cleanse(out, outsz);
	return n;
}

long
gh_jwk_save_private(const struct gh_jwk *k, char *out, size_t outsz)
{

	return save(k, 1, out, outsz);
}

long
gh_jwk_save_public(const struct gh_jwk *k, char *out, size_t outsz)
{

	return save(k, 0, out, outsz);
}

void
gh_jwk_free(struct gh_jwk *k)
{

	if (k == NULL)
		return;
	/* EVP_PKEY_free() clears the key material itself. */
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

enum gh_jwt_alg
gh_jwk_alg(const struct gh_jwk *k)
{

	return k->alg;
}

const char *
gh_jwk_kid(const struct gh_jwk *k)
{

	return k->kid;
}

int
gh_jwk_has_private(const struct gh_jwk *k)
{

	return k->priv;
}

EVP_PKEY *
gh_jwk_pkey(const struct gh_jwk *k)
{

	return k->pkey;
}

int
gh_jwk_public_json(const struct gh_jwk *k, struct json_object *obj)
{
	struct members	 m;

	if (k == NULL || obj == NULL || get_members(k, &m) == -1)
		return -1;
	if (gh_json_add_string(obj, "kty", m.kty) == -1 ||
	    gh_json_add_string(obj, "kid", k->kid) == -1 ||
	    gh_json_add_string(obj, "use", "sig") == -1 ||
	    gh_json_add_string(obj, "alg", gh_jwt_alg_name(k->alg)) == -1)
		return -1;
	if (k->alg == GH_JWT_RS256)
		return gh_json_add_string(obj, "n", m.a) == -1 ||
		    gh_json_add_string(obj, "e", m.b) == -1 ? -1 : 0;
	if (gh_json_add_string(obj, "crv", m.crv) == -1 ||
	    gh_json_add_string(obj, "x", m.a) == -1)
		return -1;
	if (k->alg == GH_JWT_ES256)
		return gh_json_add_string(obj, "y", m.b);
	return 0;
}

int
gh_jwk_hs_kid(const unsigned char *secret, size_t len, char *out,
    size_t outsz)
{
	static const char	 label[] = "gatehouse kid";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	size_t			 mdlen = 0;
	int			 rc = -1;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (secret == NULL || len == 0)
		return -1;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, len,
	    (const unsigned char *)label, sizeof(label) - 1, md, sizeof(md),
	    &mdlen) == NULL || mdlen < 16)
		goto out;
	if (gh_b64url_encode(md, 16, out, outsz) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/*
 * AES-256-GCM of in[0..inlen) under kek and nonce, with aad, into out
 * (inlen bytes) and tag; enc selects the direction.  On decryption tag
 * is checked by OpenSSL, in constant time.  0, or -1.
 */
static int
gcm(int enc, const unsigned char *kek, const unsigned char *nonce,
    const char *aad, const unsigned char *in, size_t inlen,
    unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, rc = -1;
	size_t		 aadlen = strlen(aad);

	if (inlen > INT_MAX || aadlen > INT_MAX)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (!EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, kek, nonce, enc))
		goto out;
	if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN,
	    tag))
		goto out;
	if (!EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)aadlen) ||
	    !EVP_CipherUpdate(ctx, out, &n, in, (int)inlen) ||
	    (size_t)n != inlen)
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + n, &n) || n != 0)
		goto out;
	if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN,
	    tag))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

long
gh_jwk_seal(const struct gh_jwk *k, const unsigned char *kek, size_t keklen,
    char *out, size_t outsz)
{
	char		 pem[GH_JWK_PEM_MAX + 1];
	unsigned char	 raw[SEALED_RAW_MAX];
	long		 n, rc = -1;
	size_t		 pemlen;

	if (out == NULL || outsz <= strlen(SEAL_PREFIX))
		return -1;
	out[0] = '\0';
	if (k == NULL || kek == NULL || keklen != GH_JWK_KEK_LEN)
		return -1;
	if ((n = gh_jwk_save_private(k, pem, sizeof(pem))) < 0)
		goto out;
	pemlen = (size_t)n;
	if (gh_random_bytes(raw, NONCE_LEN) == -1)
		goto out;
	if (gcm(1, kek, raw, k->kid, (const unsigned char *)pem, pemlen,
	    raw + NONCE_LEN, raw + NONCE_LEN + pemlen) == -1)
		goto out;
	memcpy(out, SEAL_PREFIX, strlen(SEAL_PREFIX));
	n = gh_b64url_encode(raw, NONCE_LEN + pemlen + TAG_LEN,
	    out + strlen(SEAL_PREFIX), outsz - strlen(SEAL_PREFIX));
	if (n < 0)
		goto out;
	rc = (long)strlen(SEAL_PREFIX) + n;
out:
	OPENSSL_cleanse(pem, sizeof(pem));
	OPENSSL_cleanse(raw, sizeof(raw));
	if (rc < 0)
		out[0] = '\0';
	return rc;
}

struct gh_jwk *
gh_jwk_unseal(const char *blob, size_t len, const char *kid,
    const unsigned char *kek, size_t keklen)
{
	unsigned char	 raw[SEALED_RAW_MAX];
	unsigned char	 pem[GH_JWK_PEM_MAX];
	struct gh_jwk	*k = NULL;
	size_t		 plen = strlen(SEAL_PREFIX), ctlen;
	long		 n;

	if (blob == NULL || kid == NULL || kek == NULL ||
	    keklen != GH_JWK_KEK_LEN || len <= plen ||
	    memcmp(blob, SEAL_PREFIX, plen) != 0)
		return NULL;
	n = gh_b64url_decode(blob + plen, len - plen, raw, sizeof(raw));
	if (n < NONCE_LEN + TAG_LEN + 1)
		goto out;
	ctlen = (size_t)n - NONCE_LEN - TAG_LEN;
	if (gcm(0, kek, raw, kid, raw + NONCE_LEN, ctlen, pem,
	    raw + NONCE_LEN + ctlen) == -1)
		goto out;
	if ((k = gh_jwk_load_private((const char *)pem, ctlen)) == NULL)
		goto out;
	/* Sealed for kid, so it must be kid's key: not any key at all. */
	if (strcmp(k->kid, kid) != 0) {
		gh_jwk_free(k);
		k = NULL;
	}
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(pem, sizeof(pem));
	if (k == NULL)
		ERR_clear_error();
	return k;
}
