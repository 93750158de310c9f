/*
 * sessions: logins, refresh-token rotation with reuse detection, logout
 * and cleanup, and the sign-in sequences over them (signin.h), against a
 * real PostgreSQL (a fresh migrated database per
 * test).  What the database holds is checked behind the API with
 * t_db_sql(), and refresh tokens are hashed there with PostgreSQL's own
 * sha256(), so the test does not share the code it checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/b64url.h"
#include "core/config.h"
#include "core/password.h"
#include "data/db.h"
#include "core/jwt.h"
#include "fixture.h"
#include "pgtest.h"
#include "domain/principal.h"
#include "domain/sessions.h"
#include "domain/signin.h"
#include "domain/throttle.h"
#include "domain/users.h"

#define SECRET		"sessions-test-secret-0123456789-abcdefghijklmnop"
#define UNREACHABLE	"host=/nonexistent user=x dbname=x"
#define B64URL		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789-_"
#define NRACERS		8

static char		 url[1024];
static struct gh_config	 cfg;
static struct gh_jwt_key key;
static struct gh_db	*db;
static struct gh_user	 alice, bob;

/* t_db_sqlf() on this test's database, as the superuser. */
#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

static void
add_user_hashed(const char *name, const char *hash, const char *const *roles,
    size_t nroles, struct gh_user *u)
{
	struct gh_user_new	 n;

	memset(&n, 0, sizeof(n));
	n.username = name;
	n.password_hash = hash;
	n.roles = roles;
	n.nroles = nroles;
	cr_assert_eq(gh_users_create(db, &n, u), GH_OK, "create %s: %s",
	    name, gh_db_error(db));
}

/* alice holds admin and user, bob only user. */
static void
setup(void)
{
	static const char *const both[] = { "user", "admin" };

	t_config(&cfg, &key, SECRET);
	db = t_db_fresh(url, sizeof(url));
	t_add_user(db, "alice", both, 2, &alice);
	t_add_user(db, "bob", NULL, 0, &bob);
}

static void
teardown(void)
{

	gh_db_free(db);
	db = NULL;
}

TestSuite(sessions, .init = setup, .fini = teardown);

static void
start(const struct gh_user *u, struct gh_token_pair *p)
{
	enum gh_status		 st;

	st = gh_sessions_start(db, &cfg, &key, u, NULL, p);
	cr_assert_eq(st, GH_OK, "start: %d: %s", st, gh_db_error(db));
}

static enum gh_refresh_outcome
refresh(const char *tok, struct gh_token_pair *p)
{
	enum gh_refresh_outcome	 o = GH_REFRESH_OK;
	enum gh_status		 st;

	st = gh_sessions_refresh(db, &cfg, &key, tok, strlen(tok), p, &o);
	cr_assert_eq(st, GH_OK, "refresh: %d: %s", st, gh_db_error(db));
	return o;
}

static void
verify(const struct gh_token_pair *p, struct gh_jwt_claims *c)
{
	enum gh_jwt_result	 r;

	r = gh_jwt_verify(&key, p->access, strlen(p->access),
	    (int64_t)time(NULL), c);
	cr_assert_eq(r, GH_JWT_OK, "verify: %s", gh_jwt_result_str(r));
}

/* What gh_principal_check() asks of the database for an access token. */
static enum gh_status
live(const struct gh_token_pair *p)
{
	struct gh_jwt_claims	 c;
	struct gh_user		 u;

	verify(p, &c);
	return gh_users_get_live(db, c.sub, c.sid, c.iat, &u);
}

/* "live", or the end_reason of an ended session. */
static const char *
session_state(const char *sid)
{

	return sqlf("SELECT CASE WHEN ended_at IS NULL THEN 'live' "
	    "ELSE coalesce(end_reason, 'ended without reason') END "
	    "FROM sessions WHERE id = '%s'", sid);
}

/* Rows of refresh_tokens holding the SHA-256 of tok. */
static const char *
hash_rows(const char *tok)
{

	return sqlf("SELECT count(*) FROM refresh_tokens WHERE token_hash = "
	    "sha256(convert_to('%s', 'UTF8'))", tok);
}

/* Rows of refresh_tokens and sessions whose text holds tok anywhere. */
static const char *
text_rows(const char *tok)
{

	return sqlf("SELECT count(*) FROM (SELECT r::text AS t FROM "
	    "refresh_tokens r UNION ALL SELECT s::text FROM sessions s) x "
	    "WHERE strpos(x.t, '%s') > 0", tok);
}

/* Seconds from b to a, two SQL timestamp expressions. */
static double
seconds_between(const char *a, const char *b)
{

	return atof(sqlf("SELECT extract(epoch FROM (%s) - (%s))", a, b));
}

static void
copy(char *dst, size_t dstsz, const char *src)
{
	int	 n;

	n = snprintf(dst, dstsz, "%s", src);
	cr_assert(n >= 0 && (size_t)n < dstsz);
}

/* start */

Test(sessions, start_issues_an_access_token_for_the_user)
{
	struct gh_token_pair	 p;
	struct gh_jwt_claims	 c;

	start(&alice, &p);
	verify(&p, &c);
	cr_assert_str_eq(c.sub, alice.id);
	cr_assert_str_eq(c.username, "alice");
}

Test(sessions, start_access_token_sid_is_a_new_session_of_the_user)
{
	struct gh_token_pair	 p;
	struct gh_jwt_claims	 c;

	start(&alice, &p);
	verify(&p, &c);
	cr_assert_str_eq(c.sid, p.sid);
	cr_assert_str_eq(sqlf("SELECT user_id FROM sessions WHERE id = '%s'",
	    c.sid), alice.id);
	cr_assert_str_eq(session_state(c.sid), "live");
}

Test(sessions, start_opens_a_session_per_login)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_str_neq(p1.sid, p2.sid);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM sessions WHERE "
	    "user_id = '%s'", alice.id), "2");
}

Test(sessions, start_access_token_carries_the_users_roles)
{
	struct gh_token_pair	 p;
	struct gh_jwt_claims	 c;

	start(&alice, &p);
	verify(&p, &c);
	cr_assert_eq(c.nroles, 2);
	cr_assert_str_eq(c.roles[0], "admin");
	cr_assert_str_eq(c.roles[1], "user");
}

