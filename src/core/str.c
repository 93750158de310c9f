/*
 * str: ASCII case, hex and the UUID shape.  See str.h.
 */
#include <string.h>

#include "core/str.h"

int
gh_ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int
gh_str_lower(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	 i;

	if (outsz == 0)
		return -1;
	if (len >= outsz) {
		out[0] = '\0';
		return -1;
	}
	for (i = 0; i < len; i++)
		out[i] = (char)gh_ascii_lower((unsigned char)s[i]);
	out[len] = '\0';
	return 0;
}

void
gh_str_lower_inplace(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)gh_ascii_lower((unsigned char)*s);
}

bool
gh_str_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (gh_ascii_lower((unsigned char)a[i]) !=
		    gh_ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

int
gh_str_hex(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	if (outsz == 0)
		return -1;
	if (n > (outsz - 1) / 2) {
		out[0] = '\0';
		return -1;
	}
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0xf];
	}
	out[2 * n] = '\0';
	return 0;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

bool
gh_str_is_uuid(const char *s, size_t len)
{
	size_t	 i;

	if (s == NULL || len != GH_UUID_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_hex(s[i]))
			return false;
	}
	return true;
}

bool
gh_str_word_in(const char *list, const char *word, size_t len)
{
	const char	*p, *end;

	if (list == NULL || word == NULL || len == 0)
		return false;
	for (p = list; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && memcmp(p, word, len) == 0)
			return true;
	}
	return false;
}
