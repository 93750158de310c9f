/*
 * views: response bodies.  See views.h.
 */
#include <json-c/json.h>

#include "core/json.h"
#include "http/views.h"

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

/* Hands o back, or frees it and gives NULL when building it failed. */
static struct json_object *
done(struct json_object *o, int failed)
{
	if (failed) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
gh_view_user(const struct gh_user *u)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	return done(o,
	    gh_json_add(o, "id", json_object_new_string(u->id)) == -1 ||
	    gh_json_add(o, "username", json_object_new_string(u->username)) ==
	    -1 ||
	    gh_json_add_string(o, "email", u->email) == -1 ||
	    gh_json_add_string(o, "full_name", u->full_name) == -1 ||
	    gh_json_add_string(o, "employee_id", u->employee_id) == -1 ||
	    gh_json_add_string(o, "phone", u->phone) == -1 ||
	    gh_json_add(o, "status", json_object_new_string(u->active ?
	    "active" : "suspended")) == -1 ||
	    gh_json_add(o, "roles", roles_array(u)) == -1 ||
	    gh_json_add(o, "created_at", json_object_new_string(
	    u->created_at)) == -1 ||
	    gh_json_add(o, "updated_at", json_object_new_string(
	    u->updated_at)) == -1);
}

struct json_object *
gh_view_tokens(const struct gh_token_pair *p)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	return done(o,
	    gh_json_add(o, "access_token", json_object_new_string(
	    p->access)) == -1 ||
	    gh_json_add(o, "refresh_token", json_object_new_string(
	    p->refresh)) == -1 ||
	    gh_json_add(o, "token_type", json_object_new_string("bearer")) ==
	    -1 ||
	    gh_json_add(o, "expires_in", json_object_new_int(
	    p->expires_in)) == -1);
}

struct json_object *
gh_view_introspection(const struct gh_introspection *in, const char *issuer)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (!in->active)
		return done(o, gh_json_add(o, "active",
		    json_object_new_boolean(0)) == -1);
	return done(o,
	    gh_json_add(o, "active", json_object_new_boolean(1)) == -1 ||
	    gh_json_add(o, "token_type", json_object_new_string(
	    in->kind == GH_TOKEN_REFRESH ? "refresh_token" :
	    "access_token")) == -1 ||
	    gh_json_add(o, "sub", json_object_new_string(in->user.id)) == -1 ||
	    gh_json_add(o, "username", json_object_new_string(
	    in->user.username)) == -1 ||
	    gh_json_add(o, "roles", roles_array(&in->user)) == -1 ||
	    gh_json_add(o, "sid", json_object_new_string(in->sid)) == -1 ||
	    gh_json_add(o, "iss", json_object_new_string(issuer)) == -1 ||
	    gh_json_add(o, "iat", json_object_new_int64(in->iat)) == -1 ||
	    gh_json_add(o, "exp", json_object_new_int64(in->exp)) == -1);
}

struct json_object *
gh_view_role(const char *name, const char *description)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	return done(o,
	    gh_json_add(o, "name", json_object_new_string(name)) == -1 ||
	    gh_json_add(o, "description", json_object_new_string(
	    description)) == -1);
}

static struct json_object *
user_counts(long total, long active, long suspended)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	return done(o,
	    gh_json_add(o, "total", json_object_new_int64(total)) == -1 ||
	    gh_json_add(o, "active", json_object_new_int64(active)) == -1 ||
	    gh_json_add(o, "suspended", json_object_new_int64(suspended)) ==
	    -1);
}

struct json_object *
gh_view_dashboard(long total, long active, long suspended)
{
	struct json_object	*o, *users;

	users = user_counts(total, active, suspended);
	if ((o = json_object_new_object()) == NULL ||
	    gh_json_add(o, "message", json_object_new_string(
	    "Welcome admin")) == -1) {
		json_object_put(users);
		json_object_put(o);
		return NULL;
	}
	return done(o, gh_json_add(o, "users", users) == -1);
}

struct json_object *
gh_view_accepted(void)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	return done(o, gh_json_add(o, "status",
	    json_object_new_string("accepted")) == -1);
}

struct json_object *
gh_view_items(struct json_object *items)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(items);
		return NULL;
	}
	return done(o, gh_json_add(o, "items", items) == -1);
}
