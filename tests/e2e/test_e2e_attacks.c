/*
 * The attack matrix, end to end: forged and malformed tokens, hostile
 * bodies, SQL-looking input in every string field, oversized headers and
 * bodies that come slowly or never (test_e2e_attacks.conf raises the body
 * limit to 1 MiB, so a body nested 100,000 deep reaches the JSON parser).
 * Each case is its own test, asserts the contract's exact answer and ends
 * by checking that /health still answers 200: nothing crashed or hangs.
 */
#define _GNU_SOURCE	/* asprintf, strcasestr */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "client.h"

TestSuite(attacks, .timeout = 120);

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The body limit of test_e2e_attacks.conf, and the web server's (2 MiB:
 * lighttpd's server.max-request-size, Apache's LimitRequestBody).
 */
#define BODY_LIMIT	1048576
#define SERVER_LIMIT	(2048 * 1024)

static const char *const sqli[] = {
	"' OR 1=1 --",
	"x'); DROP TABLE users; --",
	"admin'--",
	"\" OR \"\"=\"",
	"1; SELECT pg_sleep(10); --",
	"'; TRUNCATE sessions CASCADE; --",
};

/* --- helpers ----------------------------------------------------------- */

/* Every test ends here: the service still answers, with its database. */
static void
still_healthy(void)
{
	struct t_resp	 r;

	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "/health afterwards: %ld %s", r.status,
	    r.body);
	cr_assert_str_eq(t_resp_str(&r, "status") ? t_resp_str(&r,
	    "status") : "(none)", "ok");
	t_resp_free(&r);
}

/* Sends body (owned, freed) as JSON with an optional bearer token. */
static void
send_json(const char *method, const char *path, const char *token,
    char *body, struct t_resp *r)
{
	const char	*h[3];
	char		*auth = NULL;
	size_t		 n = 0;

	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	if (token != NULL) {
		cr_assert_geq(asprintf(&auth, "Authorization: Bearer %s",
		    token), 0);
		h[n++] = auth;
	}
	h[n] = NULL;
	t_http(method, path, h, body, body != NULL ? strlen(body) : 0, r);
	free(auth);
	free(body);
}

static void
send_form(const char *path, const char *form, struct t_resp *r)
{
	t_http_form(path, form, r);
}

static const char *
str_or(const struct t_resp *r, const char *key)
{
	const char	*s = t_resp_str(r, key);

	return s != NULL ? s : "(none)";
}

/* A user and a login of it, and the proof that the users table is whole. */
static void
assert_users_intact(struct t_user *known)
{
	cr_assert_str_eq(t_sql("SELECT to_regclass('public.users') IS NOT "
	    "NULL AND to_regclass('public.sessions') IS NOT NULL"), "t",
	    "a table is gone");
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE id = '%s'",
	    known->id), "1");
	cr_assert_neq(atol(t_sql("SELECT count(*) FROM users")), 0);
	t_login(known);
	cr_assert_eq(t_me_status(known->access), 200);
}

/* --- token attacks ----------------------------------------------------- */

/*
 * A refused bearer token gets the same 401 challenge from every program
 * that checks one: me (and the user's own sessions and profile),
 * password, logout (login) and the admin guard.
 */
static void
assert_refused_everywhere(const char *token)
{
	static const char *const cases[][3] = {
		{ "GET", "/api/auth/me", NULL },
		{ "PATCH", "/api/auth/me", "{\"full_name\": \"X\"}" },
		{ "GET", "/api/auth/sessions", NULL },
		{ "DELETE", "/api/auth/sessions/8d1e4f2a-3b4c-4d5e-8f60-"
		    "718293a4b5c6", NULL },
		{ "POST", "/api/auth/password", "{\"current_password\": "
		    "\"Whatever-123\", \"new_password\": \"Whatever-456\"}" },
		{ "POST", "/api/auth/logout", "{}" },
		{ "POST", "/api/auth/logout", "{\"all\": true}" },
		{ "GET", "/api/admin/dashboard", NULL },
		{ "GET", "/api/admin/users", NULL },
	};
	struct t_resp	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		send_json(cases[i][0], cases[i][1], token, cases[i][2] != NULL ?
		    strdup(cases[i][2]) : NULL, &r);
		cr_assert_eq(r.status, 401, "%s %s: %ld %s", cases[i][0],
		    cases[i][1], r.status, r.body);
		t_assert_bearer_401(&r, false);
		t_resp_free(&r);
	}
}

/* The payload of a fresh, valid access token of a new user. */
static struct json_object *
fresh_payload(struct t_user *u, const char *prefix)
{
	long	 st;

	t_make_user(u, prefix);
	st = t_me_status(u->access);
	cr_assert_eq(st, 200, "a fresh token of %s: %ld", u->username, st);
	return t_jwt_part(u->access, 1);
}

/* Signs payload p with alg and the stack's own key, under header h. */
static void
sign_with_stack_key(const char *alg, const char *h, struct json_object *p,
    char *out, size_t outsz)
{
	t_jwt_forge(alg, h, json_object_to_json_string_ext(p,
	    JSON_C_TO_STRING_PLAIN), t_secret(), out, outsz);
}

Test(attacks, alg_none_is_refused)
{
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"None\",\"typ\":\"JWT\"}",
		"{\"alg\":\"NONE\"}",
		"{\"alg\":\"nOnE\",\"typ\":\"JWT\"}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":\"\"}",
		"{\"alg\":null}",
	};
	struct t_user		 u;
	struct json_object	*p;
	char			 tok[4096], good[4096], *dot;
	size_t			 i;

	p = fresh_payload(&u, "anone");
	for (i = 0; i < NELEM(headers); i++) {
		/* No signature at all, as "none" means. */
		t_jwt_forge("none", headers[i], json_object_to_json_string_ext(
		    p, JSON_C_TO_STRING_PLAIN), "", tok, sizeof(tok));
		assert_refused_everywhere(tok);
		/* And with a signature that is valid for HS256 kept on. */
		snprintf(good, sizeof(good), "%s", u.access);
		cr_assert_not_null(dot = strrchr(good, '.'));
		cr_assert_lt(strlen(tok) + strlen(dot), sizeof(tok));
		strcat(tok, dot + 1);
		assert_refused_everywhere(tok);
	}
	json_object_put(p);
	cr_assert_eq(t_me_status(u.access), 200);
	still_healthy();
}

Test(attacks, hs384_with_the_right_key_is_refused)
{
	struct t_user		 u;
	struct json_object	*p;
	char			 tok[4096];

	p = fresh_payload(&u, "a384");
	sign_with_stack_key("HS384", "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", p,
	    tok, sizeof(tok));
	json_object_put(p);
	assert_refused_everywhere(tok);
	still_healthy();
}

Test(attacks, hs512_with_the_right_key_is_refused)
{
	struct t_user		 u;
	struct json_object	*p;
	char			 tok[4096];

	p = fresh_payload(&u, "a512");
	sign_with_stack_key("HS512", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", p,
	    tok, sizeof(tok));
	json_object_put(p);
	assert_refused_everywhere(tok);
	still_healthy();
}

Test(attacks, an_hs256_signature_under_another_alg_name_is_refused)
{
	static const char *const headers[] = {
		"{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
		"{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
	};
	struct t_user		 u;
	struct json_object	*p;
	char			 tok[4096];
	size_t			 i;

	p = fresh_payload(&u, "aname");
	for (i = 0; i < NELEM(headers); i++) {
		/*
		 * Signed with HMAC-SHA256 and the right key, as a verifier
		 * that ignores the header's name would check it.
		 */
		sign_with_stack_key("HS256", headers[i], p, tok, sizeof(tok));
		assert_refused_everywhere(tok);
	}
	json_object_put(p);
	still_healthy();
}

/*
 * RS256 on an HS256 deployment: the classic key confusion signs with
 * HMAC and the (public) key; here the stack's secret, the worst case.
 */
