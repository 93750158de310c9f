/*
 * fuzz_jwt: the JWT verifier and the JWS layer under it, with a fixed
 * HS256 key (32-byte secret, issuer "gatehouse"), or an ES256 key made
 * once per run, the one key of its verification set.
 *
 * The first input byte picks how the rest is used:
 *   bit 0	the key also requires the audience "gatehouse-api"
 *   bits 1-2	0: the rest is a token, verified as it is
 *		1: the rest is "header.payload" (base64url), signed here
 *		2: the rest is a payload (JSON), under a fixed header, signed
 *		3: the rest is header JSON, a NUL, payload JSON, signed
 *   bits 3-4	the algorithm of one more gh_jws_verify() (3 is HS256)
 *   bit 5	that call gets a small payload buffer
 *   bit 6	the key is the ES256 one (the header of mode 2 has its kid)
 * A fuzzer cannot forge a signature, so modes 1 to 3 sign what it made, to
 * get past the signature into the payload and claim checks.  A short
 * input is also read as claims, signed with gh_jwt_sign() and verified.
 *
 * Checked: a client never causes GH_JWT_INTERNAL; claims are zero unless
 * GH_JWT_OK, and on GH_JWT_OK hold what jwt.h promises and exactly what
 * the payload says; a token signed here is never BAD_SIGNATURE; the JWS
 * layer gives back the payload bytes that were signed; valid claims come
 * back from a sign and verify round trip unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/b64url.h"
#include "core/bounds.h"
#include "fuzz.h"
#include "core/jwk.h"
#include "core/jws.h"
#include "core/jwt.h"
#include "core/str.h"

#define SECRET		"fuzz-secret-0123456789abcdefghi!"	/* 32 bytes */
#define ISSUER		"gatehouse"
#define AUDIENCE	"gatehouse-api"
#define HEADER		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
/* The longest header gh_jwt_sign() writes, and signature, encoded. */
#define HEADER_MAX	(sizeof("{\"alg\":\"EdDSA\",\"typ\":\"JWT\","	\
	"\"kid\":\"\"}") + GH_JWK_KID_MAX)
#define SIG_B64_MAX	GH_B64URL_ENCODED_LEN(64)
/* 2026-01-01T00:00:00Z: a fixed clock keeps every run reproducible. */
#define NOW		INT64_C(1767225600)

/* Inputs up to this long are also read as claims. */
#define ROUND_TRIP_MAX	512

#define PAYLOAD_MAX	(GH_B64URL_DECODED_MAX(GH_TOKEN_MAX) + 1)
#define SMALL_PAYLOAD	64
/* Room for a token made of a 5000-byte input, encoded and signed. */
#define TOKEN_BUF	(4 * GH_TOKEN_MAX)

static char	 token[TOKEN_BUF];
static char	 payload[PAYLOAD_MAX];

/* The ES256 key, its set and the header gh_jwt_sign() writes with it. */
static struct gh_jwk		*es_key;
static struct gh_jwt_vkey	 es_set[1];
static char			 es_header[HEADER_MAX];

static void
es_init(void)
{
	int	 n;

	if (es_key != NULL)
		return;
	FUZZ_ASSERT((es_key = gh_jwk_generate(GH_JWT_ES256, 0)) != NULL);
	es_set[0].jwk = es_key;
	n = snprintf(es_header, sizeof(es_header),
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
	    gh_jwk_kid(es_key));
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(es_header));
}

