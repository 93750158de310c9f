/*
 * introspect: a token's state now.  See introspect.h.
 */
#include <string.h>

#include "core/str.h"
#include "domain/authcache.h"
#include "domain/introspect.h"
#include "domain/principal.h"
#include "domain/sessions.h"

static enum gh_status
access_token(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len, struct gh_introspection *out)
{
	struct gh_principal	 p;
	const char		*why;
	enum gh_status		 st;

	st = gh_principal_check(db, key, token, len, &p, &why);
	if (st == GH_NOT_FOUND)
		return GH_OK;
	if (st != GH_OK)
		return st;
	out->active = true;
	out->kind = GH_TOKEN_ACCESS;
	out->user = p.user;
	memcpy(out->sid, p.claims.sid, sizeof(out->sid));
	out->iat = p.claims.iat;
	out->exp = p.claims.exp;
	return GH_OK;
}

static enum gh_status
refresh_token(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len, struct gh_introspection *out)
{
	struct gh_refresh_info	 info;
	enum gh_status		 st;

	st = gh_sessions_refresh_info(db, token, len, &info);
	if (st == GH_NOT_FOUND)
		return GH_OK;
	if (st != GH_OK)
		return st;
	/* A refresh would refuse it: an audience no longer issued for. */
	if (info.audience[0] != '\0' && (key->foreign == NULL ||
	    !gh_str_word_in(key->foreign, info.audience,
	    strlen(info.audience))))
		return GH_OK;
	gh_authcache_begin(db);
	st = gh_authcache_get_live(db, info.user_id, info.sid, info.iat,
	    &out->user);
	if (st == GH_NOT_FOUND)
		return GH_OK;
	if (st != GH_OK)
		return st;
	out->active = true;
	out->kind = GH_TOKEN_REFRESH;
	memcpy(out->sid, info.sid, sizeof(out->sid));
	out->iat = info.iat;
	out->exp = info.exp;
	return GH_OK;
}

enum gh_status
gh_introspect(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len, struct gh_introspection *out)
{
	enum gh_status	 st;

	memset(out, 0, sizeof(*out));
	if (key == NULL)
		return GH_INTERNAL;
	if (memchr(token, '.', len) != NULL)
		st = access_token(db, key, token, len, out);
	else
		st = refresh_token(db, key, token, len, out);
	if (st != GH_OK || !out->active)
		memset(out, 0, sizeof(*out));
	return st;
}
