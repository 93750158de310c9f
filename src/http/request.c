/*
 * request: a FastCGI request's parameters and its bounded body.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/form.h"
#include "http/http.h"
#include "core/json.h"
#include "core/log.h"

const char *
gh_request_getenv(const struct gh_request *req, const char *name)
{
	return FCGX_GetParam(name, req->fcgx->envp);
}

const char *
gh_request_client_addr(const struct gh_request *req)
{
	return req->addr;
}

/* 1 when the text s[0..len) is an IPv4 or IPv6 address. */
static int
is_ip(const char *s, size_t len)
{
	char		 buf[64];
	unsigned char	 bin[16];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 ||
	    inet_pton(AF_INET6, buf, bin) == 1;
}

/* The last comma-separated element of the proxy's header, when an IP. */
static int
proxied_addr(struct gh_request *req, const char *header)
{
	char		 name[80];
	const char	*v, *start, *end;
	size_t		 i, n;

	if (snprintf(name, sizeof(name), "HTTP_%s", header) >=
	    (int)sizeof(name))
		return -1;
	for (i = 5; name[i] != '\0'; i++)
		name[i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	if ((v = gh_request_getenv(req, name)) == NULL)
		return -1;
	start = strrchr(v, ',');
	start = start != NULL ? start + 1 : v;
	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - start);
	if (!is_ip(start, n))
		return -1;
	memcpy(req->addr, start, n);
	req->addr[n] = '\0';
	return 0;
}

static void
set_client_addr(struct gh_request *req)
{
	const char	*remote;

	if (req->cfg->trusted_proxy_header[0] != '\0' &&
	    proxied_addr(req, req->cfg->trusted_proxy_header) == 0)
		return;
	remote = gh_request_getenv(req, "REMOTE_ADDR");
	if (remote == NULL ||
	    strlen(remote) >= sizeof(req->addr))
		remote = "";
	memcpy(req->addr, remote, strlen(remote) + 1);
}

/*
 * How origin is among the comma-separated configured origins: ORIGIN_NAMED
 * by its own name, ORIGIN_ANY through "*", else ORIGIN_UNLISTED.
 */
#define ORIGIN_UNLISTED	0
#define ORIGIN_ANY	1
#define ORIGIN_NAMED	2

static int
origin_listed(const char *list, const char *origin)
{
	const char	*p = list, *end;
	size_t		 len, olen = strlen(origin);
	int		 found = ORIGIN_UNLISTED;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		end = p;
		while (*end != '\0' && *end != ',' && *end != ' ')
			end++;
		len = (size_t)(end - p);
		if (len > 0 && len == olen && strncmp(p, origin, len) == 0)
			return ORIGIN_NAMED;
		if (len == 1 && *p == '*')
			found = ORIGIN_ANY;
		p = end;
	}
	return found;
}

/*
 * The path comes from REQUEST_URI, which lighttpd and Apache both pass
 * as the client sent it, whatever the mapping to the program was.
 */
static int
set_path(struct gh_request *req)
{
	const char	*uri, *q;
	size_t		 len;

	uri = gh_request_getenv(req, "REQUEST_URI");
	if (uri == NULL || *uri != '/')
		return -1;
	q = strchr(uri, '?');
	len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (len >= sizeof(req->path))
		return -1;
	memcpy(req->path, uri, len);
	req->path[len] = '\0';
	req->query = q != NULL ? q + 1 : "";
	return 0;
}

int
gh_request_init(struct gh_request *req, FCGX_Request *fcgx)
{
	const char	*origin;
	int		 listed;

	req->fcgx = fcgx;
	req->status = 0;
	req->body_len = 0;
	req->param = NULL;
	req->parambuf[0] = '\0';
	req->origin = NULL;
	req->origin_named = false;
	req->limit = NULL;
	set_client_addr(req);
	req->method = gh_request_getenv(req, "REQUEST_METHOD");
	if (req->method == NULL)
		req->method = "";
	if (set_path(req) == -1) {
		req->path[0] = '\0';
		req->query = "";
		return -1;
	}
	origin = gh_request_getenv(req, "HTTP_ORIGIN");
	if (origin == NULL || req->cfg->cors_allowed_origins[0] == '\0')
		return 0;
	listed = origin_listed(req->cfg->cors_allowed_origins, origin);
	if (listed != ORIGIN_UNLISTED)
		req->origin = origin;
	req->origin_named = listed == ORIGIN_NAMED;
	return 0;
}

#define LENGTH_BAD	(-1)
#define LENGTH_UNKNOWN	(-2)

/*
 * CONTENT_LENGTH as a number: digits only; LENGTH_BAD when malformed,
 * LENGTH_UNKNOWN when absent (mod_fcgid passes a chunked body without
 * one; lighttpd always sets it).
 */
static long long
content_length(const struct gh_request *req)
{
	const char	*s;
	long long	 n = 0;

	s = gh_request_getenv(req, "CONTENT_LENGTH");
	if (s == NULL)
		return LENGTH_UNKNOWN;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (1LL << 40))
			return LENGTH_BAD;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* The media type's length, before any ';' and spaces. */
