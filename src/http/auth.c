/*
 * auth: the current user and role checks.  See auth.h.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/auth.h"
#include "domain/authcache.h"
#include "http/http.h"
#include "core/jwt.h"
#include "core/log.h"
#include "domain/users.h"

int
gh_auth_bearer(const char *header, const char **tok, size_t *len)
{
	const char	*p;

	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return -1;
	p = header + 7;
	while (*p == ' ')
		p++;
	*tok = p;
	*len = strlen(p);
	while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
		(*len)--;
	return *len > 0 ? 0 : -1;
}

int
gh_auth_cookie(const char *header, const char *name, const char **val,
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

enum gh_auth_verdict
gh_auth_check(struct gh_db *db, const struct gh_jwt_key *key, const char *tok,
    size_t len, struct gh_principal *p, const char **why)
{
	enum gh_jwt_result	 jr;
	enum gh_status		 st;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	gh_authcache_begin(db);
	jr = gh_jwt_verify(key, tok, len, (int64_t)time(NULL), &p->claims);
	if (jr == GH_JWT_INTERNAL)
		return GH_AUTH_ERROR;
	if (jr != GH_JWT_OK) {
		*why = gh_jwt_result_str(jr);
		return GH_AUTH_INVALID;
	}
	st = gh_authcache_get_live(db, p->claims.sub, p->claims.sid,
	    p->claims.iat, &p->user);
	switch (st) {
	case GH_OK:
		return GH_AUTH_OK;
	case GH_NOT_FOUND:
		*why = "The session has ended or the user is not active.";
		return GH_AUTH_INVALID;
	case GH_UNAVAILABLE:
		return GH_AUTH_UNAVAILABLE;
	default:
		return GH_AUTH_ERROR;
	}
}

int
gh_auth_current_user(struct gh_request *req, struct gh_principal *p)
{
	const char		*tok, *why;
	size_t			 len;

	if (gh_auth_bearer(gh_request_getenv(req, "HTTP_AUTHORIZATION"),
	    &tok, &len) == -1) {
		gh_respond_bearer_challenge(req, NULL);
		return -1;
	}
	switch (gh_auth_check(req->db, req->key, tok, len, p, &why)) {
	case GH_AUTH_OK:
		return 0;
	case GH_AUTH_INVALID:
		gh_respond_bearer_challenge(req, why);
		return -1;
	case GH_AUTH_UNAVAILABLE:
		gh_respond_status(req, GH_UNAVAILABLE);
		return -1;
	default:
		gh_respond_status(req, GH_DB_ERROR);
		return -1;
	}
}

int
gh_auth_require_role(struct gh_request *req, const char *role,
    struct gh_principal *p)
{
	char		 challenge[128];
	const char	*headers[2] = { challenge, NULL };

	if (gh_auth_current_user(req, p) == -1)
		return -1;
	if (gh_users_has_role(&p->user, role))
		return 0;
	(void)snprintf(challenge, sizeof(challenge), "WWW-Authenticate: Bearer "
	    "realm=\"gatehouse\", error=\"insufficient_scope\"");
	gh_respond_problem(req, 403, "insufficient_scope",
	    "This needs a role you do not have.", NULL, headers);
	return -1;
}
