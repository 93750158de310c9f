/*
 * fields: the rules on a user's fields, role names and new passwords, as
 * pure functions of the bytes.  The HTTP readers and the CLI both check
 * with these, so a value one accepts the other accepts too.
 *
 * Promises: every check reads exactly s[0..len) (s need not be
 * NUL-terminated; a NUL inside is refused, never a cut value), touches no
 * database and no global state, and returns NULL when the value is fine,
 * else a short sentence saying what is wrong, fit to follow the field's
 * name ("must be 3 to 64 characters").
 */
#ifndef GH_FIELDS_H
#define GH_FIELDS_H

#include <stddef.h>

#include "core/config.h"

const char	*gh_field_check_username(const char *s, size_t len);
const char	*gh_field_check_email(const char *s, size_t len);
const char	*gh_field_check_employee_id(const char *s, size_t len);
const char	*gh_field_check_full_name(const char *s, size_t len);
const char	*gh_field_check_phone(const char *s, size_t len);

/* A role name: 1 to 64 characters of [a-z0-9_-]. */
const char	*gh_field_check_role_name(const char *s, size_t len);

/*
 * A new password against cfg's policy and the 72-byte limit; username and
 * email (either may be NULL) must not be the password.
 */
const char	*gh_field_check_password(const struct gh_config *,
		    const char *pw, size_t len, const char *username,
		    const char *email);

#endif