Test(attacks, an_rs256_header_is_refused)
{
	struct t_user		 u;
	struct json_object	*p;
	unsigned char		 junk[256];
	char			 tok[4096], sig[400], *dot;

	p = fresh_payload(&u, "arsa");
	sign_with_stack_key("HS256", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", p,
	    tok, sizeof(tok));
	assert_refused_everywhere(tok);
	/* And an RSA-sized signature of random bytes. */
	cr_assert_eq(RAND_bytes(junk, sizeof(junk)), 1);
	t_b64url(junk, sizeof(junk), sig, sizeof(sig));
	cr_assert_not_null(dot = strrchr(tok, '.'));
	dot[1] = '\0';
	cr_assert_lt(strlen(tok) + strlen(sig), sizeof(tok));
	strcat(tok, sig);
	assert_refused_everywhere(tok);
	sign_with_stack_key("HS256", "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", p,
	    tok, sizeof(tok));
	assert_refused_everywhere(tok);
	json_object_put(p);
	still_healthy();
}

static void
make_expired(struct json_object *p)
{
	json_object_object_add(p, "iat",
	    json_object_new_int64((int64_t)time(NULL) - 7200));
	json_object_object_add(p, "exp",
	    json_object_new_int64((int64_t)time(NULL) - 3600));
}

static void
make_wrong_issuer(struct json_object *p)
{
	json_object_object_add(p, "iss",
	    json_object_new_string("https://evil.example.net"));
}

static void
make_refresh_type(struct json_object *p)
{
	json_object_object_add(p, "type", json_object_new_string("refresh"));
}

static void
make_no_exp(struct json_object *p)
{
	json_object_object_del(p, "exp");
}

static void
make_string_exp(struct json_object *p)
{
	json_object_object_add(p, "exp", json_object_new_string("9999999999"));
}

static void
make_far_exp(struct json_object *p)
{
	/* Past any time_t a 32-bit int holds, and past 64 bits as text. */
	json_object_object_add(p, "exp",
	    json_object_new_double(1e300));
}

static void
make_non_uuid_sub(struct json_object *p)
{
	json_object_object_add(p, "sub", json_object_new_string("' OR 1=1 --"));
}

static void
make_upper_uuid_sub(struct json_object *p)
{
	char			 up[64];
	size_t			 i;

	snprintf(up, sizeof(up), "%s", json_object_get_string(
	    t_json_path(p, "sub")));
	for (i = 0; up[i] != '\0'; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] = (char)(up[i] - 'a' + 'A');
	json_object_object_add(p, "sub", json_object_new_string(up));
}

static void
make_numeric_sub(struct json_object *p)
{
	json_object_object_add(p, "sub", json_object_new_int(1));
}

