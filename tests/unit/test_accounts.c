/*
 * accounts: each change the whole rule in one call, against a real
 * PostgreSQL (a fresh migrated database per test): the last-admin guard
 * of every change that can take "admin" away, the data as they were after
 * a refusal, --force's way past it, a racing change that must not remove
 * the other admin, hashing, and paging.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "core/password.h"
#include "data/db.h"
#include "domain/accounts.h"
#include "domain/users.h"
#include "pgtest.h"

#define PW		"correct horse battery"
#define HASH		"$2b$04$0123456789abcdefghijkuOldHashOldHashOldHashOldHashO"

static char		 url[1024];
static struct gh_config	 cfg;

static struct gh_db *
open_db(void)
{
	struct gh_db	*db;
	int		 n;

	gh_config_defaults(&cfg);
	cfg.bcrypt_cost = GH_BCRYPT_COST_MIN;
	n = snprintf(url, sizeof(url), "%s", t_db_migrated());
	cr_assert(n > 0 && (size_t)n < sizeof(url));
	cr_assert_not_null(db = gh_db_new(url, 5000));
	return db;
}

#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

/* A user holding role (NULL: none), by row: no bcrypt needed. */
static void
add(struct gh_db *db, const char *username, const char *role,
    struct gh_user *u)
{
	const char		*roles[1] = { role };
	struct gh_user_new	 n;

	memset(&n, 0, sizeof(n));
	n.username = username;
	n.password_hash = HASH;
	n.roles = roles;
	n.nroles = role != NULL ? 1 : 0;
	cr_assert_eq(gh_users_create(db, &n, u), GH_OK, "create %s: %s",
	    username, gh_db_error(db));
}

static const char *
status_of(const struct gh_user *u)
{
	return sqlf("SELECT status FROM users WHERE id = '%s'", u->id);
}

static const char *
roles_of(const struct gh_user *u)
{
	return sqlf("SELECT coalesce(string_agg(role, ',' ORDER BY role), '') "
	    "FROM user_roles WHERE user_id = '%s'", u->id);
}

static const char *
row_of(const struct gh_user *u)
{
	return sqlf("SELECT concat_ws('|', username, email, status, "
	    "password_hash, tokens_valid_after) FROM users WHERE id = '%s'",
	    u->id);
}

/* A live session of u, its id in sid. */
static void
new_session(const struct gh_user *u, char *sid, size_t sidsz)
{
	int	 n;

	n = snprintf(sid, sidsz, "%s", sqlf("INSERT INTO sessions (user_id, "
	    "expires_at) VALUES ('%s', now() + interval '1 day') RETURNING id",
	    u->id));
	cr_assert(n > 0 && (size_t)n < sidsz);
}

static const char *
live(const char *sid)
{
	return sqlf("SELECT ended_at IS NULL FROM sessions WHERE id = '%s'",
	    sid);
}

/* A new account named username with the password PW and nothing else. */
static void
new_account(struct gh_account_new *a, const char *username)
{
	memset(a, 0, sizeof(*a));
	a->username = username;
	a->password = PW;
	a->password_len = strlen(PW);
}

static void
patch_roles(struct gh_account_patch *p, const char *role)
{
	p->roles.given = true;
	p->roles.n = role != NULL ? 1 : 0;
	p->roles.names[0] = role;
}

/* create */

Test(accounts, create_hashes_the_password_and_gives_the_default_role)
{
	struct gh_db		*db = open_db();
	struct gh_account_new	 a;
	struct gh_user		 u;

	new_account(&a, "alice");
	cr_assert_eq(gh_account_create(db, &cfg, &a, &u), GH_OK, "%s",
	    gh_db_error(db));
	cr_assert_str_eq(roles_of(&u), GH_ACCOUNT_DEFAULT_ROLE);
	cr_assert_eq(gh_password_verify(PW, strlen(PW), sqlf("SELECT "
	    "password_hash FROM users WHERE id = '%s'", u.id)), 1);
	cr_assert_str_eq(status_of(&u), "active");
	gh_db_free(db);
}

Test(accounts, create_with_roles_given_gives_exactly_those)
{
	struct gh_db		*db = open_db();
	struct gh_account_new	 a;
	struct gh_user		 u;

	new_account(&a, "alice");
	a.suspended = true;
	a.roles.given = true;
	cr_assert_eq(gh_account_create(db, &cfg, &a, &u), GH_OK);
	cr_assert_str_eq(roles_of(&u), "");
	cr_assert_str_eq(status_of(&u), "suspended");
	a.username = "bob";
	a.roles.n = 2;
	a.roles.names[0] = "user";
	a.roles.names[1] = "admin";
	cr_assert_eq(gh_account_create(db, &cfg, &a, &u), GH_OK);
	cr_assert_str_eq(roles_of(&u), "admin,user");
	gh_db_free(db);
}

