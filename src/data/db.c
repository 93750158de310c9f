/*
 * db: one libpq connection per process, prepared statements only.
 * See db.h for the promises.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "data/db.h"
#include "core/log.h"

/* Every statement of every module fits; a new module raises this. */
#define GH_DB_PREPARED_MAX	128

/*
 * Seconds a connection attempt may take.  A server that has not answered
 * by then is as good as down: the request gets its 503 well inside the
 * web server's own timeouts, and the next request tries again.
 */
#define CONNECT_TIMEOUT_SECONDS	5

/*
 * Milliseconds past statement_timeout before the program gives up on an
 * answer and cancels the statement itself.  The server's own timeout ends
 * every statement but one thing: a commit waiting for the synchronous
 * standby (statement_timeout is off by then), which waits for ever while
 * the standby is away.  Cancelled, it stays committed on the primary
 * alone, and on_notice() hears of it.
 */
#define CANCEL_GRACE_MS		1000

/* SQLSTATEs of a row refused by a constraint: unique, foreign key. */
#define SQLSTATE_UNIQUE		"23505"
#define SQLSTATE_FOREIGN_KEY	"23503"
/* A write refused by a hot standby (or default_transaction_read_only). */
#define SQLSTATE_READ_ONLY	"25006"

struct gh_db {
	char			*conninfo;
	char			*user;		/* NULL: the conninfo's */
	int			 timeout_ms;
	PGconn			*conn;
	int			 in_tx;
	const struct gh_stmt	*prepared[GH_DB_PREPARED_MAX];
	size_t			 nprepared;
	char			 conflict[64];
	char			 error[256];
	const char		*channel;	/* LISTENed on every connection */
	int			 sync_sent;	/* a Sync's answer is unread */
	unsigned long		 generation;	/* connections made so far */
	int			 unreplicated;	/* see on_notice() */
};

static const struct gh_stmt stmt_ping = {
	"gh_db_ping", "SELECT 1", 0
};

struct gh_db *
gh_db_new(const char *conninfo, int statement_timeout_ms)
{
	struct gh_db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if ((db->conninfo = strdup(conninfo == NULL ? "" : conninfo)) == NULL) {
		free(db);
		return NULL;
	}
	db->timeout_ms = statement_timeout_ms;
	return db;
}

void
gh_db_free(struct gh_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->user);
	free(db);
}

int
gh_db_set_user(struct gh_db *db, const char *user)
{
	char	*copy = NULL;

	if (user != NULL && (copy = strdup(user)) == NULL)
		return -1;
	free(db->user);
	db->user = copy;
	return 0;
}

int
gh_db_conninfo_has(const char *conninfo, const char *keyword)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;
	int			 found = 0;

	/* An empty string is libpq's defaults: nothing is set. */
	if (conninfo == NULL || conninfo[0] == '\0')
		return 0;
	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val != NULL &&
		    o->val[0] != '\0')
			found = 1;
	PQconninfoFree(opts);
	return found;
}

/* Keeps libpq's message for the log, on one line. */
static void
save_error(struct gh_db *db, const char *msg)
{
	size_t	 n;

	if (msg == NULL)
		msg = "unknown error";
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	if (n >= sizeof(db->error))
		n = sizeof(db->error) - 1;
	memcpy(db->error, msg, n);
	db->error[n] = '\0';
}

static void
drop_connection(struct gh_db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->nprepared = 0;
	db->in_tx = 0;
	db->sync_sent = 0;
}

/*
 * Server notices (NOTICE, WARNING) are for operators, at debug level,
 * but one: a commit whose wait for the synchronous standby was cancelled
 * (statement_timeout while the standby is away) is committed on this
 * server only, and would be lost by a failover.  The server says so in a
 * WARNING from SyncRepWaitForLSN; the routine's name, unlike the text, is
 * not translated.
 */
