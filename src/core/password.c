/*
 * password: bcrypt through libxcrypt, and the password policy.
 * See password.h for the promises.
 *
 * Only the reentrant calls are used: crypt(3)'s static buffer would be
 * shared with anything else in the process that hashes.  The crypt_data
 * area is 32 KiB, too much for a FastCGI stack, so it lives on the heap,
 * allocated once; these programs are single-threaded, which is what makes
 * one shared area safe.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "core/bounds.h"
#include "core/password.h"
#include "core/str.h"

#define BCRYPT_PREFIX		"$2b$"
#define BCRYPT_PREFIX_LEN	(sizeof(BCRYPT_PREFIX) - 1)
#define BCRYPT_HASH_LEN		60	/* "$2b$NN$" + 22 salt + 31 hash */

/*
 * The dummy hash's salt and checksum: valid bcrypt base64, fixed.  crypt
 * reads only the setting (prefix, cost, salt) of a hash, so any checksum
 * does; the work done is that of a real verify at the same cost, and no
 * password can match it but by breaking bcrypt.
 */
#define DUMMY_SALT	"gatehousedummysalt...."
#define DUMMY_CHECKSUM	"gatehouseunknownuserhash......."
_Static_assert(sizeof(DUMMY_SALT) - 1 == 22, "a bcrypt salt is 22 chars");
_Static_assert(sizeof(DUMMY_CHECKSUM) - 1 == 31, "a bcrypt hash is 31 chars");

static struct crypt_data	*cdata;

static struct crypt_data *
crypt_area(void)
{

	/* calloc zeroes it, as libxcrypt wants before the first use. */
	if (cdata == NULL)
		cdata = calloc(1, sizeof(*cdata));
	return cdata;
}

/*
 * Clears what crypt_rn left (the hash, and the phrase when a caller puts
 * it there).  All zero is also the state the next crypt_rn wants.
 */
static void
crypt_area_clear(void)
{

	if (cdata != NULL)
		OPENSSL_cleanse(cdata, sizeof(*cdata));
}

/* bcrypt would cut at 72 bytes or at a NUL without a word: refuse both. */
static bool
acceptable(const char *pw, size_t len)
{

	if (pw == NULL || len > GH_PASSWORD_MAX)
		return false;
	return memchr(pw, '\0', len) == NULL;
}

/* Copies pw[0..len) into phrase as the C string crypt_rn takes. */
static void
to_phrase(char phrase[GH_PASSWORD_MAX + 1], const char *pw, size_t len)
{

	memcpy(phrase, pw, len);
	phrase[len] = '\0';
}

