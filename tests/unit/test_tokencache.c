/*
 * tokencache: the verified asymmetric tokens of a process
 * (domain/tokencache.h).  Keys are made here, no database: the table's
 * promises are about tokens, keys and time, which the tests hold.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "core/jwk.h"
#include "core/jwt.h"
#include "domain/tokencache.h"

#define ISSUER	"gatehouse"
#define SUB	"6f1c1a52-3b0e-4a55-9a39-2b9d3f0c8e11"
#define SID	"0b7e3c52-8f7a-4c1e-9d2b-5a6f4e3d2c10"

/* One signing key and the verification set it is alone in. */
struct ctx {
	struct gh_jwk		*jwk;
	struct gh_jwt_vkey	 set[1];
	struct gh_jwt_key	 key;
	int64_t			 now;
};

static struct ctx	 cx;

static void
setup(void)
{
	memset(&cx, 0, sizeof(cx));
	cr_assert_not_null(cx.jwk = gh_jwk_generate(GH_JWT_ES256, 0));
	cx.set[0].jwk = cx.jwk;
	cx.key.alg = GH_JWT_ES256;
	cx.key.issuer = ISSUER;
	cx.key.signer = cx.jwk;
	cx.key.keys = cx.set;
	cx.key.nkeys = 1;
	cx.now = (int64_t)time(NULL);
	gh_tokencache_flush();
}

static void
teardown(void)
{
	gh_tokencache_flush();
	gh_jwk_free(cx.jwk);
}

TestSuite(tokencache, .init = setup, .fini = teardown);

/* A token of user number n (its jti differs), into tok. */
static size_t
sign(unsigned n, char *tok, size_t toksz)
{
	struct gh_jwt_claims	 c;
	long			 len;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", SUB);
	snprintf(c.sid, sizeof(c.sid), "%s", SID);
	snprintf(c.jti, sizeof(c.jti), "00000000-0000-4000-8000-%012x", n);
	snprintf(c.username, sizeof(c.username), "user%u", n);
	c.iat = cx.now - 10;
	c.exp = cx.now + 900;
	len = gh_jwt_sign(&cx.key, &c, tok, toksz);
	cr_assert_gt(len, 0);
	return (size_t)len;
}

/* What principal.c does: the table, else a verification remembered. */
static enum gh_jwt_result
check(const char *tok, size_t len, int64_t now, struct gh_jwt_claims *c)
{
	enum gh_jwt_result	 jr;

	if (gh_tokencache_get(&cx.key, tok, len, now, c))
		return GH_JWT_OK;
	if ((jr = gh_jwt_verify(&cx.key, tok, len, now, c)) == GH_JWT_OK)
		gh_tokencache_put(&cx.key, tok, len, c);
	return jr;
}

/* A token of user n, verified once and so in the table: its length. */
static size_t
seen(unsigned n, char *tok, size_t toksz, struct gh_jwt_claims *c)
{
	size_t	 len;

	len = sign(n, tok, toksz);
	cr_assert_eq(check(tok, len, cx.now, c), GH_JWT_OK);
	return len;
}

Test(tokencache, a_repeated_token_is_served_from_the_table)
{
	struct gh_jwt_claims	 a, b;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;
	unsigned long		 h;

	len = sign(1, tok, sizeof(tok));
	h = gh_tokencache_hits();
	cr_assert_eq(check(tok, len, cx.now, &a), GH_JWT_OK);
	cr_assert_eq(gh_tokencache_hits(), h, "the first sight verifies");
	cr_assert_eq(check(tok, len, cx.now, &b), GH_JWT_OK);
	cr_assert_eq(gh_tokencache_hits(), h + 1);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "the same claims");
	cr_assert_str_eq(b.username, "user1");
}

Test(tokencache, a_token_whose_key_was_retired_is_refused_after_the_reload)
{
	struct gh_jwt_claims	 c;
	struct gh_jwk		*other;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;

	len = seen(2, tok, sizeof(tok), &c);
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 1);
	/* The reload: a set without the key, and the table dropped. */
	cr_assert_not_null(other = gh_jwk_generate(GH_JWT_ES256, 0));
	cx.set[0].jwk = other;
	gh_tokencache_flush();
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 0);
	cr_assert_eq(check(tok, len, cx.now, &c), GH_JWT_UNKNOWN_KEY);
	cx.set[0].jwk = cx.jwk;
	gh_jwk_free(other);
}