static void
on_notice(void *arg, const PGresult *res)
{
	struct gh_db	*db = arg;
	const char	*fn, *msg;
	size_t		 n;

	fn = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);
	if (fn != NULL && strcmp(fn, "SyncRepWaitForLSN") == 0) {
		db->unreplicated = 1;
		gh_log(GH_LOG_WARN, "database: a commit was not confirmed by "
		    "the synchronous standby; answered as unavailable");
	}
	msg = PQresultErrorMessage(res);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		n--;
	gh_log(GH_LOG_DEBUG, "db: %.*s", (int)n, msg);
}

/* The channel is one of ours, a plain identifier: no quoting needed. */
static enum gh_status
listen_channel(struct gh_db *db)
{
	char		 sql[80];
	PGresult	*res;
	int		 n, ok;

	n = snprintf(sql, sizeof(sql), "LISTEN %s", db->channel);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return GH_DB_ERROR;
	res = PQexec(db->conn, sql);
	ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		save_error(db, res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(db->conn));
		gh_log(GH_LOG_WARN, "database unavailable: %s", db->error);
	}
	PQclear(res);
	return ok ? GH_OK : GH_UNAVAILABLE;
}

static enum gh_status
connect_db(struct gh_db *db)
{
	char		 options[64], timeout[16];
	const char	*keys[] = { "dbname", "options", "connect_timeout",
			    "client_encoding", "application_name", "user", NULL };
	const char	*vals[7];
	int		 n;

	n = snprintf(options, sizeof(options), "-c statement_timeout=%d",
	    db->timeout_ms);
	if (n < 0 || (size_t)n >= sizeof(options))
		return GH_DB_ERROR;
	n = snprintf(timeout, sizeof(timeout), "%d", CONNECT_TIMEOUT_SECONDS);
	if (n < 0 || (size_t)n >= sizeof(timeout))
		return GH_DB_ERROR;
	vals[0] = db->conninfo;
	vals[1] = options;
	vals[2] = timeout;
	vals[3] = "UTF8";
	vals[4] = "gatehouse";
	/* Later keywords win over the expanded dbname string's. */
	vals[5] = db->user;
	vals[6] = NULL;
	if (db->user == NULL)
		keys[5] = NULL;

	drop_connection(db);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		save_error(db, db->conn == NULL ? "out of memory" :
		    PQerrorMessage(db->conn));
		gh_log(GH_LOG_WARN, "database unavailable: %s", db->error);
		drop_connection(db);
		return GH_UNAVAILABLE;
	}
	(void)PQsetNoticeReceiver(db->conn, on_notice, db);
	db->generation++;
	if (db->channel != NULL && listen_channel(db) != GH_OK) {
		drop_connection(db);
		return GH_UNAVAILABLE;
	}
	return GH_OK;
}

/*
 * Reads the answer to a Sync sent by gh_db_sync_send(), leaving the
 * notifications that came before it in libpq for the next drain.
 */
static enum gh_status
finish_sync(struct gh_db *db)
{
	PGresult	*res;
	int		 ok;

	db->sync_sent = 0;
	res = PQgetResult(db->conn);
	ok = res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
	PQclear(res);
	/* The Sync's result is followed by a NULL when all is read. */
	while ((res = PQgetResult(db->conn)) != NULL) {
		ok = 0;
		PQclear(res);
	}
	if (!PQexitPipelineMode(db->conn))
		ok = 0;
	if (!ok) {
		save_error(db, PQerrorMessage(db->conn));
		drop_connection(db);
		return GH_UNAVAILABLE;
	}
	return GH_OK;
}

/* The connection, connecting if needed; NULL when unavailable. */
static PGconn *
live_conn(struct gh_db *db)
{
	if (db->sync_sent && db->conn != NULL)
		(void)finish_sync(db);
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return db->conn;
	if (connect_db(db) != GH_OK)
		return NULL;
	return db->conn;
}

