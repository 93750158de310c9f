/*
 * privileges: each program's database role may do what its statements
 * need and nothing else (sql/005_program_roles.sql).  Each test connects
 * as one role to a freshly migrated database and tries a statement.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pgtest.h"

/* A migrated database with one user, alice, and one live session. */
static const char *
setup(char *uid, char *sid)
{
	const char	*url = t_db_migrated();

	snprintf(uid, 64, "%s", t_db_sql(url, "INSERT INTO users "
	    "(username, password_hash) VALUES ('alice', '$2b$04$x') "
	    "RETURNING id"));
	snprintf(sid, 64, "%s", t_db_sql(url, "INSERT INTO sessions "
	    "(user_id, expires_at) SELECT id, now() + interval '1 day' "
	    "FROM users RETURNING id"));
	return url;
}

/* Runs sql as role; returns the SQLSTATE ("" on success). */
static const char *
run_as(const char *url, const char *role, const char *sql)
{

	return t_db_run_as(url, role, sql);
}

#define DENIED	"42501"

Test(privileges, me_is_refused_an_update_on_users)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "UPDATE users SET status = 'suspended'"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "UPDATE users SET password_hash = 'x'"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_me", "DELETE FROM users"),
	    DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT status FROM users"),
	    "active");
}

Test(privileges, login_changes_a_password_only_through_a_live_session)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	snprintf(sql, sizeof(sql), "SELECT gh_change_own_password('%s', "
	    "gen_random_uuid(), 'h2')", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), "");
	cr_assert_str_eq(t_db_sql(url, "SELECT password_hash FROM users"),
	    "$2b$04$x");
	snprintf(sql, sizeof(sql), "SELECT gh_change_own_password('%s', "
	    "'%s', 'h2')", uid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), "");
	cr_assert_str_eq(t_db_sql(url, "SELECT password_hash FROM users"),
	    "h2");
}

Test(privileges, only_login_may_call_the_password_function)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	snprintf(sql, sizeof(sql), "SELECT gh_change_own_password('%s', "
	    "'%s', 'h2')", uid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_register", sql), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_authorize", sql), DENIED);
}

Test(privileges, register_cannot_read_password_hashes)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT password_hash FROM users"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT id, username FROM users"), "");
}

Test(privileges, register_may_give_only_the_user_role)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	snprintf(sql, sizeof(sql), "INSERT INTO user_roles (user_id, role) "
	    "VALUES ('%s', 'admin')", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_register", sql), DENIED);
	snprintf(sql, sizeof(sql), "INSERT INTO user_roles (user_id, role) "
	    "VALUES ('%s', 'user')", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_register", sql), "");
	cr_assert_str_eq(t_db_sql(url, "SELECT string_agg(role, ',') "
	    "FROM user_roles"), "user");
}

Test(privileges, register_cannot_touch_sessions_or_existing_users)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "UPDATE users SET status = 'suspended'"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT * FROM sessions"), DENIED);
}

Test(privileges, only_admin_changes_roles)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);
	const char	*roles[] = { "gatehouse_login", "gatehouse_me",
			    "gatehouse_authorize", "gatehouse_health" };
	size_t		 i;

	snprintf(sql, sizeof(sql), "INSERT INTO user_roles (user_id, role) "
	    "VALUES ('%s', 'admin')", uid);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		cr_assert_str_eq(run_as(url, roles[i], sql), DENIED, "%s",
		    roles[i]);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", sql), "");
	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "DELETE FROM user_roles"), DENIED);
}

Test(privileges, admin_cannot_read_password_hashes)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_admin",
	    "SELECT password_hash FROM users"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_admin",
	    "UPDATE users SET status = 'suspended'"), "");
}

/* The rehash at login goes through gh_rehash() (sql/007), nothing else. */
Test(privileges, login_may_change_no_user_but_by_a_rehash)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "UPDATE users SET status = 'suspended'"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login", "DELETE FROM users"),
	    DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "INSERT INTO roles (name) VALUES ('x')"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "UPDATE users SET password_hash = password_hash"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "UPDATE users SET cred_gen = 1"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login", "SELECT gh_rehash(id, "
	    "password_hash, password_hash) FROM users"), "");
}

