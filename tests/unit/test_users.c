/*
 * users: rows against a real PostgreSQL (a fresh migrated database per
 * test), the uniqueness the indexes promise even under a race, sessions
 * ended in the same statement as a suspension or a password change.
 * The field rules are tested in test_fields.c.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "data/db.h"
#include "fixture.h"
#include "pgtest.h"
#include "core/random.h"
#include "domain/users.h"

#define HASH		T_HASH
#define NEWHASH		"$2b$04$0123456789abcdefghijkuNewHashNewHashNewHashNewHashN"
#define NRACERS		10

static char	 url[1024];

static struct gh_db *
open_db(void)
{
	return t_db_fresh(url, sizeof(url));
}

/* t_db_sqlf() on this test's database, as the superuser. */
#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

static enum gh_status
try_add(struct gh_db *db, const char *username, const char *email,
    const char *employee_id, struct gh_user *u)
{
	struct gh_user_new	 n;

	t_user_new(&n, username);
	n.email = email;
	n.employee_id = employee_id;
	return gh_users_create(db, &n, u);
}

static void
add(struct gh_db *db, const char *username, const char *email,
    const char *employee_id, struct gh_user *u)
{
	enum gh_status		 st;

	st = try_add(db, username, email, employee_id, u);
	cr_assert_eq(st, GH_OK, "create %s: %d: %s", username, st,
	    gh_db_error(db));
}

static void
add_full(struct gh_db *db, const char *username, const char *email,
    const char *full_name, const char *employee_id, struct gh_user *u)
{
	struct gh_user_new	 n;

	t_user_new(&n, username);
	n.email = email;
	n.full_name = full_name;
	n.employee_id = employee_id;
	cr_assert_eq(gh_users_create(db, &n, u), GH_OK, "create %s: %s",
	    username, gh_db_error(db));
}

/* A live session of user id, its id in sid. */
static void
new_session(const char *uid, char *sid, size_t sidsz)
{
	const char	*id;

	id = sqlf("INSERT INTO sessions (user_id, expires_at) VALUES "
	    "('%s', now() + interval '1 day') RETURNING id", uid);
	cr_assert_eq(strlen(id), GH_UUID_LEN);
	cr_assert(strlen(id) < sidsz);
	memcpy(sid, id, strlen(id) + 1);
}

/* "live", or the end_reason of an ended session. */
#define session_state(sid)	t_session_state(url, sid)

static void
unknown_uuid(char *id, size_t idsz)
{

	cr_assert_eq(gh_random_uuid(id, idsz), 0);
}

static int
is_digit(char c)
{

	return c >= '0' && c <= '9';
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static int
is_timestamp(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			 i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
			return 0;
	return 1;
}

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
		} else if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	}
	return 1;
}

/* What gh_users_list() handed to its callback, in order. */
struct seen {
	char	names[16][GH_USERNAME_MAX + 1];
	int	n;
};

static void
collect(const struct gh_user *u, void *arg)
{
	struct seen	*s = arg;

	cr_assert_lt(s->n, 16);
	memcpy(s->names[s->n], u->username, sizeof(s->names[0]));
	s->n++;
}

static void
list(struct gh_db *db, const char *after, const char *q, int limit,
    struct seen *s)
{
	int	 n = -1;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(gh_users_list(db, after, q, limit, collect, s, &n),
	    GH_OK, "list: %s", gh_db_error(db));
	cr_assert_eq(n, s->n);
}

/* Four users in an order that is not their lower(username) order. */
static void
add_four(struct gh_db *db)
{
	struct gh_user	 u;

	add(db, "bob", NULL, NULL, &u);
	add(db, "Alice", NULL, NULL, &u);
	add(db, "carol", NULL, NULL, &u);
	add(db, "alex", NULL, NULL, &u);
}

/* create */

Test(users, create_returns_the_user_with_a_uuid)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", "a@example.com", NULL, &u);
	cr_assert(is_uuid(u.id), "id %s", u.id);
	cr_assert_str_eq(u.username, "alice");
	cr_assert_str_eq(u.email, "a@example.com");
	cr_assert(u.active);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users WHERE id = '%s'",
	    u.id), "1");
	gh_db_free(db);
}

Test(users, create_keeps_the_username_as_given)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "MixedCase", NULL, NULL, &u);
	cr_assert_str_eq(u.username, "MixedCase");
	gh_db_free(db);
}

