/*
 * authorize: a FastCGI AUTHORIZER that guards anything the web server
 * serves.  lighttpd ("mode" => "authorizer") or Apache (mod_fcgid's
 * FcgidAccessChecker) asks it before every protected request; it answers
 * 200 with the user in Variable-* headers, which the server hands to the
 * protected application as environment variables (GATEHOUSE_USER_ID,
 * GATEHOUSE_USERNAME, GATEHOUSE_ROLES), or the denial the client gets.
 *
 * The request is decided exactly as the API decides it (gh_auth_decide():
 * signature, claims, user active, session live, role), with the token
 * from the Authorization header or, when none is sent, the sign-in
 * cookie gh_access (authorizer_cookie names another).  A browser (Accept:
 * text/html) without a live token goes to authorizer_login_url
 * (/auth/login by default) with ?next=<its page>, a path of this site;
 * any other client gets the 401.  The role a location needs is the
 * server config's choice: "--role NAME" on the command line,
 * GATEHOUSE_REQUIRE_ROLE in the environment, or the program's own name
 * (a link named authorize-admin requires admin); two of them that
 * disagree stop the program.  Each protected location with a role of
 * its own therefore gets a pool of its own.
 *
 * The audience works alike ("--audience NAME", GATEHOUSE_REQUIRE_AUDIENCE;
 * no link name): with one, only tokens minted for NAME (a login with
 * "audience": NAME, one of token_audiences) pass, and the API refuses
 * those, so the application behind the location cannot replay the
 * caller's token against /api/admin.  Without one the location takes
 * what the API takes.  A NAME not in token_audiences answers 500: no
 * token could pass, and that is a configuration to fix, not a caller.
 *
 * Under mod_fcgid a denial reaches the client only as mod_fcgid's own bare
 * 401, with our headers kept.  There a denial carries nothing but its
 * status and challenge, and the protected location names this program
 * again as its ErrorDocument 401: run that way (the RESPONDER role, with
 * REDIRECT_STATUS set) it decides again and gives the client the whole
 * answer: 401 or 403 with the contract's JSON body, or the redirect.
 *
 * Usage: authorize [--role NAME] [--audience NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fastcgi.h>

#include "core/log.h"
#include "core/nextpath.h"
#include "core/str.h"
#include "domain/fields.h"
#include "http/auth.h"
#include "http/cookie.h"
#include "http/http.h"
#include "http/serve.h"

static const char	*required_role;
static const char	*required_audience;

/* A link named so asks for the role after the prefix. */
static const char	 link_prefix[] = "authorize-";

/* How the server runs this request; see the top of the file. */
enum mode {
	MODE_AUTHORIZER,	/* lighttpd: a denial goes to the client as is */
	MODE_FCGID,		/* mod_fcgid: a denial becomes its bare 401 */
	MODE_ERRORDOC		/* the ErrorDocument after mod_fcgid's denial */
};

/*
 * The page to come back to as a path of this site, less its first '/'.
 * A browser reads "//evil.example/x" and "/\evil.example/x" as another
 * host, and a login page that decodes next once more would read
 * "/%2F..." so too: every leading slash, backslash and their
 * percent-encodings go, and one '/' is put back.  A request-target that
 * is not a path (absolute-form, "*") comes back to "/".
 */
static const char *
same_site_rest(const char *uri)
{
	if (uri == NULL || uri[0] != '/')
		return "";
	for (;;) {
		if (uri[0] == '/' || uri[0] == '\\')
			uri++;
		else if (uri[0] == '%' && ((uri[1] == '2' &&
		    (uri[2] == 'f' || uri[2] == 'F')) || (uri[1] == '5' &&
		    (uri[2] == 'c' || uri[2] == 'C'))))
			uri += 3;
		else
			return uri;
	}
}

/*
 * A browser (it asks for HTML) goes to the login page, unless
 * authorizer_login_url is empty or "none".
 */
static int
wants_redirect(const struct gh_request *req)
{
	const char	*accept, *url = req->cfg->authorizer_login_url;

	accept = gh_request_getenv(req, "HTTP_ACCEPT");
	return url[0] != '\0' && strcmp(url, "none") != 0 && accept != NULL &&
	    strstr(accept, "text/html") != NULL;
}

/*
 * 302 to the login page with ?next=<the page>, path and query, encoded
 * whole ("/members/?a=b" is "%2Fmembers%2F%3Fa%3Db"); 0 when it cannot.
 */
static int
redirect_browser(struct gh_request *req)
{
	char		 next[1024], location[2200];
	const char	*headers[2] = { location, NULL };
	const char	*uri;
	int		 n;

	/* An error document's REQUEST_URI is still the client's page. */
	uri = gh_request_getenv(req, "REQUEST_URI");
	memcpy(next, "%2F", 4);
	/* Too long a page comes back to "/" (the encoder leaves ""). */
	(void)gh_next_path_encode_all(same_site_rest(uri), next + 3,
	    sizeof(next) - 3);
	n = snprintf(location, sizeof(location), "Location: %s%snext=%s",
	    req->cfg->authorizer_login_url,
	    strchr(req->cfg->authorizer_login_url, '?') != NULL ? "&" : "?",
	    next);
	if (n < 0 || (size_t)n >= sizeof(location))
		return 0;
	gh_respond(req, 302, NULL, headers);
	return 1;
}

