/*
 * fuzz_json: request bodies as gh_json_parse_object() gets them, then the
 * typed getters every handler reads its fields with, under each flag.
 *
 * Checked: what comes back is an object or NULL; a getter's 1, 0 and -1
 * agree with the field and with what it notes in gh_input_errors; a
 * string handed out has no NUL within its length; an array handed out
 * holds at most max strings.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "core/json.h"

/* Fields the handlers read, and two that none does. */
static const char *const fixed_keys[] = {
	"username", "password", "email", "full_name", "phone",
	"employee_id", "roles", "is_active", "refresh_token", "grant_type",
	"", "x",
};

/* At most this many of the body's own keys are tried. */
#define OWN_KEYS_MAX	8

static const int flag_sets[] = {
	0, GH_FIELD_REQUIRED, GH_FIELD_NULLABLE,
	GH_FIELD_REQUIRED | GH_FIELD_NULLABLE,
};

static const size_t array_max[] = { 0, 1, 32 };

static void
try_string(struct json_object *obj, const char *key, int flags,
    struct gh_input_errors *all)
{
	struct gh_input_errors	 errs;
	const char		*s = NULL;
	size_t			 len = 0;
	int			 rc;

	memset(&errs, 0, sizeof(errs));
	rc = gh_json_string(obj, key, flags, &s, &len, &errs);
	switch (rc) {
	case 1:
		FUZZ_ASSERT(s != NULL);
		FUZZ_ASSERT(memchr(s, '\0', len) == NULL);
		FUZZ_ASSERT(s[len] == '\0');
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case 0:
		FUZZ_ASSERT(!(flags & GH_FIELD_REQUIRED));
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case -1:
		FUZZ_ASSERT(gh_input_failed(&errs));
		FUZZ_ASSERT(errs.missing_why != NULL);
		break;
	default:
		FUZZ_ASSERT(!"gh_json_string: result out of range");
	}
	gh_input_errors_free(&errs);
	/* The same call, piling up into one struct as a handler does. */
	(void)gh_json_string(obj, key, flags, &s, &len, all);
}

static void
try_bool(struct json_object *obj, const char *key, int flags,
    struct gh_input_errors *all)
{
	struct gh_input_errors	 errs;
	struct json_object	*v = NULL;
	bool			 b = false;
	int			 rc;

	memset(&errs, 0, sizeof(errs));
	rc = gh_json_bool(obj, key, flags, &b, &errs);
	switch (rc) {
	case 1:
		FUZZ_ASSERT(json_object_object_get_ex(obj, key, &v));
		FUZZ_ASSERT(json_object_is_type(v, json_type_boolean));
		FUZZ_ASSERT(b == (json_object_get_boolean(v) != 0));
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case 0:
		FUZZ_ASSERT(!(flags & GH_FIELD_REQUIRED));
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case -1:
		FUZZ_ASSERT(gh_input_failed(&errs));
		break;
	default:
		FUZZ_ASSERT(!"gh_json_bool: result out of range");
	}
	gh_input_errors_free(&errs);
	(void)gh_json_bool(obj, key, flags, &b, all);
}

static void
try_array(struct json_object *obj, const char *key, int flags, size_t max,
    struct gh_input_errors *all)
{
	struct gh_input_errors	 errs;
	struct json_object	*arr = NULL, *v;
	const char		*s;
	size_t			 i, n;
	int			 rc, len;

	memset(&errs, 0, sizeof(errs));
	rc = gh_json_string_array(obj, key, flags, max, &arr, &errs);
	switch (rc) {
	case 1:
		FUZZ_ASSERT(arr != NULL);
		FUZZ_ASSERT(json_object_is_type(arr, json_type_array));
		n = json_object_array_length(arr);
		FUZZ_ASSERT(n <= max);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(arr, i);
			FUZZ_ASSERT(json_object_is_type(v, json_type_string));
			s = json_object_get_string(v);
			len = json_object_get_string_len(v);
			FUZZ_ASSERT(s != NULL && len >= 0);
			FUZZ_ASSERT(memchr(s, '\0', (size_t)len) == NULL);
		}
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case 0:
		FUZZ_ASSERT(arr == NULL);
		FUZZ_ASSERT(!(flags & GH_FIELD_REQUIRED));
		FUZZ_ASSERT(!gh_input_failed(&errs));
		break;
	case -1:
		FUZZ_ASSERT(arr == NULL);
		FUZZ_ASSERT(gh_input_failed(&errs));
		break;
	default:
		FUZZ_ASSERT(!"gh_json_string_array: result out of range");
	}
	gh_input_errors_free(&errs);
	(void)gh_json_string_array(obj, key, flags, max, &arr, all);
}

static void
try_key(struct json_object *obj, const char *key, struct gh_input_errors *all)
{
	size_t	 f, m;

	(void)gh_json_has(obj, key);
	for (f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
		try_string(obj, key, flag_sets[f], all);
		try_bool(obj, key, flag_sets[f], all);
		for (m = 0; m < sizeof(array_max) / sizeof(array_max[0]); m++)
			try_array(obj, key, flag_sets[f], array_max[m], all);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gh_input_errors	 all;
	struct json_object	*obj;
	struct json_object_iterator it, end;
	size_t			 i;

	obj = gh_json_parse_object((const char *)data, size);
	if (obj == NULL)
		return 0;
	FUZZ_ASSERT(json_object_is_type(obj, json_type_object));

	memset(&all, 0, sizeof(all));
	for (i = 0; i < sizeof(fixed_keys) / sizeof(fixed_keys[0]); i++)
		try_key(obj, fixed_keys[i], &all);
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (i = 0; i < OWN_KEYS_MAX && !json_object_iter_equal(&it, &end);
	    i++) {
		try_key(obj, json_object_iter_peek_name(&it), &all);
		json_object_iter_next(&it);
	}
	(void)gh_input_failed(&all);
	/* Safe to call twice, says json.h. */
	gh_input_errors_free(&all);
	gh_input_errors_free(&all);

	json_object_put(obj);
	return 0;
}
