/*
 * respond: the contract's responses.  Every byte a client or the web
 * server receives is written here: gh_respond() for the contract's
 * answers, so the headers every response must carry are written in one
 * place, and gh_respond_bare() for what the authorizer hands its server.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/json.h"
#include "core/log.h"
#include "http/http.h"

/*
 * API answers are never cached (tokens and user data alike), never
 * sniffed, never framed, and load nothing.  A public document (the
 * discovery ones: gh_respond_public()) is cached, by anyone, and has
 * the rest.
 */
static const char *const guarded[] = {
	"X-Content-Type-Options: nosniff",
	"X-Frame-Options: DENY",
	"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
	"Referrer-Policy: no-referrer",
	NULL
};
/*
 * A page (gh_respond_html()) loads its stylesheets from this site, posts
 * its forms only here, and is never framed nor cached either.
 */
static const char *const page_guarded[] = {
	"X-Content-Type-Options: nosniff",
	"X-Frame-Options: DENY",
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; "
	    "form-action 'self'",
	"Referrer-Policy: no-referrer",
	NULL
};
static const char *const never_cached[] = {
	"Cache-Control: no-store",
	"Pragma: no-cache",
	NULL
};

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/*
 * The header block is built in one buffer and written with one
 * FCGX_PutStr.  Lines are copied, not printed: this runs on every
 * answer, and snprintf's "%s" costs many times a memcpy.
 */
struct head {
	char	buf[8192];	/* 32 roles; a page's three cookies */
	size_t	len;
	int	overflow;
};

static void
head_add(struct head *h, const char *line)
{
	size_t	 n = strlen(line);

	if (n > sizeof(h->buf) - h->len || sizeof(h->buf) - h->len - n < 3) {
		h->overflow = 1;
		return;
	}
	memcpy(h->buf + h->len, line, n);
	memcpy(h->buf + h->len + n, "\r\n", 2);
	h->len += n + 2;
}

static void
head_addv(struct head *h, const char *const *lines)
{
	size_t	 i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		head_add(h, lines[i]);
}

static void
head_cors(struct head *h, const struct gh_request *req)
{
	char	 line[1100];
	int	 n;

	if (req->origin == NULL)
		return;
	n = snprintf(line, sizeof(line), "Access-Control-Allow-Origin: %s",
	    req->origin);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	head_add(h, line);
	head_add(h, "Vary: Origin");
	head_add(h, "Access-Control-Expose-Headers: WWW-Authenticate, "
	    "Retry-After, RateLimit, RateLimit-Policy");
	/*
	 * An origin listed by name may send the sign-in cookie (and must
	 * then show the CSRF token, auth.h); one let in by "*" never: any
	 * site could then read what the cookie opens.
	 */
	if (req->origin_named)
		head_add(h, "Access-Control-Allow-Credentials: true");
}

/*
 * The request limit's headers, in the structured-field syntax of
 * draft-ietf-httpapi-ratelimit-headers-11 (RateLimit header fields for
 * HTTP, May 2026): one policy, "default", of q requests in w seconds,
 * and r requests left of it for t more seconds.
 */
static void
head_ratelimit(struct head *h, const struct gh_request *req)
{
	char	 line[96];
	int	 n;

	if (req->limit == NULL)
		return;
	n = snprintf(line, sizeof(line), "RateLimit-Policy: \"default\";q=%d;"
	    "w=%d", req->cfg->rate_limit_per_minute, GH_RATELIMIT_WINDOW);
	if (n > 0 && (size_t)n < sizeof(line))
		head_add(h, line);
	n = snprintf(line, sizeof(line), "RateLimit: \"default\";r=%ld;t=%ld",
	    req->limit->remaining, req->limit->reset);
	if (n > 0 && (size_t)n < sizeof(line))
		head_add(h, line);
}