/*
 * The parts of a denial each mode sends: mod_fcgid keeps a denial's
 * headers and drops its body; its error document comes after mod_fcgid's
 * answer, which carried the challenge already.
 */
static int
deny_parts(enum mode mode)
{
	switch (mode) {
	case MODE_FCGID:
		return GH_DENY_CHALLENGE;
	case MODE_ERRORDOC:
		return GH_DENY_BODY;
	case MODE_AUTHORIZER:
		break;
	}
	return GH_DENY_FULL;
}

/*
 * A browser refused for its token goes to the login page: 1 when that
 * was answered.  Under mod_fcgid the error document redirects, and the
 * bare 401 before it carries no challenge.
 */
static int
redirect_denied(struct gh_request *req, enum mode mode,
    const struct gh_auth_verdict *v)
{
	if (!wants_redirect(req))
		return 0;
	if (mode != MODE_FCGID)
		return redirect_browser(req);
	gh_auth_deny(req, v, 0);
	return 1;
}

static void
handle_authorize(struct gh_request *req)
{
	struct gh_auth_need	 need;
	struct gh_principal	 p;
	struct gh_auth_variables vars;
	struct gh_auth_verdict	 v;
	enum mode		 mode;

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

	if (required_audience != NULL && !gh_str_word_in(
	    req->cfg->token_audiences, required_audience,
	    strlen(required_audience))) {
		gh_respond_internal(req, "authorize: the --audience (or "
		    "GATEHOUSE_REQUIRE_AUDIENCE) is not in token_audiences");
		return;
	}
	need.cookie = req->cfg->authorizer_cookie[0] != '\0' ?
	    req->cfg->authorizer_cookie :
	    gh_cookie_name(req->cfg, GH_COOKIE_ACCESS);
	need.role = required_role;
	need.audience = required_audience;
	switch (gh_auth_decide(req, &need, &p, &v)) {
	case GH_AUTH_ALLOW:
		if (mode != MODE_ERRORDOC) {
			/* The server keeps the Variable-* headers of a 200. */
			gh_auth_variables(&p, &vars);
			gh_respond_bare(req, 200, vars.lines);
			return;
		}
		/* Denied a moment ago, allowed now: let the client retry. */
		gh_respond_error(req, 503, "unavailable",
		    "The access check did not settle; try again.");
		return;
	case GH_AUTH_NO_TOKEN:
	case GH_AUTH_INVALID:
		if (redirect_denied(req, mode, &v))
			return;
		break;
	case GH_AUTH_NO_ROLE:
	case GH_AUTH_CSRF:
	case GH_AUTH_FAILED:
		break;
	}
	gh_auth_deny(req, &v, deny_parts(mode));
}

/* The role a link's name asks for: "authorize-admin" gives "admin". */
static const char *
role_of_name(const char *argv0)
{
	const char	*base;

	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, link_prefix, sizeof(link_prefix) - 1) == 0 &&
	    base[sizeof(link_prefix) - 1] != '\0')
		return base + sizeof(link_prefix) - 1;
	return NULL;
}

/*
 * Takes one source of a requirement (what: "role" or "audience") into
 * *have; -1 when it disagrees with an earlier one.
 */
static int
take(const char *what, const char **have, const char *v)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (*have != NULL && strcmp(*have, v) != 0) {
		gh_log(GH_LOG_ERROR, "authorize: the %s is both \"%s\" and "
		    "\"%s\" (the option, the environment and the program's "
		    "name must agree)", what, *have, v);
		return -1;
	}
	*have = v;
	return 0;
}

/* The options: --role NAME and --audience NAME, each at most once. */
static int
take_options(int argc, char *argv[])
{
	const char	*role = NULL, *audience = NULL;
	int		 i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--role") == 0 && role == NULL)
			role = argv[i + 1];
		else if (strcmp(argv[i], "--audience") == 0 && audience == NULL)
			audience = argv[i + 1];
		else
			break;
	}
	if (i != argc) {
		gh_log(GH_LOG_ERROR, "usage: authorize [--role NAME] "
		    "[--audience NAME]");
		return -1;
	}
	if (take("role", &required_role, role) == -1 ||
	    take("audience", &required_audience, audience) == -1)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct gh_program prog = {
		"authorize", NULL, 0, GH_CONFIG_NEED_SECRET, NULL,
		handle_authorize, 0
	};

	if (take_options(argc, argv) == -1 ||
	    take("role", &required_role,
	    getenv("GATEHOUSE_REQUIRE_ROLE")) == -1 ||
	    (argc > 0 && take("role", &required_role,
	    role_of_name(argv[0])) == -1) ||
	    take("audience", &required_audience,
	    getenv("GATEHOUSE_REQUIRE_AUDIENCE")) == -1)
		return 2;
	if (required_role != NULL && gh_field_check_role_name(required_role,
	    strlen(required_role)) != NULL) {
		gh_log(GH_LOG_ERROR, "authorize: bad role name \"%s\"",
		    required_role);
		return 2;
	}
	return gh_serve(&prog);
}
