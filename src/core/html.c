/*
 * html: pages in memory, values escaped.  See html.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/html.h"
#include "core/utf8.h"

/* U+FFFD REPLACEMENT CHARACTER, for what may not be written as it is. */
static const char	 replacement[] = "\xef\xbf\xbd";

void
gh_html_init(struct gh_html *h)
{
	memset(h, 0, sizeof(*h));
}

/* Room for n more bytes and a NUL; false when the page cannot grow. */
static bool
reserve(struct gh_html *h, size_t n)
{
	size_t	 want;
	char	*p;

	if (h->failed)
		return false;
	if (n > GH_HTML_MAX - h->len) {
		h->failed = true;
		return false;
	}
	if (h->len + n + 1 <= h->cap)
		return true;
	want = h->cap == 0 ? 4096 : h->cap;
	while (want < h->len + n + 1)
		want *= 2;
	if (want > GH_HTML_MAX + 1)
		want = GH_HTML_MAX + 1;
	if ((p = realloc(h->buf, want)) == NULL) {
		h->failed = true;
		return false;
	}
	h->buf = p;
	h->cap = want;
	return true;
}

void
gh_html_raw(struct gh_html *h, const char *s, size_t len)
{
	if (!reserve(h, len))
		return;
	memcpy(h->buf + h->len, s, len);
	h->len += len;
	h->buf[h->len] = '\0';
}

/* What byte c must be written as, or NULL when it may go as it is. */
static const char *
reference(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t':
	case '\n':
		return NULL;
	default:
		return c < 0x20 || c == 0x7f ? replacement : NULL;
	}
}

void
gh_html_escape(struct gh_html *h, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*ref;
	size_t			 i = 0, run, n;

	while (i < len && !h->failed) {
		/* The longest run that goes as it is, in one copy. */
		run = i;
		while (run < len) {
			if (p[run] < 0x80) {
				if (reference(p[run]) != NULL)
					break;
				run++;
				continue;
			}
			if ((n = gh_utf8_seq(p + run, len - run)) == 0)
				break;
			run += n;
		}
		gh_html_raw(h, s + i, run - i);
		if ((i = run) == len)
			break;
		if (p[i] < 0x80)
			ref = reference(p[i]);
		else
			ref = replacement;	/* not valid UTF-8 */
		gh_html_raw(h, ref, strlen(ref));
		i++;
	}
}

void
gh_html_text(struct gh_html *h, const char *s)
{
	if (s != NULL)
		gh_html_escape(h, s, strlen(s));
}

void
gh_html_free(struct gh_html *h)
{
	free(h->buf);
	gh_html_init(h);
}
