/*
 * b64url: base64url without padding, strict both ways.
 *
 * A token's bytes are what its signature covers, so decoding must be
 * one-to-one: if two spellings decoded to the same bytes, a token could be
 * altered without touching what the signature vouches for.  Hence the
 * refusal of padding, foreign characters and non-zero trailing bits.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/b64url.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"abcdefghijklmnopqrstuvwxyz"
	"0123456789-_";

/*
 * The 6-bit value of each byte, -1 for a byte outside the alphabet: one
 * load per character, as the decoder runs on every token check.
 */
static const signed char sextets[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

long
gh_b64url_encode(const void *in, size_t inlen, char *out, size_t outsz)
{
	const unsigned char	*p = in;
	size_t			 i, o = 0, need;
	uint32_t		 v;

	if (out == NULL || (in == NULL && inlen > 0))
		return -1;
	/* Keep the length formula, its NUL and the long result in range. */
	if (inlen / 3 >= (size_t)(LONG_MAX / 4) - 1)
		goto fail;
	need = GH_B64URL_ENCODED_LEN(inlen);
	if (outsz < need + 1)
		goto fail;

	for (i = 0; i + 3 <= inlen; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = alphabet[(v >> 6) & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (inlen - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
	} else if (inlen - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = alphabet[(v >> 6) & 0x3f];
	}
	out[o] = '\0';
	return (long)o;
fail:
	if (outsz > 0)
		out[0] = '\0';
	return -1;
}

long
gh_b64url_decode(const char *in, size_t inlen, unsigned char *out,
    size_t outsz)
{
	size_t		 i, j, o = 0, rem, need;
	uint32_t	 v;
	int		 s;

	if (in == NULL || out == NULL)
		return -1;
	rem = inlen % 4;
	/* One character carries 6 bits: not even a whole byte. */
	if (rem == 1)
		return -1;
	if (inlen / 4 > (size_t)(LONG_MAX / 3) - 1)
		return -1;
	need = GH_B64URL_DECODED_LEN(inlen);
	if (outsz < need)
		return -1;

	for (i = 0; i + 4 <= inlen; i += 4) {
		const unsigned char	*q = (const unsigned char *)in + i;
		int			 a = sextets[q[0]], b = sextets[q[1]],
					 c = sextets[q[2]], d = sextets[q[3]];

		if ((a | b | c | d) < 0)
			return -1;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 |
		    (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	for (v = 0, j = 0; i + j < inlen; j++) {
		if ((s = sextets[(unsigned char)in[i + j]]) < 0)
			return -1;
		v = v << 6 | (uint32_t)s;
	}
	if (j == 3) {
		/* 18 bits for 2 bytes: the low 2 must be zero. */
		if (v & 0x3)
			return -1;
		out[o++] = (unsigned char)(v >> 10);
		out[o++] = (unsigned char)(v >> 2);
	} else if (j == 2) {
		/* 12 bits for 1 byte: the low 4 must be zero. */
		if (v & 0xf)
			return -1;
		out[o++] = (unsigned char)(v >> 4);
	}
	return (long)o;
}