Test(tokencache, a_key_retired_by_the_clock_stops_its_cached_tokens)
{
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;

	len = seen(3, tok, sizeof(tok), &c);
	/* No reload: the set says retired, as gh_keys_fill() does in time. */
	cx.set[0].retired = 1;
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 0);
	cr_assert_eq(check(tok, len, cx.now, &c), GH_JWT_UNKNOWN_KEY);
}

Test(tokencache, a_key_gone_from_the_set_stops_its_cached_tokens)
{
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;

	len = seen(4, tok, sizeof(tok), &c);
	cx.key.nkeys = 0;
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 0);
}

Test(tokencache, an_expired_cached_token_is_refused)
{
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;
	int64_t			 exp;

	len = seen(5, tok, sizeof(tok), &c);
	exp = c.exp;
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, exp - 1, &c), 1);
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, exp, &c), 0);
	cr_assert_eq(check(tok, len, exp, &c), GH_JWT_EXPIRED);
	/* Dropped, not merely skipped: an earlier clock finds nothing. */
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, exp - 1, &c), 0);
}

/* Room for one of sign()'s tokens: about 500 bytes. */
#define SMALL_TOK	1024

Test(tokencache, a_full_table_evicts_without_error)
{
	static char		 toks[GH_TOKENCACHE_SLOTS + GH_TOKENCACHE_SLOTS / 4][SMALL_TOK];
	static size_t		 lens[GH_TOKENCACHE_SLOTS + GH_TOKENCACHE_SLOTS / 4];
	struct gh_jwt_claims	 c;
	char			 want[GH_USERNAME_MAX + 1];
	size_t			 i, n = GH_TOKENCACHE_SLOTS + GH_TOKENCACHE_SLOTS / 4;
	size_t			 found = 0;

	for (i = 0; i < n; i++) {
		lens[i] = sign((unsigned)i, toks[i], sizeof(toks[i]));
		cr_assert_eq(check(toks[i], lens[i], cx.now, &c), GH_JWT_OK);
	}
	for (i = 0; i < n; i++) {
		if (!gh_tokencache_get(&cx.key, toks[i], lens[i], cx.now, &c))
			continue;
		snprintf(want, sizeof(want), "user%zu", i);
		cr_assert_str_eq(c.username, want, "a hit is its own token's");
		found++;
	}
	cr_assert_leq(found, GH_TOKENCACHE_SLOTS);
	cr_assert_gt(found, 0);
	/* The newest is always there. */
	cr_assert_eq(gh_tokencache_get(&cx.key, toks[n - 1], lens[n - 1],
	    cx.now, &c), 1);
}

/*
 * Clients in turn, far fewer than the slots (bench/run's 1,000 users on
 * one process): the second round finds nearly every token of the first,
 * where a direct-mapped table of the same size would lose about one in
 * nine, and one of 256 slots nearly all.  Not all: a few sets may be
 * asked for more tokens than they hold.
 */
Test(tokencache, a_working_set_below_the_size_stays)
{
	static char		 toks[GH_TOKENCACHE_SLOTS / 4][SMALL_TOK];
	static size_t		 lens[GH_TOKENCACHE_SLOTS / 4];
	struct gh_jwt_claims	 c;
	size_t			 i, n = GH_TOKENCACHE_SLOTS / 4, found = 0;

	for (i = 0; i < n; i++)
		lens[i] = seen((unsigned)i, toks[i], sizeof(toks[i]), &c);
	for (i = 0; i < n; i++)
		found += (size_t)gh_tokencache_get(&cx.key, toks[i], lens[i],
		    cx.now, &c);
	cr_assert_geq(found, n - n / 32, "%zu of %zu tokens kept", found, n);
}

Test(tokencache, a_hit_gives_every_claim_back)
{
	struct gh_jwt_claims	 c, out;
	char			 tok[SMALL_TOK];
	long			 len;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", SUB);
	snprintf(c.sid, sizeof(c.sid), "%s", SID);
	snprintf(c.jti, sizeof(c.jti), "00000000-0000-4000-8000-000000000001");
	snprintf(c.username, sizeof(c.username), "someone");
	snprintf(c.employee_id, sizeof(c.employee_id), "E-1");
	snprintf(c.roles[0], sizeof(c.roles[0]), "user");
	snprintf(c.roles[1], sizeof(c.roles[1]), "admin");
	snprintf(c.roles[2], sizeof(c.roles[2]), "introspect");
	c.nroles = 3;
	c.iat = cx.now - 10;
	c.exp = cx.now + 900;
	cr_assert_gt(len = gh_jwt_sign(&cx.key, &c, tok, sizeof(tok)), 0);
	cr_assert_eq(check(tok, (size_t)len, cx.now, &c), GH_JWT_OK);
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, (size_t)len, cx.now,
	    &out), 1);
	cr_assert_eq(memcmp(&out, &c, sizeof(c)), 0,
	    "a hit's claims are the verification's, byte for byte");
}