Test(privileges, health_reads_nothing)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_health",
	    "SELECT id FROM users"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_health", "SELECT 1"), "");
}

Test(privileges, authorize_only_reads)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_authorize",
	    "SELECT u.id, r.role, s.ended_at FROM users u LEFT JOIN "
	    "user_roles r ON r.user_id = u.id LEFT JOIN sessions s "
	    "ON s.user_id = u.id"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_authorize",
	    "SELECT password_hash FROM users"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_authorize",
	    "UPDATE sessions SET ended_at = now()"), DENIED);
}

/*
 * The reach table of docs/SECURITY.md, one row a test: each connects as
 * the program's role and tries what a code-execution bug in that program
 * would want, and is refused (sql/009_reach.sql and before).
 */

/* Every statement of denied (NULL-terminated) is refused to role. */
static void
all_denied(const char *url, const char *role, const char *const *denied)
{
	size_t	 i;

	for (i = 0; denied[i] != NULL; i++)
		cr_assert_str_eq(run_as(url, role, denied[i]), DENIED, "%s: %s",
		    role, denied[i]);
}

/* login writes only the columns of a login, a logout and a rotation. */
Test(privileges, reach_login_writes_only_its_session_columns)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"UPDATE sessions SET expires_at = now() + interval '10 years'",
		"UPDATE sessions SET user_id = user_id",
		"UPDATE sessions SET cred_gen = cred_gen",
		"UPDATE sessions SET audience = 'app'",
		"INSERT INTO sessions (user_id, expires_at, ended_at) "
		    "SELECT id, now(), now() FROM users",
		"INSERT INTO sessions (id, user_id, expires_at) "
		    "SELECT gen_random_uuid(), id, now() FROM users",
		"UPDATE refresh_tokens SET expires_at = now()",
		"UPDATE refresh_tokens SET session_id = session_id",
		"INSERT INTO refresh_tokens (token_hash, session_id, expires_at, "
		    "rotated_at) SELECT sha256('x'), id, now(), NULL "
		    "FROM sessions",
		"DELETE FROM sessions",
		"DELETE FROM refresh_tokens",
		"SELECT name FROM roles",
		"CREATE TABLE public.t_planted (x int)",
		NULL
	};

	all_denied(url, "gatehouse_login", denied);
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE sessions "
	    "SET ended_at = now(), end_reason = 'logout'"), "");
	/* Ended stays ended, whoever asks. */
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE sessions "
	    "SET ended_at = NULL, end_reason = NULL"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", "UPDATE sessions "
	    "SET ended_at = NULL, end_reason = NULL"), DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT end_reason FROM sessions"),
	    "logout");
}

/* A login may start a session for an audience; it never changes one. */
Test(privileges, reach_login_sets_an_audience_only_at_the_start)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_login", "INSERT INTO sessions "
	    "(user_id, expires_at, audience) SELECT id, now() + interval "
	    "'1 day', 'app' FROM users"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "SELECT audience "
	    "FROM sessions"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE sessions "
	    "SET audience = NULL"), DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM sessions "
	    "WHERE audience = 'app'"), "1");
}

Test(privileges, reach_login_rotates_but_cannot_unrotate)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	snprintf(sql, sizeof(sql), "INSERT INTO refresh_tokens (token_hash, "
	    "session_id, expires_at) VALUES (sha256('t'), '%s', now() + "
	    "interval '1 day')", sid);
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE refresh_tokens "
	    "SET rotated_at = now()"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE refresh_tokens "
	    "SET rotated_at = NULL"), DENIED);
}

/* register: adds users with the "user" role; reads and changes no other. */
Test(privileges, reach_register_changes_no_existing_account)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT password_hash FROM users",
		"UPDATE users SET email = 'x@example.org'",
		"DELETE FROM users",
		"DELETE FROM user_roles",
		"SELECT * FROM refresh_tokens",
		"SELECT * FROM login_failures",
		"INSERT INTO roles (name) VALUES ('x')",
		"INSERT INTO users (username, password_hash, cred_gen) "
		    "VALUES ('mallory', 'h', 5)",
		"INSERT INTO users (username, password_hash, tokens_valid_after) "
		    "VALUES ('mallory', 'h', now() - interval '1 year')",
		NULL
	};

	all_denied(url, "gatehouse_register", denied);
}

