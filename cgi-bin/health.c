/*
 * health: GET /health, for load balancers and monitors; it also answers
 * the contract's JSON 404 for any /api/ path no other program serves.
 */
#include <json-c/json.h>

#include "core/json.h"
#include "data/db.h"
#include "http/http.h"
#include "http/serve.h"

static void
handle_health(struct gh_request *req)
{
	static const char *const retry[] = { GH_RETRY_AFTER_UNAVAILABLE,
		NULL };
	struct json_object	*body;
	int			 up;

	up = gh_db_ping(req->db) == GH_OK;
	if ((body = json_object_new_object()) == NULL ||
	    gh_json_add(body, "status",
	    json_object_new_string(up ? "ok" : "degraded")) == -1 ||
	    gh_json_add(body, "database",
	    json_object_new_string(up ? "ok" : "unreachable")) == -1) {
		json_object_put(body);
		gh_respond_internal(req, "json");
		return;
	}
	gh_respond(req, up ? 200 : 503, body, up ? NULL : retry);
}

static const struct gh_route routes[] = {
	{ "GET", "/health", handle_health },
};

int
main(void)
{
	/* No secret: health neither signs nor verifies a token. */
	static const struct gh_program prog = {
		"health", routes, GH_NROUTES(routes), 0, NULL, NULL
	};

	return gh_serve(&prog);
}
