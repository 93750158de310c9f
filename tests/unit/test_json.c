/*
 * json: what gh_json_parse_object() lets through and what it refuses, and
 * how the getters sort fields into present, absent, 400 and 422.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/json.h"

/* Parses exactly the bytes of a literal, embedded NULs included. */
#define PARSE(lit)	gh_json_parse_object((lit), sizeof(lit) - 1)

static void
assert_refused_n(const char *body, size_t len)
{
	struct json_object	*o;

	o = gh_json_parse_object(body, len);
	cr_assert_null(o, "must refuse %.*s", (int)len, body);
	json_object_put(o);
}

#define REFUSED(lit)	assert_refused_n((lit), sizeof(lit) - 1)

static void
assert_accepted_n(const char *body, size_t len)
{
	struct json_object	*o;

	o = gh_json_parse_object(body, len);
	cr_assert_not_null(o, "must accept %.*s", (int)len, body);
	cr_assert(json_object_is_type(o, json_type_object));
	json_object_put(o);
}

#define ACCEPTED(lit)	assert_accepted_n((lit), sizeof(lit) - 1)

/*
 * depth nested containers, the outermost an object: with objects,
 * {"a":{"a":...{}...}}; with arrays, {"a":[[...]]}.  Caller frees.
 */
static char *
nested(size_t depth, bool arrays, size_t *len)
{
	char	*b, *p;
	size_t	 i;

	cr_assert_gt(depth, 1);
	b = malloc(6 * depth + 8);
	cr_assert_not_null(b);
	p = b;
	if (arrays) {
		memcpy(p, "{\"a\":", 5);
		p += 5;
		for (i = 0; i < depth - 1; i++)
			*p++ = '[';
		for (i = 0; i < depth - 1; i++)
			*p++ = ']';
		*p++ = '}';
	} else {
		for (i = 0; i < depth - 1; i++) {
			memcpy(p, "{\"a\":", 5);
			p += 5;
		}
		*p++ = '{';
		*p++ = '}';
		for (i = 0; i < depth - 1; i++)
			*p++ = '}';
	}
	*p = '\0';
	*len = (size_t)(p - b);
	return b;
}

Test(json_parse, object_accepted)
{
	struct json_object	*o, *v;

	o = PARSE("{\"a\": \"x\", \"b\": [1, true, null], \"c\": {}}");
	cr_assert_not_null(o);
	cr_assert(json_object_object_get_ex(o, "a", &v));
	cr_assert_str_eq(json_object_get_string(v), "x");
	json_object_put(o);
}