int
gh_password_hash(const char *pw, size_t len, int cost, char *out,
    size_t outsz)
{
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char			 phrase[GH_PASSWORD_MAX + 1];
	struct crypt_data	*cd;
	const char		*h;
	size_t			 hlen;
	int			 rc = -1;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (!acceptable(pw, len) ||
	    cost < GH_BCRYPT_COST_MIN || cost > GH_BCRYPT_COST_MAX)
		return -1;
	if ((cd = crypt_area()) == NULL)
		return -1;

	to_phrase(phrase, pw, len);
	/* A NULL rbytes makes libxcrypt take the salt from the OS. */
	if (crypt_gensalt_rn(BCRYPT_PREFIX, (unsigned long)cost, NULL, 0,
	    setting, (int)sizeof(setting)) == NULL)
		goto out;
	h = crypt_rn(phrase, setting, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*')
		goto out;
	hlen = strlen(h);
	if (hlen != BCRYPT_HASH_LEN || hlen >= outsz ||
	    strncmp(h, BCRYPT_PREFIX, BCRYPT_PREFIX_LEN) != 0)
		goto out;
	memcpy(out, h, hlen + 1);
	rc = 0;
out:
	OPENSSL_cleanse(phrase, sizeof(phrase));
	crypt_area_clear();
	return rc;
}

/*
 * Only bcrypt hashes are ours.  Anything else in the column (a DES or MD5
 * crypt that libxcrypt would happily check) is treated as malformed
 * rather than trusted: DES, for one, reads 8 bytes of the password.
 */
static bool
is_bcrypt(const char *hash)
{

	return strncmp(hash, BCRYPT_PREFIX, BCRYPT_PREFIX_LEN) == 0 ||
	    strncmp(hash, "$2a$", BCRYPT_PREFIX_LEN) == 0 ||
	    strncmp(hash, "$2y$", BCRYPT_PREFIX_LEN) == 0;
}

int
gh_password_verify(const char *pw, size_t len, const char *hash)
{
	char			 phrase[GH_PASSWORD_MAX + 1];
	struct crypt_data	*cd;
	const char		*h;
	size_t			 hashlen;
	int			 rc = 0;

	if (hash == NULL)
		return 0;
	/* A password we would never have hashed matches nothing. */
	if (!acceptable(pw, len))
		return 0;
	hashlen = strnlen(hash, GH_HASH_MAX + 1);
	if (hashlen > GH_HASH_MAX || !is_bcrypt(hash))
		return 0;
	if ((cd = crypt_area()) == NULL)
		return -1;

	to_phrase(phrase, pw, len);
	h = crypt_rn(phrase, hash, cd, (int)sizeof(*cd));
	/* NULL or "*...": libxcrypt could not read the hash's setting. */
	if (h == NULL || h[0] == '*')
		goto out;
	if (strlen(h) != hashlen)
		goto out;
	/* The whole string: a prefix match would accept a truncated hash. */
	if (CRYPTO_memcmp(h, hash, hashlen) == 0)
		rc = 1;
out:
	OPENSSL_cleanse(phrase, sizeof(phrase));
	crypt_area_clear();
	return rc;
}

void
gh_password_verify_dummy(const char *pw, size_t len, int cost)
{
	char	 hash[BCRYPT_HASH_LEN + 1];
	int	 n;

	if (cost < GH_BCRYPT_COST_MIN || cost > GH_BCRYPT_COST_MAX)
		return;
	n = snprintf(hash, sizeof(hash), BCRYPT_PREFIX "%02d$%s%s", cost,
	    DUMMY_SALT, DUMMY_CHECKSUM);
	if (n < 0 || (size_t)n >= sizeof(hash))
		return;
	/* The answer is meaningless; the time spent getting it is the point. */
	(void)gh_password_verify(pw, len, hash);
}

/* The cost is two decimal digits and a '$' after the prefix: "$2b$12$". */
bool
gh_password_needs_rehash(const char *hash, int cost)
{
	const char	*c;

	if (hash == NULL ||
	    strncmp(hash, BCRYPT_PREFIX, BCRYPT_PREFIX_LEN) != 0)
		return true;
	c = hash + BCRYPT_PREFIX_LEN;
	if (c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9' ||
	    c[2] != '$')
		return true;
	return (c[0] - '0') * 10 + (c[1] - '0') != cost;
}

/* Characters, as the policy counts them: bytes that start a code point. */
static size_t
utf8_length(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * ASCII only, on purpose: usernames are ASCII, and locale-aware folding
 * (strcasecmp) would make the answer depend on the environment.
 */
static bool
same_ignoring_case(const char *pw, size_t len, const char *s)
{

	if (s == NULL || s[0] == '\0')
		return false;
	return gh_str_eq_nocase(pw, len, s, strlen(s));
}

static bool
has_classes(const char *pw, size_t len)
{
	bool	 upper = false, lower = false, digit = false;
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (pw[i] >= 'A' && pw[i] <= 'Z')
			upper = true;
		else if (pw[i] >= 'a' && pw[i] <= 'z')
			lower = true;
		else if (pw[i] >= '0' && pw[i] <= '9')
			digit = true;
	}
	return upper && lower && digit;
}

enum gh_password_verdict
gh_password_check(const struct gh_password_policy *policy, const char *pw,
    size_t len, const char *username, const char *email)
{

	if (pw == NULL)
		return GH_PW_TOO_SHORT;
	if (memchr(pw, '\0', len) != NULL)
		return GH_PW_HAS_NUL;
	if (len > GH_PASSWORD_MAX)
		return GH_PW_TOO_LONG;
	if (policy != NULL && policy->min_length > 0 &&
	    utf8_length(pw, len) < (size_t)policy->min_length)
		return GH_PW_TOO_SHORT;
	if (same_ignoring_case(pw, len, username))
		return GH_PW_SAME_AS_USERNAME;
	if (same_ignoring_case(pw, len, email))
		return GH_PW_SAME_AS_EMAIL;
	if (policy != NULL && policy->require_classes && !has_classes(pw, len))
		return GH_PW_MISSING_CLASSES;
	return GH_PW_OK;
}

const char *
gh_password_verdict_str(enum gh_password_verdict v)
{

	switch (v) {
	case GH_PW_OK:
		return "is acceptable";
	case GH_PW_TOO_SHORT:
		return "is shorter than the minimum length";
	case GH_PW_TOO_LONG:
		return "must be at most 72 bytes";
	case GH_PW_HAS_NUL:
		return "must not contain a NUL character";
	case GH_PW_SAME_AS_USERNAME:
		return "must not be the same as the username";
	case GH_PW_SAME_AS_EMAIL:
		return "must not be the same as the email";
	case GH_PW_MISSING_CLASSES:
		return "must contain an upper-case letter, a lower-case "
		    "letter and a digit";
	}
	return "is not acceptable";
}
