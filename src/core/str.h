/*
 * str: the few byte-string rules every layer needs, in one place.
 *
 * Promises: every function is ASCII-only and locale-free (a server's
 * LANG never changes what a username or a hash compares as); output is
 * always NUL-terminated and never longer than outsz - 1, and a result that
 * would not fit is -1 with "" written, never a cut value.
 */
#ifndef GH_STR_H
#define GH_STR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bounds.h"	/* GH_UUID_LEN */

/* c lower-cased when it is an ASCII capital letter, else c. */
int	gh_ascii_lower(int c);

/*
 * Copies s[0..len) lower-cased into out; 0, or -1 when it does not fit
 * (len + 1 > outsz).
 */
int	gh_str_lower(const char *s, size_t len, char *out, size_t outsz);

/* Lower-cases s in place. */
void	gh_str_lower_inplace(char *s);

/* True when a[0..alen) and b[0..blen) are equal ignoring ASCII case. */
bool	gh_str_eq_nocase(const char *a, size_t alen, const char *b,
	    size_t blen);

/*
 * Writes in[0..n) as lower-case hex into out; 0, or -1 when 2n + 1 does
 * not fit in outsz.
 */
int	gh_str_hex(const unsigned char *in, size_t n, char *out, size_t outsz);

/*
 * The one UUID rule: 36 characters, 8-4-4-4-12 hex digits of either case
 * with hyphens between (RFC 9562 section 4; input is case-insensitive).
 */
bool	gh_str_is_uuid(const char *s, size_t len);

/*
 * Whether word[0..len) is one of the words of list, which are separated
 * by spaces; an empty word is never one.  A NULL list has none.
 */
bool	gh_str_word_in(const char *list, const char *word, size_t len);

#endif
