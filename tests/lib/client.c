/*
 * client: the end-to-end tests' HTTP client and helpers.  See client.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/utf8.h"

#include "client.h"
#include "run.h"

static CURL	*easy;
static char	 from[64];	/* t_client_from(); "" for the default */
static char	 tcase[256];	/* t_case(): "name: ", or "" */

/* cr_assert, its message led by the name of the case (t_case()). */
#define CHECK(cond, fmt, ...)						\
	cr_assert((cond), "%s" fmt, tcase, __VA_ARGS__)

static char	*format(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));

/* printf into a fresh allocation; fails the test when it cannot. */
static char *
format(const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	cr_assert_geq(n, 0);
	cr_assert_not_null(s = malloc((size_t)n + 1));
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static const char *
env_required(const char *name)
{
	const char	*v;

	v = getenv(name);
	if (v == NULL || *v == '\0')
		cr_assert_fail("%s is not set: run the end-to-end tests through "
		    "tests/with-stack", name);
	return v;
}

/* T_HTTP_TIMEOUT, or $GH_TEST_HTTP_TIMEOUT seconds (slow runs: valgrind). */
static long
http_timeout(void)
{
	const char	*v;
	char		*end;
	long		 t;

	v = getenv("GH_TEST_HTTP_TIMEOUT");
	if (v != NULL && *v != '\0') {
		t = strtol(v, &end, 10);
		if (*end == '\0' && t > 0 && t <= 3600)
			return t;
	}
	return T_HTTP_TIMEOUT;
}

static void
global_init(void)
{
	static int	 done;

	if (done)
		return;
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	done = 1;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct t_resp	*r = arg;
	size_t		 len = size * n;
	char		*nb;

	if ((nb = realloc(r->body, r->len + len + 1)) == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct t_resp	*r = arg;
	size_t		 len = size * n, keep = len;

	/* A new status line (after 100 Continue): start over. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->hlen = 0;
		return len;
	}
	while (keep > 0 && (p[keep - 1] == '\n' || p[keep - 1] == '\r'))
		keep--;
	if (keep == 0 || r->hlen + keep + 1 > sizeof(r->headers))
		return len;
	memcpy(r->headers + r->hlen, p, keep);
	r->hlen += keep;
	r->headers[r->hlen++] = '\0';
	return len;
}

static bool
has_header(const char *const *headers, const char *name)
{
	size_t	 n = strlen(name);

	for (; headers != NULL && *headers != NULL; headers++)
		if (strncasecmp(*headers, name, n) == 0 &&
		    (*headers)[n] == ':')
			return true;
	return false;
}

/* Sets h up for one request into r; returns the header list to free. */
static struct curl_slist *
setup(CURL *h, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len,
    struct t_resp *r)
{
	struct curl_slist	*sl = NULL, *t;
	char			 url[4096], iface[80];
	const char		*const *hp;
	bool			 bodied;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", env_required("GH_TEST_BASE_URL"),
	    path);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, http_timeout());
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	/*
	 * A connection bound to an address is never reused, nor kept for
	 * another request to find, so every request leaves from its own.
	 */
	if (from[0] != '\0') {
		snprintf(iface, sizeof(iface), "host!%s", from);
		curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	}

	bodied = body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body != NULL)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (bodied) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body != NULL ? len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	}
	for (hp = headers; hp != NULL && *hp != NULL; hp++) {
		cr_assert_not_null(t = curl_slist_append(sl, *hp));
		sl = t;
	}
	/* No libcurl defaults: the test says exactly what is sent. */
	if (bodied && !has_header(headers, "Content-Type")) {
		cr_assert_not_null(t = curl_slist_append(sl, "Content-Type:"));
		sl = t;
	}
	if (!has_header(headers, "Expect")) {
		cr_assert_not_null(t = curl_slist_append(sl, "Expect:"));
		sl = t;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	return sl;
}

/* The value of the Content-Type among headers ("Name: value"), or NULL. */
static const char *
request_type(const char *const *headers)
{
	const char	*v;

	for (; headers != NULL && *headers != NULL; headers++) {
		if (strncasecmp(*headers, "Content-Type:", 13) != 0)
			continue;
		for (v = *headers + 13; *v == ' ' || *v == '\t'; v++)
			continue;
		return *v != '\0' ? v : NULL;
	}
	return NULL;
}

/* Adds key: val (a fresh json-c value) to o, failing the test if it cannot. */
static void
jadd(struct json_object *o, const char *key, struct json_object *val)
{
	cr_assert_not_null(val);
	cr_assert_eq(json_object_object_add(o, key, val), 0);
}

/* The response's headers as a JSON array of [name, value] pairs. */
static struct json_object *
header_pairs(const struct t_resp *r)
{
	struct json_object	*a, *pair;
	const char		*h, *colon, *v;
	size_t			 off;

	cr_assert_not_null(a = json_object_new_array());
	for (off = 0; off < r->hlen; off += strlen(h) + 1) {
		h = r->headers + off;
		if ((colon = strchr(h, ':')) == NULL)
			continue;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			continue;
		cr_assert_not_null(pair = json_object_new_array());
		cr_assert_eq(json_object_array_add(pair,
		    json_object_new_string_len(h, (int)(colon - h))), 0);
		cr_assert_eq(json_object_array_add(pair,
		    json_object_new_string(v)), 0);
		cr_assert_eq(json_object_array_add(a, pair), 0);
	}
	return a;
}