/* A uuid in the lower case jwt.h promises claims hold. */
static int
is_uuid(const char *s)
{
	size_t	 i;

	if (strlen(s) != GH_UUID_LEN)
		return 0;
	for (i = 0; i < GH_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int
bounded(const char *s, size_t sz)
{

	return memchr(s, '\0', sz) != NULL;
}

/* What jwt.h promises of claims after a result r. */
static void
check_claims(enum gh_jwt_result r, const struct gh_jwt_claims *c)
{
	static const struct gh_jwt_claims	 zero;
	size_t					 i;

	if (r != GH_JWT_OK) {
		FUZZ_ASSERT(memcmp(c, &zero, sizeof(zero)) == 0);
		return;
	}
	FUZZ_ASSERT(bounded(c->sub, sizeof(c->sub)) && is_uuid(c->sub));
	FUZZ_ASSERT(bounded(c->sid, sizeof(c->sid)) && is_uuid(c->sid));
	FUZZ_ASSERT(bounded(c->jti, sizeof(c->jti)));
	FUZZ_ASSERT(bounded(c->username, sizeof(c->username)));
	FUZZ_ASSERT(c->username[0] != '\0');
	FUZZ_ASSERT(bounded(c->employee_id, sizeof(c->employee_id)));
	FUZZ_ASSERT(c->nroles <= GH_ROLES_MAX);
	for (i = 0; i < c->nroles; i++)
		FUZZ_ASSERT(bounded(c->roles[i], sizeof(c->roles[i])));
	FUZZ_ASSERT(c->exp > NOW);
}

/* The string member name of obj equals s (absent counts as ""). */
static int
member_is(struct json_object *obj, const char *name, const char *s)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v))
		return s[0] == '\0';
	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == strlen(s) &&
	    strcmp(json_object_get_string(v), s) == 0;
}

/*
 * The uuid member name of obj is s in either case: claims hands uuids out
 * lower-cased whatever case the payload spelt them in.
 */
static int
uuid_member_is(struct json_object *obj, const char *name, const char *s)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	return gh_str_eq_nocase(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), s, strlen(s));
}

/*
 * Accepted claims must be what the payload says, whole: read it again
 * with json-c alone and compare.
 */
static void
check_against_payload(const struct gh_jwt_claims *c, const char *pay,
    size_t paylen)
{
	struct json_object	*obj, *v, *roles;
	size_t			 i;

	FUZZ_ASSERT(strlen(pay) == paylen);
	obj = json_tokener_parse(pay);
	FUZZ_ASSERT(obj != NULL);
	FUZZ_ASSERT(json_object_is_type(obj, json_type_object));
	FUZZ_ASSERT(member_is(obj, "type", "access"));
	FUZZ_ASSERT(member_is(obj, "iss", ISSUER));
	FUZZ_ASSERT(uuid_member_is(obj, "sub", c->sub));
	FUZZ_ASSERT(uuid_member_is(obj, "sid", c->sid));
	FUZZ_ASSERT(member_is(obj, "jti", c->jti));
	FUZZ_ASSERT(member_is(obj, "username", c->username));
	FUZZ_ASSERT(member_is(obj, "employee_id", c->employee_id));
	FUZZ_ASSERT(json_object_object_get_ex(obj, "exp", &v));
	FUZZ_ASSERT(json_object_is_type(v, json_type_int));
	FUZZ_ASSERT(json_object_get_int64(v) == c->exp);
	if (json_object_object_get_ex(obj, "iat", &v)) {
		FUZZ_ASSERT(json_object_is_type(v, json_type_int));
		FUZZ_ASSERT(json_object_get_int64(v) == c->iat);
	} else
		FUZZ_ASSERT(c->iat == 0);
	if (json_object_object_get_ex(obj, "roles", &roles)) {
		FUZZ_ASSERT(json_object_is_type(roles, json_type_array));
		FUZZ_ASSERT(json_object_array_length(roles) == c->nroles);
		for (i = 0; i < c->nroles; i++) {
			v = json_object_array_get_idx(roles, i);
			FUZZ_ASSERT(json_object_is_type(v, json_type_string));
			FUZZ_ASSERT((size_t)json_object_get_string_len(v) ==
			    strlen(c->roles[i]));
			FUZZ_ASSERT(strcmp(json_object_get_string(v),
			    c->roles[i]) == 0);
		}
	} else
		FUZZ_ASSERT(c->nroles == 0);
	json_object_put(obj);
}