/*
 * login_lockout (sql/010): login counts and clears consecutive failures
 * and can do nothing else to them; no other role sees the table, yet an
 * admin's new password clears the user's count (the trigger's rights).
 */
Test(privileges, reach_lockout_is_logins_alone_and_a_new_password_clears_it)
{
	static const char *const others[] = { "gatehouse_register",
	    "gatehouse_me", "gatehouse_admin", "gatehouse_authorize",
	    "gatehouse_health", NULL };
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT * FROM login_lockout",
		"DELETE FROM login_lockout",
		"INSERT INTO login_lockout (account, failures) VALUES ('x', 0)",
		NULL
	};
	const char	*const login_denied[] = {
		"UPDATE login_lockout SET account = 'x'",
		"INSERT INTO login_lockout (account, failed_at) "
		    "VALUES ('x', now())",
		NULL
	};
	size_t		 i;

	snprintf(sql, sizeof(sql), "SELECT gh_login_attempt('id:%s', "
	    "'192.0.2.1', 900, 1000, 1000, 30, 3)", uid);
	for (i = 0; i < 3; i++)
		cr_assert_str_eq(run_as(url, "gatehouse_login", sql), "");
	cr_assert_str_eq(t_db_sql(url, sql), "900");
	cr_assert_str_eq(t_db_sql(url, "SELECT failures FROM login_lockout"),
	    "3");
	all_denied(url, "gatehouse_login", login_denied);
	for (i = 0; others[i] != NULL; i++)
		all_denied(url, others[i], denied);
	snprintf(sql, sizeof(sql), "UPDATE users SET password_hash = "
	    "'$2b$04$y' WHERE id = '%s'", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", sql), "");
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM login_lockout"),
	    "0");
	/* With the cap off, the count goes on and never refuses. */
	snprintf(sql, sizeof(sql), "SELECT gh_login_attempt('id:%s', "
	    "'192.0.2.1', 900, 1000, 1000, 30, 0)", uid);
	for (i = 0; i < 4; i++)
		cr_assert_str_eq(t_db_sql(url, sql), "0");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "DELETE FROM "
	    "login_lockout"), "");
}

/* register: each attempt is counted; it reads no failure nor count. */
Test(privileges, reach_register_counts_attempts_and_asks_names)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"DELETE FROM registrations",
		"UPDATE registrations SET created_at = now()",
		"SELECT gh_login_attempt('a', 'b', 1, 1, 1, 1, 1)",
		NULL
	};

	all_denied(url, "gatehouse_register", denied);
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT gh_register_attempt('192.0.2.1', 900, 1)"), "");
	cr_assert_str_neq(t_db_sql(url, "SELECT gh_register_attempt("
	    "'192.0.2.1', 900, 1)"), "0");
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT gh_user_identifiers_free('ALICE', '', '')"), "23505");
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT gh_user_identifiers_free('bob', '', '')"), "");
}

/* me: reads its tables, writes none (its change is a function's). */
Test(privileges, reach_me_writes_no_table)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"UPDATE sessions SET ended_at = now()",
		"INSERT INTO sessions (user_id, expires_at) "
		    "SELECT id, now() FROM users",
		"SELECT * FROM refresh_tokens",
		"SELECT address FROM sessions",
		"SELECT audience FROM sessions",
		"SELECT * FROM login_failures",
		"INSERT INTO roles (name) VALUES ('x')",
		"SELECT gh_logout_all(id, 'logout_all') FROM users",
		"SELECT gh_rehash(id, 'a', 'b') FROM users",
		NULL
	};

	all_denied(url, "gatehouse_me", denied);
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM sessions "
	    "WHERE ended_at IS NULL"), "1");
}

