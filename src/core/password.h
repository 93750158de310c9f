/*
 * password: bcrypt ($2b$) through libxcrypt's reentrant calls, and the
 * contract's password policy.
 *
 * Promises: a password over GH_PASSWORD_MAX (72) bytes is refused, never
 * truncated; a NUL inside a password is refused (bcrypt would stop there);
 * verification compares the whole computed hash in constant time; the
 * 32 KiB crypt_data lives on the heap, allocated once per process.
 */
#ifndef GH_PASSWORD_H
#define GH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define GH_BCRYPT_COST_MIN	4
#define GH_BCRYPT_COST_MAX	31

struct gh_password_policy {
	int	min_length;		/* characters (UTF-8 code points) */
	bool	require_classes;	/* an upper, a lower and a digit */
};

/* Why a password fails the policy; GH_PW_OK when it passes. */
enum gh_password_verdict {
	GH_PW_OK = 0,
	GH_PW_TOO_SHORT,
	GH_PW_TOO_LONG,
	GH_PW_HAS_NUL,
	GH_PW_SAME_AS_USERNAME,
	GH_PW_SAME_AS_EMAIL,
	GH_PW_MISSING_CLASSES
};

/*
 * Hashes pw[0..len) at cost into out (at least 61 bytes).
 * Returns 0, or -1 on a refused password or a libxcrypt failure.
 */
int	gh_password_hash(const char *pw, size_t len, int cost, char *out,
	    size_t outsz);

/* 1 when pw matches hash, 0 when not (also for a malformed hash), -1 on failure. */
int	gh_password_verify(const char *pw, size_t len, const char *hash);

/*
 * Does the same bcrypt work as a verify at cost, against a fixed hash,
 * so that a login for an unknown user takes as long as one for a known.
 */
void	gh_password_verify_dummy(const char *pw, size_t len, int cost);

/* True when hash is not a $2b$ hash of exactly cost. */
bool	gh_password_needs_rehash(const char *hash, int cost);

/*
 * Checks pw[0..len) against the policy; username and email may be NULL.
 * The username and email comparisons ignore ASCII case.
 */
enum gh_password_verdict gh_password_check(const struct gh_password_policy *,
	    const char *pw, size_t len, const char *username, const char *email);

/* The sentence a client sees in "fields" for a verdict. */
const char	*gh_password_verdict_str(enum gh_password_verdict);

#endif
