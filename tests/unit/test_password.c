/*
 * test_password: bcrypt through libxcrypt against published vectors, the
 * 72-byte and NUL refusals, rehash decisions and the policy.  Hashing is
 * done at cost 4 so the suite stays fast.
 */
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <criterion/criterion.h>

#include "core/password.h"

#define COST	4

static int
verify(const char *pw, const char *hash)
{

	return gh_password_verify(pw, strlen(pw), hash);
}

/*
 * Published vectors: OpenBSD / John the Ripper (crypt_blowfish wrapper.c)
 * $2a$ and pyca/bcrypt's $2b$; each hash verifies its password (ok 1)
 * and not a near miss (ok 0).
 */
static const struct vector {
	const char	*source, *pw, *hash;
	int		 ok;
} vectors[] = {
	{ "openwall 2a U*U", "U*U",
	    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", 1 },
	{ "openwall 2a U*U*U", "U*U*U",
	    "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", 1 },
	{ "openwall 2a empty password", "",
	    "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", 1 },
	{ "pyca 2b", "Kk4DQuMMfZL9o",
	    "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 1 },
	{ "pyca 2b", "9IeRXmnGxMYbs",
	    "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy", 1 },
	{ "openwall 2a U*U, wrong password", "U*V",
	    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", 0 },
	{ "pyca 2b, wrong case", "kk4DQuMMfZL9o",
	    "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 0 },
	{ "openwall 2a empty password, wrong password", "x",
	    "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", 0 },
};

Test(password, verifies_published_vectors_and_refuses_near_misses)
{
	const struct vector	*v;
	size_t			 i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		v = &vectors[i];
		cr_assert_eq(verify(v->pw, v->hash), v->ok,
		    "%s: \"%s\" must %sverify", v->source, v->pw,
		    v->ok ? "" : "not ");
	}
}

/*
 * The openwall vector whose password runs past 72 bytes: bcrypt matches
 * it on the first 72; we refuse the long form rather than let the tail
 * be ignored.
 */
Test(password, password_past_72_bytes_never_verifies_by_truncation)
{
	const char	*longpw = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored";
	const char	*hash =
	    "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";

	cr_assert_eq(gh_password_verify(longpw, 72, hash), 1);
	cr_assert_eq(gh_password_verify(longpw, strlen(longpw), hash), 0);
}

Test(password, hash_at_cost_4_is_60_chars_of_2b_04)
{
	char	 out[128];

	cr_assert_eq(gh_password_hash("secret pw", 9, COST, out, sizeof(out)),
	    0);
	cr_assert_eq(strlen(out), (size_t)60);
	cr_assert_eq(strncmp(out, "$2b$04$", 7), 0);
}

Test(password, hash_verifies_and_agrees_with_plain_libxcrypt)
{
	struct crypt_data	*cd;
	const char		*again;
	char			 out[128];

	cr_assert_eq(gh_password_hash("correct horse", 13, COST, out,
	    sizeof(out)), 0);
	cr_assert_eq(verify("correct horse", out), 1);
	cr_assert_eq(verify("correct horsf", out), 0);

	/* Cross-check: libxcrypt on its own recomputes the same string. */
	cd = calloc(1, sizeof(*cd));
	cr_assert_not_null(cd);
	again = crypt_rn("correct horse", out, cd, (int)sizeof(*cd));
	cr_assert_not_null(again);
	cr_assert_str_eq(again, out);
	free(cd);
}

Test(password, two_hashes_of_one_password_differ)
{
	char	 a[128], b[128];

	cr_assert_eq(gh_password_hash("same", 4, COST, a, sizeof(a)), 0);
	cr_assert_eq(gh_password_hash("same", 4, COST, b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
	cr_assert_eq(verify("same", a), 1);
	cr_assert_eq(verify("same", b), 1);
}

Test(password, hash_accepts_72_bytes)
{
	char	 pw[72], out[128];

	memset(pw, 'a', sizeof(pw));
	cr_assert_eq(gh_password_hash(pw, sizeof(pw), COST, out, sizeof(out)),
	    0);
	cr_assert_eq(gh_password_verify(pw, sizeof(pw), out), 1);
}

Test(password, hash_refuses_73_bytes)
{
	char	 pw[73], out[128];

	memset(pw, 'a', sizeof(pw));
	cr_assert_eq(gh_password_hash(pw, sizeof(pw), COST, out, sizeof(out)),
	    -1);
	cr_assert_str_eq(out, "");
}

Test(password, hash_refuses_embedded_nul)
{
	char	 out[128];

	cr_assert_eq(gh_password_hash("abc\0def", 7, COST, out, sizeof(out)),
	    -1);
}

Test(password, verify_refuses_embedded_nul)
{
	char	 out[128];

	cr_assert_eq(gh_password_hash("abc", 3, COST, out, sizeof(out)), 0);
	/* bcrypt would read "abc" and match; we must not. */
	cr_assert_eq(gh_password_verify("abc\0def", 7, out), 0);
}

Test(password, hash_refuses_cost_out_of_range)
{
	char	 out[128];

	cr_assert_eq(gh_password_hash("pw", 2, 3, out, sizeof(out)), -1);
	cr_assert_eq(gh_password_hash("pw", 2, 32, out, sizeof(out)), -1);
}

Test(password, hash_refuses_small_output_buffer)
{
	char	 out[60];

	cr_assert_eq(gh_password_hash("pw", 2, COST, out, sizeof(out)), -1);
}

Test(password, malformed_hashes_verify_as_zero)
{
	static const char *const bad[] = {
		"",
		"*0",
		"*1",
		"$2b$",
		"$2b$04$",
		"$2b$04$short",
		"$2b$99$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
		"$2b$xx$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
		"$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YE",
		"$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEmm",
		"$2b$04$!!!!!!!!!!!!!!!!!!!!!!026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
		"$2c$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
		"plaintext",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(verify("Kk4DQuMMfZL9o", bad[i]), 0, "hash %zu", i);
	cr_assert_eq(verify("Kk4DQuMMfZL9o", NULL), 0);
}

Test(password, overlong_stored_hash_verifies_as_zero)
{
	char	 hash[4096];

	memset(hash, 'a', sizeof(hash) - 1);
	memcpy(hash, "$2b$04$", 7);
	hash[sizeof(hash) - 1] = '\0';
	cr_assert_eq(verify("pw", hash), 0);
}

/* libxcrypt would check these, but they are not ours: DES reads 8 bytes. */
Test(password, non_bcrypt_hashes_are_not_trusted)
{

	cr_assert_eq(verify("password", "abJnggxhB/yWI"), 0);
	cr_assert_eq(verify("x", "$1$abc$OGyl6dDvZCDiGmIVbeuCq/"), 0);
}

Test(password, dummy_verify_runs_at_each_cost_edge)
{

	gh_password_verify_dummy("whatever", 8, COST);
	gh_password_verify_dummy("whatever", 8, 5);
	/* Out-of-range costs and refused passwords return without harm. */
	gh_password_verify_dummy("whatever", 8, 3);
	gh_password_verify_dummy("whatever", 8, 99);
	gh_password_verify_dummy("a\0b", 3, COST);
	gh_password_verify_dummy(NULL, 0, COST);
}

/* Whether a stored hash needs a rehash at a cost, and why. */
static const struct rehash {
	const char	*why, *hash;
	int		 cost;
	bool		 want;
} rehashes[] = {
	{ "the same cost",
	    "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 4,
	    false },
	{ "the same cost",
	    "$2b$12$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 12,
	    false },
	{ "a lower cost",
	    "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 12,
	    true },
	{ "a higher cost",
	    "$2b$13$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", 12,
	    true },
	{ "$2a$ at the same cost",
	    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", 5,
	    true },
	{ "garbage", "garbage", 12, true },
	{ "garbage", "", 12, true },
	{ "garbage", "$2b$", 12, true },
	{ "garbage", "$2b$1", 12, true },
	{ "garbage", "$2b$1x$", 12, true },
	{ "garbage", "$2b$12", 12, true },
	{ "no hash", NULL, 12, true },
};

Test(password, needs_rehash_unless_a_2b_hash_of_the_same_cost)
{
	const struct rehash	*r;
	size_t			 i;

	for (i = 0; i < sizeof(rehashes) / sizeof(rehashes[0]); i++) {
		r = &rehashes[i];
		cr_assert_eq(gh_password_needs_rehash(r->hash, r->cost), r->want,
		    "%s: %s at cost %d", r->why, r->hash != NULL ? r->hash :
		    "NULL", r->cost);
	}
}

Test(password, fresh_hash_needs_no_rehash_at_its_cost)
{
	char	 out[128];

	cr_assert_eq(gh_password_hash("pw", 2, COST, out, sizeof(out)), 0);
	cr_assert_not(gh_password_needs_rehash(out, COST));
	cr_assert(gh_password_needs_rehash(out, COST + 1));
}

/* Policy. */

static const struct gh_password_policy policy8 = { 8, false };
static const struct gh_password_policy policy8classes = { 8, true };

static enum gh_password_verdict
check(const struct gh_password_policy *p, const char *pw, const char *user,
    const char *email)
{

	return gh_password_check(p, pw, strlen(pw), user, email);
}

/* Passwords of C strings, the verdict each gets, and why. */
static const struct verdict {
	const char			*why;
	const struct gh_password_policy	*policy;
	const char			*pw, *user, *email;
	enum gh_password_verdict	 want;
} verdicts[] = {
	{ "long enough", &policy8, "abcdefgh", "alice", "a@example.com",
	    GH_PW_OK },
	{ "seven characters", &policy8, "abcdefg", NULL, NULL,
	    GH_PW_TOO_SHORT },
	/* Length counts code points, not bytes. */
	{ "7 code points in 14 bytes", &policy8,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL,
	    NULL, GH_PW_TOO_SHORT },
	{ "8 code points", &policy8,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	    NULL, NULL, GH_PW_OK },
	{ "the username in another case", &policy8, "AliceSmith",
	    "alicesmith", NULL, GH_PW_SAME_AS_USERNAME },
	{ "the username", &policy8, "alicesmith", "alicesmith", NULL,
	    GH_PW_SAME_AS_USERNAME },
	{ "the username and more", &policy8, "alicesmith2", "alicesmith",
	    NULL, GH_PW_OK },
	{ "the email in another case", &policy8, "Alice@Example.com",
	    "alice", "alice@example.com", GH_PW_SAME_AS_EMAIL },
	{ "another email", &policy8, "alice@example.org", "alice",
	    "alice@example.com", GH_PW_OK },
	{ "empty username and email match nothing", &policy8, "abcdefgh", "",
	    "", GH_PW_OK },
	{ "classes required: lower only", &policy8classes, "abcdefgh", NULL,
	    NULL, GH_PW_MISSING_CLASSES },
	{ "classes required: no upper", &policy8classes, "abcdefg1", NULL,
	    NULL, GH_PW_MISSING_CLASSES },
	{ "classes required: no lower", &policy8classes, "ABCDEFG1", NULL,
	    NULL, GH_PW_MISSING_CLASSES },
	{ "classes required: no digit", &policy8classes, "Abcdefgh", NULL,
	    NULL, GH_PW_MISSING_CLASSES },
	{ "classes required: all three", &policy8classes, "Abcdefg1", NULL,
	    NULL, GH_PW_OK },
	{ "classes not required by default", &policy8, "abcdefgh", NULL,
	    NULL, GH_PW_OK },
};

Test(password_policy, verdicts_of_the_rules)
{
	const struct verdict	*v;
	size_t			 i;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		v = &verdicts[i];
		cr_assert_eq(check(v->policy, v->pw, v->user, v->email),
		    v->want, "%s: \"%s\": %s, not %s", v->why, v->pw,
		    gh_password_verdict_str(check(v->policy, v->pw, v->user,
		    v->email)), gh_password_verdict_str(v->want));
	}
}

Test(password_policy, over_72_bytes_is_too_long)
{
	char	 pw[73];

	memset(pw, 'a', sizeof(pw));
	cr_assert_eq(gh_password_check(&policy8, pw, 73, NULL, NULL),
	    GH_PW_TOO_LONG);
	cr_assert_eq(gh_password_check(&policy8, pw, 72, NULL, NULL),
	    GH_PW_OK);
}

Test(password_policy, long_multibyte_password_is_too_long_in_bytes)
{
	char	 pw[74];
	size_t	 i;

	/* 37 code points, 74 bytes: few characters, too many bytes. */
	for (i = 0; i < sizeof(pw); i += 2) {
		pw[i] = (char)0xc3;
		pw[i + 1] = (char)0xa9;
	}
	cr_assert_eq(gh_password_check(&policy8, pw, sizeof(pw), NULL, NULL),
	    GH_PW_TOO_LONG);
}

Test(password_policy, embedded_nul_is_refused)
{

	cr_assert_eq(gh_password_check(&policy8, "abcd\0efgh", 9, NULL, NULL),
	    GH_PW_HAS_NUL);
}

Test(password_policy, verdict_strings_are_short_sentences)
{
	enum gh_password_verdict	 v;

	for (v = GH_PW_OK; v <= GH_PW_MISSING_CLASSES; v++) {
		const char	*s = gh_password_verdict_str(v);

		cr_assert_not_null(s);
		cr_assert_gt(strlen(s), (size_t)0);
		cr_assert_lt(strlen(s), (size_t)100);
	}
	cr_assert_str_eq(gh_password_verdict_str(GH_PW_TOO_LONG),
	    "must be at most 72 bytes");
	cr_assert_str_neq(gh_password_verdict_str(GH_PW_TOO_SHORT),
	    gh_password_verdict_str(GH_PW_TOO_LONG));
}