static void
random_uuid(char *out, size_t outsz)
{
	unsigned char	 b[16];

	cr_assert_eq(RAND_bytes(b, sizeof(b)), 1);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, outsz, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void
make_unknown_sub(struct json_object *p)
{
	char	 id[40];

	random_uuid(id, sizeof(id));
	json_object_object_add(p, "sub", json_object_new_string(id));
}

static void
make_unknown_sid(struct json_object *p)
{
	char	 id[40];

	random_uuid(id, sizeof(id));
	json_object_object_add(p, "sid", json_object_new_string(id));
}

static void
make_non_uuid_sid(struct json_object *p)
{
	json_object_object_add(p, "sid",
	    json_object_new_string("x'); DROP TABLE sessions; --"));
}

/* A validly signed token of a real user, with one thing wrong. */
static void
forged(const char *prefix, void (*edit)(struct json_object *))
{
	struct t_user		 u;
	char			 tok[4096];

	t_make_user(&u, prefix);
	t_jwt_resign(u.access, edit, tok, sizeof(tok));
	assert_refused_everywhere(tok);
	/* The original, unforged, still works: the edit made the 401. */
	cr_assert_eq(t_me_status(u.access), 200);
	still_healthy();
}

Test(attacks, a_validly_signed_expired_token_is_refused)
{
	forged("fexp", make_expired);
}

Test(attacks, a_validly_signed_token_of_another_issuer_is_refused)
{
	forged("fiss", make_wrong_issuer);
}

Test(attacks, a_validly_signed_refresh_type_token_is_refused)
{
	forged("ftyp", make_refresh_type);
}

Test(attacks, a_validly_signed_token_without_exp_is_refused)
{
	forged("fnoexp", make_no_exp);
}

Test(attacks, a_validly_signed_token_with_a_string_exp_is_refused)
{
	forged("fsexp", make_string_exp);
}

Test(attacks, a_validly_signed_token_with_a_huge_exp_does_not_crash)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 tok[4096];

	t_make_user(&u, "fhuge");
	t_jwt_resign(u.access, make_far_exp, tok, sizeof(tok));
	/* A non-integer exp is malformed; whatever it is, never a 500. */
	send_json("GET", "/api/auth/me", tok, NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	still_healthy();
}

Test(attacks, a_validly_signed_token_with_a_non_uuid_sub_is_refused)
{
	forged("fsub", make_non_uuid_sub);
}

/* RFC 9562: a uuid's hex digits are case-insensitive on input. */
Test(attacks, a_validly_signed_token_with_an_upper_case_sub_is_the_user)
{
	struct t_user		 u;
	char			 tok[4096];

	t_make_user(&u, "fsubu");
	t_jwt_resign(u.access, make_upper_uuid_sub, tok, sizeof(tok));
	cr_assert_eq(t_me_status(tok), 200);
	still_healthy();
}

Test(attacks, a_validly_signed_token_with_a_numeric_sub_is_refused)
{
	forged("fsubn", make_numeric_sub);
}

Test(attacks, a_validly_signed_token_of_an_unknown_sub_is_refused)
{
	forged("fusub", make_unknown_sub);
}

Test(attacks, a_validly_signed_token_of_an_unknown_sid_is_refused)
{
	forged("fusid", make_unknown_sid);
}

Test(attacks, a_validly_signed_token_with_a_non_uuid_sid_is_refused)
{
	forged("fnsid", make_non_uuid_sid);
}

/* An Authorization header of "Bearer " and n base64url characters. */
static char *
big_token_header(size_t n, bool jwt_shaped)
{
	static const char	 alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char		*rnd;
	char			*h;
	size_t			 i, off = strlen("Authorization: Bearer ");

	cr_assert_not_null(h = malloc(off + n + 1));
	cr_assert_not_null(rnd = malloc(n));
	cr_assert_eq(RAND_bytes(rnd, (int)n), 1);
	memcpy(h, "Authorization: Bearer ", off);
	for (i = 0; i < n; i++)
		h[off + i] = alphabet[rnd[i] % 64];
	if (jwt_shaped) {
		/* A real header, a huge payload, a signature-sized tail. */
		memcpy(h + off, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37);
		h[off + n - 44] = '.';
	}
	h[off + n] = '\0';
	free(rnd);
	return h;
}

/*
 * A header over the web server's limit (8 KiB for a line or the whole
 * block) gets the server's own refusal, before any program: lighttpd's
 * 431, Apache's 400 (LimitRequestFieldSize).  Under it, gatehouse's 401.
 */
static void
assert_big_header_refused(const struct t_resp *r, size_t n)
{
	const char	*ct;

	cr_assert(r->status == 401 || r->status == 431 || r->status == 400,
	    "a %zu-byte token: %ld %s", n, r->status, r->body);
	if (r->status == 401) {
		t_assert_bearer_401(r, false);
		return;
	}
	/* Not one of gatehouse's answers: a bearer path never says 400. */
	ct = t_resp_header(r, "Content-Type");
	cr_assert(ct == NULL || strncasecmp(ct, "application/json", 16) != 0,
	    "a %zu-byte token: gatehouse answered %ld %s", n, r->status,
	    r->body);
}

static void
assert_big_token_refused(size_t n, bool jwt_shaped)
{
	const char	*hs[2];
	struct t_resp	 r;
	char		*h;

	h = big_token_header(n, jwt_shaped);
	hs[0] = h;
	hs[1] = NULL;
	t_http("GET", "/api/auth/me", hs, NULL, 0, &r);
	assert_big_header_refused(&r, n);
	t_resp_free(&r);
	t_http("GET", "/api/admin/users", hs, NULL, 0, &r);
	assert_big_header_refused(&r, n);
	t_resp_free(&r);
	free(h);
}

Test(attacks, a_7_kib_token_is_refused_by_gatehouse)
{
	const char	*hs[2];
	struct t_resp	 r;
	char		*h;

	/* Under lighttpd's header limit, so the program sees it. */
	h = big_token_header(7 * 1024, true);
	hs[0] = h;
	hs[1] = NULL;
	t_http("GET", "/api/auth/me", hs, NULL, 0, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
	free(h);
	still_healthy();
}

Test(attacks, an_8_kib_token_is_refused)
{
	assert_big_token_refused(8 * 1024, true);
	assert_big_token_refused(8 * 1024, false);
	still_healthy();
}

Test(attacks, a_64_kib_token_is_refused)
{
	assert_big_token_refused(64 * 1024, true);
	assert_big_token_refused(64 * 1024, false);
	still_healthy();
}

Test(attacks, bad_base64url_tokens_are_refused)
{
	struct t_user		 u;
	char			 tok[4096], *p;
	char			 variants[12][4200];
	size_t			 i, n = 0, len;

	t_make_user(&u, "ab64");
	/*
	 * A token with a '-' or '_' somewhere (ASCII JSON seldom gives
	 * one, its signature mostly does), so the standard alphabet's
	 * spelling differs from it.
	 */
	for (i = 0; i < 50 && strpbrk(u.access, "-_") == NULL; i++)
		t_login(&u);
	cr_assert_not_null(strpbrk(u.access, "-_"));
	len = strlen(u.access);
	/* Standard base64's alphabet where base64url's belongs. */
	snprintf(tok, sizeof(tok), "%s", u.access);
	for (p = tok; *p != '\0'; p++)
		if (*p == '-' || *p == '_')
			*p = *p == '-' ? '+' : '/';
	snprintf(variants[n++], sizeof(variants[0]), "%s", tok);
	/* Padding. */
	snprintf(variants[n++], sizeof(variants[0]), "%s==", u.access);
	p = strchr(u.access, '.');
	snprintf(variants[n++], sizeof(variants[0]), "%.*s=%s",
	    (int)(p - u.access), u.access, p);
	/* A character of neither alphabet, in each part. */
	snprintf(tok, sizeof(tok), "%s", u.access);
	tok[3] = '*';
	snprintf(variants[n++], sizeof(variants[0]), "%s", tok);
	snprintf(tok, sizeof(tok), "%s", u.access);
	tok[strchr(tok, '.') - tok + 5] = '!';
	snprintf(variants[n++], sizeof(variants[0]), "%s", tok);
	snprintf(tok, sizeof(tok), "%s", u.access);
	tok[len - 3] = '~';
	snprintf(variants[n++], sizeof(variants[0]), "%s", tok);
	/* A length no base64 has (4k + 1), in the signature. */
	snprintf(variants[n++], sizeof(variants[0]), "%sA", u.access);
	/* Parts that are base64url of something other than a JSON object. */
	snprintf(variants[n++], sizeof(variants[0]), "bm90IGpzb24.%s",
	    strchr(u.access, '.') + 1);
	snprintf(variants[n++], sizeof(variants[0]), "W10.%s",
	    strchr(u.access, '.') + 1);
	/* Too many and too few parts; empty parts. */
	snprintf(variants[n++], sizeof(variants[0]), "%s.%s", u.access,
	    "e30");
	snprintf(variants[n++], sizeof(variants[0]), "..");
	snprintf(variants[n++], sizeof(variants[0]), "%.*s",
	    (int)(strrchr(u.access, '.') - u.access), u.access);
	for (i = 0; i < n; i++)
		assert_refused_everywhere(variants[i]);
	cr_assert_eq(t_me_status(u.access), 200);
	still_healthy();
}

Test(attacks, a_token_of_invalid_utf8_is_refused)
{
	static const char	 bad_json[] = "{\"alg\":\"HS256\",\"x\":\"\xff\"}";
	struct t_user		 u;
	char			 tok[4096], h[200], sig[200], *payload;
	unsigned char		 mac[EVP_MAX_MD_SIZE];
	unsigned int		 maclen;
	char			 input[4096];

	t_make_user(&u, "autf");
	t_b64url((const unsigned char *)bad_json, strlen(bad_json), h,
	    sizeof(h));
	payload = strchr(u.access, '.') + 1;
	snprintf(input, sizeof(input), "%s.%.*s", h,
	    (int)(strrchr(u.access, '.') - payload), payload);
	cr_assert_not_null(HMAC(EVP_sha256(), t_secret(),
	    (int)strlen(t_secret()), (unsigned char *)input,
	    strlen(input), mac, &maclen));
	t_b64url(mac, maclen, sig, sizeof(sig));
	cr_assert_lt(snprintf(tok, sizeof(tok), "%s.%s", input, sig),
	    (int)sizeof(tok));
	assert_refused_everywhere(tok);
	still_healthy();
}

/* --- hostile bodies ---------------------------------------------------- */

static void
assert_400(const char *path, const char *body, size_t len, const char *what)
{
	const char	*h[] = { "Content-Type: application/json", NULL };
	struct t_resp	 r;

	t_http("POST", path, h, body, len, &r);
	cr_assert_eq(r.status, 400, "%s to %s: %ld %s", what, path, r.status,
	    r.body);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

/* prefix, n copies of open, middle, n copies of close, suffix. */
static char *
nested(const char *prefix, const char *open, size_t n, const char *middle,
    const char *close, const char *suffix)
{
	size_t	 lo = strlen(open), lc = strlen(close), len, i;
	char	*s, *p;

	len = strlen(prefix) + n * (lo + lc) + strlen(middle) + strlen(suffix);
	cr_assert_not_null(s = malloc(len + 1));
	p = stpcpy(s, prefix);
	for (i = 0; i < n; i++)
		p = memcpy(p, open, lo), p += lo;
	p = stpcpy(p, middle);
	for (i = 0; i < n; i++)
		p = memcpy(p, close, lc), p += lc;
	p = stpcpy(p, suffix);
	cr_assert_eq((size_t)(p - s), len);
	return s;
}

static void
assert_deep_refused(const char *path)
{
	char	*bodies[4];
	size_t	 i;

	bodies[0] = nested("{\"username\": ", "[", 100000, "", "]",
	    ", \"password\": \"Deep-Password-1\"}");
	bodies[1] = nested("", "{\"a\":", 100000, "1", "}", "");
	/* Never closed. */
	bodies[2] = nested("{\"password\": ", "[", 100000, "", "", "");
	bodies[3] = nested("{\"username\": \"deep\", \"password\": ", "{\"\":",
	    100000, "\"x\"", "}", "}");
	for (i = 0; i < NELEM(bodies); i++) {
		cr_assert_leq(strlen(bodies[i]), BODY_LIMIT);
		assert_400(path, bodies[i], strlen(bodies[i]), "100,000 deep");
		free(bodies[i]);
	}
}

Test(attacks, json_nested_100000_deep_to_register_answers_400)
{
	assert_deep_refused("/api/auth/register");
	still_healthy();
}

Test(attacks, json_nested_100000_deep_to_login_answers_400)
{
	assert_deep_refused("/api/auth/login");
	assert_deep_refused("/api/auth/refresh");
	still_healthy();
}

static const char *const bad_utf8[] = {
	"\xff",				/* never in UTF-8 */
	"ab\xc3(",			/* a lead byte without continuation */
	"\xc0\xaf",			/* overlong '/' */
	"\xe0\x80\xaf",			/* overlong, 3 bytes */
	"\xed\xa0\x80",			/* a UTF-16 surrogate */
	"\xf4\x90\x80\x80",		/* past U+10FFFF */
	"abc\x80",			/* a lone continuation byte */
	"\xf0\x9f\x98",			/* cut short */
};

Test(attacks, invalid_utf8_in_a_json_body_answers_400)
{
	static const char *const paths[] = { "/api/auth/register",
	    "/api/auth/login" };
	char		 body[256];
	size_t		 i, k;

	for (k = 0; k < NELEM(paths); k++)
		for (i = 0; i < NELEM(bad_utf8); i++) {
			snprintf(body, sizeof(body), "{\"username\": "
			    "\"u%s\", \"password\": \"Utf8-Password-1\"}",
			    bad_utf8[i]);
			assert_400(paths[k], body, strlen(body), "bad UTF-8");
			snprintf(body, sizeof(body), "{\"username\": "
			    "\"utf8user\", \"password\": \"Pw-%s-123\"}",
			    bad_utf8[i]);
			assert_400(paths[k], body, strlen(body), "bad UTF-8");
			/* In a member name, too. */
			snprintf(body, sizeof(body), "{\"username\": "
			    "\"utf8user\", \"password\": \"Utf8-Password-1\", "
			    "\"x%s\": 1}", bad_utf8[i]);
			assert_400(paths[k], body, strlen(body), "bad UTF-8");
		}
	still_healthy();
}

Test(attacks, invalid_utf8_in_a_form_answers_400)
{
	static const char *const forms[] = {
		"grant_type=password&username=u%FF&password=Utf8-Password-1",
		"grant_type=password&username=utf8user&password=%C0%AF",
		"grant_type=password&username=%ED%A0%80&password=x",
		"username=u&password=Pw%F4%90%80%80",
	};
	struct t_resp	 r;
	size_t		 i;

	for (i = 0; i < NELEM(forms); i++) {
		send_form("/api/auth/login", forms[i], &r);
		t_assert_error(&r, 400, "invalid_request");
		t_resp_free(&r);
	}
	send_form("/api/auth/refresh", "refresh_token=%FF%FE", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	still_healthy();
}

Test(attacks, an_escaped_nul_in_a_json_string_answers_400)
{
	static const char *const paths[] = { "/api/auth/register",
	    "/api/auth/login" };
	static const char *const bodies[] = {
		"{\"username\": \"nul\\u0000user\", \"password\": "
		    "\"Nul-Password-1\"}",
		"{\"username\": \"nuluser\", \"password\": "
		    "\"Nul-Password-1\\u0000tail\"}",
		"{\"username\": \"\\u0000\", \"password\": "
		    "\"Nul-Password-1\"}",
		"{\"email\": \"a\\u0000@example.com\", \"password\": "
		    "\"Nul-Password-1\"}",
	};
	size_t		 i, k;

	for (k = 0; k < NELEM(paths); k++)
		for (i = 0; i < NELEM(bodies); i++)
			assert_400(paths[k], bodies[i], strlen(bodies[i]),
			    "\\u0000");
	assert_400("/api/auth/refresh", "{\"refresh_token\": \"ab\\u0000c\"}",
	    strlen("{\"refresh_token\": \"ab\\u0000c\"}"), "\\u0000");
	still_healthy();
}

Test(attacks, an_escaped_nul_in_an_admin_field_answers_400)
{
	struct t_user		 admin;
	struct t_resp		 r;

	t_make_admin(&admin, "anul");
	send_json("POST", "/api/admin/users", admin.access,
	    strdup("{\"username\": \"nuladmin\", \"password\": "
	    "\"Nul-Password-1\", \"full_name\": \"a\\u0000b\"}"), &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	send_json("POST", "/api/admin/roles", admin.access,
	    strdup("{\"name\": \"nulrole\", \"description\": \"a\\u0000b\"}"),
	    &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	still_healthy();
}

Test(attacks, a_raw_nul_byte_in_a_json_body_answers_400)
{
	static const char	 body[] = "{\"username\": \"nul\0user\", "
	    "\"password\": \"Nul-Password-1\"}";
	static const char	 after[] = "{\"username\": \"nuluser\", "
	    "\"password\": \"Nul-Password-1\"}\0{\"x\": 1}";

	assert_400("/api/auth/register", body, sizeof(body) - 1, "raw NUL");
	assert_400("/api/auth/login", body, sizeof(body) - 1, "raw NUL");
	assert_400("/api/auth/login", after, sizeof(after) - 1, "raw NUL");
	still_healthy();
}

Test(attacks, a_nul_in_a_form_answers_400)
{
	static const char *const forms[] = {
		"grant_type=password&username=nul%00user&password=Pw-1234567",
		"grant_type=password&username=nuluser&password=Pw-1234567%00",
		"grant_type=password&user%00name=nuluser&password=Pw-1234567",
	};
	struct t_resp	 r;
	size_t		 i;

	for (i = 0; i < NELEM(forms); i++) {
		send_form("/api/auth/login", forms[i], &r);
		t_assert_error(&r, 400, "invalid_request");
		t_resp_free(&r);
	}
	send_form("/api/auth/refresh",
	    "grant_type=refresh_token&refresh_token=abc%00def", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	still_healthy();
}

Test(attacks, a_nul_or_bad_utf8_in_the_admin_query_answers_400)
{
	struct t_user		 admin;
	struct t_resp		 r;

	t_make_admin(&admin, "anq");
	/*
	 * lighttpd refuses a URL with an encoded control character itself
	 * (url-ctrls-reject), with its own HTML 400: the program never sees
	 * it.  Either way a 400, and gatehouse's is the contract's.
	 */
	send_json("GET", "/api/admin/users?q=a%00b", admin.access, NULL, &r);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	if (r.json != NULL)
		t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	/* So does it a URL that is not UTF-8. */
	send_json("GET", "/api/admin/users?q=%FF%FE", admin.access, NULL, &r);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	if (r.json != NULL)
		t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	still_healthy();
}

/* --- SQL-looking input ------------------------------------------------- */

/* s with a unique tail: for unique columns, as tests run in parallel. */
static const char *
uniq(const char *s)
{
	static char	 buf[256];

	snprintf(buf, sizeof(buf), "%s %s", s, t_unique(""));
	return buf;
}

Test(attacks, sql_in_every_register_field)
{
	struct t_user		 known;
	struct t_resp		 r;
	char			 user[80], eid[256];
	size_t			 i;

	t_register(&known, "sqlk");
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("POST", "/api/auth/register", NULL,
		    t_jbody("username", sqli[i], "password", "Sql-Password-1",
		    NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "username");
		t_resp_free(&r);

		snprintf(user, sizeof(user), "%s", t_unique("sqle"));
		send_json("POST", "/api/auth/register", NULL,
		    t_jbody("username", user, "password", "Sql-Password-1",
		    "email", sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "email");
		t_resp_free(&r);

		send_json("POST", "/api/auth/register", NULL,
		    t_jbody("username", user, "password", "Sql-Password-1",
		    "phone", sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "phone");
		t_resp_free(&r);

		/* A role is never chosen, whatever it says. */
		send_json("POST", "/api/auth/register", NULL,
		    t_jbody("username", user, "password", "Sql-Password-1",
		    "role", sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "role");
		t_resp_free(&r);

		/* Free text is taken, and stored exactly as sent. */
		snprintf(eid, sizeof(eid), "%s", uniq(sqli[i]));
		send_json("POST", "/api/auth/register", NULL,
		    t_jbody("username", user, "password", sqli[i], "full_name",
		    sqli[i], "employee_id", eid, NULL), &r);
		cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
		cr_assert_str_eq(str_or(&r, "full_name"), sqli[i]);
		cr_assert_str_eq(str_or(&r, "employee_id"), eid);
		cr_assert(t_json_array_has(t_json_path(r.json, "roles"),
		    "user") && json_object_array_length(t_json_path(r.json,
		    "roles")) == 1, "roles: %s", r.body);
		t_resp_free(&r);
		/* The SQL-looking password is just a password. */
		send_json("POST", "/api/auth/login", NULL, t_jbody("username",
		    user, "password", sqli[i], NULL), &r);
		cr_assert_eq(r.status, 200, "login with \"%s\": %ld %s",
		    sqli[i], r.status, r.body);
		t_resp_free(&r);
	}
	/* A quote-bearing address that is valid: taken verbatim. */
	snprintf(user, sizeof(user), "%s", t_unique("sqlq"));
	snprintf(eid, sizeof(eid), "o'hara'--%s@example.com", t_unique(""));
	send_json("POST", "/api/auth/register", NULL, t_jbody("username", user,
	    "password", "Sql-Password-1", "email", eid, NULL), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(str_or(&r, "email"), eid);
	t_resp_free(&r);
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_every_login_field)
{
	static const char *const ids[] = { "username", "email",
	    "employee_id" };
	struct t_user		 known;
	struct t_resp		 r;
	char			 mixed[200];
	size_t			 i, k;

	t_register(&known, "sqll");
	for (i = 0; i < NELEM(sqli); i++) {
		for (k = 0; k < NELEM(ids); k++) {
			send_json("POST", "/api/auth/login", NULL,
			    t_jbody(ids[k], sqli[i], "password",
			    "Sql-Password-1", NULL), &r);
			t_assert_error(&r, 401, "invalid_grant");
			t_resp_free(&r);
			send_json("POST", "/api/auth/login", NULL,
			    t_jbody(ids[k], sqli[i], "password", sqli[i], NULL),
			    &r);
			t_assert_error(&r, 401, "invalid_grant");
			t_resp_free(&r);
		}
		/* The known user's name with SQL after it. */
		snprintf(mixed, sizeof(mixed), "%s%s", known.username, sqli[i]);
		send_json("POST", "/api/auth/login", NULL, t_jbody("username",
		    mixed, "password", known.password, NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		send_json("POST", "/api/auth/login", NULL, t_jbody("username",
		    known.username, "password", sqli[i], NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		send_json("POST", "/api/auth/login", NULL, t_jbody("username",
		    known.username, "password", known.password, "grant_type",
		    sqli[i], NULL), &r);
		t_assert_error(&r, 400, "unsupported_grant_type");
		t_resp_free(&r);
	}
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_every_login_and_refresh_form_field)
{
	struct t_user		 known;
	struct t_resp		 r;
	char			 enc[256], form[1024];
	size_t			 i;

	t_make_user(&known, "sqlf");
	for (i = 0; i < NELEM(sqli); i++) {
		t_urlencode(sqli[i], enc, sizeof(enc));
		snprintf(form, sizeof(form), "grant_type=password&username=%s&"
		    "password=%s", enc, enc);
		send_form("/api/auth/login", form, &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		snprintf(form, sizeof(form), "grant_type=password&username=%s&"
		    "password=%s", known.username, enc);
		send_form("/api/auth/login", form, &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		snprintf(form, sizeof(form), "grant_type=refresh_token&"
		    "refresh_token=%s", enc);
		send_form("/api/auth/refresh", form, &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		snprintf(form, sizeof(form), "grant_type=%s&"
		    "refresh_token=%s", enc, known.refresh);
		send_form("/api/auth/refresh", form, &r);
		t_assert_error(&r, 400, "unsupported_grant_type");
		t_resp_free(&r);
	}
	/* The known user's refresh token was never spent. */
	t_refresh(&known);
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_the_refresh_token)
{
	struct t_user		 known;
	struct t_resp		 r;
	char			 mixed[800];
	size_t			 i;

	t_make_user(&known, "sqlr");
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("POST", "/api/auth/refresh", NULL, t_jbody(
		    "refresh_token", sqli[i], NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		snprintf(mixed, sizeof(mixed), "%s%s", known.refresh, sqli[i]);
		send_json("POST", "/api/auth/refresh", NULL, t_jbody(
		    "refresh_token", mixed, NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	t_refresh(&known);
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_the_logout_body)
{
	struct t_user		 known;
	struct t_resp		 r;
	size_t			 i;

	t_make_user(&known, "sqlo");
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("POST", "/api/auth/logout", known.access, t_jbody(
		    "refresh_token", sqli[i], NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
		send_json("POST", "/api/auth/logout", known.access, t_jbody(
		    "all", sqli[i], NULL), &r);
		t_assert_field_error(&r, 400, "invalid_request", "all");
		t_resp_free(&r);
	}
	/* Nothing was ended. */
	cr_assert_eq(t_me_status(known.access), 200);
	t_refresh(&known);
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_the_password_change)
{
	struct t_user		 known;
	struct t_resp		 r;
	size_t			 i;

	t_make_user(&known, "sqlp");
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("POST", "/api/auth/password", known.access, t_jbody(
		    "current_password", sqli[i], "new_password",
		    "Sql-New-Password-1", NULL), &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	/* A SQL-looking new password is just a password. */
	send_json("POST", "/api/auth/password", known.access, t_jbody(
	    "current_password", known.password, "new_password", sqli[1],
	    NULL), &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(known.password, sizeof(known.password), "%s", sqli[1]);
	assert_users_intact(&known);
	still_healthy();
}

Test(attacks, sql_in_every_admin_create_field)
{
	struct t_user		 admin;
	struct t_resp		 r;
	char			 user[80], eid[256], body[600], role[200];
	struct json_object	*s;
	size_t			 i;

	t_make_admin(&admin, "sqlac");
	for (i = 0; i < NELEM(sqli); i++) {
		snprintf(user, sizeof(user), "%s", t_unique("sqlc"));
		send_json("POST", "/api/admin/users", admin.access, t_jbody(
		    "username", sqli[i], "password", "Sql-Password-1", NULL),
		    &r);
		t_assert_field_error(&r, 422, "validation_failed", "username");
		t_resp_free(&r);
		send_json("POST", "/api/admin/users", admin.access, t_jbody(
		    "username", user, "password", "Sql-Password-1", "email",
		    sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "email");
		t_resp_free(&r);
		send_json("POST", "/api/admin/users", admin.access, t_jbody(
		    "username", user, "password", "Sql-Password-1", "phone",
		    sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "phone");
		t_resp_free(&r);
		send_json("POST", "/api/admin/users", admin.access, t_jbody(
		    "username", user, "password", "Sql-Password-1", "status",
		    sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "status");
		t_resp_free(&r);
		s = json_object_new_string(sqli[i]);
		snprintf(role, sizeof(role), "%s", json_object_to_json_string(
		    s));
		json_object_put(s);
		snprintf(body, sizeof(body), "{\"username\": \"%s\", "
		    "\"password\": \"Sql-Password-1\", \"roles\": [\"user\", "
		    "%s]}", user, role);
		send_json("POST", "/api/admin/users", admin.access,
		    strdup(body), &r);
		t_assert_field_error(&r, 422, "validation_failed", "roles");
		t_resp_free(&r);
		/* Free text is taken verbatim. */
		snprintf(eid, sizeof(eid), "%s", uniq(sqli[i]));
		send_json("POST", "/api/admin/users", admin.access, t_jbody(
		    "username", user, "password", sqli[i], "full_name",
		    sqli[i], "employee_id", eid, NULL), &r);
		cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
		cr_assert_str_eq(str_or(&r, "full_name"), sqli[i]);
		cr_assert_str_eq(str_or(&r, "employee_id"), eid);
		t_resp_free(&r);
	}
	assert_users_intact(&admin);
	still_healthy();
}

Test(attacks, sql_in_every_admin_patch_field)
{
	struct t_user		 admin, victim;
	struct t_resp		 r;
	char			 path[200], eid[256], body[600], role[200];
	struct json_object	*s;
	size_t			 i;

	t_make_admin(&admin, "sqlap");
	t_make_user(&victim, "sqlv");
	snprintf(path, sizeof(path), "/api/admin/users/%s", victim.id);
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("PATCH", path, admin.access, t_jbody("email", sqli[i],
		    NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "email");
		t_resp_free(&r);
		send_json("PATCH", path, admin.access, t_jbody("phone", sqli[i],
		    NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "phone");
		t_resp_free(&r);
		send_json("PATCH", path, admin.access,
		    t_jbody("status", sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "status");
		t_resp_free(&r);
		s = json_object_new_string(sqli[i]);
		snprintf(role, sizeof(role), "%s", json_object_to_json_string(
		    s));
		json_object_put(s);
		snprintf(body, sizeof(body), "{\"roles\": [%s]}", role);
		send_json("PATCH", path, admin.access, strdup(body), &r);
		t_assert_field_error(&r, 422, "validation_failed", "roles");
		t_resp_free(&r);
		snprintf(eid, sizeof(eid), "%s", uniq(sqli[i]));
		send_json("PATCH", path, admin.access, t_jbody("full_name",
		    sqli[i], "employee_id", eid, NULL), &r);
		cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
		cr_assert_str_eq(str_or(&r, "full_name"), sqli[i]);
		cr_assert_str_eq(str_or(&r, "employee_id"), eid);
		cr_assert_str_eq(str_or(&r, "username"), victim.username);
		t_resp_free(&r);
	}
	/* An admin's password reset to a SQL-looking password. */
	send_json("PATCH", path, admin.access, t_jbody("password", sqli[1],
	    NULL), &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(victim.password, sizeof(victim.password), "%s", sqli[1]);
	assert_users_intact(&victim);
	assert_users_intact(&admin);
	still_healthy();
}

Test(attacks, sql_in_the_admin_user_path)
{
	static const char *const methods[] = { "GET", "PATCH", "DELETE" };
	struct t_user		 admin;
	struct t_resp		 r;
	char			 enc[256], path[400];
	size_t			 i, k;

	t_make_admin(&admin, "sqlpa");
	for (i = 0; i < NELEM(sqli) + 2; i++) {
		if (i < NELEM(sqli))
			t_urlencode(sqli[i], enc, sizeof(enc));
		else if (i == NELEM(sqli))
			/* As sent, without percent-encoding. */
			snprintf(enc, sizeof(enc), "'OR'1'='1");
		else
			snprintf(enc, sizeof(enc), "%s'--", admin.id);
		snprintf(path, sizeof(path), "/api/admin/users/%s", enc);
		for (k = 0; k < NELEM(methods); k++) {
			send_json(methods[k], path, admin.access, k == 1 ?
			    strdup("{\"full_name\": \"x\"}") : NULL, &r);
			t_assert_error(&r, 404, "not_found");
			t_resp_free(&r);
		}
	}
	assert_users_intact(&admin);
	still_healthy();
}

Test(attacks, sql_in_the_admin_list_query)
{
	struct t_user		 admin;
	struct t_resp		 r;
	struct json_object	*items, *it;
	char			 enc[256], path[800], marker[200], b64[400];
	const char		*fields[] = { "username", "email", "full_name",
	    "employee_id" };
	size_t			 i, k, f;
	bool			 found, hit;

	t_make_admin(&admin, "sqlal");
	/* A user whose name holds the SQL, found by exactly that text. */
	snprintf(marker, sizeof(marker), "' OR 1=1 -- %s", t_unique(""));
	send_json("POST", "/api/admin/users", admin.access, t_jbody("username",
	    t_unique("sqlm"), "password", "Sql-Password-1", "full_name",
	    marker, NULL), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	for (i = 0; i < NELEM(sqli) + 1; i++) {
		t_urlencode(i < NELEM(sqli) ? sqli[i] : marker, enc,
		    sizeof(enc));
		snprintf(path, sizeof(path), "/api/admin/users?limit=200&q=%s",
		    enc);
		send_json("GET", path, admin.access, NULL, &r);
		cr_assert_eq(r.status, 200, "q=%s: %ld %s", enc, r.status,
		    r.body);
		cr_assert_not_null(items = t_json_path(r.json, "items"));
		found = false;
		/* Every user listed holds the text, as a plain substring. */
		for (k = 0; k < json_object_array_length(items); k++) {
			it = json_object_array_get_idx(items, k);
			hit = false;
			for (f = 0; f < NELEM(fields); f++) {
				const char *v = json_object_get_string(
				    t_json_path(it, fields[f]));

				if (v != NULL && strcasestr(v, i <
				    NELEM(sqli) ? sqli[i] : marker) != NULL)
					hit = true;
			}
			cr_assert(hit, "q=%s listed %s", enc,
			    json_object_to_json_string(it));
			if (strcmp(json_object_get_string(t_json_path(it,
			    "full_name")) ? json_object_get_string(
			    t_json_path(it, "full_name")) : "", marker) == 0)
				found = true;
		}
		if (i == 0 || i == NELEM(sqli))
			cr_assert(found, "q=%s did not find the marker", enc);
		t_resp_free(&r);

		snprintf(path, sizeof(path), "/api/admin/users?limit=%s", enc);
		send_json("GET", path, admin.access, NULL, &r);
		t_assert_field_error(&r, 422, "validation_failed", "limit");
		t_resp_free(&r);

		snprintf(path, sizeof(path), "/api/admin/users?after=%s", enc);
		send_json("GET", path, admin.access, NULL, &r);
		t_assert_error(&r, 400, "invalid_request");
		t_resp_free(&r);

		/* A "cursor" that decodes to the SQL. */
		t_b64url((const unsigned char *)(i < NELEM(sqli) ? sqli[i] :
		    marker), strlen(i < NELEM(sqli) ? sqli[i] : marker), b64,
		    sizeof(b64));
		snprintf(path, sizeof(path), "/api/admin/users?after=%s", b64);
		send_json("GET", path, admin.access, NULL, &r);
		t_assert_error(&r, 400, "invalid_request");
		t_resp_free(&r);
	}
	/* LIKE's wildcards are plain characters too. */
	send_json("GET", "/api/admin/users?limit=200&q=%25", admin.access, NULL,
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	items = t_json_path(r.json, "items");
	for (k = 0; k < json_object_array_length(items); k++) {
		it = json_object_array_get_idx(items, k);
		cr_assert_not_null(strchr(json_object_to_json_string(it), '%'),
		    "q=%% listed %s", json_object_to_json_string(it));
	}
	t_resp_free(&r);
	assert_users_intact(&admin);
	still_healthy();
}

Test(attacks, sql_in_the_admin_roles)
{
	struct t_user		 admin;
	struct t_resp		 r;
	char			 name[80];
	size_t			 i;

	t_make_admin(&admin, "sqlro");
	for (i = 0; i < NELEM(sqli); i++) {
		send_json("POST", "/api/admin/roles", admin.access, t_jbody(
		    "name", sqli[i], NULL), &r);
		t_assert_field_error(&r, 422, "validation_failed", "name");
		t_resp_free(&r);
		snprintf(name, sizeof(name), "%s", t_unique("r"));
		send_json("POST", "/api/admin/roles", admin.access, t_jbody(
		    "name", name, "description", sqli[i], NULL), &r);
		cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
		cr_assert_str_eq(str_or(&r, "description"), sqli[i]);
		t_resp_free(&r);
	}
	cr_assert_str_eq(t_sql("SELECT count(*) FROM roles WHERE name IN "
	    "('admin', 'user')"), "2");
	assert_users_intact(&admin);
	still_healthy();
}

/* --- raw sockets: headers and bodies the client controls -------------- */

static int
raw_connect(void)
{
	struct sockaddr_in	 sin;
	const char		*base, *colon;
	long			 port;
	int			 fd;

	base = getenv("GH_TEST_BASE_URL");
	cr_assert_not_null(base, "GH_TEST_BASE_URL is not set");
	cr_assert_not_null(colon = strrchr(base, ':'));
	port = strtol(colon + 1, NULL, 10);
	cr_assert(port > 0 && port < 65536, "port in %s", base);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_geq(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "connect: %s", strerror(errno));
	return fd;
}

/* Sends all of b[0..n); -1 when the peer has gone (EPIPE, ECONNRESET). */
static int
raw_send(int fd, const void *b, size_t n)
{
	const char	*p = b;
	ssize_t		 w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			cr_assert(errno == EPIPE || errno == ECONNRESET,
			    "send: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char *
find_ci(const char *s, const char *needle)
{
	size_t	 n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/*
 * Reads one response into buf (NUL-terminated): until its headers and
 * Content-Length bytes of body are in, or the peer closes.  Returns the
 * bytes read, or -1 when timeout_ms passed first.
 */
static ssize_t
raw_read(int fd, char *buf, size_t bufsz, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	struct timespec	 t0, t;
	const char	*end, *cl;
	size_t		 got = 0;
	ssize_t		 n;
	long		 left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf[0] = '\0';
	for (;;) {
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = find_ci(buf, "\r\nContent-Length:");
			if (cl != NULL && cl < end && got >= (size_t)(end + 4 -
			    buf) + strtoul(cl + 17, NULL, 10))
				return (ssize_t)got;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf + got, bufsz - got - 1, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ECONNRESET)
			return (ssize_t)got;
		cr_assert_geq(n, 0, "recv: %s", strerror(errno));
		if (n == 0 || got + (size_t)n + 1 >= bufsz)
			return (ssize_t)(got + (size_t)n);
		got += (size_t)n;
		buf[got] = '\0';
	}
}

/* The status of a raw response, 0 when there is none. */
static long
raw_status(const char *buf)
{
	if (strncmp(buf, "HTTP/1.", 7) != 0 || strlen(buf) < 12)
		return 0;
	return strtol(buf + 9, NULL, 10);
}

/* True when a raw response is JSON: one of gatehouse's, not the server's. */
static bool
raw_is_json(const char *buf)
{
	const char	*end = strstr(buf, "\r\n\r\n"), *ct;

	ct = find_ci(buf, "\r\nContent-Type: application/json");
	return ct != NULL && (end == NULL || ct < end);
}

/* The JSON body of a raw response, or NULL; put it. */
static struct json_object *
raw_json(const char *buf)
{
	const char	*b = strstr(buf, "\r\n\r\n");

	return b != NULL ? json_tokener_parse(b + 4) : NULL;
}

static double
now_s(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A request with 64 headers of 1 KiB each (64 KiB of headers), and body. */
static char *
request_with_64k_headers(const char *head, const char *body)
{
	char	*req, *p;
	size_t	 i;

	cr_assert_not_null(req = malloc(strlen(head) + 64 * 1100 +
	    strlen(body) + 64));
	p = stpcpy(req, head);
	for (i = 0; i < 64; i++) {
		p += sprintf(p, "X-Pad-%02zu: ", i);
		memset(p, 'a', 1000);
		p += 1000;
		p = stpcpy(p, "\r\n");
	}
	p = stpcpy(p, "\r\n");
	stpcpy(p, body);
	return req;
}

static void
assert_64k_headers_refused(const char *head, const char *body)
{
	char	*req, buf[8192];
	ssize_t	 n;
	long	 st;
	int	 fd;

	req = request_with_64k_headers(head, body);
	fd = raw_connect();
	(void)raw_send(fd, req, strlen(req));
	n = raw_read(fd, buf, sizeof(buf), 10000);
	close(fd);
	free(req);
	cr_assert_geq(n, 0, "no answer to 64 KiB of headers in 10 s");
	st = raw_status(buf);
	/*
	 * mod_fcgid sends a request's variables in one FastCGI record, at
	 * most 64 KiB, and refuses more with its own 500: the program never
	 * sees the request, and nothing hangs, which is what this checks.
	 */
	if (t_on_apache() && st == 500 && !raw_is_json(buf))
		cr_log_info("Apache: 64 KiB of headers get mod_fcgid's own "
		    "500 (its FastCGI parameter record is 64 KiB at most)");
	else
		cr_assert(st == 431 || st == 400,
		    "64 KiB of headers: %ld: %.200s", st, buf);
}

Test(attacks, headers_of_64_kib_are_refused_without_a_hang)
{
	assert_64k_headers_refused("GET /health HTTP/1.1\r\nHost: x\r\n", "");
	assert_64k_headers_refused("GET /api/auth/me HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer abc.def.ghi\r\n", "");
	/*
	 * With its body: mod_fcgid reads a body before it builds the
	 * program's parameters, so on Apache one that never came would be
	 * waited for (Apache's Timeout) whatever the headers.
	 */
	assert_64k_headers_refused("POST /api/auth/login HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n", "{}");
	still_healthy();
}

/*
 * A header a program does read and store (the session's user agent), at
 * just under lighttpd's limit, with bytes that are not ASCII or UTF-8
 * (control characters lighttpd refuses itself, with a 400).
 */
Test(attacks, a_hostile_user_agent_does_not_break_login)
{
	const char	*h[3];
	struct t_user u;
	struct t_resp	 r;
	char		*ua, *body;

	t_register(&u, "aua");
	cr_assert_not_null(ua = malloc(7000));
	strcpy(ua, "User-Agent: ");
	memset(ua + 12, 'A', 6900);
	memcpy(ua + 100, "\xff\xc3(\xed\xa0\x80'; --", 11);
	ua[6912] = '\0';
	h[0] = "Content-Type: application/json";
	h[1] = ua;
	h[2] = NULL;
	body = t_jbody("username", u.username, "password", u.password, NULL);
	t_http("POST", "/api/auth/login", h, body, strlen(body), &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	free(body);
	free(ua);
	still_healthy();
}

/*
 * The web server reads a whole body before it hands the request to a
 * program (lighttpd: stream-request-body 0; Apache: mod_fcgid always),
 * so a body that trickles in holds a web server connection, never one
 * of the programs' few processes; once it is all in, gatehouse answers
 * its own 413 without reading it.  (Streaming bodies to the programs
 * would get that 413 before the body, but let a few slow clients hold
 * every process of a pool: refused for that.)
 */
Test(attacks, a_slow_body_over_the_limit_gets_413_and_holds_no_program)
{
	enum { SLOW = 4, LEN = BODY_LIMIT + 150000 };
	char		 head[300], buf[8192], *rest;
	struct json_object *j;
	struct t_resp	 r;
	int		 fds[SLOW], i, k;
	ssize_t		 n;
	double		 t0;

	cr_assert_lt(LEN, SERVER_LIMIT);
	snprintf(head, sizeof(head), "POST /api/auth/register HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n{", LEN);
	/* More slow clients than register has processes (2). */
	for (i = 0; i < SLOW; i++) {
		fds[i] = raw_connect();
		cr_assert_eq(raw_send(fds[i], head, strlen(head)), 0);
	}
	for (k = 0; k < 5; k++) {
		for (i = 0; i < SLOW; i++)
			cr_assert_eq(raw_send(fds[i], "  ", 2), 0);
		t_sleep_ms(200);
	}
	/* Meanwhile register answers others at once. */
	t_http_json("POST", "/api/auth/register", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	cr_assert_lt(r.seconds, 5.0, "register took %.1f s behind slow bodies",
	    r.seconds);
	t_resp_free(&r);
	/* The rest of each body, then the contract's 413 from gatehouse. */
	cr_assert_not_null(rest = malloc(LEN));
	memset(rest, ' ', LEN);
	for (i = 0; i < SLOW; i++) {
		t0 = now_s();
		/* "{" and 10 bytes are in; LEN - 21 more, then 10. */
		if (raw_send(fds[i], rest, LEN - 21) == 0)
			(void)raw_send(fds[i], "\"x\": 1}   ", 10);
		n = raw_read(fds[i], buf, sizeof(buf), 15000);
		close(fds[i]);
		cr_assert_geq(n, 0, "no answer within 15 s");
		cr_assert_eq(raw_status(buf), 413, "%.300s", buf);
		cr_assert_not_null(j = raw_json(buf), "not JSON: %.300s", buf);
		cr_assert_str_eq(json_object_get_string(t_json_path(j,
		    "error")), "payload_too_large");
		json_object_put(j);
		cr_assert_lt(now_s() - t0, 15.0);
	}
	free(rest);
	still_healthy();
}

Test(attacks, a_body_over_the_web_servers_limit_gets_413_at_once)
{
	char	 head[300], buf[8192];
	ssize_t	 n;
	double	 t0;
	int	 fd;

	snprintf(head, sizeof(head), "POST /api/auth/login HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\n\r\n{\"a", 3 * SERVER_LIMIT / 2);
	fd = raw_connect();
	t0 = now_s();
	cr_assert_eq(raw_send(fd, head, strlen(head)), 0);
	/* Refused on its headers: the answer comes before the body does. */
	n = raw_read(fd, buf, sizeof(buf), 5000);
	close(fd);
	cr_assert_geq(n, 0, "no answer within 5 s");
	cr_assert_eq(raw_status(buf), 413, "%.300s", buf);
	cr_assert_lt(now_s() - t0, 5.0);
	still_healthy();
}

/*
 * A Content-Length that promises more than comes: the connection ends
 * without an answer or with a 400, never a hang, and the programs are
 * not left waiting for the rest.
 */
Test(attacks, a_content_length_that_lies_then_closes_hangs_nothing)
{
	static const char *const paths[] = { "/api/auth/login",
	    "/api/auth/register", "/api/auth/refresh" };
	struct t_user u;
	char		 req[400], buf[8192];
	ssize_t		 n;
	long		 st;
	size_t		 i;
	int		 fd;

	t_register(&u, "alie");
	for (i = 0; i < NELEM(paths); i++) {
		snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: 500\r\n"
		    "\r\n{\"username\": \"a\"}", paths[i]);
		fd = raw_connect();
		cr_assert_eq(raw_send(fd, req, strlen(req)), 0);
		cr_assert_eq(shutdown(fd, SHUT_WR), 0);
		n = raw_read(fd, buf, sizeof(buf), 10000);
		close(fd);
		cr_assert_geq(n, 0, "%s: the connection hangs", paths[i]);
		st = raw_status(buf);
		/*
		 * mod_fcgid reads the whole body before the program sees the
		 * request, and answers one cut short with its own 500 (to a
		 * client that has closed its side): no program is involved.
		 */
		if (t_on_apache() && st == 500 && !raw_is_json(buf))
			cr_log_info("Apache: %s: a body cut short gets "
			    "mod_fcgid's own 500", paths[i]);
		else
			cr_assert(st == 0 || st == 400 || st == 408,
			    "%s: %ld: %.300s", paths[i], st, buf);
	}
	t_login(&u);
	still_healthy();
}

Test(attacks, a_content_length_that_lies_and_stays_open_holds_no_program)
{
	enum { HELD = 6 };
	struct t_user u;
	struct t_resp	 r;
	char		 req[400];
	int		 fds[HELD], i;

	t_register(&u, "alio");
	for (i = 0; i < HELD; i++) {
		snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: 500\r\n"
		    "\r\n{\"username\": \"a\"}", i % 2 == 0 ?
		    "/api/auth/login" : "/api/auth/register");
		fds[i] = raw_connect();
		cr_assert_eq(raw_send(fds[i], req, strlen(req)), 0);
	}
	t_sleep_ms(300);
	/* Login has 2 processes, register 2: none of them is waiting. */
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_lt(r.seconds, 5.0, "login took %.1f s", r.seconds);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/register", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	cr_assert_lt(r.seconds, 5.0, "register took %.1f s", r.seconds);
	t_resp_free(&r);
	for (i = 0; i < HELD; i++)
		close(fds[i]);
	still_healthy();
}

/* Content-Length games that smuggle one request inside another. */
Test(attacks, malformed_or_conflicting_lengths_are_refused)
{
	static const char *const reqs[] = {
		"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: -5\r\n"
		    "Connection: close\r\n\r\n{}",
		"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: 2x\r\n"
		    "Connection: close\r\n\r\n{}",
		"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: 2\r\n"
		    "Content-Length: 40\r\nConnection: close\r\n\r\n{}",
		"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\nContent-Length: 2\r\n"
		    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
		    "2\r\n{}\r\n0\r\n\r\n",
		"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: 99999999999999999999999\r\n"
		    "Connection: close\r\n\r\n{}",
	};
	char		 buf[8192];
	ssize_t		 n;
	long		 st;
	size_t		 i;
	int		 fd;

	for (i = 0; i < NELEM(reqs); i++) {
		fd = raw_connect();
		(void)raw_send(fd, reqs[i], strlen(reqs[i]));
		n = raw_read(fd, buf, sizeof(buf), 10000);
		close(fd);
		cr_assert_geq(n, 0, "request %zu: no answer in 10 s", i);
		st = raw_status(buf);
		cr_assert(st == 400 || st == 413, "request %zu: %ld: %.300s",
		    i, st, buf);
	}
	still_healthy();
}

/* --- time claims and typ (issue 13) ------------------------------------ */

/* Not valid for an hour yet: past any clock skew (jwt_leeway_seconds). */
static void
make_not_yet_valid(struct json_object *p)
{
	json_object_object_add(p, "nbf",
	    json_object_new_int64((int64_t)time(NULL) + 3600));
}

/* Issued an hour from now, expiring after that. */
static void
make_issued_in_the_future(struct json_object *p)
{
	json_object_object_add(p, "iat",
	    json_object_new_int64((int64_t)time(NULL) + 3600));
	json_object_object_add(p, "exp",
	    json_object_new_int64((int64_t)time(NULL) + 4200));
}

Test(attacks, a_validly_signed_token_not_yet_valid_is_refused)
{
	forged("fnbf", make_not_yet_valid);
}

Test(attacks, a_validly_signed_token_issued_in_the_future_is_refused)
{
	forged("fiat", make_issued_in_the_future);
}

/*
 * RFC 8725 3.11: another kind of JWT signed with our key is not ours; one
 * without typ still is (RFC 7519 5.1 makes it optional).
 */
Test(attacks, a_validly_signed_token_of_another_typ_is_refused)
{
	static const struct {
		const char	*header;
		int		 ours;
	} cases[] = {
		{ "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", 0 },
		{ "{\"alg\":\"HS256\",\"typ\":\"logout+jwt\"}", 0 },
		{ "{\"alg\":\"HS256\",\"typ\":\"jwt\"}", 1 },
		{ "{\"alg\":\"HS256\"}", 1 },
	};
	struct t_user		 u;
	struct json_object	*p;
	char			 tok[4096];
	size_t			 i;

	p = fresh_payload(&u, "ftypj");
	for (i = 0; i < NELEM(cases); i++) {
		sign_with_stack_key("HS256", cases[i].header, p, tok,
		    sizeof(tok));
		if (cases[i].ours)
			cr_assert_eq(t_me_status(tok), 200, "%s",
			    cases[i].header);
		else
			assert_refused_everywhere(tok);
	}
	json_object_put(p);
	still_healthy();
}
