/*
 * auth: the caller's token, role and denial.  See auth.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/str.h"
#include "core/url.h"
#include "domain/principal.h"
#include "domain/users.h"
#include "http/auth.h"
#include "http/cookie.h"
#include "http/discovery.h"
#include "http/http.h"

/* Where the token came from. */
enum source {
	FROM_NOTHING,
	FROM_HEADER,
	FROM_COOKIE
};

/*
 * The token: the Authorization header when one is sent (whatever its
 * scheme: a header that is not a bearer one is no token, never a reason
 * to look further), else the cookie: need's, or the API's gh_access.
 */
static enum source
find_token(struct gh_request *req, const struct gh_auth_need *need,
    const char **tok, size_t *len)
{
	const char	*header;

	header = gh_request_getenv(req, "HTTP_AUTHORIZATION");
	if (header != NULL && *header != '\0')
		return gh_principal_bearer(header, tok, len) == 0 ?
		    FROM_HEADER : FROM_NOTHING;
	if (need->cookie != NULL)
		return gh_principal_cookie(gh_request_getenv(req,
		    "HTTP_COOKIE"), need->cookie, tok, len) == 0 ?
		    FROM_COOKIE : FROM_NOTHING;
	return gh_cookie_get(req, GH_COOKIE_ACCESS, tok, len) == 0 ?
	    FROM_COOKIE : FROM_NOTHING;
}

/* GET, HEAD and OPTIONS change nothing; any other method may. */
static bool
method_is_safe(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	    strcmp(method, "OPTIONS") == 0;
}

/*
 * X-CSRF-Token equals the gh_csrf cookie: a page of another site can
 * make the browser send the cookie, never read it to send it back.
 */
static bool
csrf_token_ok(const struct gh_request *req)
{
	const char	*sent;

	sent = gh_request_getenv(req, "HTTP_X_CSRF_TOKEN");
	return sent != NULL && gh_cookie_csrf_ok(req, sent, strlen(sent));
}

/*
 * No Origin (a same-origin request of an older browser, or no browser),
 * this site's own, or one of cors_allowed_origins by name: "*" lists no
 * one whose cookies may act here.
 */
static bool
origin_ok(const struct gh_request *req)
{
	const char	*origin;
	char		 own[GH_URL_BASE_MAX + 1];

	origin = gh_request_getenv(req, "HTTP_ORIGIN");
	if (origin == NULL || req->origin_named)
		return true;
	if (gh_discovery_origin(req, own, sizeof(own)) == -1)
		return false;
	return gh_str_eq_nocase(origin, strlen(origin), own, strlen(own));
}

/*
 * A cookie comes with every request the browser makes, whoever's page
 * asked: the API takes a write on it only from a page that could read
 * gh_csrf, and from this site or a listed one.  The authorizer (need's
 * own cookie) only lets a request through to what it guards.
 */
static bool
csrf_ok(const struct gh_request *req, const struct gh_auth_need *need,
    enum source from)
{
	if (from != FROM_COOKIE || need->cookie != NULL ||
	    method_is_safe(req->method))
		return true;
	return csrf_token_ok(req) && origin_ok(req);
}

enum gh_auth_outcome
gh_auth_decide(struct gh_request *req, const struct gh_auth_need *need,
    struct gh_principal *p, struct gh_auth_verdict *v)
{
	const struct gh_jwt_key	*key = req->key;
	struct gh_jwt_key	 k;
	const char		*tok;
	size_t			 len;
	enum gh_status		 st;
	enum source		 from;

	v->why = NULL;
	v->failure = GH_OK;
	/* A location's audience is the one its tokens must name instead. */
	if (key != NULL && need->audience != NULL) {
		k = *key;
		k.audience = need->audience;
		key = &k;
	}
	/* The forgery check first: it costs no query. */
	if ((from = find_token(req, need, &tok, &len)) == FROM_NOTHING)
		v->outcome = GH_AUTH_NO_TOKEN;
	else if (!csrf_ok(req, need, from))
		v->outcome = GH_AUTH_CSRF;
	else if ((st = gh_principal_check(req->db, key, tok, len, p,
	    &v->why)) == GH_NOT_FOUND)
		v->outcome = GH_AUTH_INVALID;
	else if (st != GH_OK) {
		v->failure = st;
		v->outcome = GH_AUTH_FAILED;
	} else if (need->role != NULL &&
	    !gh_users_has_role(&p->user, need->role))
		v->outcome = GH_AUTH_NO_ROLE;
	else
		v->outcome = GH_AUTH_ALLOW;
	return v->outcome;
}

void
gh_auth_deny(struct gh_request *req, const struct gh_auth_verdict *v,
    int parts)
{
	switch (v->outcome) {
	case GH_AUTH_NO_TOKEN:
	case GH_AUTH_INVALID:
		gh_respond_bearer_challenge(req, v->why, parts);
		return;
	case GH_AUTH_NO_ROLE:
		gh_respond_insufficient_scope(req, parts);
		return;
	case GH_AUTH_CSRF:
		gh_respond_error(req, 403, "csrf_failed", "A request made with "
		    "the sign-in cookie must carry X-CSRF-Token, equal to the "
		    "CSRF cookie, and come from this site.");
		return;
	case GH_AUTH_FAILED:
		if (parts & GH_DENY_BODY)
			gh_respond_status(req, v->failure);
		else
			gh_respond_status_bare(req, v->failure);
		return;
	case GH_AUTH_ALLOW:
		break;
	}
	/* Nothing to deny: a caller's bug, never a client's pass. */
	gh_respond_status(req, GH_INTERNAL);
}

int
gh_auth_current_user(struct gh_request *req, struct gh_principal *p)
{
	return gh_auth_require_role(req, NULL, p);
}

int
gh_auth_require_role(struct gh_request *req, const char *role,
    struct gh_principal *p)
{
	struct gh_auth_need	 need = { NULL, role, NULL };
	struct gh_auth_verdict	 v;

	if (gh_auth_decide(req, &need, p, &v) == GH_AUTH_ALLOW)
		return 0;
	gh_auth_deny(req, &v, GH_DENY_FULL);
	return -1;
}

int
gh_auth_token_param(struct gh_request *req, struct json_object *body,
    const char **tok, size_t *len)
{
	struct gh_input_errors	 errs = { 0 };
	const char		*hint;
	size_t			 hlen;

	(void)gh_json_string(body, "token", GH_FIELD_REQUIRED, tok, len,
	    &errs);
	(void)gh_json_string(body, "token_type_hint", GH_FIELD_NULLABLE, &hint,
	    &hlen, &errs);
	if (!gh_input_failed(&errs))
		return 0;
	gh_respond_input_errors(req, &errs);
	return -1;
}

void
gh_auth_variables(const struct gh_principal *p, struct gh_auth_variables *vars)
{
	size_t	 i, used;
	int	 n;

	(void)snprintf(vars->id, sizeof(vars->id),
	    "Variable-GATEHOUSE_USER_ID: %s", p->user.id);
	(void)snprintf(vars->name, sizeof(vars->name),
	    "Variable-GATEHOUSE_USERNAME: %s", p->user.username);
	n = snprintf(vars->roles, sizeof(vars->roles),
	    "Variable-GATEHOUSE_ROLES: ");
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; i < p->user.nroles && used < sizeof(vars->roles); i++) {
		n = snprintf(vars->roles + used, sizeof(vars->roles) - used,
		    "%s%s", i > 0 ? "," : "", p->user.roles[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	vars->lines[0] = vars->id;
	vars->lines[1] = vars->name;
	vars->lines[2] = vars->roles;
	vars->lines[3] = NULL;
}