Test(users, create_returns_roles_sorted)
{
	static const char *const roles[] = { "user", "admin" };
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;

	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = 2;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_OK);
	cr_assert_eq(u.nroles, 2);
	cr_assert_str_eq(u.roles[0], "admin");
	cr_assert_str_eq(u.roles[1], "user");
	gh_db_free(db);
}

Test(users, create_with_no_roles_gives_none)
{
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;

	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_OK);
	cr_assert_eq(u.nroles, 0);
	gh_db_free(db);
}

Test(users, create_returns_utc_timestamps)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert(is_timestamp(u.created_at), "created_at %s", u.created_at);
	cr_assert(is_timestamp(u.updated_at), "updated_at %s", u.updated_at);
	cr_assert_str_eq(u.created_at, u.updated_at);
	cr_assert_str_eq(u.created_at, sqlf("SELECT to_char(created_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM users "
	    "WHERE id = '%s'", u.id));
	gh_db_free(db);
}

Test(users, create_reads_unset_optional_fields_as_empty)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_str_eq(u.email, "");
	cr_assert_str_eq(u.employee_id, "");
	cr_assert_str_eq(u.full_name, "");
	cr_assert_str_eq(u.phone, "");
	cr_assert_str_eq(u.password_hash, "");
	gh_db_free(db);
}

Test(users, create_stores_empty_optional_fields_as_null)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;

	/* Two users without an email must not collide on "". */
	add(db, "alice", "", "", &a);
	add(db, "bob", "", "", &b);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users WHERE email IS NULL "
	    "AND employee_id IS NULL AND full_name IS NULL AND phone IS NULL"),
	    "2");
	gh_db_free(db);
}

Test(users, create_stores_every_field)
{
	static const char *const roles[] = { "user" };
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u, got;

	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.email = "a@example.com";
	n.employee_id = "E-100";
	n.full_name = "Alice Liddell";
	n.phone = "+44 20 7946 0000";
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = 1;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_str_eq(got.email, "a@example.com");
	cr_assert_str_eq(got.employee_id, "E-100");
	cr_assert_str_eq(got.full_name, "Alice Liddell");
	cr_assert_str_eq(got.phone, "+44 20 7946 0000");
	gh_db_free(db);
}

Test(users, create_suspended_reads_inactive)
{
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;

	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	n.suspended = true;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_OK);
	cr_assert_not(u.active);
	cr_assert_str_eq(sqlf("SELECT status FROM users WHERE id = '%s'",
	    u.id), "suspended");
	gh_db_free(db);
}

Test(users, create_refuses_username_differing_only_in_case)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(try_add(db, "ALICE", NULL, NULL, &u), GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "username");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "1");
	gh_db_free(db);
}

Test(users, create_refuses_email_differing_only_in_case)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", "a@example.com", NULL, &u);
	cr_assert_eq(try_add(db, "bob", "A@Example.COM", NULL, &u),
	    GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "email");
	gh_db_free(db);
}

Test(users, create_refuses_taken_employee_id)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, "E-100", &u);
	cr_assert_eq(try_add(db, "bob", NULL, "E-100", &u), GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "employee_id");
	gh_db_free(db);
}

Test(users, create_refuses_unknown_role_and_leaves_no_user)
{
	static const char *const roles[] = { "user", "no-such-role" };
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;

	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = 2;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "roles");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "0");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM user_roles"), "0");
	gh_db_free(db);
}

Test(users, create_refuses_role_names_outside_the_rules)
{
	static const char *const roles[] = { "user,admin" };
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;

	/* A comma would smuggle a second role into the array literal. */
	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = 1;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_DB_ERROR);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "0");
	gh_db_free(db);
}

Test(users, create_refuses_more_roles_than_a_user_may_hold)
{
	const char		*roles[GH_ROLES_MAX + 1];
	struct gh_db		*db = open_db();
	struct gh_user_new	 n;
	struct gh_user		 u;
	size_t			 i;

	for (i = 0; i < GH_ROLES_MAX + 1; i++)
		roles[i] = "user";
	memset(&n, 0, sizeof(n));
	n.username = "alice";
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = GH_ROLES_MAX + 1;
	cr_assert_eq(gh_users_create(db, &n, &u), GH_DB_ERROR);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "0");
	gh_db_free(db);
}

