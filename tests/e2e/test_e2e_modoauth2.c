/*
 * A resource server nobody here wrote (issue 14): Apache with OpenIDC's
 * mod_oauth2 (Debian's libapache2-mod-oauth2) guards a static page and
 * checks gatehouse's tokens offline against the stack's
 * /.well-known/jwks.json, configured as docs/VERIFY.md shows
 * (tests/oauth2-apache writes that server).  A real login token gets
 * the page; the same token with one payload or signature character
 * changed, an unsigned ("none") copy of it, no token, a token whose
 * issuer is not the pinned one, and the same real token once expired
 * get 401.  After `gatehouse keys rotate` and jwks_max_age_seconds, the
 * tokens the new key signs get in although the module's JWKS cache
 * (300 s) still holds the old set: it fetches the set again when no
 * key of it verifies a token.
 *
 * Promises: built once per algorithm mod_oauth2 can verify (T_ALG:
 * ES256, RS256; Debian 12's cjose 0.6.2 does not know EdDSA, see
 * docs/VERIFY.md), each program's stack signing with it (`#stack:
 * keys=T_ALG` in its .conf, access tokens living one minute).  Every
 * test starts its own mod_oauth2 server (so its JWKS cache starts
 * empty) and stops it by PID, failed or not.  Skipped, saying so, only
 * when mod_oauth2 is not installed.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "client.h"
#include "run.h"

#ifndef T_OAUTH2_APACHE
#error "T_OAUTH2_APACHE (tests/oauth2-apache) is not defined"
#endif
#ifndef T_ALG
#error "T_ALG (the algorithm the stack signs with) is not defined"
#endif

/* The issuer the suite's .conf sets; the server pins it. */
#define ISSUER		"https://gatehouse.test"
#define PAGE		"gatehouse protected page\n"
#define PROTECTED	"/protected/page.txt"
/* tests/oauth2-apache's exit status when mod_oauth2 is missing. */
#define SKIPPED		77

/* This test's mod_oauth2 server. */
static struct {
	char	dir[64];	/* its temporary directory */
	char	run[80];	/* dir/a: its ServerRoot */
	char	base[64];	/* http://127.0.0.1:PORT */
	char	stack[256];	/* the stack's GH_TEST_BASE_URL */
	char	pid[16];
} rs;

static void
rs_up(void)
{
	char		 jwks[512], out[128], err[2048], port[16];
	const char	*base = getenv("GH_TEST_BASE_URL");
	const char	*argv[] = { T_OAUTH2_APACHE, "up", rs.run, jwks,
			    ISSUER, NULL };
	int		 n, rc;

	cr_assert_not_null(base, "run through tests/with-stack");
	n = snprintf(rs.stack, sizeof(rs.stack), "%s", base);
	cr_assert(n > 0 && (size_t)n < sizeof(rs.stack));
	n = snprintf(jwks, sizeof(jwks), "%s/.well-known/jwks.json", base);
	cr_assert(n > 0 && (size_t)n < sizeof(jwks));
	n = snprintf(rs.dir, sizeof(rs.dir), "/tmp/gh-oauth2.XXXXXX");
	cr_assert(n > 0 && (size_t)n < sizeof(rs.dir));
	cr_assert_not_null(mkdtemp(rs.dir));
	/* Apache's children (www-data) serve the page from inside. */
	cr_assert_eq(chmod(rs.dir, 0755), 0);
	n = snprintf(rs.run, sizeof(rs.run), "%s/a", rs.dir);
	cr_assert(n > 0 && (size_t)n < sizeof(rs.run));
	t_run_timeout(60);
	rc = t_run(argv, NULL, NULL, out, sizeof(out), err, sizeof(err));
	t_run_timeout(0);
	if (rc == SKIPPED)
		cr_skip_test("NOT TESTED: Apache mod_oauth2 is not installed "
		    "(apt-get install libapache2-mod-oauth2): %s", err);
	cr_assert_eq(rc, 0, "tests/oauth2-apache up: %d %s", rc, err);
	cr_assert_eq(sscanf(out, "%15s %15s", port, rs.pid), 2, "%s", out);
	n = snprintf(rs.base, sizeof(rs.base), "http://127.0.0.1:%s", port);
	cr_assert(n > 0 && (size_t)n < sizeof(rs.base));
}