/*
 * With $GH_TEST_OPENAPI_RECORD naming a file, appends the exchange as
 * one JSON line for tests/openapi/validate (which checks it against
 * docs/openapi.yaml): the test, method, path, request Content-Type,
 * status, headers and body (left out, "binary": true, when not UTF-8).
 * One write(2) on an O_APPEND descriptor, so that the lines of
 * Criterion's workers and of parallel clients never interleave.
 */
static void
record(const char *method, const char *path, const char *const *headers,
    const struct t_resp *r)
{
	const struct criterion_test	*t = criterion_current_test;
	struct json_object		*o;
	const char			*file, *ct, *text;
	char				 test[512], *line;
	size_t				 n;
	int				 fd;

	file = getenv("GH_TEST_OPENAPI_RECORD");
	if (file == NULL || *file == '\0')
		return;
	cr_assert_not_null(o = json_object_new_object());
	snprintf(test, sizeof(test), "%s::%s", t != NULL ? t->category : "?",
	    t != NULL ? t->name : "?");
	jadd(o, "test", json_object_new_string(test));
	jadd(o, "method", json_object_new_string(method));
	jadd(o, "path", json_object_new_string(path));
	/* json-c's null is NULL. */
	if ((ct = request_type(headers)) != NULL)
		jadd(o, "request_content_type", json_object_new_string(ct));
	else
		cr_assert_eq(json_object_object_add(o, "request_content_type",
		    NULL), 0);
	jadd(o, "status", json_object_new_int64(r->status));
	jadd(o, "headers", header_pairs(r));
	if (gh_utf8_valid(r->body, r->len))
		jadd(o, "body", json_object_new_string_len(r->body,
		    (int)r->len));
	else
		jadd(o, "binary", json_object_new_boolean(1));
	cr_assert_not_null(text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	n = strlen(text);
	cr_assert_not_null(line = malloc(n + 1));
	memcpy(line, text, n);
	line[n] = '\n';
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_neq(fd, -1, "%s: cannot open", file);
	cr_assert_eq(write(fd, line, n + 1), (ssize_t)(n + 1),
	    "%s: short write", file);
	close(fd);
	free(line);
	json_object_put(o);
}

static void
finish(CURL *h, CURLcode rc, const char *method, const char *path,
    const char *const *headers, struct t_resp *r)
{
	struct json_tokener	*tok;

	cr_assert_eq(rc, CURLE_OK, "%s %s%s%s: %s", method, path,
	    from[0] != '\0' ? " from " : "", from, curl_easy_strerror(rc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &r->seconds);
	if (r->body == NULL) {
		cr_assert_not_null(r->body = strdup(""));
		r->len = 0;
	}
	r->json = NULL;
	if (r->len > 0 && (r->body[0] == '{' || r->body[0] == '[')) {
		cr_assert_not_null(tok = json_tokener_new());
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		r->json = json_tokener_parse_ex(tok, r->body, (int)r->len);
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(r->json);
			r->json = NULL;
		}
		json_tokener_free(tok);
	}
	record(method, path, headers, r);
}

int
t_http(const char *method, const char *path, const char *const *headers,
    const char *body, size_t len, struct t_resp *r)
{
	struct curl_slist	*sl;
	CURLcode		 rc;

	global_init();
	if (easy == NULL)
		cr_assert_not_null(easy = curl_easy_init());
	sl = setup(easy, method, path, headers, body, len, r);
	rc = curl_easy_perform(easy);
	curl_slist_free_all(sl);
	finish(easy, rc, method, path, headers, r);
	return 0;
}

int
t_http_json(const char *method, const char *path, const char *token,
    const char *body, struct t_resp *r)
{
	const char	*headers[3];
	char		 auth[4200];
	size_t		 n = 0;

	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	headers[n] = NULL;
	return t_http(method, path, headers, body, body != NULL ?
	    strlen(body) : 0, r);
}

int
t_http_jsonf(const char *method, const char *path, const char *token,
    struct t_resp *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*body;
	int	 rc;

	va_start(ap, fmt);
	body = format(fmt, ap);
	va_end(ap);
	rc = t_http_json(method, path, token, body, r);
	free(body);
	return rc;
}

int
t_http_form(const char *path, const char *form, struct t_resp *r)
{
	const char	*headers[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};

	return t_http("POST", path, headers, form, strlen(form), r);
}

void
t_http_many(size_t n, const char *method, const char *path,
    const char *token, const char *const *bodies, size_t nbodies,
    struct t_resp *rs)
{
	CURLM			*m;
	CURL			**hs;
	struct curl_slist	**sls;
	const char		*headers[3];
	char			 auth[4200];
	const char		*body;
	CURLMsg			*msg;
	size_t			 i, k = 0;
	int			 running, left;

	global_init();
	headers[k++] = "Content-Type: application/json";
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[k++] = auth;
	}
	headers[k] = NULL;
	cr_assert_not_null(m = curl_multi_init());
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n);
	cr_assert_not_null(hs = calloc(n, sizeof(*hs)));
	cr_assert_not_null(sls = calloc(n, sizeof(*sls)));
	for (i = 0; i < n; i++) {
		body = bodies[nbodies == 1 ? 0 : i];
		cr_assert_not_null(hs[i] = curl_easy_init());
		sls[i] = setup(hs[i], method, path, headers, body,
		    body != NULL ? strlen(body) : 0, &rs[i]);
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, &rs[i]);
		/* Own connections, all opened at once. */
		curl_easy_setopt(hs[i], CURLOPT_FRESH_CONNECT, 1L);
		curl_multi_add_handle(m, hs[i]);
	}
	do {
		cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running > 0)
			cr_assert_eq(curl_multi_poll(m, NULL, 0, 1000, NULL),
			    CURLM_OK);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < n; i++)
				if (hs[i] == msg->easy_handle)
					finish(hs[i], msg->data.result, method,
					    path, headers, &rs[i]);
		}
	} while (running > 0);
	for (i = 0; i < n; i++) {
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		curl_slist_free_all(sls[i]);
	}
	curl_multi_cleanup(m);
	free(hs);
	free(sls);
}

