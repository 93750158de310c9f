/*
 * jwt: RFC 7515 A.1 for the JWS layer, then one test per way a token can
 * be wrong.  Tokens with arbitrary payloads are signed here by hand with
 * OpenSSL, so each claim check is reached past a valid signature: a test
 * that failed at the signature would prove nothing about the claim.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include "core/b64url.h"
#include "core/json.h"
#include "core/jwk.h"
#include "core/jws.h"
#include "core/jwt.h"

#define NOW	INT64_C(1700000000)
#define SECRET	"test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
#define ISSUER	"gatehouse"
#define SUB	"0b7e5c3a-1f2d-4e6b-9a8c-7d6e5f4a3b2c"
#define SID	"5f0c2d7e-8a1b-4c3d-b2e1-0f9e8d7c6b5a"
#define JTI	"c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"

#define HDR256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* Payload members, to assemble a payload missing or changing one. */
#define P_ISS	"\"iss\":\"" ISSUER "\""
#define P_SUB	"\"sub\":\"" SUB "\""
#define P_USER	"\"username\":\"alice\""
#define P_ROLES	"\"roles\":[\"admin\",\"user\"]"
#define P_TYPE	"\"type\":\"access\""
#define P_SID	"\"sid\":\"" SID "\""
#define P_IAT	"\"iat\":1699999990"
#define P_EXP	"\"exp\":1700000900"
#define P_JTI	"\"jti\":\"" JTI "\""

#define GOOD_PAYLOAD \
	"{" P_ISS "," P_SUB "," P_USER "," P_ROLES "," P_TYPE "," P_SID "," \
	P_IAT "," P_EXP "," P_JTI "}"

/* RFC 7515 appendix A.1. */
#define RFC_K \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4" \
	"hcgUuTwjAzZr1Z9CAow"
#define RFC_TOKEN \
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" \
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" \
	"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ" \
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_PAYLOAD \
	"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n " \
	"\"http://example.com/is_root\":true}"

static void
make_key(struct gh_jwt_key *k, enum gh_jwt_alg alg)
{

	memset(k, 0, sizeof(*k));
	k->alg = alg;
	k->secret = (const unsigned char *)SECRET;
	k->secret_len = strlen(SECRET);
	k->issuer = ISSUER;
	k->audience = NULL;
}

static void
make_claims(struct gh_jwt_claims *c)
{

	memset(c, 0, sizeof(*c));
	snprintf(c->sub, sizeof(c->sub), "%s", SUB);
	snprintf(c->sid, sizeof(c->sid), "%s", SID);
	snprintf(c->jti, sizeof(c->jti), "%s", JTI);
	snprintf(c->username, sizeof(c->username), "%s", "alice");
	snprintf(c->employee_id, sizeof(c->employee_id), "%s", "E-1042");
	snprintf(c->roles[0], sizeof(c->roles[0]), "%s", "admin");
	snprintf(c->roles[1], sizeof(c->roles[1]), "%s", "user");
	c->nroles = 2;
	c->iat = NOW - 10;
	c->exp = NOW + 900;
}

static const EVP_MD *
md_of(enum gh_jwt_alg alg)
{

	switch (alg) {
	case GH_JWT_HS384:
		return EVP_sha384();
	case GH_JWT_HS512:
		return EVP_sha512();
	default:
		return EVP_sha256();
	}
}

static void
append_b64(const void *in, size_t inlen, char *out, size_t outsz,
    size_t *pos)
{
	long	 n;

	n = gh_b64url_encode(in, inlen, out + *pos, outsz - *pos);
	cr_assert_geq(n, 0, "test token buffer too small");
	*pos += (size_t)n;
}

/*
 * Signs hdr.pay with SECRET under alg, independently of gh_jwt_sign(),
 * so that payloads gh_jwt_sign() would never write can be tried.
 */
static size_t
hand_sign(enum gh_jwt_alg alg, const char *hdr, const char *pay, char *out,
    size_t outsz)
{
	unsigned char	 sig[EVP_MAX_MD_SIZE];
	unsigned int	 siglen = 0;
	size_t		 pos = 0;

	append_b64(hdr, strlen(hdr), out, outsz, &pos);
	out[pos++] = '.';
	append_b64(pay, strlen(pay), out, outsz, &pos);
	cr_assert_not_null(HMAC(md_of(alg), SECRET, (int)strlen(SECRET),
	    (const unsigned char *)out, pos, sig, &siglen));
	out[pos++] = '.';
	append_b64(sig, siglen, out, outsz, &pos);
	return pos;
}

/* Verifies a hand-signed HS256 token with payload pay. */
static enum gh_jwt_result
verify_payload(const char *pay, struct gh_jwt_claims *c)
{
	struct gh_jwt_key	 k;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, HDR256, pay, tok, sizeof(tok));
	return gh_jwt_verify(&k, tok, len, NOW, c);
}

static enum gh_jwt_result
verify_token(const char *tok)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;

	make_key(&k, GH_JWT_HS256);
	return gh_jwt_verify(&k, tok, strlen(tok), NOW, &c);
}

static size_t
rfc_secret(unsigned char *k, size_t ksz)
{
	long	 n;

	n = gh_b64url_decode(RFC_K, strlen(RFC_K), k, ksz);
	cr_assert_eq(n, 64);
	return (size_t)n;
}

/* Writes n roles "r0","r1",... as the inside of a JSON array. */
static void
role_list(char *buf, size_t bufsz, size_t n)
{
	size_t	 i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int	 w = snprintf(buf + pos, bufsz - pos, "%s\"r%zu\"",
		    i ? "," : "", i);

		cr_assert(w > 0 && (size_t)w < bufsz - pos);
		pos += (size_t)w;
	}
}

static int
all_zero(const void *p, size_t sz)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < sz; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void
assert_round_trip(enum gh_jwt_alg alg, const char *hdr)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 in, out;
	char			 tok[GH_TOKEN_MAX + 1];
	char			 enc[256], want[128], kid[GH_JWK_KID_MAX + 1];
	const char		*dot;
	long			 n;
	size_t			 i;

	make_key(&k, alg);
	make_claims(&in);
	n = gh_jwt_sign(&k, &in, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(strlen(tok), (size_t)n);

	/* The header is exactly the one we promise, with the secret's kid. */
	cr_assert_eq(gh_jwk_hs_kid(k.secret, k.secret_len, kid, sizeof(kid)),
	    0);
	cr_assert_lt(snprintf(want, sizeof(want), "%.*s,\"kid\":\"%s\"}",
	    (int)strlen(hdr) - 1, hdr, kid), (int)sizeof(want));
	hdr = want;
	cr_assert_gt(gh_b64url_encode(hdr, strlen(hdr), enc, sizeof(enc)), 0);
	dot = strchr(tok, '.');
	cr_assert_not_null(dot);
	cr_assert_eq((size_t)(dot - tok), strlen(enc));
	cr_assert(strncmp(tok, enc, strlen(enc)) == 0);

	memset(&out, 0xa5, sizeof(out));
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out), GH_JWT_OK);
	cr_assert_str_eq(out.sub, in.sub);
	cr_assert_str_eq(out.sid, in.sid);
	cr_assert_str_eq(out.jti, in.jti);
	cr_assert_str_eq(out.username, in.username);
	cr_assert_str_eq(out.employee_id, in.employee_id);
	cr_assert_eq(out.nroles, in.nroles);
	for (i = 0; i < in.nroles; i++)
		cr_assert_str_eq(out.roles[i], in.roles[i]);
	cr_assert_eq(out.iat, in.iat);
	cr_assert_eq(out.exp, in.exp);
	/* Nothing else was left behind either. */
	cr_assert(memcmp(&out, &in, sizeof(in)) == 0);
}

/* RFC 7515 A.1 */

Test(jws, rfc7515_a1_verifies_and_returns_payload)
{
	unsigned char	 k[64];
	char		 pay[512];
	size_t		 klen, plen = 0;

	klen = rfc_secret(k, sizeof(k));
	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, k, klen, RFC_TOKEN,
	    strlen(RFC_TOKEN), pay, sizeof(pay), &plen), GH_JWT_OK);
	cr_assert_eq(plen, strlen(RFC_PAYLOAD));
	cr_assert(memcmp(pay, RFC_PAYLOAD, plen) == 0);
	cr_assert_eq(pay[plen], '\0');
}

Test(jws, rfc7515_a1_signature_flip_fails)
{
	unsigned char	 k[64];
	char		 tok[] = RFC_TOKEN, pay[512];
	char		*sig;
	size_t		 klen, plen;

	klen = rfc_secret(k, sizeof(k));
	sig = strrchr(tok, '.') + 1;
	cr_assert_eq(sig[0], 'd');
	sig[0] = 'e';
	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, k, klen, tok, strlen(tok),
	    pay, sizeof(pay), &plen), GH_JWT_BAD_SIGNATURE);
	cr_assert_eq(plen, 0);
	cr_assert_eq(pay[0], '\0');
}

