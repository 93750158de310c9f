/*
 * user_input: users' fields from request bodies.  See user_input.h.
 */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "core/json.h"
#include "domain/accounts.h"
#include "domain/fields.h"
#include "domain/users.h"
#include "http/http.h"
#include "http/user_input.h"

/* Reads an optional string field; NULL, "" or absent reads as NULL. */
static void
read_optional(struct json_object *body, const char *key,
    const char *(*check)(const char *, size_t), const char **value,
    bool *present, struct gh_input_errors *errs)
{
	const char	*why, *s;
	size_t		 len;
	int		 rc;

	*value = NULL;
	if (present != NULL)
		*present = gh_json_has(body, key);
	rc = gh_json_string(body, key, GH_FIELD_NULLABLE, &s, &len, errs);
	if (rc != 1 || len == 0)
		return;
	if ((why = check(s, len)) != NULL)
		gh_input_invalid(errs, key, why);
	*value = s;
}

void
gh_user_input_check_password(const struct gh_config *cfg, const char *pw,
    size_t len, const char *username, const char *email, const char *field,
    struct gh_input_errors *errs)
{
	const char	*why;

	if ((why = gh_field_check_password(cfg, pw, len, username,
	    email)) != NULL)
		gh_input_invalid(errs, field, why);
}

static void
read_roles(struct json_object *body, struct gh_role_set *roles,
    struct gh_input_errors *errs)
{
	struct json_object	*arr, *el;
	const char		*name;
	size_t			 i, n;

	if (gh_json_string_array(body, "roles", 0, GH_ROLES_MAX, &arr,
	    errs) != 1)
		return;
	roles->given = true;
	n = json_object_array_length(arr);
	for (i = 0; i < n && i < GH_ROLES_MAX; i++) {
		el = json_object_array_get_idx(arr, i);
		name = json_object_get_string(el);
		if (gh_field_check_role_name(name,
		    (size_t)json_object_get_string_len(el)) != NULL) {
			gh_input_invalid(errs, "roles",
			    "each role must be 1 to 64 characters of a-z, 0-9, "
			    "'_' and '-'");
			return;
		}
		roles->names[roles->n++] = name;
	}
}

/* "status": *set when present, *active unless it is "suspended". */
static void
read_status(struct json_object *body, bool *set, bool *active,
    struct gh_input_errors *errs)
{
	const char	*s;
	size_t		 len;

	*set = false;
	*active = true;
	if (gh_json_string(body, "status", 0, &s, &len, errs) != 1)
		return;
	*set = true;
	if (strcmp(s, "suspended") == 0)
		*active = false;
	else if (strcmp(s, "active") != 0)
		gh_input_invalid(errs, "status",
		    "must be \"active\" or \"suspended\"");
}

int
gh_user_input_read(const struct gh_config *cfg, struct json_object *body,
    int flags, struct gh_account_new *a, struct gh_input_errors *errs)
{
	const char	*why;
	size_t		 len;
	bool		 set, active;

	memset(a, 0, sizeof(*a));
	if (gh_json_string(body, "username", GH_FIELD_REQUIRED, &a->username,
	    &len, errs) == 1 && (why = gh_field_check_username(a->username,
	    len)) != NULL)
		gh_input_invalid(errs, "username", why);
	(void)gh_json_string(body, "password", GH_FIELD_REQUIRED,
	    &a->password, &a->password_len, errs);
	read_optional(body, "email", gh_field_check_email, &a->email, NULL,
	    errs);
	read_optional(body, "full_name", gh_field_check_full_name,
	    &a->full_name, NULL, errs);
	read_optional(body, "employee_id", gh_field_check_employee_id,
	    &a->employee_id, NULL, errs);
	read_optional(body, "phone", gh_field_check_phone, &a->phone, NULL,
	    errs);
	if (flags & GH_USER_INPUT_ADMIN) {
		read_roles(body, &a->roles, errs);
		read_status(body, &set, &active, errs);
		a->suspended = set && !active;
	} else {
		if (gh_json_has(body, "role"))
			gh_input_invalid(errs, "role",
			    "cannot be chosen at registration");
		if (gh_json_has(body, "roles"))
			gh_input_invalid(errs, "roles",
			    "cannot be chosen at registration");
	}
	if (a->password != NULL && a->username != NULL)
		gh_user_input_check_password(cfg, a->password,
		    a->password_len, a->username, a->email, "password", errs);
	return gh_input_failed(errs) ? -1 : 0;
}

int
gh_user_input_patch(const struct gh_config *cfg, struct json_object *body,
    const struct gh_user *u, struct gh_account_patch *p,
    struct gh_input_errors *errs)
{
	struct gh_user_patch	*f = &p->fields;

	memset(p, 0, sizeof(*p));
	read_optional(body, "email", gh_field_check_email, &f->email,
	    &f->set_email, errs);
	read_optional(body, "full_name", gh_field_check_full_name,
	    &f->full_name, &f->set_full_name, errs);
	read_optional(body, "employee_id", gh_field_check_employee_id,
	    &f->employee_id, &f->set_employee_id, errs);
	read_optional(body, "phone", gh_field_check_phone, &f->phone,
	    &f->set_phone, errs);
	read_status(body, &p->set_status, &p->active, errs);
	read_roles(body, &p->roles, errs);
	if (gh_json_string(body, "password", 0, &p->password, &p->password_len,
	    errs) == 1)
		gh_user_input_check_password(cfg, p->password, p->password_len,
		    u->username, f->set_email ? f->email : u->email,
		    "password", errs);
	return gh_input_failed(errs) ? -1 : 0;
}

int
gh_user_input_own(struct json_object *body, struct gh_user_patch *p,
    struct gh_input_errors *errs)
{
	memset(p, 0, sizeof(*p));
	read_optional(body, "email", gh_field_check_email, &p->email,
	    &p->set_email, errs);
	read_optional(body, "full_name", gh_field_check_full_name,
	    &p->full_name, &p->set_full_name, errs);
	read_optional(body, "phone", gh_field_check_phone, &p->phone,
	    &p->set_phone, errs);
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (strcmp(key, "email") != 0 &&
		    strcmp(key, "full_name") != 0 &&
		    strcmp(key, "phone") != 0)
			gh_input_invalid(errs, key,
			    "cannot be changed by its user");
	}
	return gh_input_failed(errs) ? -1 : 0;
}

void
gh_user_input_failed(struct gh_request *req, enum gh_status st)
{
	struct json_object	*fields;
	const char		*field;

	if (st != GH_CONFLICT) {
		gh_respond_status(req, st);
		return;
	}
	field = gh_users_conflict_field(req->db);
	fields = json_object_new_object();
	if (strcmp(field, "roles") == 0) {
		(void)gh_json_add(fields, "roles", json_object_new_string(
		    "names a role that does not exist"));
		gh_respond_fields(req, 422, "validation_failed",
		    "Some fields have invalid values.", fields);
		return;
	}
	if (*field != '\0')
		(void)gh_json_add(fields, field,
		    json_object_new_string("is already taken"));
	gh_respond_fields(req, 409, "conflict",
	    "A user with that value already exists.", fields);
}
