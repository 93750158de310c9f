/*
 * signin: the sequences that start, continue and end a session, and the
 * signed-in user's own password change.  A program reads the request,
 * makes one of these calls, and answers what it says; every rule of the
 * sequence is here.
 *
 * Promises: a login asks the throttle (throttle.h) before any password
 * work, so a throttled attempt costs no bcrypt and counts as nothing; an
 * unknown user, a wrong password and a suspended user each cost one
 * bcrypt and end alike (GH_SIGNIN_BAD_CREDENTIALS), counted as one
 * failure; a success clears its account's failures, replaces a hash of
 * another cost than bcrypt_cost, and starts a session (sessions.h).  A
 * login asking for an audience not in token_audiences is refused before
 * anything else (GH_SIGNIN_BAD_AUDIENCE): it costs nothing, counts as
 * nothing, and says nothing of the account.  With
 * require_verified_email, a correct password of an account whose email
 * is not confirmed starts no session (GH_SIGNIN_EMAIL_NOT_VERIFIED).  A
 * refresh token used twice past the grace ends its session, and says so
 * in the log by session, never by token.  A password change asks the
 * throttle under the login's account key ("id:<uuid>", so guesses there
 * and at login count together) before it checks the current password,
 * counts a wrong one as a failed login, checks the current password
 * before the new one meets the policy, and ends every other session of
 * the user in the statement that sets the hash.  A revocation ends a
 * session with the same statements as a logout, so the session cache
 * hears of it the same way (sql/006_auth_notify.sql).
 * Nothing here keeps a password: what held one or a hash is cleansed.
 * The status is GH_OK whenever the outcome says what happened; anything
 * else means the sequence could not run, and the outcome means nothing.
 */
#ifndef GH_SIGNIN_H
#define GH_SIGNIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/jwt.h"
#include "core/password.h"
#include "core/status.h"
#include "data/db.h"
#include "domain/audit.h"
#include "domain/principal.h"
#include "domain/sessions.h"
#include "domain/users.h"

enum gh_signin_outcome {
	GH_SIGNIN_OK = 0,
	GH_SIGNIN_BAD_CREDENTIALS,	/* wrong, unknown or not active */
	GH_SIGNIN_THROTTLED,		/* login: wait retry_after seconds */
	GH_SIGNIN_INVALID_TOKEN,	/* not a live refresh token (of the caller) */
	GH_SIGNIN_REUSED,		/* refresh: a rotated token; session ended */
	GH_SIGNIN_WEAK_PASSWORD,	/* password change: see verdict */
	GH_SIGNIN_BAD_AUDIENCE,		/* login: not one of token_audiences */
	GH_SIGNIN_EMAIL_NOT_VERIFIED	/* login: require_verified_email */
};

struct gh_signin {
	enum gh_signin_outcome		 outcome;
	long				 retry_after;	/* THROTTLED */
	enum gh_password_verdict	 verdict;	/* WEAK_PASSWORD */
	struct gh_token_pair		 tokens;	/* OK: login, refresh */
	/*
	 * A login's failure: the audit row (audit.h) the caller appends
	 * after its answer, since no statement of the login is left to
	 * carry it (a success's and a throttled one's went with theirs).
	 */
	bool				 audit_later;
	struct gh_audit			 audit;
};

/* A login attempt as the client made it. */
struct gh_login {
	enum gh_login_field	 field;		/* what identifier names */
	const char		*identifier;
	const char		*password;
	size_t			 password_len;
	/*
	 * The address is throttled too; an audience other than NULL (the
	 * API's own) must be one of token_audiences.
	 */
	struct gh_client	 client;
};

enum gh_status gh_signin_login(struct gh_db *, const struct gh_config *,
	    const struct gh_jwt_key *, const struct gh_login *,
	    struct gh_signin *);

/* Rotates a refresh token into a new pair (sessions.h). */
enum gh_status gh_signin_refresh(struct gh_db *, const struct gh_config *,
	    const struct gh_jwt_key *, const char *token, size_t len,
	    struct gh_signin *);

/*
 * What a logout ends: every session of the caller (all), the session of
 * refresh token (when not NULL; GH_SIGNIN_INVALID_TOKEN unless it is the
 * caller's), else the caller's own session.
 */
struct gh_logout {
	bool		 all;
	const char	*refresh;
	size_t		 refresh_len;
};

enum gh_status gh_signin_logout(struct gh_db *, const struct gh_principal *,
	    const struct gh_logout *, struct gh_signin *);

/* The end_reason of a session a revocation ended (sql/013). */
#define GH_REVOKE_REASON	"revoked"

/*
 * RFC 7009: ends the session token (a refresh token, or an access token
 * that verifies with key) belongs to, whoever's it is: the token is the
 * credential.  GH_OK whether or not there was a live session to end, so
 * an unknown token, a garbage one or one already revoked tell nothing;
 * anything else means the revocation could not be made.
 */
enum gh_status gh_signin_revoke(struct gh_db *, const struct gh_jwt_key *,
	    const char *token, size_t len);

/* The sign-out page's end of its cookies' session: as a revocation. */
enum gh_status gh_signin_signout(struct gh_db *, const struct gh_jwt_key *,
	    const char *token, size_t len);

/* The caller's change of their own password. */
struct gh_password_change {
	const char	*current;
	size_t		 current_len;
	const char	*next;
	size_t		 next_len;
	const char	*address;	/* the client's: throttled too */
};

enum gh_status gh_signin_change_password(struct gh_db *,
	    const struct gh_config *, const struct gh_principal *,
	    const struct gh_password_change *, struct gh_signin *);

#endif