/*
 * Verifies tok[0..len) with both layers and checks they agree.  Returns
 * the JWS layer's result; the payload is left in payload.
 */
static enum gh_jwt_result
verify(const struct gh_jwt_key *key, const char *tok, size_t len,
    size_t *plen)
{
	struct gh_jwt_claims	 c;
	enum gh_jwt_result	 r, j;

	r = gh_jwt_verify(key, tok, len, NOW, &c);
	FUZZ_ASSERT(r >= GH_JWT_OK && r < GH_JWT_INTERNAL);
	check_claims(r, &c);

	j = gh_jws_verify_key(key, tok, len, payload, sizeof(payload), plen);
	FUZZ_ASSERT(j >= GH_JWT_OK && j < GH_JWT_INTERNAL);
	if (j != GH_JWT_OK) {
		FUZZ_ASSERT(r == j);
		return j;
	}
	FUZZ_ASSERT(*plen < sizeof(payload) && payload[*plen] == '\0');
	FUZZ_ASSERT(r == GH_JWT_OK || r == GH_JWT_MALFORMED ||
	    r == GH_JWT_EXPIRED || r == GH_JWT_BAD_CLAIMS);
	if (r == GH_JWT_OK)
		check_against_payload(&c, payload, *plen);
	return j;
}

/* Appends in[0..len) base64url-encoded to token at *pos. */
static int
append_b64(const void *in, size_t len, size_t *pos)
{
	long	 n;

	if ((n = gh_b64url_encode(in, len, token + *pos,
	    sizeof(token) - *pos)) == -1)
		return -1;
	*pos += (size_t)n;
	return 0;
}

/* Appends ".signature" over token[0..*pos) with key's secret or key. */
static int
append_signature(const struct gh_jwt_key *key, size_t *pos)
{
	unsigned char	 sig[GH_JWS_SIG_MAX];
	unsigned int	 mdlen = 0;
	long		 n;

	if (key->alg == GH_JWT_ES256) {
		n = gh_jws_sign_bytes(key->signer, token, *pos, sig,
		    sizeof(sig));
		FUZZ_ASSERT(n > 0);
	} else {
		FUZZ_ASSERT(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
		    (const unsigned char *)token, *pos, sig, &mdlen) != NULL);
		n = mdlen;
	}
	if (sizeof(token) - *pos < 2)
		return -1;
	token[(*pos)++] = '.';
	return append_b64(sig, (size_t)n, pos);
}

/* Mode 1: the input is the signing input itself. */
static void
sign_as_is(const struct gh_jwt_key *key, const uint8_t *in, size_t len)
{
	enum gh_jwt_result	 j;
	size_t			 pos = len, plen;

	if (len >= sizeof(token))
		return;
	memcpy(token, in, len);
	if (append_signature(key, &pos) == -1)
		return;
	j = verify(key, token, pos, &plen);
	FUZZ_ASSERT(j != GH_JWT_BAD_SIGNATURE);
}

/*
 * Modes 2 and 3: hdr and pay encoded and signed here.  With the fixed
 * header the JWS layer must hand back exactly pay.
 */
static void
sign_json(const struct gh_jwt_key *key, const void *hdr, size_t hlen,
    const void *pay, size_t len, bool fixed_header)
{
	enum gh_jwt_result	 j;
	size_t			 pos = 0, plen;

	if (append_b64(hdr, hlen, &pos) == -1 || sizeof(token) - pos < 2)
		return;
	token[pos++] = '.';
	if (append_b64(pay, len, &pos) == -1 ||
	    append_signature(key, &pos) == -1)
		return;
	j = verify(key, token, pos, &plen);
	FUZZ_ASSERT(j != GH_JWT_BAD_SIGNATURE);
	if (!fixed_header)
		return;
	if (pos > GH_TOKEN_MAX) {
		FUZZ_ASSERT(j == GH_JWT_TOO_LONG);
		return;
	}
	/* An empty payload part is malformed before any signature. */
	if (len == 0) {
		FUZZ_ASSERT(j == GH_JWT_MALFORMED);
		return;
	}
	FUZZ_ASSERT(j == GH_JWT_OK);
	FUZZ_ASSERT(plen == len && memcmp(payload, pay, len) == 0);
}