void
t_client_from(const char *addr)
{
	int	 n;

	n = snprintf(from, sizeof(from), "%s", addr != NULL ? addr : "");
	cr_assert(n >= 0 && (size_t)n < sizeof(from), "address too long: %s",
	    addr);
}

void
t_loopback(char *out, size_t outsz)
{
	unsigned char	 b[3];
	int		 n;

	cr_assert_eq(RAND_bytes(b, sizeof(b)), 1);
	n = snprintf(out, outsz, "127.%u.%u.%u", 1u + b[0] % 254u,
	    1u + b[1] % 254u, 1u + b[2] % 254u);
	cr_assert(n >= 0 && (size_t)n < outsz);
}

char *
t_jbody(const char *key, ...)
{
	struct json_object	*o;
	va_list			 ap;
	const char		*k, *v;
	char			*s;

	cr_assert_not_null(o = json_object_new_object());
	va_start(ap, key);
	for (k = key; k != NULL; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		cr_assert_eq(json_object_object_add(o, k,
		    json_object_new_string(v)), 0);
	}
	va_end(ap);
	cr_assert_not_null(s = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)));
	json_object_put(o);
	return s;
}

void
t_urlencode(const char *s, char *out, size_t outsz)
{
	char	*e;

	global_init();
	cr_assert_not_null(e = curl_easy_escape(NULL, s, 0));
	cr_assert_lt(strlen(e), outsz);
	snprintf(out, outsz, "%s", e);
	curl_free(e);
}

const char *
t_resp_header(const struct t_resp *r, const char *name)
{
	size_t		 off = 0, n = strlen(name);
	const char	*h, *v;

	while (off < r->hlen) {
		h = r->headers + off;
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			for (v = h + n + 1; *v == ' ' || *v == '\t'; v++)
				continue;
			return v;
		}
		off += strlen(h) + 1;
	}
	return NULL;
}

void
t_resp_free(struct t_resp *r)
{
	free(r->body);
	r->body = NULL;
	json_object_put(r->json);
	r->json = NULL;
}

struct json_object *
t_json_path(struct json_object *o, const char *path)
{
	char	 buf[256], *p, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; o != NULL && p != NULL; p = dot) {
		if ((dot = strchr(p, '.')) != NULL)
			*dot++ = '\0';
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, p, &o))
			return NULL;
	}
	return o;
}