Test(json_parse, valid_json_tokens_accepted)
{

	ACCEPTED("{\"n\": -0.5e+3, \"m\": 0, \"e\": 1E9, \"u\": \"\\u00e9\\/\"}");
	ACCEPTED("{\"s\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
}

Test(json_parse, array_top_level_refused)
{

	REFUSED("[]");
	REFUSED("[{}]");
}

Test(json_parse, string_top_level_refused)
{

	REFUSED("\"s\"");
}

Test(json_parse, number_top_level_refused)
{

	REFUSED("1");
	REFUSED("1 ");
}

Test(json_parse, literal_top_level_refused)
{

	REFUSED("null");
	REFUSED("true");
}

Test(json_parse, trailing_garbage_refused)
{

	REFUSED("{}x");
	REFUSED("{} x");
	REFUSED("{}{}");
}

Test(json_parse, trailing_newline_accepted)
{

	ACCEPTED("{}\n");
	ACCEPTED("{}\r\n");
	ACCEPTED(" {\"a\":1} \t\n");
}

Test(json_parse, trailing_non_json_whitespace_refused)
{

	REFUSED("{}\f");
	REFUSED("{}\v");
}

Test(json_parse, empty_refused)
{

	cr_assert_null(gh_json_parse_object("", 0));
	cr_assert_null(gh_json_parse_object("{}", 0));
	cr_assert_null(gh_json_parse_object(NULL, 0));
	REFUSED(" ");
}

Test(json_parse, incomplete_refused)
{

	REFUSED("{");
	REFUSED("{\"a\":");
	REFUSED("{\"a\":\"x");
}

Test(json_parse, invalid_utf8_refused)
{

	REFUSED("{\"a\":\"\xff\"}");
	REFUSED("{\"a\":\"\xc3\"}");
}

/* json-c's own UTF-8 check lets these three through. */
Test(json_parse, overlong_utf8_refused)
{

	REFUSED("{\"a\":\"\xc0\xaf\"}");
	REFUSED("{\"a\":\"\xe0\x80\xaf\"}");
}

Test(json_parse, surrogate_utf8_refused)
{

	REFUSED("{\"a\":\"\xed\xa0\x80\"}");
}

Test(json_parse, beyond_unicode_utf8_refused)
{

	REFUSED("{\"a\":\"\xf4\x90\x80\x80\"}");
}

Test(json_parse, utf8_outside_strings_refused)
{

	REFUSED("\xef\xbb\xbf{}");
	REFUSED("{}\xc2\xa0");
}

Test(json_parse, single_quotes_refused)
{

	REFUSED("{'a':1}");
	REFUSED("{\"a\":'x'}");
}

Test(json_parse, unquoted_name_refused)
{

	REFUSED("{a:1}");
}

Test(json_parse, nan_and_infinity_refused)
{

	REFUSED("{\"a\":NaN}");
	REFUSED("{\"a\":Infinity}");
	REFUSED("{\"a\":-Infinity}");
}

Test(json_parse, non_json_numbers_refused)
{

	REFUSED("{\"a\":1.}");
	REFUSED("{\"a\":.5}");
	REFUSED("{\"a\":+1}");
	REFUSED("{\"a\":01}");
	REFUSED("{\"a\":0x10}");
	REFUSED("{\"a\":1e}");
	REFUSED("{\"a\":-}");
}

Test(json_parse, literals_spelt_exactly)
{

	REFUSED("{\"a\":True}");
	REFUSED("{\"a\":nul}");
	REFUSED("{\"a\":truex}");
}

Test(json_parse, raw_control_character_in_string_refused)
{

	REFUSED("{\"a\":\"x\ny\"}");
	REFUSED("{\"a\":\"x\ty\"}");
	REFUSED("{\"a\":\"x\x01y\"}");
}

Test(json_parse, bad_escape_refused)
{

	REFUSED("{\"a\":\"\\x41\"}");
	REFUSED("{\"a\":\"\\'\"}");
	REFUSED("{\"a\":\"\\u12\"}");
}

Test(json_parse, comments_refused)
{

	REFUSED("{/*c*/\"a\":1}");
	REFUSED("{\"a\":1}//c");
}

Test(json_parse, trailing_commas_refused)
{

	REFUSED("{\"a\":1,}");
	REFUSED("{\"a\":[1,]}");
}

/* The last of two equal names wins: json-c's rule, accepted here. */
Test(json_parse, duplicate_name_keeps_last)
{
	struct json_object	*o, *v;

	o = PARSE("{\"a\":\"first\",\"a\":\"last\"}");
	cr_assert_not_null(o);
	cr_assert(json_object_object_get_ex(o, "a", &v));
	cr_assert_str_eq(json_object_get_string(v), "last");
	json_object_put(o);
}

/* GH_JSON_DEPTH counts containers, the top-level object included. */
Test(json_parse, objects_nested_to_depth_accepted)
{
	char	*b;
	size_t	 len;

	b = nested(GH_JSON_DEPTH, false, &len);
	assert_accepted_n(b, len);
	free(b);
	b = nested(GH_JSON_DEPTH - 1, false, &len);
	assert_accepted_n(b, len);
	free(b);
}

Test(json_parse, objects_nested_past_depth_refused)
{
	char	*b;
	size_t	 len;

	b = nested(GH_JSON_DEPTH + 1, false, &len);
	assert_refused_n(b, len);
	free(b);
}

Test(json_parse, arrays_nested_to_depth_accepted)
{
	char	*b;
	size_t	 len;

	b = nested(GH_JSON_DEPTH, true, &len);
	assert_accepted_n(b, len);
	free(b);
}

Test(json_parse, arrays_nested_past_depth_refused)
{
	char	*b;
	size_t	 len;

	b = nested(GH_JSON_DEPTH + 1, true, &len);
	assert_refused_n(b, len);
	free(b);
}

Test(json_parse, deep_nesting_refused_fast, .timeout = 2)
{
	enum { DEEP = 100000 };
	char	*b;

	b = malloc(5 + DEEP);
	cr_assert_not_null(b);
	memcpy(b, "{\"a\":", 5);
	memset(b + 5, '[', DEEP);
	assert_refused_n(b, 5 + DEEP);
	memset(b, '[', 5 + DEEP);
	assert_refused_n(b, 5 + DEEP);
	free(b);
}

Test(json_parse, embedded_nul_refused)
{

	REFUSED("{}\0");
	REFUSED("{\"a\":1}\0junk");
	REFUSED("{\"a\":\"x\0y\"}");
}

/* Under ASan the buffer holds exactly len bytes: a read past it aborts. */
Test(json_parse, reads_only_len_bytes)
{
	char	*b;

	b = malloc(2);
	cr_assert_not_null(b);
	memcpy(b, "{}", 2);
	assert_accepted_n(b, 2);
	free(b);
	assert_accepted_n("{}garbage", 2);
	assert_refused_n("{\"a\":1}", 5);
}

static struct json_object *fixture;

static void
setup_fixture(void)
{

	fixture = PARSE("{\"s\":\"x\",\"n\":null,\"b\":true,\"i\":1,"
	    "\"arr\":[\"a\",\"b\"],\"nul\":\"a\\u0000b\",\"mixed\":[\"a\",1],"
	    "\"nularr\":[\"a\\u0000\"],\"nullarr\":[null]}");
	cr_assert_not_null(fixture);
}

static void
teardown_fixture(void)
{

	json_object_put(fixture);
}

#define FIELDS	.init = setup_fixture, .fini = teardown_fixture

static void
assert_no_errors(const struct gh_input_errors *e)
{

	cr_assert_not(gh_input_failed(e));
	cr_assert_str_empty(e->missing);
	cr_assert_null(e->missing_why);
	cr_assert_null(e->fields);
}

static void
assert_malformed(const struct gh_input_errors *e, const char *field,
    const char *why)
{

	cr_assert(gh_input_failed(e));
	cr_assert_str_eq(e->missing, field);
	cr_assert_not_null(e->missing_why);
	cr_assert_str_eq(e->missing_why, why);
}

Test(json_string, present, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "s", GH_FIELD_REQUIRED, &s, &len,
	    &e), 1);
	cr_assert_eq(len, 1);
	cr_assert_str_eq(s, "x");
	assert_no_errors(&e);
}