/* Stops the server by its PID, after logging the end of its log. */
static void
rs_down(void)
{
	const char	*down[] = { T_OAUTH2_APACHE, "down", rs.pid, rs.run,
			    NULL };
	const char	*rm[] = { "/bin/rm", "-rf", rs.dir, NULL };
	const char	*tail[] = { "/usr/bin/tail", "-n", "30", NULL, NULL };
	char		 log[160], out[8192];
	int		 n;

	if (rs.pid[0] != '\0') {
		n = snprintf(log, sizeof(log), "%s/error.log", rs.run);
		tail[3] = log;
		if (n > 0 && (size_t)n < sizeof(log) && t_run(tail, NULL,
		    NULL, out, sizeof(out), NULL, 0) == 0)
			cr_log_info("mod_oauth2's error.log:\n%s", out);
		if (t_run(down, NULL, NULL, NULL, 0, NULL, 0) != 0)
			cr_log_error("tests/oauth2-apache down %s failed",
			    rs.pid);
	}
	if (rs.dir[0] != '\0')
		(void)t_run(rm, NULL, NULL, NULL, 0, NULL, 0);
}

TestSuite(modoauth2, .init = rs_up, .fini = rs_down, .timeout = 240);

/* GET path from the mod_oauth2 server, with token when not NULL. */
static long
page(const char *path, const char *token, struct t_resp *r)
{
	char		 auth[4200];
	const char	*h[] = { auth, NULL };
	int		 n;

	n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    token != NULL ? token : "");
	cr_assert(n > 0 && (size_t)n < sizeof(auth));
	cr_assert_eq(setenv("GH_TEST_BASE_URL", rs.base, 1), 0);
	t_http("GET", path, token != NULL ? h : NULL, NULL, 0, r);
	cr_assert_eq(setenv("GH_TEST_BASE_URL", rs.stack, 1), 0);
	return r->status;
}

/* The page with token: 200 and the file. */
static void
gets_in(const char *token, const char *what)
{
	struct t_resp	 r;

	cr_assert_eq(page(PROTECTED, token, &r), 200,
	    "%s: %ld %s", what, r.status, r.body);
	cr_assert_str_eq(r.body, PAGE, "%s", what);
	t_resp_free(&r);
}

/*
 * path with token (may be NULL): 401, with a Bearer challenge when the
 * token did not verify (a verified token the Require lines refuse gets
 * Apache's own 401, without one).
 */
static void
refused(const char *path, const char *token, bool challenged,
    const char *what)
{
	struct t_resp	 r;
	const char	*c;

	cr_assert_eq(page(path, token, &r), 401, "%s: %ld %s", what,
	    r.status, r.body);
	cr_assert_null(strstr(r.body, PAGE), "%s", what);
	if (challenged) {
		c = t_resp_header(&r, "WWW-Authenticate");
		cr_assert_not_null(c, "%s: no challenge", what);
		cr_assert_eq(strncmp(c, "Bearer", 6), 0, "%s: %s", what, c);
	}
	t_resp_free(&r);
}

/* A member of the token's header or payload, as text ("" when none). */
static void
member(const char *token, int part, const char *name, char *out,
    size_t outsz)
{
	struct json_object	*o, *v;

	o = t_jwt_part(token, part);
	cr_assert_not_null(o);
	snprintf(out, outsz, "%s", json_object_object_get_ex(o, name, &v) ?
	    json_object_get_string(v) : "");
	json_object_put(o);
}

/* u a new user whose token T_ALG signed. */
static void
user(struct t_user *u)
{
	char	alg[16];

	t_make_user(u, "oa");
	member(u->access, 0, "alg", alg, sizeof(alg));
	cr_assert_str_eq(alg, T_ALG);
}

