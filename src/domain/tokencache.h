/*
 * tokencache: the asymmetric access tokens this process has verified
 * already, so that a client's repeated token costs a hash and a lookup
 * instead of an ES256, EdDSA or RS256 verification.
 *
 * Promises: an entry is found only by the SHA-256 of the whole token
 * and the issuer and audiences it was verified against, compared in full
 * (any other byte, or another audience, misses); it is used only while now is
 * before the token's exp and while the key whose kid signed it is a key
 * of the caller's current set, of the configured algorithm and not
 * retired; the whole table is dropped whenever the key set is reloaded
 * (domain/keys.c calls gh_tokencache_flush()).  So a hit says exactly
 * what a verification would say now.  It says nothing of the session:
 * that check stays the caller's, every time.  The table is fixed in size
 * (GH_TOKENCACHE_SLOTS, sized like the session cache's default: a token
 * per session it holds); a new token takes the place of the least
 * recently used of the few slots it may go to, so a full table evicts,
 * never fails.  HMAC tokens are never kept: their check costs about what
 * the lookup does.
 */
#ifndef GH_TOKENCACHE_H
#define GH_TOKENCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/jwt.h"

#define GH_TOKENCACHE_SLOTS	4096	/* a multiple of 4, dividing 65536 */

/*
 * The claims of tok[0..len) if it was verified before and still would
 * be under key at now: 1, claims filled.  0 otherwise (claims untouched).
 */
int		gh_tokencache_get(const struct gh_jwt_key *key, const char *tok,
		    size_t len, int64_t now, struct gh_jwt_claims *claims);

/* Remembers tok[0..len), just verified under key, with its claims. */
void		gh_tokencache_put(const struct gh_jwt_key *key, const char *tok,
		    size_t len, const struct gh_jwt_claims *claims);

/* Forgets every token: the key set changed. */
void		gh_tokencache_flush(void);

/* Lookups served from the table since the process started: for tests. */
unsigned long	gh_tokencache_hits(void);

#endif
