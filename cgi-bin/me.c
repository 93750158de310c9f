/*
 * me: GET /api/auth/me, the signed-in user.  Cheap per request (a
 * signature check and a query), and never waits on a bcrypt: the own
 * password change, which hashes, is login's (login.c).
 */
#include <json-c/json.h>

#include "domain/principal.h"
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

static const struct gh_route routes[] = {
	{ "GET", "/api/auth/me", handle_me },
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