/* Sorts a failed result into the statuses callers act on. */
static enum gh_status
classify(struct gh_db *db, const PGresult *res)
{
	const char	*state, *constraint;

	if (res == NULL && db->conn == NULL)
		return GH_UNAVAILABLE;	/* await_result() said why */
	save_error(db, res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->conn));
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return GH_UNAVAILABLE;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL)
		return GH_UNAVAILABLE;
	if (strcmp(state, SQLSTATE_UNIQUE) == 0 ||
	    strcmp(state, SQLSTATE_FOREIGN_KEY) == 0) {
		constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		snprintf(db->conflict, sizeof(db->conflict), "%s",
		    constraint != NULL ? constraint : "");
		return GH_CONFLICT;
	}
	/*
	 * Connection exceptions, a server shutting down or starting up,
	 * a server that is (or became) a read-only standby,
	 * too many connections, a statement timeout and serialization
	 * failures are all "try again later", not bugs.
	 */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strcmp(state, SQLSTATE_READ_ONLY) == 0 ||
	    strncmp(state, "57P", 3) == 0 || strcmp(state, "57014") == 0 ||
	    strncmp(state, "40", 2) == 0)
		return GH_UNAVAILABLE;
	return GH_DB_ERROR;
}

/*
 * Whether the statement just run committed without the synchronous
 * standby's confirmation: its outcome, for a client, is unknown.
 */
static int
unreplicated(struct gh_db *db)
{
	if (!db->unreplicated)
		return 0;
	db->unreplicated = 0;
	save_error(db, "commit not confirmed by the synchronous standby");
	return 1;
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Asks the server to cancel what the connection runs; 0 when asked. */
static int
cancel(struct gh_db *db)
{
	PGcancel	*c;
	char		 err[256];
	int		 ok;

	if ((c = PQgetCancel(db->conn)) == NULL)
		return -1;
	ok = PQcancel(c, err, sizeof(err));
	PQfreeCancel(c);
	gh_log(GH_LOG_WARN, "database: no answer %d ms past statement_timeout; "
	    "%s", CANCEL_GRACE_MS, ok ? "cancelled" : "could not cancel");
	return ok ? 0 : -1;
}

/*
 * The answer to what was just sent, as PQexec() would give it (the first
 * error, else the last result; NULL when the connection broke), waiting
 * at most statement_timeout and CANCEL_GRACE_MS for each result, then
 * cancelling once and waiting as long again, then giving up on the
 * connection.
 */
static PGresult *
await_result(struct gh_db *db)
{
	PGresult	*res, *keep = NULL;
	struct pollfd	 pfd;
	int64_t		 wait, deadline;
	int		 cancelled = 0, rc = 0;

	wait = db->timeout_ms > 0 ? (int64_t)db->timeout_ms + CANCEL_GRACE_MS :
	    -1;
	deadline = now_ms() + wait;
	for (;;) {
		while (!PQisBusy(db->conn)) {
			if ((res = PQgetResult(db->conn)) == NULL)
				return keep;
			if (keep != NULL && PQresultStatus(keep) ==
			    PGRES_FATAL_ERROR) {
				PQclear(res);
				continue;
			}
			PQclear(keep);
			keep = res;
			deadline = now_ms() + wait;
		}
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, wait < 0 ? -1 :
		    (int)(deadline > now_ms() ? deadline - now_ms() : 0));
		if (rc == 0 && !cancelled && cancel(db) == 0) {
			cancelled = 1;
			deadline = now_ms() + wait;
			continue;
		}
		if (rc == 0 || !PQconsumeInput(db->conn))
			break;
	}
	/* No answer in time, or the connection broke: it is done for. */
	save_error(db, rc == 0 ? "no answer from the server" :
	    PQerrorMessage(db->conn));
	PQclear(keep);
	drop_connection(db);
	return NULL;
}

static int
is_prepared(const struct gh_db *db, const struct gh_stmt *stmt)
{
	size_t	 i;

	for (i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == stmt)
			return 1;
	return 0;
}

static enum gh_status
prepare(struct gh_db *db, const struct gh_stmt *stmt)
{
	PGresult		*res;
	enum gh_status		 st = GH_OK;

	if (is_prepared(db, stmt))
		return GH_OK;
	if (db->nprepared == GH_DB_PREPARED_MAX) {
		gh_log(GH_LOG_ERROR, "db: too many prepared statements");
		return GH_DB_ERROR;
	}
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		st = classify(db, res);
		if (st == GH_DB_ERROR)
			gh_log(GH_LOG_ERROR, "db: prepare %s: %s", stmt->name,
			    db->error);
		goto out;
	}
	db->prepared[db->nprepared++] = stmt;
