/*
 * form: urlencoded bodies into objects of strings, and every way the
 * header says a body is malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/form.h"

/* Parses exactly the bytes of a literal, embedded NULs included. */
#define PARSE(lit)	gh_form_parse((lit), sizeof(lit) - 1)

/* why: the case, named in a failure. */
static void
assert_refused_n(const char *why, const char *body, size_t len)
{
	struct json_object	*o;

	o = gh_form_parse(body, len);
	cr_assert_null(o, "%s: must refuse %.*s", why, (int)len, body);
	json_object_put(o);
}

/* Asserts that obj holds key as a string of exactly want[0..wantlen). */
static void
assert_field_n(struct json_object *obj, const char *key, const char *want,
    size_t wantlen)
{
	struct json_object	*v;

	cr_assert(json_object_object_get_ex(obj, key, &v), "no \"%s\"", key);
	cr_assert(json_object_is_type(v, json_type_string));
	cr_assert_eq((size_t)json_object_get_string_len(v), wantlen,
	    "\"%s\" length", key);
	cr_assert(memcmp(json_object_get_string(v), want, wantlen) == 0,
	    "\"%s\" is \"%s\"", key, json_object_get_string(v));
}

#define FIELD(obj, key, lit)	assert_field_n((obj), (key), (lit), sizeof(lit) - 1)

/*
 * Parses body (a C string) and asserts the one field it should hold; why
 * names the case in a failure.
 */
static void
assert_one(const char *why, const char *body, const char *key,
    const char *want)
{
	struct json_object	*o, *v;

	o = gh_form_parse(body, strlen(body));
	cr_assert_not_null(o, "%s: must accept %s", why, body);
	cr_assert_eq(json_object_object_length(o), 1, "%s: %s", why, body);
	cr_assert(json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string), "%s: no \"%s\" in %s",
	    why, key, body);
	cr_assert_str_eq(json_object_get_string(v), want, "%s: %s", why, body);
	json_object_put(o);
}

Test(form_parse, password_grant)
{
	struct json_object	*o;

	o = PARSE("grant_type=password&username=alice&password=s3cret");
	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), 3);
	FIELD(o, "grant_type", "password");
	FIELD(o, "username", "alice");
	FIELD(o, "password", "s3cret");
	json_object_put(o);
}

/* Bodies of one field, and the value each must give. */
static const struct one {
	const char	*why;
	const char	*body, *key, *want;
} ones[] = {
	{ "plus is a space", "a=b+c+", "a", "b c " },
	{ "percent hex is decoded", "a=%41", "a", "A" },
	{ "percent hex is decoded, either case", "a=%2b%2B", "a", "++" },
	{ "percent hex may encode separators", "a=%26%3D", "a", "&=" },
	{ "the name is decoded too", "gr%61nt+type=x", "grant type", "x" },
	{ "a missing equals is an empty value", "a", "a", "" },
	{ "an empty value", "a=", "a", "" },
	{ "the value keeps later equals", "a=b=c", "a", "b=c" },
	{ "multibyte UTF-8, encoded", "a=%C3%A9", "a", "\xc3\xa9" },
	{ "multibyte UTF-8, 3 and 4 bytes", "a=%E2%82%AC%F0%9F%98%80", "a",
	    "\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "multibyte UTF-8, raw", "a=\xc3\xa9", "a", "\xc3\xa9" },
};

Test(form_parse, one_field_bodies_decode_to_their_value)
{
	size_t	 i;

	for (i = 0; i < sizeof(ones) / sizeof(ones[0]); i++)
		assert_one(ones[i].why, ones[i].body, ones[i].key,
		    ones[i].want);
}

/* Bodies that must be refused, each with the rule it breaks. */
#define ROW(why, lit)	{ (why), (lit), sizeof(lit) - 1 }
static const struct refusal {
	const char	*why;
	const char	*body;
	size_t		 len;
} refusals[] = {
	ROW("a truncated percent", "a=%4"),
	ROW("a truncated percent", "a=%"),
	ROW("a truncated percent", "a=%4&b=1"),
	ROW("a non-hex percent", "a=%zz"),
	ROW("a non-hex percent", "a=%4g"),
	ROW("a non-hex percent", "a=%+1"),
	ROW("an encoded NUL", "a=%00"),
	ROW("an encoded NUL", "%00=x"),
	ROW("a raw NUL", "a=x\0y"),
	ROW("a repeated name", "a=1&a=2"),
	ROW("a repeated name", "a=1&b=2&a=1"),
	ROW("a repeated name", "a=1&%61=2"),
	ROW("an empty name", "=x"),
	ROW("an empty name", "a=1&=x"),
	ROW("an empty name", "="),
	ROW("invalid UTF-8", "a=%ff"),
	ROW("invalid UTF-8", "a=%c3"),
	ROW("invalid UTF-8", "a=\xff"),
	ROW("invalid UTF-8", "%ff=x"),
	ROW("overlong UTF-8", "a=%c0%af"),
	ROW("overlong UTF-8", "a=%e0%80%af"),
	ROW("a UTF-8 surrogate", "a=%ed%a0%80"),
	ROW("UTF-8 beyond Unicode", "a=%f4%90%80%80"),
};
#undef ROW

Test(form_parse, malformed_bodies_are_refused)
{
	size_t	 i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		assert_refused_n(refusals[i].why, refusals[i].body,
		    refusals[i].len);
}

Test(form_parse, empty_pairs_skipped)
{
	struct json_object	*o;

	o = PARSE("&a=1&&b=2&");
	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), 2);
	FIELD(o, "a", "1");
	FIELD(o, "b", "2");
	json_object_put(o);
}

