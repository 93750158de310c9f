/*
 * utf8: strict UTF-8.  See utf8.h.
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/utf8.h"

size_t
gh_utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 i, n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (avail < n)
		return 0;
	/* Only the first continuation byte has narrowed bounds. */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

bool
gh_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;

	while (i < len) {
		if (p[i] == '\0' || (n = gh_utf8_seq(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}