Test(jws, rfc7515_a1_payload_flip_fails)
{
	unsigned char	 k[64];
	char		 tok[] = RFC_TOKEN, pay[512];
	char		*p;
	size_t		 klen, plen;

	klen = rfc_secret(k, sizeof(k));
	p = strchr(tok, '.') + 1 + 10;
	*p = *p == 'A' ? 'B' : 'A';
	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, k, klen, tok, strlen(tok),
	    pay, sizeof(pay), &plen), GH_JWT_BAD_SIGNATURE);
}

Test(jws, rfc7515_a1_wrong_secret_fails)
{
	unsigned char	 k[64];
	char		 pay[512];
	size_t		 klen, plen;

	klen = rfc_secret(k, sizeof(k));
	k[0] ^= 1;
	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, k, klen, RFC_TOKEN,
	    strlen(RFC_TOKEN), pay, sizeof(pay), &plen), GH_JWT_BAD_SIGNATURE);
}

Test(jws, rfc7515_a1_under_hs384_is_bad_algorithm)
{
	unsigned char	 k[64];
	char		 pay[512];
	size_t		 klen, plen;

	klen = rfc_secret(k, sizeof(k));
	cr_assert_eq(gh_jws_verify(GH_JWT_HS384, k, klen, RFC_TOKEN,
	    strlen(RFC_TOKEN), pay, sizeof(pay), &plen), GH_JWT_BAD_ALGORITHM);
}

Test(jws, short_payload_buffer_is_internal)
{
	unsigned char	 k[64];
	char		 pay[16];
	size_t		 klen, plen;

	klen = rfc_secret(k, sizeof(k));
	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, k, klen, RFC_TOKEN,
	    strlen(RFC_TOKEN), pay, sizeof(pay), &plen), GH_JWT_INTERNAL);
}

Test(jws, empty_secret_is_internal)
{
	char	 pay[512];
	size_t	 plen;

	cr_assert_eq(gh_jws_verify(GH_JWT_HS256, (const unsigned char *)"",
	    0, RFC_TOKEN, strlen(RFC_TOKEN), pay, sizeof(pay), &plen),
	    GH_JWT_INTERNAL);
}

/* Algorithms and result strings */

Test(jwt, alg_parse_and_name_agree)
{
	enum gh_jwt_alg	 a;

	cr_assert_eq(gh_jwt_alg_parse("HS256", &a), 0);
	cr_assert_eq(a, GH_JWT_HS256);
	cr_assert_str_eq(gh_jwt_alg_name(a), "HS256");
	cr_assert_eq(gh_jwt_alg_parse("HS384", &a), 0);
	cr_assert_eq(a, GH_JWT_HS384);
	cr_assert_str_eq(gh_jwt_alg_name(a), "HS384");
	cr_assert_eq(gh_jwt_alg_parse("HS512", &a), 0);
	cr_assert_eq(a, GH_JWT_HS512);
	cr_assert_str_eq(gh_jwt_alg_name(a), "HS512");
}

Test(jwt, alg_parse_refuses_others)
{
	enum gh_jwt_alg	 a;

	cr_assert_eq(gh_jwt_alg_parse("none", &a), -1);
	cr_assert_eq(gh_jwt_alg_parse("hs256", &a), -1);
	cr_assert_eq(gh_jwt_alg_parse("RS256", &a), -1);
	cr_assert_eq(gh_jwt_alg_parse("HS256 ", &a), -1);
	cr_assert_eq(gh_jwt_alg_parse("", &a), -1);
	cr_assert_null(gh_jwt_alg_name((enum gh_jwt_alg)42));
}

Test(jwt, result_str_covers_every_result)
{
	int	 r;

	for (r = GH_JWT_OK; r <= GH_JWT_INTERNAL; r++) {
		cr_assert_not_null(gh_jwt_result_str((enum gh_jwt_result)r));
		cr_assert_gt(strlen(gh_jwt_result_str((enum gh_jwt_result)r)),
		    0);
	}
	cr_assert_str_neq(gh_jwt_result_str(GH_JWT_OK),
	    gh_jwt_result_str(GH_JWT_EXPIRED));
}

/* Round trips */

Test(jwt, round_trip_hs256)
{

	assert_round_trip(GH_JWT_HS256, HDR256);
}

Test(jwt, round_trip_hs384)
{

	assert_round_trip(GH_JWT_HS384, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}");
}

Test(jwt, round_trip_hs512)
{

	assert_round_trip(GH_JWT_HS512, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
}

Test(jwt, round_trip_without_optional_claims)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 in, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&in);
	memset(in.employee_id, 0, sizeof(in.employee_id));
	memset(in.jti, 0, sizeof(in.jti));
	memset(in.roles, 0, sizeof(in.roles));
	in.nroles = 0;
	n = gh_jwt_sign(&k, &in, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out), GH_JWT_OK);
	cr_assert(memcmp(&out, &in, sizeof(in)) == 0);
}

Test(jwt, sign_omits_empty_employee_id_and_jti)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1], pay[GH_TOKEN_MAX];
	size_t			 plen;
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	c.employee_id[0] = '\0';
	c.jti[0] = '\0';
	c.nroles = 0;
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jws_verify(k.alg, k.secret, k.secret_len, tok,
	    (size_t)n, pay, sizeof(pay), &plen), GH_JWT_OK);
	cr_assert_str_eq(pay, "{\"iss\":\"gatehouse\",\"sub\":\"" SUB "\","
	    "\"username\":\"alice\",\"roles\":[],\"type\":\"access\","
	    "\"sid\":\"" SID "\",\"iat\":1699999990,\"exp\":1700000900}");
}

Test(jwt, round_trip_with_max_roles_and_lengths)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 in, out;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 i;
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&in);
	memset(in.username, 'u', GH_USERNAME_MAX);
	memset(in.employee_id, 'e', GH_EMPLOYEE_ID_MAX);
	for (i = 0; i < GH_ROLES_MAX; i++) {
		memset(in.roles[i], 'r', GH_ROLE_NAME_MAX);
		in.roles[i][0] = (char)('A' + i);
	}
	in.nroles = GH_ROLES_MAX;
	n = gh_jwt_sign(&k, &in, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out), GH_JWT_OK);
	cr_assert(memcmp(&out, &in, sizeof(in)) == 0);
}

Test(jwt, sign_writes_expected_payload)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1], pay[GH_TOKEN_MAX];
	size_t			 plen;
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jws_verify(k.alg, k.secret, k.secret_len, tok,
	    (size_t)n, pay, sizeof(pay), &plen), GH_JWT_OK);
	cr_assert_str_eq(pay, "{\"iss\":\"gatehouse\",\"sub\":\"" SUB "\","
	    "\"username\":\"alice\",\"employee_id\":\"E-1042\","
	    "\"roles\":[\"admin\",\"user\"],\"type\":\"access\","
	    "\"sid\":\"" SID "\",\"iat\":1699999990,\"exp\":1700000900,"
	    "\"jti\":\"" JTI "\"}");
}

Test(jwt, sign_writes_aud_only_when_configured)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1], pay[GH_TOKEN_MAX];
	size_t			 plen;
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	k.audience = "";
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_eq(gh_jws_verify(k.alg, k.secret, k.secret_len, tok,
	    (size_t)n, pay, sizeof(pay), &plen), GH_JWT_OK);
	cr_assert_null(strstr(pay, "\"aud\""));

	k.audience = "portal";
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_eq(gh_jws_verify(k.alg, k.secret, k.secret_len, tok,
	    (size_t)n, pay, sizeof(pay), &plen), GH_JWT_OK);
	cr_assert_not_null(strstr(pay, "\"aud\":\"portal\""));
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out), GH_JWT_OK);
}

Test(jwt, sign_escapes_json_in_strings)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	snprintf(c.username, sizeof(c.username), "%s", "a\",\"type\":\"x");
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out), GH_JWT_OK);
	cr_assert_str_eq(out.username, c.username);
}

/* Signing refusals */

Test(jwt, sign_into_short_buffer_returns_minus_1)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, (size_t)n + 1), n);
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, (size_t)n), -1);
	cr_assert_eq(tok[0], '\0');
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, 16), -1);
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, 1), -1);
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, 0), -1);
}

Test(jwt, sign_refuses_empty_secret)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	k.secret_len = 0;
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);
	k.secret = NULL;
	k.secret_len = 8;
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);
}

Test(jwt, sign_refuses_empty_issuer)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	k.issuer = "";
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);
	k.issuer = NULL;
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);
}

Test(jwt, sign_refuses_claims_verify_would_refuse)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	snprintf(c.sub, sizeof(c.sub), "%s", "alice");
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);

	make_claims(&c);
	c.sid[0] = '\0';
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);

	make_claims(&c);
	c.username[0] = '\0';
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);

	make_claims(&c);
	c.nroles = GH_ROLES_MAX + 1;
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);

	make_claims(&c);
	memset(c.username, 'u', sizeof(c.username));	/* no NUL */
	cr_assert_eq(gh_jwt_sign(&k, &c, tok, sizeof(tok)), -1);
}

