/*
 * b64url: RFC 4648 vectors in the url alphabet, and the strictness the
 * header promises, since a second spelling of a token is a forgery path.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "core/b64url.h"

static void
assert_encodes(const char *in, const char *want)
{
	char	 out[64];
	long	 n;

	n = gh_b64url_encode(in, strlen(in), out, sizeof(out));
	cr_assert_eq(n, (long)strlen(want), "encode(\"%s\") length", in);
	cr_assert_str_eq(out, want, "encode(\"%s\")", in);
}

static void
assert_decodes(const char *in, const char *want)
{
	unsigned char	 out[64];
	long		 n;

	n = gh_b64url_decode(in, strlen(in), out, sizeof(out));
	cr_assert_eq(n, (long)strlen(want), "decode(\"%s\") length", in);
	cr_assert(memcmp(out, want, strlen(want)) == 0, "decode(\"%s\")", in);
}

static void
assert_refused(const char *in)
{
	unsigned char	 out[64];

	cr_assert_eq(gh_b64url_decode(in, strlen(in), out, sizeof(out)), -1,
	    "decode(\"%s\") must fail", in);
}

/* A fixed xorshift, so a failing round trip can be replayed. */
static uint32_t
next(uint32_t *s)
{

	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

Test(b64url, rfc4648_vectors_encode)
{

	assert_encodes("", "");
	assert_encodes("f", "Zg");
	assert_encodes("fo", "Zm8");
	assert_encodes("foo", "Zm9v");
	assert_encodes("foob", "Zm9vYg");
	assert_encodes("fooba", "Zm9vYmE");
	assert_encodes("foobar", "Zm9vYmFy");
}

Test(b64url, rfc4648_vectors_decode)
{

	assert_decodes("", "");
	assert_decodes("Zg", "f");
	assert_decodes("Zm8", "fo");
	assert_decodes("Zm9v", "foo");
	assert_decodes("Zm9vYg", "foob");
	assert_decodes("Zm9vYmE", "fooba");
	assert_decodes("Zm9vYmFy", "foobar");
}

Test(b64url, encodes_url_alphabet_dash_and_underscore)
{
	const unsigned char	 dash[] = { 0xfb, 0xef, 0xbe };
	const unsigned char	 under[] = { 0xff, 0xff, 0xff };
	const unsigned char	 both[] = { 0xfb, 0xff };
	char			 out[16];

	cr_assert_eq(gh_b64url_encode(dash, sizeof(dash), out, sizeof(out)), 4);
	cr_assert_str_eq(out, "----");
	cr_assert_eq(gh_b64url_encode(under, sizeof(under), out, sizeof(out)),
	    4);
	cr_assert_str_eq(out, "____");
	cr_assert_eq(gh_b64url_encode(both, sizeof(both), out, sizeof(out)), 3);
	cr_assert_str_eq(out, "-_8");
}

Test(b64url, decodes_url_alphabet_dash_and_underscore)
{
	unsigned char	 out[8];

	cr_assert_eq(gh_b64url_decode("-_8", 3, out, sizeof(out)), 2);
	cr_assert_eq(out[0], 0xfb);
	cr_assert_eq(out[1], 0xff);
}

Test(b64url, round_trip_matches_openssl_for_lengths_0_to_300)
{
	unsigned char	 in[300] = { 0 }, back[300];
	unsigned char	 std[4 * (300 / 3 + 1) + 1];
	char		 out[GH_B64URL_ENCODED_LEN(300) + 1];
	uint32_t	 seed = 0x9e3779b9;
	size_t		 len, i, j;

	for (len = 0; len <= sizeof(in); len++) {
		long	 n;

		for (i = 0; i < len; i++)
			in[i] = (unsigned char)next(&seed);
		n = gh_b64url_encode(in, len, out, sizeof(out));
		cr_assert_eq(n, (long)GH_B64URL_ENCODED_LEN(len), "len %zu", len);
		cr_assert_eq(strlen(out), (size_t)n, "len %zu", len);

		/* OpenSSL's standard base64, translated, is the oracle. */
		EVP_EncodeBlock(std, in, (int)len);
		for (i = j = 0; std[i] != '\0' && std[i] != '='; i++)
			std[j++] = std[i] == '+' ? '-' :
			    std[i] == '/' ? '_' : std[i];
		std[j] = '\0';
		cr_assert_str_eq(out, (char *)std, "len %zu", len);

		memset(back, 0, sizeof(back));
		cr_assert_eq(gh_b64url_decode(out, (size_t)n, back,
		    sizeof(back)), (long)len, "len %zu", len);
		cr_assert(memcmp(in, back, len) == 0, "len %zu", len);
	}
}

Test(b64url, decode_refuses_padding)
{

	assert_refused("Zg==");
	assert_refused("Zm8=");
	assert_refused("Zg=");
	assert_refused("====");
}

Test(b64url, decode_refuses_standard_alphabet_plus)
{

	assert_refused("-+8");
	assert_refused("++++");
}

Test(b64url, decode_refuses_standard_alphabet_slash)
{

	assert_refused("/_8");
	assert_refused("////");
}

Test(b64url, decode_refuses_whitespace)
{

	assert_refused("Zm9v Zg");
	assert_refused("Zm9v\nYg");
	assert_refused(" Zg");
	assert_refused("Zg\r\n");
	assert_refused("Zm9\t");
}

Test(b64url, decode_refuses_embedded_nul)
{
	unsigned char	 out[8];

	cr_assert_eq(gh_b64url_decode("Zm\0v", 4, out, sizeof(out)), -1);
}

Test(b64url, decode_refuses_length_1_mod_4)
{

	assert_refused("Z");
	assert_refused("Zm9vY");
	assert_refused("Zm9vYmFyZ");
	/* Last characters whose low 4 bits are zero, so only length tells. */
	assert_refused("A");
	assert_refused("Zm9vQ");
	assert_refused("Zm9vYmFyg");
	assert_refused("Zm9vw");
}

Test(b64url, decode_refuses_nonzero_trailing_bits)
{

	/* "Zg" is 'f'; "Zh" .. "Zv" carry the same byte plus stray bits. */
	assert_decodes("Zg", "f");
	assert_refused("Zh");
	assert_refused("Zv");
	assert_decodes("Zm8", "fo");
	assert_refused("Zm9");
	assert_refused("Zm-");
}

Test(b64url, encode_short_buffer_returns_minus_1)
{
	char	 out[8];

	/* "foobar" needs 8 bytes plus the NUL. */
	cr_assert_eq(gh_b64url_encode("foobar", 6, out, 8), -1);
	cr_assert_eq(gh_b64url_encode("foobar", 6, out, 0), -1);
	cr_assert_eq(gh_b64url_encode("f", 1, out, 2), -1);
	cr_assert_eq(gh_b64url_encode("f", 1, out, 3), 2);
}

Test(b64url, decode_short_buffer_returns_minus_1)
{
	unsigned char	 out[8];

	cr_assert_eq(gh_b64url_decode("Zm9vYmFy", 8, out, 5), -1);
	cr_assert_eq(gh_b64url_decode("Zm9vYmE", 7, out, 4), -1);
	cr_assert_eq(gh_b64url_decode("Zm9vYmE", 7, out, 5), 5);
}

Test(b64url, encoded_len_macro_matches_encoder)
{
	unsigned char	 in[16] = { 0 };
	char		 out[32];
	size_t		 len;

	for (len = 0; len <= sizeof(in); len++)
		cr_assert_eq(gh_b64url_encode(in, len, out, sizeof(out)),
		    (long)GH_B64URL_ENCODED_LEN(len), "len %zu", len);
}

Test(b64url, decoded_max_macro_bounds_decoder)
{
	unsigned char	 in[16], out[32];
	char		 enc[32];
	size_t		 len;

	memset(in, 0xa5, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		long	 n = gh_b64url_encode(in, len, enc, sizeof(enc));
		cr_assert_geq(n, 0);
		cr_assert_leq(len, GH_B64URL_DECODED_MAX((size_t)n));
		cr_assert_eq(gh_b64url_decode(enc, (size_t)n, out, len),
		    (long)len, "len %zu", len);
	}
}

Test(b64url, decoded_len_macro_is_the_decoders_length)
{
	unsigned char	 in[16], out[32];
	char		 enc[32];
	size_t		 len;
	long		 n;

	memset(in, 0x5a, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		n = gh_b64url_encode(in, len, enc, sizeof(enc));
		cr_assert_geq(n, 0);
		cr_assert_eq(GH_B64URL_DECODED_LEN((size_t)n), len, "len %zu",
		    len);
		cr_assert_eq(gh_b64url_decode(enc, (size_t)n, out, sizeof(out)),
		    (long)len);
	}
}