/* admin: manages accounts; never reads a hash or a refresh token. */
Test(privileges, reach_admin_reads_no_credential)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT password_hash FROM users",
		"SELECT * FROM refresh_tokens",
		"UPDATE refresh_tokens SET rotated_at = now()",
		"UPDATE sessions SET expires_at = now() + interval '1 year'",
		"INSERT INTO sessions (user_id, expires_at) "
		    "SELECT id, now() FROM users",
		"UPDATE users SET cred_gen = 0",
		"UPDATE users SET created_at = now()",
		"SELECT * FROM login_failures",
		"DELETE FROM roles",
		"SELECT * FROM schema_migrations",
		NULL
	};

	all_denied(url, "gatehouse_admin", denied);
}

/* authorize: reads what a token check needs; writes nothing. */
Test(privileges, reach_authorize_writes_nothing)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"UPDATE users SET status = 'active'",
		"INSERT INTO user_roles (user_id, role) SELECT id, 'admin' "
		    "FROM users",
		"UPDATE sessions SET ended_at = NULL",
		"SELECT * FROM refresh_tokens",
		"SELECT address, user_agent FROM sessions",
		"SELECT audience FROM sessions",
		"SELECT gh_logout_all(id, 'logout_all') FROM users",
		"CREATE TABLE public.t_planted (x int)",
		NULL
	};

	all_denied(url, "gatehouse_authorize", denied);
}

/* health: "SELECT 1" and nothing of gatehouse's. */
Test(privileges, reach_health_reads_no_table)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT username FROM users",
		"SELECT * FROM user_roles",
		"SELECT id FROM sessions",
		"SELECT * FROM refresh_tokens",
		"SELECT * FROM roles",
		"SELECT * FROM registrations",
		"SELECT * FROM schema_migrations",
		"SELECT gh_logout_all(gen_random_uuid(), 'logout_all')",
		"CREATE TABLE public.t_planted (x int)",
		NULL
	};

	all_denied(url, "gatehouse_health", denied);
}


/*
 * wellknown (sql/013): serves public documents and loads no secret; its
 * role reads no table at all, so a bug there reaches nothing.
 */
Test(privileges, reach_wellknown_reads_no_table)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT username FROM users",
		"SELECT password_hash FROM users",
		"SELECT * FROM user_roles",
		"SELECT id FROM sessions",
		"SELECT * FROM refresh_tokens",
		"SELECT * FROM roles",
		"SELECT * FROM login_failures",
		"SELECT * FROM schema_migrations",
		"SELECT * FROM gh_refresh_token_info('\\x00')",
		"SELECT gh_logout_all(gen_random_uuid(), 'logout_all')",
		"UPDATE sessions SET ended_at = now()",
		"CREATE TABLE public.t_planted (x int)",
		NULL
	};

	all_denied(url, "gatehouse_wellknown", denied);
	cr_assert_str_eq(run_as(url, "gatehouse_wellknown", "SELECT 1"), "");
}

/*
 * Introspection (sql/013): me learns of a refresh token only through
 * gh_refresh_token_info(), one live token by its hash; it still reads no
 * refresh token, hash or session column of its own.
 */
Test(privileges, reach_me_finds_a_refresh_token_only_by_its_hash)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);
	const char	*const denied[] = {
		"SELECT * FROM refresh_tokens",
		"SELECT token_hash FROM refresh_tokens",
		"SELECT session_id FROM refresh_tokens",
		"UPDATE refresh_tokens SET rotated_at = now()",
		"UPDATE sessions SET ended_at = now()",
		NULL
	};

	snprintf(sql, sizeof(sql), "INSERT INTO refresh_tokens (token_hash, "
	    "session_id, expires_at) VALUES (sha256('tok'), '%s', now() + "
	    "interval '1 day')", sid);
	(void)t_db_sql(url, sql);
	all_denied(url, "gatehouse_me", denied);
	cr_assert_str_eq(run_as(url, "gatehouse_me", "SELECT * FROM "
	    "gh_refresh_token_info(sha256('tok'))"), "");
	/* Only the refresh_tokens' owner and me may call it. */
	cr_assert_str_eq(run_as(url, "gatehouse_authorize", "SELECT * FROM "
	    "gh_refresh_token_info(sha256('tok'))"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", "SELECT * FROM "
	    "gh_refresh_token_info(sha256('tok'))"), DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM "
	    "gh_refresh_token_info(sha256('tok'))"), "1");
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM "
	    "gh_refresh_token_info(sha256('other'))"), "0");
}

