/*
 * introspect: what a token is right now (RFC 7662), for the services that
 * ask gatehouse instead of verifying tokens themselves.
 *
 * Promises: a token is active exactly when the API would take it at this
 * moment: an access token when it verifies and its session, user and
 * credential generation are live (principal.h, the check /me makes); a
 * refresh token when it is neither rotated nor expired, its session's
 * audience is still one tokens are issued for, and its session and user
 * are live by the same check.  A rotated refresh token is not active: its
 * one use is spent (a reuse within the grace is a race, not a right).
 * Which kind a token is follows from its shape (a JWT has dots, a
 * refresh token never), so no hint is needed.  Nothing here logs or keeps
 * a token.
 */
#ifndef GH_INTROSPECT_H
#define GH_INTROSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jwt.h"
#include "core/status.h"
#include "data/db.h"
#include "domain/users.h"

/* The role that may introspect (sql/013_introspect.sql); admin may too. */
#define GH_ROLE_INTROSPECT	"introspect"

enum gh_token_kind {
	GH_TOKEN_ACCESS = 0,
	GH_TOKEN_REFRESH
};

struct gh_introspection {
	bool			 active;
	/* The rest only when active. */
	enum gh_token_kind	 kind;
	struct gh_user		 user;		/* as the database has them now */
	char			 sid[GH_UUID_LEN + 1];
	int64_t			 iat;		/* the token's issue, seconds */
	int64_t			 exp;		/* its expiry, seconds */
};

/*
 * Looks token[0..len) up.  GH_OK whenever out says what the token is;
 * anything else (GH_UNAVAILABLE, GH_DB_ERROR, GH_INTERNAL) means the
 * check could not be made.
 */
enum gh_status gh_introspect(struct gh_db *, const struct gh_jwt_key *,
	    const char *token, size_t len, struct gh_introspection *out);

#endif
