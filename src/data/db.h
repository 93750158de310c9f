/*
 * db: the process's one PostgreSQL connection, through libpq.
 *
 * Promises: the connection is opened at first use and kept across
 * requests; every query is a prepared statement (prepared once per
 * connection, at first use, then executed by name with parameters); a lost
 * server gives GH_UNAVAILABLE, never a crash, and the next call
 * reconnects on its own; a connection the server closed while it was idle
 * is replaced before a statement is sent, so a PostgreSQL restart between
 * two requests costs no request; a statement whose connection breaks once
 * it is sent is never sent again (it may have run, and committed): its
 * outcome is unknown and the answer GH_UNAVAILABLE; a read-only server (a
 * hot standby) refusing a write is GH_UNAVAILABLE too; each statement runs
 * under statement_timeout, and one the server has not answered a second
 * after it (a commit waiting for an absent synchronous standby) is
 * cancelled; a commit the synchronous standby did not confirm is
 * GH_UNAVAILABLE, never GH_OK, since a failover would lose it.
 */
#ifndef GH_DB_H
#define GH_DB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/status.h"

/*
 * A statement the library prepares.  Modules keep theirs as static const
 * tables; the name must be unique across the program.
 */
struct gh_stmt {
	const char	*name;
	const char	*sql;
	int		 nparams;
};

struct gh_db;

/* Makes a handle; no connection is opened yet.  NULL on memory failure. */
struct gh_db	*gh_db_new(const char *conninfo, int statement_timeout_ms);
void		 gh_db_free(struct gh_db *);

/*
 * Connects as role user (NULL: the connection string's own) from the next
 * connection on; -1 on memory failure.
 */
int		 gh_db_set_user(struct gh_db *, const char *user);

/*
 * Whether conninfo (a connection string or URI) sets keyword to a
 * non-empty value: 1 if so, 0 if not, -1 when it cannot be parsed.  The
 * programs use it to refuse a password meant for another role.
 */
int		 gh_db_conninfo_has(const char *conninfo, const char *keyword);

/*
 * Executes stmt with params (stmt->nparams text values, NULL for SQL NULL).
 * On GH_OK, *res holds the result (caller PQclear()s it); otherwise
 * *res is NULL.
 */
enum gh_status gh_db_exec(struct gh_db *, const struct gh_stmt *,
	    const char *const *params, PGresult **res);

/* Like gh_db_exec() for statements whose rows nobody reads. */
enum gh_status gh_db_run(struct gh_db *, const struct gh_stmt *,
	    const char *const *params);

/* Transactions: no retry happens inside one. */
enum gh_status gh_db_begin(struct gh_db *);
enum gh_status gh_db_commit(struct gh_db *);
void		 gh_db_rollback(struct gh_db *);

/*
 * Runs a trusted script of several statements (a migration file) without
 * parameters.  Never for anything a client sent.
 */
enum gh_status gh_db_script(struct gh_db *, const char *sql);

/*
 * Sets statement_timeout to ms (0: none) on this and every later
 * connection; the wait for an answer (db.c, await_result()) follows it.
 * For a batch job nobody waits on, never for a request.
 */
enum gh_status gh_db_set_statement_timeout(struct gh_db *, int ms);

/* Answers whether the server is reachable now (SELECT 1). */
enum gh_status gh_db_ping(struct gh_db *);

/*
 * Notifications.  gh_db_listen() LISTENs on channel (a constant
 * identifier, kept by pointer) on this and every later connection; one
 * channel per handle.  The generation counts connections made: a
 * notification sent while there was none is lost, so whoever keeps
 * state by notification forgets it all when the generation moves.
 *
 * gh_db_notifications() hands fn every notification received so far.
 * With sync it first makes a round trip that returns only after the
 * server has sent every notification of a transaction committed before
 * the call (see db.c); without, it takes what has arrived.  Not inside a
 * transaction.  On GH_UNAVAILABLE the connection is dropped.
 * gh_db_drop_notifications() hands over what libpq already holds, after
 * reading the answer to a Sync still pending (no other I/O).
 *
 * gh_db_sync_send() sends that round trip's question early, so the server
 * answers while the caller works; the next gh_db_notifications() with
 * sync, or any other use of the handle, reads the answer.  A pending
 * Sync answers for the moment it was sent: whoever sends one early must
 * see it read (gh_db_drop_notifications() does) before that moment has
 * passed, i.e. before the next request.  -1 when there is no listening
 * connection to send it on (nothing is pending then).
 */
typedef void	 gh_db_notify_fn(void *arg, const char *payload);

int		 gh_db_listen(struct gh_db *, const char *channel);
/* The listening connection's socket, to poll while idle; -1 when none. */
int		 gh_db_listen_socket(const struct gh_db *);
unsigned long	 gh_db_generation(const struct gh_db *);
/*
 * The server process libpq was told it talks to (PQbackendPID); 0 when
 * not connected.  A pooler announces its own, so it can differ from what
 * the server answers to pg_backend_pid().
 */
int		 gh_db_backend_pid(const struct gh_db *);
int		 gh_db_sync_send(struct gh_db *);
enum gh_status gh_db_notifications(struct gh_db *, int sync,
	    gh_db_notify_fn *, void *);
void		 gh_db_drop_notifications(struct gh_db *, gh_db_notify_fn *,
	    void *);

/*
 * After GH_CONFLICT: the name of the constraint that refused the row
 * (a unique or a foreign key constraint).
 */
const char	*gh_db_conflict(const struct gh_db *);

/* After a failure: libpq's message, for logs only (never sent to clients). */
const char	*gh_db_error(const struct gh_db *);

#endif
