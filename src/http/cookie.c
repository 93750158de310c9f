/*
 * cookie: the sign-in cookies' names, reading one from a request, the
 * Set-Cookie lines, and the CSRF token.  See cookie.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/random.h"
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

/* RFC 6265 4.1.1 cookie-octet: what a value may hold unquoted. */
static bool
cookie_octets(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == ',' ||
		    *p == ';' || *p == '\\')
			return false;
	return true;
}

int
gh_cookie_set(const struct gh_config *cfg, enum gh_cookie which,
    const char *value, long max_age, char *line, size_t linesz)
{
	int	 n;

	if (!cookie_octets(value))
		return -1;
	/*
	 * The refresh cookie goes only to /auth/ (the sign-in page renews
	 * the pair there) and never on a request from another site, not
	 * even a top-level link; the CSRF cookie is for JavaScript to read.
	 */
	n = snprintf(line, linesz, "Set-Cookie: %s=%s; Path=%s; Max-Age=%ld%s; "
	    "SameSite=%s%s", gh_cookie_name(cfg, which), value,
	    which == GH_COOKIE_REFRESH ? "/auth/" : "/",
	    max_age > 0 ? max_age : 0,
	    which == GH_COOKIE_CSRF ? "" : "; HttpOnly",
	    which == GH_COOKIE_REFRESH ? "Strict" : "Lax",
	    cfg->cookie_secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= linesz ? -1 : 0;
}

int
gh_cookie_csrf_new(char *out, size_t outsz)
{
	return gh_random_b64url(GH_CSRF_BYTES, out, outsz);
}

bool
gh_cookie_csrf_ok(const struct gh_request *req, const char *tok, size_t len)
{
	const char	*want;
	size_t		 wlen;

	if (tok == NULL || len == 0 ||
	    gh_cookie_get(req, GH_COOKIE_CSRF, &want, &wlen) == -1)
		return false;
	return wlen == len && CRYPTO_memcmp(want, tok, len) == 0;
}

long
gh_cookie_max_age(const struct gh_config *cfg)
{
	return (long)cfg->refresh_token_expire_days * 86400;
}

int
gh_cookie_csrf_form(const struct gh_request *req, char *tok, size_t toksz,
    char *line, size_t linesz)
{
	const char	*have;
	size_t		 len;

	line[0] = '\0';
	/* Only a value of our shape is handed back into the page. */
	if (gh_cookie_get(req, GH_COOKIE_CSRF, &have, &len) == 0 &&
	    len == GH_CSRF_LEN && len < toksz &&
	    strspn(have, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") >= len) {
		memcpy(tok, have, len);
		tok[len] = '\0';
		return 0;
	}
	if (gh_cookie_csrf_new(tok, toksz) == -1)
		return -1;
	return gh_cookie_set(req->cfg, GH_COOKIE_CSRF, tok,
	    gh_cookie_max_age(req->cfg), line, linesz);
}