Test(json_string, absent_optional_is_zero, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "zz", 0, &s, &len, &e), 0);
	assert_no_errors(&e);
}

Test(json_string, absent_required_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "zz", GH_FIELD_REQUIRED, &s, &len,
	    &e), -1);
	assert_malformed(&e, "zz", "is required");
}

Test(json_string, null_nullable_is_absent, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "n", GH_FIELD_NULLABLE, &s, &len,
	    &e), 0);
	assert_no_errors(&e);
}

Test(json_string, null_not_nullable_is_wrong_type, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "n", 0, &s, &len, &e), -1);
	assert_malformed(&e, "n", "must be a string");
}

Test(json_string, null_required_is_missing, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "n", GH_FIELD_REQUIRED, &s, &len,
	    &e), -1);
	assert_malformed(&e, "n", "is required");
}

/* "absent or null is a 400" holds even when null reads as absent. */
Test(json_string, null_required_nullable_is_missing, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "n",
	    GH_FIELD_REQUIRED | GH_FIELD_NULLABLE, &s, &len, &e), -1);
	assert_malformed(&e, "n", "is required");
}

Test(json_string, wrong_type_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "i", 0, &s, &len, &e), -1);
	assert_malformed(&e, "i", "must be a string");
}

Test(json_string, escaped_nul_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	const char		*s = NULL;
	size_t			 len = 0;

	cr_assert_eq(gh_json_string(fixture, "nul", 0, &s, &len, &e), -1);
	assert_malformed(&e, "nul", "must not contain NUL bytes");
}

Test(json_bool, present, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "b", 0, &b, &e), 1);
	cr_assert(b);
	assert_no_errors(&e);
}

Test(json_bool, false_read_as_false)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*o;
	bool			 b = true;

	o = PARSE("{\"b\":false}");
	cr_assert_not_null(o);
	cr_assert_eq(gh_json_bool(o, "b", GH_FIELD_REQUIRED, &b, &e), 1);
	cr_assert_not(b);
	json_object_put(o);
}

Test(json_bool, absent_optional_is_zero, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "zz", 0, &b, &e), 0);
	assert_no_errors(&e);
}

Test(json_bool, absent_required_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "zz", GH_FIELD_REQUIRED, &b, &e),
	    -1);
	assert_malformed(&e, "zz", "is required");
}

