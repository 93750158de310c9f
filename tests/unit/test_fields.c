/*
 * fields: the rules on a user's fields, role names and new passwords.
 * Each table row is one value and whether its rule takes it; a value's
 * length is given where it holds a NUL.
 */
#include <stdbool.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "domain/fields.h"

typedef const char *check_fn(const char *, size_t);

struct example {
	const char	*s;
	size_t		 len;		/* 0: strlen(s) */
	bool		 good;
};

#define GOOD(s)		{ (s), 0, true }
#define BAD(s)		{ (s), 0, false }
#define BAD_LEN(s)	{ (s), sizeof(s) - 1, false }

static void
assert_field(check_fn *check, const char *s, size_t len, bool good)
{
	const char	*why;

	why = check(s, len);
	if (good)
		cr_assert_null(why, "\"%.*s\" (%zu bytes) refused: %s",
		    (int)len, s, len, why);
	else {
		cr_assert_not_null(why, "\"%.*s\" (%zu bytes) accepted",
		    (int)len, s, len);
		cr_assert_gt(strlen(why), 0);
	}
}

static void
assert_examples(check_fn *check, const struct example *ex, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		assert_field(check, ex[i].s, ex[i].len != 0 ? ex[i].len :
		    strlen(ex[i].s), ex[i].good);
}

#define EXAMPLES(check, ex)	assert_examples((check), (ex), \
				    sizeof(ex) / sizeof((ex)[0]))

/* Checks a string of n copies of c. */
static void
assert_run(check_fn *check, char c, size_t n, bool good)
{
	char	 s[512];

	cr_assert_lt(n, sizeof(s));
	memset(s, c, n);
	s[n] = '\0';
	assert_field(check, s, n, good);
}

Test(fields, username_length_must_be_3_to_64)
{
	assert_run(gh_field_check_username, 'a', 0, false);
	assert_run(gh_field_check_username, 'a', 2, false);
	assert_run(gh_field_check_username, 'a', 3, true);
	assert_run(gh_field_check_username, 'a', 64, true);
	assert_run(gh_field_check_username, 'a', 65, false);
}

Test(fields, username_takes_letters_digits_dot_underscore_dash_only)
{
	static const struct example ex[] = {
		GOOD("Alice.B_c-1"), GOOD("007"),
		BAD("al ice"), BAD("alice@example.com"), BAD("al/ice"),
		BAD("alice\n"), BAD("al'ice"), BAD("caf\xc3\xa9"),
		BAD_LEN("ali\0ce"),
	};

	EXAMPLES(gh_field_check_username, ex);
}

Test(fields, email_takes_addresses_with_one_at_and_a_dotted_domain)
{
	static const struct example ex[] = {
		GOOD("a@b.co"), GOOD("first.last+tag@mail.example.org"),
		BAD("alice.example.com"), BAD("a@b@example.com"),
		BAD("alice@localhost"), BAD("alice@.com"),
		BAD("alice@example.com."), BAD("@example.com"),
		BAD("al ice@example.com"), BAD(" alice@example.com"),
		BAD("alice@example.com "), BAD("alice@exa\tmple.com"),
		BAD_LEN("alice@ex\0ample.com"),
	};

	EXAMPLES(gh_field_check_email, ex);
}

Test(fields, email_length_must_be_at_most_254)
{
	char	 s[300];
	size_t	 local;

	/* local part + "@example.com" (12 bytes) */
	for (local = 242; local <= 243; local++) {
		memset(s, 'a', local);
		memcpy(s + local, "@example.com", sizeof("@example.com"));
		assert_field(gh_field_check_email, s, strlen(s), local == 242);
	}
}

Test(fields, phone_takes_digits_and_punctuation_only)
{
	static const struct example ex[] = {
		GOOD("+1 (555) 123-4567"), GOOD("555.123.4567"), GOOD(""),
		BAD("call me"), BAD("555-CALL"), BAD("+-()"),
		BAD_LEN("555\0 123"),
	};

	EXAMPLES(gh_field_check_phone, ex);
	assert_run(gh_field_check_phone, '5', 32, true);
	assert_run(gh_field_check_phone, '5', 33, false);
}

Test(fields, role_name_takes_lower_case_digits_underscore_dash_only)
{
	static const struct example ex[] = {
		GOOD("admin"), GOOD("read-only_2"), GOOD("a"),
		BAD("Admin"), BAD("ADMIN"), BAD(""), BAD("read only"),
		BAD("a,b"), BAD("a\"b"), BAD("{admin}"), BAD_LEN("ad\0min"),
	};

	EXAMPLES(gh_field_check_role_name, ex);
	assert_run(gh_field_check_role_name, 'r', 64, true);
	assert_run(gh_field_check_role_name, 'r', 65, false);
}

Test(fields, employee_id_must_be_1_to_64_printable)
{
	static const struct example ex[] = {
		GOOD("E-100"), BAD(""), BAD("E\t100"), BAD("E\x7f"),
		BAD_LEN("E\0100"),
	};

	EXAMPLES(gh_field_check_employee_id, ex);
	assert_run(gh_field_check_employee_id, '7', 64, true);
	assert_run(gh_field_check_employee_id, '7', 65, false);
}

Test(fields, full_name_must_be_at_most_200_printable)
{
	static const struct example ex[] = {
		GOOD(""), GOOD("Zo\xc3\xab O'Brien-Smith"),
		BAD("Alice\nLiddell"), BAD_LEN("Alice\0Liddell"),
	};

	EXAMPLES(gh_field_check_full_name, ex);
	assert_run(gh_field_check_full_name, 'n', 200, true);
	assert_run(gh_field_check_full_name, 'n', 201, false);
}

static const char *
check_password(int min_length, bool classes, const char *pw,
    const char *username, const char *email)
{
	struct gh_config	 cfg;

	gh_config_defaults(&cfg);
	cfg.password_min_length = min_length;
	cfg.password_require_classes = classes;
	return gh_field_check_password(&cfg, pw, strlen(pw), username, email);
}

Test(fields, password_follows_the_configured_policy)
{
	cr_assert_null(check_password(8, false, "correct horse", "alice",
	    NULL));
	cr_assert_not_null(check_password(8, false, "short", "alice", NULL));
	cr_assert_null(check_password(4, false, "short", "alice", NULL));
	cr_assert_not_null(check_password(8, true, "correct horse", "alice",
	    NULL));
	cr_assert_null(check_password(8, true, "Correct horse 1", "alice",
	    NULL));
}

Test(fields, password_may_not_be_the_username_or_email)
{
	cr_assert_not_null(check_password(4, false, "Alice.Liddell",
	    "alice.liddell", NULL));
	cr_assert_not_null(check_password(4, false, "a@example.com", "alice",
	    "A@example.com"));
	cr_assert_null(check_password(4, false, "a@example.com", "alice",
	    NULL));
}

Test(fields, password_over_72_bytes_is_refused)
{
	char	 pw[74];

	memset(pw, 'p', 73);
	pw[73] = '\0';
	cr_assert_not_null(check_password(8, false, pw, "alice", NULL));
	pw[72] = '\0';
	cr_assert_null(check_password(8, false, pw, "alice", NULL));
}