const char *
t_resp_str(const struct t_resp *r, const char *key)
{
	struct json_object	*v;

	v = t_json_path(r->json, key);
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void
t_case(const char *fmt, ...)
{
	va_list	 ap;
	size_t	 len;
	int	 n;

	tcase[0] = '\0';
	if (fmt == NULL)
		return;
	/* Room kept for ": "; a long name is cut, it still says which. */
	va_start(ap, fmt);
	n = vsnprintf(tcase, sizeof(tcase) - 2, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "t_case: %s", fmt);
	len = strlen(tcase);
	memcpy(tcase + len, ": ", 3);
}

void
t_assert_json_type(const struct t_resp *r)
{
	const char	*ct;

	ct = t_resp_header(r, "Content-Type");
	CHECK(ct != NULL, "no Content-Type (status %ld)", r->status);
	CHECK(strcasecmp(ct, "application/json; charset=utf-8") == 0,
	    "Content-Type is \"%s\", not application/json; charset=utf-8",
	    ct);
}

void
t_assert_error(const struct t_resp *r, long status, const char *code)
{
	const char	*nosniff;
	const char	*desc, *error;

	CHECK(r->status == status, "status %ld, expected %ld; body: %s",
	    r->status, status, r->body);
	t_assert_json_type(r);
	CHECK(r->json != NULL, "the body is not JSON: %s", r->body);
	CHECK(json_object_is_type(r->json, json_type_object),
	    "the body is not an object: %s", r->body);
	error = t_resp_str(r, "error");
	if (code != NULL)
		CHECK(error != NULL && strcmp(error, code) == 0,
		    "error code %s, expected %s; body: %s",
		    error != NULL ? error : "(none)", code, r->body);
	else
		CHECK(error != NULL, "no error code; body: %s", r->body);
	desc = t_resp_str(r, "error_description");
	CHECK(desc != NULL && *desc != '\0',
	    "no error_description; body: %s", r->body);
	json_object_object_foreach(r->json, key, val) {
		CHECK(strcmp(key, "error") == 0 ||
		    strcmp(key, "error_description") == 0 ||
		    (strcmp(key, "fields") == 0 &&
		    json_object_is_type(val, json_type_object)),
		    "unexpected member \"%s\" in an error body: %s", key,
		    r->body);
	}
	nosniff = t_resp_header(r, "X-Content-Type-Options");
	CHECK(nosniff != NULL && strcasecmp(nosniff, "nosniff") == 0,
	    "no X-Content-Type-Options: nosniff (status %ld)", r->status);
}

void
t_assert_field_error(const struct t_resp *r, long status, const char *code,
    const char *field)
{
	struct json_object	*fields, *f;

	t_assert_error(r, status, code);
	fields = t_json_path(r->json, "fields");
	CHECK(fields != NULL, "no \"fields\" in %s", r->body);
	CHECK(json_object_object_get_ex(fields, field, &f),
	    "\"fields\" does not name %s: %s", field, r->body);
	CHECK(json_object_is_type(f, json_type_string) &&
	    json_object_get_string_len(f) > 0,
	    "fields.%s is not a sentence: %s", field, r->body);
}

void
t_assert_bearer_401(const struct t_resp *r, bool no_creds)
{
	const char	*w;

	t_assert_error(r, 401, "invalid_token");
	w = t_resp_header(r, "WWW-Authenticate");
	CHECK(w != NULL, "a 401 without WWW-Authenticate (%s)", r->body);
	if (no_creds) {
		CHECK(strcmp(w, "Bearer realm=\"gatehouse\"") == 0,
		    "WWW-Authenticate: %s", w);
		return;
	}
	CHECK(strncmp(w, "Bearer realm=\"gatehouse\", "
	    "error=\"invalid_token\"", 47) == 0,
	    "WWW-Authenticate: %s", w);
	CHECK(strstr(w, ", error_description=\"") != NULL,
	    "WWW-Authenticate without error_description: %s", w);
	CHECK(w[strlen(w) - 1] == '"', "WWW-Authenticate: %s", w);
}

void
t_assert_grant_401(const struct t_resp *r)
{
	const char	*w;

	t_assert_error(r, 401, "invalid_grant");
	w = t_resp_header(r, "WWW-Authenticate");
	CHECK(w != NULL && strcmp(w, "Bearer realm=\"gatehouse\"") == 0,
	    "invalid_grant's WWW-Authenticate: %s", w != NULL ? w : "(none)");
}

/* True when s matches the extended regular expression pattern. */
static bool
matches(const char *s, const char *pattern)
{
	regex_t	 re;
	bool	 ok;

	if (s == NULL)
		return false;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

bool
t_is_timestamp(const char *s)
{
	return matches(s, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:"
	    "[0-5][0-9]:[0-6][0-9](\\.[0-9]+)?Z$");
}

bool
t_is_uuid(const char *s)
{
	return matches(s, "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
	    "[0-9a-f]{4}-[0-9a-f]{12}$");
}

bool
t_json_array_has(struct json_object *arr, const char *s)
{
	size_t			 i;
	struct json_object	*e;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_string) &&
		    strcmp(json_object_get_string(e), s) == 0)
			return true;
	}
	return false;
}

void
t_assert_user_object(struct json_object *u)
{
	static const char	*strings[] = { "id", "username", "status",
	    "created_at", "updated_at" };
	static const char	*optional[] = { "email", "full_name",
	    "employee_id", "phone" };
	struct json_object	*v;
	const char		*s;
	size_t			 i;

	CHECK(u != NULL && json_object_is_type(u, json_type_object),
	    "not a user object (%s)", u != NULL ?
	    json_object_to_json_string(u) : "NULL");
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		CHECK(json_object_object_get_ex(u, strings[i], &v) &&
		    json_object_is_type(v, json_type_string),
		    "user.%s missing or not a string: %s", strings[i],
		    json_object_to_json_string(u));
	}
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		CHECK(json_object_object_get_ex(u, optional[i], &v),
		    "user.%s missing: %s", optional[i],
		    json_object_to_json_string(u));
		CHECK(v == NULL || json_object_is_type(v, json_type_string),
		    "user.%s neither a string nor null", optional[i]);
	}
	CHECK(json_object_object_get_ex(u, "email_verified", &v) &&
	    json_object_is_type(v, json_type_boolean),
	    "user.email_verified missing or not a boolean: %s",
	    json_object_to_json_string(u));
	CHECK(json_object_object_get_ex(u, "roles", &v) &&
	    json_object_is_type(v, json_type_array), "user.roles: %s",
	    json_object_to_json_string(u));
	CHECK(t_is_uuid(json_object_get_string(t_json_path(u, "id"))),
	    "user.id is not a uuid: %s", json_object_to_json_string(u));
	s = json_object_get_string(t_json_path(u, "status"));
	CHECK(strcmp(s, "active") == 0 || strcmp(s, "suspended") == 0,
	    "user.status is %s", s);
	CHECK(t_is_timestamp(json_object_get_string(t_json_path(u,
	    "created_at"))), "created_at is not RFC 3339 UTC: %s",
	    json_object_to_json_string(u));
	CHECK(t_is_timestamp(json_object_get_string(t_json_path(u,
	    "updated_at"))), "updated_at is not RFC 3339 UTC: %s",
	    json_object_to_json_string(u));
	json_object_object_foreach(u, key, val) {
		(void)val;
		CHECK(strstr(key, "password") == NULL &&
		    strstr(key, "hash") == NULL,
		    "a user object with \"%s\"", key);
	}
	CHECK(strstr(json_object_to_json_string(u), "$2b$") == NULL,
	    "user %s: an object holding a bcrypt hash",
	    json_object_get_string(t_json_path(u, "username")));
}

