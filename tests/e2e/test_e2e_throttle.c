/*
 * Login and registration throttling, end to end (test_e2e_throttle.conf:
 * 5 failures per account, 20 per address, 3 registration attempts per
 * address, in the default 15-minute window).
 *
 * The per-address counters would make the tests of this suite meet, as
 * all of them come from 127.0.0.1 by default; so each test sends from
 * loopback addresses of its own (127.x.y.z: all of 127/8 is loopback on
 * Linux, and lighttpd passes the peer's address as REMOTE_ADDR), and the
 * tests run in parallel like any other suite's.  Time is not waited out:
 * a test that needs a back-off to pass moves its failures back in time
 * in login_failures.
 */
#include <crypt.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <json-c/json.h>

#include "client.h"

TestSuite(throttle, .timeout = 120);

#define MAX_PER_ACCOUNT		5
#define MAX_PER_ADDRESS		20
#define MAX_REGISTRATIONS	3
#define BACKOFF_BASE		30	/* seconds: src/throttle.h */
#define WINDOW			900	/* login_failure_window_seconds */

/* --- requests from a chosen loopback address --------------------------- */

/* POSTs body (of content type ctype) to path from addr; fills r. */
static void
post_from(const char *addr, const char *path, const char *ctype,
    const char *body, struct t_resp *r)
{
	const char	*headers[2];
	char		 ct[128];
	int		 n;

	n = snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
	cr_assert(n >= 0 && (size_t)n < sizeof(ct));
	headers[0] = ct;
	headers[1] = NULL;
	t_client_from(addr);
	t_http("POST", path, headers, body, strlen(body), r);
}

static void
post_json_from(const char *addr, const char *path, char *body,
    struct t_resp *r)
{
	post_from(addr, path, "application/json", body, r);
	free(body);
}

/* A login by field ("username", "email", "employee_id") from addr. */
static void
login_from(const char *addr, const char *field, const char *id,
    const char *password, struct t_resp *r)
{
	post_json_from(addr, "/api/auth/login", t_jbody(field, id, "password",
	    password, NULL), r);
}

/* A login's status, the response freed. */
static long
login_status(const char *addr, const char *username, const char *password)
{
	struct t_resp	 r;
	long		 st;

	login_from(addr, "username", username, password, &r);
	st = r.status;
	if (st == 401)
		t_assert_error(&r, 401, "invalid_grant");
	t_resp_free(&r);
	return st;
}

/*
 * Registers a fresh user from an address of its own, so registrations
 * made to set a test up never count against the test's addresses.
 */
static void
make_user(struct t_user *u, const char *prefix)
{
	char	 addr[32];

	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
	t_register(u, prefix);
	t_client_from(NULL);
}

/* Asserts the contract's 429; returns Retry-After, checked in 1..max. */
static long
assert_throttled(const struct t_resp *r, long max)
{
	const char	*ra;
	char		*end;
	long		 secs;

	t_assert_error(r, 429, "too_many_requests");
	ra = t_resp_header(r, "Retry-After");
	cr_assert_not_null(ra, "a 429 without Retry-After");
	secs = strtol(ra, &end, 10);
	cr_assert(end != ra && *end == '\0' && ra[0] >= '0' && ra[0] <= '9',
	    "Retry-After is not a number of seconds: \"%s\"", ra);
	cr_assert(secs >= 1 && secs <= max, "Retry-After %ld, not in 1..%ld",
	    secs, max);
	return secs;
}

/* Fails n logins of username from addr, each with 401 invalid_grant. */
static void
fail_logins(const char *addr, const char *username, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		cr_assert_eq(login_status(addr, username, "Wrong-Password-1"),
		    401, "failure %d of %s", i + 1, username);
}

/* The 429 an attempt gets now; returns Retry-After. */
static long
assert_login_throttled(const char *addr, const char *field, const char *id,
    const char *password, long max)
{
	struct t_resp	 r;
	long		 ra;

	login_from(addr, field, id, password, &r);
	ra = assert_throttled(&r, max);
	t_resp_free(&r);
	return ra;
}

static long
failures_of_address(const char *addr)
{
	return atol(t_sql("SELECT count(*) FROM login_failures WHERE "
	    "address = '%s'", addr));
}

/* Moves addr's failures secs into the past, as if time went by. */
static void
age_failures(const char *addr, int secs)
{
	t_sql("UPDATE login_failures SET failed_at = failed_at - "
	    "make_interval(secs => %d) WHERE address = '%s'", secs, addr);
}

