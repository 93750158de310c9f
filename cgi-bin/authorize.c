/*
 * authorize: a FastCGI AUTHORIZER that guards anything the web server
 * serves.  lighttpd ("mode" => "authorizer") or Apache (FcgidAuthorizer)
 * asks it before every protected request; it answers 200 with the user in
 * Variable-* headers, which the server hands to the protected application
 * as environment variables (GATEHOUSE_USER_ID, GATEHOUSE_USERNAME,
 * GATEHOUSE_ROLES), or the denial the client gets.
 *
 * The token is checked exactly as the API checks it (gh_auth_check():
 * signature, claims, user active, session live).  The role a location
 * needs is the server config's choice: "--role NAME" on the command line
 * or GATEHOUSE_REQUIRE_ROLE in the environment, so each protected
 * location gets a pool of its own.
 *
 * Usage: authorize [--role NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "log.h"
#include "serve.h"

static const char	*required_role;

/* Percent-encodes s for a query value; "" when it does not fit. */
static void
url_encode(const char *s, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (n + 4 > outsz) {
			n = 0;
			break;
		}
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0xf];
		}
	}
	out[n] = '\0';
}

/* A browser (it asks for HTML) goes to the login page when there is one. */
static int
redirect_browser(struct gh_request *req)
{
	char		 next[1024], location[2200];
	const char	*headers[2] = { location, NULL };
	const char	*accept, *uri;
	int		 n;

	accept = gh_request_getenv(req, "HTTP_ACCEPT");
	if (req->cfg->authorizer_login_url[0] == '\0' || accept == NULL ||
	    strstr(accept, "text/html") == NULL)
		return 0;
	uri = gh_request_getenv(req, "REQUEST_URI");
	url_encode(uri != NULL ? uri : "/", next, sizeof(next));
	n = snprintf(location, sizeof(location), "Location: %s%snext=%s",
	    req->cfg->authorizer_login_url,
	    strchr(req->cfg->authorizer_login_url, '?') != NULL ? "&" : "?",
	    next);
	if (n < 0 || (size_t)n >= sizeof(location))
		return 0;
	gh_respond(req, 302, NULL, headers);
	return 1;
}

/* The token: the Authorization header, else the configured cookie. */
static int
find_token(struct gh_request *req, const char **tok, size_t *len)
{
	if (gh_auth_bearer(gh_request_getenv(req, "HTTP_AUTHORIZATION"), tok,
	    len) == 0)
		return 0;
	return gh_auth_cookie(gh_request_getenv(req, "HTTP_COOKIE"),
	    req->cfg->authorizer_cookie, tok, len);
}

static void
allow(struct gh_request *req, const struct gh_principal *p)
{
	char		 id[80], name[100], roles[GH_ROLES_MAX *
			    (GH_ROLE_NAME_MAX + 1) + 32];
	const char	*headers[4] = { id, name, roles, NULL };
	size_t		 i, used;
	int		 n;

	(void)snprintf(id, sizeof(id), "Variable-GATEHOUSE_USER_ID: %s",
	    p->user.id);
	(void)snprintf(name, sizeof(name), "Variable-GATEHOUSE_USERNAME: %s",
	    p->user.username);
	n = snprintf(roles, sizeof(roles), "Variable-GATEHOUSE_ROLES: ");
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; i < p->user.nroles && used < sizeof(roles); i++) {
		n = snprintf(roles + used, sizeof(roles) - used, "%s%s",
		    i > 0 ? "," : "", p->user.roles[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	gh_respond(req, 200, NULL, headers);
}

static void
handle_authorize(struct gh_request *req)
{
	struct gh_principal	 p;
	const char		*tok, *why, *challenge[2];
	size_t			 len;

	if (find_token(req, &tok, &len) == -1) {
		if (!redirect_browser(req))
			gh_respond_bearer_challenge(req, NULL);
		return;
	}
	switch (gh_auth_check(req->db, req->key, tok, len, &p, &why)) {
	case GH_AUTH_OK:
		break;
	case GH_AUTH_INVALID:
		if (!redirect_browser(req))
			gh_respond_bearer_challenge(req, why);
		return;
	case GH_AUTH_UNAVAILABLE:
		gh_respond_db(req, GH_DB_UNAVAILABLE);
		return;
	default:
		gh_respond_db(req, GH_DB_ERROR);
		return;
	}
	if (required_role != NULL && !gh_users_has_role(&p.user,
	    required_role)) {
		challenge[0] = "WWW-Authenticate: Bearer realm=\"gatehouse\", "
		    "error=\"insufficient_scope\"";
		challenge[1] = NULL;
		gh_respond_problem(req, 403, "insufficient_scope",
		    "This needs a role you do not have.", NULL, challenge);
		return;
	}
	allow(req, &p);
}

int
main(int argc, char *argv[])
{
	static const struct gh_program prog = {
		"authorize", NULL, 0, GH_CONFIG_NEED_SECRET, NULL,
		handle_authorize
	};
	const char	*env;

	if (argc == 3 && strcmp(argv[1], "--role") == 0)
		required_role = argv[2];
	else if (argc != 1) {
		gh_log(GH_LOG_ERROR, "usage: authorize [--role NAME]");
		return 2;
	} else if ((env = getenv("GATEHOUSE_REQUIRE_ROLE")) != NULL &&
	    *env != '\0')
		required_role = env;
	if (required_role != NULL && gh_users_check_role_name(required_role,
	    strlen(required_role)) != NULL) {
		gh_log(GH_LOG_ERROR, "authorize: bad role name \"%s\"",
		    required_role);
		return 2;
	}
	return gh_serve(&prog);
}
