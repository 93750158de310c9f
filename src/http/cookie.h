/*
 * cookie: the browser sign-in's three cookies (../docs/API.md, "Browser
 * sign-in"): gh_access (the access token), gh_refresh (the refresh
 * token, Path=/auth/) and gh_csrf (the CSRF token, readable by
 * JavaScript).
 *
 * Promises: a cookie is always asked for by its role, never by a
 * spelled-out name, so the __Host-/__Secure- prefixes of cookie_secure
 * are applied in one place; a value is a view into the request's Cookie
 * header, never copied.  Every Set-Cookie line is written here, with the
 * attributes of the contract for its role (HttpOnly but for gh_csrf,
 * SameSite=Lax but Strict for gh_refresh, Path=/ but /auth/ for
 * gh_refresh, Secure with cookie_secure).  A CSRF token is 32 random
 * bytes in base64url, and a form's is compared with the cookie's in
 * constant time, lengths first.
 */
#ifndef GH_COOKIE_H
#define GH_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bounds.h"
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

/* The longest Set-Cookie line: a token, a name and the attributes. */
#define GH_COOKIE_LINE_MAX	(GH_TOKEN_MAX + 256)

/*
 * "Set-Cookie: NAME=value; Path=...; Max-Age=max_age; ..." into line
 * (GH_COOKIE_LINE_MAX bytes); value "" and max_age 0 clear the cookie.
 * 0, or -1 when it does not fit or value holds a byte a cookie may not
 * (RFC 6265 cookie-octet).
 */
int		 gh_cookie_set(const struct gh_config *, enum gh_cookie,
		    const char *value, long max_age, char *line,
		    size_t linesz);

/* A new CSRF token: GH_CSRF_LEN characters and a NUL into out. */
#define GH_CSRF_BYTES	32
#define GH_CSRF_LEN	43
int		 gh_cookie_csrf_new(char *out, size_t outsz);

/*
 * How long gh_refresh and gh_csrf live, in seconds: the refresh token's
 * lifetime (refresh_token_expire_days), so a browser that keeps its
 * session keeps the CSRF token its requests need.
 */
long		 gh_cookie_max_age(const struct gh_config *);

/*
 * The CSRF token a form is to carry: req's gh_csrf cookie when it holds
 * one of ours, else a new one, with its Set-Cookie line in line; line is
 * "" when the cookie stays.  0, or -1 when no token could be made.
 */
int		 gh_cookie_csrf_form(const struct gh_request *, char *tok,
		    size_t toksz, char *line, size_t linesz);

/*
 * Does the form's token tok[0..len) equal req's gh_csrf cookie?  False
 * when either is missing or empty.
 */
bool		 gh_cookie_csrf_ok(const struct gh_request *, const char *tok,
		    size_t len);

#endif
