/*
 * me: GET /api/auth/me, the signed-in user, and POST
 * /api/auth/introspect, any token's state for a caller with the
 * introspect (or admin) role; POST /api/auth/email/verify/resend, a new
 * verification link for the caller; the user's own sessions and profile
 * (GET and DELETE /api/auth/sessions, PATCH /api/auth/me: me_sessions.c).
 * Cheap per request (a signature check and a query), and never waits on
 * a bcrypt: the own password change, which hashes, is login's (login.c).
 */
#include <json-c/json.h>

#include <string.h>

#include "core/log.h"
#include "domain/introspect.h"
#include "domain/principal.h"
#include "domain/users.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/serve.h"
#include "http/verify_mail.h"
#include "http/views.h"
#include "me.h"

static void
handle_me(struct gh_request *req)
{
	struct gh_principal	 p;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	gh_respond_json(req, 200, gh_view_user(&p.user));
}

/*
 * POST /api/auth/email/verify/resend: a new verification link to the
 * caller's address, after the response; 202 whether one goes or not (an
 * address confirmed already, or none, gets nothing).
 */
static void
handle_resend(struct gh_request *req)
{
	struct gh_principal	 p;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if (req->cfg->public_base_url[0] == '\0') {
		gh_respond_error(req, 503, "unavailable", "Email "
		    "verification needs public_base_url, which this server "
		    "does not set.");
		return;
	}
	gh_verify_mail_queue(req, &p.user);
	gh_respond_json(req, 202, gh_view_accepted());
}

/* The caller may introspect: the introspect role, or admin. */
static int
require_introspector(struct gh_request *req)
{
	struct gh_auth_need	 need = { NULL, NULL, NULL };
	struct gh_auth_verdict	 v;
	struct gh_principal	 p;

	if (gh_auth_decide(req, &need, &p, &v) == GH_AUTH_ALLOW &&
	    !gh_users_has_role(&p.user, GH_ROLE_INTROSPECT) &&
	    !gh_users_has_role(&p.user, "admin"))
		v.outcome = GH_AUTH_NO_ROLE;
	if (v.outcome == GH_AUTH_ALLOW)
		return 0;
	gh_auth_deny(req, &v, GH_DENY_FULL);
	return -1;
}

/*
 * RFC 7662, for services that ask rather than verify: here, beside /me,
 * because it is the same check on every call, made by the pool that
 * makes it fastest, and never waits on a login's bcrypt.
 */
static void
handle_introspect(struct gh_request *req)
{
	struct gh_introspection	 in;
	struct json_object	*body;
	const char		*tok;
	size_t			 len;
	enum gh_status		 st;

	if (require_introspector(req) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	if (gh_auth_token_param(req, body, &tok, &len) == -1)
		goto out;
	if ((st = gh_introspect(req->db, req->key, tok, len, &in)) != GH_OK)
		gh_respond_status(req, st);
	else
		gh_respond_json(req, 200, gh_view_introspection(&in,
		    req->cfg->jwt_issuer));
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "GET", "/api/auth/me", handle_me },
	{ "PATCH", "/api/auth/me", me_profile_patch },
	{ "POST", "/api/auth/introspect", handle_introspect },
	{ "POST", "/api/auth/email/verify/resend", handle_resend },
	{ "GET", "/api/auth/sessions", me_sessions_list },
	{ "DELETE", "/api/auth/sessions/*", me_sessions_end },
};

int
main(void)
{
	static const struct gh_program prog = {
		"me", routes, GH_NROUTES(routes),
		GH_CONFIG_NEED_SECRET | GH_CONFIG_NEED_MAIL, NULL, NULL, 0
	};

	return gh_serve(&prog);
}
