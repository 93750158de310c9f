/*
 * user_input: new users from request bodies.  See user_input.h.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "http/http.h"
#include "core/json.h"
#include "core/password.h"
#include "http/user_input.h"
#include "domain/fields.h"
#include "domain/users.h"
#include "http/views.h"

void
gh_user_input_optional(struct json_object *body, const char *key,
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
	struct gh_password_policy	 policy;
	enum gh_password_verdict	 v;

	policy.min_length = cfg->password_min_length;
	policy.require_classes = cfg->password_require_classes;
	v = gh_password_check(&policy, pw, len, username, email);
	if (v != GH_PW_OK)
		gh_input_invalid(errs, field, gh_password_verdict_str(v));
}

void
gh_user_input_roles(struct json_object *body, struct gh_user_input *in,
    struct gh_input_errors *errs)
{
	struct json_object	*arr, *el;
	const char		*name;
	size_t			 i, n;

	if (gh_json_string_array(body, "roles", 0, GH_ROLES_MAX, &arr,
	    errs) != 1)
		return;
	in->has_roles = true;
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
		in->roles[in->nroles++] = name;
	}
}

static void
read_status(struct json_object *body, struct gh_user_input *in,
    struct gh_input_errors *errs)
{
	const char	*s;
	size_t		 len;

	if (gh_json_string(body, "status", 0, &s, &len, errs) != 1)
		return;
	if (strcmp(s, "active") == 0)
		in->suspended = false;
	else if (strcmp(s, "suspended") == 0)
		in->suspended = true;
	else
		gh_input_invalid(errs, "status",
		    "must be \"active\" or \"suspended\"");
}

int
gh_user_input_read(const struct gh_config *cfg, struct json_object *body,
    int flags, struct gh_user_input *in, struct gh_input_errors *errs)
{
	const char	*why;
	size_t		 len;

	memset(in, 0, sizeof(*in));
	if (gh_json_string(body, "username", GH_FIELD_REQUIRED, &in->username,
	    &len, errs) == 1 && (why = gh_field_check_username(in->username,
	    len)) != NULL)
		gh_input_invalid(errs, "username", why);
	(void)gh_json_string(body, "password", GH_FIELD_REQUIRED,
	    &in->password, &in->password_len, errs);
	gh_user_input_optional(body, "email", gh_field_check_email,
	    &in->email, NULL, errs);
	gh_user_input_optional(body, "full_name", gh_field_check_full_name,
	    &in->full_name, NULL, errs);
	gh_user_input_optional(body, "employee_id", gh_field_check_employee_id,
	    &in->employee_id, NULL, errs);
	gh_user_input_optional(body, "phone", gh_field_check_phone,
	    &in->phone, NULL, errs);
	if (flags & GH_USER_INPUT_ADMIN) {
		gh_user_input_roles(body, in, errs);
		read_status(body, in, errs);
	} else {
		if (gh_json_has(body, "role"))
			gh_input_invalid(errs, "role",
			    "cannot be chosen at registration");
		if (gh_json_has(body, "roles"))
			gh_input_invalid(errs, "roles",
			    "cannot be chosen at registration");
	}
	if (in->password != NULL && in->username != NULL)
		gh_user_input_check_password(cfg, in->password,
		    in->password_len, in->username, in->email, "password",
		    errs);
	return gh_input_failed(errs) ? -1 : 0;
}

static void
answer_conflict(struct gh_request *req)
{
	struct json_object	*fields;
	const char		*field;

	field = gh_users_conflict_field(req->db);
	fields = json_object_new_object();
	if (strcmp(field, "roles") == 0) {
		if (fields != NULL)
			(void)json_object_object_add(fields, "roles",
			    json_object_new_string("names a role that does "
			    "not exist"));
		gh_respond_fields(req, 422, "validation_failed",
		    "Some fields have invalid values.", fields);
		return;
	}
	if (fields != NULL && *field != '\0')
		(void)json_object_object_add(fields, field,
		    json_object_new_string("is already taken"));
	gh_respond_fields(req, 409, "conflict",
	    "A user with that value already exists.", fields);
}

void
gh_user_input_create(struct gh_request *req, const struct gh_user_input *in)
{
	static const char *const default_roles[] = { "user" };
	char			 hash[GH_HASH_MAX];
	struct gh_user_new	 n;
	struct gh_user		 u;
	enum gh_status		 st;

	if (gh_password_hash(in->password, in->password_len,
	    req->cfg->bcrypt_cost, hash, sizeof(hash)) == -1) {
		gh_respond_internal(req, "bcrypt");
		return;
	}
	memset(&n, 0, sizeof(n));
	n.username = in->username;
	n.email = in->email;
	n.employee_id = in->employee_id;
	n.full_name = in->full_name;
	n.phone = in->phone;
	n.password_hash = hash;
	n.suspended = in->suspended;
	n.roles = in->has_roles ? in->roles : default_roles;
	n.nroles = in->has_roles ? in->nroles : 1;
	st = gh_users_create(req->db, &n, &u);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (st == GH_CONFLICT)
		answer_conflict(req);
	else if (st != GH_OK)
		gh_respond_status(req, st);
	else
		gh_respond_json(req, 201, gh_view_user(&u));
}