Test(accounts, create_of_a_taken_name_is_a_conflict_naming_it)
{
	struct gh_db		*db = open_db();
	struct gh_account_new	 a;
	struct gh_user		 u;

	add(db, "alice", "user", &u);
	new_account(&a, "ALICE");
	cr_assert_eq(gh_account_create(db, &cfg, &a, &u), GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "username");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "1");
	gh_db_free(db);
}

/* the last-admin guard: refused, and the data as they were */

Test(accounts, suspending_the_last_admin_is_refused_and_changes_nothing)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a;
	char		 sid[64];
	const char	*before;

	add(db, "alice", "admin", &a);
	new_session(&a, sid, sizeof(sid));
	before = row_of(&a);
	cr_assert_eq(gh_account_set_active(db, a.id, false, 0),
	    GH_LAST_ADMIN);
	cr_assert_str_eq(row_of(&a), before);
	cr_assert_str_eq(live(sid), "t");
	gh_db_free(db);
}

Test(accounts, revoking_admin_from_the_last_admin_is_refused)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a;

	add(db, "alice", "admin", &a);
	cr_assert_eq(gh_account_revoke(db, a.id, "admin", 0), GH_LAST_ADMIN);
	cr_assert_str_eq(roles_of(&a), "admin");
	gh_db_free(db);
}

Test(accounts, deleting_the_last_admin_is_refused)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a;

	add(db, "alice", "admin", &a);
	cr_assert_eq(gh_account_delete(db, a.id, 0), GH_LAST_ADMIN);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM users"), "1");
	cr_assert_str_eq(roles_of(&a), "admin");
	gh_db_free(db);
}

Test(accounts, a_patch_taking_the_last_admins_role_changes_nothing_at_all)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a, out;
	char			 sid[64];
	const char		*before;

	add(db, "alice", "admin", &a);
	new_session(&a, sid, sizeof(sid));
	before = row_of(&a);
	memset(&p, 0, sizeof(p));
	p.fields.set_email = true;
	p.fields.email = "alice@example.com";
	p.password = PW;
	p.password_len = strlen(PW);
	patch_roles(&p, "user");
	cr_assert_eq(gh_account_patch(db, &cfg, a.id, &p, 0, &out),
	    GH_LAST_ADMIN);
	cr_assert_str_eq(row_of(&a), before);
	cr_assert_str_eq(roles_of(&a), "admin");
	cr_assert_str_eq(live(sid), "t");
	gh_db_free(db);
}

Test(accounts, a_patch_suspending_the_last_admin_is_refused)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a;

	add(db, "alice", "admin", &a);
	memset(&p, 0, sizeof(p));
	p.set_status = true;
	p.active = false;
	cr_assert_eq(gh_account_patch(db, &cfg, a.id, &p, 0, NULL),
	    GH_LAST_ADMIN);
	cr_assert_str_eq(status_of(&a), "active");
	gh_db_free(db);
}

Test(accounts, a_suspended_admin_does_not_count)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;

	add(db, "alice", "admin", &a);
	add(db, "bob", "admin", &b);
	cr_assert_eq(gh_account_set_active(db, b.id, false, 0), GH_OK);
	cr_assert_eq(gh_account_set_active(db, a.id, false, 0),
	    GH_LAST_ADMIN);
	gh_db_free(db);
}

/* what the guard lets through */

Test(accounts, force_lets_the_last_admin_go)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a, b, c;

	add(db, "alice", "admin", &a);
	cr_assert_eq(gh_account_revoke(db, a.id, "admin", GH_ACCOUNT_FORCE),
	    GH_OK);
	cr_assert_str_eq(roles_of(&a), "");
	add(db, "bob", "admin", &b);
	cr_assert_eq(gh_account_set_active(db, b.id, false, GH_ACCOUNT_FORCE),
	    GH_OK);
	cr_assert_str_eq(status_of(&b), "suspended");
	add(db, "carol", "admin", &c);
	memset(&p, 0, sizeof(p));
	patch_roles(&p, NULL);
	cr_assert_eq(gh_account_patch(db, &cfg, c.id, &p, GH_ACCOUNT_FORCE,
	    NULL), GH_OK);
	cr_assert_eq(gh_account_delete(db, c.id, GH_ACCOUNT_FORCE), GH_OK);
	gh_db_free(db);
}