Test(sessions, start_access_token_lives_access_minutes)
{
	struct gh_token_pair	 p;
	struct gh_jwt_claims	 c;
	int64_t			 now = (int64_t)time(NULL);

	cfg.access_token_expire_minutes = 7;
	start(&alice, &p);
	verify(&p, &c);
	cr_assert_eq(c.exp - c.iat, 7 * 60);
	cr_assert(c.iat >= now && c.iat <= now + 5, "iat %lld now %lld",
	    (long long)c.iat, (long long)now);
}

Test(sessions, start_expires_in_is_the_access_lifetime_in_seconds)
{
	struct gh_token_pair	 p;

	cfg.access_token_expire_minutes = 7;
	start(&alice, &p);
	cr_assert_eq(p.expires_in, 7 * 60);
}

Test(sessions, start_refresh_token_is_43_base64url_characters)
{
	struct gh_token_pair	 p;
	unsigned char		 raw[64];

	start(&alice, &p);
	cr_assert_eq(strlen(p.refresh), 43, "%s", p.refresh);
	cr_assert_eq(strspn(p.refresh, B64URL), 43, "%s", p.refresh);
	cr_assert_eq(gh_b64url_decode(p.refresh, 43, raw, sizeof(raw)), 32);
}

Test(sessions, start_refresh_tokens_differ)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_str_neq(p1.refresh, p2.refresh);
}

Test(sessions, start_stores_the_sha256_of_the_refresh_token)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
	cr_assert_str_eq(hash_rows(p.refresh), "1");
	cr_assert_str_eq(sqlf("SELECT session_id FROM refresh_tokens"), p.sid);
}

Test(sessions, start_stores_no_refresh_token_text)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_str_eq(text_rows(p.refresh), "0");
	/* The check can see a token: a row holding it is found. */
	(void)sqlf("UPDATE sessions SET user_agent = 'x%sx'", p.refresh);
	cr_assert_str_eq(text_rows(p.refresh), "1");
}

Test(sessions, start_session_expires_after_session_max_days)
{
	struct gh_token_pair	 p;
	char			 e[128];
	double			 d;

	cfg.session_max_days = 20;
	start(&alice, &p);
	(void)snprintf(e, sizeof(e), "(SELECT expires_at FROM sessions "
	    "WHERE id = '%s')", p.sid);
	d = seconds_between(e, "now() + interval '20 days'");
	cr_assert(d > -60 && d < 1, "%f", d);
}

Test(sessions, start_refresh_token_lives_refresh_days)
{
	struct gh_token_pair	 p;
	double			 d;

	cfg.refresh_token_expire_days = 5;
	start(&alice, &p);
	d = seconds_between("(SELECT expires_at FROM refresh_tokens)",
	    "now() + interval '5 days'");
	cr_assert(d > -60 && d < 1, "%f", d);
}

Test(sessions, start_refresh_token_ends_no_later_than_its_session)
{
	struct gh_token_pair	 p;

	cfg.session_max_days = 3;
	cfg.refresh_token_expire_days = 7;
	start(&alice, &p);
	cr_assert_str_eq(sqlf("SELECT r.expires_at = s.expires_at FROM "
	    "refresh_tokens r JOIN sessions s ON s.id = r.session_id"), "t");
}

Test(sessions, start_records_the_client)
{
	struct gh_token_pair	 p;
	struct gh_client	 cl = { "192.0.2.7", "curl/8.0", NULL };

	cr_assert_eq(gh_sessions_start(db, &cfg, &key, &alice, &cl, &p),
	    GH_OK, "%s", gh_db_error(db));
	cr_assert_str_eq(sqlf("SELECT address || ' ' || user_agent FROM "
	    "sessions WHERE id = '%s'", p.sid), "192.0.2.7 curl/8.0");
}

Test(sessions, start_access_token_is_live)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(live(&p), GH_OK);
}

/* refresh */

Test(sessions, refresh_returns_a_new_pair_of_the_same_session)
{
	struct gh_token_pair	 p1, p2;
	struct gh_jwt_claims	 c;

	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_str_neq(p2.refresh, p1.refresh);
	cr_assert_str_neq(p2.access, p1.access);
	cr_assert_str_eq(p2.sid, p1.sid);
	verify(&p2, &c);
	cr_assert_str_eq(c.sub, alice.id);
	cr_assert_str_eq(c.sid, p1.sid);
	cr_assert_eq(p2.expires_in, cfg.access_token_expire_minutes * 60);
	cr_assert_eq(c.exp - c.iat, cfg.access_token_expire_minutes * 60);
}

Test(sessions, refresh_new_token_is_43_base64url_characters)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(strlen(p2.refresh), 43, "%s", p2.refresh);
	cr_assert_eq(strspn(p2.refresh, B64URL), 43, "%s", p2.refresh);
}

Test(sessions, refresh_stores_only_the_hash_of_the_new_token)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_str_eq(hash_rows(p2.refresh), "1");
	cr_assert_str_eq(sqlf("SELECT session_id FROM refresh_tokens WHERE "
	    "token_hash = sha256(convert_to('%s', 'UTF8'))", p2.refresh),
	    p1.sid);
	cr_assert_str_eq(text_rows(p2.refresh), "0");
	cr_assert_str_eq(text_rows(p1.refresh), "0");
}

Test(sessions, refresh_access_token_has_the_roles_of_now)
{
	struct gh_token_pair	 p1, p2;
	struct gh_jwt_claims	 c;

	start(&alice, &p1);
	cr_assert_eq(gh_users_revoke(db, alice.id, "admin"), GH_OK);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	verify(&p2, &c);
	cr_assert_eq(c.nroles, 1);
	cr_assert_str_eq(c.roles[0], "user");
}

Test(sessions, refresh_keeps_the_session_live)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_str_eq(session_state(p1.sid), "live");
	cr_assert_eq(live(&p2), GH_OK);
	cr_assert_eq(live(&p1), GH_OK);
}

/* Seconds since session sid's last use. */
static double
last_use_age(const char *sid)
{

	return atof(sqlf("SELECT extract(epoch FROM now() - last_used_at) "
	    "FROM sessions WHERE id = '%s'", sid));
}