/* Claims req for an answer of status; 0 when it was answered already. */
static int
claim(struct gh_request *req, int status)
{
	if (req->status != 0) {
		gh_log(GH_LOG_ERROR, "respond: answered twice (%d, then %d)",
		    req->status, status);
		return 0;
	}
	req->status = status;
	return 1;
}

/* Ends the header block and writes it, with the body when there is one. */
static void
head_send(struct head *h, struct gh_request *req, const char *text,
    size_t len)
{
	char	 line[64];

	(void)snprintf(line, sizeof(line), "Content-Length: %zu", len);
	head_add(h, line);
	head_add(h, "");
	if (h->overflow)
		gh_log(GH_LOG_ERROR, "respond: header block too large");
	(void)FCGX_PutStr(h->buf, (int)h->len, req->fcgx->out);
	if (text != NULL)
		(void)FCGX_PutStr(text, (int)len, req->fcgx->out);
}

/*
 * Every 503 says when to try again: the database is away (a restart, a
 * failover to the standby takes seconds) or a pool is full.  A second is
 * short enough that a client is back soon after the database, and each
 * early retry costs the server one failed connection attempt only.
 */
#define RETRY_UNAVAILABLE	"Retry-After: 1"

/* Adds RETRY_UNAVAILABLE to a 503 whose headers do not say already. */
static void
head_retry(struct head *h, int status, const char *const *headers)
{
	size_t	 n = sizeof("Retry-After:") - 1;

	if (status != 503)
		return;
	for (; headers != NULL && *headers != NULL; headers++)
		if (strncasecmp(*headers, "Retry-After:", n) == 0)
			return;
	head_add(h, RETRY_UNAVAILABLE);
}

/* What an answer is, for send_text(): its guard lines and its type. */
struct kind {
	const char *const	*guard;
	const char		*type;
};

static const struct kind json_kind = {
	guarded, "Content-Type: application/json; charset=utf-8"
};
static const struct kind page_kind = {
	page_guarded, "Content-Type: text/html; charset=utf-8"
};

/*
 * Writes an answer: the guard lines of its kind, then cache (the CORS
 * headers of a listed origin when NULL: a private answer), then headers
 * and body.
 */
static void
send_text(struct gh_request *req, int status, const struct kind *k,
    const char *text, size_t len, const char *const *cache,
    const char *const *headers)
{
	struct head	 h;
	char		 line[128];

	h.len = 0;
	h.overflow = 0;
	(void)snprintf(line, sizeof(line), "Status: %d %s", status,
	    reason(status));
	head_add(&h, line);
	head_addv(&h, k->guard);
	/*
	 * A public document may be kept by a shared cache and handed to
	 * other clients: one client's count must not go with it.  It is
	 * still counted, and refused past the limit.
	 */
	if (cache == NULL) {
		head_addv(&h, never_cached);
		head_cors(&h, req);
		head_ratelimit(&h, req);
	} else
		head_addv(&h, cache);
	head_addv(&h, headers);
	head_retry(&h, status, headers);
	if (text != NULL)
		head_add(&h, k->type);
	head_send(&h, req, text, len);
}

static void
send_answer(struct gh_request *req, int status, struct json_object *body,
    const char *const *cache, const char *const *headers)
{
	const char	*text = NULL;
	size_t		 len = 0;

	if (!claim(req, status)) {
		json_object_put(body);
		return;
	}
	if (body != NULL && (text = json_object_to_json_string_length(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len)) == NULL) {
		status = req->status = 500;
		len = 0;
	}
	send_text(req, status, &json_kind, text, len, cache, headers);
	json_object_put(body);
}

void
gh_respond(struct gh_request *req, int status, struct json_object *body,
    const char *const *headers)
{
	send_answer(req, status, body, NULL, headers);
}

/* The headers of a public document; -1 when they do not fit. */
static int
public_headers(char *cc, size_t ccsz, int max_age)
{
	int	 n;

	n = snprintf(cc, ccsz, "Cache-Control: public, max-age=%d",
	    max_age > 0 ? max_age : 0);
	return n < 0 || (size_t)n >= ccsz ? -1 : 0;
}

