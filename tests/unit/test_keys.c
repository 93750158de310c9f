/*
 * keys: the signing keys' lifecycle in PostgreSQL (domain/keys.c,
 * sql/012_keys.sql) and the key set a process signs and verifies with,
 * against a freshly migrated database per test.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "core/jwk.h"
#include "core/jwt.h"
#include "data/db.h"
#include "domain/authcache.h"
#include "domain/keys.h"
#include "domain/tokencache.h"
#include "fixture.h"
#include "pgtest.h"

#define PUBLISH		960	/* 15 minutes of tokens and a leeway */

static const unsigned char	 kek[GH_JWK_KEK_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char	 other_kek[GH_JWK_KEK_LEN] = "another kek of thirty-two bytes";

static void
reset(void)
{
	gh_keys_reset();
	gh_keys_init(NULL, 0);
}

TestSuite(keys, .init = reset, .fini = reset);

/* Adds a new ES256 key; its kid into kid. */
static enum gh_status
add(struct gh_db *db, enum gh_keys_add_mode mode, int delay, char *kid)
{
	char		 from[GH_KEYS_TIME_MAX];
	struct gh_jwk	*k;
	enum gh_status	 st;

	cr_assert_not_null(k = gh_jwk_generate(GH_JWT_ES256, 0));
	st = gh_keys_add(db, mode, k, kek, sizeof(kek), delay, PUBLISH, from);
	snprintf(kid, GH_JWK_KID_MAX + 1, "%s", gh_jwk_kid(k));
	gh_jwk_free(k);
	if (st == GH_OK)
		cr_assert_neq(from[0], '\0');
	return st;
}

static const char *
state(const char *url, const char *kid)
{
	return t_db_sqlf(url, "SELECT CASE WHEN retired_at <= now() THEN "
	    "'retired' WHEN signs_from > now() THEN 'next' WHEN publish_until "
	    "<= now() THEN 'expired' WHEN superseded_at <= now() THEN "
	    "'previous' ELSE 'current' END FROM signing_keys WHERE kid = '%s'",
	    kid);
}

Test(keys, generate_makes_a_current_key_sealed_never_in_plaintext)
{
	char		 url[1024], kid[80];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 300, kid), GH_OK);
	cr_assert_str_eq(state(url, kid), "current");
	cr_assert_str_eq(t_db_sqlf(url, "SELECT private_sealed LIKE 'v1.%%' "
	    "AND private_sealed NOT LIKE '%%PRIVATE KEY%%' AND public_pem LIKE "
	    "'-----BEGIN PUBLIC KEY-----%%' AND alg = 'ES256' AND signs_from "
	    "<= now() FROM signing_keys WHERE kid = '%s'", kid), "t");
	/* A second generate would make two current keys. */
	cr_assert_eq(add(db, GH_KEYS_GENERATE, 300, kid), GH_CONFLICT);
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM signing_keys"),
	    "1");
	gh_db_free(db);
}

Test(keys, the_sealed_key_opens_under_its_kek_and_kid_only)
{
	char		 url[1024], kid[80], blob[GH_JWK_SEALED_MAX];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));
	struct gh_jwk	*k;

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	snprintf(blob, sizeof(blob), "%s", t_db_sqlf(url, "SELECT "
	    "private_sealed FROM signing_keys WHERE kid = '%s'", kid));
	cr_assert_not_null(k = gh_jwk_unseal(blob, strlen(blob), kid, kek,
	    sizeof(kek)));
	cr_assert_str_eq(gh_jwk_kid(k), kid);
	cr_assert(gh_jwk_has_private(k));
	gh_jwk_free(k);
	cr_assert_null(gh_jwk_unseal(blob, strlen(blob), kid, other_kek,
	    sizeof(other_kek)));
	gh_db_free(db);
}

Test(keys, rotate_publishes_a_next_key_and_schedules_the_supersession)
{
	char		 url[1024], first[80], next[80], again[80];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, first), GH_OK);
	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, next), GH_OK);
	cr_assert_str_eq(state(url, next), "next");
	cr_assert_str_eq(state(url, first), "current");
	/* Counted from a moment after the key was published. */
	cr_assert_str_eq(t_db_sqlf(url, "SELECT n.signs_from - c.created_at "
	    "BETWEEN interval '299 seconds' AND interval '301 seconds' AND "
	    "n.signs_from - interval '300 seconds' > n.created_at AND "
	    "c.superseded_at = n.signs_from AND c.publish_until = "
	    "c.superseded_at + interval '%d seconds' FROM signing_keys c, "
	    "signing_keys n WHERE c.kid = '%s' AND n.kid = '%s'", PUBLISH,
	    first, next), "t");
	/* One rotation at a time. */
	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, again), GH_CONFLICT);
	/* Time passes: the next key signs, the first is previous. */
	t_db_sqlf(url, "UPDATE signing_keys SET signs_from = signs_from - "
	    "interval '301 seconds', superseded_at = superseded_at - interval "
	    "'301 seconds', publish_until = publish_until - interval "
	    "'301 seconds', created_at = created_at - interval '301 seconds'");
	cr_assert_str_eq(state(url, next), "current");
	cr_assert_str_eq(state(url, first), "previous");
	t_db_sqlf(url, "UPDATE signing_keys SET publish_until = now() - "
	    "interval '1 second' WHERE kid = '%s'", first);
	cr_assert_str_eq(state(url, first), "expired");
	gh_db_free(db);
}