/* Signature and algorithm */

Test(jwt, hand_signed_good_payload_is_ok)
{
	struct gh_jwt_claims	 c;

	/* The baseline the claim tests below each break one thing of. */
	cr_assert_eq(verify_payload(GOOD_PAYLOAD, &c), GH_JWT_OK);
	cr_assert_str_eq(c.sub, SUB);
	cr_assert_str_eq(c.sid, SID);
	cr_assert_str_eq(c.jti, JTI);
	cr_assert_str_eq(c.username, "alice");
	cr_assert_str_eq(c.employee_id, "");
	cr_assert_eq(c.nroles, 2);
	cr_assert_eq(c.exp, 1700000900);
	cr_assert_eq(c.iat, 1699999990);
}

Test(jwt, tampered_payload_is_bad_signature)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 a, b, out;
	char			 ta[GH_TOKEN_MAX + 1], tb[GH_TOKEN_MAX + 1];
	char			 forged[2 * GH_TOKEN_MAX];
	const char		*siga, *sigb;
	long			 na, nb;

	make_key(&k, GH_JWT_HS256);
	make_claims(&a);
	make_claims(&b);
	snprintf(b.sub, sizeof(b.sub), "%s",
	    "11111111-2222-4333-8444-555555555555");
	na = gh_jwt_sign(&k, &a, ta, sizeof(ta));
	nb = gh_jwt_sign(&k, &b, tb, sizeof(tb));
	cr_assert(na > 0 && nb > 0);
	siga = strrchr(ta, '.');
	sigb = strrchr(tb, '.');
	/* b's header and payload, a's signature. */
	snprintf(forged, sizeof(forged), "%.*s%s", (int)(sigb - tb), tb, siga);
	cr_assert_eq(gh_jwt_verify(&k, forged, strlen(forged), NOW, &out),
	    GH_JWT_BAD_SIGNATURE);
}

Test(jwt, wrong_secret_is_bad_signature)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	k.secret = (const unsigned char *)"another-secret-of-enough-length!";
	k.secret_len = strlen((const char *)k.secret);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out),
	    GH_JWT_BAD_SIGNATURE);
}

Test(jwt, truncated_signature_is_bad_signature)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 3);
	/* 43 characters less 3 is still valid base64url, but 30 bytes. */
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n - 3, NOW, &out),
	    GH_JWT_BAD_SIGNATURE);
}

Test(jwt, overlong_signature_is_bad_signature)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	unsigned char		 sig[64];
	char			*dot;
	long			 n, s;
	size_t			 pos;

	/* The right MAC followed by more bytes must not pass. */
	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	dot = strrchr(tok, '.') + 1;
	s = gh_b64url_decode(dot, strlen(dot), sig, sizeof(sig));
	cr_assert_eq(s, 32);
	memset(sig + 32, 0, 3);
	pos = (size_t)(dot - tok);
	append_b64(sig, 35, tok, sizeof(tok), &pos);
	cr_assert_eq(gh_jwt_verify(&k, tok, pos, NOW, &out),
	    GH_JWT_BAD_SIGNATURE);
}

Test(jwt, alg_none_with_empty_signature_is_bad_algorithm)
{
	char			 tok[2 * GH_TOKEN_MAX];
	const char		*hdr = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
	size_t			 pos = 0;

	append_b64(hdr, strlen(hdr), tok, sizeof(tok), &pos);
	tok[pos++] = '.';
	append_b64(GOOD_PAYLOAD, strlen(GOOD_PAYLOAD), tok, sizeof(tok), &pos);
	tok[pos++] = '.';
	tok[pos] = '\0';
	cr_assert_eq(verify_token(tok), GH_JWT_BAD_ALGORITHM);
}

Test(jwt, hs512_token_on_hs256_key_is_bad_algorithm)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS512, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	    GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c),
	    GH_JWT_BAD_ALGORITHM);
	/* And it is sound: the HS512 key takes it. */
	k.alg = GH_JWT_HS512;
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
}

Test(jwt, alg_in_other_case_is_bad_algorithm)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "{\"alg\":\"hs256\"}", GOOD_PAYLOAD,
	    tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c),
	    GH_JWT_BAD_ALGORITHM);
}

Test(jwt, alg_with_embedded_nul_is_bad_algorithm)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "{\"alg\":\"HS256\\u0000x\"}",
	    GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_neq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
}

Test(jwt, header_without_alg_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "{\"typ\":\"JWT\"}", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
	len = hand_sign(GH_JWT_HS256, "{\"alg\":256}", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, header_with_crit_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256,
	    "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", GOOD_PAYLOAD,
	    tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

/* Claims */

Test(jwt, expired_is_expired)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	c.exp = NOW - 1;
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out),
	    GH_JWT_EXPIRED);
}

Test(jwt, exp_equal_to_now_is_expired)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	c.exp = NOW;
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out),
	    GH_JWT_EXPIRED);
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW - 1, &out),
	    GH_JWT_OK);
}

Test(jwt, missing_exp_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, exp_as_string_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID ",\"exp\":\"1700000900\"}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, exp_as_double_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID ",\"exp\":1700000900.0}", &c), GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID ",\"exp\":1.7e9}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, exp_as_null_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID ",\"exp\":null}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, iat_as_string_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "," P_EXP ",\"iat\":\"0\"}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, wrong_iss_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{\"iss\":\"gatehouse2\"," P_SUB ","
	    P_USER "," P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_payload("{\"iss\":\"gatehous\"," P_SUB ","
	    P_USER "," P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, missing_iss_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_SUB "," P_USER "," P_TYPE "," P_SID
	    "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, wrong_type_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER
	    ",\"type\":\"refresh\"," P_SID "," P_EXP "}", &c),
	    GH_JWT_BAD_CLAIMS);
}

Test(jwt, missing_type_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_SID
	    "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, missing_sid_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, non_uuid_sid_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    ",\"sid\":\"session-1\"," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, missing_sub_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_USER "," P_TYPE "," P_SID
	    "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, non_uuid_sub_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS ",\"sub\":\"alice\"," P_USER ","
	    P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
	/* Right length, wrong shape. */
	cr_assert_eq(verify_payload("{" P_ISS ","
	    "\"sub\":\"0b7e5c3a1f2d-4e6b-9a8c-7d6e5f4a3b2c-\"," P_USER ","
	    P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_payload("{" P_ISS ","
	    "\"sub\":\"0b7e5c3a-1f2d-4e6b-9a8c-7d6e5f4a3b2g\"," P_USER ","
	    P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
	/* Longer than the field holds: refused, not cut. */
	cr_assert_eq(verify_payload("{" P_ISS ",\"sub\":\"" SUB "0\","
	    P_USER "," P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, upper_case_uuid_sub_and_sid_are_read_lower_cased)
{
	struct gh_jwt_claims	 c;

	/* RFC 9562: a uuid's hex digits are case-insensitive on input. */
	cr_assert_eq(verify_payload("{" P_ISS ","
	    "\"sub\":\"0B7E5C3A-1F2D-4E6B-9A8C-7D6E5F4A3B2C\"," P_USER ","
	    P_TYPE ",\"sid\":\"5F0C2D7E-8A1B-4C3D-B2E1-0F9E8D7C6B5A\","
	    P_EXP "}", &c), GH_JWT_OK);
	cr_assert_str_eq(c.sub, SUB);
	cr_assert_str_eq(c.sid, SID);
}

Test(jwt, sub_as_number_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS ",\"sub\":42," P_USER ","
	    P_TYPE "," P_SID "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, aud_configured_and_missing_is_bad_claims)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	k.audience = "portal";
	len = hand_sign(GH_JWT_HS256, HDR256, GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, aud_configured_and_wrong_is_bad_claims)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	k.audience = "portal";
	len = hand_sign(GH_JWT_HS256, HDR256, "{" P_ISS "," P_SUB "," P_USER
	    "," P_TYPE "," P_SID "," P_EXP ",\"aud\":\"portal2\"}", tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_BAD_CLAIMS);
	len = hand_sign(GH_JWT_HS256, HDR256, "{" P_ISS "," P_SUB "," P_USER
	    "," P_TYPE "," P_SID "," P_EXP ",\"aud\":[\"other\",\"porta\"]}",
	    tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_BAD_CLAIMS);
	len = hand_sign(GH_JWT_HS256, HDR256, "{" P_ISS "," P_SUB "," P_USER
	    "," P_TYPE "," P_SID "," P_EXP ",\"aud\":7}", tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, aud_as_matching_array_element_is_ok)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	k.audience = "portal";
	len = hand_sign(GH_JWT_HS256, HDR256, "{" P_ISS "," P_SUB "," P_USER
	    "," P_TYPE "," P_SID "," P_EXP ",\"aud\":[\"other\",\"portal\"]}",
	    tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
}

Test(jwt, aud_as_matching_string_is_ok)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	k.audience = "portal";
	len = hand_sign(GH_JWT_HS256, HDR256, "{" P_ISS "," P_SUB "," P_USER
	    "," P_TYPE "," P_SID "," P_EXP ",\"aud\":\"portal\"}", tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
}

/* Verifies payload under k: the one place these tests sign by hand. */
static enum gh_jwt_result
verify_under(const struct gh_jwt_key *k, const char *payload)
{
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	len = hand_sign(GH_JWT_HS256, HDR256, payload, tok, sizeof(tok));
	return gh_jwt_verify(k, tok, len, NOW, &c);
}

#define P_BASE	"{" P_ISS "," P_SUB "," P_USER "," P_TYPE "," P_SID "," P_EXP

/* RFC 7519 4.1.3: a token for another recipient is not ours. */
Test(jwt, aud_of_another_recipient_is_bad_claims_without_an_audience)
{
	struct gh_jwt_key	 k;

	make_key(&k, GH_JWT_HS256);
	k.foreign = "app wiki";
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"app\"}"),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"wiki\"}"),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":[\"x\",\"wiki\"]}"),
	    GH_JWT_BAD_CLAIMS);
	/* A name is a whole word of the list, not a part of one. */
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"ap\"}"), GH_JWT_OK);
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"app wiki\"}"),
	    GH_JWT_OK);
	cr_assert_eq(verify_under(&k, P_BASE "}"), GH_JWT_OK);
}

