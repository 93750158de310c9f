/*
 * Signing keys end to end (issue 14): with jwt_algorithm = ES256 and a
 * key made by `gatehouse keys generate`, login signs ES256 tokens named
 * by their key's kid and /me accepts them; after `gatehouse keys rotate`
 * the tokens of the old key keep working while the new key waits
 * jwks_max_age_seconds (2 here) before it signs; `gatehouse keys retire
 * KID --now` refuses that key's tokens from the very next request, on
 * every process whose session cache already holds them.  Revoking an
 * ES256 access token (RFC 7009) ends its session, also for requests
 * already in flight.
 *
 * Every test leaves one current key and no next one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "client.h"

TestSuite(keys, .timeout = 240);

#define WAVE	16
#define WAVES	3

/* The kid of the key that signs now, "" when none does. */
static const char *
current_kid(char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", t_sql("SELECT kid FROM signing_keys "
	    "WHERE signs_from <= now() AND (retired_at IS NULL OR "
	    "retired_at > now()) AND (superseded_at IS NULL OR "
	    "superseded_at > now())"));
	return out;
}

/* The header's member name, as a string ("" when absent). */
static void
header_str(const char *token, const char *name, char *out, size_t outsz)
{
	struct json_object	*h, *v;

	h = t_jwt_part(token, 0);
	cr_assert_not_null(h);
	snprintf(out, outsz, "%s", json_object_object_get_ex(h, name, &v) ?
	    json_object_get_string(v) : "");
	json_object_put(h);
}

/* Every answer of waves of /me with token is want (every process). */
static void
waves(const char *token, long want)
{
	struct t_resp	 rs[WAVE];
	const char	*none[1] = { NULL };
	size_t		 i;
	int		 w;

	for (w = 0; w < WAVES; w++) {
		t_http_many(WAVE, "GET", "/api/auth/me", token, none, 1, rs);
		for (i = 0; i < WAVE; i++) {
			cr_assert_eq(rs[i].status, want, "wave %d, request "
			    "%zu: %ld %s", w, i, rs[i].status, rs[i].body);
			t_resp_free(&rs[i]);
		}
	}
}