/* sql/015: a session's last use is its last login or refresh. */
Test(sessions, refresh_stamps_the_sessions_last_use)
{
	struct gh_token_pair	 p1, p2, p3;

	start(&alice, &p1);
	cr_assert_str_eq(sqlf("SELECT last_used_at = created_at FROM sessions "
	    "WHERE id = '%s'", p1.sid), "t");
	sqlf("UPDATE sessions SET last_used_at = now() - interval '1 hour'");
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert(last_use_age(p1.sid) < 60);
	/* A refused refresh is no use of it. */
	cfg.refresh_reuse_grace_seconds = 0;
	sqlf("UPDATE sessions SET last_used_at = now() - interval '1 hour'");
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert(last_use_age(p1.sid) > 3000);
}

Test(sessions, refresh_rotated_token_is_refused_after_the_grace)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_neq(refresh(p1.refresh, &p3), GH_REFRESH_OK);
	cr_assert_str_eq(hash_rows(p3.refresh), "0");
}

Test(sessions, refresh_new_token_can_be_refreshed_again)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p2.refresh, &p3), GH_REFRESH_OK);
	cr_assert_str_eq(p3.sid, p1.sid);
}

Test(sessions, refresh_reuse_after_the_grace_is_reused)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
}

Test(sessions, refresh_reuse_ends_the_session_for_reuse)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert_str_eq(session_state(p1.sid), "reuse");
	cr_assert_str_eq(sqlf("SELECT ended_at IS NOT NULL FROM sessions "
	    "WHERE id = '%s'", p1.sid), "t");
}

Test(sessions, refresh_reuse_kills_the_newest_refresh_token)
{
	struct gh_token_pair	 p1, p2, p3, p4;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert_eq(refresh(p2.refresh, &p4), GH_REFRESH_INVALID);
}

Test(sessions, refresh_reuse_kills_the_access_tokens_of_the_session)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert_eq(live(&p1), GH_NOT_FOUND);
	cr_assert_eq(live(&p2), GH_NOT_FOUND);
}

Test(sessions, refresh_reuse_spares_the_users_other_sessions)
{
	struct gh_token_pair	 p1, p2, p3, other;

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &other);
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert_str_eq(session_state(other.sid), "live");
	cr_assert_eq(live(&other), GH_OK);
}

Test(sessions, refresh_reuse_within_the_grace_gets_a_fresh_pair)
{
	struct gh_token_pair	 p1, p2, p3;
	struct gh_jwt_claims	 c;

	cfg.refresh_reuse_grace_seconds = 10;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_OK);
	cr_assert_str_eq(p3.sid, p1.sid);
	cr_assert_str_neq(p3.refresh, p2.refresh);
	cr_assert_str_neq(p3.refresh, p1.refresh);
	verify(&p3, &c);
	cr_assert_str_eq(c.sid, p1.sid);
	cr_assert_str_eq(hash_rows(p3.refresh), "1");
}

Test(sessions, refresh_reuse_within_the_grace_keeps_the_session_live)
{
	struct gh_token_pair	 p1, p2, p3, p4;

	cfg.refresh_reuse_grace_seconds = 10;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_OK);
	cr_assert_str_eq(session_state(p1.sid), "live");
	cr_assert_eq(live(&p3), GH_OK);
	/* Both tabs' tokens go on working. */
	cr_assert_eq(refresh(p3.refresh, &p4), GH_REFRESH_OK);
	cr_assert_eq(refresh(p2.refresh, &p4), GH_REFRESH_OK);
}

Test(sessions, refresh_reuse_just_past_the_grace_is_reused)
{
	struct gh_token_pair	 p1, p2, p3;

	cfg.refresh_reuse_grace_seconds = 10;
	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	(void)sqlf("UPDATE refresh_tokens SET rotated_at = now() - "
	    "interval '11 seconds' WHERE rotated_at IS NOT NULL");
	cr_assert_eq(refresh(p1.refresh, &p3), GH_REFRESH_REUSED);
	cr_assert_str_eq(session_state(p1.sid), "reuse");
}

/*
 * Shapes no issued token has are refused before any query: the database
 * handle points nowhere, so a query would answer GH_UNAVAILABLE.
 */
static void
assert_refused_offline(const char *tok, size_t len)
{
	struct gh_db		*off;
	struct gh_token_pair	 p;
	enum gh_refresh_outcome	 o = GH_REFRESH_OK;

	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	cr_assert_eq(gh_sessions_refresh(off, &cfg, &key, tok, len, &p, &o),
	    GH_OK, "\"%.*s\" reached the database", (int)len, tok);
	cr_assert_eq(o, GH_REFRESH_INVALID, "\"%.*s\"", (int)len, tok);
	cr_assert_str_eq(p.refresh, "");
	cr_assert_str_eq(p.access, "");
	gh_db_free(off);
}

Test(sessions, refresh_of_an_empty_token_is_invalid_offline)
{
	assert_refused_offline("", 0);
}

Test(sessions, refresh_of_42_characters_is_invalid_offline)
{
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 42);
}

Test(sessions, refresh_of_44_characters_is_invalid_offline)
{
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 44);
}

Test(sessions, refresh_of_43_non_base64url_characters_is_invalid_offline)
{
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+A", 43);
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/A", 43);
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=A", 43);
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA A", 43);
}

Test(sessions, refresh_of_a_token_with_a_nul_inside_is_invalid_offline)
{
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAAAAA", 43);
}

Test(sessions, refresh_of_a_43_character_token_with_stray_bits_is_invalid)
{
	/* 'B' leaves a non-zero bit past the 256th: no encoder writes it. */
	assert_refused_offline("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", 43);
}

Test(sessions, refresh_of_a_real_token_with_a_trailing_newline_is_invalid)
{
	struct gh_token_pair	 p;
	char			 tok[64];

	start(&alice, &p);
	(void)snprintf(tok, sizeof(tok), "%s\n", p.refresh);
	assert_refused_offline(tok, strlen(tok));
}

Test(sessions, refresh_of_an_unknown_token_is_invalid)
{
	struct gh_token_pair	 p, q;
	char			 tok[GH_REFRESH_LEN + 1];

	start(&alice, &p);
	cr_assert_eq(gh_random_b64url(GH_REFRESH_BYTES, tok, sizeof(tok)), 0);
	cr_assert_eq(refresh(tok, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
	cr_assert_str_eq(session_state(p.sid), "live");
}

Test(sessions, refresh_of_an_expired_token_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	(void)sqlf("UPDATE refresh_tokens SET expires_at = now() - "
	    "interval '1 second'");
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
	cr_assert_str_eq(sqlf("SELECT rotated_at IS NULL FROM "
	    "refresh_tokens"), "t");
}

Test(sessions, refresh_of_an_expired_token_does_not_end_the_session)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	(void)sqlf("UPDATE refresh_tokens SET expires_at = now() - "
	    "interval '1 second'");
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(session_state(p.sid), "live");
}

Test(sessions, refresh_in_an_ended_session_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "logout"), GH_OK);
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(session_state(p.sid), "logout");
}