/* One process per racer, each with its own connection. */
static void
racer(const char *dburl, int gate[2], int i)
{
	char			 name[8] = "racer";
	struct gh_db		*db;
	struct gh_user		 u;
	enum gh_status		 st;
	size_t			 j;
	char			 c;

	(void)close(gate[1]);
	/* Each spells it differently: the index must see one name. */
	for (j = 0; j < 5; j++)
		if ((i >> j) & 1)
			name[j] = (char)(name[j] - 'a' + 'A');
	if ((db = gh_db_new(dburl, 5000)) == NULL || gh_db_ping(db) != GH_OK)
		_exit(3);
	/* Connected; now wait for the others. */
	while (read(gate[0], &c, 1) == -1)
		continue;
	st = try_add(db, name, NULL, NULL, &u);
	if (st == GH_OK)
		_exit(0);
	if (st == GH_CONFLICT &&
	    strcmp(gh_users_conflict_field(db), "username") == 0)
		_exit(1);
	_exit(2);
}

Test(users, concurrent_creates_of_one_username_leave_one_row)
{
	pid_t	 pids[NRACERS];
	int	 gate[2], i, status, ok = 0, conflict = 0;

	(void)snprintf(url, sizeof(url), "%s", t_db_migrated());
	cr_assert_eq(pipe(gate), 0);
	for (i = 0; i < NRACERS; i++) {
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (pids[i] == 0)
			racer(url, gate, i);
	}
	(void)close(gate[0]);
	/* Give every racer time to connect, then let them all go at once. */
	(void)usleep(300 * 1000);
	(void)close(gate[1]);
	for (i = 0; i < NRACERS; i++) {
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status));
		switch (WEXITSTATUS(status)) {
		case 0:
			ok++;
			break;
		case 1:
			conflict++;
			break;
		default:
			cr_assert_fail("racer %d exited %d", i,
			    WEXITSTATUS(status));
		}
	}
	cr_assert_eq(ok, 1);
	cr_assert_eq(conflict, NRACERS - 1);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "1");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM user_roles"), "1");
}

/* get */

Test(users, get_finds_the_user_by_id)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", "a@example.com", "E-100", &u);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_str_eq(got.id, u.id);
	cr_assert_str_eq(got.username, "alice");
	cr_assert_str_eq(got.email, "a@example.com");
	cr_assert_str_eq(got.employee_id, "E-100");
	cr_assert_eq(got.nroles, 1);
	cr_assert_str_eq(got.roles[0], "user");
	cr_assert_str_eq(got.created_at, u.created_at);
	gh_db_free(db);
}

Test(users, get_accepts_an_upper_case_uuid)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;
	char		 id[GH_UUID_LEN + 1];
	size_t		 i;

	add(db, "alice", NULL, NULL, &u);
	for (i = 0; i <= GH_UUID_LEN; i++)
		id[i] = (char)(u.id[i] >= 'a' && u.id[i] <= 'f' ?
		    u.id[i] - 'a' + 'A' : u.id[i]);
	cr_assert_eq(gh_users_get(db, id, &got), GH_OK);
	cr_assert_str_eq(got.id, u.id);
	gh_db_free(db);
}

Test(users, get_of_unknown_uuid_is_not_found)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 id[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	unknown_uuid(id, sizeof(id));
	cr_assert_eq(gh_users_get(db, id, &u), GH_NOT_FOUND);
	cr_assert_str_eq(u.username, "");
	gh_db_free(db);
}

Test(users, get_of_a_non_uuid_is_not_found)
{
	static const char *const bad[] = { "", "alice", "42",
	    "' OR '1'='1", "00000000-0000-0000-0000-00000000000",
	    "00000000-0000-0000-0000-0000000000000",
	    "00000000_0000-0000-0000-000000000000",
	    "0000000g-0000-0000-0000-000000000000" };
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(gh_users_get(db, bad[i], &u), GH_NOT_FOUND,
		    "\"%s\"", bad[i]);
	gh_db_free(db);
}

Test(users, get_does_not_return_the_password_hash)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_str_eq(got.password_hash, "");
	gh_db_free(db);
}

/* get_for_login */

Test(users, get_for_login_finds_username_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "Alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME, "aLICE",
	    &got), GH_OK);
	cr_assert_str_eq(got.id, u.id);
	cr_assert_str_eq(got.username, "Alice");
	gh_db_free(db);
}

Test(users, get_for_login_finds_email_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", "Alice@Example.com", NULL, &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMAIL,
	    "alice@EXAMPLE.COM", &got), GH_OK);
	cr_assert_str_eq(got.id, u.id);
	gh_db_free(db);
}