/* A revocation needs no right login lacked: it ends sessions already. */
Test(privileges, reach_login_ends_a_session_as_revoked_and_no_more)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	snprintf(sql, sizeof(sql), "UPDATE sessions SET ended_at = now(), "
	    "end_reason = 'revoked' WHERE id = '%s'", sid);
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "UPDATE sessions SET end_reason = 'stolen'"), "23514");
}

/*
 * The own password change is login's (sql/008_throttle.sql): the me
 * program, which answers every token check, never sees a hash.
 */
Test(privileges, me_cannot_read_hashes_nor_change_a_password)
{
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "SELECT password_hash FROM users"), DENIED);
	snprintf(sql, sizeof(sql), "SELECT gh_change_own_password('%s', "
	    "'%s', 'h2')", uid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT password_hash FROM users"),
	    "$2b$04$x");
	/* What /me reads it still may. */
	cr_assert_str_eq(run_as(url, "gatehouse_me", "SELECT id, username, "
	    "status, cred_gen FROM users"), "");
}

/*
 * Issue 14: the sealed private keys are readable by the signing program
 * (login) alone; the verifying programs read the public columns, register
 * and health nothing.  No program may write a key: `gatehouse keys` runs
 * as the owner.
 */
Test(privileges, reach_only_login_reads_the_private_keys)
{
	static const char *const	 verifiers[] = { "gatehouse_me",
	    "gatehouse_admin", "gatehouse_authorize" };
	static const char *const	 others[] = { "gatehouse_register",
	    "gatehouse_health" };
	char				 uid[64], sid[64];
	const char			*url = setup(uid, sid);
	size_t				 i;

	t_db_sql(url, "INSERT INTO signing_keys (kid, alg, public_pem, "
	    "public_jwk, private_sealed) VALUES ('k1', 'ES256', 'pem', "
	    "'{}', 'v1.sealed')");
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "SELECT private_sealed, public_pem FROM signing_keys"), "");
	for (i = 0; i < sizeof(verifiers) / sizeof(verifiers[0]); i++) {
		cr_assert_str_eq(run_as(url, verifiers[i],
		    "SELECT private_sealed FROM signing_keys"), DENIED,
		    "%s", verifiers[i]);
		cr_assert_str_eq(run_as(url, verifiers[i],
		    "SELECT * FROM signing_keys"), DENIED, "%s", verifiers[i]);
		cr_assert_str_eq(run_as(url, verifiers[i],
		    "SELECT kid, alg, public_pem, public_jwk, signs_from, "
		    "superseded_at, publish_until, retired_at FROM "
		    "signing_keys"), "", "%s", verifiers[i]);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cr_assert_str_eq(run_as(url, others[i],
		    "SELECT private_sealed FROM signing_keys"), DENIED,
		    "%s", others[i]);
		cr_assert_str_eq(run_as(url, others[i],
		    "SELECT kid FROM signing_keys"), DENIED, "%s", others[i]);
	}
	for (i = 0; i < sizeof(verifiers) / sizeof(verifiers[0]); i++)
		cr_assert_str_eq(run_as(url, verifiers[i],
		    "UPDATE signing_keys SET retired_at = NULL"), DENIED,
		    "%s", verifiers[i]);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "UPDATE signing_keys SET retired_at = NULL"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "INSERT INTO signing_keys (kid, alg, public_pem, public_jwk, "
	    "private_sealed) VALUES ('k2', 'ES256', 'p', '{}', 'v1.x')"),
	    DENIED);
}

/*
 * Issue 16 (sql/015_self_service.sql): me lists and ends sessions and
 * changes a profile only through its definer functions, only for the
 * user of a live session it names, and never another user's.
 */
