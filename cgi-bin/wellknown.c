/*
 * wellknown: GET /.well-known/oauth-authorization-server (RFC 8414) and
 * GET /.well-known/jwks.json: what other services read to trust
 * gatehouse's tokens.  Public documents, cached by max-age and readable
 * from any origin.  It loads no secret and its database role reads no
 * private key: this program is the one most exposed (any client, no
 * credentials), so it holds nothing to leak.
 */

#include "core/jwt.h"
#include "domain/keys.h"
#include "http/discovery.h"
#include "http/http.h"
#include "http/serve.h"

static void
handle_metadata(struct gh_request *req)
{
	char	 base[GH_URL_BASE_MAX + 1];

	if (gh_discovery_base(req, base, sizeof(base)) == -1) {
		gh_respond_error(req, 400, "invalid_request", "The Host header "
		    "is not a valid host name, and public_base_url is not "
		    "set.");
		return;
	}
	gh_respond_public(req, gh_discovery_metadata(req->cfg, base),
	    req->cfg->jwks_max_age_seconds);
}

/*
 * The published keys: next, current and previous (domain/keys.h), never
 * a retired one; a client caches the set for max-age, which is why a
 * new key is published that long before it signs.
 */
static void
handle_jwks(struct gh_request *req)
{
	static const char	 none[] = "{\"keys\":[]}";
	static char		 set[GH_KEYS_JWKS_MAX];
	enum gh_status		 st = GH_OK;
	long			 n;

	/* An HMAC secret is nothing another service could verify with. */
	if (gh_jwt_alg_is_hmac(req->cfg->jwt_algorithm)) {
		gh_respond_public_text(req, none, sizeof(none) - 1,
		    req->cfg->jwks_max_age_seconds);
		return;
	}
	/* keys.c wrote it from the keys' JSON: no parse, no copy. */
	if ((n = gh_keys_jwks_json(req->db, set, sizeof(set), &st)) < 0) {
		gh_respond_status(req, st);
		return;
	}
	gh_respond_public_text(req, set, (size_t)n,
	    req->cfg->jwks_max_age_seconds);
}

static const struct gh_route routes[] = {
	{ "GET", "/.well-known/oauth-authorization-server", handle_metadata },
	{ "GET", "/.well-known/jwks.json", handle_jwks },
};

int
main(void)
{
	/* No secret: nothing here signs or verifies a token. */
	static const struct gh_program prog = {
		"wellknown", routes, GH_NROUTES(routes), 0, NULL, NULL, 0
	};

	return gh_serve(&prog);
}