Test(jwt, aud_of_another_recipient_is_bad_claims_beside_ours)
{
	struct gh_jwt_key	 k;

	make_key(&k, GH_JWT_HS256);
	k.audience = "portal";
	k.foreign = "app";
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"portal\"}"),
	    GH_JWT_OK);
	cr_assert_eq(verify_under(&k,
	    P_BASE ",\"aud\":[\"portal\",\"app\"]}"), GH_JWT_BAD_CLAIMS);
}

/* A location's key: its audience is in the list, and is its own. */
Test(jwt, aud_listed_and_our_own_is_ok)
{
	struct gh_jwt_key	 k;

	make_key(&k, GH_JWT_HS256);
	k.audience = "app";
	k.foreign = "wiki app";
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"app\"}"), GH_JWT_OK);
	cr_assert_eq(verify_under(&k, P_BASE ",\"aud\":\"wiki\"}"),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_under(&k, P_BASE "}"), GH_JWT_BAD_CLAIMS);
}

Test(jwt, missing_username_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_TYPE "," P_SID
	    "," P_EXP "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, username_over_max_is_bad_claims)
{
	struct gh_jwt_claims	 c;
	char			 name[GH_USERNAME_MAX + 2];
	char			 pay[1024];

	memset(name, 'u', GH_USERNAME_MAX + 1);
	name[GH_USERNAME_MAX + 1] = '\0';
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB ",\"username\":\"%s\","
	    P_TYPE "," P_SID "," P_EXP "}", name);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_BAD_CLAIMS);

	/* One less fits exactly. */
	name[GH_USERNAME_MAX] = '\0';
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB ",\"username\":\"%s\","
	    P_TYPE "," P_SID "," P_EXP "}", name);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_OK);
	cr_assert_str_eq(c.username, name);
}

Test(jwt, username_with_embedded_nul_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"alice\\u0000admin\"," P_TYPE "," P_SID "," P_EXP
	    "}", &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, employee_id_over_max_is_bad_claims)
{
	struct gh_jwt_claims	 c;
	char			 id[GH_EMPLOYEE_ID_MAX + 2];
	char			 pay[1024];

	memset(id, '7', GH_EMPLOYEE_ID_MAX + 1);
	id[GH_EMPLOYEE_ID_MAX + 1] = '\0';
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER
	    ",\"employee_id\":\"%s\"," P_TYPE "," P_SID "," P_EXP "}", id);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, jti_over_uuid_len_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "," P_EXP ",\"jti\":\"" JTI "x\"}", &c),
	    GH_JWT_BAD_CLAIMS);
}

Test(jwt, roles_over_max_is_bad_claims)
{
	struct gh_jwt_claims	 c;
	char			 roles[1024], pay[2048];

	role_list(roles, sizeof(roles), GH_ROLES_MAX + 1);
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER
	    ",\"roles\":[%s]," P_TYPE "," P_SID "," P_EXP "}", roles);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_BAD_CLAIMS);

	/* GH_ROLES_MAX exactly is fine. */
	role_list(roles, sizeof(roles), GH_ROLES_MAX);
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER
	    ",\"roles\":[%s]," P_TYPE "," P_SID "," P_EXP "}", roles);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_OK);
	cr_assert_eq(c.nroles, GH_ROLES_MAX);
	cr_assert_str_eq(c.roles[GH_ROLES_MAX - 1], "r31");
}

Test(jwt, role_name_over_max_is_bad_claims)
{
	struct gh_jwt_claims	 c;
	char			 role[GH_ROLE_NAME_MAX + 2];
	char			 pay[1024];

	memset(role, 'r', GH_ROLE_NAME_MAX + 1);
	role[GH_ROLE_NAME_MAX + 1] = '\0';
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER
	    ",\"roles\":[\"%s\"]," P_TYPE "," P_SID "," P_EXP "}", role);
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_BAD_CLAIMS);
}

Test(jwt, roles_not_strings_is_bad_claims)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER
	    ",\"roles\":[\"user\",1]," P_TYPE "," P_SID "," P_EXP "}", &c),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER
	    ",\"roles\":\"admin\"," P_TYPE "," P_SID "," P_EXP "}", &c),
	    GH_JWT_BAD_CLAIMS);
}

Test(jwt, claims_zeroed_on_failure)
{
	struct gh_jwt_claims	 c;
	char			 roles[1024], pay[2048];

	/* Fails on roles, the last check, after the rest was copied. */
	role_list(roles, sizeof(roles), GH_ROLES_MAX + 1);
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER
	    ",\"employee_id\":\"E1\",\"roles\":[%s]," P_TYPE "," P_SID ","
	    P_EXP "," P_IAT "," P_JTI "}", roles);
	memset(&c, 0xa5, sizeof(c));
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_BAD_CLAIMS);
	cr_assert(all_zero(&c, sizeof(c)));

	memset(&c, 0xa5, sizeof(c));
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID ",\"exp\":1}", &c), GH_JWT_EXPIRED);
	cr_assert(all_zero(&c, sizeof(c)));
}

/* Shape */

Test(jwt, longer_than_token_max_is_too_long)
{
	static char		 tok[GH_TOKEN_MAX + 2];
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;

	make_key(&k, GH_JWT_HS256);
	memset(tok, 'a', GH_TOKEN_MAX + 1);
	tok[GH_TOKEN_MAX / 3] = '.';
	tok[GH_TOKEN_MAX / 2] = '.';
	cr_assert_eq(gh_jwt_verify(&k, tok, GH_TOKEN_MAX + 1, NOW, &c),
	    GH_JWT_TOO_LONG);
	/* At the cap it is merely looked at, and found wanting. */
	cr_assert_eq(gh_jwt_verify(&k, tok, GH_TOKEN_MAX, NOW, &c),
	    GH_JWT_MALFORMED);
}

Test(jwt, long_valid_token_is_too_long)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 pay[2 * GH_TOKEN_MAX], tok[4 * GH_TOKEN_MAX];
	char			 pad[GH_TOKEN_MAX];
	size_t			 len;

	/* Validly signed, so only the cap can refuse it. */
	make_key(&k, GH_JWT_HS256);
	memset(pad, 'x', 3000);
	pad[3000] = '\0';
	snprintf(pay, sizeof(pay), "{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "," P_EXP ",\"pad\":\"%s\"}", pad);
	len = hand_sign(GH_JWT_HS256, HDR256, pay, tok, sizeof(tok));
	cr_assert_gt(len, GH_TOKEN_MAX);
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_TOO_LONG);
}

Test(jwt, missing_dots_is_malformed)
{

	cr_assert_eq(verify_token(""), GH_JWT_MALFORMED);
	cr_assert_eq(verify_token("abc"), GH_JWT_MALFORMED);
	cr_assert_eq(verify_token("eyJhbGciOiJIUzI1NiJ9.e30"),
	    GH_JWT_MALFORMED);
}

Test(jwt, four_parts_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, HDR256, GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
	tok[len] = '.';
	tok[len + 1] = 'e';
	tok[len + 2] = '\0';
	cr_assert_eq(gh_jwt_verify(&k, tok, len + 2, NOW, &c),
	    GH_JWT_MALFORMED);
	cr_assert_eq(gh_jwt_verify(&k, tok, len + 1, NOW, &c),
	    GH_JWT_MALFORMED);
	/* Counted before the header is read: not "bad algorithm". */
	len = hand_sign(GH_JWT_HS256, "{\"alg\":\"none\"}", GOOD_PAYLOAD,
	    tok, sizeof(tok));
	memcpy(tok + len, ".e", 3);
	cr_assert_eq(gh_jwt_verify(&k, tok, len + 2, NOW, &c),
	    GH_JWT_MALFORMED);
}

