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
assert_decodes(const char *in, const char *want)
{
	unsigned char	 out[64];
	long		 n;

	n = gh_b64url_decode(in, strlen(in), out, sizeof(out));
	cr_assert_eq(n, (long)strlen(want), "decode(\"%s\") length", in);
	cr_assert(memcmp(out, want, strlen(want)) == 0, "decode(\"%s\")", in);
}

/* why: the rule in is to break, named in a failure. */
static void
assert_refused(const char *why, const char *in)
{
	unsigned char	 out[64];

	cr_assert_eq(gh_b64url_decode(in, strlen(in), out, sizeof(out)), -1,
	    "%s: decode(\"%s\") must fail", why, in);
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

/* RFC 4648 section 10, without the padding. */
static const struct vector {
	const char	*plain, *encoded;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

Test(b64url, rfc4648_vectors_encode)
{
	const struct vector	*v;
	char			 out[64];
	size_t			 i;
	long			 n;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		v = &rfc4648[i];
		n = gh_b64url_encode(v->plain, strlen(v->plain), out,
		    sizeof(out));
		cr_assert_eq(n, (long)strlen(v->encoded),
		    "encode(\"%s\") length", v->plain);
		cr_assert_str_eq(out, v->encoded, "encode(\"%s\")", v->plain);
	}
}

Test(b64url, rfc4648_vectors_decode)
{
	size_t	 i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++)
		assert_decodes(rfc4648[i].encoded, rfc4648[i].plain);
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

/*
 * What a decoder must refuse, so that a token has one spelling only: each
 * with the rule it breaks.
 */
static const struct refusal {
	const char	*why, *in;
} refusals[] = {
	{ "padding", "Zg==" },
	{ "padding", "Zm8=" },
	{ "padding", "Zg=" },
	{ "padding", "====" },
	{ "the standard alphabet's plus", "-+8" },
	{ "the standard alphabet's plus", "++++" },
	{ "the standard alphabet's slash", "/_8" },
	{ "the standard alphabet's slash", "////" },
	{ "whitespace", "Zm9v Zg" },
	{ "whitespace", "Zm9v\nYg" },
	{ "whitespace", " Zg" },
	{ "whitespace", "Zg\r\n" },
	{ "whitespace", "Zm9\t" },
	{ "a length of 1 mod 4", "Z" },
	{ "a length of 1 mod 4", "Zm9vY" },
	{ "a length of 1 mod 4", "Zm9vYmFyZ" },
	/* Last characters whose low 4 bits are zero, so only length tells. */
	{ "a length of 1 mod 4", "A" },
	{ "a length of 1 mod 4", "Zm9vQ" },
	{ "a length of 1 mod 4", "Zm9vYmFyg" },
	{ "a length of 1 mod 4", "Zm9vw" },
};

Test(b64url, decode_refuses_second_spellings)
{
	size_t	 i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		assert_refused(refusals[i].why, refusals[i].in);
}

Test(b64url, decode_refuses_embedded_nul)
{
	unsigned char	 out[8];

	cr_assert_eq(gh_b64url_decode("Zm\0v", 4, out, sizeof(out)), -1);
}

Test(b64url, decode_refuses_nonzero_trailing_bits)
{

	/* "Zg" is 'f'; "Zh" .. "Zv" carry the same byte plus stray bits. */
	assert_decodes("Zg", "f");
	assert_refused("stray bits", "Zh");
	assert_refused("stray bits", "Zv");
	assert_decodes("Zm8", "fo");
	assert_refused("stray bits", "Zm9");
	assert_refused("stray bits", "Zm-");
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