/* --- per account ------------------------------------------------------- */

Test(throttle, the_sixth_attempt_after_five_wrong_passwords_is_429)
{
	struct t_user		 u;
	char			 addr[32];

	make_user(&u, "th");
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	assert_login_throttled(addr, "username", u.username,
	    "Wrong-Password-1", BACKOFF_BASE);
	/* And it stays so: a refusal is no new failure. */
	assert_login_throttled(addr, "username", u.username,
	    "Wrong-Password-1", BACKOFF_BASE);
	cr_assert_eq(failures_of_address(addr), MAX_PER_ACCOUNT);
}

Test(throttle, the_right_password_while_throttled_is_429_and_no_login)
{
	struct t_user		 u;
	char			 addr[32], other[32];

	make_user(&u, "thr");
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	assert_login_throttled(addr, "username", u.username, u.password,
	    BACKOFF_BASE);
	/* The account is throttled, from any address. */
	t_loopback(other, sizeof(other));
	assert_login_throttled(other, "username", u.username, u.password,
	    BACKOFF_BASE);
	/* No session was started, no failure cleared or added. */
	cr_assert_str_eq(t_sql("SELECT count(*) FROM sessions WHERE "
	    "user_id = '%s'", u.id), "0");
	cr_assert_eq(failures_of_address(addr), MAX_PER_ACCOUNT);
	cr_assert_eq(failures_of_address(other), 0);
}