Test(jwt, empty_parts_are_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	char			 t[2 * GH_TOKEN_MAX];
	char			*d1, *d2;
	size_t			 len;

	cr_assert_eq(verify_token(".."), GH_JWT_MALFORMED);

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, HDR256, GOOD_PAYLOAD, tok, sizeof(tok));
	d1 = strchr(tok, '.');
	d2 = strrchr(tok, '.');

	/* No header. */
	snprintf(t, sizeof(t), "%s", d1);
	cr_assert_eq(gh_jwt_verify(&k, t, strlen(t), NOW, &c),
	    GH_JWT_MALFORMED);
	/* No payload. */
	snprintf(t, sizeof(t), "%.*s%s", (int)(d1 - tok + 1), tok, d2);
	cr_assert_eq(gh_jwt_verify(&k, t, strlen(t), NOW, &c),
	    GH_JWT_MALFORMED);
	/* No signature. */
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)(d2 - tok + 1), NOW, &c),
	    GH_JWT_MALFORMED);
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
}

Test(jwt, bad_base64url_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	char			*sig;
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, HDR256, GOOD_PAYLOAD, tok, sizeof(tok));

	/* Standard alphabet in the header. */
	tok[2] = '+';
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);

	/* Padding on the signature. */
	len = hand_sign(GH_JWT_HS256, HDR256, GOOD_PAYLOAD, tok, sizeof(tok));
	tok[len] = '=';
	cr_assert_eq(gh_jwt_verify(&k, tok, len + 1, NOW, &c),
	    GH_JWT_MALFORMED);
	tok[len] = '\0';

	/* Stray trailing bits in the signature: a second spelling. */
	sig = strrchr(tok, '.') + 1;
	cr_assert_eq(strlen(sig), 43);
	sig[42] = sig[42] == 'A' ? 'B' : (char)(sig[42] ^ 1);
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, bad_base64url_payload_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	unsigned char		 sig[EVP_MAX_MD_SIZE];
	unsigned int		 siglen;
	char			 tok[256];
	size_t			 pos = 0;

	/* Signed over a payload part that is not base64url. */
	make_key(&k, GH_JWT_HS256);
	append_b64(HDR256, strlen(HDR256), tok, sizeof(tok), &pos);
	memcpy(tok + pos, ".e30=", 5);
	pos += 5;
	cr_assert_not_null(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
	    (const unsigned char *)tok, pos, sig, &siglen));
	tok[pos++] = '.';
	append_b64(sig, siglen, tok, sizeof(tok), &pos);
	cr_assert_eq(gh_jwt_verify(&k, tok, pos, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, header_not_json_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "not json", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
	len = hand_sign(GH_JWT_HS256, "{'alg':'HS256'}", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
	len = hand_sign(GH_JWT_HS256, "{\"alg\":\"HS256\"", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, header_with_trailing_data_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, HDR256 "{}", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, header_json_array_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "[{\"alg\":\"HS256\"}]", GOOD_PAYLOAD,
	    tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
	len = hand_sign(GH_JWT_HS256, "\"HS256\"", GOOD_PAYLOAD, tok,
	    sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_MALFORMED);
}

Test(jwt, payload_json_array_is_malformed)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("[" GOOD_PAYLOAD "]", &c),
	    GH_JWT_MALFORMED);
	cr_assert_eq(verify_payload("42", &c), GH_JWT_MALFORMED);
}

Test(jwt, payload_not_json_is_malformed)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS ",}", &c), GH_JWT_MALFORMED);
	cr_assert_eq(verify_payload(GOOD_PAYLOAD " x", &c), GH_JWT_MALFORMED);
}

Test(jwt, payload_with_invalid_utf8_is_malformed)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"al\xff\xfeice\"," P_TYPE "," P_SID "," P_EXP "}",
	    &c), GH_JWT_MALFORMED);
	/* Forms json-c's own check lets through: overlong, surrogate,
	 * past U+10FFFF, truncated. */
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"a\xed\xa0\x80" "b\"," P_TYPE "," P_SID "," P_EXP
	    "}", &c), GH_JWT_MALFORMED);
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"a\xf4\x90\x80\x80" "b\"," P_TYPE "," P_SID ","
	    P_EXP "}", &c), GH_JWT_MALFORMED);
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"a\xe2\x82" "\"," P_TYPE "," P_SID "," P_EXP
	    "}", &c), GH_JWT_MALFORMED);
	/* An overlong encoding of '/'. */
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"a\xc0\xaf" "b\"," P_TYPE "," P_SID "," P_EXP "}",
	    &c), GH_JWT_MALFORMED);
}

Test(jwt, payload_with_valid_utf8_is_ok)
{
	struct gh_jwt_claims	 c;

	/* 2-, 3- and 4-byte forms at their edges. */
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB
	    ",\"username\":\"\xc2\x80\xe0\xa0\x80\xed\x9f\xbf"
	    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"," P_TYPE "," P_SID ","
	    P_EXP "}", &c), GH_JWT_OK);
	cr_assert_str_eq(c.username, "\xc2\x80\xe0\xa0\x80\xed\x9f\xbf"
	    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}

Test(jwt, payload_with_raw_nul_is_malformed)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	unsigned char		 sig[EVP_MAX_MD_SIZE];
	unsigned int		 siglen;
	char			 tok[1024];
	const char		 pay[] = "{" P_ISS "," P_SUB ",\"username\":"
	    "\"alice\0admin\"," P_TYPE "," P_SID "," P_EXP "}";
	size_t			 pos = 0;

	make_key(&k, GH_JWT_HS256);
	append_b64(HDR256, strlen(HDR256), tok, sizeof(tok), &pos);
	tok[pos++] = '.';
	append_b64(pay, sizeof(pay) - 1, tok, sizeof(tok), &pos);
	cr_assert_not_null(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
	    (const unsigned char *)tok, pos, sig, &siglen));
	tok[pos++] = '.';
	append_b64(sig, siglen, tok, sizeof(tok), &pos);
	cr_assert_eq(gh_jwt_verify(&k, tok, pos, NOW, &c), GH_JWT_MALFORMED);
}

/* A good payload with "x" holding depth - 1 nested arrays. */
static void
nested_payload(size_t depth, char *pay, size_t paysz)
{
	size_t	 i;
	int	 n;

	n = snprintf(pay, paysz, "{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "," P_EXP ",\"x\":");
	cr_assert(n > 0 && (size_t)n + 2 * depth + 1 < paysz);
	for (i = 1; i < depth; i++)
		pay[n++] = '[';
	for (i = 1; i < depth; i++)
		pay[n++] = ']';
	pay[n++] = '}';
	pay[n] = '\0';
}

Test(jwt, payload_nested_too_deep_is_malformed)
{
	struct gh_jwt_claims	 c;
	char			 pay[512];

	nested_payload(GH_JSON_DEPTH + 1, pay, sizeof(pay));
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_MALFORMED);
	nested_payload(GH_JSON_DEPTH, pay, sizeof(pay));
	cr_assert_eq(verify_payload(pay, &c), GH_JWT_OK);
}

Test(jwt, verify_refuses_key_without_issuer)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 n;

	make_key(&k, GH_JWT_HS256);
	make_claims(&c);
	n = gh_jwt_sign(&k, &c, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	k.issuer = NULL;
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out),
	    GH_JWT_INTERNAL);
	k.issuer = "";
	cr_assert_eq(gh_jwt_verify(&k, tok, (size_t)n, NOW, &out),
	    GH_JWT_INTERNAL);
}

Test(jwt, sign_refuses_claims_with_invalid_utf8)
{
	struct gh_jwt_key	 key;
	struct gh_jwt_claims	 c;
	char			 out[GH_TOKEN_MAX + 1];
	static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";

	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_HS256;
	key.secret = secret;
	key.secret_len = 32;
	key.issuer = "gatehouse";
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "3f0c1e2a-0000-4000-8000-000000000001");
	snprintf(c.sid, sizeof(c.sid), "3f0c1e2a-0000-4000-8000-000000000002");
	snprintf(c.username, sizeof(c.username), "al\xc0\xafice");
	c.iat = 1;
	c.exp = 4102444800;
	cr_assert_eq(gh_jwt_sign(&key, &c, out, sizeof(out)), -1);
	snprintf(c.username, sizeof(c.username), "alice");
	cr_assert_gt(gh_jwt_sign(&key, &c, out, sizeof(out)), 0);
}