static void
second_user(const char *url, char *uid, char *sid)
{
	snprintf(uid, 64, "%s", t_db_sql(url, "INSERT INTO users "
	    "(username, email, password_hash) VALUES ('bob', 'bob@x.org', "
	    "'$2b$04$y') RETURNING id"));
	snprintf(sid, 64, "%s", t_db_sql(url, "INSERT INTO sessions "
	    "(user_id, expires_at) SELECT id, now() + interval '1 day' "
	    "FROM users WHERE username = 'bob' RETURNING id"));
}

Test(privileges, reach_me_lists_and_ends_only_the_callers_sessions)
{
	char		 uid[64], sid[64], buid[64], bsid[64], sql[512];
	const char	*url = setup(uid, sid);
	const char	*const others[] = { "gatehouse_login",
			    "gatehouse_register", "gatehouse_admin",
			    "gatehouse_authorize", "gatehouse_health",
			    "gatehouse_wellknown" };
	size_t		 i;

	second_user(url, buid, bsid);
	snprintf(sql, sizeof(sql), "SELECT * FROM gh_own_sessions('%s', "
	    "'%s', 100)", uid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), "");
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert_str_eq(run_as(url, others[i], sql), DENIED, "%s",
		    others[i]);
	/* Alice's own session, through it: one row, the address hidden. */
	cr_assert_str_eq(t_db_sql(url, "UPDATE sessions SET address = "
	    "'192.0.2.1', user_agent = 'ua' RETURNING 1"), "1");
	snprintf(sql, sizeof(sql), "SELECT count(*) || address FROM "
	    "gh_own_sessions('%s', '%s', 100) GROUP BY address", uid, sid);
	cr_assert_str_eq(t_db_sql(url, sql), "1192.0.2.1");
	/* Bob's sessions through Alice's sid: none. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM gh_own_sessions("
	    "'%s', '%s', 100)", buid, sid);
	cr_assert_str_eq(t_db_sql(url, sql), "0");
	/* Ending Bob's session as Alice, or as Bob through Alice's sid. */
	snprintf(sql, sizeof(sql), "SELECT gh_end_own_session('%s', '%s', "
	    "'%s')", uid, sid, bsid);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), "");
	cr_assert_str_eq(t_db_sql(url, sql), "0");
	snprintf(sql, sizeof(sql), "SELECT gh_end_own_session('%s', '%s', "
	    "'%s')", buid, sid, bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "0");
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM sessions "
	    "WHERE ended_at IS NULL"), "2");
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert_str_eq(run_as(url, others[i], sql), DENIED, "%s",
		    others[i]);
	/* Bob ends his own: a logout, and then it is gone from his list. */
	snprintf(sql, sizeof(sql), "SELECT gh_end_own_session('%s', '%s', "
	    "'%s')", buid, bsid, bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "1");
	cr_assert_str_eq(t_db_sql(url, sql), "0");
	snprintf(sql, sizeof(sql), "SELECT end_reason FROM sessions "
	    "WHERE id = '%s'", bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "logout");
	/* An ended caller's session lists nothing. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM gh_own_sessions("
	    "'%s', '%s', 100)", buid, bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "0");
}

Test(privileges, reach_me_changes_only_the_callers_profile)
{
	char		 uid[64], sid[64], buid[64], bsid[64], sql[512];
	const char	*url = setup(uid, sid);

	second_user(url, buid, bsid);
	(void)t_db_sql(url, "UPDATE users SET email_verified = true");
	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "UPDATE users SET full_name = 'x'"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "UPDATE users SET email_verified = true"), DENIED);
	/* Bob's row through Alice's session: nothing. */
	snprintf(sql, sizeof(sql), "SELECT gh_update_own_profile('%s', '%s', "
	    "true, 'b@x.org', true, 'B', false, '')", buid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), "");
	cr_assert_str_eq(t_db_sql(url, sql), "0");
	cr_assert_str_eq(t_db_sql(url, "SELECT email || coalesce(full_name, "
	    "'-') || email_verified FROM users WHERE username = 'bob'"),
	    "bob@x.org-true");
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", sql), DENIED);
	/* The same address in other case: still verified. */
	snprintf(sql, sizeof(sql), "SELECT gh_update_own_profile('%s', '%s', "
	    "true, 'BOB@x.org', true, 'Bob', false, '')", buid, bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "1");
	cr_assert_str_eq(t_db_sql(url, "SELECT email || full_name || "
	    "email_verified FROM users WHERE username = 'bob'"),
	    "BOB@x.orgBobtrue");
	/* A new one: unverified, and the answer says it wants a mail. */
	snprintf(sql, sizeof(sql), "SELECT gh_update_own_profile('%s', '%s', "
	    "true, 'robert@x.org', false, '', true, '+1 555')", buid, bsid);
	cr_assert_str_eq(t_db_sql(url, sql), "2");
	cr_assert_str_eq(t_db_sql(url, "SELECT email || full_name || phone || "
	    "email_verified FROM users WHERE username = 'bob'"),
	    "robert@x.orgBob+1 555false");
	/* Alice's email taken by Bob: the unique index refuses it. */
	snprintf(sql, sizeof(sql), "SELECT gh_update_own_profile('%s', '%s', "
	    "true, 'Robert@X.org', false, '', false, '')", uid, sid);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), "23505");
}

