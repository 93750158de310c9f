/*
 * input_errors: the 400 and the 422s a handler collects, as the contract
 * sorts them: the first 400 stays, each field's first 422 sentence stays,
 * and freeing is idempotent.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/input_errors.h"

Test(input_errors, zeroed_is_not_failed)
{
	struct gh_input_errors	 e = { 0 };

	cr_assert_not(gh_input_failed(&e));
}

Test(input_errors, malformed_is_failed_even_for_an_empty_field)
{
	struct gh_input_errors	 e = { 0 }, body = { 0 };

	gh_input_malformed(&e, "a", "is required");
	cr_assert(gh_input_failed(&e));
	gh_input_malformed(&body, "", "body must be an object");
	cr_assert(gh_input_failed(&body));
}

Test(input_errors, invalid_is_failed)
{
	struct gh_input_errors	 e = { 0 };

	gh_input_invalid(&e, "a", "is too short");
	cr_assert(gh_input_failed(&e));
	cr_assert_str_empty(e.missing);
	gh_input_errors_free(&e);
}

Test(input_errors, invalid_keeps_first_sentence_per_field)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*v;

	gh_input_invalid(&e, "a", "first");
	gh_input_invalid(&e, "a", "second");
	gh_input_invalid(&e, "b", "other");
	cr_assert_eq(json_object_object_length(e.fields), 2);
	cr_assert(json_object_object_get_ex(e.fields, "a", &v));
	cr_assert_str_eq(json_object_get_string(v), "first");
	cr_assert(json_object_object_get_ex(e.fields, "b", &v));
	cr_assert_str_eq(json_object_get_string(v), "other");
	gh_input_errors_free(&e);
}

Test(input_errors, invalid_copies_sentence)
{
	struct gh_input_errors	 e = { 0 };
	struct json_object	*v;
	char			 why[16] = "changing";

	gh_input_invalid(&e, "a", why);
	why[0] = 'X';
	cr_assert(json_object_object_get_ex(e.fields, "a", &v));
	cr_assert_str_eq(json_object_get_string(v), "changing");
	gh_input_errors_free(&e);
}

Test(input_errors, malformed_keeps_first)
{
	struct gh_input_errors	 e = { 0 };

	gh_input_malformed(&e, "a", "is required");
	gh_input_malformed(&e, "b", "must be a string");
	cr_assert_str_eq(e.missing, "a");
	cr_assert_str_eq(e.missing_why, "is required");
}

Test(input_errors, malformed_long_field_cut_but_failed)
{
	struct gh_input_errors	 e = { 0 };
	char			 field[200];

	memset(field, 'f', sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	gh_input_malformed(&e, field, "is required");
	cr_assert(gh_input_failed(&e));
	cr_assert_eq(strlen(e.missing), sizeof(e.missing) - 1);
}

Test(input_errors, free_twice_is_safe)
{
	struct gh_input_errors	 e = { 0 };

	gh_input_invalid(&e, "a", "x");
	gh_input_errors_free(&e);
	cr_assert_null(e.fields);
	gh_input_errors_free(&e);
	cr_assert_null(e.fields);
}

Test(input_errors, null_collector_is_ignored)
{

	gh_input_invalid(NULL, "a", "x");
	gh_input_malformed(NULL, "a", "x");
	cr_assert_not(gh_input_failed(NULL));
	gh_input_errors_free(NULL);
}
