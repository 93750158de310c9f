/*
 * random: the shapes promised.  Randomness itself is OpenSSL's to prove;
 * here we check we ask for it and format it right.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/b64url.h"
#include "core/random.h"

static int
is_lower_hex(char c)
{

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

Test(random, bytes_fill_the_buffer)
{
	unsigned char	 a[64], b[64];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	cr_assert_eq(gh_random_bytes(a, sizeof(a)), 0);
	cr_assert_eq(gh_random_bytes(b, sizeof(b)), 0);
	cr_assert(memcmp(a, b, sizeof(a)) != 0);
}

Test(random, bytes_of_zero_length_succeed)
{
	unsigned char	 a[1] = { 0x5a };

	cr_assert_eq(gh_random_bytes(a, 0), 0);
	cr_assert_eq(a[0], 0x5a);
}

Test(random, uuid_has_v4_format)
{
	char	 u[GH_UUID_LEN + 1];
	size_t	 i;
	int	 round;

	/* Several rounds, so a fixed nibble cannot pass by luck. */
	for (round = 0; round < 64; round++) {
		memset(u, 'x', sizeof(u));
		cr_assert_eq(gh_random_uuid(u, sizeof(u)), 0);
		cr_assert_eq(strlen(u), GH_UUID_LEN);
		for (i = 0; i < GH_UUID_LEN; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				cr_assert_eq(u[i], '-', "%s", u);
			else
				cr_assert(is_lower_hex(u[i]), "%s", u);
		}
		cr_assert_eq(u[14], '4', "version nibble: %s", u);
		cr_assert(strchr("89ab", u[19]) != NULL, "variant: %s", u);
	}
}

Test(random, two_uuids_differ)
{
	char	 a[GH_UUID_LEN + 1], b[GH_UUID_LEN + 1];

	cr_assert_eq(gh_random_uuid(a, sizeof(a)), 0);
	cr_assert_eq(gh_random_uuid(b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
}

Test(random, uuid_short_buffer_fails)
{
	char	 u[GH_UUID_LEN + 1];

	cr_assert_eq(gh_random_uuid(u, GH_UUID_LEN), -1);
	cr_assert_eq(gh_random_uuid(NULL, sizeof(u)), -1);
}

Test(random, b64url_has_encoded_length)
{
	char	 out[GH_B64URL_ENCODED_LEN(200) + 1];
	size_t	 n;

	for (n = 0; n <= 200; n++) {
		cr_assert_eq(gh_random_b64url(n, out, sizeof(out)), 0, "n %zu", n);
		cr_assert_eq(strlen(out), GH_B64URL_ENCODED_LEN(n), "n %zu", n);
	}
}

Test(random, b64url_decodes_to_n_bytes)
{
	char		 out[GH_B64URL_ENCODED_LEN(100) + 1];
	unsigned char	 back[100];
	size_t		 n;

	/* Chunked encoding must still be one valid, strict encoding. */
	for (n = 1; n <= 100; n++) {
		cr_assert_eq(gh_random_b64url(n, out, sizeof(out)), 0);
		cr_assert_eq(gh_b64url_decode(out, strlen(out), back,
		    sizeof(back)), (long)n, "n %zu: %s", n, out);
	}
}

Test(random, b64url_two_draws_differ)
{
	char	 a[GH_B64URL_ENCODED_LEN(32) + 1];
	char	 b[GH_B64URL_ENCODED_LEN(32) + 1];

	cr_assert_eq(gh_random_b64url(32, a, sizeof(a)), 0);
	cr_assert_eq(gh_random_b64url(32, b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
}

Test(random, b64url_short_buffer_fails)
{
	char	 out[GH_B64URL_ENCODED_LEN(32) + 1];

	cr_assert_eq(gh_random_b64url(32, out, sizeof(out) - 1), -1);
	cr_assert_eq(out[0], '\0');
}
