/*
 * url: hosts and base URLs.  See url.h.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/url.h"

#define LABEL_MAX	63
#define NAME_MAX_LEN	253
#define IP6_TEXT_MAX	45	/* "ffff:ffff:...:255.255.255.255" */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 1 to 65535, in at most five digits. */
static bool
port_ok(const char *s, size_t len)
{
	long	 v = 0;
	size_t	 i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* inet_pton() of s[0..len) in family af. */
static bool
literal_ok(int af, const char *s, size_t len)
{
	char		 buf[IP6_TEXT_MAX + 1];
	unsigned char	 addr[16];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, addr) == 1;
}

/*
 * DNS labels; a name whose last label is all digits must be an IPv4
 * literal (no such top-level domain exists, and "1.2.3.999" is junk).
 */
static bool
name_ok(const char *s, size_t len)
{
	size_t	 i, start = 0;
	bool	 digits = true;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (i == start || i - start > LABEL_MAX ||
			    s[start] == '-' || s[i - 1] == '-')
				return false;
			if (i < len) {
				start = i + 1;
				digits = true;
			}
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
		if (!is_digit(s[i]))
			digits = false;
	}
	return !digits || literal_ok(AF_INET, s, len);
}

/* A host without a port: a name, an IPv4 or a bracketed IPv6 literal. */
static bool
host_only_ok(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		return literal_ok(AF_INET6, s + 1, len - 2);
	return name_ok(s, len);
}

/* s[0..len) as "host" or "host:port". */
static bool
host_port_ok(const char *s, size_t len)
{
	const char	*colon;
	size_t		 hlen;

	if (len == 0 || len > GH_URL_HOST_MAX)
		return false;
	if (s[0] == '[') {
		if ((colon = memchr(s, ']', len)) == NULL)
			return false;
		colon++;	/* past the bracket: the port's colon or the end */
		if (colon < s + len && *colon != ':')
			return false;
	} else
		colon = memchr(s, ':', len);
	if (colon == NULL || colon == s + len)
		return host_only_ok(s, len);
	hlen = (size_t)(colon - s);
	return host_only_ok(s, hlen) && port_ok(colon + 1, len - hlen - 1);
}

bool
gh_url_host_ok(const char *s)
{
	return s != NULL && host_port_ok(s, strnlen(s, GH_URL_HOST_MAX + 1));
}

/* RFC 3986 pchar or '/', a percent escape counted as its first byte. */
static bool
path_ok(const char *p)
{
	static const char	 extra[] = "-._~!$&'()*+,;=:@/";

	for (; *p != '\0'; p++) {
		if (*p == '%') {
			if (!is_hex(p[1]) || !is_hex(p[2]))
				return false;
			p += 2;
		} else if (!is_alnum(*p) && strchr(extra, *p) == NULL)
			return false;
	}
	return true;
}

bool
gh_url_base_ok(const char *s)
{
	const char	*host, *slash;
	size_t		 len;

	if (s == NULL || (len = strnlen(s, GH_URL_BASE_MAX + 1)) >
	    GH_URL_BASE_MAX)
		return false;
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	if ((slash = strchr(host, '/')) == NULL)
		slash = s + len;
	return host_port_ok(host, (size_t)(slash - host)) && path_ok(slash);
}

int
gh_url_request_base(bool https, const char *host, const char *name,
    const char *port, char *out, size_t outsz)
{
	const char	*scheme = https ? "https" : "http";
	const char	*dflt = https ? "443" : "80";
	int		 n;

	if (host != NULL && gh_url_host_ok(host))
		n = snprintf(out, outsz, "%s://%s", scheme, host);
	else if (name == NULL || !host_only_ok(name, strnlen(name,
	    NAME_MAX_LEN + 1)))
		return -1;
	else if (port == NULL || strcmp(port, dflt) == 0 ||
	    !port_ok(port, strnlen(port, 6)))
		n = snprintf(out, outsz, "%s://%s", scheme, name);
	else
		n = snprintf(out, outsz, "%s://%s:%s", scheme, name, port);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	/* Host names are case-blind: one spelling for every client. */
	gh_str_lower_inplace(out);
	return 0;
}

int
gh_url_join(const char *base, const char *path, char *out, size_t outsz)
{
	size_t	 blen = strlen(base);
	int	 n;

	if (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(out, outsz, "%.*s%s", (int)blen, base, path);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
