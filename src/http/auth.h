/*
 * auth: who is calling, and may they.  The C form of the seeds'
 * get_current_user and require_role dependencies: every protected route
 * calls one of these first, the same way.
 *
 * Promises: a token is accepted only when it verifies (jwt.h) and, in the
 * same request, one database round trip finds its user active, its
 * session live, and the token not older than the user's
 * tokens_valid_after; roles come from that row, not from the token, so a
 * logout, suspension or role change takes effect on the next request.
 */
#ifndef GH_AUTH_H
#define GH_AUTH_H

#include <stddef.h>

#include "data/db.h"
#include "http/http.h"
#include "core/jwt.h"
#include "domain/users.h"

struct gh_principal {
	struct gh_user		user;
	struct gh_jwt_claims	claims;
};

enum gh_auth_verdict {
	GH_AUTH_OK = 0,
	GH_AUTH_NO_TOKEN,	/* no credentials: challenge without an error */
	GH_AUTH_INVALID,	/* bad, expired or revoked: 401 invalid_token */
	GH_AUTH_UNAVAILABLE,	/* the database cannot say: 503 */
	GH_AUTH_ERROR		/* our fault: 500 */
};

/*
 * Finds the bearer token in an Authorization header value ("Bearer x",
 * the scheme in any case).  0 with *tok and *len set, -1 when absent or
 * malformed.
 */
int	gh_auth_bearer(const char *header, const char **tok, size_t *len);

/*
 * Finds cookie name in a Cookie header value ("a=1; name=value"): 0 with
 * *val and *len set (a view into header), -1 when absent or empty.
 */
int	gh_auth_cookie(const char *header, const char *name, const char **val,
	    size_t *len);

/*
 * Checks a token end to end without answering anything (the authorizer
 * uses it as is).  On GH_AUTH_INVALID, *why says what, for the client.
 */
enum gh_auth_verdict gh_auth_check(struct gh_db *, const struct gh_jwt_key *,
	    const char *tok, size_t len, struct gh_principal *,
	    const char **why);

/*
 * The caller, from the Authorization header.  On failure answers 401 with
 * WWW-Authenticate, or 503, and returns -1.
 */
int	gh_auth_current_user(struct gh_request *, struct gh_principal *);

/* gh_auth_current_user(), then 403 insufficient_scope without role. */
int	gh_auth_require_role(struct gh_request *, const char *role,
	    struct gh_principal *);

#endif