const char *
t_unique(const char *prefix)
{
	static char	 buf[80];
	unsigned char	 r[6];
	size_t		 i;
	int		 n;

	cr_assert_eq(RAND_bytes(r, sizeof(r)), 1);
	n = snprintf(buf, sizeof(buf), "%s", prefix);
	for (i = 0; i < sizeof(r); i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%02x", r[i]);
	return buf;
}

void
t_register(struct t_user *u, const char *prefix)
{
	struct t_resp	 r;
	const char	*id;

	memset(u, 0, sizeof(*u));
	snprintf(u->username, sizeof(u->username), "%s", t_unique(prefix));
	snprintf(u->password, sizeof(u->password), "Pw-%s-Aa9",
	    t_unique(""));
	snprintf(u->email, sizeof(u->email), "%s@example.com", u->username);
	snprintf(u->employee_id, sizeof(u->employee_id), "E-%s",
	    t_unique(""));
	t_http_jsonf("POST", "/api/auth/register", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\", \"email\": \"%s\", "
	    "\"employee_id\": \"%s\", \"full_name\": \"Test User\"}",
	    u->username, u->password, u->email, u->employee_id);
	cr_assert_eq(r.status, 201, "register %s: %ld %s", u->username,
	    r.status, r.body);
	id = t_resp_str(&r, "id");
	cr_assert_not_null(id, "register: no id in %s", r.body);
	snprintf(u->id, sizeof(u->id), "%s", id);
	t_resp_free(&r);
}

static void
store_tokens(struct t_user *u, const struct t_resp *r, const char *what)
{
	const char	*a, *rt;

	cr_assert_eq(r->status, 200, "%s %s: %ld %s", what, u->username,
	    r->status, r->body);
	a = t_resp_str(r, "access_token");
	rt = t_resp_str(r, "refresh_token");
	cr_assert(a != NULL && rt != NULL, "%s: no tokens in %s", what,
	    r->body);
	cr_assert_lt(strlen(a), sizeof(u->access));
	cr_assert_lt(strlen(rt), sizeof(u->refresh));
	snprintf(u->access, sizeof(u->access), "%s", a);
	snprintf(u->refresh, sizeof(u->refresh), "%s", rt);
}

void
t_login(struct t_user *u)
{
	struct t_resp	 r;

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u->username,
	    u->password);
	store_tokens(u, &r, "login");
	t_resp_free(&r);
}

void
t_refresh(struct t_user *u)
{
	struct t_resp	 r;

	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", u->refresh);
	store_tokens(u, &r, "refresh");
	t_resp_free(&r);
}

void
t_make_user(struct t_user *u, const char *prefix)
{
	t_register(u, prefix);
	t_login(u);
}

void
t_make_admin(struct t_user *u, const char *prefix)
{
	const char	*argv[16];
	char		 pw[96];
	const char	*id;

	memset(u, 0, sizeof(*u));
	snprintf(u->username, sizeof(u->username), "%s", t_unique(prefix));
	snprintf(u->password, sizeof(u->password), "Pw-%s-Aa9",
	    t_unique(""));
	snprintf(u->email, sizeof(u->email), "%s@example.com", u->username);
	snprintf(u->employee_id, sizeof(u->employee_id), "E-%s",
	    t_unique(""));
	argv[0] = "user";
	argv[1] = "add";
	argv[2] = u->username;
	argv[3] = "--role";
	argv[4] = "admin";
	argv[5] = "--role";
	argv[6] = "user";
	argv[7] = "--email";
	argv[8] = u->email;
	argv[9] = "--employee-id";
	argv[10] = u->employee_id;
	argv[11] = NULL;
	snprintf(pw, sizeof(pw), "%s\n", u->password);
	cr_assert_eq(t_cli(argv, pw), 0, "gatehouse user add %s failed",
	    u->username);
	id = t_sql("SELECT id FROM users WHERE lower(username) = lower('%s')",
	    u->username);
	snprintf(u->id, sizeof(u->id), "%s", id);
	t_login(u);
}

