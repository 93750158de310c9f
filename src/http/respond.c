/*
 * respond: the contract's responses.  Every answer goes through
 * gh_respond(), so the headers every response must carry are written in
 * one place.
 */
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "http/http.h"
#include "core/log.h"

/*
 * API answers are never cached (tokens and user data alike), never
 * sniffed, never framed, and load nothing.
 */
static const char *const always[] = {
	"X-Content-Type-Options: nosniff",
	"Cache-Control: no-store",
	"Pragma: no-cache",
	"X-Frame-Options: DENY",
	"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
	"Referrer-Policy: no-referrer",
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
	char	buf[2048];
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
	    "Retry-After");
}

void
gh_respond(struct gh_request *req, int status, struct json_object *body,
    const char *const *headers)
{
	struct head	 h;
	char		 line[128];
	const char	*text = NULL;
	size_t		 len = 0;

	if (req->status != 0) {
		gh_log(GH_LOG_ERROR, "respond: answered twice (%d, then %d)",
		    req->status, status);
		json_object_put(body);
		return;
	}
	if (body != NULL && (text = json_object_to_json_string_length(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len)) == NULL) {
		status = 500;
		len = 0;
	}
	req->status = status;
	memset(&h, 0, sizeof(h));
	(void)snprintf(line, sizeof(line), "Status: %d %s", status,
	    reason(status));
	head_add(&h, line);
	head_addv(&h, always);
	head_cors(&h, req);
	head_addv(&h, headers);
	if (text != NULL)
		head_add(&h, "Content-Type: application/json; charset=utf-8");
	(void)snprintf(line, sizeof(line), "Content-Length: %zu", len);
	head_add(&h, line);
	head_add(&h, "");
	if (h.overflow)
		gh_log(GH_LOG_ERROR, "respond: header block too large");
	(void)FCGX_PutStr(h.buf, (int)h.len, req->fcgx->out);
	if (text != NULL)
		(void)FCGX_PutStr(text, (int)len, req->fcgx->out);
	json_object_put(body);
}

void
gh_respond_json(struct gh_request *req, int status, struct json_object *body)
{
	gh_respond(req, status, body, NULL);
}

void
gh_respond_problem(struct gh_request *req, int status, const char *error,
    const char *description, struct json_object *fields,
    const char *const *headers)
{
	struct json_object	*body;

	if ((body = json_object_new_object()) == NULL ||
	    json_object_object_add(body, "error",
	    json_object_new_string(error)) != 0 ||
	    json_object_object_add(body, "error_description",
	    json_object_new_string(description)) != 0 ||
	    (fields != NULL && json_object_object_add(body, "fields",
	    fields) != 0)) {
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
		    json_object_object_add(fields, errs->missing,
		    json_object_new_string(errs->missing_why != NULL ?
		    errs->missing_why : "is malformed")) != 0) {
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

void
gh_respond_status(struct gh_request *req, enum gh_status st)
{
	if (st == GH_UNAVAILABLE) {
		gh_respond_error(req, 503, "unavailable",
		    "The database cannot be reached; try again shortly.");
		return;
	}
	if (st == GH_DB_ERROR)
		gh_log(GH_LOG_ERROR, "%s %s: database error: %s", req->method,
		    req->path, gh_db_error(req->db));
	else
		gh_log(GH_LOG_ERROR, "%s %s: %s", req->method, req->path,
		    gh_status_str(st));
	gh_respond_error(req, 500, "server_error",
	    "The server failed to answer.");
}

void
gh_respond_internal(struct gh_request *req, const char *what)
{
	gh_log(GH_LOG_ERROR, "%s %s: %s failed", req->method, req->path,
	    what);
	gh_respond_error(req, 500, "server_error",
	    "The server failed to answer.");
}

void
gh_respond_bearer_challenge(struct gh_request *req, const char *why)
{
	char		 challenge[256];
	const char	*headers[2] = { challenge, NULL };

	if (why == NULL) {
		(void)snprintf(challenge, sizeof(challenge),
		    "WWW-Authenticate: Bearer realm=\"gatehouse\"");
		gh_respond_problem(req, 401, "invalid_token",
		    "A bearer access token is required.", NULL, headers);
		return;
	}
	/* why is one of our own sentences: no quote or backslash in it. */
	(void)snprintf(challenge, sizeof(challenge), "WWW-Authenticate: Bearer "
	    "realm=\"gatehouse\", error=\"invalid_token\", "
	    "error_description=\"%s\"", why);
	gh_respond_problem(req, 401, "invalid_token", why, NULL, headers);
}
