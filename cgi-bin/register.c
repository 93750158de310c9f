/*
 * register: POST /api/auth/register.  Anyone may create an account with
 * the default role, unless registration is closed in the config.  It
 * signs and checks no token, so it needs no JWT secret.
 */
#include "core/json.h"
#include "domain/accounts.h"
#include "domain/throttle.h"
#include "http/http.h"
#include "http/serve.h"
#include "http/user_input.h"
#include "http/views.h"

static void
handle_register(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_new	 a;
	struct gh_user		 u;
	struct json_object	*body;
	enum gh_status		 st;
	const char		*addr;
	long			 wait;

	if (req->cfg->registration == GH_REGISTRATION_CLOSED) {
		gh_respond_error(req, 403, "registration_closed",
		    "Registration is closed; ask an administrator for an "
		    "account.");
		return;
	}
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_user_input_read(req->cfg, body, 0, &a, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if ((addr = gh_request_getenv(req, "REMOTE_ADDR")) == NULL)
		addr = "";
	/* Counted before any password work, whatever comes of it. */
	if ((st = gh_throttle_register_attempt(req->db, req->cfg, addr,
	    &wait)) != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	if (wait > 0) {
		gh_respond_throttled(req, wait);
		goto out;
	}
	if ((st = gh_account_create(req->db, req->cfg, &a, &u)) != GH_OK) {
		gh_user_input_failed(req, st);
		goto out;
	}
	gh_respond_json(req, 201, gh_view_user(&u));
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "POST", "/api/auth/register", handle_register },
};

int
main(void)
{
	static const struct gh_program prog = {
		"register", routes, GH_NROUTES(routes), 0, NULL, NULL
	};

	return gh_serve(&prog);
}
