/*
 * recovery: the one-time tokens of a password reset and of an address
 * verification (recovery.h), against a real PostgreSQL (a fresh migrated
 * database per test).  Tokens are found behind the API by PostgreSQL's
 * own sha256(), so the test does not share the hash it checks.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "core/jwt.h"
#include "data/db.h"
#include "domain/recovery.h"
#include "domain/sessions.h"
#include "domain/users.h"
#include "fixture.h"
#include "pgtest.h"

#define SECRET		"recovery-test-secret-0123456789-abcdefghijklmnop"
#define NEWPW		"a new password, long enough"
#define NRACERS		8

static char		 url[1024];
static struct gh_config	 cfg;
static struct gh_jwt_key key;
static struct gh_db	*db;
static struct gh_user	 alice, bob;

#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

static void
add_user(const char *name, const char *email, struct gh_user *u)
{
	struct gh_user_new	 n;

	t_user_new(&n, name);
	n.email = email;
	cr_assert_eq(gh_users_create(db, &n, u), GH_OK, "create %s: %s",
	    name, gh_db_error(db));
}

/* alice has an address, bob none. */
static void
setup(void)
{
	t_config(&cfg, &key, SECRET);
	db = t_db_fresh(url, sizeof(url));
	add_user("alice", "alice@example.com", &alice);
	add_user("bob", NULL, &bob);
}

static void
teardown(void)
{
	gh_db_free(db);
	db = NULL;
}

TestSuite(recovery, .init = setup, .fini = teardown);

/* A reset token for alice, asked by her username. */
static void
forgot(struct gh_onetime *t)
{
	enum gh_recovery_outcome	 oc;

	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_USERNAME, "alice",
	    t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_OK);
	cr_assert_eq(strlen(t->token), GH_ONETIME_LEN);
}

static enum gh_recovery_outcome
reset(const char *token, const char *pw)
{
	struct gh_reset			 r = { token, strlen(token), pw,
					    strlen(pw) };
	struct gh_onetime		 who;
	enum gh_recovery_outcome	 oc;
	enum gh_password_verdict	 v;

	cr_assert_eq(gh_recovery_reset(db, &cfg, &r, &who, &oc, &v), GH_OK);
	if (oc == GH_RECOVERY_OK)
		cr_assert_str_eq(who.username, "alice");
	return oc;
}

static enum gh_recovery_outcome
verify_issue(const struct gh_user *u, struct gh_onetime *t)
{
	enum gh_recovery_outcome	 oc;

	cr_assert_eq(gh_recovery_verify_issue(db, &cfg, u->id, t, &oc),
	    GH_OK);
	return oc;
}

static enum gh_recovery_outcome
verify(const char *token)
{
	enum gh_recovery_outcome	 oc;
	char				 uid[GH_UUID_LEN + 1];

	cr_assert_eq(gh_recovery_verify(db, token, strlen(token), uid, &oc),
	    GH_OK);
	if (oc == GH_RECOVERY_OK)
		cr_assert_str_eq(uid, alice.id);
	return oc;
}

static const char *
state(const char *token)
{
	return sqlf("SELECT coalesce(end_reason, 'live') FROM onetime_tokens "
	    "WHERE token_hash = sha256('%s'::bytea)", token);
}

Test(recovery, a_token_is_stored_only_as_its_hash)
{
	struct gh_onetime	 t;

	forgot(&t);
	cr_assert_str_eq(state(t.token), "live");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM onetime_tokens WHERE "
	    "position('%s'::bytea IN token_hash) > 0 OR email = '%s'",
	    t.token, t.token), "0");
	cr_assert_str_eq(t.email, "alice@example.com");
}

Test(recovery, by_email_ignoring_case)
{
	struct gh_onetime		 t;
	enum gh_recovery_outcome	 oc;

	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_EMAIL,
	    "ALICE@Example.com", &t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_OK);
	cr_assert_str_eq(t.username, "alice");
}

Test(recovery, no_token_for_unknown_suspended_or_addressless_accounts)
{
	struct gh_onetime		 t;
	enum gh_recovery_outcome	 oc;

	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_USERNAME, "carol",
	    &t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_NO_ACCOUNT);
	cr_assert_eq(t.token[0], '\0');
	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_USERNAME, "bob",
	    &t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_NO_ACCOUNT);
	sqlf("UPDATE users SET status = 'suspended' WHERE username = 'alice'");
	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_USERNAME, "alice",
	    &t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_NO_ACCOUNT);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM onetime_tokens"), "0");
}

