/*
 * json: request bodies into json-c objects, typed fields out of them, and
 * the contract's two kinds of input error.
 *
 * Promises: gh_json_parse_object() accepts exactly one JSON object of at
 * most len bytes, nested at most GH_JSON_DEPTH deep, in valid UTF-8, with
 * nothing after it; everything else is NULL, never a partial object.
 * The getters never copy: they hand out json-c's own string and length.
 * A string holding a NUL byte is a wrong type (400), since C would cut it.
 *
 * The two kinds of error, as the contract sorts them:
 *   400 invalid_request   a required field missing, or of the wrong JSON type
 *   422 validation_failed well-formed but invalid values, named in "fields"
 * A struct gh_input_errors collects both while a handler reads its fields,
 * so one response names every bad value at once.  Zero it before use.
 */
#ifndef GH_JSON_H
#define GH_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define GH_JSON_DEPTH	16

#define GH_FIELD_REQUIRED	0x01	/* absent or null is a 400 */
#define GH_FIELD_NULLABLE	0x02	/* an explicit null reads as absent */

struct gh_input_errors {
	char			 missing[64];	/* first 400 field, "" when none */
	const char		*missing_why;	/* its sentence */
	struct json_object	*fields;	/* 422 field -> sentence, or NULL */
};

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

/* Notes a 422 problem with field; the first sentence for a field stays. */
void	gh_input_invalid(struct gh_input_errors *, const char *field,
	    const char *why);

/*
 * Notes a 400 problem with field (the first one stays).  Only the pointer
 * why is kept: it must outlive errs (a string literal does).
 */
void	gh_input_malformed(struct gh_input_errors *, const char *field,
	    const char *why);

/* True when anything was noted. */
bool	gh_input_failed(const struct gh_input_errors *);

/* Frees what errs holds; safe to call twice. */
void	gh_input_errors_free(struct gh_input_errors *);

/*
 * The one way to build an object: adds val to obj as key, taking val's
 * reference either way (it is freed on failure), so callers chain
 * json_object_new_*() straight in; a NULL val (a failed allocation) is -1.
 */
int	gh_json_add(struct json_object *, const char *key, struct json_object *val);

/* Adds "key": s (or null when s is NULL or "") to obj; 0 or -1. */
int	gh_json_add_string(struct json_object *, const char *key, const char *s);

#endif