Test(users, get_for_login_finds_employee_id)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, "E-100", &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMPLOYEE_ID, "E-100",
	    &got), GH_OK);
	cr_assert_str_eq(got.id, u.id);
	gh_db_free(db);
}

Test(users, get_for_login_does_not_look_in_other_fields)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", "a@example.com", "E-100", &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME,
	    "a@example.com", &got), GH_NOT_FOUND);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMAIL, "alice",
	    &got), GH_NOT_FOUND);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMPLOYEE_ID,
	    "alice", &got), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(users, get_for_login_by_empty_email_finds_nobody)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMAIL, "", &got),
	    GH_NOT_FOUND);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_EMPLOYEE_ID, "",
	    &got), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(users, get_for_login_of_unknown_user_is_not_found)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME, "alicia",
	    &got), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(users, get_for_login_returns_the_password_hash)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME, "alice",
	    &got), GH_OK);
	cr_assert_str_eq(got.password_hash, HASH);
	cr_assert_eq(got.nroles, 1);
	cr_assert_str_eq(got.roles[0], "user");
	gh_db_free(db);
}

/* set_active */

Test(users, set_active_false_suspends)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_not(got.active);
	gh_db_free(db);
}

Test(users, set_active_false_ends_live_sessions)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 s1[GH_UUID_LEN + 1], s2[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, s1, sizeof(s1));
	new_session(u.id, s2, sizeof(s2));
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_str_eq(session_state(s1), "suspended");
	cr_assert_str_eq(session_state(s2), "suspended");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM sessions WHERE user_id = "
	    "'%s' AND ended_at IS NULL", u.id), "0");
	gh_db_free(db);
}

Test(users, set_active_false_keeps_the_end_of_ended_sessions)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 s[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, s, sizeof(s));
	(void)sqlf("UPDATE sessions SET ended_at = now() - interval '1 hour', "
	    "end_reason = 'logout' WHERE id = '%s'", s);
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_str_eq(session_state(s), "logout");
	cr_assert_str_eq(sqlf("SELECT ended_at < now() - interval '59 minutes' "
	    "FROM sessions WHERE id = '%s'", s), "t");
	gh_db_free(db);
}

Test(users, set_active_false_spares_other_users_sessions)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;
	char		 s[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &a);
	add(db, "bob", NULL, NULL, &b);
	new_session(b.id, s, sizeof(s));
	cr_assert_eq(gh_users_set_active(db, a.id, false), GH_OK);
	cr_assert_str_eq(session_state(s), "live");
	gh_db_free(db);
}

Test(users, set_active_false_moves_tokens_valid_after)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	(void)sqlf("UPDATE users SET tokens_valid_after = now() - "
	    "interval '1 day' WHERE id = '%s'", u.id);
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_str_eq(sqlf("SELECT tokens_valid_after > now() - "
	    "interval '1 minute' FROM users WHERE id = '%s'", u.id), "t");
	gh_db_free(db);
}

Test(users, set_active_true_reactivates_without_reviving_sessions)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;
	char		 s[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, s, sizeof(s));
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_eq(gh_users_set_active(db, u.id, true), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert(got.active);
	cr_assert_str_eq(session_state(s), "suspended");
	gh_db_free(db);
}

Test(users, set_active_true_leaves_sessions_of_an_active_user_live)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 s[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, s, sizeof(s));
	cr_assert_eq(gh_users_set_active(db, u.id, true), GH_OK);
	cr_assert_str_eq(session_state(s), "live");
	gh_db_free(db);
}

Test(users, set_active_of_unknown_user_is_not_found)
{
	struct gh_db	*db = open_db();
	char		 id[GH_UUID_LEN + 1];

	unknown_uuid(id, sizeof(id));
	cr_assert_eq(gh_users_set_active(db, id, false), GH_NOT_FOUND);
	cr_assert_eq(gh_users_set_active(db, "alice", false), GH_NOT_FOUND);
	gh_db_free(db);
}

/* set_password */

Test(users, set_password_stores_the_new_hash)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_set_password(db, u.id, NEWHASH, NULL,
	    "password_reset"), GH_OK);
	cr_assert_eq(gh_users_get_for_login(db, GH_LOGIN_USERNAME, "alice",
	    &got), GH_OK);
	cr_assert_str_eq(got.password_hash, NEWHASH);
	gh_db_free(db);
}

