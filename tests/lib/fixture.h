/*
 * fixture: what the library's unit tests start from, so a suite says only
 * what is particular to it.
 *
 * Promises: a configuration of the defaults with a given JWT secret and a
 * fast bcrypt, and the key that signs with it; a freshly migrated
 * database of its own (pgtest.h) and a connection to it; users made
 * through the library with a fixed hash and roles.  Each fails the
 * calling test when it cannot do what it says, so a test that goes on
 * has what it asked for.
 */
#ifndef T_FIXTURE_H
#define T_FIXTURE_H

#include <stddef.h>

struct gh_config;
struct gh_db;
struct gh_jwt_key;
struct gh_user;
struct gh_user_new;

/* Any text will do: the users module stores hashes, it does not make them. */
#define T_HASH	"$2b$04$0123456789abcdefghijkuOldHashOldHashOldHashOldHashO"

/*
 * cfg: the defaults, secret (a NUL-terminated string) as the JWT secret
 * and bcrypt cost 4; key: signs with cfg's algorithm, secret, issuer and
 * audience, as gh_serve() builds it (it points into cfg).
 */
void		 t_config(struct gh_config *cfg, struct gh_jwt_key *key,
		    const char *secret);

/* A connection to url (gh_db_new()). */
struct gh_db	*t_db_open(const char *url, int timeout_ms);

/*
 * A freshly migrated database (t_db_migrated()): its conninfo into url,
 * for t_db_sqlf(), and a connection to it, to be freed with gh_db_free().
 */
struct gh_db	*t_db_fresh(char *url, size_t urlsz);

/*
 * Fills n for a new user called name: password hash T_HASH, the role
 * "user", nothing else; a test sets the fields it is about.
 */
void		 t_user_new(struct gh_user_new *n, const char *name);

/*
 * Creates the user name on db (gh_users_create()) with T_HASH and roles
 * [0..nroles), or the role "user" alone when roles is NULL; fills u.
 */
void		 t_add_user(struct gh_db *db, const char *name,
		    const char *const *roles, size_t nroles, struct gh_user *u);

/*
 * "live", or the end_reason of the ended session sid, read behind the
 * library on url as the superuser.
 */
const char	*t_session_state(const char *url, const char *sid);

#define T_RACE_EXITS	16

/*
 * A race: n children each run racer(arg, gate), which connects, then
 * t_race_wait(gate), then acts and _exit()s with its outcome; all are
 * let go together once every one has had time to connect.  exits[k]
 * counts the children that exited k; one that died or exited
 * T_RACE_EXITS or more fails the test.
 */
void		 t_race(int n, void (*racer)(const void *arg, int gate),
		    const void *arg, int exits[T_RACE_EXITS]);

/* In a racer: returns when the gate opens. */
void		 t_race_wait(int gate);

#endif
