/*
 * admin: everything under /api/admin/.  Every request, whatever its path,
 * first needs a live token of a user holding "admin" (the guard), so an
 * unknown admin path tells an outsider nothing.
 */
#include <json-c/json.h>

#include "admin.h"
#include "core/json.h"
#include "domain/audit.h"
#include "domain/fields.h"
#include "domain/roles.h"
#include "domain/users.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/serve.h"
#include "http/views.h"

static int
guard(struct gh_request *req)
{
	struct gh_principal	 caller;

	if (gh_auth_require_role(req, "admin", &caller) != 0)
		return -1;
	/* Every row the request appends names its admin. */
	gh_audit_actor(caller.user.id);
	return 0;
}

/* Answers with a view, or 500 when it could not be built. */
static void
answer_view(struct gh_request *req, int status, struct json_object *view)
{
	if (view == NULL)
		gh_respond_internal(req, "json");
	else
		gh_respond_json(req, status, view);
}

void
admin_answer_page(struct gh_request *req, struct json_object *items,
    const char *next)
{
	struct json_object	*body;

	if ((body = gh_view_items(items)) == NULL ||
	    gh_json_add_string(body, "next", next) == -1) {
		json_object_put(body);
		gh_respond_internal(req, "json");
		return;
	}
	gh_respond_json(req, 200, body);
}

static void
handle_dashboard(struct gh_request *req)
{
	enum gh_status		 st;
	long			 total, active, suspended;

	if ((st = gh_users_count(req->db, &total, &active, &suspended)) !=
	    GH_OK)
		gh_respond_status(req, st);
	else
		answer_view(req, 200, gh_view_dashboard(total, active,
		    suspended));
}

static void
add_role(const char *name, const char *description, void *arg)
{
	struct json_object	*items = arg, *role;

	if ((role = gh_view_role(name, description)) != NULL &&
	    json_object_array_add(items, role) != 0)
		json_object_put(role);
}

static void
handle_roles(struct gh_request *req)
{
	struct json_object	*items;
	enum gh_status		 st;

	if ((items = json_object_new_array()) == NULL) {
		gh_respond_internal(req, "json");
		return;
	}
	if ((st = gh_roles_list(req->db, add_role, items)) != GH_OK) {
		json_object_put(items);
		gh_respond_status(req, st);
		return;
	}
	answer_view(req, 200, gh_view_items(items));
}

static void
handle_role_create(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body, *fields;
	enum gh_status		 st;
	const char		*name, *why, *desc = "";
	size_t			 len, dlen = 0;

	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_json_string(body, "name", GH_FIELD_REQUIRED, &name, &len,
	    &errs) == 1 && (why = gh_field_check_role_name(name, len)) != NULL)
		gh_input_invalid(&errs, "name", why);
	if (gh_json_string(body, "description", GH_FIELD_NULLABLE, &desc,
	    &dlen, &errs) == 1 && dlen > GH_ROLE_DESCRIPTION_MAX)
		gh_input_invalid(&errs, "description",
		    "must be at most 200 characters");
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if (desc == NULL)
		desc = "";
	st = gh_roles_create(req->db, name, desc);
	if (st == GH_CONFLICT) {
		fields = json_object_new_object();
		(void)gh_json_add(fields, "name",
		    json_object_new_string("is already taken"));
		gh_respond_fields(req, 409, "conflict", "That role exists.",
		    fields);
	} else if (st != GH_OK)
		gh_respond_status(req, st);
	else
		answer_view(req, 201, gh_view_role(name, desc));
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "GET", "/api/admin/dashboard", handle_dashboard },
	{ "GET", "/api/admin/users", admin_list },
	{ "POST", "/api/admin/users", admin_create },
	{ "GET", "/api/admin/users/*", admin_get },
	{ "PATCH", "/api/admin/users/*", admin_patch },
	{ "DELETE", "/api/admin/users/*", admin_delete },
	{ "GET", "/api/admin/roles", handle_roles },
	{ "POST", "/api/admin/roles", handle_role_create },
	{ "GET", "/api/admin/audit", admin_audit },
};

int
main(void)
{
	static const struct gh_program prog = {
		"admin", routes, GH_NROUTES(routes),
		GH_CONFIG_NEED_SECRET | GH_CONFIG_NEED_MAIL, guard, NULL, 0
	};

	return gh_serve(&prog);
}