Test(users, set_password_keeping_a_session_ends_the_others)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 keep[GH_UUID_LEN + 1], other[GH_UUID_LEN + 1];
	char		 before[64];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, keep, sizeof(keep));
	new_session(u.id, other, sizeof(other));
	(void)snprintf(before, sizeof(before), "%s", sqlf("SELECT "
	    "tokens_valid_after::text FROM users WHERE id = '%s'", u.id));
	cr_assert_eq(gh_users_set_password(db, u.id, NEWHASH, keep,
	    "password_changed"), GH_OK);
	cr_assert_str_eq(session_state(keep), "live");
	cr_assert_str_eq(session_state(other), "password_changed");
	/* The kept session's tokens stay good. */
	cr_assert_str_eq(sqlf("SELECT tokens_valid_after::text FROM users "
	    "WHERE id = '%s'", u.id), before);
	gh_db_free(db);
}

Test(users, set_password_without_a_kept_session_ends_all)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;
	char		 s1[GH_UUID_LEN + 1], s2[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &u);
	new_session(u.id, s1, sizeof(s1));
	new_session(u.id, s2, sizeof(s2));
	cr_assert_eq(gh_users_set_password(db, u.id, NEWHASH, NULL,
	    "password_reset"), GH_OK);
	cr_assert_str_eq(session_state(s1), "password_reset");
	cr_assert_str_eq(session_state(s2), "password_reset");
	gh_db_free(db);
}

Test(users, set_password_without_a_kept_session_moves_tokens_valid_after)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	(void)sqlf("UPDATE users SET tokens_valid_after = now() - "
	    "interval '1 day' WHERE id = '%s'", u.id);
	cr_assert_eq(gh_users_set_password(db, u.id, NEWHASH, NULL,
	    "password_reset"), GH_OK);
	cr_assert_str_eq(sqlf("SELECT tokens_valid_after > now() - "
	    "interval '1 minute' FROM users WHERE id = '%s'", u.id), "t");
	gh_db_free(db);
}

Test(users, set_password_spares_other_users_sessions)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;
	char		 s[GH_UUID_LEN + 1];

	add(db, "alice", NULL, NULL, &a);
	add(db, "bob", NULL, NULL, &b);
	new_session(b.id, s, sizeof(s));
	cr_assert_eq(gh_users_set_password(db, a.id, NEWHASH, NULL,
	    "password_reset"), GH_OK);
	cr_assert_str_eq(session_state(s), "live");
	gh_db_free(db);
}

Test(users, set_password_of_unknown_user_is_not_found)
{
	struct gh_db	*db = open_db();
	char		 id[GH_UUID_LEN + 1];

	unknown_uuid(id, sizeof(id));
	cr_assert_eq(gh_users_set_password(db, id, NEWHASH, NULL,
	    "password_reset"), GH_NOT_FOUND);
	gh_db_free(db);
}

/* roles */

Test(users, has_role_answers_for_each_role_held)
{
	struct gh_user	 u;

	memset(&u, 0, sizeof(u));
	memcpy(u.roles[0], "admin", sizeof("admin"));
	memcpy(u.roles[1], "user", sizeof("user"));
	u.nroles = 2;
	cr_assert(gh_users_has_role(&u, "admin"));
	cr_assert(gh_users_has_role(&u, "user"));
	cr_assert_not(gh_users_has_role(&u, "adm"));
	cr_assert_not(gh_users_has_role(&u, "Admin"));
	u.nroles = 1;
	cr_assert_not(gh_users_has_role(&u, "user"));
}

Test(users, grant_adds_the_role)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_not(gh_users_has_role(&u, "admin"));
	cr_assert_eq(gh_users_grant(db, u.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert(gh_users_has_role(&got, "admin"));
	cr_assert(gh_users_has_role(&got, "user"));
	gh_db_free(db);
}

Test(users, grant_twice_is_fine)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_grant(db, u.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_grant(db, u.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_eq(got.nroles, 2);
	gh_db_free(db);
}

Test(users, grant_of_unknown_role_is_a_conflict)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_grant(db, u.id, "wizard"), GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "roles");
	gh_db_free(db);
}