/*
 * Strict JSON is the json module's: what its lexical pass refuses and
 * json-c's STRICT mode alone would take (single-quoted names, NaN and
 * Infinity, "1.", raw control characters in strings) is MALFORMED, in a
 * correctly signed payload or header as in a request body.
 */
Test(jwt, payload_json_only_json_c_would_take_is_malformed)
{
	static const char *const pays[] = {
		"{'iss':\"" ISSUER "\"," P_SUB "," P_USER "," P_TYPE "," P_SID
		    "," P_EXP "}",
		"{" P_ISS "," P_SUB ",\"username\":\"al\tice\"," P_TYPE ","
		    P_SID "," P_EXP "}",
		"{" P_ISS "," P_SUB "," P_USER "," P_TYPE "," P_SID "," P_EXP
		    ",\"x\":NaN}",
		"{" P_ISS "," P_SUB "," P_USER "," P_TYPE "," P_SID "," P_EXP
		    ",\"x\":-Infinity}",
		"{" P_ISS "," P_SUB "," P_USER "," P_TYPE "," P_SID "," P_EXP
		    ",\"x\":1.}",
	};
	struct gh_jwt_claims	 c;
	size_t			 i;

	/* The same claims in JSON are fine: only the spelling is at fault. */
	cr_assert_eq(verify_payload("{" P_ISS "," P_SUB "," P_USER "," P_TYPE
	    "," P_SID "," P_EXP ",\"x\":1.0}", &c), GH_JWT_OK);
	for (i = 0; i < sizeof(pays) / sizeof(pays[0]); i++)
		cr_assert_eq(verify_payload(pays[i], &c), GH_JWT_MALFORMED,
		    "%s", pays[i]);
}

Test(jwt, header_json_only_json_c_would_take_is_malformed)
{
	static const char *const hdrs[] = {
		"{'alg':\"HS256\"}",
		"{\"alg\":\"HS256\",\"typ\":\"J\tWT\"}",
		"{\"alg\":\"HS256\",\"n\":NaN}",
	};
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 i, len;

	make_key(&k, GH_JWT_HS256);
	len = hand_sign(GH_JWT_HS256, "{\"alg\":\"HS256\",\"n\":1}",
	    GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c), GH_JWT_OK);
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		len = hand_sign(GH_JWT_HS256, hdrs[i], GOOD_PAYLOAD, tok,
		    sizeof(tok));
		cr_assert_eq(gh_jwt_verify(&k, tok, len, NOW, &c),
		    GH_JWT_MALFORMED, "%s", hdrs[i]);
	}
}

/* Signs hdr.pay under SECRET and verifies it at NOW with leeway seconds. */
static enum gh_jwt_result
verify_with(const char *hdr, const char *pay, int leeway)
{
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[2 * GH_TOKEN_MAX];
	size_t			 len;

	make_key(&k, GH_JWT_HS256);
	k.leeway = leeway;
	len = hand_sign(GH_JWT_HS256, hdr, pay, tok, sizeof(tok));
	return gh_jwt_verify(&k, tok, len, NOW, &c);
}

/* RFC 8725 3.11: typ "JWT" in any case, or none; any other kind is not ours. */
Test(jwt, typ_other_than_jwt_is_malformed)
{
	static const char *const good[] = {
		"{\"alg\":\"HS256\"}",
		"{\"alg\":\"HS256\",\"typ\":\"jwt\"}",
		"{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
	};
	static const char *const bad[] = {
		"{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
		"{\"alg\":\"HS256\",\"typ\":\"application/at+jwt\"}",
		"{\"alg\":\"HS256\",\"typ\":\"logout+jwt\"}",
		"{\"alg\":\"HS256\",\"typ\":\"\"}",
		"{\"alg\":\"HS256\",\"typ\":1}",
		"{\"alg\":\"HS256\",\"typ\":null}",
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert_eq(verify_with(good[i], GOOD_PAYLOAD, 0), GH_JWT_OK,
		    "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(verify_with(bad[i], GOOD_PAYLOAD, 0),
		    GH_JWT_MALFORMED, "%s", bad[i]);
}

#define P_BASE	"{" P_ISS "," P_SUB "," P_USER "," P_TYPE "," P_SID "," P_EXP

/* nbf later than now plus the leeway: not yet valid. */
Test(jwt, nbf_in_the_future_beyond_the_leeway_is_bad_claims)
{
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"nbf\":1700000031}", 30),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"nbf\":1700000030}", 30),
	    GH_JWT_OK);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"nbf\":1700000001}", 0),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"nbf\":1700000000}", 0),
	    GH_JWT_OK);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"nbf\":\"1\"}", 30),
	    GH_JWT_BAD_CLAIMS);
}

/* An iat later than now plus the leeway was not issued by a sane clock. */
Test(jwt, iat_in_the_future_beyond_the_leeway_is_bad_claims)
{
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"iat\":1700000031}", 30),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"iat\":1700000030}", 30),
	    GH_JWT_OK);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"iat\":1799999999}", 300),
	    GH_JWT_BAD_CLAIMS);
	cr_assert_eq(verify_with(HDR256, P_BASE ",\"iat\":1700000001}", 0),
	    GH_JWT_BAD_CLAIMS);
}

/* The leeway never stretches exp. */
Test(jwt, leeway_does_not_extend_exp)
{
	cr_assert_eq(verify_with(HDR256, "{" P_ISS "," P_SUB "," P_USER ","
	    P_TYPE "," P_SID ",\"exp\":1700000000}", 300), GH_JWT_EXPIRED);
}

/* Asymmetric keys (issue 14) */

/* A key of alg that signs and is the one key of its verification set. */
struct asym {
	struct gh_jwk		*jwk;
	struct gh_jwt_vkey	 set[2];
	struct gh_jwt_key	 key;
};

static void
make_asym(struct asym *a, enum gh_jwt_alg alg)
{

	memset(a, 0, sizeof(*a));
	cr_assert_not_null(a->jwk = gh_jwk_generate(alg, 0));
	a->set[0].jwk = a->jwk;
	a->key.alg = alg;
	a->key.issuer = ISSUER;
	a->key.signer = a->jwk;
	a->key.keys = a->set;
	a->key.nkeys = 1;
}

