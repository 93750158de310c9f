/*
 * authorize: a FastCGI AUTHORIZER that guards anything the web server
 * serves.  lighttpd ("mode" => "authorizer") or Apache (mod_fcgid's
 * FcgidAccessChecker) asks it before every protected request; it answers
 * 200 with the user in Variable-* headers, which the server hands to the
 * protected application as environment variables (GATEHOUSE_USER_ID,
 * GATEHOUSE_USERNAME, GATEHOUSE_ROLES), or the denial the client gets.
 *
 * The token is checked exactly as the API checks it (gh_auth_check():
 * signature, claims, user active, session live).  The role a location
 * needs is the server config's choice: "--role NAME" on the command line,
 * GATEHOUSE_REQUIRE_ROLE in the environment, or the program's own name
 * (a link named authorize-admin requires admin); two of them that
 * disagree stop the program.  Each protected location with a role of its
 * own therefore gets a pool of its own.
 *
 * Under mod_fcgid a denial reaches the client only as mod_fcgid's own bare
 * 401, with our headers kept.  There a denial carries nothing but its
 * status and challenge, and the protected location names this program
 * again as its ErrorDocument 401: run that way (the RESPONDER role, with
 * REDIRECT_STATUS set) it decides again and gives the client the whole
 * answer: 401 or 403 with the contract's JSON body, or the redirect.
 *
 * Usage: authorize [--role NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fastcgi.h>

#include "domain/fields.h"
#include "http/auth.h"
#include "http/http.h"
#include "core/log.h"
#include "http/serve.h"

static const char	*required_role;

/* How the server runs this request; see the top of the file. */
enum mode {
	MODE_AUTHORIZER,	/* lighttpd: a denial goes to the client as is */
	MODE_FCGID,		/* mod_fcgid: a denial becomes its bare 401 */
	MODE_ERRORDOC		/* the ErrorDocument after mod_fcgid's denial */
};

enum verdict {
	V_ALLOW,
	V_NO_TOKEN,
	V_INVALID,
	V_ROLE,			/* a valid token without the role */
	V_UNAVAILABLE,
	V_ERROR
};

static const char	 scope_challenge[] = "WWW-Authenticate: Bearer "
    "realm=\"gatehouse\", error=\"insufficient_scope\"";

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
wants_redirect(const struct gh_request *req)
{
	const char	*accept;

	accept = gh_request_getenv(req, "HTTP_ACCEPT");
	return req->cfg->authorizer_login_url[0] != '\0' && accept != NULL &&
	    strstr(accept, "text/html") != NULL;
}

/* 302 to the login page with ?next=<the page>; 0 when it cannot. */
static int
redirect_browser(struct gh_request *req)
{
	char		 next[1024], location[2200];
	const char	*headers[2] = { location, NULL };
	const char	*uri;
	int		 n;

	/* An error document's REQUEST_URI is still the client's page. */
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

static enum verdict
decide(struct gh_request *req, struct gh_principal *p, const char **why)
{
	const char	*tok;
	size_t		 len;

	*why = NULL;
	if (find_token(req, &tok, &len) == -1)
		return V_NO_TOKEN;
	switch (gh_auth_check(req->db, req->key, tok, len, p, why)) {
	case GH_AUTH_OK:
		break;
	case GH_AUTH_NO_TOKEN:
		return V_NO_TOKEN;
	case GH_AUTH_INVALID:
		return V_INVALID;
	case GH_AUTH_UNAVAILABLE:
		return V_UNAVAILABLE;
	default:
		return V_ERROR;
	}
	if (required_role != NULL && !gh_users_has_role(&p->user,
	    required_role))
		return V_ROLE;
	return V_ALLOW;
}

/*
 * A response of a status and at most one header, no body: the authorizer's
 * 200 (the server keeps its Variable-* headers and drops the rest; under
 * mod_fcgid the rest would reach the client) and its denials under
 * mod_fcgid (which keeps the headers, drops the body, and sends its own
 * 401).
 */
static void
bare(struct gh_request *req, int status, const char *const *headers)
{
	char	 buf[2048];
	size_t	 i, len;
	int	 n;

	n = snprintf(buf, sizeof(buf), "Status: %d\r\n", status);
	len = n > 0 ? (size_t)n : 0;
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s\r\n",
		    headers[i]);
		if (n < 0 || (size_t)n >= sizeof(buf) - len) {
			gh_log(GH_LOG_ERROR, "authorize: header too long");
			break;
		}
		len += (size_t)n;
	}
	n = snprintf(buf + len, sizeof(buf) - len, "Content-Length: 0\r\n\r\n");
	if (n > 0 && (size_t)n < sizeof(buf) - len)
		len += (size_t)n;
	req->status = status;
	(void)FCGX_PutStr(buf, (int)len, req->fcgx->out);
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
	bare(req, 200, headers);
}