Test(sessions, refresh_past_session_max_days_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	(void)sqlf("UPDATE sessions SET expires_at = now() - "
	    "interval '1 second'");
	/* The token itself would still be good for days. */
	cr_assert_str_eq(sqlf("SELECT expires_at > now() + interval '1 day' "
	    "FROM refresh_tokens"), "t");
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
}

Test(sessions, refresh_of_a_suspended_user_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	cr_assert_eq(gh_users_set_active(db, alice.id, false), GH_OK);
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
}

Test(sessions, refresh_of_a_suspended_user_with_a_live_session_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	/* Behind the API's back: the user check alone must refuse. */
	(void)sqlf("UPDATE users SET status = 'suspended' WHERE id = '%s'",
	    alice.id);
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "1");
}

Test(sessions, refresh_of_a_deleted_user_is_invalid)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	cr_assert_eq(gh_users_delete(db, alice.id), GH_OK);
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
}

Test(sessions, refresh_token_lives_refresh_days)
{
	struct gh_token_pair	 p1, p2;
	char			 e[256];
	double			 d;

	start(&alice, &p1);
	cfg.refresh_token_expire_days = 4;
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	(void)snprintf(e, sizeof(e), "(SELECT expires_at FROM refresh_tokens "
	    "WHERE token_hash = sha256(convert_to('%s', 'UTF8')))", p2.refresh);
	d = seconds_between(e, "now() + interval '4 days'");
	cr_assert(d > -60 && d < 1, "%f", d);
}

Test(sessions, refresh_token_ends_no_later_than_its_session)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	/* The login was 28 days ago: 2 days are left, not 7. */
	(void)sqlf("UPDATE sessions SET expires_at = now() + "
	    "interval '2 days'");
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_str_eq(sqlf("SELECT r.expires_at = s.expires_at FROM "
	    "refresh_tokens r JOIN sessions s ON s.id = r.session_id "
	    "WHERE r.token_hash = sha256(convert_to('%s', 'UTF8'))",
	    p2.refresh), "t");
}

Test(sessions, refresh_does_not_extend_the_session)
{
	struct gh_token_pair	 p1, p2;
	char			 before[64];

	start(&alice, &p1);
	copy(before, sizeof(before), sqlf("SELECT expires_at FROM sessions"));
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	cr_assert_str_eq(sqlf("SELECT expires_at FROM sessions"), before);
}

/* One racer: refreshes tok when the gate opens; exits with the outcome. */
static void
racer(const void *tok, int gate)
{
	struct gh_db		*rdb;
	struct gh_token_pair	 p;
	enum gh_refresh_outcome	 o;

	if ((rdb = gh_db_new(url, 5000)) == NULL || gh_db_ping(rdb) != GH_OK)
		_exit(10);
	t_race_wait(gate);
	if (gh_sessions_refresh(rdb, &cfg, &key, tok, strlen(tok), &p,
	    &o) != GH_OK)
		_exit(11);
	switch (o) {
	case GH_REFRESH_OK:
		_exit(p.refresh[0] != '\0' && p.access[0] != '\0' ? 0 : 12);
	case GH_REFRESH_REUSED:
		_exit(1);
	case GH_REFRESH_INVALID:
		_exit(2);
	}
	_exit(13);
}

Test(sessions, concurrent_refreshes_of_one_token_rotate_it_once)
{
	struct gh_token_pair	 p;
	int			 exits[T_RACE_EXITS];

	cfg.refresh_reuse_grace_seconds = 0;
	start(&alice, &p);
	t_race(NRACERS, racer, p.refresh, exits);
	cr_assert_eq(exits[0], 1, "ok %d reused %d invalid %d", exits[0],
	    exits[1], exits[2]);
	cr_assert_eq(exits[0] + exits[1] + exits[2], NRACERS);
	cr_assert_geq(exits[1], 1, "ok %d reused %d invalid %d", exits[0],
	    exits[1], exits[2]);
	cr_assert_str_eq(session_state(p.sid), "reuse");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens WHERE "
	    "rotated_at IS NOT NULL"), "1");
}

/* end */

Test(sessions, end_ends_the_session)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "logout"), GH_OK);
	cr_assert_str_eq(session_state(p.sid), "logout");
	cr_assert_eq(live(&p), GH_NOT_FOUND);
}

Test(sessions, end_spares_the_users_other_sessions)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_eq(gh_sessions_end(db, alice.id, p1.sid, "logout"),
	    GH_OK);
	cr_assert_str_eq(session_state(p2.sid), "live");
	cr_assert_eq(live(&p2), GH_OK);
}

Test(sessions, end_of_another_users_session_is_not_found)
{
	struct gh_token_pair	 pa, pb;

	start(&alice, &pa);
	start(&bob, &pb);
	cr_assert_eq(gh_sessions_end(db, alice.id, pb.sid, "logout"),
	    GH_NOT_FOUND);
	cr_assert_str_eq(session_state(pb.sid), "live");
	cr_assert_str_eq(session_state(pa.sid), "live");
}

Test(sessions, end_of_an_unknown_session_is_not_found)
{
	char	 sid[GH_UUID_LEN + 1];

	cr_assert_eq(gh_random_uuid(sid, sizeof(sid)), 0);
	cr_assert_eq(gh_sessions_end(db, alice.id, sid, "logout"),
	    GH_NOT_FOUND);
}

Test(sessions, end_of_an_ended_session_keeps_its_first_reason)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "password_changed"),
	    GH_OK);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "logout"),
	    GH_NOT_FOUND);
	cr_assert_str_eq(session_state(p.sid), "password_changed");
}

Test(sessions, end_kills_the_sessions_refresh_token)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "logout"), GH_OK);
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
}

/* end_by_refresh */

Test(sessions, end_by_refresh_ends_that_tokens_session)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_eq(gh_sessions_end_by_refresh(db, alice.id, p1.refresh,
	    strlen(p1.refresh)), GH_OK);
	cr_assert_str_eq(session_state(p1.sid), "logout");
	cr_assert_str_eq(session_state(p2.sid), "live");
	cr_assert_eq(live(&p1), GH_NOT_FOUND);
}