/* The header gh_jwt_sign() writes for alg and kid. */
static void
header_of(const char *alg, const char *kid, char *out, size_t outsz)
{
	int	 n;

	n = snprintf(out, outsz,
	    "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg, kid);
	cr_assert(n > 0 && (size_t)n < outsz);
}

/* hdr.pay and its signature sig[0..siglen), as a token into out. */
static size_t
assemble(const char *hdr, const char *pay, const unsigned char *sig,
    size_t siglen, char *out, size_t outsz)
{
	size_t	 pos = 0;

	append_b64(hdr, strlen(hdr), out, outsz, &pos);
	out[pos++] = '.';
	append_b64(pay, strlen(pay), out, outsz, &pos);
	out[pos++] = '.';
	append_b64(sig, siglen, out, outsz, &pos);
	return pos;
}

/* The JWS signature of jwk over the signing input of hdr.pay. */
static size_t
key_sig(const struct gh_jwk *jwk, const char *hdr, const char *pay,
    unsigned char *sig, size_t sigsz)
{
	char	 in[GH_TOKEN_MAX];
	size_t	 pos = 0;
	long	 n;

	append_b64(hdr, strlen(hdr), in, sizeof(in), &pos);
	in[pos++] = '.';
	append_b64(pay, strlen(pay), in, sizeof(in), &pos);
	n = gh_jws_sign_bytes(jwk, in, pos, sig, sigsz);
	cr_assert_gt(n, 0);
	return (size_t)n;
}

/* hdr.pay signed with jwk, as gh_jwt_sign() would never write it. */
static size_t
key_sign(const struct gh_jwk *jwk, const char *hdr, const char *pay,
    char *out, size_t outsz)
{
	unsigned char	 sig[GH_JWS_SIG_MAX];
	size_t		 n;

	n = key_sig(jwk, hdr, pay, sig, sizeof(sig));
	return assemble(hdr, pay, sig, n, out, outsz);
}

static enum gh_jwt_result
verify_asym(const struct asym *a, const char *tok, size_t len)
{
	struct gh_jwt_claims	 c;

	return gh_jwt_verify(&a->key, tok, len, NOW, &c);
}

/* make_claims() signed with a's key into tok (GH_TOKEN_MAX + 1 bytes). */
static size_t
sign_asym(const struct asym *a, char *tok)
{
	struct gh_jwt_claims	 c;
	long			 n;

	make_claims(&c);
	n = gh_jwt_sign(&a->key, &c, tok, GH_TOKEN_MAX + 1);
	cr_assert_gt(n, 0);
	return (size_t)n;
}

/* A second key of alg, in a's set beside the first; the caller frees it. */
static struct gh_jwk *
add_key(struct asym *a, enum gh_jwt_alg alg)
{
	struct gh_jwk	*k;

	cr_assert_not_null(k = gh_jwk_generate(alg, 0));
	a->set[1].jwk = k;
	a->key.nkeys = 2;
	return k;
}

/* GOOD_PAYLOAD under a header of alg and kid, signed by jwk, verified. */
static enum gh_jwt_result
verify_signed_by(const struct asym *a, const struct gh_jwk *jwk,
    const char *alg, const char *kid)
{
	char	 tok[GH_TOKEN_MAX + 1], hdr[128];
	size_t	 len;

	header_of(alg, kid, hdr, sizeof(hdr));
	len = key_sign(jwk, hdr, GOOD_PAYLOAD, tok, sizeof(tok));
	return verify_asym(a, tok, len);
}

/* GOOD_PAYLOAD under hdr, signed by a fresh key of alg and verified. */
static enum gh_jwt_result
verify_header(enum gh_jwt_alg alg, const char *hdr)
{
	struct asym		 a;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;
	enum gh_jwt_result	 r;

	make_asym(&a, alg);
	len = key_sign(a.jwk, hdr, GOOD_PAYLOAD, tok, sizeof(tok));
	r = verify_asym(&a, tok, len);
	gh_jwk_free(a.jwk);
	return r;
}

static void
assert_asym_round_trip(enum gh_jwt_alg alg)
{
	struct asym		 a;
	struct gh_jwt_claims	 in, out;
	char			 tok[GH_TOKEN_MAX + 1], hdr[128], enc[256];
	long			 n;

	make_asym(&a, alg);
	make_claims(&in);
	n = gh_jwt_sign(&a.key, &in, tok, sizeof(tok));
	cr_assert_gt(n, 0);
	header_of(gh_jwt_alg_name(alg), gh_jwk_kid(a.jwk), hdr, sizeof(hdr));
	cr_assert_gt(gh_b64url_encode(hdr, strlen(hdr), enc, sizeof(enc)), 0);
	cr_assert(strncmp(tok, enc, strlen(enc)) == 0 &&
	    tok[strlen(enc)] == '.', "header %s", hdr);
	cr_assert_eq(gh_jwt_verify(&a.key, tok, (size_t)n, NOW, &out),
	    GH_JWT_OK);
	cr_assert(memcmp(&out, &in, sizeof(in)) == 0);
	gh_jwk_free(a.jwk);
}

Test(jwt, round_trip_es256)
{

	assert_asym_round_trip(GH_JWT_ES256);
}

Test(jwt, round_trip_eddsa)
{

	assert_asym_round_trip(GH_JWT_EDDSA);
}

Test(jwt, round_trip_rs256)
{

	assert_asym_round_trip(GH_JWT_RS256);
}

Test(jwt, alg_lookup_knows_the_asymmetric_names)
{
	static const char *const names[] = { "ES256", "EdDSA", "RS256" };
	enum gh_jwt_alg		 a;
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_eq(gh_jwt_alg_lookup(names[i], &a), 0);
		cr_assert_str_eq(gh_jwt_alg_name(a), names[i]);
		cr_assert_not(gh_jwt_alg_is_hmac(a));
		/* Not for a configuration yet: no key can be configured. */
		cr_assert_eq(gh_jwt_alg_parse(names[i], &a), -1);
	}
	cr_assert_eq(gh_jwt_alg_lookup("HS256", &a), 0);
	cr_assert(gh_jwt_alg_is_hmac(a));
	cr_assert_eq(gh_jwt_alg_lookup("eddsa", &a), -1);
	cr_assert_eq(gh_jwt_alg_lookup("none", &a), -1);
	cr_assert_eq(gh_jwt_alg_lookup("ES384", &a), -1);
}

Test(jwt, tampered_es256_payload_is_bad_signature)
{
	struct asym	 a;
	char		 tok[GH_TOKEN_MAX + 1], *dot;
	size_t		 n;

	make_asym(&a, GH_JWT_ES256);
	n = sign_asym(&a, tok);
	cr_assert_not_null(dot = strchr(tok, '.'));
	dot[1] = dot[1] == 'e' ? 'f' : 'e';
	cr_assert_eq(verify_asym(&a, tok, n), GH_JWT_BAD_SIGNATURE);
	gh_jwk_free(a.jwk);
}

Test(jwt, verification_picks_the_key_by_kid)
{
	struct asym	 a;
	struct gh_jwk	*next;

	make_asym(&a, GH_JWT_ES256);
	next = add_key(&a, GH_JWT_ES256);
	cr_assert_eq(verify_signed_by(&a, next, "ES256", gh_jwk_kid(next)),
	    GH_JWT_OK);
	/* Signed by one key under the other's kid: checked with the other. */
	cr_assert_eq(verify_signed_by(&a, next, "ES256", gh_jwk_kid(a.jwk)),
	    GH_JWT_BAD_SIGNATURE);
	gh_jwk_free(next);
	gh_jwk_free(a.jwk);
}

/* ES256 signatures: exactly 64 bytes of r || s. */
static enum gh_jwt_result
verify_es256_sig(size_t keep, int extra, int der)
{
	struct asym		 a;
	unsigned char		 sig[GH_JWS_SIG_MAX], dersig[80], *p = dersig;
	char			 tok[GH_TOKEN_MAX + 1], hdr[128];
	ECDSA_SIG		*es;
	size_t			 n, len;
	int			 dlen;
	enum gh_jwt_result	 r;

	make_asym(&a, GH_JWT_ES256);
	header_of("ES256", gh_jwk_kid(a.jwk), hdr, sizeof(hdr));
	n = key_sig(a.jwk, hdr, GOOD_PAYLOAD, sig, sizeof(sig));
	cr_assert_eq(n, 64);
	if (der) {
		cr_assert_not_null(es = ECDSA_SIG_new());
		cr_assert(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
		    BN_bin2bn(sig + 32, 32, NULL)));
		dlen = i2d_ECDSA_SIG(es, &p);
		cr_assert_gt(dlen, 0);
		ECDSA_SIG_free(es);
		len = assemble(hdr, GOOD_PAYLOAD, dersig, (size_t)dlen, tok,
		    sizeof(tok));
	} else {
		sig[n] = 0;
		len = assemble(hdr, GOOD_PAYLOAD, sig, keep + (size_t)extra,
		    tok, sizeof(tok));
	}
	r = verify_asym(&a, tok, len);
	gh_jwk_free(a.jwk);
	return r;
}

Test(jwt, es256_signature_of_64_bytes_verifies)
{

	cr_assert_eq(verify_es256_sig(64, 0, 0), GH_JWT_OK);
}

Test(jwt, es256_signature_of_63_bytes_is_refused)
{

	cr_assert_eq(verify_es256_sig(63, 0, 0), GH_JWT_BAD_SIGNATURE);
}

Test(jwt, es256_signature_of_65_bytes_is_refused)
{

	cr_assert_eq(verify_es256_sig(64, 1, 0), GH_JWT_BAD_SIGNATURE);
}

Test(jwt, es256_der_signature_is_refused)
{

	cr_assert_eq(verify_es256_sig(0, 0, 1), GH_JWT_BAD_SIGNATURE);
}

Test(jwt, asymmetric_token_without_kid_is_unknown_key)
{

	cr_assert_eq(verify_header(GH_JWT_EDDSA,
	    "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}"), GH_JWT_UNKNOWN_KEY);
}

Test(jwt, unknown_kid_is_unknown_key)
{
	struct asym	 a;
	struct gh_jwk	*stranger;
	char		 tok[GH_TOKEN_MAX + 1];
	size_t		 n;

	make_asym(&a, GH_JWT_ES256);
	cr_assert_not_null(stranger = gh_jwk_generate(GH_JWT_ES256, 0));
	a.key.signer = stranger;
	n = sign_asym(&a, tok);
	cr_assert_eq(verify_asym(&a, tok, n), GH_JWT_UNKNOWN_KEY);
	/* An empty set knows no key at all. */
	a.key.nkeys = 0;
	cr_assert_eq(verify_asym(&a, tok, n), GH_JWT_UNKNOWN_KEY);
	gh_jwk_free(stranger);
	gh_jwk_free(a.jwk);
}

Test(jwt, retired_kid_is_unknown_key)
{
	struct asym	 a;
	char		 tok[GH_TOKEN_MAX + 1];
	size_t		 n;

	make_asym(&a, GH_JWT_ES256);
	n = sign_asym(&a, tok);
	cr_assert_eq(verify_asym(&a, tok, n), GH_JWT_OK);
	a.set[0].retired = 1;
	cr_assert_eq(verify_asym(&a, tok, n), GH_JWT_UNKNOWN_KEY);
	gh_jwk_free(a.jwk);
}

