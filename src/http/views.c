/*
 * views: response bodies.  See views.h.
 */
#include <json-c/json.h>

#include "core/json.h"
#include "http/views.h"

static int
add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static struct json_object *
roles_array(const struct gh_user *u)
{
	struct json_object	*arr;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < u->nroles; i++)
		if (json_object_array_add(arr,
		    json_object_new_string(u->roles[i])) != 0) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

struct json_object *
gh_view_user(const struct gh_user *u)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add(o, "id", json_object_new_string(u->id)) == -1 ||
	    add(o, "username", json_object_new_string(u->username)) == -1 ||
	    gh_json_add_string(o, "email", u->email) == -1 ||
	    gh_json_add_string(o, "full_name", u->full_name) == -1 ||
	    gh_json_add_string(o, "employee_id", u->employee_id) == -1 ||
	    gh_json_add_string(o, "phone", u->phone) == -1 ||
	    add(o, "status", json_object_new_string(u->active ? "active" :
	    "suspended")) == -1 ||
	    add(o, "roles", roles_array(u)) == -1 ||
	    add(o, "created_at", json_object_new_string(u->created_at)) == -1 ||
	    add(o, "updated_at", json_object_new_string(u->updated_at)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
gh_view_tokens(const struct gh_token_pair *p)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add(o, "access_token", json_object_new_string(p->access)) == -1 ||
	    add(o, "refresh_token", json_object_new_string(p->refresh)) == -1 ||
	    add(o, "token_type", json_object_new_string("bearer")) == -1 ||
	    add(o, "expires_in", json_object_new_int(p->expires_in)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
