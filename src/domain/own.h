/*
 * own: what a signed-in user may do to their own account without an
 * administrator: list and end their sessions, change their profile.
 * The me program calls these; its database role writes no table, so
 * each is a definer function of sql/015_self_service.sql that acts only
 * on the user's own rows.
 *
 * Promises: every call names the caller's user and session (a token's
 * sub and sid) and does nothing unless that session is live (not ended,
 * not expired, of the user's credential generation, the user active),
 * checked in the same statement as the change; a session of another
 * user is indistinguishable from one that does not exist (GH_NOT_FOUND);
 * an ended session's tokens die as at a logout (the notify triggers of
 * sql/006 reach every cache); a new email is unverified.
 */
#ifndef GH_OWN_H
#define GH_OWN_H

#include <stdbool.h>

#include "core/bounds.h"
#include "core/status.h"
#include "data/db.h"
#include "domain/users.h"

/* Sessions one list shows at most, newest first. */
#define GH_OWN_SESSIONS_MAX	100

/* sql/001's CHECKs count characters: four bytes each at most in UTF-8. */
#define GH_OWN_ADDRESS_MAX	(64 * 4)
#define GH_OWN_USER_AGENT_MAX	(256 * 4)

/* One live session as its user sees it; "" for an unknown field. */
struct gh_own_session {
	char	id[GH_UUID_LEN + 1];
	char	created_at[GH_TIMESTAMP_LEN + 1];
	char	last_used_at[GH_TIMESTAMP_LEN + 1];	/* last login or refresh */
	char	user_agent[GH_OWN_USER_AGENT_MAX + 1];
	char	address[GH_OWN_ADDRESS_MAX + 1];
};

/*
 * Calls fn for each live session of user_id, newest first, at most
 * GH_OWN_SESSIONS_MAX; none (and GH_OK) unless sid is live.
 */
enum gh_status	 gh_own_sessions(struct gh_db *, const char *user_id,
		    const char *sid,
		    void (*fn)(const struct gh_own_session *, void *),
		    void *arg);

/*
 * Ends session target of user_id (it may be sid itself).  GH_NOT_FOUND
 * when target is not a live session of that user, is not a uuid, or sid
 * is not live.
 */
enum gh_status	 gh_own_session_end(struct gh_db *, const char *user_id,
		    const char *sid, const char *target);

/*
 * Applies the full_name, phone and email parts of p (its employee id is
 * not the user's to change) to user_id.  *new_email is true when the
 * email became an address the user had not (ignoring case): it is
 * unverified and wants a verification mail.  GH_NOT_FOUND when sid is
 * not live; GH_CONFLICT when the email is taken (users.h,
 * gh_users_conflict_field()).
 */
enum gh_status	 gh_own_profile_update(struct gh_db *, const char *user_id,
		    const char *sid, const struct gh_user_patch *p,
		    bool *new_email);

#endif