struct reader {
	const uint8_t	*p;
	size_t		 n, i;
};

static uint8_t
rd_byte(struct reader *r)
{

	return r->i < r->n ? r->p[r->i++] : 0;
}

static int64_t
rd_int64(struct reader *r)
{
	uint64_t	 u = 0;
	int64_t		 v;
	int		 i;

	for (i = 0; i < 8; i++)
		u = u << 8 | rd_byte(r);
	memcpy(&v, &u, sizeof(v));
	return v;
}

static void
rd_uuid(struct reader *r, char *out)
{
	static const char	 hexd[] = "0123456789abcdef";
	size_t			 i, o = 0;
	uint8_t			 b;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		b = rd_byte(r);
		out[o++] = hexd[b >> 4];
		out[o++] = hexd[b & 0xf];
	}
	out[o] = '\0';
}

/* A string of up to outsz - 1 bytes; a NUL byte ends it, as in C. */
static void
rd_string(struct reader *r, char *out, size_t outsz)
{
	size_t	 len, i;

	len = rd_byte(r) % outsz;
	for (i = 0; i < len; i++)
		if ((out[i] = (char)rd_byte(r)) == '\0')
			break;
	out[i] = '\0';
}

/* Strict UTF-8, as the verifier wants the payload. */
static bool
utf8_ok(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k, n, len = strlen(str);
	unsigned char		 lo, hi;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				return false;
			lo = 0x80;
			hi = 0xbf;
		}
		i += n + 1;
	}
	return true;
}

/* Bytes of s in JSON as json-c writes it: \u00XX, \", \\ or itself. */
static size_t
escaped_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20)
			n += 6;
		else if (*s == '"' || *s == '\\')
			n += 2;
		else
			n++;
	}
	return n;
}

/*
 * Claims from the input, through gh_jwt_sign() and back.  Only valid
 * claims (a username, UTF-8 everywhere) small enough for GH_TOKEN_MAX
 * are held to the round trip: the signer refuses an empty username, and
 * jwt.h does not promise that it refuses invalid UTF-8.
 */
