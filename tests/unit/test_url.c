/*
 * url: the hosts a metadata URL may be built on, and the URLs built.  A
 * Host header is the client's to fill, so every refusal here is a
 * reflection that cannot happen.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/url.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(url, hosts_as_rfc_3986_writes_them_are_taken)
{
	static const char *const good[] = {
		"localhost", "example.com", "api.example.com:8443",
		"a-b.example", "127.0.0.1", "127.0.0.1:80", "[::1]",
		"[::1]:8080", "[2001:db8::7]", "EXAMPLE.com", "x1.y2.z3",
		"xn--bcher-kva.example",
	};
	size_t	 i;

	for (i = 0; i < NELEM(good); i++)
		cr_assert(gh_url_host_ok(good[i]), "%s", good[i]);
}

Test(url, anything_else_in_a_host_is_refused)
{
	static const char *const bad[] = {
		"", "evil.com/path", "user@evil.com", "evil.com\"", "a b",
		"evil.com\r\nX: y", "evil.com:", "evil.com:0",
		"evil.com:65536", "evil.com:123456", "evil.com:80:80",
		"-evil.com", "evil-.com", "evil..com", ".evil.com",
		"evil.com.", "::1", "[::1", "[::1]x", "[::1]:", "[zz::1]",
		"[::1%eth0]", "1.2.3.999", "1.2.3", "evil_com", "évil.com",
		"evil.com?x", "evil.com#x", "<script>", "evil.com:+80",
	};
	size_t	 i;

	for (i = 0; i < NELEM(bad); i++)
		cr_assert(!gh_url_host_ok(bad[i]), "%s", bad[i]);
	cr_assert(!gh_url_host_ok(NULL));
}

Test(url, a_label_over_63_bytes_or_a_name_over_253_is_refused)
{
	char	 name[300];

	memset(name, 'a', 63);
	name[63] = '\0';
	cr_assert(gh_url_host_ok(name));
	memset(name, 'a', 64);
	name[64] = '\0';
	cr_assert(!gh_url_host_ok(name));
	/* 4 labels of 63 and dots: 255 bytes. */
	memset(name, 'a', 255);
	name[63] = name[127] = name[191] = '.';
	name[255] = '\0';
	cr_assert(!gh_url_host_ok(name));
}

Test(url, base_urls_are_http_or_https_with_a_host_and_a_plain_path)
{
	cr_assert(gh_url_base_ok("https://auth.example.com"));
	cr_assert(gh_url_base_ok("https://auth.example.com/"));
	cr_assert(gh_url_base_ok("http://127.0.0.1:8080/gatehouse"));
	cr_assert(gh_url_base_ok("https://example.com/a%20b/c"));
	cr_assert(!gh_url_base_ok(""));
	cr_assert(!gh_url_base_ok("auth.example.com"));
	cr_assert(!gh_url_base_ok("ftp://example.com"));
	cr_assert(!gh_url_base_ok("HTTPS://example.com"));
	cr_assert(!gh_url_base_ok("https://"));
	cr_assert(!gh_url_base_ok("https://example.com?x=1"));
	cr_assert(!gh_url_base_ok("https://example.com/#x"));
	cr_assert(!gh_url_base_ok("https://example.com/a b"));
	cr_assert(!gh_url_base_ok("https://example.com/a%2"));
	cr_assert(!gh_url_base_ok("https://example.com/\"x"));
	cr_assert(!gh_url_base_ok("https://user@example.com"));
}

Test(url, request_base_takes_the_host_header_and_the_scheme)
{
	char	 out[128];

	cr_assert_eq(gh_url_request_base(false, "Example.COM:8080", "x", "1",
	    out, sizeof(out)), 0);
	cr_assert_str_eq(out, "http://example.com:8080");
	cr_assert_eq(gh_url_request_base(true, "[::1]", NULL, NULL, out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "https://[::1]");
}

Test(url, a_bad_host_header_falls_back_to_the_server_name_and_port)
{
	char	 out[128];

	cr_assert_eq(gh_url_request_base(false, "evil.com/x", "api.example",
	    "8080", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "http://api.example:8080");
	cr_assert_eq(gh_url_request_base(true, NULL, "api.example", "443",
	    out, sizeof(out)), 0);
	cr_assert_str_eq(out, "https://api.example");
	cr_assert_eq(gh_url_request_base(false, NULL, "api.example", "80",
	    out, sizeof(out)), 0);
	cr_assert_str_eq(out, "http://api.example");
	/* A junk port is left out, never copied. */
	cr_assert_eq(gh_url_request_base(false, NULL, "api.example", "8x",
	    out, sizeof(out)), 0);
	cr_assert_str_eq(out, "http://api.example");
}

Test(url, no_valid_host_at_all_gives_no_base)
{
	char	 out[128];

	cr_assert_eq(gh_url_request_base(false, "a b", "c d", "80", out,
	    sizeof(out)), -1);
	cr_assert_eq(gh_url_request_base(false, NULL, NULL, NULL, out,
	    sizeof(out)), -1);
	/* SERVER_NAME is a host alone: a port in it is junk. */
	cr_assert_eq(gh_url_request_base(false, NULL, "api.example:80", NULL,
	    out, sizeof(out)), -1);
	cr_assert_eq(gh_url_request_base(false, "example.com", NULL, NULL,
	    out, 10), -1);
}

Test(url, join_puts_one_slash_between)
{
	char	 out[64];

	cr_assert_eq(gh_url_join("https://a.example/", "/api/x", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "https://a.example/api/x");
	cr_assert_eq(gh_url_join("https://a.example/p", "/api/x", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "https://a.example/p/api/x");
	cr_assert_eq(gh_url_join("https://a.example", "/api/x", out, 10), -1);
}
