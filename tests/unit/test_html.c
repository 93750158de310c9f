/*
 * html: a value written into a page is text, whatever it holds.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/html.h"

/* value escaped into a fresh page, compared with want. */
static void
check(const char *value, size_t len, const char *want)
{
	struct gh_html	 h;

	gh_html_init(&h);
	gh_html_escape(&h, value, len);
	cr_assert(!h.failed);
	cr_assert_eq(h.len, strlen(want));
	if (h.len > 0)
		cr_assert_str_eq(h.buf, want);
	gh_html_free(&h);
}

#define CHECK(v, want)	check(v, sizeof(v) - 1, want)

Test(html, plain_text_goes_as_it_is)
{
	CHECK("alice", "alice");
	CHECK("", "");
	CHECK("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x94\x91", "Zo\xc3\xab \xe2\x82\xac "
	    "\xf0\x9f\x94\x91");
	CHECK("tab\tand\nnewline", "tab\tand\nnewline");
}

Test(html, markup_is_written_as_references)
{
	CHECK("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK("a & b", "a &amp; b");
	CHECK("&amp;", "&amp;amp;");
}

Test(html, attribute_breakouts_are_text)
{
	CHECK("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	CHECK("' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x");
	CHECK("\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
}

Test(html, control_characters_are_replaced)
{
	CHECK("a\rb", "a\xef\xbf\xbd" "b");
	CHECK("\x01\x1b[31m\x7f", "\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd");
	/* A NUL inside the value given by length. */
	CHECK("a\0b", "a\xef\xbf\xbd" "b");
}

Test(html, invalid_utf8_is_replaced_byte_by_byte)
{
	CHECK("\xff", "\xef\xbf\xbd");
	CHECK("a\xc3", "a\xef\xbf\xbd");
	/* Overlong '<' and a surrogate: never let through. */
	CHECK("\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd");
	CHECK("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd");
}

Test(html, a_long_value_is_whole_or_the_page_fails)
{
	struct gh_html	 h;
	char		*big;
	size_t		 n = 100000, i;

	cr_assert_not_null(big = malloc(n));
	memset(big, '<', n);
	gh_html_init(&h);
	gh_html_escape(&h, big, n);
	/* 4 bytes each: 400000, over GH_HTML_MAX. */
	cr_assert(h.failed);
	cr_assert_leq(h.len, GH_HTML_MAX);
	gh_html_free(&h);
	gh_html_init(&h);
	gh_html_escape(&h, big, 1000);
	cr_assert(!h.failed);
	cr_assert_eq(h.len, 4000);
	for (i = 0; i < h.len; i += 4)
		cr_assert_eq(memcmp(h.buf + i, "&lt;", 4), 0);
	gh_html_free(&h);
	free(big);
}

Test(html, a_failed_page_takes_nothing_more)
{
	struct gh_html	 h;

	gh_html_init(&h);
	gh_html_raw(&h, "<p>", 3);
	h.failed = true;
	gh_html_text(&h, "more");
	cr_assert_eq(h.len, 3);
	gh_html_text(&h, NULL);
	gh_html_free(&h);
	cr_assert_null(h.buf);
	cr_assert_eq(h.len, 0);
}
