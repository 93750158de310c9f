/*
 * keys: the signing keys of ES256, EdDSA and RS256 (sql/012_keys.sql):
 * their lifecycle for `gatehouse keys`, the per-process key set the
 * programs sign and verify with, and the published set (JWKS).
 *
 * Promises: a private key leaves this module only sealed (core/jwk.h,
 * under the key-encryption key) on its way into the database, and is
 * read back only by a process set up to sign (gh_keys_init() with a
 * KEK: the login program), whose database role alone may read that
 * column.  A verifying process reads public keys only.
 *
 * The key set a process holds is exact as the session cache is
 * (domain/authcache.h): every change of the table is announced on the
 * cache's channel, gh_keys_fill() reloads the set when one came in (or
 * the connection changed, or nothing listens: then at every call), and
 * gh_keys_changed() tells a token check, after its synchronising round
 * trip, whether a change committed before the request was missed by the
 * set it verified with.  Timed states need no notification: a next key
 * starts signing, and a key scheduled to retire stops verifying, when
 * the clock says so.
 *
 * States (sql/012_keys.sql): next (signs_from in the future), current
 * (the newest signing now), previous (superseded, published until its
 * last token expired), expired (previous past publish_until) and
 * retired.  Published: next, current, previous.
 */
#ifndef GH_KEYS_H
#define GH_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/jwk.h"
#include "core/jwt.h"
#include "core/status.h"
#include "data/db.h"

/* The most keys a set holds: more than a rotation ever leaves live. */
#define GH_KEYS_MAX		16
/* Room for a whole JWKS document of GH_KEYS_MAX RSA-8192 keys. */
#define GH_KEYS_JWKS_MAX	(GH_KEYS_MAX * 1600 + 64)
#define GH_KEYS_TIME_MAX	40

/*
 * Once per process, before the first fill: kek (GH_JWK_KEK_LEN bytes)
 * for a process that signs, which then reads the sealed private keys;
 * NULL for one that only verifies.  The kek is copied.
 */
void		gh_keys_init(const unsigned char *kek, size_t keklen);

/*
 * At the start of every request (gh_serve()): frees the sets replaced
 * during the last one, which nothing uses any more.
 */
void		gh_keys_begin(void);

/* Frees everything: tests, and a process about to exit. */
void		gh_keys_reset(void);

/*
 * Points key->signer, key->keys and key->nkeys at the set as of now,
 * reloading it first when it may be stale.  The signer is the newest
 * key of key->alg whose signs_from has come, not retired, whose private
 * part this process holds (NULL where none).  The pointers stay valid
 * until the next gh_keys_begin().  GH_UNAVAILABLE / GH_DB_ERROR when the
 * set could not be read.
 */
enum gh_status	gh_keys_fill(struct gh_db *, struct gh_jwt_key *);

/*
 * After the request's synchronising round trip (the session check):
 * takes in the notifications libpq holds and says whether the set
 * gh_keys_fill() gave is no longer the database's (then fill again and
 * verify again).
 */
int		gh_keys_changed(struct gh_db *);

/*
 * The JWKS document {"keys":[...]} of the published keys (next,
 * current, previous; never expired or retired), newest first, with the
 * public members only, NUL-terminated in out.  Its length, or -1 with
 * *st set (GH_INTERNAL when out is too small).  For /.well-known/
 * jwks.json, from the process's set, exact as a token check is: after
 * the request's synchronising round trip (gh_authcache_sync()) a change
 * committed before the request has reloaded it, and while nothing
 * changes no query is made.  The caller's role needs SELECT on
 * signing_keys' public columns (sql/013_introspect.sql).
 */
long		gh_keys_jwks_json(struct gh_db *, char *out, size_t outsz,
		    enum gh_status *st);

/* What `gatehouse keys` does. */
enum gh_keys_add_mode {
	GH_KEYS_GENERATE,	/* the first key: signs at once */
	GH_KEYS_ROTATE		/* a next key: signs delay seconds from now */
};

/*
 * Seals k under kek and stores it.  GENERATE: refused (GH_CONFLICT)
 * when a current or next key exists.  ROTATE: refused (GH_CONFLICT) when
 * a next key exists; the new key is published (committed) first, then
 * signs delay seconds after that commit, and the current one is
 * superseded then and published until publish seconds after (the access
 * tokens' lifetime plus the leeway); with no current key the new one
 * signs at once.  *signs_from gets the moment, as PostgreSQL prints it.
 * Should the second step fail, the key stays next, signing a day later
 * (retire it, or let it be).
 */
enum gh_status	gh_keys_add(struct gh_db *, enum gh_keys_add_mode,
		    const struct gh_jwk *k, const unsigned char *kek,
		    size_t keklen, int delay, int publish,
		    char signs_from[GH_KEYS_TIME_MAX]);

/*
 * Retires kid.  now: at once, its tokens fail from the next request.
 * Else when its last token has expired: a next key at once (it signed
 * nothing), a previous one at its publish_until; the current one only
 * when a newer key exists (GH_CONFLICT otherwise: nothing would sign).
 * GH_NOT_FOUND for an unknown kid; a retired key stays as it was.
 * *when gets the retirement's moment.
 */
enum gh_status	gh_keys_retire(struct gh_db *, const char *kid, int now,
		    char when[GH_KEYS_TIME_MAX]);

/* Retires every expired key (previous, past publish_until); *n: how many. */
enum gh_status	gh_keys_retire_expired(struct gh_db *, long *n);

struct gh_key_row {
	char	kid[GH_JWK_KID_MAX + 1];
	char	alg[8];
	char	state[12];
	char	created_at[GH_KEYS_TIME_MAX];
	char	signs_from[GH_KEYS_TIME_MAX];
	char	superseded_at[GH_KEYS_TIME_MAX];	/* "" when none */
	char	publish_until[GH_KEYS_TIME_MAX];
	char	retired_at[GH_KEYS_TIME_MAX];
};

typedef void	gh_keys_row_fn(void *arg, const struct gh_key_row *);

/* Every key, oldest first. */
enum gh_status	gh_keys_list(struct gh_db *, gh_keys_row_fn *, void *arg);

#endif
