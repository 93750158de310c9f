/*
 * user_input: a user's fields out of a request body, for registration and
 * the admin API alike, with every field rule of the contract (fields.h);
 * and the one answer to a value the database refused.
 *
 * Promises: reading only parses and checks: nothing is hashed, written or
 * answered; a field of the wrong JSON type is a 400; every invalid value
 * is named in one 422; at registration "role" and "roles" are refused
 * (nobody chooses their own role); a new password is checked against the
 * policy (and the 72-byte limit).  What is read points into body.
 */
#ifndef GH_USER_INPUT_H
#define GH_USER_INPUT_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/json.h"
#include "domain/accounts.h"
#include "domain/users.h"
#include "http/http.h"

#define GH_USER_INPUT_ADMIN	0x01	/* roles and status may be given */

/*
 * Reads a new account out of body into a.  Problems are noted in errs;
 * returns -1 when there were any.
 */
int	gh_user_input_read(const struct gh_config *, struct json_object *body,
	    int flags, struct gh_account_new *a, struct gh_input_errors *);

/*
 * Reads an admin's changes of user u out of body into p, as
 * gh_user_input_read() does.
 */
int	gh_user_input_patch(const struct gh_config *, struct json_object *body,
	    const struct gh_user *u, struct gh_account_patch *p,
	    struct gh_input_errors *);

/*
 * Reads a user's change of their own profile (PATCH /api/auth/me) out of
 * body into p: full_name, phone and email by the same rules as above;
 * every other field, known or not, is a 422 naming it (nobody changes
 * their own username, roles, status, password or verification here).
 */
int	gh_user_input_own(struct json_object *body, struct gh_user_patch *p,
	    struct gh_input_errors *);

/* Checks a new password against the policy, noting a 422 under field. */
void	gh_user_input_check_password(const struct gh_config *, const char *pw,
	    size_t len, const char *username, const char *email,
	    const char *field, struct gh_input_errors *);

/*
 * Answers a creation or change of a user that failed with st: for
 * GH_CONFLICT, 409 naming the taken field, or 422 when a role does not
 * exist (both with "fields"); else as gh_respond_status().
 */
void	gh_user_input_failed(struct gh_request *, enum gh_status st);

#endif