Test(sessions, end_by_refresh_with_another_users_token_is_not_found)
{
	struct gh_token_pair	 pa, pb, q;

	start(&alice, &pa);
	start(&bob, &pb);
	cr_assert_eq(gh_sessions_end_by_refresh(db, alice.id, pb.refresh,
	    strlen(pb.refresh)), GH_NOT_FOUND);
	cr_assert_str_eq(session_state(pb.sid), "live");
	cr_assert_eq(live(&pb), GH_OK);
	cr_assert_eq(refresh(pb.refresh, &q), GH_REFRESH_OK);
}

Test(sessions, end_by_refresh_of_an_unknown_token_is_not_found)
{
	struct gh_token_pair	 p;
	char			 tok[GH_REFRESH_LEN + 1];

	start(&alice, &p);
	cr_assert_eq(gh_random_b64url(GH_REFRESH_BYTES, tok, sizeof(tok)), 0);
	cr_assert_eq(gh_sessions_end_by_refresh(db, alice.id, tok,
	    strlen(tok)), GH_NOT_FOUND);
	cr_assert_str_eq(session_state(p.sid), "live");
}

Test(sessions, end_by_refresh_of_a_malformed_token_is_not_found)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end_by_refresh(db, alice.id, p.refresh, 42),
	    GH_NOT_FOUND);
	cr_assert_eq(gh_sessions_end_by_refresh(db, alice.id, "", 0),
	    GH_NOT_FOUND);
	cr_assert_str_eq(session_state(p.sid), "live");
}

Test(sessions, end_by_refresh_keeps_the_reason_of_an_ended_session)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "password_reset"),
	    GH_OK);
	(void)gh_sessions_end_by_refresh(db, alice.id, p.refresh,
	    strlen(p.refresh));
	cr_assert_str_eq(session_state(p.sid), "password_reset");
}

/* end_all */

Test(sessions, end_all_ends_every_live_session_of_the_user)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_eq(gh_sessions_end_all(db, alice.id, "logout_all"),
	    GH_OK);
	cr_assert_str_eq(session_state(p1.sid), "logout_all");
	cr_assert_str_eq(session_state(p2.sid), "logout_all");
	cr_assert_eq(live(&p1), GH_NOT_FOUND);
	cr_assert_eq(live(&p2), GH_NOT_FOUND);
}

Test(sessions, end_all_spares_other_users_sessions)
{
	struct gh_token_pair	 pa, pb;

	start(&alice, &pa);
	start(&bob, &pb);
	cr_assert_eq(gh_sessions_end_all(db, alice.id, "logout_all"),
	    GH_OK);
	cr_assert_str_eq(session_state(pb.sid), "live");
	cr_assert_eq(live(&pb), GH_OK);
}

Test(sessions, end_all_keeps_the_reason_of_ended_sessions)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	start(&alice, &p2);
	cr_assert_eq(gh_sessions_end(db, alice.id, p1.sid, "logout"),
	    GH_OK);
	cr_assert_eq(gh_sessions_end_all(db, alice.id, "logout_all"),
	    GH_OK);
	cr_assert_str_eq(session_state(p1.sid), "logout");
	cr_assert_str_eq(session_state(p2.sid), "logout_all");
}

/* cleanup */

/* A session of alice, started and then ended the given interval ago. */
static void
ended_ago(const char *ago, struct gh_token_pair *p)
{

	start(&alice, p);
	(void)sqlf("UPDATE sessions SET ended_at = now() - interval '%s', "
	    "end_reason = 'logout' WHERE id = '%s'", ago, p->sid);
}

static long
cleanup(int keep_days)
{
	long			 n = -1;
	enum gh_status		 st;

	st = gh_sessions_cleanup(db, keep_days, &n);
	cr_assert_eq(st, GH_OK, "cleanup: %d: %s", st, gh_db_error(db));
	return n;
}

/* The throttle's cleanup (throttle.h), with a window of window_seconds. */
static long
throttle_cleanup(int window_seconds)
{
	long			 n = -1;
	enum gh_status		 st;

	cfg.login_failure_window_seconds = window_seconds;
	st = gh_throttle_cleanup(db, &cfg, &n);
	cr_assert_eq(st, GH_OK, "cleanup: %d: %s", st, gh_db_error(db));
	return n;
}

static const char *
sessions_with(const char *sid)
{

	return sqlf("SELECT count(*) FROM sessions WHERE id = '%s'", sid);
}

static const char *
tokens_of(const char *sid)
{

	return sqlf("SELECT count(*) FROM refresh_tokens WHERE "
	    "session_id = '%s'", sid);
}

Test(sessions, cleanup_deletes_sessions_ended_before_keep_days)
{
	struct gh_token_pair	 p;

	ended_ago("8 days", &p);
	(void)cleanup(7);
	cr_assert_str_eq(sessions_with(p.sid), "0");
}

Test(sessions, cleanup_deletes_the_refresh_tokens_of_deleted_sessions)
{
	struct gh_token_pair	 p1, p2;

	start(&alice, &p1);
	cr_assert_eq(refresh(p1.refresh, &p2), GH_REFRESH_OK);
	(void)sqlf("UPDATE sessions SET ended_at = now() - interval '8 days', "
	    "end_reason = 'logout'");
	cr_assert_str_eq(tokens_of(p1.sid), "2");
	(void)cleanup(7);
	cr_assert_str_eq(tokens_of(p1.sid), "0");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "0");
}

Test(sessions, cleanup_keeps_live_sessions)
{
	struct gh_token_pair	 p, q;

	start(&alice, &p);
	(void)sqlf("UPDATE sessions SET created_at = now() - "
	    "interval '20 days'");
	cr_assert_eq(cleanup(0), 0);
	cr_assert_str_eq(sessions_with(p.sid), "1");
	cr_assert_str_eq(tokens_of(p.sid), "1");
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_OK);
}

Test(sessions, cleanup_keeps_sessions_ended_within_keep_days)
{
	struct gh_token_pair	 p;

	ended_ago("6 days", &p);
	cr_assert_eq(cleanup(7), 0);
	cr_assert_str_eq(sessions_with(p.sid), "1");
	cr_assert_str_eq(tokens_of(p.sid), "1");
}