Test(keys, rotate_with_nothing_signing_signs_at_once)
{
	char		 url[1024], kid[80];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));

	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, kid), GH_OK);
	cr_assert_str_eq(state(url, kid), "current");
	gh_db_free(db);
}

Test(keys, retire_keeps_the_only_current_key_unless_now)
{
	char		 url[1024], kid[80], when[GH_KEYS_TIME_MAX];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	cr_assert_eq(gh_keys_retire(db, kid, 0, when), GH_CONFLICT);
	cr_assert_str_eq(state(url, kid), "current");
	cr_assert_eq(gh_keys_retire(db, kid, 1, when), GH_OK);
	cr_assert_neq(when[0], '\0');
	cr_assert_str_eq(state(url, kid), "retired");
	cr_assert_eq(gh_keys_retire(db, "no-such-kid", 1, when), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(keys, retire_later_waits_for_the_last_token)
{
	char		 url[1024], first[80], next[80], when[GH_KEYS_TIME_MAX];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));
	long		 n;

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, first), GH_OK);
	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, next), GH_OK);
	/* A successor exists: retired when its tokens have expired. */
	cr_assert_eq(gh_keys_retire(db, first, 0, when), GH_OK);
	cr_assert_str_eq(state(url, first), "current");
	cr_assert_str_eq(t_db_sqlf(url, "SELECT retired_at = publish_until "
	    "FROM signing_keys WHERE kid = '%s'", first), "t");
	/* A next key signed nothing: at once. */
	cr_assert_eq(gh_keys_retire(db, next, 0, when), GH_OK);
	cr_assert_str_eq(state(url, next), "retired");
	/* --expired takes the previous keys past publish_until. */
	t_db_sqlf(url, "UPDATE signing_keys SET retired_at = NULL, "
	    "publish_until = now() - interval '1 second', superseded_at = "
	    "now() - interval '2 seconds' WHERE kid = '%s'", first);
	cr_assert_str_eq(state(url, first), "expired");
	cr_assert_eq(gh_keys_retire_expired(db, &n), GH_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(state(url, first), "retired");
	gh_db_free(db);
}

Test(keys, a_verifier_holds_public_keys_and_no_signer)
{
	char			 url[1024], kid[80];
	struct gh_db		*db = t_db_fresh(url, sizeof(url));
	struct gh_jwt_key	 key;

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_ES256;
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	cr_assert_eq(key.nkeys, 1);
	cr_assert_str_eq(gh_jwk_kid(key.keys[0].jwk), kid);
	cr_assert(!gh_jwk_has_private(key.keys[0].jwk));
	cr_assert_null(key.signer);
	gh_db_free(db);
}

Test(keys, a_signer_opens_the_current_key_and_not_the_next)
{
	char			 url[1024], first[80], next[80];
	struct gh_db		*db = t_db_fresh(url, sizeof(url));
	struct gh_jwt_key	 key;

	gh_keys_init(kek, sizeof(kek));
	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, first), GH_OK);
	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, next), GH_OK);
	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_ES256;
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	cr_assert_eq(key.nkeys, 2, "both are published");
	cr_assert_not_null(key.signer);
	cr_assert_str_eq(gh_jwk_kid(key.signer), first);
	/* Another algorithm configured: nothing of ours signs for it. */
	key.alg = GH_JWT_EDDSA;
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	cr_assert_null(key.signer);
	gh_db_free(db);
}

Test(keys, a_signer_under_another_kek_verifies_but_signs_with_nothing)
{
	char			 url[1024], kid[80];
	struct gh_db		*db = t_db_fresh(url, sizeof(url));
	struct gh_jwt_key	 key;

	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	gh_keys_init(other_kek, sizeof(other_kek));
	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_ES256;
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	cr_assert_eq(key.nkeys, 1);
	cr_assert(!gh_jwk_has_private(key.keys[0].jwk));
	cr_assert_null(key.signer);
	gh_db_free(db);
}

/*
 * Retires kid at once from cli, then the next request on db: its round
 * trip, which sees the change, and the fill that reloads key's set.
 */
