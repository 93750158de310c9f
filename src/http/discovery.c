/*
 * discovery: the authorization server metadata.  See discovery.h.
 */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "core/json.h"
#include "core/str.h"
#include "core/url.h"
#include "http/discovery.h"

/* The longest endpoint URL: a base and the longest path above. */
#define URL_MAX		(GH_URL_BASE_MAX + 64)

static bool
is_https(const struct gh_request *req)
{
	const char	*on = gh_request_getenv(req, "HTTPS");
	const char	*scheme = gh_request_getenv(req, "REQUEST_SCHEME");

	if (on != NULL && (gh_str_eq_nocase(on, strlen(on), "on", 2) ||
	    strcmp(on, "1") == 0))
		return true;
	return scheme != NULL && gh_str_eq_nocase(scheme, strlen(scheme),
	    "https", 5);
}

int
gh_discovery_base(const struct gh_request *req, char *out, size_t outsz)
{
	const char	*base = req->cfg->public_base_url;
	size_t		 len = strlen(base);

	if (len > 0) {
		if (len >= outsz)
			return -1;
		memcpy(out, base, len + 1);
		return 0;
	}
	return gh_url_request_base(is_https(req),
	    gh_request_getenv(req, "HTTP_HOST"),
	    gh_request_getenv(req, "SERVER_NAME"),
	    gh_request_getenv(req, "SERVER_PORT"), out, outsz);
}

int
gh_discovery_origin(const struct gh_request *req, char *out, size_t outsz)
{
	char	*host, *path;

	if (gh_discovery_base(req, out, outsz) == -1 ||
	    (host = strstr(out, "://")) == NULL)
		return -1;
	/* public_base_url may name a path; an origin never does. */
	if ((path = strchr(host + 3, '/')) != NULL)
		*path = '\0';
	return 0;
}

/* Adds "key": base + path; -1 when it does not fit or cannot be added. */
static int
add_url(struct json_object *o, const char *key, const char *base,
    const char *path)
{
	char	 url[URL_MAX];

	if (gh_url_join(base, path, url, sizeof(url)) == -1)
		return -1;
	return gh_json_add(o, key, json_object_new_string(url));
}

/* A JSON array of the strings of list, NULL-terminated. */
static struct json_object *
strings(const char *const *list)
{
	struct json_object	*arr;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; list[i] != NULL; i++)
		if (json_object_array_add(arr,
		    json_object_new_string(list[i])) != 0) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

struct json_object *
gh_discovery_metadata(const struct gh_config *cfg, const char *base)
{
	static const char *const grants[] = { "password", "refresh_token",
	    NULL };
	/* Public clients: a token is the only credential (RFC 7009 2.1). */
	static const char *const auth[] = { "none", NULL };
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (gh_json_add(o, "issuer", json_object_new_string(
	    cfg->jwt_issuer)) == -1 ||
	    add_url(o, "token_endpoint", base, GH_PATH_TOKEN) == -1 ||
	    add_url(o, "jwks_uri", base, GH_PATH_JWKS) == -1 ||
	    add_url(o, "revocation_endpoint", base, GH_PATH_REVOKE) == -1 ||
	    add_url(o, "introspection_endpoint", base,
	    GH_PATH_INTROSPECT) == -1 ||
	    gh_json_add(o, "grant_types_supported", strings(grants)) == -1 ||
	    gh_json_add(o, "token_endpoint_auth_methods_supported",
	    strings(auth)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