/* No token, or a bad one: 401 with a challenge, or a browser's redirect. */
static void
deny_token(struct gh_request *req, enum mode mode, const char *why)
{
	char		 challenge[256];
	const char	*headers[2] = { challenge, NULL };

	if (why == NULL)
		(void)snprintf(challenge, sizeof(challenge),
		    "WWW-Authenticate: Bearer realm=\"gatehouse\"");
	else
		/* why is one of our own sentences: no quote in it. */
		(void)snprintf(challenge, sizeof(challenge), "WWW-Authenticate: "
		    "Bearer realm=\"gatehouse\", error=\"invalid_token\", "
		    "error_description=\"%s\"", why);
	switch (mode) {
	case MODE_FCGID:
		/* The error document redirects a browser; no challenge then. */
		bare(req, 401, wants_redirect(req) ? NULL : headers);
		return;
	case MODE_ERRORDOC:
		if (wants_redirect(req) && redirect_browser(req))
			return;
		/* The challenge is in mod_fcgid's answer already. */
		gh_respond_error(req, 401, "invalid_token", why != NULL ? why :
		    "A bearer access token is required.");
		return;
	case MODE_AUTHORIZER:
		if (wants_redirect(req) && redirect_browser(req))
			return;
		gh_respond_bearer_challenge(req, why);
		return;
	}
}

static void
deny_role(struct gh_request *req, enum mode mode)
{
	const char	*headers[2] = { scope_challenge, NULL };

	if (mode == MODE_FCGID) {
		bare(req, 403, headers);
		return;
	}
	gh_respond_problem(req, 403, "insufficient_scope",
	    "This needs a role you do not have.", NULL,
	    mode == MODE_AUTHORIZER ? headers : NULL);
}

static void
handle_authorize(struct gh_request *req)
{
	struct gh_principal	 p;
	const char		*why;
	enum mode		 mode;
	enum verdict		 v;

	if (req->fcgx->role == FCGI_AUTHORIZER)
		mode = gh_request_getenv(req, "FCGI_APACHE_ROLE") != NULL ?
		    MODE_FCGID : MODE_AUTHORIZER;
	else if (gh_request_getenv(req, "REDIRECT_STATUS") != NULL)
		mode = MODE_ERRORDOC;
	else {
		/* Asked directly, not as an error document: nothing here. */
		gh_respond_error(req, 404, "not_found",
		    "There is nothing at this path.");
		return;
	}

	v = decide(req, &p, &why);
	switch (v) {
	case V_ALLOW:
		if (mode != MODE_ERRORDOC) {
			allow(req, &p);
			return;
		}
		/* Denied a moment ago, allowed now: let the client retry. */
		gh_respond_error(req, 503, "unavailable",
		    "The access check did not settle; try again.");
		return;
	case V_NO_TOKEN:
	case V_INVALID:
		deny_token(req, mode, why);
		return;
	case V_ROLE:
		deny_role(req, mode);
		return;
	case V_UNAVAILABLE:
	case V_ERROR:
		if (mode == MODE_FCGID)
			bare(req, v == V_UNAVAILABLE ? 503 : 500, NULL);
		else
			gh_respond_status(req, v == V_UNAVAILABLE ?
			    GH_UNAVAILABLE : GH_DB_ERROR);
		return;
	}
}

/* The role a link's name asks for: "authorize-admin" gives "admin". */
static const char *
role_of_name(const char *argv0)
{
	const char	*base;

	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, "authorize-", 10) == 0 && base[10] != '\0')
		return base + 10;
	return NULL;
}

/* Takes one source of the role; -1 when it disagrees with an earlier one. */
static int
take_role(const char *role)
{
	if (role == NULL || *role == '\0')
		return 0;
	if (required_role != NULL && strcmp(required_role, role) != 0) {
		gh_log(GH_LOG_ERROR, "authorize: the role is both \"%s\" and "
		    "\"%s\" (--role, GATEHOUSE_REQUIRE_ROLE and the program's "
		    "name must agree)", required_role, role);
		return -1;
	}
	required_role = role;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct gh_program prog = {
		"authorize", NULL, 0, GH_CONFIG_NEED_SECRET, NULL,
		handle_authorize
	};

	if (argc == 3 && strcmp(argv[1], "--role") == 0) {
		if (take_role(argv[2]) == -1)
			return 2;
	} else if (argc != 1) {
		gh_log(GH_LOG_ERROR, "usage: authorize [--role NAME]");
		return 2;
	}
	if (take_role(getenv("GATEHOUSE_REQUIRE_ROLE")) == -1 ||
	    (argc > 0 && take_role(role_of_name(argv[0])) == -1))
		return 2;
	if (required_role != NULL && gh_field_check_role_name(required_role,
	    strlen(required_role)) != NULL) {
		gh_log(GH_LOG_ERROR, "authorize: bad role name \"%s\"",
		    required_role);
		return 2;
	}
	return gh_serve(&prog);
}
