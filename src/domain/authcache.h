/*
 * authcache: what the token check learnt from PostgreSQL, kept per process
 * and kept exact, so that a token of a session seen before costs no query.
 *
 * Promises: an entry (a live session, its active user and roles, the
 * user's tokens_valid_after, the session's end) is used only after a round
 * trip that drains every notification of a transaction committed before
 * the request (gh_db_notifications() with sync): triggers
 * (sql/006_auth_notify.sql) announce every change to a user, their roles
 * or a session's end, so a logout, suspension, password change, role
 * change or deletion committed before the request is seen by it, whichever
 * process or node made it.  With a staleness bound of N ms
 * (gh_authcache_set_max_staleness()) a request may skip that round trip
 * when one on its connection was sent less than N ms before, on this
 * process's monotonic clock; it still takes in what has arrived, without
 * blocking.  The promise then: a change committed more than N ms before
 * the request is seen by it.  A statement that fills an entry counts as
 * such a round trip; a new connection forgets every entry first, so its
 * first answer from the cache follows one.  Notifications are tied to the
 * connection: a
 * new connection forgets every entry.  An entry whose session has passed
 * its end on this host's clock is a miss, never an answer, and so is one
 * filled longer ago than the maximum age (gh_authcache_set_max_age()):
 * should notifications stop without the connection breaking (triggers
 * disabled, session_replication_role = replica), an answer is at most that
 * old.  Each fill also asks the server which process answers: when that
 * is not the process libpq connected to, or it changed on one connection,
 * a pooler stands between and the cache turns itself off for the
 * process's life, with a log line.  Memory is
 * fixed at gh_authcache_init(): a table of that many entries, filled
 * with no further allocation.
 */
#ifndef GH_AUTHCACHE_H
#define GH_AUTHCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "data/db.h"
#include "domain/users.h"

/* The channel the triggers notify. */
#define GH_AUTHCACHE_CHANNEL	"gh_auth"

/*
 * The payload sql/012_keys.sql's trigger sends when the signing keys
 * change: it moves gh_authcache_keys_serial() (domain/keys.c reloads
 * its key set) and forgets no session.
 */
#define GH_AUTHCACHE_KEYS	"keys"

/* Seconds an entry answers for when nobody said otherwise. */
#define GH_AUTHCACHE_MAX_AGE	60

/*
 * Sizes the cache to entries (rounded up to a power of two; 0 turns it
 * off).  Once per process, before the first request; -1 on memory failure.
 */
int	gh_authcache_init(size_t entries);

/* The longest an entry answers after its fill, in seconds (at least 1). */
void	gh_authcache_set_max_age(int seconds);

/*
 * How old, in milliseconds, the last round trip may be for a request to
 * answer from the cache without one of its own: 0 (the default) makes
 * every request synchronise.  The same bound holds for the key set
 * (gh_authcache_sync() and the token check's gh_keys_changed()).
 */
void	gh_authcache_set_max_staleness(int ms);

/*
 * Once a request has arrived (gh_serve(): as soon as it is accepted; a
 * token check: at its start, if not done yet): sends the synchronising
 * round trip's question, so that PostgreSQL answers it while the request
 * is read and the token verified; within the staleness bound, nothing.  gh_authcache_settle() must run before
 * the next request: a question asked for one request cannot answer for
 * a later one.
 */
void	gh_authcache_begin(struct gh_db *);

/*
 * gh_users_get_live(), answered from the cache when it can be: same
 * arguments, same results.
 */
enum gh_status gh_authcache_get_live(struct gh_db *, const char *id,
	    const char *sid, int64_t iat, struct gh_user *);

/*
 * Applies the notifications libpq already holds, without I/O: called at
 * the end of every request so that none pile up in a process that rarely
 * checks a token.
 */
void	gh_authcache_settle(struct gh_db *);

/*
 * Between requests: the socket notifications arrive on (-1 when the cache
 * is off or not listening), and the call that takes them in when it is
 * readable.  A process left idle must read them, or its backend stops
 * reading the server's notification queue and holds the queue's tail.
 */
int	gh_authcache_idle_fd(struct gh_db *);
void	gh_authcache_absorb(struct gh_db *);

/*
 * For domain/keys.c, which keeps its key set exact by the same
 * notifications.  gh_authcache_listen() LISTENs now (when the cache is
 * on), so that what is read next is followed by every later change;
 * gh_authcache_listening() says whether changes reach this process at
 * all (the cache on and listening); gh_authcache_keys_serial() counts
 * the key-set notifications taken in so far.
 */
void		gh_authcache_listen(struct gh_db *);
int		gh_authcache_listening(void);
unsigned long	gh_authcache_keys_serial(void);

/*
 * For a reader of what notifications keep exact that makes no query of
 * its own (the JWKS): completes the request's synchronising round trip,
 * so that every change committed before the request has been taken in
 * (within the staleness bound: what has arrived, as a cached answer).
 * -1 when the cache is off, not listening or the trip failed: then read
 * the database.
 */
int		gh_authcache_sync(struct gh_db *);

/* How requests were answered, for tests and the bench. */
struct gh_authcache_stats {
	unsigned long	hits, misses, notified, forgotten, flushes, evicted;
	unsigned long	disabled;	/* turned off: a pooler was seen */
	unsigned long	syncs;		/* Syncs waited for at a hit */
	unsigned long	spared;		/* skipped: within the staleness bound */
};
void	gh_authcache_stats(struct gh_authcache_stats *);

#endif