Test(sessions, cleanup_with_keep_days_0_deletes_ended_sessions_at_once)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(gh_sessions_end(db, alice.id, p.sid, "logout"), GH_OK);
	(void)cleanup(0);
	cr_assert_str_eq(sessions_with(p.sid), "0");
}

Test(sessions, cleanup_deletes_sessions_expired_before_keep_days)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	(void)sqlf("UPDATE sessions SET expires_at = now() - "
	    "interval '8 days'");
	(void)cleanup(7);
	cr_assert_str_eq(sessions_with(p.sid), "0");
}

Test(sessions, cleanup_keeps_sessions_expired_within_keep_days)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	(void)sqlf("UPDATE sessions SET expires_at = now() - "
	    "interval '6 days'");
	(void)cleanup(7);
	cr_assert_str_eq(sessions_with(p.sid), "1");
}

Test(sessions, throttle_cleanup_deletes_login_failures_older_than_the_window)
{
	(void)sqlf("INSERT INTO login_failures (account, address, failed_at) "
	    "VALUES ('alice', '192.0.2.1', now() - interval '901 seconds'), "
	    "('alice', '192.0.2.1', now() - interval '1 day'), "
	    "('alice', '192.0.2.1', now() - interval '899 seconds'), "
	    "('bob', '192.0.2.2', now())");
	cr_assert_eq(throttle_cleanup(900), 2);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "2");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures WHERE "
	    "failed_at < now() - interval '900 seconds'"), "0");
}

Test(sessions, throttle_cleanup_deletes_registrations_older_than_the_window)
{
	(void)sqlf("INSERT INTO registrations (address, created_at) VALUES "
	    "('192.0.2.1', now() - interval '2 hours'), "
	    "('192.0.2.1', now() - interval '10 minutes')");
	cr_assert_eq(throttle_cleanup(3600), 1);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM registrations"), "1");
}

Test(sessions, cleanup_of_sessions_leaves_the_throttle_alone)
{
	(void)sqlf("INSERT INTO login_failures (account, failed_at) VALUES "
	    "('alice', now() - interval '30 days')");
	cr_assert_eq(cleanup(0), 0);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "1");
}

Test(sessions, cleanup_reports_the_rows_it_deleted)
{
	struct gh_token_pair	 old1, old2, recent, keep;
	const char		*before;
	long			 n, total;

	ended_ago("10 days", &old1);
	ended_ago("30 days", &old2);
	ended_ago("1 day", &recent);
	start(&alice, &keep);
	(void)sqlf("INSERT INTO login_failures (account, failed_at) VALUES "
	    "('alice', now() - interval '1 hour'), "
	    "('alice', now() - interval '2 hours'), "
	    "('alice', now() - interval '3 hours'), ('alice', now())");
	before = "(SELECT count(*) FROM sessions) + (SELECT count(*) FROM "
	    "refresh_tokens) + (SELECT count(*) FROM login_failures)";
	total = atol(sqlf("SELECT %s", before));
	n = cleanup(7) + throttle_cleanup(900);
	/* Two sessions and three failures go, and nothing else. */
	cr_assert_str_eq(sessions_with(old1.sid), "0");
	cr_assert_str_eq(sessions_with(old2.sid), "0");
	cr_assert_str_eq(sessions_with(recent.sid), "1");
	cr_assert_str_eq(sessions_with(keep.sid), "1");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "1");
	cr_assert_eq(n, total - atol(sqlf("SELECT %s", before)), "%ld", n);
}

Test(sessions, cleanup_of_nothing_reports_0)
{
	struct gh_token_pair	 p;

	start(&alice, &p);
	cr_assert_eq(cleanup(7), 0);
	cr_assert_eq(cleanup(7), 0);
}

Test(sessions, cleanup_twice_deletes_nothing_the_second_time)
{
	struct gh_token_pair	 p;

	ended_ago("8 days", &p);
	cr_assert_gt(cleanup(7), 0);
	cr_assert_eq(cleanup(7), 0);
}

/* signin */

#define PASSWORD	"Carol-pass-1"
#define ADDRESS		"192.0.2.9"

static struct gh_user	 carol;

/* carol: a password that verifies, hashed at cost, and every identifier. */
static void
add_carol(int cost)
{
	static const char *const one[] = { "user" };
	char	 hash[GH_HASH_MAX];

	cr_assert_eq(gh_password_hash(PASSWORD, strlen(PASSWORD), cost, hash,
	    sizeof(hash)), 0);
	add_user_hashed("carol", hash, one, 1, &carol);
	(void)sqlf("UPDATE users SET email = 'carol@example.org', "
	    "employee_id = 'E-7' WHERE id = '%s'", carol.id);
}

/* Where login_by() logs in from; a test may move it. */
static const char	*login_address = ADDRESS;

static enum gh_signin_outcome
login_by(enum gh_login_field field, const char *id, const char *pw,
    struct gh_signin *out)
{
	struct gh_login		 in;
	enum gh_status		 st;

	memset(&in, 0, sizeof(in));
	in.field = field;
	in.identifier = id;
	in.password = pw;
	in.password_len = strlen(pw);
	in.client.address = login_address;
	in.client.user_agent = "test";
	st = gh_signin_login(db, &cfg, &key, &in, out);
	cr_assert_eq(st, GH_OK, "login: %d: %s", st, gh_db_error(db));
	return out->outcome;
}

static enum gh_signin_outcome
login_as(const char *name, const char *pw, struct gh_signin *out)
{

	return login_by(GH_LOGIN_USERNAME, name, pw, out);
}

static const char *
failures_of(const char *account)
{

	return sqlf("SELECT count(*) FROM login_failures WHERE account = "
	    "'%s'", account);
}

/* The caller behind a pair's access token. */
static void
principal_of(const struct gh_token_pair *t, struct gh_principal *p)
{
	const char	*why;

	cr_assert_eq(gh_principal_check(db, &key, t->access,
	    strlen(t->access), p, &why), GH_OK, "%s", why != NULL ? why : "");
}

Test(sessions, signin_login_starts_a_session_of_the_user)
{
	struct gh_signin	 out;
	struct gh_jwt_claims	 c;

	add_carol(4);
	cr_assert_eq(login_as("carol", PASSWORD, &out), GH_SIGNIN_OK);
	verify(&out.tokens, &c);
	cr_assert_str_eq(c.sub, carol.id);
	cr_assert_str_eq(session_state(out.tokens.sid), "live");
	cr_assert_str_eq(sqlf("SELECT address || ' ' || user_agent FROM "
	    "sessions WHERE id = '%s'", out.tokens.sid), ADDRESS " test");
}

