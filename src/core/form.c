/*
 * form: application/x-www-form-urlencoded bodies, as OAuth2 clients send
 * the password and refresh_token grants (RFC 6749 sections 4.3 and 6).
 *
 * Decoded values must be strict UTF-8, so that a handler finds in a form
 * the same guarantees as in a JSON body (see json.c).
 *
 * Bounds, in decoded bytes: a name at most NAME_MAX_LEN, a value at most
 * VALUE_MAX_LEN.  OAuth2 parameter names are short words, and the longest
 * value a grant carries (a refresh token, a password) is far below 8 KiB;
 * anything longer is malformed, never truncated.  Both are decoded into
 * buffers on the stack, and the body limit (16 KiB by default) bounds the
 * whole before it gets here.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <json-c/json.h>

#include "core/form.h"
#include "core/utf8.h"

#define NAME_MAX_LEN	64
#define VALUE_MAX_LEN	8192

int
gh_form_hexval(unsigned char c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
gh_form_decode(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 i = 0, o = 0;
	int			 hi, lo;
	unsigned char		 c;

	if (out == NULL || outsz == 0)
		return -1;
	if ((in == NULL && len > 0) || len > (size_t)LONG_MAX)
		goto fail;
	while (i < len) {
		c = p[i++];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 2 || (hi = gh_form_hexval(p[i])) == -1 ||
			    (lo = gh_form_hexval(p[i + 1])) == -1)
				goto fail;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		/* A NUL would cut the value short wherever C reads it. */
		if (c == '\0')
			goto fail;
		/* Room for this byte and the final NUL. */
		if (outsz - o < 2)
			goto fail;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
fail:
	out[0] = '\0';
	return -1;
}

/* Decodes one "name=value" pair (pair[0..len), not empty) into obj. */
static int
add_pair(struct json_object *obj, const char *pair, size_t len)
{
	char			 name[NAME_MAX_LEN + 1];
	char			 value[VALUE_MAX_LEN + 1];
	struct json_object	*v = NULL;
	const char		*eq;
	size_t			 nraw;
	long			 nlen, vlen = 0;
	int			 rc = -1;

	value[0] = '\0';
	eq = memchr(pair, '=', len);
	nraw = eq == NULL ? len : (size_t)(eq - pair);
	/* An empty name names nothing a handler could ask for. */
	if ((nlen = gh_form_decode(pair, nraw, name, sizeof(name))) <= 0)
		goto out;
	/* A pair without '=' is a name with an empty value. */
	if (eq != NULL && (vlen = gh_form_decode(eq + 1, len - nraw - 1,
	    value, sizeof(value))) == -1)
		goto out;
	if (!gh_utf8_valid(name, (size_t)nlen) ||
	    !gh_utf8_valid(value, (size_t)vlen))
		goto out;
	/* RFC 6749 section 3.1: "MUST NOT be included more than once". */
	if (json_object_object_get_ex(obj, name, NULL))
		goto out;
	/* vlen <= VALUE_MAX_LEN, so the cast to int holds. */
	if ((v = json_object_new_string_len(value, (int)vlen)) == NULL)
		goto out;
	if (json_object_object_add(obj, name, v) != 0)
		goto out;
	v = NULL;
	rc = 0;
out:
	/* On failure json-c leaves v with us. */
	json_object_put(v);
	return rc;
}

struct json_object *
gh_form_parse(const char *body, size_t len)
{
	struct json_object	*obj;
	const char		*amp;
	size_t			 i = 0, n, pairs = 0;

	if (body == NULL && len > 0)
		return NULL;
	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	/* Offsets, not pointers: a pointer may not step past body + len. */
	while (i < len) {
		amp = memchr(body + i, '&', len - i);
		n = amp == NULL ? len - i : (size_t)(amp - (body + i));
		/* "a=1&&b=2" and a trailing '&' hold empty pairs: skipped. */
		if (n > 0) {
			if (++pairs > GH_FORM_PAIRS_MAX)
				goto fail;
			if (add_pair(obj, body + i, n) == -1)
				goto fail;
		}
		i += n + 1;
	}
	return obj;
fail:
	json_object_put(obj);
	return NULL;
}
