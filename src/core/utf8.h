/*
 * utf8: strict UTF-8 (RFC 3629), the one validator every parser of
 * client bytes uses: no overlong forms, no surrogates, nothing past
 * U+10FFFF.  json-c's own check only counts continuation bytes.
 */
#ifndef GH_UTF8_H
#define GH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The length (1 to 4) of the sequence at p, of which avail (> 0) bytes
 * are there, or 0 when it is not a valid one.
 */
size_t	gh_utf8_seq(const unsigned char *p, size_t avail);

/* True when s[0..len) is valid UTF-8 without a NUL byte. */
bool	gh_utf8_valid(const char *s, size_t len);

#endif