Test(sessions, signin_login_by_email_and_employee_id)
{
	struct gh_signin	 out;

	add_carol(4);
	cr_assert_eq(login_by(GH_LOGIN_EMAIL, "Carol@Example.org", PASSWORD,
	    &out), GH_SIGNIN_OK);
	cr_assert_eq(login_by(GH_LOGIN_EMPLOYEE_ID, "E-7", PASSWORD, &out),
	    GH_SIGNIN_OK);
}

Test(sessions, signin_login_with_a_wrong_password_counts_a_failure)
{
	struct gh_signin	 out;
	char			 account[64];

	add_carol(4);
	cr_assert_eq(login_as("carol", "Wrong-pass-1", &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
	cr_assert_eq(out.tokens.access[0], '\0');
	(void)snprintf(account, sizeof(account), "id:%s", carol.id);
	cr_assert_str_eq(failures_of(account), "1");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM sessions"), "0");
}

Test(sessions, signin_login_of_an_unknown_user_counts_under_the_name)
{
	struct gh_signin	 out;

	cr_assert_eq(login_as("Nobody", PASSWORD, &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
	cr_assert_str_eq(failures_of("name:username:nobody"), "1");
}

Test(sessions, signin_login_of_a_suspended_user_is_bad_credentials)
{
	struct gh_signin	 out;

	add_carol(4);
	(void)sqlf("UPDATE users SET status = 'suspended' WHERE id = '%s'",
	    carol.id);
	cr_assert_eq(login_as("carol", PASSWORD, &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
}

Test(sessions, signin_login_clears_the_accounts_failures)
{
	struct gh_signin	 out;
	char			 account[64];

	add_carol(4);
	(void)login_as("carol", "Wrong-pass-1", &out);
	cr_assert_eq(login_as("carol", PASSWORD, &out), GH_SIGNIN_OK);
	(void)snprintf(account, sizeof(account), "id:%s", carol.id);
	cr_assert_str_eq(failures_of(account), "0");
}

Test(sessions, signin_login_past_the_limit_is_throttled_and_counts_nothing)
{
	struct gh_signin	 out;
	char			 account[64];
	int			 i;

	add_carol(4);
	cfg.login_max_failures_per_account = 2;
	for (i = 0; i < 2; i++)
		cr_assert_eq(login_as("carol", "Wrong-pass-1", &out),
		    GH_SIGNIN_BAD_CREDENTIALS);
	/* The right password too: the throttle comes first. */
	cr_assert_eq(login_as("carol", PASSWORD, &out), GH_SIGNIN_THROTTLED);
	cr_assert_gt(out.retry_after, 0);
	(void)snprintf(account, sizeof(account), "id:%s", carol.id);
	cr_assert_str_eq(failures_of(account), "2");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM sessions"), "0");
}

Test(sessions, signin_login_rehashes_a_hash_of_another_cost)
{
	struct gh_signin	 out;

	add_carol(5);
	cr_assert_eq(login_as("carol", PASSWORD, &out), GH_SIGNIN_OK);
	cr_assert_str_eq(sqlf("SELECT left(password_hash, 7) FROM users "
	    "WHERE id = '%s'", carol.id), "$2b$04$");
	cr_assert_eq(login_as("carol", PASSWORD, &out), GH_SIGNIN_OK);
}

Test(sessions, signin_login_with_the_database_unreachable_is_unavailable)
{
	struct gh_signin	 out;
	struct gh_login		 in;
	struct gh_db		*off;

	memset(&in, 0, sizeof(in));
	in.identifier = "carol";
	in.password = PASSWORD;
	in.password_len = strlen(PASSWORD);
	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	cr_assert_eq(gh_signin_login(off, &cfg, &key, &in, &out),
	    GH_UNAVAILABLE);
	gh_db_free(off);
}

static enum gh_signin_outcome
signin_refresh(const char *tok, struct gh_signin *out)
{
	enum gh_status	 st;

	st = gh_signin_refresh(db, &cfg, &key, tok, strlen(tok), out);
	cr_assert_eq(st, GH_OK, "refresh: %d: %s", st, gh_db_error(db));
	return out->outcome;
}

Test(sessions, signin_refresh_rotates_reuses_and_refuses)
{
	struct gh_token_pair	 p;
	struct gh_signin	 out;

	start(&alice, &p);
	cfg.refresh_reuse_grace_seconds = 0;
	cr_assert_eq(signin_refresh(p.refresh, &out), GH_SIGNIN_OK);
	cr_assert_str_eq(out.tokens.sid, p.sid);
	cr_assert_eq(signin_refresh("no-such-token", &out),
	    GH_SIGNIN_INVALID_TOKEN);
	cr_assert_eq(signin_refresh(p.refresh, &out), GH_SIGNIN_REUSED);
	cr_assert_str_eq(out.tokens.sid, p.sid);
	cr_assert_str_eq(session_state(p.sid), "reuse");
}

static enum gh_signin_outcome
logout(const struct gh_principal *who, bool all, const char *tok)
{
	struct gh_logout	 lo;
	struct gh_signin	 out;
	enum gh_status		 st;

	lo.all = all;
	lo.refresh = tok;
	lo.refresh_len = tok != NULL ? strlen(tok) : 0;
	st = gh_signin_logout(db, who, &lo, &out);
	cr_assert_eq(st, GH_OK, "logout: %d: %s", st, gh_db_error(db));
	return out.outcome;
}

Test(sessions, signin_logout_ends_the_callers_session_once_or_twice)
{
	struct gh_token_pair	 p, q;
	struct gh_principal	 who;

	start(&alice, &p);
	start(&alice, &q);
	principal_of(&p, &who);
	cr_assert_eq(logout(&who, false, NULL), GH_SIGNIN_OK);
	cr_assert_str_eq(session_state(p.sid), "logout");
	cr_assert_str_eq(session_state(q.sid), "live");
	/* A second logout of the same session finds it ended: fine. */
	cr_assert_eq(logout(&who, false, NULL), GH_SIGNIN_OK);
}

Test(sessions, signin_logout_by_refresh_token_must_be_the_callers)
{
	struct gh_token_pair	 a, b;
	struct gh_principal	 who;

	start(&alice, &a);
	start(&bob, &b);
	principal_of(&a, &who);
	cr_assert_eq(logout(&who, false, b.refresh), GH_SIGNIN_INVALID_TOKEN);
	cr_assert_str_eq(session_state(b.sid), "live");
	cr_assert_eq(logout(&who, false, a.refresh), GH_SIGNIN_OK);
	cr_assert_str_eq(session_state(a.sid), "logout");
}

Test(sessions, signin_logout_all_ends_every_session_of_the_caller)
{
	struct gh_token_pair	 a1, a2, b;
	struct gh_principal	 who;

	start(&alice, &a1);
	start(&alice, &a2);
	start(&bob, &b);
	principal_of(&a1, &who);
	cr_assert_eq(logout(&who, true, b.refresh), GH_SIGNIN_OK);
	cr_assert_str_eq(session_state(a1.sid), "logout_all");
	cr_assert_str_eq(session_state(a2.sid), "logout_all");
	cr_assert_str_eq(session_state(b.sid), "live");
}

static enum gh_signin_outcome
change_password(const struct gh_principal *who, const char *cur,
    const char *next, struct gh_signin *out)
{
	struct gh_password_change	 pc;
	enum gh_status			 st;

	pc.current = cur;
	pc.current_len = strlen(cur);
	pc.next = next;
	pc.next_len = strlen(next);
	pc.address = "192.0.2.1";
	st = gh_signin_change_password(db, &cfg, who, &pc, out);
	cr_assert_eq(st, GH_OK, "password: %d: %s", st, gh_db_error(db));
	return out->outcome;
}

Test(sessions, signin_password_change_needs_the_current_password_first)
{
	struct gh_signin	 out, in;
	struct gh_principal	 who;

	add_carol(4);
	cr_assert_eq(login_as("carol", PASSWORD, &in), GH_SIGNIN_OK);
	principal_of(&in.tokens, &who);
	/* A weak new password with a wrong current one: the 401 first. */
	cr_assert_eq(change_password(&who, "Wrong-pass-1", "x", &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
	cr_assert_eq(change_password(&who, PASSWORD, "x", &out),
	    GH_SIGNIN_WEAK_PASSWORD);
	cr_assert_eq(out.verdict, GH_PW_TOO_SHORT);
	cr_assert_eq(change_password(&who, PASSWORD, "carol-carol", &out),
	    GH_SIGNIN_OK);
	cr_assert_eq(login_as("carol", PASSWORD, &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
	cr_assert_eq(login_as("carol", "carol-carol", &out), GH_SIGNIN_OK);
}

Test(sessions, signin_password_change_ends_every_other_session)
{
	struct gh_signin	 out, mine, other;
	struct gh_principal	 who;

	add_carol(4);
	cr_assert_eq(login_as("carol", PASSWORD, &mine), GH_SIGNIN_OK);
	cr_assert_eq(login_as("carol", PASSWORD, &other), GH_SIGNIN_OK);
	principal_of(&mine.tokens, &who);
	cr_assert_eq(change_password(&who, PASSWORD, "Another-pass-2", &out),
	    GH_SIGNIN_OK);
	cr_assert_str_eq(session_state(mine.tokens.sid), "live");
	cr_assert_str_neq(session_state(other.tokens.sid), "live");
}

/* One holder of a /64 gets one per-address budget, not 2^64 of them. */
Test(sessions, signin_counts_an_ipv6_address_by_its_64)
{
	static const char *const same[] = { "2001:db8:1:2::1",
	    "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff" };
	struct gh_signin	 out;
	size_t			 i;

	cfg.login_max_failures_per_address = 3;
	for (i = 0; i < 3; i++) {
		login_address = same[i];
		cr_assert_eq(login_as("nobody", "Wrong-pass-1", &out),
		    GH_SIGNIN_BAD_CREDENTIALS);
	}
	login_address = "2001:db8:1:2::abcd";
	cr_assert_eq(login_as("nobody-else", "Wrong-pass-1", &out),
	    GH_SIGNIN_THROTTLED);
	login_address = "2001:db8:1:3::1";
	cr_assert_eq(login_as("nobody-else", "Wrong-pass-1", &out),
	    GH_SIGNIN_BAD_CREDENTIALS);
	cr_assert_str_eq(sqlf("SELECT string_agg(DISTINCT address, ' ') FROM "
	    "login_failures"), "2001:db8:1:2::/64 2001:db8:1:3::/64");
}

/* Whether p's access token is for audience (and for no one else). */
static bool
is_for(const struct gh_token_pair *p, const char *audience)
{
	struct gh_jwt_key	 k = key;
	struct gh_jwt_claims	 c;

	k.audience = audience;
	return gh_jwt_verify(&k, p->access, strlen(p->access),
	    (int64_t)time(NULL), &c) == GH_JWT_OK;
}

/* A session's audience is its tokens' aud, through every refresh. */
Test(sessions, an_audience_stays_with_its_session)
{
	struct gh_client	 cl = { NULL, NULL, "app" };
	struct gh_token_pair	 p, q;

	(void)snprintf(cfg.token_audiences, sizeof(cfg.token_audiences),
	    "app wiki");
	cr_assert_eq(gh_sessions_start(db, &cfg, &key, &bob, &cl, &p), GH_OK,
	    "%s", gh_db_error(db));
	cr_assert(is_for(&p, "app"));
	cr_assert_not(is_for(&p, "wiki"));
	cr_assert_not(is_for(&p, ""), "the API's own key took it");
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_OK);
	cr_assert(is_for(&q, "app"));
	cr_assert_not(is_for(&q, ""));
	cr_assert_str_eq(t_db_sql(url, "SELECT audience FROM sessions"), "app");
	start(&bob, &p);
	cr_assert(is_for(&p, ""));
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_OK);
	cr_assert(is_for(&q, ""));
	cr_assert_not(is_for(&q, "app"));
}

/* Off the list, an audience mints nothing more. */
Test(sessions, an_audience_taken_off_the_list_refreshes_no_more)
{
	struct gh_client	 cl = { NULL, NULL, "app" };
	struct gh_token_pair	 p, q;

	(void)snprintf(cfg.token_audiences, sizeof(cfg.token_audiences), "app");
	cr_assert_eq(gh_sessions_start(db, &cfg, &key, &bob, &cl, &p), GH_OK,
	    "%s", gh_db_error(db));
	cfg.token_audiences[0] = '\0';
	cr_assert_eq(refresh(p.refresh, &q), GH_REFRESH_INVALID);
}
