/*
 * recovery: the one-time tokens of account recovery and verification:
 * a password reset by a link sent to the account's address, and the
 * confirmation of that address.
 *
 * Promises: a token is GH_REFRESH_BYTES (256) random bits, handed out
 * once and stored only as its SHA-256 (sessions.h's hash), in
 * sql/014_recovery.sql's onetime_tokens; it is bound to its purpose and
 * user (a verification token also to the address it was sent to), used
 * at most once however many requests race with it, and dies with a
 * newer one of its purpose and user and at the end of its lifetime
 * (reset_token_minutes, verify_token_hours).  At most reset_max_per_hour
 * reset tokens an account an hour.  A reset checks the new password
 * against the policy before it uses the token up (a refused password
 * leaves the link usable), and, in the statement that uses it up, sets
 * the hash, ends every session of the user, moves the credential
 * generation and clears the account's login failures.  Only active
 * accounts with an email get a token.  Nothing here logs a token or a
 * password; what held one is cleansed.  The status is GH_OK whenever
 * the outcome says what happened.
 */
#ifndef GH_RECOVERY_H
#define GH_RECOVERY_H

#include <stddef.h>

#include "core/bounds.h"
#include "core/config.h"
#include "core/password.h"
#include "core/status.h"
#include "data/db.h"
#include "domain/sessions.h"
#include "domain/users.h"

#define GH_ONETIME_LEN		GH_REFRESH_LEN	/* base64url of 256 bits */

enum gh_recovery_outcome {
	GH_RECOVERY_OK = 0,
	GH_RECOVERY_NO_ACCOUNT,		/* issue: no active account with an email */
	GH_RECOVERY_LIMITED,		/* issue: reset_max_per_hour reached */
	GH_RECOVERY_VERIFIED,		/* issue: the address is confirmed already */
	GH_RECOVERY_INVALID,		/* use: not a live token of the purpose */
	GH_RECOVERY_WEAK_PASSWORD	/* reset: see verdict; token still live */
};

/* A token made, or used, and whose it is. */
struct gh_onetime {
	char	token[GH_ONETIME_LEN + 1];	/* issue: for the link only */
	char	user_id[GH_UUID_LEN + 1];
	char	username[GH_USERNAME_MAX + 1];
	char	email[GH_EMAIL_MAX + 1];
};

/*
 * A forgotten password: a reset token for the account whose username
 * (field GH_LOGIN_USERNAME) or email (GH_LOGIN_EMAIL) is value, ignoring
 * case; *out says where to send it.
 */
enum gh_status gh_recovery_forgot(struct gh_db *, const struct gh_config *,
	    enum gh_login_field, const char *value, struct gh_onetime *,
	    enum gh_recovery_outcome *);

/*
 * A verification token for user_id's current address (GH_RECOVERY_VERIFIED
 * when that is confirmed already).
 */
enum gh_status gh_recovery_verify_issue(struct gh_db *,
	    const struct gh_config *, const char *user_id, struct gh_onetime *,
	    enum gh_recovery_outcome *);

/* A reset as the client asked for it. */
struct gh_reset {
	const char	*token;
	size_t		 token_len;
	const char	*password;
	size_t		 password_len;
};

/*
 * Sets the new password of the reset token's user; on GH_RECOVERY_OK,
 * who names them (no token).
 */
enum gh_status gh_recovery_reset(struct gh_db *, const struct gh_config *,
	    const struct gh_reset *, struct gh_onetime *who,
	    enum gh_recovery_outcome *, enum gh_password_verdict *);

/*
 * Confirms the address a verification token was sent to, while it is
 * still its user's; on GH_RECOVERY_OK, user_id is theirs.
 */
enum gh_status gh_recovery_verify(struct gh_db *, const char *token,
	    size_t len, char user_id[GH_UUID_LEN + 1],
	    enum gh_recovery_outcome *);

/*
 * The link of a token: public_base_url, path, "?token=", token.  0, or
 * -1 when public_base_url is unset or the link does not fit.
 */
int		gh_recovery_link(const struct gh_config *, const char *path,
		    const char *token, char *out, size_t outsz);

#endif