static size_t
media_type_len(const char *ct)
{
	size_t	 len = 0;

	while (ct[len] != '\0' && ct[len] != ';' && ct[len] != ' ' &&
	    ct[len] != '\t')
		len++;
	return len;
}

/* A charset parameter, when present, must say UTF-8. */
static int
charset_ok(const char *ct)
{
	const char	*p;

	for (p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		while (p[1] == ' ' || p[1] == '\t')
			p++;
		if (strncasecmp(p + 1, "charset=", 8) != 0)
			continue;
		p += 9;
		if (*p == '"')
			p++;
		return strncasecmp(p, "utf-8", 5) == 0 &&
		    (p[5] == '\0' || p[5] == '"' || p[5] == ';' || p[5] == ' ');
	}
	return 1;
}

#define MT_NONE	0
#define MT_JSON	1
#define MT_FORM	2
#define MT_BAD	3

static int
media_type(const struct gh_request *req, int accept)
{
	const char	*ct;
	size_t		 len;

	ct = gh_request_getenv(req, "CONTENT_TYPE");
	if (ct == NULL || *ct == '\0')
		return MT_NONE;
	len = media_type_len(ct);
	if (!charset_ok(ct))
		return MT_BAD;
	if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return MT_JSON;
	if ((accept & GH_INPUT_MERGE) && len == 28 &&
	    strncasecmp(ct, "application/merge-patch+json", 28) == 0)
		return MT_JSON;
	if ((accept & GH_INPUT_FORM) && len == 33 &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		return MT_FORM;
	return MT_BAD;
}

/* Reads exactly len bytes of body; -1 when the stream ends first. */
static int
read_body(struct gh_request *req, size_t len)
{
	int	 n;

	req->body_len = 0;
	while (req->body_len < len) {
		n = FCGX_GetStr(req->body + req->body_len,
		    (int)(len - req->body_len), req->fcgx->in);
		if (n <= 0)
			return -1;
		req->body_len += (size_t)n;
	}
	req->body[req->body_len] = '\0';
	return 0;
}

/*
 * Reads the body to its end when its length is not known; -1 when it is
 * longer than max_body_bytes (read no further than one byte past it).
 */
static int
read_to_end(struct gh_request *req)
{
	size_t	 max = req->cfg->max_body_bytes < req->bodysz - 1 ?
		    req->cfg->max_body_bytes : req->bodysz - 1;
	int	 n;

	req->body_len = 0;
	for (;;) {
		n = FCGX_GetStr(req->body + req->body_len,
		    (int)(max + 1 - req->body_len), req->fcgx->in);
		if (n <= 0)
			break;
		req->body_len += (size_t)n;
		if (req->body_len > max)
			return -1;
	}
	req->body[req->body_len] = '\0';
	return 0;
}

struct json_object *
gh_request_input(struct gh_request *req, int accept)
{
	struct json_object	*obj;
	long long		 len;
	int			 mt, known = 1;

	len = content_length(req);
	if (len == LENGTH_BAD) {
		gh_respond_error(req, 400, "invalid_request",
		    "The Content-Length is malformed.");
		return NULL;
	}
	if (len == LENGTH_UNKNOWN) {
		known = 0;
		if (read_to_end(req) == -1)
			len = (long long)req->cfg->max_body_bytes + 1;
		else
			len = (long long)req->body_len;
	}
	if ((unsigned long long)len > req->cfg->max_body_bytes ||
	    (size_t)len >= req->bodysz) {
		gh_respond_error(req, 413, "payload_too_large",
		    "The request body is larger than this server takes.");
		return NULL;
	}
	mt = media_type(req, accept);
	if (mt == MT_BAD || (mt == MT_NONE && len > 0)) {
		gh_respond_error(req, 415, "unsupported_media_type",
		    (accept & GH_INPUT_FORM) ? "Send application/json or "
		    "application/x-www-form-urlencoded in UTF-8." :
		    "Send application/json in UTF-8.");
		return NULL;
	}
	if (known && read_body(req, (size_t)len) == -1) {
		gh_respond_error(req, 400, "invalid_request",
		    "The request body ended early.");
		return NULL;
	}
	if (len == 0)
		obj = json_object_new_object();
	else if (mt == MT_FORM)
		obj = gh_form_parse(req->body, req->body_len);
	else
		obj = gh_json_parse_object(req->body, req->body_len);
	if (obj == NULL)
		gh_respond_error(req, 400, "invalid_request", mt == MT_FORM ?
		    "The form body is malformed." : "The body is not a JSON "
		    "object in UTF-8, or it is nested too deep.");
	return obj;
}

struct json_object *
gh_request_query(struct gh_request *req)
{
	struct json_object	*obj;

	if (*req->query == '\0')
		return json_object_new_object();
	if ((obj = gh_form_parse(req->query, strlen(req->query))) == NULL)
		gh_respond_error(req, 400, "invalid_request",
		    "The query string is malformed.");
	return obj;
}
