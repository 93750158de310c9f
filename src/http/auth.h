/*
 * auth: who is calling, and may they: the one decision every protected
 * route and the authorizer make, and the one way a denial is answered.
 * The checks themselves are principal.h's; this reads the request and
 * writes the answer.
 *
 * Promises: the token comes from the Authorization header, and only when
 * none is sent from a cookie: the authorizer's (authorizer_cookie, or
 * gh_access), or the API's gh_access (cookie.h); the API takes a cookie
 * for a POST, PUT, PATCH or DELETE only with X-CSRF-Token equal to the
 * gh_csrf cookie (compared in constant time) and an Origin, when one is
 * sent, of this site or named in cors_allowed_origins, else 403
 * csrf_failed, decided before any query; a bearer header needs neither;
 * the API takes only tokens for its own audience, never one minted for a
 * location (jwt.h, token_audiences); a role is checked against the roles
 * the database holds now (principal.h); every denial goes through
 * respond.c's challenge builders, so the API, the authorizer and its
 * error document answer alike but for the parts each may send.
 */
#ifndef GH_AUTH_H
#define GH_AUTH_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/bounds.h"
#include "core/status.h"
#include "domain/principal.h"
#include "http/http.h"

enum gh_auth_outcome {
	GH_AUTH_ALLOW = 0,
	GH_AUTH_NO_TOKEN,	/* no credentials came: a challenge, no error */
	GH_AUTH_INVALID,	/* bad, expired or revoked: why says which */
	GH_AUTH_NO_ROLE,	/* live, without the role asked for: 403 */
	GH_AUTH_CSRF,		/* a cookie's write without the CSRF proof */
	GH_AUTH_FAILED		/* the check itself failed: failure says how */
};

struct gh_auth_verdict {
	enum gh_auth_outcome	 outcome;
	const char		*why;		/* GH_AUTH_INVALID */
	enum gh_status		 failure;	/* GH_AUTH_FAILED */
};

/*
 * What a request must show: the cookie to fall back on (NULL: the API's,
 * gh_access, with the CSRF rule above; a caller that names the cookie
 * itself gets no CSRF rule: the authorizer, which lets the protected
 * application judge its writes, or a sign-in page that checks its own
 * form token), the role (NULL for any), and the audience its token must
 * be for: NULL for the API's own (jwt_audience), else one of
 * token_audiences, and then only a token for it passes (an authorizer
 * location's --audience).
 */
struct gh_auth_need {
	const char	*cookie;
	const char	*role;
	const char	*audience;
};

/*
 * Decides a request by need.  *p is the caller on GH_AUTH_ALLOW and
 * GH_AUTH_NO_ROLE.  Answers nothing.
 */
enum gh_auth_outcome gh_auth_decide(struct gh_request *,
	    const struct gh_auth_need *, struct gh_principal *p,
	    struct gh_auth_verdict *);

/*
 * Answers a verdict other than GH_AUTH_ALLOW with the parts given
 * (GH_DENY_*, http.h): 401 with a bearer challenge, 403
 * insufficient_scope, or for a failure 503 or a logged 500.
 */
void	gh_auth_deny(struct gh_request *, const struct gh_auth_verdict *,
	    int parts);

/*
 * The caller, from the Authorization header or gh_access.  On failure
 * answers 401 with WWW-Authenticate, 403 csrf_failed, or 503, and
 * returns -1.
 */
int	gh_auth_current_user(struct gh_request *, struct gh_principal *);

/* gh_auth_current_user(), then 403 insufficient_scope without role. */
int	gh_auth_require_role(struct gh_request *, const char *role,
	    struct gh_principal *);

/*
 * The token a revocation (RFC 7009) or an introspection (RFC 7662) asks
 * about: body's "token", required, and its "token_type_hint", read for
 * its type alone (a token's shape says what it is).  0 with *tok and
 * *len set (a view into body); -1 after answering 400.
 */
int	gh_auth_token_param(struct gh_request *, struct json_object *body,
	    const char **tok, size_t *len);

/*
 * The Variable-* headers of an authorizer's allow, which the web server
 * hands the protected application as GATEHOUSE_USER_ID,
 * GATEHOUSE_USERNAME and GATEHOUSE_ROLES (comma-separated); lines is
 * NULL-terminated, for gh_respond_bare().
 */
struct gh_auth_variables {
	char		 id[80];
	char		 name[GH_USERNAME_MAX + 40];
	char		 roles[GH_ROLES_MAX * (GH_ROLE_NAME_MAX + 1) + 32];
	const char	*lines[4];
};

void	gh_auth_variables(const struct gh_principal *,
	    struct gh_auth_variables *);

#endif