long
t_me_status(const char *token)
{
	struct t_resp	 r;
	long		 st;

	t_http_json("GET", "/api/auth/me", token, NULL, &r);
	st = r.status;
	t_resp_free(&r);
	return st;
}

long
t_refresh_status(const char *refresh)
{
	struct t_resp	 r;
	long		 st;

	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", refresh);
	st = r.status;
	t_resp_free(&r);
	return st;
}

int
t_cli(const char *const argv[], const char *stdin_text)
{
	const char	*full[32];
	const char	*env[2];
	char		 conf[PATH_MAX + 32], out[4096], err[4096];
	size_t		 i;
	int		 rc;

	full[0] = env_required("GH_TEST_CLI");
	for (i = 0; argv[i] != NULL && i + 2 < sizeof(full) / sizeof(full[0]);
	    i++)
		full[i + 1] = argv[i];
	full[i + 1] = NULL;
	snprintf(conf, sizeof(conf), "GATEHOUSE_CONFIG=%s",
	    env_required("GH_TEST_CONFIG"));
	env[0] = conf;
	env[1] = NULL;
	rc = t_run(full, env, stdin_text, out, sizeof(out), err,
	    sizeof(err));
	if (rc != 0)
		cr_log_error("gatehouse %s: exit %d: %s", argv[0], rc, err);
	return rc;
}

const char *
t_sql(const char *fmt, ...)
{
	static char	 value[4096];
	va_list		 ap;
	char		*sql;
	PGconn		*conn;
	PGresult	*res;
	ExecStatusType	 st;

	va_start(ap, fmt);
	sql = format(fmt, ap);
	va_end(ap);
	conn = PQconnectdb(env_required("GH_TEST_DATABASE_URL"));
	cr_assert_eq(PQstatus(conn), CONNECTION_OK, "connect: %s",
	    PQerrorMessage(conn));
	res = PQexec(conn, sql);
	st = PQresultStatus(res);
	cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK,
	    "%s: %s", sql, PQerrorMessage(conn));
	value[0] = '\0';
	if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0)
		snprintf(value, sizeof(value), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(conn);
	free(sql);
	return value;
}

const char *
t_secret(void)
{
	static char	 secret[1024];
	char		 line[1200], *p, *e;
	FILE		*f;

	if (secret[0] != '\0')
		return secret;
	cr_assert_not_null(f = fopen(env_required("GH_TEST_CONFIG"), "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "jwt_secret", 10) != 0 ||
		    (line[10] != ' ' && line[10] != '='))
			continue;
		p = strchr(line, '=') + 1;
		while (*p == ' ')
			p++;
		if (*p == '"')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '"' ||
		    e[-1] == ' '))
			e--;
		*e = '\0';
		snprintf(secret, sizeof(secret), "%s", p);
	}
	fclose(f);
	cr_assert_neq(secret[0], '\0', "no jwt_secret in $GH_TEST_CONFIG");
	return secret;
}

void
t_b64url(const unsigned char *b, size_t len, char *out, size_t outsz)
{
	unsigned char	*tmp;
	size_t		 i, n;

	cr_assert_not_null(tmp = malloc(4 * ((len + 2) / 3) + 1));
	n = (size_t)EVP_EncodeBlock(tmp, b, (int)len);
	while (n > 0 && tmp[n - 1] == '=')
		n--;
	cr_assert_lt(n, outsz);
	for (i = 0; i < n; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' :
		    (char)tmp[i];
	out[n] = '\0';
	free(tmp);
}

static size_t
b64url_decode(const char *s, size_t len, unsigned char *out, size_t outsz)
{
	char	*tmp;
	size_t	 i, n, pad;
	int	 got;

	pad = (4 - len % 4) % 4;
	cr_assert_not_null(tmp = malloc(len + pad + 1));
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (n = 0; n < pad; n++)
		tmp[len + n] = '=';
	tmp[len + pad] = '\0';
	cr_assert_geq(outsz, (len + pad) / 4 * 3);
	got = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)(len + pad));
	free(tmp);
	cr_assert_geq(got, 0, "bad base64url");
	return (size_t)got - pad;
}

struct json_object *
t_jwt_part(const char *token, int part)
{
	const char		*p = token, *e;
	unsigned char		 buf[8192];
	size_t			 n;
	int			 i;

	for (i = 0; i < part; i++) {
		cr_assert_not_null(p = strchr(p, '.'), "not a JWT: %s", token);
		p++;
	}
	e = strchr(p, '.');
	cr_assert_not_null(e, "not a JWT: %s", token);
	n = b64url_decode(p, (size_t)(e - p), buf, sizeof(buf) - 1);
	buf[n] = '\0';
	return json_tokener_parse((char *)buf);
}

void
t_jwt_sid(const char *token, char *out, size_t outsz)
{
	struct json_object	*p, *sid;

	cr_assert_not_null(p = t_jwt_part(token, 1));
	cr_assert(json_object_object_get_ex(p, "sid", &sid), "no sid: %s",
	    token);
	snprintf(out, outsz, "%s", json_object_get_string(sid));
	json_object_put(p);
}

