/*
 * sessions: logins, refresh-token rotation with reuse detection, logout.
 *
 * Promises: a refresh token is 256 random bits, handed out once and
 * stored only as its SHA-256; a session ends at session_max_days after
 * its login whatever the refreshes; rotation is atomic (sql/003), so of
 * two requests racing with one token exactly one rotates it and the other
 * is a reuse: inside refresh_reuse_grace_seconds it gets a fresh pair of
 * the same session, after it the whole session ends.  A session keeps
 * the audience of its login (gh_client): every access token of it carries
 * that aud, and a refresh of one whose audience is no longer in
 * token_audiences is GH_REFRESH_INVALID.
 */
#ifndef GH_SESSIONS_H
#define GH_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bounds.h"
#include "core/config.h"
#include "data/db.h"
#include "domain/audit.h"
#include "core/jwt.h"
#include "domain/users.h"

#define GH_REFRESH_BYTES	32
#define GH_REFRESH_LEN		43	/* base64url of 32 bytes */
#define GH_TOKEN_HASH_HEX_LEN	64	/* SHA-256, in hex */

struct gh_token_pair {
	char	access[GH_TOKEN_MAX + 1];
	char	refresh[GH_REFRESH_LEN + 1];
	int	expires_in;		/* seconds */
	char	sid[GH_UUID_LEN + 1];
};

enum gh_refresh_outcome {
	GH_REFRESH_OK = 0,
	GH_REFRESH_INVALID,	/* unknown, expired, ended, user not active */
	GH_REFRESH_REUSED	/* the session has just been ended for it */
};

/*
 * The stored form of a token of GH_REFRESH_BYTES random bytes (a refresh
 * token, a one-time link's: recovery.h): its SHA-256, in hex for
 * decode().
 */
void	gh_sessions_token_hash(const char *token, size_t len,
	    char out[GH_TOKEN_HASH_HEX_LEN + 1]);

/* A token we could have issued: GH_REFRESH_LEN characters of base64url. */
bool	gh_sessions_token_shape_ok(const char *token, size_t len);

/*
 * Where a login came from, kept with its session for the user to see,
 * and whom its tokens are for.
 */
struct gh_client {
	const char	*address;	/* REMOTE_ADDR, may be NULL */
	const char	*user_agent;	/* may be NULL */
	/*
	 * One of token_audiences, or NULL or "" for the API's own
	 * (jwt_audience): the aud of every token of the session.
	 */
	const char	*audience;
};

/*
 * Starts a session for u and issues its first token pair, provided u's
 * credential generation (read with it, users.h) is still the user's and
 * the user is active: GH_NOT_FOUND otherwise, so a login that read the
 * user before a reset, a suspension or a logout of all sessions cannot
 * start one after it (sql/007_credentials.sql).
 */
enum gh_status gh_sessions_start(struct gh_db *, const struct gh_config *,
	    const struct gh_jwt_key *, const struct gh_user *,
	    const struct gh_client *, struct gh_token_pair *);

/*
 * gh_sessions_start() that also appends the audit row a (audit.h; NULL:
 * none) in the same statement, its session the new one: a login's row
 * costs no round trip of its own.
 */
enum gh_status gh_sessions_login(struct gh_db *, const struct gh_config *,
	    const struct gh_jwt_key *, const struct gh_user *,
	    const struct gh_client *, const struct gh_audit *,
	    struct gh_token_pair *);

/*
 * Rotates a refresh token; on GH_REFRESH_OK, *pair is the new pair; on
 * GH_REFRESH_REUSED only pair->sid is set: the session that was ended.
 */
enum gh_status gh_sessions_refresh(struct gh_db *, const struct gh_config *,
	    const struct gh_jwt_key *, const char *token, size_t len,
	    struct gh_token_pair *, enum gh_refresh_outcome *);

/* Ends one session of user_id; GH_NOT_FOUND when it is not theirs. */
enum gh_status gh_sessions_end(struct gh_db *, const char *user_id,
	    const char *sid, const char *reason);

/*
 * Ends the session a refresh token belongs to, when that session is
 * user_id's; GH_NOT_FOUND otherwise.
 */
enum gh_status gh_sessions_end_by_refresh(struct gh_db *,
	    const char *user_id, const char *token, size_t len);

/*
 * Ends the session a refresh token belongs to, whoever's it is (RFC
 * 7009: the token is the credential), with reason; sid is the session
 * ended, uid its user.  GH_NOT_FOUND when the token is unknown or its
 * session had ended already.  A rotated token still names its session:
 * presenting one to a refresh would end that session too.
 */
enum gh_status gh_sessions_revoke_refresh(struct gh_db *, const char *token,
	    size_t len, const char *reason, char sid[GH_UUID_LEN + 1],
	    char uid[GH_UUID_LEN + 1]);

/* What a live refresh token is: its session, user and times. */
struct gh_refresh_info {
	char	sid[GH_UUID_LEN + 1];
	char	user_id[GH_UUID_LEN + 1];
	int64_t	iat;		/* its issue, seconds since the epoch */
	int64_t	exp;		/* its expiry, seconds since the epoch */
	char	audience[GH_AUDIENCE_MAX + 1];	/* its session's; "" */
};

/*
 * Finds a refresh token that is neither rotated nor expired; GH_NOT_FOUND
 * otherwise.  Says nothing of its session or user: whether they are
 * live is the caller's check (users.h, gh_users_get_live()).
 */
enum gh_status gh_sessions_refresh_info(struct gh_db *, const char *token,
	    size_t len, struct gh_refresh_info *);

/*
 * Ends every live session of user_id and moves the user's credential
 * generation, so no login already past its password check starts one.
 */
enum gh_status gh_sessions_end_all(struct gh_db *, const char *user_id,
	    const char *reason);

/*
 * Deletes sessions and refresh tokens that ended or expired more than
 * keep_days ago.  *deleted counts rows removed.
 */
enum gh_status gh_sessions_cleanup(struct gh_db *, int keep_days,
	    long *deleted);

#endif
