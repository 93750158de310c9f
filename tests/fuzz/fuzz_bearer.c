/*
 * fuzz_bearer: Authorization header values through gh_principal_bearer(), as
 * the web server hands them over: a C string, cut at its first NUL.  A
 * token found goes on to gh_jwt_verify(), as gh_principal_check() sends it.
 *
 * Checked: a token is found only after "Bearer " (any case); it lies
 * within the header, is not empty, and starts and ends with neither a
 * space nor (at the end) a tab.  No token when the rest is only blanks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/principal.h"
#include "fuzz.h"
#include "core/jwt.h"

#define SECRET	"fuzz-secret-0123456789abcdefghi!"	/* 32 bytes */
#define NOW	INT64_C(1767225600)

/* True when s holds nothing but spaces and tabs. */
static int
blank(const char *s)
{

	return s[strspn(s, " \t")] == '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gh_jwt_key	 key;
	struct gh_jwt_claims	 claims;
	enum gh_jwt_result	 r;
	const char		*tok = NULL;
	char			*hdr;
	size_t			 len = 0, hlen;
	int			 rc;

	if ((hdr = malloc(size + 1)) == NULL)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	hlen = strlen(hdr);

	rc = gh_principal_bearer(hdr, &tok, &len);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_ASSERT(hlen < 7 || strncasecmp(hdr, "Bearer ", 7) != 0 ||
		    blank(hdr + 7));
		free(hdr);
		return 0;
	}
	FUZZ_ASSERT(hlen >= 7 && strncasecmp(hdr, "Bearer ", 7) == 0);
	FUZZ_ASSERT(tok >= hdr + 7 && len > 0);
	FUZZ_ASSERT(tok + len <= hdr + hlen);
	FUZZ_ASSERT(tok[0] != ' ');
	FUZZ_ASSERT(tok[len - 1] != ' ' && tok[len - 1] != '\t');
	FUZZ_ASSERT(blank(tok + len));

	memset(&key, 0, sizeof(key));
	key.alg = GH_JWT_HS256;
	key.secret = (const unsigned char *)SECRET;
	key.secret_len = strlen(SECRET);
	key.issuer = "gatehouse";
	r = gh_jwt_verify(&key, tok, len, NOW, &claims);
	FUZZ_ASSERT(r >= GH_JWT_OK && r < GH_JWT_INTERNAL);

	free(hdr);
	return 0;
}
