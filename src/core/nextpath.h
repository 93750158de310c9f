/*
 * nextpath: where a sign-in may send the browser afterwards (the next=
 * of /auth/login), and the same-site path a stylesheet may be at.
 *
 * Promises: a path is taken only when it is on this site and nothing
 * between us and the browser can read it otherwise: it starts with
 * exactly one '/' (never "//" or "/\", which a browser takes for another
 * host), holds no backslash at all, no space, control character or byte
 * outside printable ASCII (so it goes into a Location header as it is),
 * no percent escape of a control character, nor of '/' or '\' right
 * after the first '/' (so a second decoding downstream cannot make one
 * of these), and is at most GH_NEXT_PATH_MAX
 * bytes.  A path that starts with '/' has no scheme.  The value checked
 * is the decoded one (after the form or query decoding); anything refused
 * means "/".
 */
#ifndef GH_NEXTPATH_H
#define GH_NEXTPATH_H

#include <stdbool.h>
#include <stddef.h>

#define GH_NEXT_PATH_MAX	1024

/* Is s[0..len) a path this site may send a browser to? */
bool		 gh_next_path_ok(const char *s, size_t len);

/* s when gh_next_path_ok(s, strlen(s)), else "/"; NULL is "/". */
const char	*gh_next_path(const char *s);

/*
 * s percent-encoded as a query value (all but A-Z a-z 0-9 - . _ ~ /)
 * into out; 0, or -1 with "" when it does not fit.
 */
int		 gh_next_path_encode(const char *s, char *out, size_t outsz);

/*
 * The same with '/' encoded too, so the value reads as one opaque
 * query value ("/members/?a=b" is "%2Fmembers%2F%3Fa%3Db"): the
 * authorizer's redirect.
 */
int		 gh_next_path_encode_all(const char *s, char *out,
		    size_t outsz);

#endif
