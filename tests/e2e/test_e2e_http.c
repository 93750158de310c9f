/*
 * The contract's conventions across endpoints, end to end: 404, 405 with
 * Allow, 413, 415, the headers every response carries, CORS
 * (test_e2e_http.conf lists two origins), and /health.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(http, .timeout = 60);

#define ORIGIN		"https://app.example.com"
#define OTHER_ORIGIN	"https://admin.example.com"
#define EVIL_ORIGIN	"https://evil.example.net"

/* True when s contains needle, ignoring ASCII case. */
static bool
has_ci(const char *s, const char *needle)
{
	size_t	 n = strlen(needle);

	for (; s != NULL && *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

static void
assert_nosniff(const struct t_resp *r)
{
	const char	*v;

	v = t_resp_header(r, "X-Content-Type-Options");
	cr_assert(v != NULL && strcasecmp(v, "nosniff") == 0,
	    "status %ld without X-Content-Type-Options: nosniff", r->status);
}

static void
assert_no_store(const struct t_resp *r)
{
	const char	*v;

	v = t_resp_header(r, "Cache-Control");
	cr_assert(v != NULL && strstr(v, "no-store") != NULL,
	    "status %ld without Cache-Control: no-store", r->status);
}

/* --- /health ---------------------------------------------------------- */

Test(http, health_answers_ok)
{
	struct t_resp	 r;

	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_assert_json_type(&r);
	cr_assert_str_eq(t_resp_str(&r, "status"), "ok");
	cr_assert_str_eq(t_resp_str(&r, "database"), "ok");
	assert_nosniff(&r);
	t_resp_free(&r);
}

Test(http, health_ignores_a_query_string)
{
	struct t_resp	 r;

	t_http("GET", "/health?probe=lb", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

Test(http, health_answers_405_with_allow_for_post)
{
	struct t_resp	 r;
	const char	*allow;

	t_http_json("POST", "/health", NULL, "{}", &r);
	t_assert_error(&r, 405, "method_not_allowed");
	allow = t_resp_header(&r, "Allow");
	cr_assert(allow != NULL && strstr(allow, "GET") != NULL, "Allow: %s",
	    allow);
	t_resp_free(&r);
}

/* --- 404 ------------------------------------------------------------- */

Test(http, an_unknown_api_path_answers_404_not_found)
{
	static const char	*paths[] = { "/api/nothing", "/api/",
	    "/api/auth/nothing", "/api/auth/login/extra", "/api/auth/me/",
	    "/api/v2/auth/login", "/api/admin" };
	struct t_resp		 r;
	size_t			 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http("GET", paths[i], NULL, NULL, 0, &r);
		cr_assert_eq(r.status, 404, "GET %s: %ld %s", paths[i],
		    r.status, r.body);
		t_assert_error(&r, 404, "not_found");
		t_resp_free(&r);
	}
}

Test(http, an_unknown_api_path_answers_404_to_any_method)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/nothing", NULL, "{}", &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
	t_http_json("DELETE", "/api/auth/nothing", NULL, NULL, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(http, a_path_lighttpd_normalizes_still_gets_a_json_answer)
{
	static const char	*paths[] = { "/api//auth/me", "/api/auth/./me",
	    "/api/auth/%6De", "/%61pi/auth/me", "/api/auth/../../health" };
	struct t_resp		 r;
	size_t			 i;

	/* lighttpd routes on the normalized path; the program sees the raw
	 * one.  Either way the answer is the contract's, never HTML. */
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http("GET", paths[i], NULL, NULL, 0, &r);
		cr_assert(r.status == 404 || r.status == 401 || r.status == 200,
		    "GET %s: %ld %s", paths[i], r.status, r.body);
		if (r.status != 200)
			t_assert_error(&r, r.status, NULL);
		else
			t_assert_json_type(&r);
		t_resp_free(&r);
	}
}

Test(http, the_static_document_root_is_served_beside)
{
	struct t_resp	 r;

	t_http("GET", "/static.txt", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "gatehouse static file\n");
	t_resp_free(&r);
}

/* --- 405 ------------------------------------------------------------- */

Test(http, every_known_path_answers_405_with_allow)
{
	static const char	*cases[][3] = {
		{ "GET", "/api/auth/register", "POST" },
		{ "GET", "/api/auth/login", "POST" },
		{ "PUT", "/api/auth/login", "POST" },
		{ "GET", "/api/auth/refresh", "POST" },
		{ "DELETE", "/api/auth/logout", "POST" },
		{ "POST", "/api/auth/me", "GET" },
		{ "DELETE", "/api/auth/me", "GET" },
		{ "GET", "/api/auth/password", "POST" },
		{ "PATCH", "/health", "GET" },
	};
	struct t_resp		 r;
	const char		*allow;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_http_json(cases[i][0], cases[i][1], NULL,
		    strcmp(cases[i][0], "GET") == 0 ||
		    strcmp(cases[i][0], "DELETE") == 0 ? NULL : "{}", &r);
		cr_assert_eq(r.status, 405, "%s %s: %ld %s", cases[i][0],
		    cases[i][1], r.status, r.body);
		t_assert_error(&r, 405, "method_not_allowed");
		allow = t_resp_header(&r, "Allow");
		cr_assert(allow != NULL && strstr(allow, cases[i][2]) != NULL,
		    "%s %s: Allow: %s", cases[i][0], cases[i][1],
		    allow != NULL ? allow : "(none)");
		cr_assert_null(strstr(allow, cases[i][0]), "%s %s: Allow: %s",
		    cases[i][0], cases[i][1], allow);
		t_resp_free(&r);
	}
}

/* --- 413 ------------------------------------------------------------- */

static void
post_size(const char *path, size_t size, struct t_resp *r)
{
	char	*body;

	/* A valid JSON object padded with spaces to exactly size bytes. */
	cr_assert_not_null(body = malloc(size + 1));
	memset(body, ' ', size);
	memcpy(body, "{\"pad\": 1", 9);
	body[size - 1] = '}';
	body[size] = '\0';
	t_http_json("POST", path, NULL, body, r);
	free(body);
}

Test(http, a_body_over_16_kib_answers_413_from_gatehouse)
{
	struct t_resp	 r;

	post_size("/api/auth/register", 16385, &r);
	t_assert_error(&r, 413, "payload_too_large");
	t_resp_free(&r);
}

Test(http, a_body_of_16_kib_is_read)
{
	struct t_resp	 r;

	post_size("/api/auth/register", 16384, &r);
	/* Read and parsed: no username, so a missing field. */
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

Test(http, a_body_of_1_mib_answers_the_contracts_413_not_lighttpds)
{
	struct t_resp	 r;

	post_size("/api/auth/login", 1024 * 1024, &r);
	t_assert_error(&r, 413, "payload_too_large");
	t_resp_free(&r);
}

Test(http, every_body_taking_path_answers_413)
{
	static const char	*paths[] = { "/api/auth/register",
	    "/api/auth/login", "/api/auth/refresh" };
	struct t_resp		 r;
	size_t			 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		post_size(paths[i], 40000, &r);
		cr_assert_eq(r.status, 413, "%s: %ld", paths[i], r.status);
		t_assert_error(&r, 413, "payload_too_large");
		t_resp_free(&r);
	}
}

Test(http, a_chunked_body_over_the_limit_answers_413)
{
	const char	*h[] = { "Content-Type: application/json",
	    "Transfer-Encoding: chunked", NULL };
	struct t_resp	 r;
	char		*body;

	cr_assert_not_null(body = malloc(30000));
	memset(body, ' ', 30000);
	body[0] = '{';
	body[29999] = '}';
	t_http("POST", "/api/auth/register", h, body, 30000, &r);
	free(body);
	t_assert_error(&r, 413, "payload_too_large");
	t_resp_free(&r);
}

Test(http, a_chunked_body_under_the_limit_is_read)
{
	const char	*h[] = { "Content-Type: application/json",
	    "Transfer-Encoding: chunked", NULL };
	struct t_resp	 r;
	char		 body[200];

	/* mod_fcgid passes a chunked body without a Content-Length. */
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", t_unique("chunk"));
	t_http("POST", "/api/auth/register", h, body, strlen(body), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/* --- 415 ------------------------------------------------------------- */

Test(http, text_plain_answers_415)
{
	const char	*h[] = { "Content-Type: text/plain", NULL };
	const char	*body = "{\"username\": \"x\", \"password\": \"y\"}";
	struct t_resp	 r;

	t_http("POST", "/api/auth/register", h, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
	t_http("POST", "/api/auth/login", h, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(http, a_body_without_a_content_type_answers_415)
{
	const char	*body = "{\"username\": \"x\", \"password\": \"y\"}";
	struct t_resp	 r;

	t_http("POST", "/api/auth/login", NULL, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(http, multipart_answers_415_even_on_login)
{
	const char	*h[] = { "Content-Type: multipart/form-data; "
	    "boundary=xyz", NULL };
	const char	*body = "--xyz\r\nContent-Disposition: form-data; "
	    "name=\"username\"\r\n\r\nx\r\n--xyz--\r\n";
	struct t_resp	 r;

	t_http("POST", "/api/auth/login", h, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(http, a_json_lookalike_type_answers_415)
{
	const char	*h[] = { "Content-Type: application/jsonx", NULL };
	const char	*body = "{}";
	struct t_resp	 r;

	t_http("POST", "/api/auth/login", h, body, strlen(body), &r);
	t_assert_error(&r, 415, "unsupported_media_type");
	t_resp_free(&r);
}

Test(http, the_json_type_is_matched_ignoring_case)
{
	const char	*h[] = { "Content-Type: Application/JSON", NULL };
	char		 body[200];
	struct t_resp	 r;

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", t_unique("ct"));
	t_http("POST", "/api/auth/register", h, body, strlen(body), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/* --- headers --------------------------------------------------------- */

Test(http, every_gatehouse_answer_carries_nosniff)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "hn");
	t_http("GET", "/health", NULL, NULL, 0, &r);
	assert_nosniff(&r);
	t_resp_free(&r);
	t_http("GET", "/api/nope", NULL, NULL, 0, &r);
	assert_nosniff(&r);
	t_resp_free(&r);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	assert_nosniff(&r);
	t_resp_free(&r);
	t_http_json("GET", "/api/auth/me", NULL, NULL, &r);
	assert_nosniff(&r);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
	cr_assert_eq(r.status, 204);
	assert_nosniff(&r);
	t_resp_free(&r);
}

Test(http, token_answers_are_not_stored)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_register(&u, "hs");
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	cr_assert_eq(r.status, 200);
	assert_no_store(&r);
	snprintf(u.refresh, sizeof(u.refresh), "%s",
	    t_resp_str(&r, "refresh_token"));
	t_resp_free(&r);
	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", u.refresh);
	cr_assert_eq(r.status, 200);
	assert_no_store(&r);
	t_resp_free(&r);
}

Test(http, a_user_object_answer_is_not_stored)
{
	struct t_user		 u;
	struct t_resp		 r;

	t_make_user(&u, "hus");
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	assert_no_store(&r);
	t_resp_free(&r);
}

Test(http, a_500_never_comes_from_bad_input)
{
	static const char	*bodies[] = { "", "{", "}", "null", "true",
	    "\"str\"", "123", "{\"username\": {}}", "{\"a\":1,\"a\":2}",
	    "{\"username\": \"\\ud800\", \"password\": \"x\"}",
	    "{\"username\": 1e999}", "{\"\": \"\"}" };
	static const char	*paths[] = { "/api/auth/register",
	    "/api/auth/login", "/api/auth/refresh" };
	struct t_resp		 r;
	size_t			 i, k;

	for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			t_http_json("POST", paths[k], NULL, bodies[i], &r);
			cr_assert(r.status >= 400 && r.status < 500,
			    "POST %s %s: %ld %s", paths[k], bodies[i],
			    r.status, r.body);
			t_assert_error(&r, r.status, NULL);
			t_resp_free(&r);
		}
}

/* --- CORS ------------------------------------------------------------ */

static void
preflight(const char *path, const char *origin, const char *method,
    const char *req_headers, struct t_resp *r)
{
	char		 o[200], m[200], h[200];
	const char	*hs[4];
	size_t		 n = 0;

	snprintf(o, sizeof(o), "Origin: %s", origin);
	hs[n++] = o;
	snprintf(m, sizeof(m), "Access-Control-Request-Method: %s", method);
	hs[n++] = m;
	if (req_headers != NULL) {
		snprintf(h, sizeof(h), "Access-Control-Request-Headers: %s",
		    req_headers);
		hs[n++] = h;
	}
	hs[n] = NULL;
	t_http("OPTIONS", path, hs, NULL, 0, r);
}

Test(http, a_preflight_from_a_listed_origin_answers_204_with_cors)
{
	struct t_resp	 r;
	const char	*v;

	preflight("/api/auth/login", ORIGIN, "POST",
	    "content-type, authorization", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_eq(r.len, 0);
	v = t_resp_header(&r, "Access-Control-Allow-Origin");
	cr_assert(v != NULL && strcmp(v, ORIGIN) == 0,
	    "Access-Control-Allow-Origin: %s", v != NULL ? v : "(none)");
	v = t_resp_header(&r, "Access-Control-Allow-Methods");
	cr_assert(v != NULL && strstr(v, "POST") != NULL,
	    "Access-Control-Allow-Methods: %s", v != NULL ? v : "(none)");
	v = t_resp_header(&r, "Access-Control-Allow-Headers");
	cr_assert(v != NULL && has_ci(v, "authorization") &&
	    has_ci(v, "content-type"),
	    "Access-Control-Allow-Headers: %s", v != NULL ? v : "(none)");
	v = t_resp_header(&r, "Vary");
	cr_assert(v != NULL && has_ci(v, "Origin"),
	    "Vary: %s", v != NULL ? v : "(none)");
	assert_nosniff(&r);
	t_resp_free(&r);
}

Test(http, a_preflight_names_the_methods_of_the_path)
{
	struct t_resp	 r;
	const char	*v;

	preflight("/api/auth/me", OTHER_ORIGIN, "GET", "authorization", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Access-Control-Allow-Origin"),
	    OTHER_ORIGIN);
	v = t_resp_header(&r, "Access-Control-Allow-Methods");
	cr_assert(v != NULL && strstr(v, "GET") != NULL,
	    "Access-Control-Allow-Methods: %s", v != NULL ? v : "(none)");
	t_resp_free(&r);
}

Test(http, a_preflight_reaches_the_admin_api_without_a_token)
{
	struct t_resp	 r;

	preflight("/api/admin/users", ORIGIN, "POST", "authorization", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Access-Control-Allow-Origin"),
	    ORIGIN);
	t_resp_free(&r);
}

Test(http, a_preflight_from_an_unlisted_origin_gets_no_cors_headers)
{
	struct t_resp	 r;

	preflight("/api/auth/login", EVIL_ORIGIN, "POST", "content-type", &r);
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Origin"),
	    "status %ld", r.status);
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Methods"));
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Headers"));
	cr_assert_neq(r.status, 500);
	t_resp_free(&r);
}

Test(http, an_origin_is_matched_exactly)
{
	static const char	*near[] = { "https://app.example.com.evil.net",
	    "http://app.example.com", "https://APP.example.com.evil",
	    "https://app.example.co", "null" };
	struct t_resp		 r;
	size_t			 i;

	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		preflight("/api/auth/login", near[i], "POST", NULL, &r);
		cr_assert_null(t_resp_header(&r,
		    "Access-Control-Allow-Origin"), "origin %s", near[i]);
		t_resp_free(&r);
	}
}

Test(http, an_answer_to_a_listed_origin_carries_cors)
{
	const char	*h[] = { "Origin: " ORIGIN, NULL };
	struct t_resp	 r;
	const char	*v;

	t_http("GET", "/health", h, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	v = t_resp_header(&r, "Access-Control-Allow-Origin");
	cr_assert(v != NULL && strcmp(v, ORIGIN) == 0,
	    "Access-Control-Allow-Origin: %s", v != NULL ? v : "(none)");
	t_resp_free(&r);
}

Test(http, an_error_to_a_listed_origin_carries_cors)
{
	const char	*h[] = { "Origin: " ORIGIN, NULL };
	struct t_resp	 r;
	const char	*v;

	/* Else a browser client could not read the 401's body. */
	t_http("GET", "/api/auth/me", h, NULL, 0, &r);
	cr_assert_eq(r.status, 401);
	v = t_resp_header(&r, "Access-Control-Allow-Origin");
	cr_assert(v != NULL && strcmp(v, ORIGIN) == 0,
	    "Access-Control-Allow-Origin: %s", v != NULL ? v : "(none)");
	t_resp_free(&r);
}

Test(http, an_answer_to_an_unlisted_origin_has_no_cors)
{
	const char	*h[] = { "Origin: " EVIL_ORIGIN, NULL };
	struct t_resp	 r;

	t_http("GET", "/health", h, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_null(t_resp_header(&r, "Access-Control-Allow-Origin"));
	t_resp_free(&r);
}

Test(http, cors_never_allows_every_origin)
{
	const char	*h[] = { "Origin: " ORIGIN, NULL };
	struct t_resp	 r;
	const char	*v;

	t_http("GET", "/health", h, NULL, 0, &r);
	v = t_resp_header(&r, "Access-Control-Allow-Origin");
	cr_assert(v == NULL || strcmp(v, "*") != 0);
	t_resp_free(&r);
}