/* A string member of o, or "" (so a missing one fails a comparison). */
static const char *
str_of(struct json_object *o, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/*
 * Whether the published set names kid, each of its keys an ES256 public
 * key with the contract's members and none of a private one; the
 * answer's caching and CORS headers checked on the way.
 */
static bool
jwks_has(const char *kid)
{
	static const char *const private[] = { "d", "p", "q", "dp", "dq",
	    "qi", "k" };
	struct t_resp		 r;
	struct json_object	*keys, *k, *v;
	size_t			 i, j, n;
	bool			 found = false;

	t_http("GET", "/.well-known/jwks.json", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Cache-Control"),
	    "public, max-age=2");
	cr_assert_str_eq(t_resp_header(&r, "Access-Control-Allow-Origin"), "*");
	cr_assert_not_null(r.json, "%s", r.body);
	keys = t_json_path(r.json, "keys");
	cr_assert(json_object_is_type(keys, json_type_array), "%s", r.body);
	n = json_object_array_length(keys);
	cr_assert_gt(n, 0, "%s", r.body);
	for (i = 0; i < n; i++) {
		k = json_object_array_get_idx(keys, i);
		cr_assert_str_eq(str_of(k, "kty"), "EC", "%s", r.body);
		cr_assert_str_eq(str_of(k, "crv"), "P-256", "%s", r.body);
		cr_assert_str_eq(str_of(k, "alg"), "ES256", "%s", r.body);
		cr_assert_str_eq(str_of(k, "use"), "sig", "%s", r.body);
		cr_assert_str_neq(str_of(k, "x"), "", "%s", r.body);
		cr_assert_str_neq(str_of(k, "y"), "", "%s", r.body);
		for (j = 0; j < sizeof(private) / sizeof(private[0]); j++)
			cr_assert(!json_object_object_get_ex(k, private[j], &v),
			    "%s in %s", private[j], r.body);
		if (strcmp(str_of(k, "kid"), kid) == 0)
			found = true;
	}
	t_resp_free(&r);
	return found;
}

static void
keys_cli(const char *a, const char *b, const char *c)
{
	const char	*argv[] = { "keys", a, b, c, NULL };

	cr_assert_eq(t_cli(argv, NULL), 0, "gatehouse keys %s", a);
}

/* The audit trail holds event for kid, written by the command. */
static void
assert_audited(const char *event, const char *kid)
{
	cr_assert_str_eq(t_sql("SELECT count(*) FROM audit_log WHERE "
	    "event = '%s' AND details->>'kid' = '%s' AND actor_id IS NULL "
	    "AND details->>'via' = 'cli'", event, kid), "1",
	    "no %s row for %s", event, kid);
}

Test(keys, login_signs_es256_with_the_current_kid_and_me_accepts_it)
{
	struct t_user	 u;
	char		 alg[16], typ[16], kid[80], cur[80];

	t_make_user(&u, "ka");
	header_str(u.access, "alg", alg, sizeof(alg));
	header_str(u.access, "typ", typ, sizeof(typ));
	header_str(u.access, "kid", kid, sizeof(kid));
	cr_assert_str_eq(alg, "ES256");
	cr_assert_str_eq(typ, "JWT");
	cr_assert_str_eq(kid, current_kid(cur, sizeof(cur)));
	cr_assert_eq(strlen(kid), 43, "an RFC 7638 thumbprint: %s", kid);
	cr_assert(jwks_has(kid), "the signing key is published");
	cr_assert_eq(t_me_status(u.access), 200);
	t_refresh(&u);
	header_str(u.access, "kid", kid, sizeof(kid));
	cr_assert_str_eq(kid, cur);
	cr_assert_eq(t_me_status(u.access), 200);
}

/* POST /api/auth/revoke of token as a form; asserts the 200. */
static void
revoke_token(const void *token)
{
	struct t_resp	 r;
	char		 tok[4096], form[4200];
	int		 n;

	t_urlencode(token, tok, sizeof(tok));
	n = snprintf(form, sizeof(form), "token=%s", tok);
	cr_assert(n > 0 && (size_t)n < sizeof(form));
	t_http_form("/api/auth/revoke", form, &r);
	cr_assert_eq(r.status, 200);
	t_resp_free(&r);
}

/*
 * RFC 7009 revocation of an ES256 access token: login verifies it with
 * the key set, as /me does, and its session ends (it once answered the
 * 200 of an unknown token and ended nothing).
 */
Test(keys, revoking_an_es256_access_token_ends_its_session)
{
	struct t_user	 u;

	t_make_user(&u, "kr");
	revoke_token(u.access);
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
}

/* The same revocation while clients use the token: none after it wins. */
Test(keys, no_me_started_after_an_es256_access_token_revocation_succeeds)
{
	struct t_user	 u;

	t_make_user(&u, "krr");
	t_me_race(u.access, revoke_token, u.access);
}

Test(keys, a_rotation_fails_no_token_and_signs_with_the_new_key_later)
{
	struct t_user	 u, v, w;
	char		 old[80], kid[80], next[80];

	current_kid(old, sizeof(old));
	cr_assert_neq(old[0], '\0');
	t_make_user(&u, "kr");
	waves(u.access, 200);
	keys_cli("rotate", NULL, NULL);
	snprintf(next, sizeof(next), "%s", t_sql("SELECT kid FROM "
	    "signing_keys WHERE signs_from > now()"));
	cr_assert_neq(next[0], '\0', "rotate made no next key");
	cr_assert_str_neq(next, old);
	assert_audited("key.rotated", next);
	cr_assert(jwks_has(next), "the next key is published at once");
	cr_assert(jwks_has(old));
	/* Published, not signing yet: the old key still signs. */
	t_make_user(&v, "kr");
	header_str(v.access, "kid", kid, sizeof(kid));
	cr_assert_str_eq(kid, old);
	waves(u.access, 200);
	waves(v.access, 200);
	t_sleep_ms(2500);
	t_make_user(&w, "kr");
	header_str(w.access, "kid", kid, sizeof(kid));
	cr_assert_str_eq(kid, next, "the next key signs after max-age");
	/* The old key's tokens live on until they expire. */
	waves(u.access, 200);
	waves(v.access, 200);
	waves(w.access, 200);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM signing_keys WHERE "
	    "kid = '%s' AND publish_until > superseded_at", old), "1");
}

Test(keys, retire_now_refuses_the_keys_tokens_at_the_next_request)
{
	struct t_user	 u;
	char		 kid[80], cur[80];

	t_make_user(&u, "kn");
	header_str(u.access, "kid", kid, sizeof(kid));
	cr_assert_str_eq(kid, current_kid(cur, sizeof(cur)));
	/* Every me process holds the session in its cache. */
	waves(u.access, 200);
	keys_cli("retire", kid, "--now");
	assert_audited("key.retired", kid);
	waves(u.access, 401);
	/* A leaked key: retired, then a new one signs at once. */
	keys_cli("rotate", NULL, NULL);
	t_login(&u);
	header_str(u.access, "kid", cur, sizeof(cur));
	cr_assert_str_neq(cur, kid);
	cr_assert_eq(t_me_status(u.access), 200);
}
