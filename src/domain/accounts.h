/*
 * accounts: what may be done to a user account, each change the whole
 * rule in one call, for the admin API and the CLI alike.  Programs parse
 * and check the fields (fields.h), call one of these, and answer.
 *
 * Promises: a change that could take "admin" from the last active admin
 * (delete, suspend, revoke, a patch) runs in one transaction that takes
 * the admin lock before it reads or writes, so two racing changes cannot
 * each remove the other admin; when the change would leave no active
 * admin where there was one, it is rolled back, the data stay as they
 * were, and the call returns GH_LAST_ADMIN, unless GH_ACCOUNT_FORCE is
 * given (an operator's recovery).  A password is hashed before any
 * transaction begins, so bcrypt never runs while the lock is held; the
 * password and its hash are wiped from memory after use and never logged.
 * GH_NOT_FOUND when there is no such user; GH_CONFLICT when a unique
 * value is taken or a role does not exist, gh_users_conflict_field()
 * saying which; GH_INTERNAL (logged) when bcrypt fails.  Each change
 * appends its audit rows (audit.h: user.*, role.granted and revoked, an
 * admin's password.changed), inside the guard's transaction when it has
 * one, so a change rolled back leaves no row either.
 */
#ifndef GH_ACCOUNTS_H
#define GH_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/b64url.h"
#include "core/bounds.h"
#include "core/config.h"
#include "data/db.h"
#include "domain/users.h"

/* What a new account gets when no roles are given. */
#define GH_ACCOUNT_DEFAULT_ROLE	"user"

/* Lets a change leave no active admin. */
#define GH_ACCOUNT_FORCE	0x01

/* A set of role names, each checked by gh_field_check_role_name(). */
struct gh_role_set {
	bool		 given;		/* false: the default, or unchanged */
	size_t		 n;
	const char	*names[GH_ROLES_MAX];
};

/* A new account; NULL or "" for an unset optional field. */
struct gh_account_new {
	const char		*username, *email, *employee_id, *full_name,
				*phone;
	const char		*password;
	size_t			 password_len;
	bool			 suspended;
	struct gh_role_set	 roles;	/* not given: GH_ACCOUNT_DEFAULT_ROLE */
	bool			 registered;	/* the user's own: audit row */
};

/*
 * Creates the account into u, its password hashed at cfg's cost; a taken
 * username, email or employee id is found before the hashing.
 */
enum gh_status	 gh_account_create(struct gh_db *, const struct gh_config *,
		    const struct gh_account_new *, struct gh_user *u);

/*
 * An admin's change of an account: each part is applied when it is set.
 * A new password (password non-NULL) ends every session of the user.
 */
struct gh_account_patch {
	struct gh_user_patch	 fields;
	struct gh_role_set	 roles;		/* given: exactly these */
	bool			 set_status;
	bool			 active;
	const char		*password;
	size_t			 password_len;
};

/* Applies p to user id, guarded; then reads the user into u (may be NULL). */
enum gh_status	 gh_account_patch(struct gh_db *, const struct gh_config *,
		    const char *id, const struct gh_account_patch *p,
		    int flags, struct gh_user *u);

/* Deletes user id, guarded. */
enum gh_status	 gh_account_delete(struct gh_db *, const char *id, int flags);

/* Activates, or suspends (guarded, ending every session at once). */
enum gh_status	 gh_account_set_active(struct gh_db *, const char *id,
		    bool active, int flags);

/* Grants role; revokes it, guarded. */
enum gh_status	 gh_account_grant(struct gh_db *, const char *id,
		    const char *role);
enum gh_status	 gh_account_revoke(struct gh_db *, const char *id,
		    const char *role, int flags);

/*
 * Paging through accounts, ordered by lower-cased username: a page
 * remembers the last username it listed, and the cursor handed to a
 * client is that name in base64url (opaque to it).
 */
#define GH_ACCOUNT_PAGE_MAX	200	/* accounts one call lists at most */
#define GH_ACCOUNT_CURSOR_MAX	(GH_B64URL_ENCODED_LEN(GH_USERNAME_MAX) + 1)

struct gh_account_page {
	char	 after[GH_USERNAME_MAX + 1];	/* lower case, "" at first */
	bool	 more;				/* accounts follow this page */
};

/*
 * Calls fn for each of the next at most limit (1 to GH_ACCOUNT_PAGE_MAX)
 * accounts after pg whose username, email, full name or employee id
 * contains q ignoring case ("" for all), and moves pg past them.
 */
enum gh_status	 gh_account_list(struct gh_db *, struct gh_account_page *pg,
		    const char *q, int limit,
		    void (*fn)(const struct gh_user *, void *), void *arg);

/* Writes pg's cursor into out (GH_ACCOUNT_CURSOR_MAX); 0, or -1. */
int		 gh_account_cursor_encode(const struct gh_account_page *,
		    char *out, size_t outsz);

/*
 * Reads a cursor s[0..len) into pg ("" is the start); -1 when it is not
 * one this module gave out.
 */
int		 gh_account_cursor_decode(const char *s, size_t len,
		    struct gh_account_page *pg);

#endif