static void
round_trip(const struct gh_jwt_key *key, const uint8_t *in, size_t len)
{
	struct gh_jwt_claims	 c, got;
	struct reader		 r = { in, len, 0 };
	enum gh_jwt_result	 v;
	size_t			 i, est;
	long			 n;
	bool			 valid;

	memset(&c, 0, sizeof(c));
	rd_uuid(&r, c.sub);
	rd_uuid(&r, c.sid);
	if (rd_byte(&r) & 1)
		rd_uuid(&r, c.jti);
	rd_string(&r, c.username, sizeof(c.username));
	rd_string(&r, c.employee_id, sizeof(c.employee_id));
	c.nroles = rd_byte(&r) % (GH_ROLES_MAX + 1);
	for (i = 0; i < c.nroles; i++)
		rd_string(&r, c.roles[i], sizeof(c.roles[i]));
	c.iat = rd_int64(&r);
	c.exp = rd_int64(&r);

	valid = c.username[0] != '\0' && utf8_ok(c.username) &&
	    utf8_ok(c.employee_id);
	est = escaped_len(c.username) + escaped_len(c.employee_id);
	for (i = 0; i < c.nroles; i++) {
		valid = valid && utf8_ok(c.roles[i]);
		est += escaped_len(c.roles[i]) + 3;
	}
	/* Member names, uuids, numbers, iss, aud: well under 400 bytes. */
	est = (est + 400) / 3 * 4 + 4 + HEADER_MAX / 3 * 4 + 4 + 2 +
	    SIG_B64_MAX;

	n = gh_jwt_sign(key, &c, token, sizeof(token));
	if (c.username[0] == '\0') {
		FUZZ_ASSERT(n == -1);
		return;
	}
	if (valid && est <= GH_TOKEN_MAX)
		FUZZ_ASSERT(n > 0);
	if (n <= 0)
		return;
	FUZZ_ASSERT((size_t)n == strlen(token) && n <= GH_TOKEN_MAX);

	v = gh_jwt_verify(key, token, (size_t)n, NOW, &got);
	check_claims(v, &got);
	if (!valid)
		return;
	if (c.exp <= NOW) {
		FUZZ_ASSERT(v == GH_JWT_EXPIRED);
		return;
	}
	/* Issued later than the leeway allows: another node's clock is off. */
	if (c.iat > NOW + (key->leeway > 0 ? key->leeway : 0)) {
		FUZZ_ASSERT(v == GH_JWT_BAD_CLAIMS);
		return;
	}
	FUZZ_ASSERT(v == GH_JWT_OK);
	FUZZ_ASSERT(strcmp(got.sub, c.sub) == 0);
	FUZZ_ASSERT(strcmp(got.sid, c.sid) == 0);
	FUZZ_ASSERT(strcmp(got.jti, c.jti) == 0);
	FUZZ_ASSERT(strcmp(got.username, c.username) == 0);
	FUZZ_ASSERT(strcmp(got.employee_id, c.employee_id) == 0);
	FUZZ_ASSERT(got.nroles == c.nroles);
	for (i = 0; i < c.nroles; i++)
		FUZZ_ASSERT(strcmp(got.roles[i], c.roles[i]) == 0);
	FUZZ_ASSERT(got.iat == c.iat && got.exp == c.exp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum gh_jwt_alg	 algs[] = {
		GH_JWT_HS256, GH_JWT_HS384, GH_JWT_HS512, GH_JWT_HS256
	};
	struct gh_jwt_key	 key;
	const uint8_t		*in, *nul;
	const char		*hdr;
	enum gh_jwt_result	 j;
	size_t			 len, plen, psz;
	uint8_t			 flags;

	if (size == 0)
		return 0;
	flags = data[0];
	in = data + 1;
	len = size - 1;

	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_HS256;
	key.secret = (const unsigned char *)SECRET;
	key.secret_len = strlen(SECRET);
	key.issuer = ISSUER;
	key.audience = (flags & 1) ? AUDIENCE : NULL;
	if (flags & 0x40) {
		es_init();
		key.alg = GH_JWT_ES256;
		key.signer = es_key;
		key.keys = es_set;
		key.nkeys = 1;
	}

	/* Whatever the mode, the bytes are a token too. */
	(void)verify(&key, (const char *)in, len, &plen);

	/* The JWS layer alone, under another algorithm or a small buffer. */
	psz = (flags & 0x20) ? SMALL_PAYLOAD : sizeof(payload);
	j = gh_jws_verify(algs[(flags >> 3) & 3], key.secret, key.secret_len,
	    (const char *)in, len, payload, psz, &plen);
	FUZZ_ASSERT(j >= GH_JWT_OK && j <= GH_JWT_INTERNAL);
	FUZZ_ASSERT(j != GH_JWT_INTERNAL || psz == SMALL_PAYLOAD);
	if (j == GH_JWT_OK)
		FUZZ_ASSERT(plen < psz && payload[plen] == '\0');

	switch ((flags >> 1) & 3) {
	case 1:
		sign_as_is(&key, in, len);
		break;
	case 2:
		hdr = key.alg == GH_JWT_ES256 ? es_header : HEADER;
		sign_json(&key, hdr, strlen(hdr), in, len, true);
		break;
	case 3:
		if ((nul = memchr(in, '\0', len)) == NULL)
			sign_json(&key, in, len, "{}", 2, false);
		else
			sign_json(&key, in, (size_t)(nul - in), nul + 1,
			    len - (size_t)(nul - in) - 1, false);
		break;
	default:
		break;
	}

	if (len <= ROUND_TRIP_MAX)
		round_trip(&key, in, len);
	return 0;
}