void
t_jwt_forge(const char *alg, const char *header, const char *payload,
    const char *key, char *out, size_t outsz)
{
	char			 h[2048], p[8192], input[10300], sig[200];
	unsigned char		 mac[EVP_MAX_MD_SIZE];
	unsigned int		 maclen = 0;
	const EVP_MD		*md = NULL;

	t_b64url((const unsigned char *)header, strlen(header), h, sizeof(h));
	t_b64url((const unsigned char *)payload, strlen(payload), p,
	    sizeof(p));
	snprintf(input, sizeof(input), "%s.%s", h, p);
	if (strcmp(alg, "HS256") == 0)
		md = EVP_sha256();
	else if (strcmp(alg, "HS384") == 0)
		md = EVP_sha384();
	else if (strcmp(alg, "HS512") == 0)
		md = EVP_sha512();
	sig[0] = '\0';
	if (md != NULL) {
		cr_assert_not_null(HMAC(md, key, (int)strlen(key),
		    (const unsigned char *)input, strlen(input), mac, &maclen));
		t_b64url(mac, maclen, sig, sizeof(sig));
	}
	cr_assert_lt(strlen(input) + strlen(sig) + 1, outsz);
	snprintf(out, outsz, "%s.%s", input, sig);
}

void
t_jwt_resign(const char *token, void (*edit)(struct json_object *),
    char *out, size_t outsz)
{
	struct json_object	*h, *p, *alg;

	cr_assert_not_null(h = t_jwt_part(token, 0));
	cr_assert_not_null(p = t_jwt_part(token, 1));
	if (edit != NULL)
		edit(p);
	cr_assert(json_object_object_get_ex(h, "alg", &alg));
	t_jwt_forge(json_object_get_string(alg),
	    json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN),
	    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
	    t_secret(), out, outsz);
	json_object_put(h);
	json_object_put(p);
}

/*
 * Under valgrind (tests/with-stack, GH_VALGRIND=1) a program's exe is
 * valgrind's tool; the program is the last word of its command line.
 */
static bool
valgrind_runs(const char *pid, const char *prog)
{
	char	 path[300], cmd[8192], *last, *base;
	size_t	 len, i;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	len = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	while (len > 0 && cmd[len - 1] == '\0')
		len--;
	cmd[len] = '\0';
	last = cmd;
	for (i = 0; i < len; i++)
		if (cmd[i] == '\0')
			last = cmd + i + 1;
	base = strrchr(last, '/');
	base = base != NULL ? base + 1 : last;
	return strcmp(base, prog) == 0;
}

/* The parent of process pid (a /proc name), or -1. */
static long
parent_of(const char *pid)
{
	char	 path[300], stat[512], *rp;
	long	 ppid;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(stat, sizeof(stat), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if ((rp = strrchr(stat, ')')) == NULL ||
	    sscanf(rp + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

/* Does process pid (a /proc name) run prog, under valgrind or not? */
static bool
runs(const char *pid, const char *prog)
{
	char	 path[300], exe[PATH_MAX], *base;
	ssize_t	 len;

	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	if ((len = readlink(path, exe, sizeof(exe) - 1)) < 0)
		return false;
	exe[len] = '\0';
	base = strrchr(exe, '/');
	base = base != NULL ? base + 1 : exe;
	return strcmp(base, prog) == 0 || (strncmp(base, "memcheck-", 9) == 0 &&
	    valgrind_runs(pid, prog));
}

/* Is process pid (a /proc name) a mail helper (domain/mail.h)? */
static bool
mail_helper(const char *pid)
{
	char	 path[300], comm[64] = "";
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strcmp(comm, "gatehouse-mail\n") == 0;
}

/*
 * A program's mail helper (domain/mail.h) is its fork, with the same
 * exe: not counted, by its name (an orphan's parent is anyone's guess).
 */
size_t
t_program_pids(const char *prog, pid_t *pids, size_t max)
{
	DIR		*d;
	struct dirent	*de;
	char		 up[32];
	const char	*server;
	long		 parent, ppid;
	size_t		 n = 0;

	/* lighttpd's children, or (Apache) its process manager's. */
	server = getenv("GH_TEST_SERVER_PID");
	parent = strtol(server != NULL && *server != '\0' ? server :
	    env_required("GH_TEST_LIGHTTPD_PID"), NULL, 10);
	cr_assert_not_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL && n < max) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if ((ppid = parent_of(de->d_name)) == -1)
			continue;
		snprintf(up, sizeof(up), "%ld", ppid);
		if (ppid != parent && parent_of(up) != parent)
			continue;
		if (runs(de->d_name, prog) && !mail_helper(de->d_name))
			pids[n++] = (pid_t)strtol(de->d_name, NULL, 10);
	}
	closedir(d);
	return n;
}

bool
t_on_apache(void)
{
	const char	*s = getenv("GH_TEST_SERVER");

	return s != NULL && (strcmp(s, "apache") == 0 ||
	    strcmp(s, "shared") == 0);
}

void
t_pg(const char *var)
{
	const char	*cmd;

	cmd = getenv(var);
	cr_assert(cmd != NULL && *cmd != '\0', "%s is not set: this suite "
	    "needs a cluster of its own (#stack: private-postgres)", var);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
}

void
t_sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		continue;
}

/*
 * The /me race (t_me_race()): each client reports "start status" lines;
 * times are CLOCK_MONOTONIC, one clock for every process of the host.
 */
#define CLIENTS	4

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	cr_assert_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Calls /me until stop reads as closed, reporting each call on out. */
static void
keep_calling(const char *access, int stop, int out)
{
	struct pollfd	 pfd;
	char		 line[64];
	int64_t		 t0;
	long		 st;
	int		 n;

	/* Connections of its own: the parent's are not this process's. */
	t_client_from("127.0.0.1");
	pfd.fd = stop;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 0) != 0)
			break;
		t0 = now_ns();
		st = t_me_status(access);
		n = snprintf(line, sizeof(line), "%lld %ld\n", (long long)t0,
		    st);
		if (n <= 0 || write(out, line, (size_t)n) != n)
			_exit(1);
	}
	_exit(0);
}