Test(recovery, a_reset_sets_the_password_and_ends_every_session)
{
	struct gh_onetime	 t;
	struct gh_token_pair	 p1, p2;
	struct gh_user		 u;

	cr_assert_eq(gh_sessions_start(db, &cfg, &key, &alice, NULL, &p1),
	    GH_OK);
	cr_assert_eq(gh_sessions_start(db, &cfg, &key, &alice, NULL, &p2),
	    GH_OK);
	sqlf("INSERT INTO login_failures (account, address) VALUES "
	    "('id:%s', '192.0.2.1'), ('name:username:alice', '192.0.2.1')",
	    alice.id);
	sqlf("INSERT INTO login_lockout (account, failures) VALUES "
	    "('id:%s', 7)", alice.id);
	forgot(&t);
	cr_assert_eq(reset(t.token, NEWPW), GH_RECOVERY_OK);
	cr_assert_str_eq(t_session_state(url, p1.sid), "password_reset");
	cr_assert_str_eq(t_session_state(url, p2.sid), "password_reset");
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME, "alice",
	    &u), GH_OK);
	cr_assert_eq(gh_password_verify(NEWPW, strlen(NEWPW), u.password_hash),
	    1);
	cr_assert_gt(u.cred_gen, alice.cred_gen);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "0");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_lockout"), "0");
	cr_assert_str_eq(state(t.token), "used");
}

Test(recovery, a_token_works_once)
{
	struct gh_onetime	 t;

	forgot(&t);
	cr_assert_eq(reset(t.token, NEWPW), GH_RECOVERY_OK);
	cr_assert_eq(reset(t.token, NEWPW " again"), GH_RECOVERY_INVALID);
}

Test(recovery, a_newer_token_kills_the_older)
{
	struct gh_onetime	 t1, t2;

	forgot(&t1);
	forgot(&t2);
	cr_assert_str_eq(state(t1.token), "superseded");
	cr_assert_eq(reset(t1.token, NEWPW), GH_RECOVERY_INVALID);
	cr_assert_eq(reset(t2.token, NEWPW), GH_RECOVERY_OK);
}

Test(recovery, a_token_dies_at_the_end_of_its_lifetime)
{
	struct gh_onetime	 t;

	forgot(&t);
	cr_assert_str_eq(sqlf("SELECT expires_at - created_at = "
	    "interval '30 minutes' FROM onetime_tokens"), "t");
	sqlf("UPDATE onetime_tokens SET expires_at = now() - "
	    "interval '1 second'");
	cr_assert_eq(reset(t.token, NEWPW), GH_RECOVERY_INVALID);
}

Test(recovery, a_refused_password_leaves_the_token_usable)
{
	struct gh_reset			 r;
	struct gh_onetime		 t, who;
	enum gh_recovery_outcome	 oc;
	enum gh_password_verdict	 v;

	forgot(&t);
	r.token = t.token;
	r.token_len = strlen(t.token);
	r.password = "alice@example.com";
	r.password_len = strlen(r.password);
	cr_assert_eq(gh_recovery_reset(db, &cfg, &r, &who, &oc, &v), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_WEAK_PASSWORD);
	cr_assert_neq(v, GH_PW_OK);
	cr_assert_eq(reset(t.token, "short"), GH_RECOVERY_WEAK_PASSWORD);
	cr_assert_str_eq(state(t.token), "live");
	cr_assert_eq(reset(t.token, NEWPW), GH_RECOVERY_OK);
}

Test(recovery, garbage_and_unknown_tokens_are_invalid)
{
	char	 other[GH_ONETIME_LEN + 1];

	memset(other, 'A', GH_ONETIME_LEN);
	other[GH_ONETIME_LEN] = '\0';
	cr_assert_eq(reset("", NEWPW), GH_RECOVERY_INVALID);
	cr_assert_eq(reset("not a token", NEWPW), GH_RECOVERY_INVALID);
	cr_assert_eq(reset(other, NEWPW), GH_RECOVERY_INVALID);
}

Test(recovery, a_verification_token_cannot_reset_and_back)
{
	struct gh_onetime	 v, r;

	cr_assert_eq(verify_issue(&alice, &v), GH_RECOVERY_OK);
	forgot(&r);
	/* One of each purpose lives at once. */
	cr_assert_str_eq(state(v.token), "live");
	cr_assert_eq(reset(v.token, NEWPW), GH_RECOVERY_INVALID);
	cr_assert_eq(verify(r.token), GH_RECOVERY_INVALID);
	cr_assert_str_eq(state(v.token), "live");
	cr_assert_str_eq(state(r.token), "live");
}

