/*
 * jwk and jws: the RFC vectors (RFC 7638 3.1, RFC 8037 appendix A, RFC
 * 7515 A.2 and A.3), then what jwk.h promises of keys: the algorithms and
 * sizes made and loaded, PEM in and out, a public JWK without a private
 * member, the HMAC secret's id, and sealing.  The RFC keys are built here
 * with OpenSSL from their JWK members and handed over as PEM, so loading
 * is exercised on the way.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "core/b64url.h"
#include "core/jwk.h"
#include "core/jws.h"
#include "core/jwt.h"

/* RFC 7638 3.1 */
#define RFC7638_N \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1" \
	"RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n" \
	"9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZ" \
	"gnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6W" \
	"eZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqD" \
	"Kgw"
#define RFC7638_KID	"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

/* RFC 8037 A.1 to A.4 */
#define RFC8037_D	"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC8037_X	"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_KID	"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
#define RFC8037_INPUT \
	"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC8037_SIG \
	"hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt" \
	"9g7sVvpAr_MuM0KAg"

/* RFC 7515 A.2 and A.3: the same payload, signed RS256 and ES256. */
#define RFC7515_PAYLOAD \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" \
	"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
#define A2_N \
	"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw" \
	"-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b3269" \
	"0r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS" \
	"-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aG" \
	"hyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp" \
	"oQ"
#define A2_INPUT	"eyJhbGciOiJSUzI1NiJ9." RFC7515_PAYLOAD
#define A2_SIG \
	"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuH" \
	"Im4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdi" \
	"uB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN" \
	"9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2" \
	"w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77" \
	"Rw"
#define A3_X		"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define A3_Y		"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define A3_INPUT	"eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD
#define A3_SIG \
	"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQ" \
	"xfKTUJqPP3-Kg6NU1Q"

#define SECRET		"test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
/* base64url(HMAC-SHA256(SECRET, "gatehouse kid")[0..16)), by Python. */
#define SECRET_KID	"9_FCR0cQDTTUaxod6E7N8Q"

static const unsigned char kek[GH_JWK_KEK_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};

static size_t
unb64(const char *s, unsigned char *out, size_t outsz)
{
	long	 n;

	n = gh_b64url_decode(s, strlen(s), out, outsz);
	cr_assert_geq(n, 0, "base64url of %s", s);
	return (size_t)n;
}

/* pkey as PEM, loaded back as a gh_jwk; pkey is freed. */
static struct gh_jwk *
from_pkey(EVP_PKEY *pkey, int priv)
{
	struct gh_jwk	*k;
	BIO		*bio;
	char		*pem = NULL;
	long		 len;

	cr_assert_not_null(pkey);
	cr_assert_not_null(bio = BIO_new(BIO_s_mem()));
	if (priv)
		cr_assert(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
		    NULL, NULL));
	else
		cr_assert(PEM_write_bio_PUBKEY(bio, pkey));
	len = BIO_get_mem_data(bio, &pem);
	cr_assert_gt(len, 0);
	k = priv ? gh_jwk_load_private(pem, (size_t)len) :
	    gh_jwk_load_public(pem, (size_t)len);
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return k;
}

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY_CTX	*ctx;
	OSSL_PARAM	*params;
	EVP_PKEY	*pkey = NULL;

	cr_assert_not_null(params = OSSL_PARAM_BLD_to_param(bld));
	cr_assert_not_null(ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL));
	cr_assert_eq(EVP_PKEY_fromdata_init(ctx), 1);
	cr_assert_eq(EVP_PKEY_fromdata(ctx, &pkey, selection, params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* The RSA public key of the base64url members n and e. */
static struct gh_jwk *
rsa_public(const char *n64, const char *e64)
{
	OSSL_PARAM_BLD	*bld;
	unsigned char	 buf[512];
	BIGNUM		*n, *e;
	EVP_PKEY	*pkey;
	size_t		 len;

	len = unb64(n64, buf, sizeof(buf));
	cr_assert_not_null(n = BN_bin2bn(buf, (int)len, NULL));
	len = unb64(e64, buf, sizeof(buf));
	cr_assert_not_null(e = BN_bin2bn(buf, (int)len, NULL));
	cr_assert_not_null(bld = OSSL_PARAM_BLD_new());
	cr_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
	cr_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
	pkey = from_params("RSA", bld, EVP_PKEY_PUBLIC_KEY);
	BN_free(n);
	BN_free(e);
	return from_pkey(pkey, 0);
}

/* The P-256 public key of the base64url members x and y. */
static struct gh_jwk *
ec_public(const char *x64, const char *y64)
{
	OSSL_PARAM_BLD	*bld;
	unsigned char	 point[65];

	point[0] = 0x04;	/* uncompressed */
	cr_assert_eq(unb64(x64, point + 1, 32), 32);
	cr_assert_eq(unb64(y64, point + 33, 32), 32);
	cr_assert_not_null(bld = OSSL_PARAM_BLD_new());
	cr_assert(OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
	cr_assert(OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)));
	return from_pkey(from_params("EC", bld, EVP_PKEY_PUBLIC_KEY), 0);
}

static struct gh_jwk *
rfc8037_key(void)
{
	unsigned char	 d[32];

	cr_assert_eq(unb64(RFC8037_D, d, sizeof(d)), 32);
	return from_pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519,
	    NULL, d, sizeof(d)), 1);
}