/* What the clients said of each /me, around the act. */
struct race {
	int64_t	before, answered;	/* 0 while not yet */
	int	early_ok, late;
};

/* One client's line: a 200 before the act, or a late call. */
static void
tally(struct race *r, long long t0, long st)
{
	if ((r->before == 0 || t0 < r->before) && st == 200)
		r->early_ok++;
	if (r->answered != 0 && t0 > r->answered) {
		r->late++;
		cr_assert_eq(st, 401, "a /me started %lld ns after the "
		    "session's end was answered got %ld", (long long)(t0 -
		    r->answered), st);
	}
}

/*
 * Reads the clients' lines until *count reaches want or ten seconds
 * pass: a loaded machine (Apache's process manager among it) may take
 * long to answer, and the test needs calls on both sides.
 */
static void
read_until(FILE *in, struct race *r, const int *count, int want)
{
	int64_t		 until = now_ns() + 10 * (int64_t)1000000000;
	long long	 t0;
	long		 st;

	while (*count < want && now_ns() < until &&
	    fscanf(in, "%lld %ld", &t0, &st) == 2)
		tally(r, t0, st);
}

void
t_me_race(const char *access, void (*act)(const void *), const void *arg)
{
	struct race	 r = { 0, 0, 0, 0 };
	pid_t		 kids[CLIENTS];
	int		 stop[2], res[2], i, status;
	long long	 t0;
	long		 st;
	FILE		*in;

	cr_assert_eq(pipe(stop), 0);
	cr_assert_eq(pipe(res), 0);
	for (i = 0; i < CLIENTS; i++) {
		cr_assert_neq(kids[i] = fork(), -1);
		if (kids[i] == 0) {
			close(stop[1]);
			close(res[0]);
			keep_calling(access, stop[0], res[1]);
		}
	}
	close(stop[0]);
	close(res[1]);
	cr_assert_not_null(in = fdopen(res[0], "r"));
	read_until(in, &r, &r.early_ok, 1);
	r.before = now_ns();
	act(arg);
	r.answered = now_ns();
	read_until(in, &r, &r.late, CLIENTS);
	close(stop[1]);
	while (fscanf(in, "%lld %ld", &t0, &st) == 2)
		tally(&r, t0, st);
	fclose(in);
	for (i = 0; i < CLIENTS; i++) {
		cr_assert_eq(waitpid(kids[i], &status, 0), kids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cr_assert_gt(r.early_ok, 0, "no /me succeeded before the session "
	    "ended");
	cr_assert_gt(r.late, 0, "no /me started after the session ended");
}

/* Does the file at path hold text? */
static bool
file_has(const char *path, const char *text)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0;
	bool	 found = false;

	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && getline(&buf, &cap, f) != -1)
		found = strstr(buf, text) != NULL;
	free(buf);
	fclose(f);
	return found;
}

bool
t_log_wait(const char *text, int timeout_s)
{
	const char	*dir = getenv("GH_TEST_LOGDIR");
	char		 path[PATH_MAX];
	int		 i;

	cr_assert(dir != NULL && *dir != '\0', "GH_TEST_LOGDIR is not set");
	cr_assert_lt(snprintf(path, sizeof(path), "%s/lighttpd.out", dir),
	    (int)sizeof(path));
	for (i = 0; i < timeout_s * 10; i++) {
		if (file_has(path, text))
			return true;
		t_sleep_ms(100);
	}
	return false;
}

void
t_waves(size_t n, int waves, const char *path, const char *token,
    long want, long alt)
{
	struct t_resp	 rs[T_WAVE_MAX];
	const char	*none[1] = { NULL };
	size_t		 i;
	int		 w;

	cr_assert(n > 0 && n <= T_WAVE_MAX, "t_waves: %zu a wave", n);
	for (w = 0; w < waves; w++) {
		t_http_many(n, "GET", path, token, none, 1, rs);
		for (i = 0; i < n; i++) {
			cr_assert(rs[i].status == want ||
			    (alt != 0 && rs[i].status == alt), "%s: wave %d, "
			    "request %zu: %ld %s", path, w, i, rs[i].status,
			    rs[i].body);
			t_resp_free(&rs[i]);
		}
	}
}
