/*
 * discovery: what gatehouse says of itself at /.well-known/ for clients
 * to find it: the RFC 8414 authorization server metadata.
 *
 * Promises: every URL is absolute and built on public_base_url when it
 * is set, else on the request's own scheme (HTTPS, REQUEST_SCHEME) and
 * host (the Host header, else SERVER_NAME and SERVER_PORT), each taken
 * only when core/url.h finds it a valid host: a Host header of junk is
 * never reflected.  The metadata holds no secret and nothing of a user.
 */
#ifndef GH_DISCOVERY_H
#define GH_DISCOVERY_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/config.h"
#include "http/http.h"

/* Paths of the endpoints the metadata names. */
#define GH_PATH_TOKEN		"/api/auth/login"
#define GH_PATH_JWKS		"/.well-known/jwks.json"
#define GH_PATH_REVOKE		"/api/auth/revoke"
#define GH_PATH_INTROSPECT	"/api/auth/introspect"

/*
 * The base URL the request's answer names gatehouse by, into out; -1
 * when there is none to tell (no public_base_url and no valid host).
 */
int	gh_discovery_base(const struct gh_request *, char *out, size_t outsz);

/*
 * This site's origin (RFC 6454), "scheme://host[:port]": that of
 * gh_discovery_base(), less any path.  -1 as gh_discovery_base().
 */
int	gh_discovery_origin(const struct gh_request *, char *out,
	    size_t outsz);

/*
 * The RFC 8414 metadata for base: issuer (jwt_issuer), the endpoints,
 * the grant types and the token endpoint's authentication (none).  A new
 * object, or NULL on memory failure or a base too long.
 */
struct json_object *gh_discovery_metadata(const struct gh_config *,
	    const char *base);

#endif