void
gh_respond_public(struct gh_request *req, struct json_object *body,
    int max_age)
{
	char		 cc[64];
	const char	*cache[3] = { cc, "Access-Control-Allow-Origin: *",
			    NULL };

	if (body == NULL) {
		gh_respond_internal(req, "json");
		return;
	}
	if (public_headers(cc, sizeof(cc), max_age) == -1) {
		json_object_put(body);
		gh_respond_internal(req, "cache header");
		return;
	}
	send_answer(req, 200, body, cache, NULL);
}

void
gh_respond_public_text(struct gh_request *req, const char *text,
    size_t len, int max_age)
{
	char		 cc[64];
	const char	*cache[3] = { cc, "Access-Control-Allow-Origin: *",
			    NULL };

	if (public_headers(cc, sizeof(cc), max_age) == -1) {
		gh_respond_internal(req, "cache header");
		return;
	}
	if (claim(req, 200))
		send_text(req, 200, &json_kind, text, len, cache, NULL);
}

void
gh_respond_html(struct gh_request *req, int status, const char *text,
    size_t len, const char *const *headers)
{
	if (claim(req, status))
		send_text(req, status, &page_kind, text, len, never_cached,
		    headers);
}

void
gh_respond_bare(struct gh_request *req, int status,
    const char *const *headers)
{
	struct head	 h;
	char		 line[32];

	if (!claim(req, status))
		return;
	h.len = 0;
	h.overflow = 0;
	(void)snprintf(line, sizeof(line), "Status: %d", status);
	head_add(&h, line);
	head_addv(&h, headers);
	head_retry(&h, status, headers);
	head_send(&h, req, NULL, 0);
}

void
gh_respond_json(struct gh_request *req, int status, struct json_object *body)
{
	if (body == NULL)
		gh_respond_internal(req, "json");
	else
		gh_respond(req, status, body, NULL);
}

void
gh_respond_problem(struct gh_request *req, int status, const char *error,
    const char *description, struct json_object *fields,
    const char *const *headers)
{
	struct json_object	*body;

	if ((body = json_object_new_object()) == NULL ||
	    gh_json_add(body, "error", json_object_new_string(error)) == -1 ||
	    gh_json_add(body, "error_description",
	    json_object_new_string(description)) == -1) {
		json_object_put(body);
		json_object_put(fields);
		body = NULL;
	} else if (fields != NULL && gh_json_add(body, "fields", fields) == -1) {
		/* gh_json_add() has freed fields. */
		json_object_put(body);
		body = NULL;
	}
	gh_respond(req, status, body, headers);
}

void
gh_respond_error(struct gh_request *req, int status, const char *error,
    const char *description)
{
	gh_respond_problem(req, status, error, description, NULL, NULL);
}

void
gh_respond_fields(struct gh_request *req, int status, const char *error,
    const char *description, struct json_object *fields)
{
	gh_respond_problem(req, status, error, description, fields, NULL);
}

void
gh_respond_input_errors(struct gh_request *req, struct gh_input_errors *errs)
{
	char			 why[256];
	struct json_object	*fields;

	if (errs->missing[0] != '\0') {
		(void)snprintf(why, sizeof(why), "Field \"%s\" %s.",
		    errs->missing, errs->missing_why != NULL ?
		    errs->missing_why : "is malformed");
		if ((fields = json_object_new_object()) != NULL &&
		    gh_json_add(fields, errs->missing,
		    json_object_new_string(errs->missing_why != NULL ?
		    errs->missing_why : "is malformed")) == -1) {
			json_object_put(fields);
			fields = NULL;
		}
		gh_respond_fields(req, 400, "invalid_request", why, fields);
	} else {
		fields = errs->fields;
		errs->fields = NULL;
		gh_respond_fields(req, 422, "validation_failed",
		    "Some fields have invalid values.", fields);
	}
	gh_input_errors_free(errs);
}

