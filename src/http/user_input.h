/*
 * user_input: reading a new user out of a request body, for registration
 * and the admin API alike, with every field rule of the contract, and
 * creating it.
 *
 * Promises: a field of the wrong JSON type is a 400; every invalid value
 * is named in one 422; at registration "role" and "roles" are refused
 * (nobody chooses their own role); the password is checked against the
 * policy (and the 72-byte limit) before it is hashed, and is never kept.
 */
#ifndef GH_USER_INPUT_H
#define GH_USER_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/bounds.h"
#include "http/http.h"
#include "core/json.h"

struct gh_user_input {
	const char	*username, *password, *email, *full_name, *employee_id,
			*phone;
	size_t		 password_len;
	const char	*roles[GH_ROLES_MAX];
	size_t		 nroles;
	bool		 has_roles;
	bool		 suspended;
};

#define GH_USER_INPUT_ADMIN	0x01	/* roles and status may be given */

/*
 * Reads the fields of body into in (pointers into body).  Problems are
 * noted in errs; returns -1 when there were any.
 */
int	gh_user_input_read(const struct gh_config *, struct json_object *body,
	    int flags, struct gh_user_input *, struct gh_input_errors *);

/* Reads "roles" (an array of role names) into in->roles and has_roles. */
void	gh_user_input_roles(struct json_object *body, struct gh_user_input *,
	    struct gh_input_errors *);

/* Checks a new password against the policy, noting a 422 under field. */
void	gh_user_input_check_password(const struct gh_config *, const char *pw,
	    size_t len, const char *username, const char *email,
	    const char *field, struct gh_input_errors *);

/*
 * Hashes the password, creates the user with in's roles (or "user"), and
 * answers 201 with the user, 409 naming the taken field, 422 for an
 * unknown role, or 503.
 */
void	gh_user_input_create(struct gh_request *, const struct gh_user_input *);

/* Notes an optional string field's problems; value NULL or "" clears. */
void	gh_user_input_optional(struct json_object *body, const char *key,
	    const char *(*check)(const char *, size_t), const char **value,
	    bool *present, struct gh_input_errors *);

#endif