/* token with the middle character of part (1 or 2) changed. */
static void
tampered(const char *token, int part, char *out, size_t outsz)
{
	const char	*a, *b;
	size_t		 i;
	int		 n;

	n = snprintf(out, outsz, "%s", token);
	cr_assert(n > 0 && (size_t)n < outsz);
	cr_assert_not_null(a = strchr(out, '.'));
	if (part == 2)
		cr_assert_not_null(a = strchr(a + 1, '.'));
	b = strchr(a + 1, '.');
	if (b == NULL)
		b = out + strlen(out);
	/* The middle: a full 6-bit character, never padding bits. */
	i = (size_t)(a - out) + 1 + (size_t)(b - a - 1) / 2;
	out[i] = out[i] == 'A' ? 'B' : 'A';
}

Test(modoauth2, a_login_token_gets_in_and_forgeries_do_not)
{
	struct t_user	 u;
	struct t_resp	 r;
	struct json_object *h;
	char		 bad[4096], payload[2048], header[256], kid[80];
	int		 n;

	cr_assert_eq(page("/public.txt", NULL, &r), 200, "%ld", r.status);
	t_resp_free(&r);
	user(&u);
	gets_in(u.access, "a real token");
	tampered(u.access, 1, bad, sizeof(bad));
	refused(PROTECTED, bad, true, "a payload character changed");
	tampered(u.access, 2, bad, sizeof(bad));
	refused(PROTECTED, bad, true, "a signature character changed");
	/* The real payload and kid, unsigned. */
	member(u.access, 0, "kid", kid, sizeof(kid));
	n = snprintf(header, sizeof(header),
	    "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
	cr_assert(n > 0 && (size_t)n < sizeof(header));
	cr_assert_not_null(h = t_jwt_part(u.access, 1));
	n = snprintf(payload, sizeof(payload), "%s",
	    json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
	json_object_put(h);
	cr_assert(n > 0 && (size_t)n < sizeof(payload));
	t_jwt_forge("none", header, payload, "", bad, sizeof(bad));
	refused(PROTECTED, bad, true, "alg none");
	refused(PROTECTED, NULL, true, "no token");
	refused(PROTECTED, u.refresh, true, "a refresh token");
	/* Verified, but not from the issuer that location pins. */
	refused("/elsewhere/page.txt", u.access, false,
	    "another issuer's location");
	gets_in(u.access, "the real token again");
}

Test(modoauth2, the_same_token_once_expired_is_refused)
{
	struct t_user	 u;
	char		 exp[32];
	long		 at;

	user(&u);
	gets_in(u.access, "a fresh token");
	member(u.access, 1, "exp", exp, sizeof(exp));
	at = strtol(exp, NULL, 10);
	cr_assert_gt(at, (long)time(NULL), "exp %s", exp);
	cr_assert_leq(at - (long)time(NULL), 61,
	    "the .conf makes tokens live a minute: exp %s", exp);
	/* Past exp by a second or more, whatever the rounding. */
	while ((long)time(NULL) <= at + 1)
		t_sleep_ms(500);
	refused(PROTECTED, u.access, true, "the token, expired");
}

Test(modoauth2, after_a_rotation_the_new_keys_tokens_get_in)
{
	struct t_user	 u, w;
	const char	*rotate[] = { "keys", "rotate", NULL };
	char		 old[80], kid[80];

	user(&u);
	/* The server fetches and caches the set that names old only. */
	gets_in(u.access, "a token of the old key");
	member(u.access, 0, "kid", old, sizeof(old));
	cr_assert_eq(t_cli(rotate, NULL), 0, "gatehouse keys rotate");
	/* jwks_max_age_seconds (2): then the next key signs. */
	t_sleep_ms(2500);
	user(&w);
	member(w.access, 0, "kid", kid, sizeof(kid));
	cr_assert_str_neq(kid, old, "the next key does not sign yet");
	gets_in(w.access, "a token of the new key");
	gets_in(u.access, "the old key's token");
}