Test(recovery, the_hourly_cap_stops_the_fourth)
{
	struct gh_onetime		 t;
	enum gh_recovery_outcome	 oc;
	int				 i;

	for (i = 0; i < 3; i++)
		forgot(&t);
	cr_assert_eq(gh_recovery_forgot(db, &cfg, GH_LOGIN_USERNAME, "alice",
	    &t, &oc), GH_OK);
	cr_assert_eq(oc, GH_RECOVERY_LIMITED);
	cr_assert_eq(t.token[0], '\0');
	/* The third link still works; an hour later the cap lifts. */
	sqlf("UPDATE onetime_tokens SET created_at = created_at - "
	    "interval '61 minutes'");
	forgot(&t);
	cfg.reset_max_per_hour = 0;
	for (i = 0; i < 5; i++)
		forgot(&t);
}

Test(recovery, verification_confirms_the_address_it_was_sent_to)
{
	struct gh_onetime	 v;

	cr_assert_eq(verify_issue(&alice, &v), GH_RECOVERY_OK);
	cr_assert_str_eq(sqlf("SELECT expires_at - created_at = "
	    "interval '48 hours' FROM onetime_tokens"), "t");
	cr_assert_eq(verify(v.token), GH_RECOVERY_OK);
	cr_assert_str_eq(sqlf("SELECT email_verified FROM users WHERE "
	    "username = 'alice'"), "t");
	cr_assert_eq(verify(v.token), GH_RECOVERY_INVALID);
	cr_assert_eq(verify_issue(&alice, &v), GH_RECOVERY_VERIFIED);
}

Test(recovery, a_link_to_an_old_address_confirms_no_new_one)
{
	struct gh_onetime	 v;

	cr_assert_eq(verify_issue(&alice, &v), GH_RECOVERY_OK);
	sqlf("UPDATE users SET email = 'new@example.com' WHERE "
	    "username = 'alice'");
	cr_assert_eq(verify(v.token), GH_RECOVERY_INVALID);
	cr_assert_str_eq(sqlf("SELECT email_verified FROM users WHERE "
	    "username = 'alice'"), "f");
	cr_assert_eq(verify_issue(&bob, &v), GH_RECOVERY_NO_ACCOUNT);
}

Test(recovery, links_are_built_on_public_base_url)
{
	char	 link[256];

	cr_assert_eq(gh_recovery_link(&cfg, "/auth/reset", "T", link,
	    sizeof(link)), -1);
	(void)snprintf(cfg.public_base_url, sizeof(cfg.public_base_url),
	    "https://id.example.com/");
	cr_assert_eq(gh_recovery_link(&cfg, "/auth/reset", "T", link,
	    sizeof(link)), 0);
	cr_assert_str_eq(link, "https://id.example.com/auth/reset?token=T");
	cr_assert_eq(gh_recovery_link(&cfg, "/auth/reset", "T", link, 20),
	    -1);
}

/* One racer: resets with tok when the gate opens; exits with the outcome. */
static void
racer(const void *tok, int gate)
{
	struct gh_db			*rdb;
	struct gh_reset			 r = { tok, strlen(tok), NEWPW,
					    strlen(NEWPW) };
	struct gh_onetime		 who;
	enum gh_recovery_outcome	 oc;
	enum gh_password_verdict	 v;

	if ((rdb = gh_db_new(url, 5000)) == NULL || gh_db_ping(rdb) != GH_OK)
		_exit(10);
	t_race_wait(gate);
	if (gh_recovery_reset(rdb, &cfg, &r, &who, &oc, &v) != GH_OK)
		_exit(11);
	_exit(oc == GH_RECOVERY_OK ? 0 : oc == GH_RECOVERY_INVALID ? 1 : 12);
}

Test(recovery, racing_resets_with_one_token_succeed_once)
{
	struct gh_onetime	 t;
	int			 exits[T_RACE_EXITS];

	forgot(&t);
	t_race(NRACERS, racer, t.token, exits);
	cr_assert_eq(exits[0], 1, "ok %d invalid %d", exits[0], exits[1]);
	cr_assert_eq(exits[1], NRACERS - 1);
	cr_assert_str_eq(sqlf("SELECT cred_gen - %ld FROM users WHERE "
	    "username = 'alice'", alice.cred_gen), "1");
}
