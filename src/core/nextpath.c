/*
 * nextpath: same-site paths only.  See nextpath.h.
 */
#include <string.h>

#include "core/form.h"
#include "core/nextpath.h"

/*
 * Is "%XY" at s (len bytes there) an escape of what a path may not hold:
 * a control character anywhere, or a slash or backslash right after the
 * leading slash (lead), where a second decoding would make "//"?
 */
static bool
bad_escape(const char *s, size_t len, bool lead)
{
	int	 hi, lo, c;

	if (len < 3 || (hi = gh_form_hexval((unsigned char)s[1])) == -1 ||
	    (lo = gh_form_hexval((unsigned char)s[2])) == -1)
		return false;
	c = hi * 16 + lo;
	return c < 0x20 || c == 0x7f || (lead && (c == '/' || c == '\\'));
}

bool
gh_next_path_ok(const char *s, size_t len)
{
	size_t	 i;

	if (s == NULL || len == 0 || len > GH_NEXT_PATH_MAX || s[0] != '/')
		return false;
	if (len > 1 && (s[1] == '/' || s[1] == '\\'))
		return false;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '\\')
			return false;
		if (s[i] == '%' && bad_escape(s + i, len - i, i == 1))
			return false;
	}
	return true;
}

const char *
gh_next_path(const char *s)
{
	return s != NULL && gh_next_path_ok(s, strlen(s)) ? s : "/";
}

/* RFC 3986's unreserved characters, and '/' when slash. */
static bool
unreserved(unsigned char c, bool slash)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || (slash && c == '/');
}

static int
encode(const char *s, bool slash, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 n = 0;

	if (outsz == 0)
		return -1;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p, slash)) {
			if (n + 1 >= outsz)
				goto toolong;
			out[n++] = (char)*p;
			continue;
		}
		if (n + 3 >= outsz)
			goto toolong;
		out[n++] = '%';
		out[n++] = hex[*p >> 4];
		out[n++] = hex[*p & 0x0f];
	}
	out[n] = '\0';
	return 0;
toolong:
	out[0] = '\0';
	return -1;
}

int
gh_next_path_encode(const char *s, char *out, size_t outsz)
{
	return encode(s, true, out, outsz);
}

int
gh_next_path_encode_all(const char *s, char *out, size_t outsz)
{
	return encode(s, false, out, outsz);
}
