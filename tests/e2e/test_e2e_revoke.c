/*
 * Whatever ends sessions also ends the logins in flight: an admin's
 * password reset, a password change from another session, a suspension
 * then reactivation, a logout of every session.  Each round sends
 * RACERS logins with the current password at once and makes the change
 * while they are in flight; afterwards no token any of those logins got
 * may still work, neither its access token (/me) nor its refresh token.
 *
 * "In flight" is made certain rather than left to timing: a trigger the
 * test adds to sessions makes the racing user's session INSERT wait for
 * an advisory lock the test holds.  The test waits until all RACERS
 * logins are parked there (pg_locks), having read the user and checked
 * the password before the change, makes the change, then lets them go.
 * That is the window a real login's bcrypt opens (~250 ms at cost 12),
 * held open on purpose, so each round is the losing case.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <libpq-fe.h>

#include "client.h"

TestSuite(revoke, .timeout = 600);

#define ROUNDS	50
#define RACERS	4
#define GATE	4242		/* the advisory lock key */
#define GATE_TEXT	"4242"
#define PARK_MS	30000		/* how long the logins may take to park */

enum change {
	ADMIN_RESET,
	OWN_CHANGE,
	SUSPEND_REACTIVATE,
	LOGOUT_ALL
};

struct race {
	struct t_user	 admin;
	struct t_user	 user;		/* the account the logins use */
	struct t_user	 other;		/* the user's own earlier session */
	char		 base[32];	/* what the round's passwords share */
	int		 round;
	PGconn		*gate;		/* holds GATE during a round */
};

/* The password of round r: each round that changes it retires one. */
static void
password_of(const struct race *rc, int round, char *out, size_t outsz)
{
	if (round == 0)
		snprintf(out, outsz, "%s", rc->user.password);
	else
		snprintf(out, outsz, "Race-%s-%d-Pass1", rc->base, round);
}

/* The user's earlier session, logged in before the round starts. */
static void
login_other(struct race *rc, const char *pw)
{
	snprintf(rc->other.username, sizeof(rc->other.username), "%s",
	    rc->user.username);
	snprintf(rc->other.password, sizeof(rc->other.password), "%s", pw);
	t_login(&rc->other);
}

static void
patch_user(const struct race *rc, const char *json)
{
	struct t_resp	 r;
	char		 path[160];

	snprintf(path, sizeof(path), "/api/admin/users/%s", rc->user.id);
	t_http_json("PATCH", path, rc->admin.access, json, &r);
	cr_assert_eq(r.status, 200, "PATCH %s: %ld %s", json, r.status,
	    r.body);
	t_resp_free(&r);
}

/* Makes the change of the round; pw is the current password. */
static void
make_change(struct race *rc, enum change c, const char *pw, const char *next)
{
	struct t_resp	 r;
	char		 body[256];

	switch (c) {
	case ADMIN_RESET:
		snprintf(body, sizeof(body), "{\"password\": \"%s\"}", next);
		patch_user(rc, body);
		return;
	case OWN_CHANGE:
		t_http_jsonf("POST", "/api/auth/password", rc->other.access, &r,
		    "{\"current_password\": \"%s\", \"new_password\": "
		    "\"%s\"}", pw, next);
		cr_assert_eq(r.status, 204, "own change: %ld %s", r.status,
		    r.body);
		t_resp_free(&r);
		return;
	case SUSPEND_REACTIVATE:
		patch_user(rc, "{\"status\": \"suspended\"}");
		patch_user(rc, "{\"status\": \"active\"}");
		return;
	case LOGOUT_ALL:
		t_http_json("POST", "/api/auth/logout", rc->other.access,
		    "{\"all\": true}", &r);
		cr_assert_eq(r.status, 204, "logout all: %ld %s", r.status,
		    r.body);
		t_resp_free(&r);
		return;
	}
}

/*
 * The racers: RACERS logins at once in a child process, whose successes
 * come back through fd as "access refresh\n" lines.
 */
static pid_t
start_logins(const struct race *rc, const char *pw, int *fd)
{
	struct t_resp	 rs[RACERS];
	const char	*bodies[1];
	char		 body[256];
	int		 p[2], i;
	pid_t		 pid;
	FILE		*out;

	cr_assert_eq(pipe(p), 0);
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", rc->user.username, pw);
	if ((pid = fork()) == -1)
		cr_assert_fail("fork");
	if (pid > 0) {
		close(p[1]);
		*fd = p[0];
		return pid;
	}
	close(p[0]);
	bodies[0] = body;
	t_http_many(RACERS, "POST", "/api/auth/login", NULL, bodies, 1, rs);
	out = fdopen(p[1], "w");
	for (i = 0; i < RACERS; i++) {
		if (out != NULL && rs[i].status == 200)
			fprintf(out, "%s %s\n", t_resp_str(&rs[i],
			    "access_token"), t_resp_str(&rs[i],
			    "refresh_token"));
		t_resp_free(&rs[i]);
	}
	if (out != NULL)
		fclose(out);
	_exit(0);
}

