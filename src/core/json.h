/*
 * json: request bodies into json-c objects, typed fields out of them, and
 * the one way to add a member to an object.
 *
 * Promises: gh_json_parse_object() accepts exactly one JSON object of at
 * most len bytes, nested at most GH_JSON_DEPTH deep, in valid UTF-8, with
 * nothing after it; everything else is NULL, never a partial object.
 * The getters never copy: they hand out json-c's own string and length.
 * A string holding a NUL byte is a wrong type (400), since C would cut it.
 *
 * A getter that meets a missing or mistyped field notes a 400 in the
 * struct gh_input_errors it is given (core/input_errors.h, included here
 * for every caller), so one response names every bad value at once.
 */
#ifndef GH_JSON_H
#define GH_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/input_errors.h"

#define GH_JSON_DEPTH	16

#define GH_FIELD_REQUIRED	0x01	/* absent or null is a 400 */
#define GH_FIELD_NULLABLE	0x02	/* an explicit null reads as absent */

/* Parses body[0..len) as one JSON object; NULL when it is anything else. */
struct json_object *gh_json_parse_object(const char *body, size_t len);

/*
 * Gets a string field: 1 when present (s and len set), 0 when absent (and
 * allowed to be), -1 when missing-but-required or of another type (noted
 * in errs as a 400).
 */
int	gh_json_string(struct json_object *, const char *key, int flags,
	    const char **s, size_t *len, struct gh_input_errors *);

/* Gets a boolean field, as gh_json_string() does. */
int	gh_json_bool(struct json_object *, const char *key, int flags, bool *b,
	    struct gh_input_errors *);

/*
 * Gets an array of strings of at most max elements (more is a 422): 1 with
 * the array in *arr (json-c's own), 0 when absent, -1 on a wrong type or
 * when too long (*arr NULL then).
 */
int	gh_json_string_array(struct json_object *, const char *key, int flags,
	    size_t max, struct json_object **arr, struct gh_input_errors *);

/* True when obj has key at all (even null). */
bool	gh_json_has(struct json_object *, const char *key);

/*
 * The one way to build an object: adds val to obj as key, taking val's
 * reference either way (it is freed on failure), so callers chain
 * json_object_new_*() straight in; a NULL val (a failed allocation) is -1.
 */
int	gh_json_add(struct json_object *, const char *key, struct json_object *val);

/* Adds "key": s (or null when s is NULL or "") to obj; 0 or -1. */
int	gh_json_add_string(struct json_object *, const char *key, const char *s);

#endif