Test(jwt, kid_of_a_key_of_another_algorithm_is_bad_algorithm)
{
	/*
	 * Signed by the Ed25519 key of the set, under its kid, said to be
	 * ES256 (the configured alg, not that key's) or what it is (not the
	 * configured alg).
	 */
	static const char *const said[] = { "ES256", "EdDSA" };
	struct asym		 a;
	struct gh_jwk		*ed;
	size_t			 i;

	make_asym(&a, GH_JWT_ES256);
	ed = add_key(&a, GH_JWT_EDDSA);
	for (i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		cr_assert_eq(verify_signed_by(&a, ed, said[i], gh_jwk_kid(ed)),
		    GH_JWT_BAD_ALGORITHM, "%s", said[i]);
	gh_jwk_free(ed);
	gh_jwk_free(a.jwk);
}

Test(jwt, alg_none_is_bad_algorithm_with_a_key_set)
{
	struct asym	 a;
	char		 tok[GH_TOKEN_MAX + 1], hdr[128];
	size_t		 len;

	make_asym(&a, GH_JWT_ES256);
	header_of("none", gh_jwk_kid(a.jwk), hdr, sizeof(hdr));
	len = assemble(hdr, GOOD_PAYLOAD, (const unsigned char *)"", 0, tok,
	    sizeof(tok));
	cr_assert_eq(verify_asym(&a, tok, len), GH_JWT_BAD_ALGORITHM);
	gh_jwk_free(a.jwk);
}

/*
 * The classic confusion: an HS256 token whose HMAC key is the public
 * key's bytes, which a verifier taking alg from the token would check
 * with the public key as a secret.
 */
static void
assert_hmac_with_public_key_refused(enum gh_jwt_alg alg, int der)
{
	struct asym	 a;
	unsigned char	 pub[GH_JWK_PEM_MAX], *p = pub, sig[EVP_MAX_MD_SIZE];
	unsigned int	 siglen = 0;
	char		 tok[GH_TOKEN_MAX + 1], hdr[128];
	size_t		 publen, len, pos = 0;
	int		 n;

	make_asym(&a, alg);
	if (der) {
		n = i2d_PUBKEY(gh_jwk_pkey(a.jwk), &p);
		cr_assert_gt(n, 0);
		publen = (size_t)n;
	} else {
		n = (int)gh_jwk_save_public(a.jwk, (char *)pub, sizeof(pub));
		cr_assert_gt(n, 0);
		publen = (size_t)n;
	}
	header_of("HS256", gh_jwk_kid(a.jwk), hdr, sizeof(hdr));
	append_b64(hdr, strlen(hdr), tok, sizeof(tok), &pos);
	tok[pos++] = '.';
	append_b64(GOOD_PAYLOAD, strlen(GOOD_PAYLOAD), tok, sizeof(tok), &pos);
	cr_assert_not_null(HMAC(EVP_sha256(), pub, (int)publen,
	    (const unsigned char *)tok, pos, sig, &siglen));
	tok[pos++] = '.';
	append_b64(sig, siglen, tok, sizeof(tok), &pos);
	len = pos;
	cr_assert_eq(verify_asym(&a, tok, len), GH_JWT_BAD_ALGORITHM);
	gh_jwk_free(a.jwk);
}

Test(jwt, hs256_signed_with_the_es256_public_pem_is_bad_algorithm)
{

	assert_hmac_with_public_key_refused(GH_JWT_ES256, 0);
}

Test(jwt, hs256_signed_with_the_es256_public_der_is_bad_algorithm)
{

	assert_hmac_with_public_key_refused(GH_JWT_ES256, 1);
}

Test(jwt, hs256_signed_with_the_rs256_public_pem_is_bad_algorithm)
{

	assert_hmac_with_public_key_refused(GH_JWT_RS256, 0);
}

Test(jwt, hs256_signed_with_the_rs256_public_der_is_bad_algorithm)
{

	assert_hmac_with_public_key_refused(GH_JWT_RS256, 1);
}

/*
 * A header bringing its own key, or where to fetch one, is refused even
 * when signed by a key of the set: we never take a key from a token.
 */
static void
assert_key_member_refused(const char *member)
{
	struct asym	 a;
	char		 tok[GH_TOKEN_MAX + 1], hdr[512];
	size_t		 len;
	int		 n;

	make_asym(&a, GH_JWT_ES256);
	n = snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"JWT\","
	    "\"kid\":\"%s\",%s}", gh_jwk_kid(a.jwk), member);
	cr_assert(n > 0 && (size_t)n < sizeof(hdr));
	len = key_sign(a.jwk, hdr, GOOD_PAYLOAD, tok, sizeof(tok));
	cr_assert_eq(verify_asym(&a, tok, len), GH_JWT_MALFORMED, "%s", member);
	/* The HMAC path alike. */
	n = snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"typ\":\"JWT\",%s}",
	    member);
	cr_assert(n > 0 && (size_t)n < sizeof(hdr));
	cr_assert_eq(verify_with(hdr, GOOD_PAYLOAD, 0), GH_JWT_MALFORMED, "%s",
	    member);
	gh_jwk_free(a.jwk);
}

Test(jwt, header_with_jwk_is_malformed)
{

	assert_key_member_refused("\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
}

Test(jwt, header_with_jku_is_malformed)
{

	assert_key_member_refused("\"jku\":\"https://evil.example/jwks.json\"");
}

Test(jwt, header_with_x5u_is_malformed)
{

	assert_key_member_refused("\"x5u\":\"https://evil.example/cert.pem\"");
}

Test(jwt, header_with_x5c_is_malformed)
{

	assert_key_member_refused("\"x5c\":[\"MIIBIjANBgkqhkiG9w0BAQEFAAOC\"]");
}

Test(jwt, kid_that_is_not_a_string_is_malformed)
{

	cr_assert_eq(verify_header(GH_JWT_ES256,
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":1}"),
	    GH_JWT_MALFORMED);
}

Test(jwt, kid_longer_than_any_of_ours_is_unknown_key)
{
	struct asym	 a;
	char		 kid[GH_JWK_KID_MAX + 2];

	make_asym(&a, GH_JWT_ES256);
	memset(kid, 'A', sizeof(kid) - 1);
	kid[sizeof(kid) - 1] = '\0';
	cr_assert_eq(verify_signed_by(&a, a.jwk, "ES256", kid),
	    GH_JWT_UNKNOWN_KEY);
	gh_jwk_free(a.jwk);
}

Test(jwt, sign_refuses_without_a_private_key_of_the_alg)
{
	struct asym		 a;
	struct gh_jwk		*pub, *ed;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1], pem[GH_JWK_PEM_MAX];
	long			 n;

	make_asym(&a, GH_JWT_ES256);
	make_claims(&c);
	n = gh_jwk_save_public(a.jwk, pem, sizeof(pem));
	cr_assert_not_null(pub = gh_jwk_load_public(pem, (size_t)n));
	cr_assert_not_null(ed = gh_jwk_generate(GH_JWT_EDDSA, 0));
	a.key.signer = NULL;
	cr_assert_eq(gh_jwt_sign(&a.key, &c, tok, sizeof(tok)), -1);
	a.key.signer = pub;
	cr_assert_eq(gh_jwt_sign(&a.key, &c, tok, sizeof(tok)), -1);
	a.key.signer = ed;
	cr_assert_eq(gh_jwt_sign(&a.key, &c, tok, sizeof(tok)), -1);
	cr_assert_str_eq(tok, "");
	gh_jwk_free(ed);
	gh_jwk_free(pub);
	gh_jwk_free(a.jwk);
}

/* HMAC and kid */

/* Tokens of sessions from before kids were written have none. */
Test(jwt, hs256_token_without_kid_is_accepted)
{
	struct gh_jwt_claims	 c;

	cr_assert_eq(verify_with(HDR256, GOOD_PAYLOAD, 0), GH_JWT_OK);
	cr_assert_eq(verify_payload(GOOD_PAYLOAD, &c), GH_JWT_OK);
}

Test(jwt, hs256_token_with_the_secrets_kid_is_accepted)
{
	char	 kid[GH_JWK_KID_MAX + 1], hdr[128];

	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET), kid, sizeof(kid)), 0);
	header_of("HS256", kid, hdr, sizeof(hdr));
	cr_assert_eq(verify_with(hdr, GOOD_PAYLOAD, 0), GH_JWT_OK);
}

Test(jwt, hs256_token_with_another_kid_is_unknown_key)
{
	char	 hdr[128];

	header_of("HS256", "9_FCR0cQDTTUaxod6E7N8R", hdr, sizeof(hdr));
	cr_assert_eq(verify_with(hdr, GOOD_PAYLOAD, 0), GH_JWT_UNKNOWN_KEY);
}

Test(jwt, hs256_kid_does_not_reveal_the_secret)
{
	char	 kid[GH_JWK_KID_MAX + 1];

	cr_assert_eq(gh_jwk_hs_kid((const unsigned char *)SECRET,
	    strlen(SECRET), kid, sizeof(kid)), 0);
	cr_assert_eq(strlen(kid), 22);
	cr_assert_null(strstr(SECRET, kid));
	cr_assert_null(strstr(kid, "test-secret"));
}