static void
retire_now(struct gh_db *db, struct gh_db *cli, const char *kid,
    struct gh_jwt_key *key)
{
	char	 when[GH_KEYS_TIME_MAX];

	cr_assert_eq(gh_keys_retire(cli, kid, 1, when), GH_OK);
	gh_keys_begin();
	gh_authcache_begin(db);
	cr_assert_eq(gh_db_ping(db), GH_OK);
	cr_assert_eq(gh_keys_changed(db), 1);
	cr_assert_eq(gh_keys_fill(db, key), GH_OK);
}

/*
 * The exactness a token check relies on: a retirement committed before
 * the request's round trip is seen by gh_keys_changed() after it, even
 * though the set was filled before.
 */
Test(keys, a_retirement_committed_before_the_round_trip_is_seen)
{
	char			 url[1024], kid[80];
	struct gh_db		*db = t_db_fresh(url, sizeof(url));
	struct gh_db		*cli = t_db_open(url, 5000);
	struct gh_jwt_key	 key;

	cr_assert_eq(gh_authcache_init(16), 0);
	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_ES256;
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	cr_assert_eq(key.nkeys, 1);
	cr_assert_eq(gh_keys_changed(db), 0);
	retire_now(db, cli, kid, &key);
	cr_assert_eq(key.nkeys, 0, "the retired key is gone from the set");
	cr_assert_eq(gh_keys_changed(db), 0);
	gh_db_free(cli);
	gh_db_free(db);
	cr_assert_eq(gh_authcache_init(0), 0);
}

/* A token cached under a key misses once its retirement reloads the set. */
Test(keys, a_reload_drops_the_tokens_verified_under_the_old_set)
{
	char			 url[1024], kid[80], tok[GH_TOKEN_MAX + 1];
	struct gh_db		*db = t_db_fresh(url, sizeof(url));
	struct gh_db		*cli = t_db_open(url, 5000);
	struct gh_jwt_key	 key;
	struct gh_jwt_claims	 c;
	long			 len;

	cr_assert_eq(gh_authcache_init(16), 0);
	gh_keys_init(kek, sizeof(kek));
	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, kid), GH_OK);
	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_ES256;
	key.issuer = "gatehouse";
	cr_assert_eq(gh_keys_fill(db, &key), GH_OK);
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s",
	    "6f1c1a52-3b0e-4a55-9a39-2b9d3f0c8e11");
	snprintf(c.sid, sizeof(c.sid), "%s",
	    "0b7e3c52-8f7a-4c1e-9d2b-5a6f4e3d2c10");
	snprintf(c.username, sizeof(c.username), "%s", "cached");
	c.iat = (int64_t)time(NULL);
	c.exp = c.iat + 900;
	cr_assert_gt(len = gh_jwt_sign(&key, &c, tok, sizeof(tok)), 0);
	gh_tokencache_put(&key, tok, (size_t)len, &c);
	cr_assert_eq(gh_tokencache_get(&key, tok, (size_t)len, c.iat, &c), 1);
	retire_now(db, cli, kid, &key);
	cr_assert_eq(gh_tokencache_get(&key, tok, (size_t)len, c.iat, &c), 0);
	gh_db_free(cli);
	gh_db_free(db);
	cr_assert_eq(gh_authcache_init(0), 0);
}

Test(keys, jwks_lists_the_published_public_keys_only)
{
	char		 url[1024], first[80], next[80], out[GH_KEYS_JWKS_MAX];
	char		 when[GH_KEYS_TIME_MAX];
	struct gh_db	*db = t_db_fresh(url, sizeof(url));
	enum gh_status	 st;

	cr_assert_eq(gh_keys_jwks_json(db, out, sizeof(out), &st), 11);
	cr_assert_str_eq(out, "{\"keys\":[]}");
	cr_assert_eq(add(db, GH_KEYS_GENERATE, 0, first), GH_OK);
	cr_assert_eq(add(db, GH_KEYS_ROTATE, 300, next), GH_OK);
	cr_assert_gt(gh_keys_jwks_json(db, out, sizeof(out), &st), 0);
	cr_assert_not_null(strstr(out, first));
	cr_assert_not_null(strstr(out, next));
	cr_assert_lt(strstr(out, next), strstr(out, first), "newest first");
	cr_assert_null(strstr(out, "\"d\""));
	cr_assert_not_null(strstr(out, "\"use\":\"sig\""));
	cr_assert_eq(gh_keys_retire(db, next, 1, when), GH_OK);
	cr_assert_gt(gh_keys_jwks_json(db, out, sizeof(out), &st), 0);
	cr_assert_null(strstr(out, next), "a retired key is not published");
	cr_assert_eq(gh_keys_jwks_json(db, out, 8, &st), -1);
	cr_assert_eq(st, GH_INTERNAL);
	gh_db_free(db);
}