/* login stamps a refresh on its session (last_used_at) and no more. */
Test(privileges, reach_login_stamps_the_last_use_of_a_session)
{
	char		 uid[64], sid[64];
	const char	*url = setup(uid, sid);

	cr_assert_str_eq(t_db_sql(url, "SELECT last_used_at IS NOT NULL "
	    "FROM sessions"), "t");
	cr_assert_str_eq(run_as(url, "gatehouse_login", "UPDATE sessions "
	    "SET last_used_at = now()"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_me", "UPDATE sessions "
	    "SET last_used_at = now()"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", "UPDATE sessions "
	    "SET last_used_at = now()"), DENIED);
}

/*
 * Issue 16: one-time tokens live in a table no program may touch; each
 * program calls only the functions of its endpoints (sql/014): login the
 * reset, register the verification, me a new verification link.
 */
Test(privileges, reach_onetime_tokens_only_through_their_functions)
{
	static const char *const	 all[] = { "gatehouse_login",
	    "gatehouse_register", "gatehouse_me", "gatehouse_admin",
	    "gatehouse_authorize", "gatehouse_health" };
	char				 uid[64], sid[64], sql[256];
	const char			*url = setup(uid, sid);
	const char			*const table[] = {
		"SELECT * FROM onetime_tokens",
		"SELECT user_id FROM onetime_tokens",
		"UPDATE onetime_tokens SET ended_at = NULL",
		"DELETE FROM onetime_tokens",
		"INSERT INTO onetime_tokens (token_hash, purpose, user_id, "
		    "email, expires_at) SELECT sha256('x'), 'reset', id, 'a', "
		    "now() + interval '1 day' FROM users",
		NULL
	};
	const char			*const not_login[] = {
		"SELECT gh_reset_issue('username', 'alice', sha256('x'), 60, 3)",
		"SELECT * FROM gh_reset_peek(sha256('x'))",
		"SELECT gh_reset_consume(sha256('z'), 'h2')",
		NULL
	};
	size_t				 i;

	t_db_sql(url, "UPDATE users SET email = 'alice@example.com'");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		all_denied(url, all[i], table);
	for (i = 1; i < sizeof(all) / sizeof(all[0]); i++)
		all_denied(url, all[i], not_login);
	cr_assert_str_eq(run_as(url, "gatehouse_login", not_login[0]), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", not_login[1]), "");
	cr_assert_str_eq(run_as(url, "gatehouse_login", not_login[2]), "");
	snprintf(sql, sizeof(sql), "SELECT gh_onetime_issue(sha256('w'), "
	    "'verify', '%s', 60, 0)", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_login", sql), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_me", sql), "");
	/* admin too: an address an admin changed gets its link. */
	snprintf(sql, sizeof(sql), "SELECT gh_onetime_issue(sha256('v'), "
	    "'verify', '%s', 60, 0)", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_admin", sql), "");
	snprintf(sql, sizeof(sql), "SELECT gh_onetime_issue(sha256('y'), "
	    "'verify', '%s', 60, 0)", uid);
	cr_assert_str_eq(run_as(url, "gatehouse_register", sql), "");
	cr_assert_str_eq(run_as(url, "gatehouse_register",
	    "SELECT gh_verify_consume(sha256('y'))"), "");
	cr_assert_str_eq(run_as(url, "gatehouse_me",
	    "SELECT gh_verify_consume(sha256('y'))"), DENIED);
	cr_assert_str_eq(run_as(url, "gatehouse_login",
	    "SELECT gh_verify_consume(sha256('y'))"), DENIED);
	/* The reset token is live still; the verification did its work. */
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM onetime_tokens "
	    "WHERE ended_at IS NULL"), "1");
	cr_assert_str_eq(t_db_sql(url, "SELECT email_verified FROM users"),
	    "t");
	cr_assert_str_eq(t_db_sql(url, "SELECT password_hash FROM users"),
	    "$2b$04$x");
}