/* Checks sig64 over input under k. */
static enum gh_jwt_result
check(const struct gh_jwk *k, const char *input, const char *sig64)
{
	unsigned char	 sig[GH_JWS_SIG_MAX];
	size_t		 len;

	len = unb64(sig64, sig, sizeof(sig));
	return gh_jws_check_bytes(k, input, strlen(input), sig, len);
}

static const char *
member(struct json_object *obj, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The RFCs */

Test(jwk, rfc7638_rsa_example_thumbprint)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = rsa_public(RFC7638_N, "AQAB"));
	cr_assert_eq(gh_jwk_alg(k), GH_JWT_RS256);
	cr_assert_str_eq(gh_jwk_kid(k), RFC7638_KID);
	cr_assert_not(gh_jwk_has_private(k));
	gh_jwk_free(k);
}

Test(jwk, rfc8037_ed25519_thumbprint)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = rfc8037_key());
	cr_assert_eq(gh_jwk_alg(k), GH_JWT_EDDSA);
	cr_assert(gh_jwk_has_private(k));
	cr_assert_str_eq(gh_jwk_kid(k), RFC8037_KID);
	gh_jwk_free(k);
}

Test(jwk, rfc8037_public_jwk)
{
	struct gh_jwk		*k;
	struct json_object	*obj;

	cr_assert_not_null(k = rfc8037_key());
	cr_assert_not_null(obj = json_object_new_object());
	cr_assert_eq(gh_jwk_public_json(k, obj), 0);
	cr_assert_str_eq(member(obj, "kty"), "OKP");
	cr_assert_str_eq(member(obj, "crv"), "Ed25519");
	cr_assert_str_eq(member(obj, "x"), RFC8037_X);
	cr_assert_str_eq(member(obj, "kid"), RFC8037_KID);
	cr_assert_str_eq(member(obj, "alg"), "EdDSA");
	cr_assert_str_eq(member(obj, "use"), "sig");
	cr_assert_null(member(obj, "d"));
	cr_assert_eq(json_object_object_length(obj), 6);
	json_object_put(obj);
	gh_jwk_free(k);
}