void
gh_respond_throttled(struct gh_request *req, long seconds)
{
	char		 retry[64];
	const char	*headers[2] = { retry, NULL };

	(void)snprintf(retry, sizeof(retry), "Retry-After: %ld",
	    seconds > 0 ? seconds : 1);
	gh_respond_problem(req, 429, "too_many_requests", "Too many attempts; "
	    "wait for the time Retry-After gives, then try again.", NULL,
	    headers);
}

/*
 * Logs what failed (the database's own text for GH_DB_ERROR; an
 * unreachable database is no news in the log) and returns the status
 * that says it: 503 to try again, else 500.
 */
int
gh_respond_failed(struct gh_request *req, enum gh_status st)
{
	if (st == GH_UNAVAILABLE)
		return 503;
	if (st == GH_DB_ERROR)
		gh_log(GH_LOG_ERROR, "%s %s: database error: %s", req->method,
		    req->path, gh_db_error(req->db));
	else
		gh_log(GH_LOG_ERROR, "%s %s: %s", req->method, req->path,
		    gh_status_str(st));
	return 500;
}

static void
server_error(struct gh_request *req)
{
	gh_respond_error(req, 500, "server_error",
	    "The server failed to answer.");
}

void
gh_respond_status(struct gh_request *req, enum gh_status st)
{
	static const char *const retry[] = { GH_RETRY_AFTER_UNAVAILABLE,
		NULL };

	if (gh_respond_failed(req, st) == 503)
		gh_respond_problem(req, 503, "unavailable",
		    "The database cannot be reached; try again shortly.", NULL,
		    retry);
	else
		server_error(req);
}

void
gh_respond_status_bare(struct gh_request *req, enum gh_status st)
{
	static const char *const retry[] = { GH_RETRY_AFTER_UNAVAILABLE,
		NULL };
	int	 status;

	status = gh_respond_failed(req, st);
	gh_respond_bare(req, status, status == 503 ? retry : NULL);
}

void
gh_respond_internal(struct gh_request *req, const char *what)
{
	gh_log(GH_LOG_ERROR, "%s %s: %s failed", req->method, req->path,
	    what);
	server_error(req);
}

/*
 * A denial: with GH_DENY_BODY the contract's error body (and the
 * headers every answer carries), else bare; with GH_DENY_CHALLENGE the
 * challenge line.
 */
static void
deny(struct gh_request *req, int status, const char *error,
    const char *description, const char *challenge, int parts)
{
	const char	*headers[2] = { challenge, NULL };
	const char	*const *h;

	h = (parts & GH_DENY_CHALLENGE) ? headers : NULL;
	if (parts & GH_DENY_BODY)
		gh_respond_problem(req, status, error, description, NULL, h);
	else
		gh_respond_bare(req, status, h);
}

void
gh_respond_bearer_challenge(struct gh_request *req, const char *why,
    int parts)
{
	char	 challenge[256];

	if (why == NULL) {
		(void)snprintf(challenge, sizeof(challenge),
		    "WWW-Authenticate: Bearer realm=\"gatehouse\"");
		deny(req, 401, "invalid_token",
		    "A bearer access token is required.", challenge, parts);
		return;
	}
	/* why is one of our own sentences: no quote or backslash in it. */
	(void)snprintf(challenge, sizeof(challenge), "WWW-Authenticate: Bearer "
	    "realm=\"gatehouse\", error=\"invalid_token\", "
	    "error_description=\"%s\"", why);
	deny(req, 401, "invalid_token", why, challenge, parts);
}

void
gh_respond_insufficient_scope(struct gh_request *req, int parts)
{
	deny(req, 403, "insufficient_scope",
	    "This needs a role you do not have.", "WWW-Authenticate: Bearer "
	    "realm=\"gatehouse\", error=\"insufficient_scope\"", parts);
}