Test(json_bool, null_nullable_is_absent, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "n", GH_FIELD_NULLABLE, &b, &e), 0);
	assert_no_errors(&e);
}

Test(json_bool, null_not_nullable_is_wrong_type, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "n", 0, &b, &e), -1);
	assert_malformed(&e, "n", "must be true or false");
}

Test(json_bool, wrong_type_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	bool			 b = false;

	cr_assert_eq(gh_json_bool(fixture, "s", 0, &b, &e), -1);
	assert_malformed(&e, "s", "must be true or false");
	cr_assert_eq(gh_json_bool(fixture, "i", 0, &b, &e), -1);
}

Test(json_string_array, present, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "arr", 0, 2, &arr, &e), 1);
	cr_assert_not_null(arr);
	cr_assert_eq(json_object_array_length(arr), 2);
	assert_no_errors(&e);
}

Test(json_string_array, absent_optional_is_zero, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "zz", 0, 2, &arr, &e), 0);
	cr_assert_null(arr);
	assert_no_errors(&e);
}

Test(json_string_array, absent_required_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "zz", GH_FIELD_REQUIRED, 2,
	    &arr, &e), -1);
	assert_malformed(&e, "zz", "is required");
}

Test(json_string_array, null_nullable_is_absent, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "n", GH_FIELD_NULLABLE, 2,
	    &arr, &e), 0);
	assert_no_errors(&e);
}

Test(json_string_array, not_an_array_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "s", 0, 2, &arr, &e), -1);
	cr_assert_null(arr);
	assert_malformed(&e, "s", "must be an array of strings");
}

Test(json_string_array, non_string_element_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "mixed", 0, 2, &arr, &e),
	    -1);
	cr_assert_null(arr);
	assert_malformed(&e, "mixed", "must be an array of strings");
}

Test(json_string_array, null_element_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "nullarr", 0, 2, &arr, &e),
	    -1);
	assert_malformed(&e, "nullarr", "must be an array of strings");
}

Test(json_string_array, nul_in_element_is_400, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL;

	cr_assert_eq(gh_json_string_array(fixture, "nularr", 0, 2, &arr, &e),
	    -1);
	assert_malformed(&e, "nularr", "must be an array of strings");
}

Test(json_string_array, too_long_is_422, FIELDS)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*arr = NULL, *why;

	cr_assert_eq(gh_json_string_array(fixture, "arr", 0, 1, &arr, &e), -1);
	cr_assert_null(arr);
	cr_assert(gh_input_failed(&e));
	cr_assert_str_empty(e.missing);
	cr_assert_not_null(e.fields);
	cr_assert(json_object_object_get_ex(e.fields, "arr", &why));
	cr_assert_str_eq(json_object_get_string(why), "must have at most 1 item");
	gh_input_errors_free(&e);
}

Test(json_has, present_null_and_absent, FIELDS)
{

	cr_assert(gh_json_has(fixture, "s"));
	cr_assert(gh_json_has(fixture, "n"));
	cr_assert_not(gh_json_has(fixture, "zz"));
}

Test(json_add_string, value_added)
{
	struct json_object	*o, *v;

	o = json_object_new_object();
	cr_assert_not_null(o);
	cr_assert_eq(gh_json_add_string(o, "k", "v"), 0);
	cr_assert(json_object_object_get_ex(o, "k", &v));
	cr_assert(json_object_is_type(v, json_type_string));
	cr_assert_str_eq(json_object_get_string(v), "v");
	json_object_put(o);
}

Test(json_add_string, empty_is_null)
{
	struct json_object	*o, *v;

	o = json_object_new_object();
	cr_assert_not_null(o);
	cr_assert_eq(gh_json_add_string(o, "k", ""), 0);
	cr_assert(json_object_object_get_ex(o, "k", &v));
	cr_assert_null(v);
	json_object_put(o);
}

Test(json_add_string, null_is_null)
{
	struct json_object	*o, *v;

	o = json_object_new_object();
	cr_assert_not_null(o);
	cr_assert_eq(gh_json_add_string(o, "k", NULL), 0);
	cr_assert(json_object_object_get_ex(o, "k", &v));
	cr_assert_null(v);
	cr_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"k\":null}");
	json_object_put(o);
}

Test(json_add_string, not_an_object_refused)
{
	struct json_object	*a;

	a = json_object_new_array();
	cr_assert_not_null(a);
	cr_assert_eq(gh_json_add_string(a, "k", "v"), -1);
	json_object_put(a);
}