Test(jwk, rfc8037_signature_is_exact)
{
	struct gh_jwk	*k;
	unsigned char	 sig[GH_JWS_SIG_MAX];
	char		 enc[128];
	long		 n;

	cr_assert_not_null(k = rfc8037_key());
	n = gh_jws_sign_bytes(k, RFC8037_INPUT, strlen(RFC8037_INPUT), sig,
	    sizeof(sig));
	cr_assert_eq(n, 64);
	cr_assert_gt(gh_b64url_encode(sig, (size_t)n, enc, sizeof(enc)), 0);
	cr_assert_str_eq(enc, RFC8037_SIG);
	cr_assert_eq(check(k, RFC8037_INPUT, RFC8037_SIG), GH_JWT_OK);
	gh_jwk_free(k);
}

Test(jwk, rfc7515_a3_es256_example_verifies)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = ec_public(A3_X, A3_Y));
	cr_assert_eq(gh_jwk_alg(k), GH_JWT_ES256);
	cr_assert_eq(check(k, A3_INPUT, A3_SIG), GH_JWT_OK);
	/* One byte of the input changed: no longer. */
	cr_assert_eq(check(k, "eyJhbGciOiJFUzI1NiJ9.e30", A3_SIG),
	    GH_JWT_BAD_SIGNATURE);
	gh_jwk_free(k);
}

Test(jwk, rfc7515_a2_rs256_example_verifies)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = rsa_public(A2_N, "AQAB"));
	cr_assert_eq(check(k, A2_INPUT, A2_SIG), GH_JWT_OK);
	cr_assert_eq(check(k, A3_INPUT, A2_SIG), GH_JWT_BAD_SIGNATURE);
	gh_jwk_free(k);
}

/* Making and loading keys */

Test(jwk, generates_each_algorithm)
{
	static const enum gh_jwt_alg	 algs[] = {
		GH_JWT_ES256, GH_JWT_EDDSA, GH_JWT_RS256
	};
	struct gh_jwk			*k;
	size_t				 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		cr_assert_not_null(k = gh_jwk_generate(algs[i], 0));
		cr_assert_eq(gh_jwk_alg(k), algs[i]);
		cr_assert(gh_jwk_has_private(k));
		cr_assert_eq(strlen(gh_jwk_kid(k)), 43);
		gh_jwk_free(k);
	}
}

Test(jwk, rs256_below_2048_bits_is_refused)
{

	cr_assert_null(gh_jwk_generate(GH_JWT_RS256, 1024));
	cr_assert_null(gh_jwk_generate(GH_JWT_RS256, 2047));
	cr_assert_null(gh_jwk_generate(GH_JWT_RS256, -1));
}

Test(jwk, generate_refuses_hmac_and_sizes_for_curves)
{

	cr_assert_null(gh_jwk_generate(GH_JWT_HS256, 0));
	cr_assert_null(gh_jwk_generate(GH_JWT_ES256, 384));
	cr_assert_null(gh_jwk_generate(GH_JWT_EDDSA, 2048));
}

/* k saved as PEM of the given framing and loaded back, same kid. */
static struct gh_jwk *
reload(const struct gh_jwk *k, int priv)
{
	struct gh_jwk	*back;
	char		 pem[GH_JWK_PEM_MAX];
	const char	*begin;
	long		 n;

	begin = priv ? "-----BEGIN PRIVATE KEY-----\n" :
	    "-----BEGIN PUBLIC KEY-----\n";
	n = priv ? gh_jwk_save_private(k, pem, sizeof(pem)) :
	    gh_jwk_save_public(k, pem, sizeof(pem));
	cr_assert_gt(n, 0);
	cr_assert(strncmp(pem, begin, strlen(begin)) == 0);
	back = priv ? gh_jwk_load_private(pem, (size_t)n) :
	    gh_jwk_load_public(pem, (size_t)n);
	cr_assert_not_null(back);
	cr_assert_eq(gh_jwk_has_private(back), priv);
	cr_assert_str_eq(gh_jwk_kid(back), gh_jwk_kid(k));
	return back;
}

