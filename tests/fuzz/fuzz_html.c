/*
 * fuzz_html: any bytes through gh_html_escape() and gh_next_path_ok().
 *
 * html.h's promises: the page written is valid UTF-8 with no control
 * character but tab and newline, holds no '<', '>', '"' or '\'', and
 * every '&' starts one of the five references written; a value is
 * never cut.  nextpath.h's: a path taken starts with one '/' and not
 * "//" or "/\", holds only printable ASCII without a backslash or a
 * space, and gh_next_path() hands back the input or "/".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/html.h"
#include "core/nextpath.h"
#include "core/utf8.h"
#include "fuzz.h"

static const char *const refs[] = {
	"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"
};

static void
check_page(const struct gh_html *h)
{
	size_t	 i, k;
	bool	 ok;

	FUZZ_ASSERT(gh_utf8_valid(h->buf, h->len));
	for (i = 0; i < h->len; i++) {
		unsigned char	 c = (unsigned char)h->buf[i];

		FUZZ_ASSERT(c != '<' && c != '>' && c != '"' && c != '\'');
		FUZZ_ASSERT(c >= 0x20 || c == '\t' || c == '\n');
		FUZZ_ASSERT(c != 0x7f);
		if (c != '&')
			continue;
		ok = false;
		for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
			if (strncmp(h->buf + i, refs[k], strlen(refs[k])) == 0)
				ok = true;
		FUZZ_ASSERT(ok);
	}
}

static void
check_path(const uint8_t *data, size_t size)
{
	char	 s[GH_NEXT_PATH_MAX + 2];
	size_t	 i;

	if (!gh_next_path_ok((const char *)data, size))
		return;
	FUZZ_ASSERT(size >= 1 && size <= GH_NEXT_PATH_MAX);
	FUZZ_ASSERT(data[0] == '/');
	FUZZ_ASSERT(size == 1 || (data[1] != '/' && data[1] != '\\'));
	for (i = 0; i < size; i++)
		FUZZ_ASSERT(data[i] > 0x20 && data[i] < 0x7f &&
		    data[i] != '\\');
	memcpy(s, data, size);
	s[size] = '\0';
	FUZZ_ASSERT(strcmp(gh_next_path(s), s) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gh_html	 h;

	gh_html_init(&h);
	gh_html_escape(&h, (const char *)data, size);
	FUZZ_ASSERT(!h.failed);
	FUZZ_ASSERT(h.len >= size);
	if (h.len > 0)
		check_page(&h);
	gh_html_free(&h);
	check_path(data, size);
	return 0;
}
