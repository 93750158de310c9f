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

#include "b64url.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"abcdefghijklmnopqrstuvwxyz"
	"0123456789-_";

/* The 6-bit value of c, or -1 when c is not in the alphabet. */
static int
sextet(unsigned char c)
{

	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

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
	int		 s;

	if (in == NULL || out == NULL)
		return -1;
	rem = inlen % 4;
	/* One character carries 6 bits: not even a whole byte. */
	if (rem == 1)
		return -1;
	if (inlen / 4 > (size_t)(LONG_MAX / 3) - 1)
		return -1;
	need = (inlen / 4) * 3 + (rem ? rem - 1 : 0);
	if (outsz < need)
		return -1;

	for (i = 0; i < inlen; i += 4) {
		uint32_t	 v = 0;

		for (j = 0; j < 4 && i + j < inlen; j++) {
			if ((s = sextet((unsigned char)in[i + j])) < 0)
				return -1;
			v = v << 6 | (uint32_t)s;
		}
		if (j == 4) {
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)v;
		} else if (j == 3) {
			/* 18 bits for 2 bytes: the low 2 must be zero. */
			if (v & 0x3)
				return -1;
			out[o++] = (unsigned char)(v >> 10);
			out[o++] = (unsigned char)(v >> 2);
		} else {
			/* 12 bits for 1 byte: the low 4 must be zero. */
			if (v & 0xf)
				return -1;
			out[o++] = (unsigned char)(v >> 4);
		}
	}
	return (long)o;
}
