/*
 * throttle: the key a client address is counted under (an IPv6 address
 * by its /64, IPv4 as it is).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "domain/throttle.h"

static const char *
key(const char *addr)
{
	static char	 out[GH_THROTTLE_ADDR_MAX];

	gh_throttle_address_key(addr, out, sizeof(out));
	return out;
}

Test(throttle_address, ipv4_is_unchanged)
{
	cr_assert_str_eq(key("192.0.2.7"), "192.0.2.7");
	cr_assert_str_eq(key("127.0.0.1"), "127.0.0.1");
}

Test(throttle_address, ipv6_is_its_64)
{
	cr_assert_str_eq(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
	cr_assert_str_eq(key("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"),
	    "2001:db8:1:2::/64");
	cr_assert_str_eq(key("2001:db8:1:2::9"), "2001:db8:1:2::/64");
	cr_assert_str_eq(key("2001:DB8:1:2::A"), "2001:db8:1:2::/64");
	cr_assert_str_eq(key("::1"), "::/64");
	/* Another /64 is another key. */
	cr_assert_str_eq(key("2001:db8:1:3::9"), "2001:db8:1:3::/64");
}

Test(throttle_address, a_mapped_ipv4_is_the_ipv4)
{
	cr_assert_str_eq(key("::ffff:192.0.2.7"), "192.0.2.7");
	cr_assert_str_eq(key("::FFFF:c000:0207"), "192.0.2.7");
}

Test(throttle_address, junk_is_kept_as_given_and_cut_to_fit)
{
	char	 longer[200];
	char	 small[8];

	cr_assert_str_eq(key(""), "");
	cr_assert_str_eq(key(NULL), "");
	cr_assert_str_eq(key("unix:"), "unix:");
	cr_assert_str_eq(key("2001:db8::zz"), "2001:db8::zz");
	cr_assert_str_eq(key("fe80::1%eth0"), "fe80::1%eth0");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	cr_assert_eq(strlen(key(longer)), GH_THROTTLE_ADDR_MAX - 1);
	gh_throttle_address_key("2001:db8:1:2::9", small, sizeof(small));
	cr_assert_str_eq(small, "");
}