out:
	PQclear(res);
	return st;
}

static enum gh_status
exec_once(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params, PGresult **out)
{
	PGresult		*res = NULL;
	enum gh_status		 st;
	ExecStatusType		 rs;

	if (live_conn(db) == NULL)
		return GH_UNAVAILABLE;
	if ((st = prepare(db, stmt)) != GH_OK)
		return st;
	db->unreplicated = 0;
	res = PQsendQueryPrepared(db->conn, stmt->name, stmt->nparams, params,
	    NULL, NULL, 0) ? await_result(db) : NULL;
	rs = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (unreplicated(db)) {
		PQclear(res);
		return GH_UNAVAILABLE;
	}
	if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
		st = classify(db, res);
		if (st == GH_DB_ERROR)
			gh_log(GH_LOG_ERROR, "db: %s: %s", stmt->name,
			    db->error);
		PQclear(res);
		return st;
	}
	*out = res;
	return GH_OK;
}

/*
 * Drops an idle connection the server has already closed (it restarted,
 * or its process was ended, between two requests): the server's last
 * message and the end of the stream wait in the socket.  Notifications
 * read on the way stay in libpq for the next drain.
 */
static void
drop_if_closed(struct gh_db *db)
{
	struct pollfd	 pfd;
	int		 i;

	if (db->sync_sent && db->conn != NULL)
		(void)finish_sync(db);	/* drops the connection if broken */
	if (db->conn == NULL || db->in_tx)
		return;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		drop_connection(db);
		return;
	}
	/*
	 * The server's last message may come in one read and the end of the
	 * stream only in the next: read while there is something to read, a
	 * few times at most (a stream of notifications is no reason to wait).
	 */
	for (i = 0; i < 4; i++) {
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd == -1 || poll(&pfd, 1, 0) <= 0)
			return;
		if (!PQconsumeInput(db->conn) ||
		    PQstatus(db->conn) != CONNECTION_OK) {
			drop_connection(db);
			return;
		}
	}
}

enum gh_status
gh_db_exec(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params, PGresult **out)
{
	enum gh_status		 st;

	*out = NULL;
	db->conflict[0] = '\0';
	/*
	 * A connection that broke while idle is replaced before the
	 * statement is sent, so a restart between requests costs no
	 * request.  One that breaks once the statement is sent is never
	 * retried: the server may have run it, and committed it (a write
	 * outside a transaction commits by itself), before it went away;
	 * running it again could do it twice, and answering as if it had
	 * not run would be a lie.  The caller answers 503: outcome unknown.
	 */
	drop_if_closed(db);
	st = exec_once(db, stmt, params, out);
	if (st == GH_UNAVAILABLE && db->conn != NULL &&
	    PQstatus(db->conn) != CONNECTION_OK)
		drop_connection(db);
	return st;
}

enum gh_status
gh_db_run(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params)
{
	PGresult		*res;
	enum gh_status		 st;

	st = gh_db_exec(db, stmt, params, &res);
	PQclear(res);
	return st;
}

/* Runs a command without parameters; not for anything a client sent. */
static enum gh_status
command(struct gh_db *db, const char *sql)
{
	PGresult		*res;
	enum gh_status		 st = GH_OK;

	if (live_conn(db) == NULL)
		return GH_UNAVAILABLE;
	db->unreplicated = 0;
	res = PQsendQuery(db->conn, sql) ? await_result(db) : NULL;
	if (unreplicated(db))
		st = GH_UNAVAILABLE;
	else if (res == NULL || (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)) {
		st = classify(db, res);
		if (st == GH_UNAVAILABLE && db->conn != NULL &&
		    PQstatus(db->conn) != CONNECTION_OK)
			drop_connection(db);
	}
	PQclear(res);
	return st;
}

enum gh_status
gh_db_begin(struct gh_db *db)
{
	enum gh_status		 st;
	int			 had_conn;

	had_conn = db->conn != NULL;
	st = command(db, "BEGIN");
	if (st == GH_UNAVAILABLE && had_conn)	/* stale connection */
		st = command(db, "BEGIN");
	if (st == GH_OK)
		db->in_tx = 1;
	return st;
}

