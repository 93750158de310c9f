/*
 * nextpath: where a sign-in may send the browser.  Everything that could
 * leave this site, or smuggle a header, means "/".
 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/nextpath.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(nextpath, paths_on_this_site_are_taken)
{
	static const char *const good[] = {
		"/", "/members/", "/a?b=c", "/a/b/c.html#top", "/search?q=a%2Fb",
		"/%7Euser/", "/a;b", "/auth/login?next=/x",
	};
	size_t	 i;

	for (i = 0; i < NELEM(good); i++) {
		cr_assert(gh_next_path_ok(good[i], strlen(good[i])), "%s",
		    good[i]);
		cr_assert_str_eq(gh_next_path(good[i]), good[i]);
	}
}

Test(nextpath, anything_that_could_leave_the_site_is_refused)
{
	static const char *const bad[] = {
		"", "//evil", "//evil.example/x", "/\\evil", "/\\\\evil",
		"/a\\b", "\\\\evil", "https://evil", "http:/evil",
		"javascript:alert(1)", "data:text/html,x", "evil",
		"%2F%2Fevil", "/%2F/evil", "/%2f%2fevil", "/%5Cevil",
		"/a\r\nSet-Cookie: x=y", "/a%0d%0aSet-Cookie:x", "/a%0Ab",
		"/a\tb", "/a%09b", "/a%00b", "/a%7f", "/a b", "/\x7f",
		"/caf\xc3\xa9", " /members/",
	};
	size_t	 i;

	for (i = 0; i < NELEM(bad); i++) {
		cr_assert(!gh_next_path_ok(bad[i], strlen(bad[i])), "%s",
		    bad[i]);
		cr_assert_str_eq(gh_next_path(bad[i]), "/");
	}
}

Test(nextpath, a_nul_byte_inside_is_refused)
{
	cr_assert(!gh_next_path_ok("/a\0b", 4));
}

Test(nextpath, the_length_is_bounded)
{
	char	 p[GH_NEXT_PATH_MAX + 2];

	memset(p, 'a', sizeof(p));
	p[0] = '/';
	cr_assert(gh_next_path_ok(p, GH_NEXT_PATH_MAX));
	cr_assert(!gh_next_path_ok(p, GH_NEXT_PATH_MAX + 1));
	p[GH_NEXT_PATH_MAX + 1] = '\0';
	cr_assert_str_eq(gh_next_path(p), "/");
	cr_assert_str_eq(gh_next_path(NULL), "/");
}

Test(nextpath, encoding_for_a_query_keeps_only_the_unreserved)
{
	char	 out[64];

	cr_assert_eq(gh_next_path_encode("/a?b=c&d#e", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/a%3Fb%3Dc%26d%23e");
	cr_assert_eq(gh_next_path_encode("/%7E", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/%257E");
	cr_assert_eq(gh_next_path_encode("/aaaa", out, 5), -1);
	cr_assert_str_eq(out, "");
}

Test(nextpath, encoding_all_encodes_the_slashes_too)
{
	char	 out[64];

	cr_assert_eq(gh_next_path_encode_all("members/?a=b", out, sizeof(out)),
	    0);
	cr_assert_str_eq(out, "members%2F%3Fa%3Db");
	cr_assert_eq(gh_next_path_encode_all("a/", out, 4), -1);
	cr_assert_str_eq(out, "");
}
