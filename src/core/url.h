/*
 * url: the absolute URLs gatehouse names itself by (RFC 8414 metadata),
 * from the configured public_base_url or from the request's own host.
 *
 * Promises: nothing a client sent becomes part of a URL unless it is a
 * host as RFC 3986 spells one, checked here strictly: DNS labels of
 * [A-Za-z0-9-] (no label empty, longer than 63 or starting or ending in
 * '-'), an IPv4 literal, or an IPv6 literal in brackets, then at most a
 * port of 1 to 65535 in decimal.  Anything else (userinfo, a path, a
 * quote, a space, a control byte, a trailing dot) is refused, never
 * cleaned up and used.  Every result is NUL-terminated and fits the
 * buffer given, or the call fails; nothing is truncated.
 */
#ifndef GH_URL_H
#define GH_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest "host[:port]" taken: a 253-byte name and a port. */
#define GH_URL_HOST_MAX		259
/* Longest public_base_url. */
#define GH_URL_BASE_MAX		511

/* Is s "host" or "host:port" as the promises above say? */
bool	gh_url_host_ok(const char *s);

/*
 * Is s a base URL gatehouse may be configured with: "http://" or
 * "https://" (in lower case), a host as gh_url_host_ok() takes one,
 * and a path of RFC 3986 path characters (percent escapes included), no
 * query, no fragment, at most GH_URL_BASE_MAX bytes.
 */
bool	gh_url_base_ok(const char *s);

/*
 * The base URL of a request, "scheme://host[:port]", into out: https
 * picks the scheme; host (the Host header) when it is a valid host,
 * else name and port (SERVER_NAME, SERVER_PORT), the port left out when
 * it is the scheme's default.  Any of host, name and port may be NULL.
 * 0, or -1 when neither gives a valid host or out is too small.
 */
int	gh_url_request_base(bool https, const char *host, const char *name,
	    const char *port, char *out, size_t outsz);

/*
 * base, less one trailing '/', followed by path (which starts with '/'),
 * into out.  0, or -1 when it does not fit.
 */
int	gh_url_join(const char *base, const char *path, char *out,
	    size_t outsz);

#endif