Test(users, grant_to_unknown_user_is_not_found)
{
	struct gh_db	*db = open_db();
	char		 id[GH_UUID_LEN + 1];

	unknown_uuid(id, sizeof(id));
	cr_assert_eq(gh_users_grant(db, id, "admin"), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(users, revoke_removes_the_role)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u, got;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_grant(db, u.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_revoke(db, u.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_get(db, u.id, &got), GH_OK);
	cr_assert_not(gh_users_has_role(&got, "admin"));
	cr_assert(gh_users_has_role(&got, "user"));
	gh_db_free(db);
}

Test(users, revoke_of_a_role_not_held_is_fine)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_eq(gh_users_revoke(db, u.id, "admin"), GH_OK);
	gh_db_free(db);
}

Test(users, revoke_from_unknown_user_is_not_found)
{
	struct gh_db	*db = open_db();
	char		 id[GH_UUID_LEN + 1];

	unknown_uuid(id, sizeof(id));
	cr_assert_eq(gh_users_revoke(db, id, "user"), GH_NOT_FOUND);
	cr_assert_eq(gh_users_revoke(db, "alice", "user"), GH_NOT_FOUND);
	gh_db_free(db);
}

/* list */

Test(users, list_orders_by_lower_username)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_four(db);
	list(db, "", "", 100, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.names[0], "alex");
	cr_assert_str_eq(s.names[1], "Alice");
	cr_assert_str_eq(s.names[2], "bob");
	cr_assert_str_eq(s.names[3], "carol");
	gh_db_free(db);
}

Test(users, list_honours_the_limit)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_four(db);
	list(db, "", "", 2, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.names[0], "alex");
	cr_assert_str_eq(s.names[1], "Alice");
	gh_db_free(db);
}

Test(users, list_starts_after_the_given_username)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_four(db);
	list(db, "alice", "", 100, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.names[0], "bob");
	cr_assert_str_eq(s.names[1], "carol");
	gh_db_free(db);
}

Test(users, list_refuses_a_limit_below_one)
{
	struct gh_db	*db = open_db();
	struct seen	 s;
	int		 n = -1;

	memset(&s, 0, sizeof(s));
	cr_assert_eq(gh_users_list(db, "", "", 0, collect, &s, &n),
	    GH_DB_ERROR);
	cr_assert_eq(n, 0);
	gh_db_free(db);
}

/* Two users whose fields share no substring used below. */
static void
add_two_for_query(struct gh_db *db)
{
	struct gh_user	 u;

	add_full(db, "alice", "wonder@example.com", "Liddell Person", "E-100",
	    &u);
	add_full(db, "bob", "builder@example.org", "Robert Paulson", "X-777",
	    &u);
}

Test(users, list_query_matches_username_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "LIC", 100, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.names[0], "alice");
	gh_db_free(db);
}

Test(users, list_query_matches_email_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "WONDER@", 100, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.names[0], "alice");
	gh_db_free(db);
}

Test(users, list_query_matches_full_name_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "paulS", 100, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.names[0], "bob");
	gh_db_free(db);
}

Test(users, list_query_matches_employee_id_ignoring_case)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "x-77", 100, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.names[0], "bob");
	gh_db_free(db);
}

Test(users, list_query_matching_nothing_lists_nothing)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "zzz", 100, &s);
	cr_assert_eq(s.n, 0);
	gh_db_free(db);
}

Test(users, list_query_takes_percent_and_underscore_literally)
{
	struct gh_db	*db = open_db();
	struct seen	 s;

	add_two_for_query(db);
	list(db, "", "%", 100, &s);
	cr_assert_eq(s.n, 0);
	list(db, "", "a_i", 100, &s);
	cr_assert_eq(s.n, 0);
	gh_db_free(db);
}

/* updated_at */

Test(users, update_moves_updated_at)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	cr_assert_str_eq(sqlf("SELECT updated_at = created_at FROM users "
	    "WHERE id = '%s'", u.id), "t");
	cr_assert_eq(gh_users_set_active(db, u.id, false), GH_OK);
	cr_assert_str_eq(sqlf("SELECT updated_at > created_at FROM users "
	    "WHERE id = '%s'", u.id), "t");
	gh_db_free(db);
}

Test(users, update_moves_updated_at_even_when_set_by_hand)
{
	struct gh_db	*db = open_db();
	struct gh_user	 u;

	add(db, "alice", NULL, NULL, &u);
	(void)sqlf("UPDATE users SET updated_at = '2000-01-01' WHERE id = "
	    "'%s'", u.id);
	cr_assert_str_eq(sqlf("SELECT updated_at > now() - interval '1 minute'"
	    " FROM users WHERE id = '%s'", u.id), "t");
	gh_db_free(db);
}
