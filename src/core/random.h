/*
 * random: cryptographically strong bytes from OpenSSL's CSPRNG, and the
 * shapes gatehouse needs them in.  Every function returns 0 on success and
 * -1 when the generator fails; callers must then refuse to go on, never
 * fall back to something weaker.
 */
#ifndef GH_RANDOM_H
#define GH_RANDOM_H

#include <stddef.h>

#include "core/bounds.h"	/* GH_UUID_LEN */

int	gh_random_bytes(void *, size_t);

/* A version 4 UUID, lower case, NUL-terminated; out holds GH_UUID_LEN + 1. */
int	gh_random_uuid(char *out, size_t outsz);

/* n random bytes as base64url without padding, NUL-terminated. */
int	gh_random_b64url(size_t n, char *out, size_t outsz);

#endif