Test(accounts, with_two_admins_one_may_go)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;

	add(db, "alice", "admin", &a);
	add(db, "bob", "admin", &b);
	cr_assert_eq(gh_account_revoke(db, b.id, "admin", 0), GH_OK);
	cr_assert_eq(gh_account_delete(db, b.id, 0), GH_OK);
	cr_assert_eq(gh_account_delete(db, a.id, 0), GH_LAST_ADMIN);
	gh_db_free(db);
}

Test(accounts, with_no_admin_at_all_nothing_is_refused)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a;

	/* A fresh install, before its first admin: the CLI must still work. */
	add(db, "alice", "user", &a);
	cr_assert_eq(gh_account_set_active(db, a.id, false, 0), GH_OK);
	cr_assert_eq(gh_account_set_active(db, a.id, true, 0), GH_OK);
	cr_assert_eq(gh_account_revoke(db, a.id, "user", 0), GH_OK);
	cr_assert_eq(gh_account_delete(db, a.id, 0), GH_OK);
	gh_db_free(db);
}

Test(accounts, changes_of_an_unknown_user_are_not_found)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a;
	const char		*nobody;

	nobody = "00000000-0000-4000-8000-000000000000";
	add(db, "alice", "admin", &a);
	memset(&p, 0, sizeof(p));
	p.set_status = true;
	cr_assert_eq(gh_account_patch(db, &cfg, nobody, &p, 0, NULL),
	    GH_NOT_FOUND);
	cr_assert_eq(gh_account_delete(db, nobody, 0), GH_NOT_FOUND);
	cr_assert_eq(gh_account_delete(db, "not-a-uuid", 0), GH_NOT_FOUND);
	cr_assert_eq(gh_account_set_active(db, nobody, false, 0),
	    GH_NOT_FOUND);
	cr_assert_eq(gh_account_revoke(db, nobody, "admin", 0), GH_NOT_FOUND);
	cr_assert_eq(gh_account_grant(db, nobody, "admin"), GH_NOT_FOUND);
	gh_db_free(db);
}

Test(accounts, a_patch_is_applied_whole_and_answers_the_new_user)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a, b, out;
	char			 sid[64];

	add(db, "alice", "admin", &a);
	add(db, "bob", "user", &b);
	new_session(&b, sid, sizeof(sid));
	memset(&p, 0, sizeof(p));
	p.fields.set_full_name = true;
	p.fields.full_name = "Bob Builder";
	p.password = PW;
	p.password_len = strlen(PW);
	patch_roles(&p, "admin");
	cr_assert_eq(gh_account_patch(db, &cfg, b.id, &p, 0, &out), GH_OK);
	cr_assert_str_eq(out.full_name, "Bob Builder");
	cr_assert_eq(out.nroles, 1);
	cr_assert_str_eq(out.roles[0], "admin");
	cr_assert_eq(gh_password_verify(PW, strlen(PW), sqlf("SELECT "
	    "password_hash FROM users WHERE id = '%s'", b.id)), 1);
	cr_assert_str_eq(live(sid), "f");
	gh_db_free(db);
}

Test(accounts, a_patch_naming_an_unknown_role_is_a_conflict)
{
	struct gh_db		*db = open_db();
	struct gh_account_patch	 p;
	struct gh_user		 a, b;

	add(db, "alice", "admin", &a);
	add(db, "bob", "user", &b);
	memset(&p, 0, sizeof(p));
	patch_roles(&p, "wizard");
	cr_assert_eq(gh_account_patch(db, &cfg, b.id, &p, 0, NULL),
	    GH_CONFLICT);
	cr_assert_str_eq(gh_users_conflict_field(db), "roles");
	cr_assert_str_eq(roles_of(&b), "user");
	gh_db_free(db);
}

/*
 * A change racing another: the child suspends b once the gate opens,
 * while the parent's transaction, under the admin lock, has suspended a
 * but not yet committed.  The lock must make the child wait and then see
 * a gone; without it both would commit and leave no admin.
 */
static void
racer(const char *dburl, int gate[2], const char *id)
{
	struct gh_db		*db;
	enum gh_status		 st;
	char			 c;

	(void)close(gate[1]);
	if ((db = gh_db_new(dburl, 5000)) == NULL || gh_db_ping(db) != GH_OK)
		_exit(3);
	while (read(gate[0], &c, 1) == -1)
		continue;
	st = gh_account_set_active(db, id, false, 0);
	_exit(st == GH_OK ? 0 : st == GH_LAST_ADMIN ? 1 : 2);
}