Test(tokencache, roles_too_long_to_pack_are_verified_each_time)
{
	struct gh_jwt_claims	 c, out;
	char			 tok[GH_TOKEN_MAX + 1];
	unsigned long		 before;
	long			 len;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", SUB);
	snprintf(c.sid, sizeof(c.sid), "%s", SID);
	snprintf(c.username, sizeof(c.username), "many-roles");
	/* Eight roles of 63 bytes: more than a slot packs. */
	for (i = 0; i < 8; i++) {
		memset(c.roles[i], 'a' + (int)i, GH_ROLE_NAME_MAX - 1);
		c.roles[i][GH_ROLE_NAME_MAX - 1] = '\0';
	}
	c.nroles = 8;
	c.iat = cx.now - 10;
	c.exp = cx.now + 900;
	cr_assert_gt(len = gh_jwt_sign(&cx.key, &c, tok, sizeof(tok)), 0);
	cr_assert_eq(check(tok, (size_t)len, cx.now, &out), GH_JWT_OK);
	before = gh_tokencache_hits();
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, (size_t)len, cx.now,
	    &out), 0);
	cr_assert_eq(check(tok, (size_t)len, cx.now, &out), GH_JWT_OK);
	cr_assert_eq(memcmp(&out, &c, sizeof(c)), 0);
	cr_assert_eq(gh_tokencache_hits(), before);
}

Test(tokencache, a_tampered_token_never_matches_a_cached_one)
{
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1], bad[GH_TOKEN_MAX + 2];
	size_t			 len, i;

	len = seen(6, tok, sizeof(tok), &c);
	for (i = 0; i < len; i += 7) {
		memcpy(bad, tok, len);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		cr_assert_eq(gh_tokencache_get(&cx.key, bad, len, cx.now, &c),
		    0, "byte %zu", i);
	}
	/* A prefix, and one byte more. */
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len - 1, cx.now, &c), 0);
	memcpy(bad, tok, len);
	bad[len] = 'A';
	cr_assert_eq(gh_tokencache_get(&cx.key, bad, len + 1, cx.now, &c), 0);
	/* A changed signature verifies no better. */
	memcpy(bad, tok, len);
	bad[len - 2] = bad[len - 2] == 'A' ? 'B' : 'A';
	cr_assert_neq(check(bad, len, cx.now, &c), GH_JWT_OK);
}

Test(tokencache, hmac_tokens_are_never_kept)
{
	static const char	 secret[] = "0123456789abcdef0123456789abcdef";
	struct gh_jwt_key	 k;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	long			 len;

	memset(&k, 0, sizeof(k));
	k.alg = GH_JWT_HS256;
	k.secret = (const unsigned char *)secret;
	k.secret_len = sizeof(secret) - 1;
	k.issuer = ISSUER;
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", SUB);
	snprintf(c.sid, sizeof(c.sid), "%s", SID);
	snprintf(c.username, sizeof(c.username), "%s", "hs");
	c.iat = cx.now;
	c.exp = cx.now + 900;
	cr_assert_gt(len = gh_jwt_sign(&k, &c, tok, sizeof(tok)), 0);
	gh_tokencache_put(&k, tok, (size_t)len, &c);
	cr_assert_eq(gh_tokencache_get(&k, tok, (size_t)len, cx.now, &c), 0);
}

Test(tokencache, a_token_cached_for_one_audience_is_not_taken_for_another)
{
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];
	size_t			 len;

	len = seen(7, tok, sizeof(tok), &c);
	/* The authorizer checks one token against its locations' audiences. */
	cx.key.audience = "app";
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 0);
	cr_assert_neq(check(tok, len, cx.now, &c), GH_JWT_OK);
	cx.key.audience = NULL;
	cx.key.foreign = "app";
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 0);
	cx.key.foreign = NULL;
	cr_assert_eq(gh_tokencache_get(&cx.key, tok, len, cx.now, &c), 1);
}