/* sql/016_audit.sql: the audit trail is append-only for every program. */

#define AUDIT_ROW	"INSERT INTO audit_log (event, outcome, details) " \
			"VALUES ('logout', 'success', '{\"by\": \"%s\"}')"

Test(privileges, every_writing_program_may_append_an_audit_row_and_no_more)
{
	static const char *const writers[] = { "gatehouse_login",
	    "gatehouse_register", "gatehouse_me", "gatehouse_admin" };
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);
	size_t		 i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		snprintf(sql, sizeof(sql), AUDIT_ROW, writers[i]);
		cr_assert_str_eq(run_as(url, writers[i], sql), "", "%s",
		    writers[i]);
		cr_assert_str_eq(run_as(url, writers[i], "UPDATE audit_log "
		    "SET outcome = 'failure'"), DENIED, "%s", writers[i]);
		cr_assert_str_eq(run_as(url, writers[i], "DELETE FROM "
		    "audit_log"), DENIED, "%s", writers[i]);
		cr_assert_str_eq(run_as(url, writers[i], "TRUNCATE audit_log"),
		    DENIED, "%s", writers[i]);
		/* Only the admin program reads it (GET /api/admin/audit). */
		cr_assert_str_eq(run_as(url, writers[i], "SELECT count(*) "
		    "FROM audit_log"), strcmp(writers[i], "gatehouse_admin") ==
		    0 ? "" : DENIED, "%s", writers[i]);
	}
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM audit_log "
	    "WHERE outcome = 'success'"), "4");
}

Test(privileges, programs_writing_no_event_cannot_touch_the_audit_trail)
{
	static const char *const others[] = { "gatehouse_authorize",
	    "gatehouse_health", "gatehouse_wellknown" };
	char		 uid[64], sid[64], sql[256];
	const char	*url = setup(uid, sid);
	size_t		 i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		snprintf(sql, sizeof(sql), AUDIT_ROW, others[i]);
		cr_assert_str_eq(run_as(url, others[i], sql), DENIED);
		cr_assert_str_eq(run_as(url, others[i], "SELECT count(*) "
		    "FROM audit_log"), DENIED);
	}
}

Test(privileges, not_even_the_owner_may_rewrite_or_truncate_an_audit_row)
{
	char		 uid[64], sid[64], sql[256], owner[64];
	const char	*url = setup(uid, sid);

	snprintf(owner, sizeof(owner), "%s", t_db_sql(url,
	    "SELECT current_user"));
	snprintf(sql, sizeof(sql), AUDIT_ROW, "owner");
	cr_assert_str_eq(run_as(url, owner, sql), "");
	cr_assert_str_eq(run_as(url, owner, "UPDATE audit_log SET outcome = "
	    "'failure'"), DENIED);
	cr_assert_str_eq(run_as(url, owner, "TRUNCATE audit_log"), DENIED);
	cr_assert_str_eq(t_db_sql(url, "SELECT outcome FROM audit_log"),
	    "success");
	/* Retention (gatehouse cleanup) is the owner's DELETE. */
	cr_assert_str_eq(run_as(url, owner, "DELETE FROM audit_log"), "");
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM audit_log"), "0");
}