Test(accounts, a_change_racing_another_waits_for_it_and_sees_it)
{
	struct gh_db	*db = open_db();
	struct gh_user	 a, b;
	pid_t		 pid;
	int		 gate[2], status;

	add(db, "alice", "admin", &a);
	add(db, "bob", "admin", &b);
	cr_assert_eq(pipe(gate), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0)
		racer(url, gate, b.id);
	(void)close(gate[0]);
	cr_assert_eq(gh_db_begin(db), GH_OK);
	cr_assert_eq(gh_users_lock_admins(db), GH_OK);
	cr_assert_eq(gh_users_set_active(db, a.id, false), GH_OK);
	(void)close(gate[1]);
	/* Time for the child to reach the lock (or, without it, to commit). */
	(void)usleep(500 * 1000);
	cr_assert_eq(gh_db_commit(db), GH_OK);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 1, "the racer exited %d, not "
	    "GH_LAST_ADMIN", WEXITSTATUS(status));
	cr_assert_str_eq(status_of(&b), "active");
	gh_db_free(db);
}

/* paging */

struct seen {
	char	names[8][GH_USERNAME_MAX + 1];
	int	n;
};

static void
collect(const struct gh_user *u, void *arg)
{
	struct seen	*s = arg;

	cr_assert_lt(s->n, 8);
	memcpy(s->names[s->n++], u->username, sizeof(s->names[0]));
}

Test(accounts, list_pages_through_every_account_by_lower_username)
{
	struct gh_db		*db = open_db();
	struct gh_account_page	 pg;
	struct gh_user		 u;
	struct seen		 s;

	add(db, "bob", NULL, &u);
	add(db, "Alice", NULL, &u);
	add(db, "carol", NULL, &u);
	memset(&pg, 0, sizeof(pg));
	memset(&s, 0, sizeof(s));
	cr_assert_eq(gh_account_list(db, &pg, "", 2, collect, &s), GH_OK);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.names[0], "Alice");
	cr_assert_str_eq(s.names[1], "bob");
	cr_assert(pg.more);
	cr_assert_str_eq(pg.after, "bob");
	cr_assert_eq(gh_account_list(db, &pg, "", 2, collect, &s), GH_OK);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.names[2], "carol");
	cr_assert(!pg.more);
	gh_db_free(db);
}

Test(accounts, list_keeps_the_limit_within_the_page_max)
{
	struct gh_db		*db = open_db();
	struct gh_account_page	 pg;
	struct seen		 s;

	memset(&pg, 0, sizeof(pg));
	memset(&s, 0, sizeof(s));
	cr_assert_neq(gh_account_list(db, &pg, "", 0, collect, &s), GH_OK);
	cr_assert_neq(gh_account_list(db, &pg, "", GH_ACCOUNT_PAGE_MAX + 1,
	    collect, &s), GH_OK);
	cr_assert_eq(gh_account_list(db, &pg, "", GH_ACCOUNT_PAGE_MAX,
	    collect, &s), GH_OK);
	cr_assert_eq(s.n, 0);
	gh_db_free(db);
}

Test(accounts, a_cursor_reads_back_as_the_page_it_came_from)
{
	struct gh_account_page	 pg, back;
	char			 c[GH_ACCOUNT_CURSOR_MAX];

	memset(&pg, 0, sizeof(pg));
	memset(pg.after, 'x', GH_USERNAME_MAX);
	cr_assert_eq(gh_account_cursor_encode(&pg, c, sizeof(c)), 0);
	cr_assert_eq(gh_account_cursor_decode(c, strlen(c), &back), 0);
	cr_assert_str_eq(back.after, pg.after);
	cr_assert_eq(gh_account_cursor_decode("", 0, &back), 0);
	cr_assert_str_eq(back.after, "");
}

Test(accounts, a_cursor_not_given_out_is_refused)
{
	static const char *const bad[] = {
		"!!!!",		/* not base64url */
		"YSBi",		/* "a b": not a username */
		"YQ",		/* "a": too short for one */
		/* 65 bytes: longer than any username */
		"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4"
		"eHh4eHh4eHh4eHh4eHh4eHh4eHg",
	};
	struct gh_account_page	 pg;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(gh_account_cursor_decode(bad[i], strlen(bad[i]),
		    &pg), -1, "%s", bad[i]);
}
