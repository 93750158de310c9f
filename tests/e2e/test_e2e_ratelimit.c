/*
 * The per-address request limit (rate_limit_per_minute, 20 here), end to
 * end: the RateLimit headers count down across requests, programs and
 * processes (one table per node), past the limit 429 too_many_requests
 * with Retry-After, whatever the endpoint; addresses count apart, by the
 * trusted proxy header when it names one; /health and preflights are
 * not counted; the authorizer refuses past the limit too.  On the shared
 * stack, where the table cannot be made, none of it: no headers, no 429,
 * and the log says the limit is off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "client.h"

#define LIMIT	20

TestSuite(ratelimit, .timeout = 120);

static int
shared(void)
{
	const char	*s = getenv("GH_TEST_SERVER");

	return s != NULL && strcmp(s, "shared") == 0;
}

/* RateLimit's r and t; fails the test when it is missing or malformed. */
static void
limit_of(const struct t_resp *r, long *left, long *reset)
{
	const char	*v, *p;
	char		 name[16];

	p = t_resp_header(r, "RateLimit-Policy");
	cr_assert_not_null(p, "no RateLimit-Policy (status %ld)", r->status);
	cr_assert_str_eq(p, "\"default\";q=20;w=60");
	v = t_resp_header(r, "RateLimit");
	cr_assert_not_null(v, "no RateLimit (status %ld)", r->status);
	cr_assert_eq(sscanf(v, "\"%15[a-z]\";r=%ld;t=%ld", name, left, reset),
	    3, "RateLimit: %s", v);
	cr_assert_str_eq(name, "default");
	cr_assert(*reset >= 1 && *reset <= 60, "t=%ld", *reset);
}

static void
get(const char *path, const char *xff, struct t_resp *r)
{
	char		 line[128];
	const char	*h[2] = { line, NULL };

	if (xff == NULL) {
		t_http("GET", path, NULL, NULL, 0, r);
		return;
	}
	(void)snprintf(line, sizeof(line), "X-Forwarded-For: %s", xff);
	t_http("GET", path, h, NULL, 0, r);
}

/* The following requests come from a fresh loopback address. */
static void
new_address(void)
{
	char	 addr[32];

	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
}

/*
 * A window with time enough left for a test's requests: waits for the
 * next minute when this one ends within 15 seconds.  Costs one request
 * of a throw-away address.
 */
static void
fresh_window(void)
{
	struct t_resp	 r;
	long		 left, reset;

	new_address();
	get("/api/auth/me", NULL, &r);
	limit_of(&r, &left, &reset);
	t_resp_free(&r);
	if (reset < 15)
		sleep((unsigned)reset + 1);
}

/*
 * A test of the limit: not on the shared stack (it is off there), in a
 * fresh window, from a fresh address.
 */
static void
begin(void)
{
	if (shared())
		cr_skip_test("the limit is off on the shared stack");
	fresh_window();
	new_address();
}

static void
assert_429(const struct t_resp *r)
{
	const char	*ra;
	long		 left, reset;

	t_assert_error(r, 429, "too_many_requests");
	cr_assert_not_null(ra = t_resp_header(r, "Retry-After"));
	cr_assert(atol(ra) >= 1 && atol(ra) <= 60, "Retry-After: %s", ra);
	limit_of(r, &left, &reset);
	cr_assert_eq(left, 0);
}

/* GET path (with X-Forwarded-For: xff unless NULL) leaves left. */
static void
expect_left(const char *path, const char *xff, long want)
{
	struct t_resp	 r;
	long		 left, reset;

	get(path, xff, &r);
	cr_assert_neq(r.status, 429, "%s: 429, %ld expected left", path, want);
	limit_of(&r, &left, &reset);
	cr_assert_eq(left, want, "%s: r=%ld, %ld expected", path, left, want);
	t_resp_free(&r);
}

/* GET path (with X-Forwarded-For: xff unless NULL) is refused. */
static void
expect_429(const char *path, const char *xff)
{
	struct t_resp	 r;

	get(path, xff, &r);
	assert_429(&r);
	t_resp_free(&r);
}

/* Every program of the node, each with a pool of processes. */
static const char *const paths[] = {
	"/api/auth/me",				/* me */
	"/api/auth/login",			/* login (GET: 405) */
	"/api/auth/register",			/* register (GET: 405) */
	"/api/admin/users",			/* admin (401) */
	"/.well-known/jwks.json",		/* wellknown */
};

