/*
 * random: OpenSSL's CSPRNG and the shapes gatehouse wants it in.
 *
 * OpenSSL rather than getrandom(2) or arc4random(3): it is linked for HMAC
 * already, it reseeds itself across fork(), and Debian 12's libc has no
 * arc4random.  Every failure is passed up; nothing here falls back.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/b64url.h"
#include "core/random.h"
#include "core/str.h"

/* Encoding in multiples of 3 bytes lets chunks be encoded one by one. */
#define CHUNK		48
/* A uuid is 128 bits. */
#define UUID_BYTES	16

int
gh_random_bytes(void *buf, size_t n)
{
	unsigned char	*p = buf;

	if (buf == NULL && n > 0)
		return -1;
	/* RAND_bytes() takes an int. */
	while (n > 0) {
		size_t	 len = n > INT_MAX ? INT_MAX : n;

		if (RAND_bytes(p, (int)len) != 1)
			return -1;
		p += len;
		n -= len;
	}
	return 0;
}

/* RFC 9562 section 4: the hex digits of each hyphen-separated group. */
static const size_t	 uuid_groups[] = { 8, 4, 4, 4, 12 };

int
gh_random_uuid(char *out, size_t outsz)
{
	unsigned char		 b[UUID_BYTES];
	char			 hex[2 * UUID_BYTES + 1];
	size_t			 g, h = 0, o = 0;

	if (out == NULL || outsz < GH_UUID_LEN + 1)
		return -1;
	out[0] = '\0';
	if (gh_random_bytes(b, sizeof(b)) == -1)
		return -1;
	/* RFC 9562 section 5.4: version 4, variant 10xx. */
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	if (gh_str_hex(b, sizeof(b), hex, sizeof(hex)) == -1)
		return -1;
	for (g = 0; g < sizeof(uuid_groups) / sizeof(uuid_groups[0]); g++) {
		if (g > 0)
			out[o++] = '-';
		memcpy(out + o, hex + h, uuid_groups[g]);
		o += uuid_groups[g];
		h += uuid_groups[g];
	}
	out[o] = '\0';
	return 0;
}

int
gh_random_b64url(size_t n, char *out, size_t outsz)
{
	unsigned char	 b[CHUNK];
	size_t		 len, o = 0;
	long		 w;
	int		 rc = -1;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (n / 3 >= (size_t)(LONG_MAX / 4) - 1 ||
	    outsz < GH_B64URL_ENCODED_LEN(n) + 1)
		return -1;

	while (n > 0) {
		len = n > sizeof(b) ? sizeof(b) : n;
		if (gh_random_bytes(b, len) == -1)
			goto out;
		w = gh_b64url_encode(b, len, out + o, outsz - o);
		if (w == -1)
			goto out;
		o += (size_t)w;
		n -= len;
	}
	rc = 0;
out:
	/* These bytes may become a refresh token: leave no copy behind. */
	OPENSSL_cleanse(b, sizeof(b));
	if (rc == -1)
		OPENSSL_cleanse(out, outsz);
	return rc;
}
