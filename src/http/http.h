/*
 * http: one FastCGI request, from its CGI parameters and bounded body to
 * the contract's JSON response, and routing by method and path.
 *
 * Promises: the body is read only when a handler asks, never past
 * max_body_bytes (a larger Content-Length is a 413 before a byte is read;
 * a body without one, as mod_fcgid passes a chunked body, is read to its
 * end or to one byte past the limit, then 413);
 * every byte of an answer is written by respond.c, and every response
 * carries the contract's headers (X-Content-Type-Options, Cache-Control:
 * no-store, the CORS headers for a listed origin, credentials allowed
 * only for one listed by name, not by "*") but the authorizer's
 * bare ones to its web server (gh_respond_bare()) and the public
 * documents of gh_respond_public() (cached, CORS "*"); error bodies are
 * always {"error", "error_description"[, "fields"]}; a handler that
 * forgets to answer gets a 500 from the dispatcher, not a hang.
 */
#ifndef GH_HTTP_H
#define GH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/config.h"
#include "data/db.h"
#include "core/json.h"
#include "core/jwt.h"
#include "core/ratelimit.h"

#define GH_PATH_MAX	1024

struct gh_request {
	FCGX_Request		*fcgx;
	const struct gh_config	*cfg;
	struct gh_db		*db;
	const struct gh_jwt_key	*key;		/* NULL unless the program needs it */

	const char		*method;
	char			 path[GH_PATH_MAX];	/* REQUEST_URI less the query */
	const char		*query;			/* after '?', "" when none */
	const char		*param;			/* the route's "*" segment */
	char			 parambuf[GH_PATH_MAX];
	const char		*origin;		/* a listed Origin, else NULL */
	bool			 origin_named;		/* listed by name, not "*" */

	char			*body;			/* owned by the server loop */
	size_t			 bodysz;		/* max_body_bytes + 1 */
	size_t			 body_len;

	int			 status;		/* what was answered, 0 before */
	/* The client's address: gh_request_client_addr(). */
	char			 addr[64];
	/*
	 * The request limit's count for this request, whose RateLimit
	 * headers every answer of send_text() carries; NULL: none (the
	 * limit is off, or the request is not counted).
	 */
	const struct gh_ratelimit_verdict *limit;
};

typedef void	gh_handler(struct gh_request *);

/*
 * A route: method and path; a path segment "*" matches one non-empty
 * segment, handed to the handler as req->param.
 */
struct gh_route {
	const char	*method;
	const char	*path;
	gh_handler	*handler;
};

/* Fills req from the FastCGI parameters; -1 when the request is unusable. */
int		 gh_request_init(struct gh_request *, FCGX_Request *);

/* A CGI parameter (HTTP_AUTHORIZATION, REMOTE_ADDR, ...) or NULL. */
const char	*gh_request_getenv(const struct gh_request *, const char *);

/*
 * The client's address, the one the request limit, throttling and the
 * audit trail count by: REMOTE_ADDR; or, when trusted_proxy_header is
 * set, the address the proxy put in that header: the last element of a
 * comma-separated list (X-Forwarded-For: the one the trusted proxy
 * appended; those before it are whatever the client sent), spaces
 * trimmed, when it is an IPv4 or IPv6 address.  A header missing or not
 * ending in an address gives REMOTE_ADDR (the proxy's own: every such
 * request then shares one count, stricter, never looser).  "" when
 * there is neither.  Set by gh_request_init(), even when it fails.
 */
const char	*gh_request_client_addr(const struct gh_request *);

/*
 * Routes req: the handler of the matching route; 405 with Allow when the
 * path is known but not the method; 204 for OPTIONS (CORS preflight);
 * 404 otherwise.
 */
void		 gh_dispatch(struct gh_request *, const struct gh_route *, size_t);

#define GH_INPUT_JSON	0x01
#define GH_INPUT_FORM	0x02	/* application/x-www-form-urlencoded too */
#define GH_INPUT_MERGE	0x04	/* application/merge-patch+json too (RFC 7396) */

/*
 * Reads and parses the body: a JSON object, or a form when allowed.  An
 * empty body reads as an empty object.  On failure answers 413, 415 or
 * 400 and returns NULL.  The caller json_object_put()s the result.
 */
struct json_object *gh_request_input(struct gh_request *, int accept);

/*
 * Parses the query string as a form; NULL after answering 400 when it is
 * malformed.
 */
struct json_object *gh_request_query(struct gh_request *);

