/*
 * cookie: the browser sign-in's three cookies (../docs/API.md, "Browser
 * sign-in"): gh_access (the access token), gh_refresh (the refresh
 * token, Path=/auth/) and gh_csrf (the CSRF token, readable by
 * JavaScript).
 *
 * Promises: a cookie is always asked for by its role, never by a
 * spelled-out name, so the __Host-/__Secure- prefixes of cookie_secure
 * are applied in one place; a value is a view into the request's Cookie
 * header, never copied.
 */
#ifndef GH_COOKIE_H
#define GH_COOKIE_H

#include <stddef.h>

#include "core/config.h"
#include "http/http.h"

enum gh_cookie {
	GH_COOKIE_ACCESS,
	GH_COOKIE_REFRESH,
	GH_COOKIE_CSRF
};

/*
 * The cookie's name under cfg: "__Host-gh_access", "__Secure-gh_refresh"
 * and "__Host-gh_csrf" with cookie_secure, else the bare names.
 */
const char	*gh_cookie_name(const struct gh_config *, enum gh_cookie);

/*
 * The cookie's value in req's Cookie header: 0 with *val and *len set
 * (a view into the header), -1 when absent or empty.
 */
int		 gh_cookie_get(const struct gh_request *, enum gh_cookie,
		    const char **val, size_t *len);

#endif
