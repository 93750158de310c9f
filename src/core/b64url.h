/*
 * b64url: base64url without padding (RFC 4648 section 5, RFC 7515 section 2).
 * Encoding always succeeds when the output buffer is large enough.
 * Decoding is strict: padding, characters outside the alphabet, a length
 * of 1 modulo 4 and non-zero trailing bits are all refused, so every
 * encoded form has exactly one decoding and vice versa.
 */
#ifndef GH_B64URL_H
#define GH_B64URL_H

#include <stddef.h>

/* Bytes needed to encode n bytes, not counting a terminating NUL. */
#define GH_B64URL_ENCODED_LEN(n)	(((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))
/* The bytes n characters of valid (unpadded) input decode to, exactly. */
#define GH_B64URL_DECODED_LEN(n) \
	(((n) / 4) * 3 + ((n) % 4 ? (n) % 4 - 1 : 0))
/* An upper bound of the bytes n encoded characters decode to. */
#define GH_B64URL_DECODED_MAX(n)	(((n) / 4) * 3 + 2)

/*
 * Encodes in[0..inlen) into out, NUL-terminated.  Returns the encoded
 * length, or -1 when out (of outsz bytes) is too small.
 */
long	gh_b64url_encode(const void *in, size_t inlen, char *out, size_t outsz);

/*
 * Decodes in[0..inlen) into out (outsz bytes).  Returns the decoded length,
 * or -1 on malformed input or a short buffer.
 */
long	gh_b64url_decode(const char *in, size_t inlen, unsigned char *out,
	    size_t outsz);

#endif
