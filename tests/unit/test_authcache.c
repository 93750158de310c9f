/*
 * authcache: the token check with the per-process cache on, against a
 * real PostgreSQL (a fresh migrated database per test).  The checking
 * handle plays a me process; every change is made on another connection
 * (another program, or an operator's psql), and the very next check must
 * see it: the cache may save queries, never answers.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "domain/principal.h"
#include "domain/authcache.h"
#include "core/config.h"
#include "data/db.h"
#include "core/jwt.h"
#include "fixture.h"
#include "pgtest.h"
#include "domain/sessions.h"
#include "domain/users.h"

#define SECRET		"authcache-test-secret-0123456789-abcdefghijklmnop"
#define NEWHASH		"$2b$04$0123456789abcdefghijkuNewHashNewHashNewHashNewHashN"

static char		 url[1024];
static struct gh_config	 cfg;
static struct gh_jwt_key key;
static struct gh_db	*db;		/* the checking process */
static struct gh_db	*other;		/* another program */
static struct gh_user	 alice;
static struct gh_token_pair alice_t;

/* t_db_sqlf() on this test's database, as the superuser. */
#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

/* A user with the role "user", made by another program. */
static void
add_user(const char *name, struct gh_user *u)
{
	t_add_user(other, name, NULL, 0, u);
}

static void
login(const struct gh_user *u, struct gh_token_pair *t)
{
	cr_assert_eq(gh_sessions_start(other, &cfg, &key, u, NULL, t),
	    GH_OK, "%s", gh_db_error(other));
}

static void
setup(void)
{
	t_config(&cfg, &key, SECRET);
	db = t_db_fresh(url, sizeof(url));
	other = t_db_open(url, 5000);
	cr_assert_eq(gh_authcache_init(64), 0);
	add_user("alice", &alice);
	login(&alice, &alice_t);
}

static void
teardown(void)
{
	gh_db_free(db);
	gh_db_free(other);
	db = other = NULL;
}

TestSuite(authcache, .init = setup, .fini = teardown);

static enum gh_status
check(const char *tok, struct gh_principal *p)
{
	const char	*why;

	return gh_principal_check(db, &key, tok, strlen(tok), p, &why);
}

static void
assert_accepted(const char *tok, struct gh_principal *p)
{
	cr_assert_eq(check(tok, p), GH_OK, "%s", gh_db_error(db));
	gh_authcache_settle(db);
}

static void
assert_refused(const char *tok)
{
	struct gh_principal	 p;

	cr_assert_eq(check(tok, &p), GH_NOT_FOUND);
	cr_assert_eq(p.user.id[0], '\0');
	gh_authcache_settle(db);
}

static struct gh_authcache_stats
stats_now(void)
{
	struct gh_authcache_stats	 s;

	gh_authcache_stats(&s);
	return s;
}

static unsigned long
hits(void)
{
	return stats_now().hits;
}

/* Checks twice: the second answer comes from the cache. */
static void
warm(const char *tok)
{
	struct gh_principal	 p;
	unsigned long		 before = hits();

	assert_accepted(tok, &p);
	assert_accepted(tok, &p);
	cr_assert_eq(hits(), before + 1, "the second check was not a hit");
}

Test(authcache, a_second_check_of_a_session_is_answered_from_the_cache)
{
	struct gh_principal	 p;

	warm(alice_t.access);
	assert_accepted(alice_t.access, &p);
	cr_assert_str_eq(p.user.id, alice.id);
	cr_assert_str_eq(p.user.username, "alice");
	cr_assert(p.user.active);
	cr_assert_eq(p.user.nroles, 1);
	cr_assert_str_eq(p.user.roles[0], "user");
	cr_assert_str_eq(p.user.created_at, alice.created_at);
	cr_assert_str_eq(p.user.password_hash, "");
}

Test(authcache, a_cached_user_reads_the_same_as_a_fresh_one)
{
	struct gh_principal	 fresh, cached;

	cr_assert_eq(gh_users_grant(other, alice.id, "admin"), GH_OK);
	sqlf("UPDATE users SET email = 'a@example.org', full_name = 'Alice A', "
	    "phone = '+1 555', employee_id = 'E-1' WHERE id = '%s'", alice.id);
	assert_accepted(alice_t.access, &fresh);
	assert_accepted(alice_t.access, &cached);
	cr_assert_eq(memcmp(&fresh.user, &cached.user, sizeof(fresh.user)), 0);
}

