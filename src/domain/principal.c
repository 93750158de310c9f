/*
 * principal: token to live user.  See principal.h.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/jwt.h"
#include "core/log.h"
#include "domain/authcache.h"
#include "domain/keys.h"
#include "domain/principal.h"
#include "domain/tokencache.h"

static const char	 scheme[] = "Bearer ";

int
gh_principal_bearer(const char *header, const char **tok, size_t *len)
{
	const char	*p;

	if (header == NULL ||
	    strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
		return -1;
	p = header + sizeof(scheme) - 1;
	while (*p == ' ')
		p++;
	*tok = p;
	*len = strlen(p);
	while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
		(*len)--;
	return *len > 0 ? 0 : -1;
}

int
gh_principal_cookie(const char *header, const char *name, const char **val,
    size_t *len)
{
	const char	*p = header, *end;
	size_t		 nlen;

	if (header == NULL || name == NULL || *name == '\0')
		return -1;
	nlen = strlen(name);
	while (*p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			*val = p + nlen + 1;
			*len = (size_t)(end - *val);
			while (*len > 0 && (*val)[*len - 1] == ' ')
				(*len)--;
			return *len > 0 ? 0 : -1;
		}
		p = end;
	}
	return -1;
}

/*
 * The token's signature and claims: GH_OK, GH_NOT_FOUND with *why.  An
 * asymmetric token verified before under a key still live is taken from
 * the table (domain/tokencache.h): the same answer, without the cost.
 */
static enum gh_status
verify(const struct gh_jwt_key *key, const char *tok, size_t len,
    struct gh_principal *p, const char **why)
{
	enum gh_jwt_result	 jr;
	int64_t			 now = (int64_t)time(NULL);

	if (gh_tokencache_get(key, tok, len, now, &p->claims))
		return GH_OK;
	jr = gh_jwt_verify(key, tok, len, now, &p->claims);
	if (jr == GH_JWT_INTERNAL)
		return GH_INTERNAL;
	if (jr != GH_JWT_OK) {
		*why = gh_jwt_result_str(jr);
		return GH_NOT_FOUND;
	}
	gh_tokencache_put(key, tok, len, &p->claims);
	return GH_OK;
}

enum gh_status
gh_principal_check(struct gh_db *db, const struct gh_jwt_key *key,
    const char *tok, size_t len, struct gh_principal *p, const char **why)
{
	struct gh_jwt_key	 k;
	enum gh_status		 st;
	int			 keyed;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	if (key == NULL) {
		/* A program loaded without GH_CONFIG_NEED_SECRET. */
		gh_log(GH_LOG_ERROR, "principal: no key to verify tokens with");
		return GH_INTERNAL;
	}
	gh_authcache_begin(db);
	/* ES256, EdDSA, RS256: the key set of the database, kept exact. */
	k = *key;
	keyed = !gh_jwt_alg_is_hmac(k.alg);
	if (keyed && (st = gh_keys_fill(db, &k)) != GH_OK)
		return st;
	if ((st = verify(&k, tok, len, p, why)) != GH_OK)
		return st;
	st = gh_authcache_get_live(db, p->claims.sub, p->claims.sid,
	    p->claims.iat, &p->user);
	/*
	 * The round trip above returned every change committed before the
	 * request: a key retired by then fails this token now.
	 */
	if (st == GH_OK && keyed && gh_keys_changed(db)) {
		if ((st = gh_keys_fill(db, &k)) != GH_OK ||
		    (st = verify(&k, tok, len, p, why)) != GH_OK) {
			memset(&p->user, 0, sizeof(p->user));
			return st;
		}
	}
	if (st == GH_NOT_FOUND)
		*why = "The session has ended or the user is not active.";
	return st;
}