Test(ratelimit, counts_down_across_programs_then_429)
{
	int		 i;

	begin();
	for (i = 1; i <= LIMIT; i++)
		expect_left(paths[i % 5], NULL, LIMIT - i);
	for (i = 0; i < 5; i++)
		expect_429(paths[i], NULL);
	/* Another address still has its whole budget. */
	new_address();
	expect_left("/api/auth/me", NULL, LIMIT - 1);
	t_client_from(NULL);
}

Test(ratelimit, health_and_preflights_are_not_counted)
{
	struct t_resp	 r;
	int		 i;

	begin();
	for (i = 0; i < LIMIT + 5; i++) {
		t_http("GET", "/health", NULL, NULL, 0, &r);
		cr_assert_eq(r.status, 200);
		cr_assert_null(t_resp_header(&r, "RateLimit"));
		t_resp_free(&r);
		t_http("OPTIONS", "/api/auth/me", NULL, NULL, 0, &r);
		cr_assert_eq(r.status, 204);
		cr_assert_null(t_resp_header(&r, "RateLimit"));
		t_resp_free(&r);
	}
	expect_left("/api/auth/me", NULL, LIMIT - 1);
	t_client_from(NULL);
}

/*
 * With trusted_proxy_header, the header's last element is the client:
 * two values count apart whatever REMOTE_ADDR says, an element before it
 * (the client's own claim) changes nothing, and a header that does not
 * end in an address counts as REMOTE_ADDR.
 */
Test(ratelimit, the_trusted_proxy_header_names_the_client)
{
	char		 xff[64];
	int		 i;

	begin();
	for (i = 1; i <= LIMIT; i++) {
		/* What the client claims before the proxy's element varies. */
		(void)snprintf(xff, sizeof(xff), "10.9.%d.1, 198.51.100.7", i);
		expect_left("/api/auth/me", xff, LIMIT - i);
	}
	expect_429("/api/auth/me", "198.51.100.7");
	/* Same REMOTE_ADDR, another client: its own count. */
	expect_left("/api/auth/me", "198.51.100.8", LIMIT - 1);
	/* No header, or no address at its end: REMOTE_ADDR's count. */
	expect_left("/api/auth/me", NULL, LIMIT - 1);
	expect_left("/api/auth/me", "198.51.100.7, not-an-address", LIMIT - 2);
	/* And from another REMOTE_ADDR, 198.51.100.7 is still spent. */
	new_address();
	expect_429("/api/auth/me", "198.51.100.7");
	t_client_from(NULL);
}

/* The authorizer counts the requests it checks and refuses past it. */
Test(ratelimit, the_authorizer_refuses_past_the_limit)
{
	struct t_resp	 r;
	const char	*ra;
	int		 i;

	begin();
	for (i = 1; i <= LIMIT; i++) {
		t_http("GET", "/members/index.txt", NULL, NULL, 0, &r);
		cr_assert_eq(r.status, 401, "request %d: %ld", i, r.status);
		t_resp_free(&r);
	}
	t_http("GET", "/members/index.txt", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 429, "past the limit: %ld", r.status);
	cr_assert_not_null(ra = t_resp_header(&r, "Retry-After"));
	cr_assert(atol(ra) >= 1 && atol(ra) <= 60, "Retry-After: %s", ra);
	t_resp_free(&r);
	/* The API counted the same requests. */
	expect_429("/api/auth/me", NULL);
	t_client_from(NULL);
}

static char *
slurp_log(void)
{
	const char	*dir = getenv("GH_TEST_LOGDIR");
	char		 path[1024];
	char		*buf;
	FILE		*f;
	size_t		 n;

	cr_assert_not_null(dir);
	(void)snprintf(path, sizeof(path), "%s/lighttpd.out", dir);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	cr_assert_not_null(buf = calloc(1, 1 << 20));
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
	return buf;
}

Test(ratelimit, without_shared_memory_the_limit_is_off_and_says_so)
{
	struct t_resp	 r;
	char		*log;
	int		 i;

	if (!shared())
		cr_skip_test("only the shared stack has no shared memory");
	for (i = 0; i < LIMIT + 5; i++) {
		get("/api/auth/me", NULL, &r);
		cr_assert_eq(r.status, 401, "request %d: %ld", i, r.status);
		cr_assert_null(t_resp_header(&r, "RateLimit"));
		cr_assert_null(t_resp_header(&r, "RateLimit-Policy"));
		t_resp_free(&r);
	}
	log = slurp_log();
	cr_assert_not_null(strstr(log, "me: the request limit is off"),
	    "no line saying the limit is off in the log");
	free(log);
}