Test(jwk, pem_round_trip)
{
	struct gh_jwk	*k, *priv, *pub;
	char		 pem[GH_JWK_PEM_MAX];

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_ES256, 0));
	priv = reload(k, 1);
	pub = reload(k, 0);
	/* A public key has no private form to give. */
	cr_assert_eq(gh_jwk_save_private(pub, pem, sizeof(pem)), -1);
	gh_jwk_free(k);
	gh_jwk_free(priv);
	gh_jwk_free(pub);
}

Test(jwk, save_refuses_a_small_buffer)
{
	struct gh_jwk	*k;
	char		 pem[64];

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_EDDSA, 0));
	cr_assert_eq(gh_jwk_save_private(k, pem, sizeof(pem)), -1);
	cr_assert_str_eq(pem, "");
	cr_assert_eq(gh_jwk_save_public(k, pem, 10), -1);
	gh_jwk_free(k);
}

Test(jwk, load_refuses_trailing_garbage)
{
	struct gh_jwk	*k, *back;
	char		 pem[GH_JWK_PEM_MAX];
	long		 n;

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_EDDSA, 0));
	n = gh_jwk_save_public(k, pem, sizeof(pem) - 8);
	cr_assert_gt(n, 0);
	/* White space after the PEM is fine. */
	memcpy(pem + n, "\n \r\n", 4);
	cr_assert_not_null(back = gh_jwk_load_public(pem, (size_t)n + 4));
	gh_jwk_free(back);
	memcpy(pem + n, "junk", 4);
	cr_assert_null(gh_jwk_load_public(pem, (size_t)n + 4));
	gh_jwk_free(k);
}

Test(jwk, load_refuses_the_wrong_framing)
{
	struct gh_jwk	*k;
	char		 pem[GH_JWK_PEM_MAX];
	long		 n;

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_ES256, 0));
	n = gh_jwk_save_public(k, pem, sizeof(pem));
	cr_assert_gt(n, 0);
	cr_assert_null(gh_jwk_load_private(pem, (size_t)n));
	n = gh_jwk_save_private(k, pem, sizeof(pem));
	cr_assert_gt(n, 0);
	cr_assert_null(gh_jwk_load_public(pem, (size_t)n));
	cr_assert_null(gh_jwk_load_private(pem + 1, (size_t)n - 1));
	cr_assert_null(gh_jwk_load_private(pem, 0));
	cr_assert_null(gh_jwk_load_private(NULL, 10));
	gh_jwk_free(k);
}

