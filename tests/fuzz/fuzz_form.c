/*
 * fuzz_form: urlencoded bodies through gh_form_parse(), and the whole
 * input through gh_form_decode() into a buffer big enough and one too
 * small.
 *
 * Checked against a plain decoder written from form.h's words ('+' is a
 * space, %XX a byte, a stray '%' or a decoded NUL is malformed): the
 * same result and the same bytes.  A parsed form holds one string for
 * each non-empty pair, each the decoding of its value, and handlers can
 * read every one of them with gh_json_string().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/form.h"
#include "fuzz.h"
#include "core/json.h"

#define SMALL	16

static int
hex(unsigned char c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The reference: in[0..len) into out (len + 1 bytes); -1 if malformed. */
static long
ref_decode(const unsigned char *in, size_t len, char *out)
{
	size_t	 i, o = 0;
	int	 h, l;

	for (i = 0; i < len; i++) {
		if (in[i] == '+')
			out[o] = ' ';
		else if (in[i] == '%') {
			if (len - i < 3)
				return -1;
			if ((h = hex(in[i + 1])) < 0 || (l = hex(in[i + 2])) < 0)
				return -1;
			out[o] = (char)(h * 16 + l);
			i += 2;
		} else
			out[o] = (char)in[i];
		if (out[o] == '\0')
			return -1;
		o++;
	}
	out[o] = '\0';
	return (long)o;
}

static void
check_decode(const uint8_t *data, size_t size)
{
	char	*out, *ref, small[SMALL];
	long	 n, m, r;

	if ((out = malloc(size + 1)) == NULL || (ref = malloc(size + 1)) ==
	    NULL) {
		free(out);
		return;
	}
	n = gh_form_decode((const char *)data, size, out, size + 1);
	r = ref_decode(data, size, ref);
	FUZZ_ASSERT(n == r);
	if (n >= 0) {
		FUZZ_ASSERT(out[n] == '\0');
		FUZZ_ASSERT(memcmp(out, ref, (size_t)n) == 0);
	}

	/* Too small a buffer is -1, never a cut value. */
	m = gh_form_decode((const char *)data, size, small, sizeof(small));
	if (n >= 0 && n < SMALL) {
		FUZZ_ASSERT(m == n);
		FUZZ_ASSERT(memcmp(small, out, (size_t)n + 1) == 0);
	} else
		FUZZ_ASSERT(m == -1);

	free(out);
	free(ref);
}

/* Every non-empty pair of body[0..len) must be in obj, decoded. */
static void
check_pairs(struct json_object *obj, const uint8_t *body, size_t len)
{
	struct gh_input_errors	 errs;
	struct json_object	*v;
	const uint8_t		*pair, *amp, *eq;
	const char		*s;
	char			*name, *value;
	size_t			 i = 0, n, nraw, slen, pairs = 0;

	if ((name = malloc(len + 1)) == NULL ||
	    (value = malloc(len + 1)) == NULL) {
		free(name);
		return;
	}
	while (i < len) {
		pair = body + i;
		amp = memchr(pair, '&', len - i);
		n = amp == NULL ? len - i : (size_t)(amp - pair);
		i += n + 1;
		if (n == 0)
			continue;
		pairs++;
		eq = memchr(pair, '=', n);
		nraw = eq == NULL ? n : (size_t)(eq - pair);
		FUZZ_ASSERT(ref_decode(pair, nraw, name) > 0);
		if (eq == NULL)
			value[0] = '\0';
		else
			FUZZ_ASSERT(ref_decode(eq + 1, n - nraw - 1, value) >= 0);
		FUZZ_ASSERT(json_object_object_get_ex(obj, name, &v));
		FUZZ_ASSERT(json_object_is_type(v, json_type_string));
		FUZZ_ASSERT(strcmp(json_object_get_string(v), value) == 0);

		memset(&errs, 0, sizeof(errs));
		FUZZ_ASSERT(gh_json_string(obj, name, GH_FIELD_REQUIRED, &s,
		    &slen, &errs) == 1);
		FUZZ_ASSERT(slen == strlen(value));
		gh_input_errors_free(&errs);
	}
	/* Names given twice are refused, so no pair hides another. */
	FUZZ_ASSERT(pairs <= GH_FORM_PAIRS_MAX);
	FUZZ_ASSERT((size_t)json_object_object_length(obj) == pairs);
	free(name);
	free(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj;

	check_decode(data, size);

	if ((obj = gh_form_parse((const char *)data, size)) == NULL)
		return 0;
	FUZZ_ASSERT(json_object_is_type(obj, json_type_object));
	check_pairs(obj, data, size);
	json_object_put(obj);
	return 0;
}
