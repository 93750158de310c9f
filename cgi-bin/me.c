/*
 * me: GET /api/auth/me and POST /api/auth/password, the signed-in user's
 * own account.
 */
#include <json-c/json.h>

#include "core/json.h"
#include "core/password.h"
#include "domain/signin.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/serve.h"
#include "http/views.h"

static void
handle_me(struct gh_request *req)
{
	struct gh_principal	 p;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	gh_respond_json(req, 200, gh_view_user(&p.user));
}

static void
handle_password(struct gh_request *req)
{
	struct gh_input_errors		 errs = { 0 };
	struct gh_password_change	 pc;
	struct gh_principal		 p;
	struct gh_signin		 out;
	struct json_object		*body;
	enum gh_status			 st;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "current_password", GH_FIELD_REQUIRED,
	    &pc.current, &pc.current_len, &errs);
	(void)gh_json_string(body, "new_password", GH_FIELD_REQUIRED, &pc.next,
	    &pc.next_len, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = gh_signin_change_password(req->db, req->cfg, &p, &pc, &out);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (out.outcome == GH_SIGNIN_BAD_CREDENTIALS)
		gh_respond_error(req, 401, "invalid_grant",
		    "The current password is wrong.");
	else if (out.outcome == GH_SIGNIN_WEAK_PASSWORD) {
		gh_input_invalid(&errs, "new_password",
		    gh_password_verdict_str(out.verdict));
		gh_respond_input_errors(req, &errs);
	} else
		gh_respond(req, 204, NULL, NULL);
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "GET", "/api/auth/me", handle_me },
	{ "POST", "/api/auth/password", handle_password },
};

int
main(void)
{
	static const struct gh_program prog = {
		"me", routes, GH_NROUTES(routes), GH_CONFIG_NEED_SECRET,
		NULL, NULL
	};

	return gh_serve(&prog);
}