Test(jwk, load_refuses_other_curves_and_small_rsa)
{

	cr_assert_null(from_pkey(EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-384"), 1));
	cr_assert_null(from_pkey(EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)1024), 0));
	cr_assert_null(from_pkey(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"), 1));
}

/* Public JWKs */

static void
assert_public_only(enum gh_jwt_alg alg, const char *const *want, size_t nwant)
{
	static const char *const private_members[] = {
		"d", "p", "q", "dp", "dq", "qi", "k", "oth"
	};
	struct gh_jwk		*k;
	struct json_object	*obj;
	size_t			 i;

	cr_assert_not_null(k = gh_jwk_generate(alg, 0));
	cr_assert_not_null(obj = json_object_new_object());
	cr_assert_eq(gh_jwk_public_json(k, obj), 0);
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
	    i++)
		cr_assert_null(member(obj, private_members[i]), "%s: %s",
		    gh_jwt_alg_name(alg), private_members[i]);
	for (i = 0; i < nwant; i++)
		cr_assert_not_null(member(obj, want[i]), "%s", want[i]);
	cr_assert_eq((size_t)json_object_object_length(obj), nwant);
	cr_assert_str_eq(member(obj, "kid"), gh_jwk_kid(k));
	cr_assert_str_eq(member(obj, "alg"), gh_jwt_alg_name(alg));
	cr_assert_str_eq(member(obj, "use"), "sig");
	json_object_put(obj);
	gh_jwk_free(k);
}

Test(jwk, es256_public_jwk_has_no_private_member)
{
	static const char *const want[] = {
		"kty", "kid", "use", "alg", "crv", "x", "y"
	};

	assert_public_only(GH_JWT_ES256, want, sizeof(want) / sizeof(want[0]));
}

Test(jwk, eddsa_public_jwk_has_no_private_member)
{
	static const char *const want[] = {
		"kty", "kid", "use", "alg", "crv", "x"
	};

	assert_public_only(GH_JWT_EDDSA, want, sizeof(want) / sizeof(want[0]));
}

Test(jwk, rs256_public_jwk_has_no_private_member)
{
	static const char *const want[] = {
		"kty", "kid", "use", "alg", "n", "e"
	};

	assert_public_only(GH_JWT_RS256, want, sizeof(want) / sizeof(want[0]));
}

Test(jwk, es256_canonical_form_hashes_to_the_kid)
{
	struct gh_jwk	*k;
	char		 canon[256], kid[64];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	long		 n;

	cr_assert_not_null(k = ec_public(A3_X, A3_Y));
	n = gh_jwk_canonical(k, canon, sizeof(canon));
	cr_assert_str_eq(canon, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\""
	    A3_X "\",\"y\":\"" A3_Y "\"}");
	cr_assert(EVP_Digest(canon, (size_t)n, md, &mdlen, EVP_sha256(),
	    NULL));
	cr_assert_gt(gh_b64url_encode(md, mdlen, kid, sizeof(kid)), 0);
	cr_assert_str_eq(gh_jwk_kid(k), kid);
	gh_jwk_free(k);
}

/* The HMAC secret's id */

Test(jwk, hs_kid_is_stable_and_known)
{
	char	 a[GH_JWK_KID_MAX + 1], b[GH_JWK_KID_MAX + 1];

	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET), a, sizeof(a)), 0);
	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET), b, sizeof(b)), 0);
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, SECRET_KID);
}

Test(jwk, hs_kid_differs_by_secret_and_refuses_none)
{
	char	 a[GH_JWK_KID_MAX + 1], b[GH_JWK_KID_MAX + 1];

	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET), a, sizeof(a)), 0);
	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET) - 1, b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET, 0, a,
	    sizeof(a)), -1);
	cr_assert_eq(gh_jwk_hs_kid(NULL, 5, a, sizeof(a)), -1);
}

/* Sealing */

static struct gh_jwk *
sealed(enum gh_jwt_alg alg, char *blob, size_t blobsz, long *len)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = gh_jwk_generate(alg, 0));
	*len = gh_jwk_seal(k, kek, sizeof(kek), blob, blobsz);
	cr_assert_gt(*len, 3);
	cr_assert_eq(strlen(blob), (size_t)*len);
	cr_assert(strncmp(blob, "v1.", 3) == 0);
	return k;
}

Test(jwk, seal_round_trip)
{
	static const enum gh_jwt_alg	 algs[] = {
		GH_JWT_ES256, GH_JWT_EDDSA, GH_JWT_RS256
	};
	struct gh_jwk			*k, *back;
	char				 blob[GH_JWK_SEALED_MAX];
	unsigned char			 sig[GH_JWS_SIG_MAX];
	long				 len, n;
	size_t				 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		k = sealed(algs[i], blob, sizeof(blob), &len);
		back = gh_jwk_unseal(blob, (size_t)len, gh_jwk_kid(k), kek,
		    sizeof(kek));
		cr_assert_not_null(back);
		cr_assert(gh_jwk_has_private(back));
		cr_assert_str_eq(gh_jwk_kid(back), gh_jwk_kid(k));
		/* It signs what the original verifies. */
		n = gh_jws_sign_bytes(back, "abc", 3, sig, sizeof(sig));
		cr_assert_gt(n, 0);
		cr_assert_eq(gh_jws_check_bytes(k, "abc", 3, sig, (size_t)n),
		    GH_JWT_OK);
		gh_jwk_free(back);
		gh_jwk_free(k);
	}
}