enum gh_status
gh_db_commit(struct gh_db *db)
{
	enum gh_status		 st;

	st = command(db, "COMMIT");
	db->in_tx = 0;
	return st;
}

void
gh_db_rollback(struct gh_db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		(void)command(db, "ROLLBACK");
	db->in_tx = 0;
}

enum gh_status
gh_db_script(struct gh_db *db, const char *sql)
{
	return command(db, sql);
}

enum gh_status
gh_db_set_statement_timeout(struct gh_db *db, int ms)
{
	char	 sql[48];
	int	 n;

	n = snprintf(sql, sizeof(sql), "SET statement_timeout = %d",
	    ms > 0 ? ms : 0);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return GH_DB_ERROR;
	db->timeout_ms = ms > 0 ? ms : 0;
	return command(db, sql);
}

enum gh_status
gh_db_ping(struct gh_db *db)
{
	return gh_db_run(db, &stmt_ping, NULL);
}

int
gh_db_listen(struct gh_db *db, const char *channel)
{
	if (db->channel != NULL)
		return strcmp(db->channel, channel) == 0 ? 0 : -1;
	db->channel = channel;
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    listen_channel(db) != GH_OK) {
		drop_connection(db);
		return -1;
	}
	return 0;
}

int
gh_db_listen_socket(const struct gh_db *db)
{
	if (db->channel == NULL || db->conn == NULL ||
	    PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	return PQsocket(db->conn);
}

unsigned long
gh_db_generation(const struct gh_db *db)
{
	return db->generation;
}

int
gh_db_backend_pid(const struct gh_db *db)
{
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return 0;
	return PQbackendPID(db->conn);
}

/* Hands every notification libpq holds to fn, freeing each. */
static void
drain(struct gh_db *db, gh_db_notify_fn *fn, void *arg)
{
	PGnotify	*n;

	if (db->conn == NULL)
		return;
	while ((n = PQnotifies(db->conn)) != NULL) {
		if (fn != NULL)
			fn(arg, n->extra);
		PQfreemem(n);
	}
}

/*
 * A pipeline holding only a Sync: the server answers ReadyForQuery, and
 * sends every notification it was signalled about before it (postgres.c
 * handles a pending notify interrupt before each ReadyForQuery).  It
 * costs the server no transaction, no snapshot and no statement.
 */
int
gh_db_sync_send(struct gh_db *db)
{
	if (db->sync_sent)
		return 0;
	if (db->in_tx || db->channel == NULL || db->conn == NULL ||
	    PQstatus(db->conn) != CONNECTION_OK ||
	    !PQenterPipelineMode(db->conn))
		return -1;
	if (!PQpipelineSync(db->conn)) {
		save_error(db, PQerrorMessage(db->conn));
		drop_connection(db);
		return -1;
	}
	db->sync_sent = 1;
	return 0;
}

enum gh_status
gh_db_notifications(struct gh_db *db, int sync, gh_db_notify_fn *fn,
    void *arg)
{
	enum gh_status		 st = GH_OK;

	if (db->in_tx)
		return GH_DB_ERROR;
	if (sync && db->sync_sent && db->conn != NULL)
		st = finish_sync(db);
	else if (live_conn(db) == NULL)
		st = GH_UNAVAILABLE;
	else if (sync)
		st = gh_db_sync_send(db) == 0 ? finish_sync(db) :
		    GH_UNAVAILABLE;
	else if (!PQconsumeInput(db->conn))
		st = GH_UNAVAILABLE;
	if (st == GH_OK)
		drain(db, fn, arg);
	else
		drop_connection(db);
	return st;
}

void
gh_db_drop_notifications(struct gh_db *db, gh_db_notify_fn *fn, void *arg)
{
	if (db->sync_sent && db->conn != NULL)
		(void)finish_sync(db);
	drain(db, fn, arg);
}

const char *
gh_db_conflict(const struct gh_db *db)
{
	return db->conflict;
}

const char *
gh_db_error(const struct gh_db *db)
{
	return db->error;
}
