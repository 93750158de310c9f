/*
 * route: method and path to a handler; 404, 405 with Allow, and OPTIONS.
 */
#include <stdio.h>
#include <string.h>

#include "http/http.h"

/*
 * Matches path against pattern; a "*" segment takes one non-empty
 * segment, copied into param (paramsz bytes).  1 on a match.
 */
static int
match(const char *pattern, const char *path, char *param, size_t paramsz)
{
	const char	*seg;
	size_t		 len;

	while (*pattern != '\0') {
		if (pattern[0] == '*' && (pattern[1] == '/' || pattern[1] == '\0')) {
			seg = path;
			while (*path != '\0' && *path != '/')
				path++;
			len = (size_t)(path - seg);
			if (len == 0 || len >= paramsz)
				return 0;
			memcpy(param, seg, len);
			param[len] = '\0';
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0';
}

/* Writes "Allow: GET, POST, OPTIONS" for every route matching the path. */
static void
allow_header(const struct gh_request *req, const struct gh_route *routes,
    size_t n, char *out, size_t outsz)
{
	char	 scratch[GH_PATH_MAX];
	size_t	 i, used;
	int	 w;

	w = snprintf(out, outsz, "Allow:");
	used = w > 0 ? (size_t)w : 0;
	for (i = 0; i < n && used < outsz; i++) {
		if (!match(routes[i].path, req->path, scratch, sizeof(scratch)))
			continue;
		w = snprintf(out + used, outsz - used, " %s,", routes[i].method);
		if (w < 0 || (size_t)w >= outsz - used)
			break;
		used += (size_t)w;
	}
	(void)snprintf(out + used, outsz - used, " OPTIONS");
}

/* Answers OPTIONS: Allow, and the CORS preflight headers for a listed origin. */
static void
preflight(struct gh_request *req, const char *allow)
{
	char		 methods[256];
	const char	*headers[5] = { allow, NULL, NULL, NULL, NULL };
	int		 w;

	if (req->origin != NULL) {
		w = snprintf(methods, sizeof(methods),
		    "Access-Control-Allow-Methods:%s", allow + strlen("Allow:"));
		if (w > 0 && (size_t)w < sizeof(methods)) {
			headers[1] = methods;
			headers[2] = "Access-Control-Allow-Headers: "
			    "Authorization, Content-Type, X-CSRF-Token";
			headers[3] = "Access-Control-Max-Age: 600";
		}
	}
	gh_respond(req, 204, NULL, headers);
}

void
gh_dispatch(struct gh_request *req, const struct gh_route *routes, size_t n)
{
	char		 allow[256];
	const char	*headers[2] = { allow, NULL };
	size_t		 i;
	int		 path_known = 0;

	for (i = 0; i < n; i++) {
		if (!match(routes[i].path, req->path, req->parambuf,
		    sizeof(req->parambuf)))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, req->method) != 0)
			continue;
		req->param = req->parambuf;
		routes[i].handler(req);
		if (req->status == 0)
			gh_respond_error(req, 500, "server_error",
			    "The server failed to answer.");
		return;
	}
	if (!path_known) {
		gh_respond_error(req, 404, "not_found",
		    "There is nothing at this path.");
		return;
	}
	allow_header(req, routes, n, allow, sizeof(allow));
	if (strcmp(req->method, "OPTIONS") == 0)
		preflight(req, allow);
	else
		gh_respond_problem(req, 405, "method_not_allowed",
		    "This path does not take that method.", NULL, headers);
}