Test(jwk, seal_uses_a_fresh_nonce)
{
	struct gh_jwk	*k;
	char		 a[GH_JWK_SEALED_MAX], b[GH_JWK_SEALED_MAX];
	long		 len;

	k = sealed(GH_JWT_EDDSA, a, sizeof(a), &len);
	cr_assert_eq(gh_jwk_seal(k, kek, sizeof(kek), b, sizeof(b)), len);
	cr_assert_str_neq(a, b);
	gh_jwk_free(k);
}

Test(jwk, unseal_refuses_a_flipped_byte)
{
	struct gh_jwk	*k;
	char		 blob[GH_JWK_SEALED_MAX];
	long		 len, i;

	k = sealed(GH_JWT_ES256, blob, sizeof(blob), &len);
	/* Each part: nonce, ciphertext, tag. */
	for (i = 3; i < len; i += 7) {
		char	 was = blob[i];

		blob[i] = was == 'A' ? 'B' : 'A';
		cr_assert_null(gh_jwk_unseal(blob, (size_t)len, gh_jwk_kid(k),
		    kek, sizeof(kek)), "byte %ld", i);
		blob[i] = was;
	}
	cr_assert_null(gh_jwk_unseal(blob, (size_t)len - 1, gh_jwk_kid(k),
	    kek, sizeof(kek)));
	gh_jwk_free(k);
}

Test(jwk, unseal_refuses_another_kid)
{
	struct gh_jwk	*k, *other;
	char		 blob[GH_JWK_SEALED_MAX];
	long		 len;

	k = sealed(GH_JWT_ES256, blob, sizeof(blob), &len);
	cr_assert_not_null(other = gh_jwk_generate(GH_JWT_ES256, 0));
	cr_assert_null(gh_jwk_unseal(blob, (size_t)len, gh_jwk_kid(other), kek,
	    sizeof(kek)));
	cr_assert_null(gh_jwk_unseal(blob, (size_t)len, "", kek, sizeof(kek)));
	gh_jwk_free(other);
	gh_jwk_free(k);
}

Test(jwk, unseal_refuses_a_wrong_kek)
{
	struct gh_jwk	*k;
	char		 blob[GH_JWK_SEALED_MAX];
	unsigned char	 wrong[GH_JWK_KEK_LEN];
	long		 len;

	k = sealed(GH_JWT_EDDSA, blob, sizeof(blob), &len);
	memcpy(wrong, kek, sizeof(wrong));
	wrong[31] ^= 1;
	cr_assert_null(gh_jwk_unseal(blob, (size_t)len, gh_jwk_kid(k), wrong,
	    sizeof(wrong)));
	cr_assert_null(gh_jwk_unseal(blob, (size_t)len, gh_jwk_kid(k), kek,
	    16));
	gh_jwk_free(k);
}

Test(jwk, unseal_refuses_what_is_not_a_blob)
{
	static const char *const bad[] = {
		"", "v1.", "v1.AAAA",
		"v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"-----BEGIN PRIVATE KEY-----",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(gh_jwk_unseal(bad[i], strlen(bad[i]), "kid", kek,
		    sizeof(kek)), "%s", bad[i]);
}

Test(jwk, seal_refuses_a_public_key_and_a_short_kek)
{
	struct gh_jwk	*k, *pub;
	char		 blob[GH_JWK_SEALED_MAX], pem[GH_JWK_PEM_MAX];
	long		 n;

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_ES256, 0));
	cr_assert_eq(gh_jwk_seal(k, kek, 16, blob, sizeof(blob)), -1);
	n = gh_jwk_save_public(k, pem, sizeof(pem));
	cr_assert_not_null(pub = gh_jwk_load_public(pem, (size_t)n));
	cr_assert_eq(gh_jwk_seal(pub, kek, sizeof(kek), blob, sizeof(blob)),
	    -1);
	cr_assert_str_eq(blob, "");
	gh_jwk_free(pub);
	gh_jwk_free(k);
}
