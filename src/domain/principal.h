/*
 * principal: from a token to the live user behind it, with no HTTP in
 * between: the API's check (http/auth.h) and the authorizer's are this
 * one.  Also the two places a token is carried, read from their header
 * values: Authorization ("Bearer x") and a cookie.
 *
 * Promises: a token is accepted only when it verifies (jwt.h) and, in the
 * same request, one database round trip (or an exact cache entry,
 * authcache.h) finds its user active, its session live, and the token not
 * older than the user's tokens_valid_after; roles come from that row, not
 * from the token, so a logout, suspension or role change takes effect on
 * the next request.  A refused token says why in a sentence of our own,
 * fit for a client and for a quoted header value (no quote, no
 * backslash).
 */
#ifndef GH_PRINCIPAL_H
#define GH_PRINCIPAL_H

#include <stddef.h>

#include "core/jwt.h"
#include "core/status.h"
#include "data/db.h"
#include "domain/users.h"

/* Who is calling: the user as the database has them, and the token's claims. */
struct gh_principal {
	struct gh_user		user;
	struct gh_jwt_claims	claims;
};

/*
 * Finds the bearer token in an Authorization header value ("Bearer x",
 * the scheme in any case).  0 with *tok and *len set (a view into
 * header), -1 when absent or malformed.
 */
int	gh_principal_bearer(const char *header, const char **tok, size_t *len);

/*
 * Finds cookie name in a Cookie header value ("a=1; name=value"): 0 with
 * *val and *len set (a view into header), -1 when absent or empty, or
 * when name is NULL or "".
 */
int	gh_principal_cookie(const char *header, const char *name,
	    const char **val, size_t *len);

/*
 * Checks a token end to end.  GH_OK with *p filled; GH_NOT_FOUND when the
 * token is bad, expired or revoked, or its session or user is no longer
 * live (*why says which); GH_UNAVAILABLE, GH_DB_ERROR, GH_INTERNAL (no
 * key, a verifier failure) or GH_NOMEM when the check itself failed.
 */
enum gh_status gh_principal_check(struct gh_db *, const struct gh_jwt_key *,
	    const char *tok, size_t len, struct gh_principal *p,
	    const char **why);

#endif