Test(authcache, a_logout_elsewhere_refuses_the_next_check)
{
	warm(alice_t.access);
	cr_assert_eq(gh_sessions_end(other, alice.id, alice_t.sid, "logout"),
	    GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, a_logout_of_all_sessions_refuses_the_next_check)
{
	warm(alice_t.access);
	cr_assert_eq(gh_sessions_end_all(other, alice.id, "logout_all"),
	    GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, a_suspension_refuses_the_next_check)
{
	warm(alice_t.access);
	cr_assert_eq(gh_users_set_active(other, alice.id, false), GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, a_suspension_by_sql_alone_refuses_the_next_check)
{
	/* Only the status: no session ended, no tokens_valid_after moved. */
	warm(alice_t.access);
	sqlf("UPDATE users SET status = 'suspended' WHERE id = '%s'", alice.id);
	assert_refused(alice_t.access);
}

Test(authcache, a_password_reset_refuses_the_next_check)
{
	warm(alice_t.access);
	cr_assert_eq(gh_users_set_password(other, alice.id, NEWHASH, NULL,
	    "password_reset"), GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, tokens_before_tokens_valid_after_are_refused_from_the_cache)
{
	warm(alice_t.access);
	/* The session lives on; its older tokens do not. */
	sqlf("UPDATE users SET tokens_valid_after = now() + interval '1 hour' "
	    "WHERE id = '%s'", alice.id);
	assert_refused(alice_t.access);
	assert_refused(alice_t.access);
}

Test(authcache, a_revoked_role_is_gone_at_the_next_check)
{
	struct gh_principal	 p;

	cr_assert_eq(gh_users_grant(other, alice.id, "admin"), GH_OK);
	warm(alice_t.access);
	assert_accepted(alice_t.access, &p);
	cr_assert(gh_users_has_role(&p.user, "admin"));
	cr_assert_eq(gh_users_revoke(other, alice.id, "admin"), GH_OK);
	assert_accepted(alice_t.access, &p);
	cr_assert(!gh_users_has_role(&p.user, "admin"));
}

Test(authcache, a_granted_role_is_there_at_the_next_check)
{
	struct gh_principal	 p;

	warm(alice_t.access);
	cr_assert_eq(gh_users_grant(other, alice.id, "admin"), GH_OK);
	assert_accepted(alice_t.access, &p);
	cr_assert(gh_users_has_role(&p.user, "admin"));
}

Test(authcache, a_deleted_role_is_gone_at_the_next_check)
{
	struct gh_principal	 p;

	sqlf("INSERT INTO roles (name) VALUES ('auditor')");
	cr_assert_eq(gh_users_grant(other, alice.id, "auditor"), GH_OK);
	warm(alice_t.access);
	sqlf("DELETE FROM roles WHERE name = 'auditor'");
	assert_accepted(alice_t.access, &p);
	cr_assert(!gh_users_has_role(&p.user, "auditor"));
}

Test(authcache, a_deleted_user_is_refused_at_the_next_check)
{
	warm(alice_t.access);
	cr_assert_eq(gh_users_delete(other, alice.id), GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, a_profile_change_shows_at_the_next_check)
{
	struct gh_principal	 p;

	warm(alice_t.access);
	sqlf("UPDATE users SET full_name = 'Alice Changed' WHERE id = '%s'",
	    alice.id);
	assert_accepted(alice_t.access, &p);
	cr_assert_str_eq(p.user.full_name, "Alice Changed");
}

Test(authcache, a_session_cut_short_by_sql_is_refused_at_the_next_check)
{
	warm(alice_t.access);
	sqlf("UPDATE sessions SET expires_at = now() - interval '1 second' "
	    "WHERE id = '%s'", alice_t.sid);
	assert_refused(alice_t.access);
}

Test(authcache, truncated_sessions_are_refused_at_the_next_check)
{
	warm(alice_t.access);
	sqlf("TRUNCATE sessions CASCADE");
	assert_refused(alice_t.access);
}

Test(authcache, another_users_change_keeps_the_entry)
{
	struct gh_user		 bob;
	struct gh_principal	 p;
	unsigned long		 before;

	add_user("bob", &bob);
	warm(alice_t.access);
	cr_assert_eq(gh_users_set_active(other, bob.id, false), GH_OK);
	before = hits();
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(hits(), before + 1);
}

static unsigned long
notified(void)
{
	return stats_now().notified;
}

Test(authcache, a_new_user_and_their_roles_send_no_notification)
{
	struct gh_user		 bob;
	struct gh_principal	 p;
	unsigned long		 before;

	warm(alice_t.access);
	before = notified();
	add_user("bob", &bob);		/* the user and the role "user" */
	sqlf("INSERT INTO users (username, password_hash) SELECT 'bulk' || i, "
	    "'x' FROM generate_series(1, 50) i");
	sqlf("INSERT INTO user_roles (user_id, role) SELECT id, 'user' FROM "
	    "users WHERE username LIKE 'bulk%%'");	/* not the same transaction */
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(notified(), before + 50, "%lu notifications",
	    notified() - before);
}

Test(authcache, a_burst_of_changes_empties_the_table_once)
{
	struct gh_authcache_stats	 s0, s1;
	struct gh_principal		 p;

	sqlf("INSERT INTO users (username, password_hash) SELECT 'many' || i, "
	    "'x' FROM generate_series(1, 500) i");
	warm(alice_t.access);
	gh_authcache_stats(&s0);
	sqlf("UPDATE users SET full_name = 'x' WHERE username LIKE 'many%%'");
	assert_accepted(alice_t.access, &p);
	gh_authcache_stats(&s1);
	cr_assert_eq(s1.notified - s0.notified, 500);
	cr_assert_eq(s1.flushes - s0.flushes, 1);
	cr_assert_eq(s1.misses - s0.misses, 1, "alice's entry survived");
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(hits(), s1.hits + 1, "the table did not fill again");
}

Test(authcache, a_new_session_and_a_refresh_keep_the_entry)
{
	struct gh_token_pair		 t2, t3;
	enum gh_refresh_outcome		 out;
	struct gh_principal		 p;
	unsigned long			 before;

	warm(alice_t.access);
	login(&alice, &t2);
	cr_assert_eq(gh_sessions_refresh(other, &cfg, &key, t2.refresh,
	    strlen(t2.refresh), &t3, &out), GH_OK);
	cr_assert_eq(out, GH_REFRESH_OK);
	before = hits();
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(hits(), before + 1, "a quiet change emptied the cache");
}

Test(authcache, a_lost_connection_forgets_everything_and_misses_no_change)
{
	warm(alice_t.access);
	/*
	 * The backend goes, and while nobody listens the session ends: the
	 * notification is lost, so the reconnect must forget the entry.
	 */
	/* Waits until they are gone: a statement sent is never resent. */
	sqlf("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
	    "WHERE application_name = 'gatehouse' AND pid <> pg_backend_pid() "
	    "AND datname = current_database() "
	    "AND backend_type = 'client backend'");
	cr_assert_eq(gh_sessions_end(other, alice.id, alice_t.sid, "logout"),
	    GH_OK);
	assert_refused(alice_t.access);
}

Test(authcache, a_check_during_an_outage_is_unavailable_not_a_cached_yes)
{
	struct gh_principal	 p;

	warm(alice_t.access);
	gh_db_free(db);
	/* The same cache, on a handle whose server cannot be reached. */
	cr_assert_not_null(db = gh_db_new("host=/nonexistent user=x dbname=x",
	    5000));
	cr_assert_eq(check(alice_t.access, &p), GH_UNAVAILABLE);
}

/*
 * Ends every step-th of alice's n sessions elsewhere, then checks all n:
 * the ended ones refused, the others accepted.
 */
static void
end_every(const struct gh_token_pair *t, size_t n, size_t step)
{
	struct gh_principal	 p;
	size_t			 i;

	for (i = 0; i < n; i += step)
		cr_assert_eq(gh_sessions_end(other, alice.id, t[i].sid,
		    "logout"), GH_OK);
	for (i = 0; i < n; i++) {
		if (i % step == 0)
			assert_refused(t[i].access);
		else
			assert_accepted(t[i].access, &p);
	}
}

Test(authcache, more_sessions_than_entries_are_all_answered_right)
{
	struct gh_token_pair	 t[200];
	struct gh_principal	 p;
	size_t			 i;

	for (i = 0; i < 200; i++)
		login(&alice, &t[i]);
	for (i = 0; i < 200; i++)
		assert_accepted(t[i].access, &p);
	end_every(t, 200, 2);
}

/*
 * Every process of a pool sees every session: a working set as large as
 * the table, taken in turn, must be answered from it after one pass
 * (a table probed four slots deep, full at that size, missed a third).
 */
Test(authcache, as_many_sessions_as_entries_all_hit_after_one_pass)
{
	struct gh_token_pair		 t[64];
	struct gh_principal		 p;
	struct gh_authcache_stats	 s0, s1;
	size_t				 i, round;

	for (i = 0; i < 64; i++)
		login(&alice, &t[i]);
	for (i = 0; i < 64; i++)
		assert_accepted(t[i].access, &p);
	s0 = stats_now();
	for (round = 0; round < 3; round++)
		for (i = 0; i < 64; i++)
			assert_accepted(t[i].access, &p);
	s1 = stats_now();
	cr_assert_eq(s1.hits - s0.hits, 3 * 64);
	cr_assert_eq(s1.misses, s0.misses);
	cr_assert_eq(s1.evicted, 0);
}

/* A full table gives up one entry per newcomer, and every answer stays right. */
Test(authcache, a_full_table_evicts_one_entry_per_newcomer)
{
	struct gh_token_pair		 t[100];
	struct gh_principal		 p;
	struct gh_authcache_stats	 s0, s1;
	size_t				 i;

	cr_assert_eq(gh_authcache_init(16), 0);
	for (i = 0; i < 100; i++)
		login(&alice, &t[i]);
	s0 = stats_now();
	for (i = 0; i < 100; i++) {
		assert_accepted(t[i].access, &p);
		assert_accepted(t[i].access, &p);	/* just put: a hit */
	}
	s1 = stats_now();
	cr_assert_eq(s1.hits - s0.hits, 100);
	cr_assert_eq(s1.evicted - s0.evicted, 100 - 16);
	end_every(t, 100, 3);
}

/*
 * Forgetting a user takes all of their sessions out of the index and
 * leaves every other session findable (removal moves entries back).
 */
Test(authcache, forgetting_a_user_keeps_every_other_session_found)
{
	struct gh_token_pair		 ta[20], tb[20];
	struct gh_user			 bob;
	struct gh_principal		 p;
	struct gh_authcache_stats	 s0, s1;
	size_t				 i;

	add_user("bob", &bob);
	for (i = 0; i < 20; i++) {
		login(&alice, &ta[i]);
		login(&bob, &tb[i]);
		assert_accepted(ta[i].access, &p);
		assert_accepted(tb[i].access, &p);
	}
	cr_assert_eq(gh_users_set_active(other, alice.id, false), GH_OK);
	s0 = stats_now();
	for (i = 0; i < 20; i++) {
		assert_refused(ta[i].access);
		assert_accepted(tb[i].access, &p);
	}
	s1 = stats_now();
	cr_assert_eq(s1.forgotten - s0.forgotten, 20);
	cr_assert_eq(s1.hits - s0.hits, 20, "bob's sessions were lost");
}

/*
 * The race the sync round trip closes: a revocation committed just before
 * a check, with the listener's backend given no time to pass the
 * notification on.  Without the round trip some of these would pass.
 */
Test(authcache, a_revocation_committed_just_before_is_never_missed)
{
	struct gh_token_pair	 t;
	int			 i;

	for (i = 0; i < 300; i++) {
		login(&alice, &t);
		warm(t.access);
		cr_assert_eq(gh_sessions_end(other, alice.id, t.sid, "logout"),
		    GH_OK);
		assert_refused(t.access);
	}
}

Test(authcache, off_asks_the_database_every_time)
{
	struct gh_principal	 p;

	cr_assert_eq(gh_authcache_init(0), 0);
	assert_accepted(alice_t.access, &p);
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(hits(), 0);
	cr_assert_eq(gh_sessions_end(other, alice.id, alice_t.sid, "logout"),
	    GH_OK);
	assert_refused(alice_t.access);
}

/* Suspends alice behind the triggers' back, as a restore would. */
static void
suspend_unannounced(const char *id)
{
	sqlf("SET session_replication_role = replica; "
	    "UPDATE users SET status = 'suspended' WHERE id = '%s'", id);
}

/*
 * Notifications that stop while the connection stays up (the triggers
 * bypassed, as a restore with session_replication_role = replica does):
 * the suspension is seen once the entry is older than the maximum age,
 * and not before -- that is the bound the cache promises then.
 */
Test(authcache, a_change_the_triggers_missed_shows_within_the_maximum_age)
{
	struct gh_principal	 p;
	struct timespec		 ts = { 1, 200 * 1000 * 1000 };

	gh_authcache_set_max_age(1);
	warm(alice_t.access);
	suspend_unannounced(alice.id);
	assert_accepted(alice_t.access, &p);	/* within the bound */
	cr_assert_eq(nanosleep(&ts, NULL), 0);
	assert_refused(alice_t.access);
	gh_authcache_set_max_age(GH_AUTHCACHE_MAX_AGE);
}

/* auth_cache_max_staleness_ms: round trips waited for, and skipped. */
static unsigned long
syncs(void)
{
	return stats_now().syncs;
}

static unsigned long
spared(void)
{
	return stats_now().spared;
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	cr_assert_eq(nanosleep(&ts, NULL), 0);
}

/* Exact (the default): every answer from the cache waits for its trip. */
Test(authcache, without_a_staleness_bound_every_hit_makes_its_round_trip)
{
	struct gh_principal	 p;
	unsigned long		 before;
	int			 i;

	warm(alice_t.access);
	before = syncs();
	for (i = 0; i < 10; i++)
		assert_accepted(alice_t.access, &p);
	cr_assert_eq(syncs(), before + 10);
	cr_assert_eq(spared(), 0);
}

/* Within the bound no round trip is made at all. */
Test(authcache, within_the_staleness_bound_hits_make_no_round_trip)
{
	struct gh_principal	 p;
	unsigned long		 before;
	int			 i;

	gh_authcache_set_max_staleness(60000);
	warm(alice_t.access);
	before = syncs();
	for (i = 0; i < 10; i++)
		assert_accepted(alice_t.access, &p);
	cr_assert_eq(syncs(), before);
	cr_assert_eq(spared(), hits() - 1);	/* but the first hit's */
}

/*
 * A fill's statement is a round trip too (it returns every notification
 * committed before it): past the bound, a miss makes the next hits, of
 * any session, answer without one.
 */
Test(authcache, a_fill_counts_as_the_round_trip)
{
	struct gh_token_pair	 t;
	struct gh_principal	 p;
	unsigned long		 before, before_spared;

	gh_authcache_set_max_staleness(200);
	login(&alice, &t);
	warm(alice_t.access);
	sleep_ms(300);
	before = syncs();
	before_spared = spared();
	assert_accepted(t.access, &p);		/* a miss: the statement */
	assert_accepted(alice_t.access, &p);
	assert_accepted(t.access, &p);
	cr_assert_eq(syncs(), before);
	cr_assert_eq(spared(), before_spared + 2);
}

/*
 * Past the bound the round trip is made again, so a logout committed
 * more than N ms before the check is refused by it.
 */
Test(authcache, a_logout_older_than_the_staleness_bound_is_refused)
{
	unsigned long	 before;

	gh_authcache_set_max_staleness(200);
	warm(alice_t.access);
	cr_assert_eq(gh_sessions_end(other, alice.id, alice_t.sid, "logout"),
	    GH_OK);
	sleep_ms(300);
	before = syncs();
	assert_refused(alice_t.access);
	cr_assert_eq(syncs(), before + 1, "no round trip past the bound");
}

/*
 * Within the bound, a notification that has already arrived is taken in
 * without a round trip: the bound is the most a change can go unseen,
 * not the least.
 */
Test(authcache, within_the_staleness_bound_an_arrived_notification_counts)
{
	struct pollfd	 pfd;
	unsigned long	 before;

	gh_authcache_set_max_staleness(60000);
	warm(alice_t.access);
	cr_assert_eq(gh_sessions_end(other, alice.id, alice_t.sid, "logout"),
	    GH_OK);
	pfd.fd = gh_authcache_idle_fd(db);
	pfd.events = POLLIN;
	cr_assert_neq(pfd.fd, -1);
	cr_assert_eq(poll(&pfd, 1, 10000), 1, "no notification came");
	before = syncs();
	assert_refused(alice_t.access);
	cr_assert_eq(syncs(), before);
}

/*
 * However recent the last round trip, a new connection forgets every
 * entry: what was notified while there was none is lost.  Here the
 * handle reconnects (a statement of another module) and the suspension
 * is never announced at all: only the forgetting can refuse it.
 */
Test(authcache, within_the_staleness_bound_a_new_connection_forgets_all)
{
	struct pollfd	 pfd;
	int		 pid, i;

	gh_authcache_set_max_staleness(60000);
	warm(alice_t.access);
	cr_assert_neq(pid = gh_db_backend_pid(db), 0);
	pfd.fd = gh_authcache_idle_fd(db);
	pfd.events = POLLIN;
	sqlf("SELECT pg_terminate_backend(%d)", pid);
	cr_assert_eq(poll(&pfd, 1, 10000), 1, "the backend did not go");
	for (i = 0; i < 3 && (gh_db_backend_pid(db) == pid ||
	    gh_db_backend_pid(db) == 0); i++)
		(void)gh_db_ping(db);
	cr_assert(gh_db_backend_pid(db) != pid && gh_db_backend_pid(db) != 0,
	    "no new connection");
	suspend_unannounced(alice.id);
	assert_refused(alice_t.access);
}

/*
 * The Sync begin() sends as a request arrives counts when it is read at
 * the request's end, though no check waited for it: the next request
 * within the bound makes none.
 */
Test(authcache, a_round_trip_read_at_the_end_of_a_request_counts)
{
	struct gh_principal	 p;
	unsigned long		 before;

	gh_authcache_set_max_staleness(200);
	warm(alice_t.access);
	sleep_ms(300);
	gh_authcache_begin(db);
	gh_authcache_settle(db);
	before = syncs();
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(syncs(), before);
}

/*
 * A stand-in for a pooler: it passes the protocol through untouched but
 * for the process id of BackendKeyData, which it announces as its own,
 * as PgBouncer does (its cancel keys are its own).  One connection.
 * With count set it is a plain wire instead: the process id passes
 * through, and every ReadyForQuery the server sends is counted (one ends
 * each statement and each Sync: the round trips a check costs).
 */
struct relay {
	int		 lfd;
	int		 count;
	unsigned long	 readies;	/* __atomic: the relay's thread */
	char	 dir[64];
	char	 path[104];		/* fits a sockaddr_un */
	char	 upstream[104];
};

static int
read_full(int fd, void *buf, size_t n)
{
	ssize_t	 r;
	size_t	 got = 0;

	while (got < n) {
		if ((r = read(fd, (char *)buf + got, n - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t n)
{
	ssize_t	 r;
	size_t	 put = 0;

	while (put < n) {
		if ((r = write(fd, (const char *)buf + put, n - put)) <= 0)
			return -1;
		put += (size_t)r;
	}
	return 0;
}

/* One server message to the client, BackendKeyData's pid replaced. */
static int
relay_message(struct relay *r, int from, int to, int *ready)
{
	unsigned char	 buf[65536];
	uint32_t	 len, pid;

	if (read_full(from, buf, 5) == -1)
		return -1;
	memcpy(&len, buf + 1, 4);
	len = ntohl(len);
	if (len < 4 || len - 4 > sizeof(buf) - 5 ||
	    read_full(from, buf + 5, len - 4) == -1)
		return -1;
	if (buf[0] == 'K' && len >= 8 && !r->count) {
		memcpy(&pid, buf + 5, 4);
		pid = htonl(ntohl(pid) ^ 0x40000000u);
		memcpy(buf + 5, &pid, 4);
	}
	if (buf[0] == 'Z') {
		*ready = 1;
		(void)__atomic_add_fetch(&r->readies, 1, __ATOMIC_SEQ_CST);
	}
	return write_full(to, buf, len + 1);
}

static void *
relay_run(void *arg)
{
	struct relay		*r = arg;
	struct sockaddr_un	 sa;
	struct pollfd		 pfd[2];
	char			 buf[65536];
	ssize_t			 n;
	int			 c, s, ready = 0;

	if ((c = accept(r->lfd, NULL, NULL)) == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, r->upstream, sizeof(r->upstream));
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto out;
	pfd[0].fd = c;
	pfd[1].fd = s;
	pfd[0].events = pfd[1].events = POLLIN;
	while (poll(pfd, 2, -1) > 0) {
		if (pfd[1].revents != 0 && (!ready || r->count)) {
			if (relay_message(r, s, c, &ready) == -1)
				break;
			continue;
		}
		if (pfd[0].revents != 0) {
			if ((n = read(c, buf, sizeof(buf))) <= 0 ||
			    write_full(s, buf, (size_t)n) == -1)
				break;
		}
		if (pfd[1].revents != 0) {
			if ((n = read(s, buf, sizeof(buf))) <= 0 ||
			    write_full(c, buf, (size_t)n) == -1)
				break;
		}
	}
out:
	if (s != -1)
		close(s);
	close(c);
	return NULL;
}

/* Starts the relay; *conninfo reaches the test database through it. */
static void
relay_start(struct relay *r, char *conninfo, size_t sz)
{
	struct sockaddr_un	 sa;
	pthread_t		 t;
	PGconn			*conn;

	conn = PQconnectdb(url);
	cr_assert_eq(PQstatus(conn), CONNECTION_OK);
	cr_assert(PQhost(conn)[0] == '/', "the tests reach PostgreSQL by "
	    "a socket directory");
	cr_assert(snprintf(r->upstream, sizeof(r->upstream),
	    "%s/.s.PGSQL.%s", PQhost(conn), PQport(conn)) <
	    (int)sizeof(r->upstream));
	cr_assert(snprintf(r->dir, sizeof(r->dir), "/tmp/gh-relay.XXXXXX") <
	    (int)sizeof(r->dir));
	cr_assert_not_null(mkdtemp(r->dir));
	cr_assert(snprintf(r->path, sizeof(r->path), "%s/.s.PGSQL.%s",
	    r->dir, PQport(conn)) < (int)sizeof(r->path));
	cr_assert(snprintf(conninfo, sz, "%s host=%s", url, r->dir) <
	    (int)sz);
	PQfinish(conn);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, r->path, sizeof(r->path));
	cr_assert_neq(r->lfd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(r->lfd, 1), 0);
	cr_assert_eq(pthread_create(&t, NULL, relay_run, r), 0);
	cr_assert_eq(pthread_detach(t), 0);
}

/*
 * Behind a pooler the notifications are not ours: the first fill sees a
 * server process other than the one announced, and the cache turns
 * itself off, so a change the triggers never announced is still seen at
 * the very next request.
 */
Test(authcache, behind_a_pooler_the_cache_turns_itself_off)
{
	static struct relay	 r;
	struct gh_principal	 p;
	char			 via[1280];

	relay_start(&r, via, sizeof(via));
	gh_db_free(db);
	db = t_db_open(via, 5000);
	assert_accepted(alice_t.access, &p);
	assert_accepted(alice_t.access, &p);
	cr_assert_eq(stats_now().disabled, 1);
	cr_assert_eq(hits(), 0);
	suspend_unannounced(alice.id);
	assert_refused(alice_t.access);
	gh_db_free(db);
	db = NULL;
	close(r.lfd);
	(void)unlink(r.path);
	(void)rmdir(r.dir);
}

/* Through a plain connection the pids agree: the cache stays on. */
Test(authcache, a_direct_connection_keeps_the_cache_on)
{
	warm(alice_t.access);
	cr_assert_eq(stats_now().disabled, 0);
}

/* ReadyForQuery messages the wire has carried so far. */
static unsigned long
readies(struct relay *r)
{
	return __atomic_load_n(&r->readies, __ATOMIC_SEQ_CST);
}

/*
 * On the wire, not by the cache's own count: exact, every answer from
 * the cache costs one Sync and its ReadyForQuery; within the staleness
 * bound, none crosses at all.
 */
Test(authcache, on_the_wire_hits_within_the_bound_make_no_round_trip)
{
	static struct relay	 r;
	struct gh_principal	 p;
	char			 via[1280];
	unsigned long		 before;
	int			 i;

	r.count = 1;
	relay_start(&r, via, sizeof(via));
	gh_db_free(db);
	db = t_db_open(via, 5000);
	warm(alice_t.access);
	before = readies(&r);
	for (i = 0; i < 10; i++)
		assert_accepted(alice_t.access, &p);
	cr_assert_eq(readies(&r), before + 10);
	gh_authcache_set_max_staleness(60000);
	before = readies(&r);
	for (i = 0; i < 10; i++)
		assert_accepted(alice_t.access, &p);
	cr_assert_eq(readies(&r), before);
	cr_assert_eq(stats_now().disabled, 0);
	gh_db_free(db);
	db = NULL;
	close(r.lfd);
	(void)unlink(r.path);
	(void)rmdir(r.dir);
}
