/*
 * cookie: the sign-in cookies' names, and reading one from a request.
 */
#include "domain/principal.h"
#include "http/cookie.h"

/* [secure][which]: the prefixes RFC 6265bis gives a cookie no one else sets. */
static const char *const names[2][3] = {
	{ "gh_access", "gh_refresh", "gh_csrf" },
	{ "__Host-gh_access", "__Secure-gh_refresh", "__Host-gh_csrf" }
};

const char *
gh_cookie_name(const struct gh_config *cfg, enum gh_cookie which)
{
	return names[cfg->cookie_secure ? 1 : 0][which];
}

int
gh_cookie_get(const struct gh_request *req, enum gh_cookie which,
    const char **val, size_t *len)
{
	return gh_principal_cookie(gh_request_getenv(req, "HTTP_COOKIE"),
	    gh_cookie_name(req->cfg, which), val, len);
}
