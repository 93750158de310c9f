/*
 * users: user rows in PostgreSQL, one statement a call.  The rules on
 * their fields are in fields.h; the rules that span statements (the
 * last-admin guard) are in accounts.h, which is what programs call to
 * change a user.
 *
 * Promises: every query is one prepared statement (a user and its roles
 * come back in one round trip); uniqueness is left to the database's
 * unique indexes, so racing writers get GH_CONFLICT, never two rows;
 * ending a user's sessions is part of the same statement that suspends
 * the user or sets the password, so no token outlives the change.
 * Optional fields that are unset read as "".
 */
#ifndef GH_USERS_H
#define GH_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bounds.h"
#include "data/db.h"
#include "core/random.h"

struct gh_user {
	char	id[GH_UUID_LEN + 1];
	char	username[GH_USERNAME_MAX + 1];
	char	email[GH_EMAIL_MAX + 1];
	char	employee_id[GH_EMPLOYEE_ID_MAX + 1];
	char	full_name[GH_FULL_NAME_MAX + 1];
	char	phone[GH_PHONE_MAX + 1];
	bool	active;			/* status "active", else "suspended" */
	bool	email_verified;		/* email confirmed by its link */
	char	roles[GH_ROLES_MAX][GH_ROLE_NAME_MAX + 1];
	size_t	nroles;
	char	created_at[GH_TIMESTAMP_LEN + 1];
	char	updated_at[GH_TIMESTAMP_LEN + 1];
	char	password_hash[GH_HASH_MAX];	/* "" unless asked for */
	long	cred_gen;	/* credential generation (sql/007); 0 unless read */
};

/* What a new user is made of; NULL or "" for an unset optional field. */
struct gh_user_new {
	const char	*username;
	const char	*email;
	const char	*employee_id;
	const char	*full_name;
	const char	*phone;
	const char	*password_hash;
	bool		 suspended;
	const char	*const *roles;
	size_t		 nroles;
};

/* Which field a login identifier names. */
enum gh_login_field {
	GH_LOGIN_USERNAME = 0,
	GH_LOGIN_EMAIL,
	GH_LOGIN_EMPLOYEE_ID
};

/* True when the user holds role. */
bool		 gh_users_has_role(const struct gh_user *, const char *role);

/*
 * Inserts a user and its roles.  GH_CONFLICT when a unique field is
 * taken or a role does not exist: gh_users_conflict_field() says which.
 */
enum gh_status gh_users_create(struct gh_db *, const struct gh_user_new *,
	    struct gh_user *);

/*
 * Whether n's username, email and employee id are free, as a cheap look
 * before its bcrypt: GH_CONFLICT, as gh_users_create() would answer, when
 * one is taken.  The INSERT's unique indexes still decide a race.
 */
enum gh_status gh_users_identifiers_free(struct gh_db *,
	    const struct gh_user_new *);

/* After GH_CONFLICT: "username", "email", "employee_id" or "roles". */
const char	*gh_users_conflict_field(const struct gh_db *);

/* GH_NOT_FOUND when there is no such user; id must look like a uuid. */
enum gh_status gh_users_get(struct gh_db *, const char *id, struct gh_user *);

/* Finds by username, email (both ignoring case) or employee id, with the hash. */
enum gh_status gh_users_get_for_login(struct gh_db *, enum gh_login_field,
	    const char *value, struct gh_user *);

/*
 * Sets the password hash and ends every live session of the user but
 * keep_sid (NULL to end them all), recording reason as their end.
 */
enum gh_status gh_users_set_password(struct gh_db *, const char *id,
	    const char *hash, const char *keep_sid, const char *reason);

/*
 * A user's own password change from session sid: sets the hash and ends
 * every other session of the user.  GH_NOT_FOUND unless sid is a live
 * session of the active user id.  (A definer function in the database,
 * so the program calling it needs no UPDATE right on users.)
 */
enum gh_status gh_users_change_own_password(struct gh_db *, const char *id,
	    const char *sid, const char *hash);

/* Activates or suspends; suspending ends every live session at once. */
enum gh_status gh_users_set_active(struct gh_db *, const char *id, bool);

/* Grants or revokes a role; GH_CONFLICT when the role does not exist. */
enum gh_status gh_users_grant(struct gh_db *, const char *id, const char *role);
enum gh_status gh_users_revoke(struct gh_db *, const char *id, const char *role);

/*
 * The user of a token, in one round trip: GH_NOT_FOUND unless the user
 * is active, session sid is theirs and live, and iat (seconds) is not
 * before the user's tokens_valid_after.
 */
enum gh_status gh_users_get_live(struct gh_db *, const char *id,
	    const char *sid, int64_t iat, struct gh_user *);

/* What decides, besides the row, whether a later token of sid is good. */
struct gh_live {
	int64_t		valid_after;	/* tokens_valid_after, whole seconds */
	int64_t		expires_us;	/* the session's end, Unix microseconds */
};

/*
 * The same lookup without the iat test: the user of live session sid,
 * with the times a cache needs to judge later tokens alone.
 */
enum gh_status gh_users_get_session(struct gh_db *, const char *id,
	    const char *sid, struct gh_user *, struct gh_live *);

/*
 * Replaces the hash alone (a rehash at login) when it is still old, the
 * one the login verified: a password changed meanwhile is never
 * overwritten.  Sessions go on and the credential generation stays.
 * GH_NOT_FOUND when the hash had changed.
 */
enum gh_status gh_users_rehash(struct gh_db *, const char *id,
	    const char *old, const char *hash);

/*
 * The changes of an admin's PATCH: a field is changed when its set_ flag
 * is; "" or NULL clears an optional field.
 */
struct gh_user_patch {
	bool		 set_email, set_employee_id, set_full_name, set_phone;
	const char	*email, *employee_id, *full_name, *phone;
};

/* Applies a patch; GH_CONFLICT (see gh_users_conflict_field()) on a taken value. */
enum gh_status gh_users_update(struct gh_db *, const char *id,
	    const struct gh_user_patch *);

/* Makes roles exactly the user's set; GH_CONFLICT for an unknown role. */
enum gh_status gh_users_set_roles(struct gh_db *, const char *id,
	    const char *const *roles, size_t n);

enum gh_status gh_users_delete(struct gh_db *, const char *id);

/* Counts for the admin dashboard. */
enum gh_status gh_users_count(struct gh_db *, long *total, long *active,
	    long *suspended);

/*
 * For the last-admin guard, inside a transaction: takes a lock that
 * serializes every change of admins, then counts the active admins.
 */
enum gh_status gh_users_lock_admins(struct gh_db *);
enum gh_status gh_users_count_active_admins(struct gh_db *, long *);

/*
 * Lists up to limit users ordered by lower(username), after the given
 * lower-case username ("" for the start), whose username, email,
 * full_name or employee_id contains q ignoring case ("" for all).
 * Calls fn for each; *n counts them.
 */
enum gh_status gh_users_list(struct gh_db *, const char *after,
	    const char *q, int limit,
	    void (*fn)(const struct gh_user *, void *), void *arg, int *n);

#endif