/*
 * Answers with status and body (taken over; NULL for none) and extra
 * headers ("Name: value", NULL-terminated; may be NULL).  Every 503 of
 * every gh_respond_*() carries Retry-After (1 second unless headers set
 * one): the database comes back, or a failover completes, in seconds.
 */
void	gh_respond(struct gh_request *, int status, struct json_object *body,
	    const char *const *headers);

/* As gh_respond(); a NULL body (a view that could not be built) is a 500. */
void	gh_respond_json(struct gh_request *, int status, struct json_object *);

/*
 * 200 with a public document anyone may cache and read (RFC 8414
 * metadata, a JWKS): as gh_respond_json(), but Cache-Control: public,
 * max-age=max_age and Access-Control-Allow-Origin: * instead of no-store
 * and the configured origins.  Nothing private may go this way.
 */
void	gh_respond_public(struct gh_request *, struct json_object *,
	    int max_age);
/*
 * The same for a document already written as JSON (text, len bytes),
 * which goes out as it is: the JWKS, built from the key set's own JSON.
 */
void	gh_respond_public_text(struct gh_request *, const char *text,
	    size_t len, int max_age);

/*
 * A page: status, text[0..len) as text/html; charset=utf-8 (or no body
 * when text is NULL: a redirect), headers (may be NULL), never cached,
 * with a Content-Security-Policy that lets it load only this site's
 * stylesheets and post its forms only here.  http/page.h builds pages.
 */
void	gh_respond_html(struct gh_request *, int status, const char *text,
	    size_t len, const char *const *headers);

/*
 * "Status: N", the headers given (may be NULL), Content-Length: 0, and
 * nothing else: what an authorizer hands its web server, which keeps
 * the Variable-* headers of a 200 and passes the rest of a denial on.
 */
void	gh_respond_bare(struct gh_request *, int status,
	    const char *const *headers);
void	gh_respond_error(struct gh_request *, int status, const char *error,
	    const char *description);

/* The general error answer: "fields" (taken over) and headers may be NULL. */
void	gh_respond_problem(struct gh_request *, int status, const char *error,
	    const char *description, struct json_object *fields,
	    const char *const *headers);

/* As gh_respond_error(), with "fields" (taken over). */
void	gh_respond_fields(struct gh_request *, int status, const char *error,
	    const char *description, struct json_object *fields);

/* 400 for a missing or mistyped field, else 422 naming every bad field. */
void	gh_respond_input_errors(struct gh_request *, struct gh_input_errors *);

/* 429 too_many_requests with Retry-After: seconds. */
void	gh_respond_throttled(struct gh_request *, long seconds);

/*
 * The header of every 503 for an unreachable database: a client (or a
 * load balancer) waits a second and asks again, by when a node short of
 * connections may have one or a promoted standby may take writes.
 */
#define GH_RETRY_AFTER_UNAVAILABLE	"Retry-After: 1"

/*
 * 503 for an unreachable database (with GH_RETRY_AFTER_UNAVAILABLE), 500
 * for anything else, logged with what failed (the database's own text
 * for GH_DB_ERROR).  Not for statuses a handler answers itself (not
 * found, conflict).
 */
void	gh_respond_status(struct gh_request *, enum gh_status);

/*
 * What gh_respond_status() answers st with (503 or 500), logged as it
 * logs it, for an answer of another shape (a page).
 */
int	gh_respond_failed(struct gh_request *, enum gh_status st);

/* As gh_respond_status(), bare (gh_respond_bare()). */
void	gh_respond_status_bare(struct gh_request *, enum gh_status);

/* 500, logging that what (a few words: "bcrypt", "json") failed. */
void	gh_respond_internal(struct gh_request *, const char *what);

/*
 * The parts of a denial: the WWW-Authenticate challenge, and the
 * contract's error body.  Without the body the answer is bare
 * (gh_respond_bare()): the authorizer's under mod_fcgid, whose own 401
 * keeps only our headers; without the challenge, its error document's,
 * sent after mod_fcgid's answer has carried the challenge.
 */
#define GH_DENY_CHALLENGE	0x01
#define GH_DENY_BODY		0x02
#define GH_DENY_FULL		(GH_DENY_CHALLENGE | GH_DENY_BODY)

/*
 * 401 invalid_token with WWW-Authenticate per RFC 6750 section 3: no
 * error code when no credentials came (why == NULL), else
 * error="invalid_token" and why.
 */
void	gh_respond_bearer_challenge(struct gh_request *, const char *why,
	    int parts);

/* 403 insufficient_scope: a live caller without the role asked for. */
void	gh_respond_insufficient_scope(struct gh_request *, int parts);

#endif