/* Reads the racers' tokens into *won; returns how many still work. */
static int
count_survivors(int fd, int *won)
{
	char		 access[4096], refresh[512];
	FILE		*in;
	int		 alive = 0;

	cr_assert_not_null(in = fdopen(fd, "r"));
	while (fscanf(in, "%4095s %511s", access, refresh) == 2) {
		(*won)++;
		if (t_me_status(access) == 200 ||
		    t_refresh_status(refresh) == 200)
			alive++;
	}
	fclose(in);
	return alive;
}

static void
gate_sql(const struct race *rc, const char *sql)
{
	PGresult	*res;

	res = PQexec(rc->gate, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(rc->gate));
	PQclear(res);
}

/* Waits until n logins wait on the gate; fails the test past PARK_MS. */
static void
wait_parked(int n)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 ms;

	for (ms = 0; ms < PARK_MS; ms += 10) {
		if (atoi(t_sql("SELECT count(*) FROM pg_locks WHERE "
		    "locktype = 'advisory' AND objid = %d AND NOT granted",
		    GATE)) >= n)
			return;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("the logins did not reach their session INSERT in "
	    "%d ms", PARK_MS);
}

/* One round: the logins park, the change lands, the logins go on. */
static int
one_round(struct race *rc, enum change c, int *won)
{
	char	 pw[80], next[80];
	int	 fd, status;
	pid_t	 pid;

	password_of(rc, rc->round, pw, sizeof(pw));
	password_of(rc, rc->round + 1, next, sizeof(next));
	if (c == OWN_CHANGE || c == LOGOUT_ALL)
		login_other(rc, pw);
	gate_sql(rc, "SELECT pg_advisory_lock(" GATE_TEXT ")");
	pid = start_logins(rc, pw, &fd);
	wait_parked(RACERS);
	make_change(rc, c, pw, next);
	gate_sql(rc, "SELECT pg_advisory_unlock(" GATE_TEXT ")");
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (c == ADMIN_RESET || c == OWN_CHANGE)
		rc->round++;
	return count_survivors(fd, won);
}

/* The racing user's session INSERTs wait for the gate. */
static void
install_gate(struct race *rc)
{
	t_sql("CREATE OR REPLACE FUNCTION t_revoke_gate() RETURNS trigger "
	    "LANGUAGE plpgsql AS $$ BEGIN IF NEW.user_id = '%s' THEN "
	    "PERFORM pg_advisory_xact_lock_shared(%d); END IF; RETURN NEW; "
	    "END $$", rc->user.id, GATE);
	t_sql("DROP TRIGGER IF EXISTS t_revoke_gate ON sessions");
	t_sql("CREATE TRIGGER t_revoke_gate BEFORE INSERT ON sessions "
	    "FOR EACH ROW EXECUTE FUNCTION t_revoke_gate()");
	rc->gate = PQconnectdb(getenv("GH_TEST_DATABASE_URL"));
	cr_assert_eq(PQstatus(rc->gate), CONNECTION_OK, "gate: %s",
	    PQerrorMessage(rc->gate));
}

static void
setup_race(struct race *rc)
{
	memset(rc, 0, sizeof(*rc));
	t_make_admin(&rc->admin, "radm");
	t_register(&rc->user, "racr");
	snprintf(rc->base, sizeof(rc->base), "%s", t_unique("x"));
	install_gate(rc);
}

static void
race(enum change c, const char *what)
{
	struct race	 rc;
	int		 i, alive = 0, won = 0;

	setup_race(&rc);
	for (i = 0; i < ROUNDS; i++)
		alive += one_round(&rc, c, &won);
	PQfinish(rc.gate);
	cr_log_info("%s: %d rounds, %d logins won, %d survived", what,
	    ROUNDS, won, alive);
	cr_assert_eq(alive, 0, "%s: %d of the %d sessions logged in around "
	    "the change survived it", what, alive, won);
}

Test(revoke, no_login_in_flight_outlives_an_admin_password_reset)
{
	race(ADMIN_RESET, "admin reset");
}

Test(revoke, no_login_in_flight_outlives_an_own_password_change)
{
	race(OWN_CHANGE, "own password change");
}

Test(revoke, no_login_in_flight_outlives_a_suspension_and_reactivation)
{
	race(SUSPEND_REACTIVATE, "suspension then reactivation");
}

Test(revoke, no_login_in_flight_outlives_a_logout_of_every_session)
{
	race(LOGOUT_ALL, "logout of every session");
}