Test(form_parse, empty_body_is_empty_object)
{
	struct json_object	*o;

	o = gh_form_parse("", 0);
	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), 0);
	json_object_put(o);
	o = gh_form_parse(NULL, 0);
	cr_assert_not_null(o);
	json_object_put(o);
}

Test(form_parse, null_body_with_length_refused)
{

	cr_assert_null(gh_form_parse(NULL, 1));
}

/* Writes n pairs p0=v&p1=v&... into b; returns the length. */
static size_t
many_pairs(char *b, size_t bsz, int n)
{
	size_t	 len = 0;
	int	 i;

	for (i = 0; i < n; i++) {
		int	 w;

		w = snprintf(b + len, bsz - len, "%sp%d=v", i ? "&" : "", i);
		cr_assert(w > 0 && (size_t)w < bsz - len);
		len += (size_t)w;
	}
	return len;
}

Test(form_parse, pairs_max_accepted)
{
	struct json_object	*o;
	char			 b[2048];
	size_t			 len;

	len = many_pairs(b, sizeof(b), GH_FORM_PAIRS_MAX);
	o = gh_form_parse(b, len);
	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), GH_FORM_PAIRS_MAX);
	json_object_put(o);
}

Test(form_parse, over_pairs_max_refused)
{
	char	 b[2048];
	size_t	 len;

	len = many_pairs(b, sizeof(b), GH_FORM_PAIRS_MAX + 1);
	assert_refused_n("one pair too many", b, len);
}

/* Under ASan the buffer holds exactly len bytes: a read past it aborts. */
Test(form_parse, reads_only_len_bytes)
{
	struct json_object	*o;
	char			*b;

	b = malloc(3);
	cr_assert_not_null(b);
	memcpy(b, "a=1", 3);
	o = gh_form_parse(b, 3);
	free(b);
	cr_assert_not_null(o);
	FIELD(o, "a", "1");
	json_object_put(o);

	o = gh_form_parse("a=1&b=%zz", 3);
	cr_assert_not_null(o);
	cr_assert_eq(json_object_object_length(o), 1);
	FIELD(o, "a", "1");
	json_object_put(o);

	/* A '%' cut by len is truncated, whatever follows it. */
	assert_refused_n("a percent cut by len", "a=%41", 4);
}

Test(form_parse, long_name_refused)
{
	struct json_object	*o;
	char			 b[128];

	memset(b, 'n', 65);
	memcpy(b + 65, "=x", 3);
	assert_refused_n("a 65-byte name", b, strlen(b));
	memcpy(b + 64, "=x", 3);
	o = gh_form_parse(b, strlen(b));
	cr_assert_not_null(o, "a 64-byte name fits");
	json_object_put(o);
}

Test(form_parse, long_value_refused)
{
	struct json_object	*o;
	enum { VMAX = 8192 };
	char			*b;

	b = malloc(2 + VMAX + 1);
	cr_assert_not_null(b);
	memcpy(b, "a=", 2);
	memset(b + 2, 'v', VMAX + 1);
	assert_refused_n("an 8193-byte value", b, 2 + VMAX + 1);
	o = gh_form_parse(b, 2 + VMAX);
	cr_assert_not_null(o, "an 8192-byte value fits");
	json_object_put(o);
	free(b);
}

Test(form_decode, decodes_and_terminates)
{
	char	 out[8];

	memset(out, 'X', sizeof(out));
	cr_assert_eq(gh_form_decode("a%20b+c", 7, out, sizeof(out)), 5);
	cr_assert_str_eq(out, "a b c");
}

Test(form_decode, exact_fit)
{
	char	 out[4];

	cr_assert_eq(gh_form_decode("abc", 3, out, sizeof(out)), 3);
	cr_assert_str_eq(out, "abc");
}

Test(form_decode, too_small_refused)
{
	char	 out[3];

	cr_assert_eq(gh_form_decode("abc", 3, out, sizeof(out)), -1);
	cr_assert_str_empty(out);
	cr_assert_eq(gh_form_decode("a", 1, out, 0), -1);
}

Test(form_decode, percent_decoding_shrinks_to_fit)
{
	char	 out[2];

	cr_assert_eq(gh_form_decode("%41", 3, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "A");
}

Test(form_decode, empty_is_zero)
{
	char	 out[2] = "X";

	cr_assert_eq(gh_form_decode("", 0, out, sizeof(out)), 0);
	cr_assert_str_empty(out);
}

Test(form_decode, malformed_refused)
{
	char	 out[16];

	cr_assert_eq(gh_form_decode("%4", 2, out, sizeof(out)), -1);
	cr_assert_eq(gh_form_decode("%zz", 3, out, sizeof(out)), -1);
	cr_assert_eq(gh_form_decode("a%00", 4, out, sizeof(out)), -1);
	cr_assert_eq(gh_form_decode("a\0b", 3, out, sizeof(out)), -1);
	cr_assert_str_empty(out);
}