Test(throttle, the_account_is_one_whatever_identifier_names_it)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 addr[32], upper[80];
	int			 i;

	make_user(&u, "thi");
	t_loopback(addr, sizeof(addr));
	for (i = 0; u.username[i] != '\0'; i++)
		upper[i] = (char)toupper((unsigned char)u.username[i]);
	upper[i] = '\0';
	/* Other case, other identifiers: still the same account. */
	for (i = 0; i < MAX_PER_ACCOUNT; i++) {
		if (i % 3 == 0)
			login_from(addr, "email", u.email, "Wrong-Password-1",
			    &r);
		else if (i % 3 == 1)
			login_from(addr, "employee_id", u.employee_id,
			    "Wrong-Password-1", &r);
		else
			login_from(addr, "username", upper,
			    "Wrong-Password-1", &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	assert_login_throttled(addr, "username", u.username, u.password,
	    BACKOFF_BASE);
	assert_login_throttled(addr, "email", u.email, u.password,
	    BACKOFF_BASE);
	assert_login_throttled(addr, "employee_id", u.employee_id, u.password,
	    BACKOFF_BASE);
}

Test(throttle, an_unknown_username_is_throttled_alike)
{
	struct t_user		 u;
	struct t_resp		 known, unknown;
	char			 a1[32], a2[32], name[80];

	make_user(&u, "thk");
	snprintf(name, sizeof(name), "%s", t_unique("nobody"));
	t_loopback(a1, sizeof(a1));
	t_loopback(a2, sizeof(a2));
	fail_logins(a1, u.username, MAX_PER_ACCOUNT);
	fail_logins(a2, name, MAX_PER_ACCOUNT);
	login_from(a1, "username", u.username, "Wrong-Password-1", &known);
	login_from(a2, "username", name, "Wrong-Password-1", &unknown);
	assert_throttled(&known, BACKOFF_BASE);
	assert_throttled(&unknown, BACKOFF_BASE);
	/* Nothing tells a real account from a made-up one. */
	cr_assert_str_eq(known.body, unknown.body);
	t_resp_free(&known);
	t_resp_free(&unknown);
}

Test(throttle, form_logins_are_counted_and_throttled_too)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 addr[32], form[300];
	int			 i;

	make_user(&u, "thf");
	t_loopback(addr, sizeof(addr));
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=Wrong-Password-1&client_id=web", u.username);
	for (i = 0; i < MAX_PER_ACCOUNT; i++) {
		post_from(addr, "/api/auth/login",
		    "application/x-www-form-urlencoded", form, &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	snprintf(form, sizeof(form), "grant_type=password&username=%s&"
	    "password=%s", u.username, u.password);
	post_from(addr, "/api/auth/login", "application/x-www-form-urlencoded",
	    form, &r);
	assert_throttled(&r, BACKOFF_BASE);
	t_resp_free(&r);
}

Test(throttle, the_back_off_doubles_with_each_failure_past_the_limit)
{
	struct t_user		 u;
	char			 addr[32];
	long			 ra;

	make_user(&u, "thb");
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	ra = assert_login_throttled(addr, "username", u.username,
	    "Wrong-Password-1", BACKOFF_BASE);
	cr_assert_geq(ra, BACKOFF_BASE - 5, "first back-off %ld s", ra);
	/* 31 seconds later the first back-off is over: one more try. */
	age_failures(addr, BACKOFF_BASE + 1);
	cr_assert_eq(login_status(addr, u.username, "Wrong-Password-1"), 401);
	/* That sixth failure doubles it. */
	ra = assert_login_throttled(addr, "username", u.username, u.password,
	    2 * BACKOFF_BASE);
	cr_assert_gt(ra, BACKOFF_BASE, "second back-off %ld s", ra);
	/* And again, past the second. */
	age_failures(addr, 2 * BACKOFF_BASE + 1);
	cr_assert_eq(login_status(addr, u.username, "Wrong-Password-1"), 401);
	ra = assert_login_throttled(addr, "username", u.username, u.password,
	    4 * BACKOFF_BASE);
	cr_assert_gt(ra, 2 * BACKOFF_BASE, "third back-off %ld s", ra);
	/* Once it is over, the right password logs in. */
	age_failures(addr, 4 * BACKOFF_BASE + 1);
	cr_assert_eq(login_status(addr, u.username, u.password), 200);
}

Test(throttle, failures_out_of_the_window_do_not_count)
{
	struct t_user		 u;
	char			 addr[32];

	make_user(&u, "thw");
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	age_failures(addr, WINDOW + 1);
	/* Five old failures are none: five more are allowed. */
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	assert_login_throttled(addr, "username", u.username, u.password,
	    BACKOFF_BASE);
}

Test(throttle, a_success_resets_the_accounts_count)
{
	struct t_user		 u;
	char			 addr[32];

	make_user(&u, "ths");
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT - 1);
	cr_assert_eq(login_status(addr, u.username, u.password), 200);
	/* Five more failures are allowed before the next 429. */
	fail_logins(addr, u.username, MAX_PER_ACCOUNT);
	assert_login_throttled(addr, "username", u.username, u.password,
	    BACKOFF_BASE);
}

/* --- per address ------------------------------------------------------- */

Test(throttle, failures_across_accounts_from_one_address_are_throttled)
{
	struct t_user		 u;
	char			 addr[32], other[32];
	int			 i;

	make_user(&u, "tha");
	t_loopback(addr, sizeof(addr));
	/* One failure each for many accounts: far from the account limit. */
	for (i = 0; i < MAX_PER_ADDRESS; i++)
		cr_assert_eq(login_status(addr, t_unique("spray"),
		    "Wrong-Password-1"), 401, "failure %d", i + 1);
	assert_login_throttled(addr, "username", t_unique("spray"),
	    "Wrong-Password-1", BACKOFF_BASE);
	/* The address is throttled, even for a real user's right password. */
	assert_login_throttled(addr, "username", u.username, u.password,
	    BACKOFF_BASE);
	/* The user is not: from elsewhere the login goes through. */
	t_loopback(other, sizeof(other));
	cr_assert_eq(login_status(other, u.username, u.password), 200);
}

/* --- registrations ----------------------------------------------------- */

static void
register_from(const char *addr, const char *username, struct t_resp *r)
{
	post_json_from(addr, "/api/auth/register", t_jbody("username", username,
	    "password", "Register-Password-1", NULL), r);
}

Test(throttle, registrations_past_the_limit_are_429)
{
	struct t_resp	 r;
	char		 addr[32], other[32];
	int		 i;

	t_loopback(addr, sizeof(addr));
	for (i = 0; i < MAX_REGISTRATIONS; i++) {
		register_from(addr, t_unique("threg"), &r);
		cr_assert_eq(r.status, 201, "registration %d: %ld %s", i + 1,
		    r.status, r.body);
		t_resp_free(&r);
	}
	register_from(addr, t_unique("threg"), &r);
	assert_throttled(&r, WINDOW);
	t_resp_free(&r);
	/* Another address may still register. */
	t_loopback(other, sizeof(other));
	register_from(other, t_unique("threg"), &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

/*
 * Every attempt that passes validation counts, a taken name's 409 too:
 * else the 409 tells which names exist, at a bcrypt each, without limit.
 */
Test(throttle, failed_registrations_count)
{
	struct t_resp	 r;
	char		 addr[32], taken[80];
	int		 i;

	snprintf(taken, sizeof(taken), "%s", t_unique("thfr"));
	t_loopback(addr, sizeof(addr));
	register_from(addr, taken, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_loopback(addr, sizeof(addr));
	for (i = 0; i < MAX_REGISTRATIONS; i++) {
		/* An invalid one does not count: it reaches no database. */
		register_from(addr, "no spaces allowed", &r);
		t_assert_field_error(&r, 422, "validation_failed",
		    "username");
		t_resp_free(&r);
		register_from(addr, taken, &r);
		t_assert_field_error(&r, 409, "conflict", "username");
		t_resp_free(&r);
	}
	/* The taken name, then a fresh one: both past the limit. */
	register_from(addr, taken, &r);
	assert_throttled(&r, WINDOW);
	t_resp_free(&r);
	register_from(addr, t_unique("thfr"), &r);
	assert_throttled(&r, WINDOW);
	t_resp_free(&r);
}

/*
 * Attempts sent together are admitted one after the other: of a burst
 * from one address, taken names and fresh ones alike, no more than the
 * limit get past the count (and to a lookup or a bcrypt).
 */
Test(throttle, a_burst_of_registrations_passes_no_more_than_the_limit)
{
	enum { BURST = 8 };
	struct t_resp	 rs[BURST];
	char		*bodies[BURST];
	char		 addr[32], taken[80];
	int		 i, passed = 0;

	snprintf(taken, sizeof(taken), "%s", t_unique("thb"));
	t_loopback(addr, sizeof(addr));
	register_from(addr, taken, &rs[0]);
	cr_assert_eq(rs[0].status, 201, "%ld %s", rs[0].status, rs[0].body);
	t_resp_free(&rs[0]);
	for (i = 0; i < BURST; i++)
		bodies[i] = t_jbody("username", i % 2 ? t_unique("thb") :
		    taken, "password", "Register-Password-1", NULL);
	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
	t_http_many(BURST, "POST", "/api/auth/register", NULL,
	    (const char *const *)bodies, BURST, rs);
	for (i = 0; i < BURST; i++) {
		if (rs[i].status == 429)
			assert_throttled(&rs[i], WINDOW);
		else {
			cr_assert(rs[i].status == 201 || rs[i].status == 409,
			    "attempt %d: %ld %s", i, rs[i].status, rs[i].body);
			passed++;
		}
		t_resp_free(&rs[i]);
		free(bodies[i]);
	}
	cr_assert_leq(passed, MAX_REGISTRATIONS, "%d of %d passed the limit "
	    "of %d", passed, BURST, MAX_REGISTRATIONS);
	cr_assert_eq(atoi(t_sql("SELECT count(*) FROM registrations WHERE "
	    "address = '%s'", addr)), MAX_REGISTRATIONS);
}

/* --- no password work when throttled ----------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The user's hash is made at cost 10 (the stack hashes at 4), so that a
 * wrong password costs a bcrypt far above a request's other work; a
 * throttled attempt, which does no bcrypt, must come back in a fraction
 * of that.  Medians of several attempts and a generous factor keep a busy
 * machine from making it flaky.
 */
Test(throttle, a_throttled_attempt_does_no_bcrypt_work)
{
	enum { N = MAX_PER_ACCOUNT, M = 7 };
	struct t_user		 u;
	struct t_resp		 r;
	struct crypt_data	*cd;
	char			 addr[32], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;
	double			 wrong[N], throttled[M], mw, mt;
	int			 i;

	make_user(&u, "tht");
	cr_assert_not_null(cd = calloc(1, sizeof(*cd)));
	cr_assert_not_null(crypt_gensalt_rn("$2b$", 10, NULL, 0, salt,
	    sizeof(salt)));
	cr_assert_not_null(h = crypt_rn(u.password, salt, cd, sizeof(*cd)));
	cr_assert_eq(strncmp(h, "$2b$10$", 7), 0);
	t_sql("UPDATE users SET password_hash = '%s' WHERE id = '%s'", h,
	    u.id);
	free(cd);
	t_loopback(addr, sizeof(addr));
	for (i = 0; i < N; i++) {
		login_from(addr, "username", u.username, "Wrong-Password-1",
		    &r);
		t_assert_error(&r, 401, "invalid_grant");
		wrong[i] = r.seconds;
		t_resp_free(&r);
	}
	for (i = 0; i < M; i++) {
		/* The right password, too: no verification of it either. */
		login_from(addr, "username", u.username, i % 2 ? u.password :
		    "Wrong-Password-1", &r);
		assert_throttled(&r, BACKOFF_BASE);
		throttled[i] = r.seconds;
		t_resp_free(&r);
	}
	mw = median(wrong, N);
	mt = median(throttled, M);
	cr_log_info("median %.2f ms throttled, %.2f ms for a wrong password "
	    "at cost 10", mt * 1000, mw * 1000);
	cr_assert_lt(mt, mw / 4, "median %.2f ms throttled, %.2f ms for a "
	    "wrong password at cost 10", mt * 1000, mw * 1000);
	/* Nothing logged in, so nothing rehashed the cost-10 hash. */
	cr_assert_eq(strncmp(t_sql("SELECT password_hash FROM users WHERE "
	    "id = '%s'", u.id), "$2b$10$", 7), 0);
}

/* --- the own password change (POST /api/auth/password) ---------------- */

/* A password change by u from addr, with current and next. */
static void
change_from(const char *addr, const struct t_user *u, const char *current,
    const char *next, struct t_resp *r)
{
	const char	*headers[3];
	char		 auth[4200];
	char		*body;
	int		 n;

	n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    u->access);
	cr_assert(n >= 0 && (size_t)n < sizeof(auth));
	headers[0] = "Content-Type: application/json";
	headers[1] = auth;
	headers[2] = NULL;
	body = t_jbody("current_password", current, "new_password", next,
	    NULL);
	t_client_from(addr);
	t_http("POST", "/api/auth/password", headers, body, strlen(body), r);
	free(body);
}

static long
failures_of_user(const struct t_user *u)
{
	return atol(t_sql("SELECT count(*) FROM login_failures WHERE "
	    "account = 'id:%s'", u->id));
}

Test(throttle, wrong_current_passwords_past_the_limit_are_429)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 addr[32];
	int			 i;

	make_user(&u, "thpw");
	t_login(&u);
	t_loopback(addr, sizeof(addr));
	for (i = 0; i < MAX_PER_ACCOUNT; i++) {
		change_from(addr, &u, "Wrong-Password-1", "New-Password-99",
		    &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	cr_assert_eq(failures_of_user(&u), MAX_PER_ACCOUNT);
	/* The next guess, even the right one, does no bcrypt: refused. */
	change_from(addr, &u, "Wrong-Password-1", "New-Password-99", &r);
	assert_throttled(&r, BACKOFF_BASE);
	t_resp_free(&r);
	change_from(addr, &u, u.password, "New-Password-99", &r);
	assert_throttled(&r, BACKOFF_BASE);
	t_resp_free(&r);
	/* A refusal counts as nothing, and the password did not change. */
	cr_assert_eq(failures_of_user(&u), MAX_PER_ACCOUNT);
	cr_assert_eq(failures_of_address(addr), MAX_PER_ACCOUNT);
	age_failures(addr, WINDOW);
	cr_assert_eq(login_status(addr, u.username, u.password), 200);
}

Test(throttle, password_change_and_login_guesses_count_together)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 addr[32], other[32];
	int			 i;

	make_user(&u, "thpl");
	t_login(&u);
	t_loopback(addr, sizeof(addr));
	t_loopback(other, sizeof(other));
	for (i = 0; i < MAX_PER_ACCOUNT - 1; i++) {
		change_from(addr, &u, "Wrong-Password-1", "New-Password-99",
		    &r);
		t_assert_error(&r, 401, "invalid_grant");
		t_resp_free(&r);
	}
	fail_logins(other, u.username, 1);
	/* The account is at its limit: a login and a change both wait. */
	assert_login_throttled(other, "username", u.username, u.password,
	    BACKOFF_BASE);
	change_from(other, &u, u.password, "New-Password-99", &r);
	assert_throttled(&r, BACKOFF_BASE);
	t_resp_free(&r);
}

Test(throttle, a_right_current_password_clears_the_failures)
{
	struct t_user		 u;
	struct t_resp		 r;
	char			 addr[32];

	make_user(&u, "thpc");
	t_login(&u);
	t_loopback(addr, sizeof(addr));
	fail_logins(addr, u.username, MAX_PER_ACCOUNT - 1);
	change_from(addr, &u, u.password, "New-Password-99", &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(failures_of_user(&u), 0);
}
