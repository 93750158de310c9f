/*
 * Outside verifiers (issue 14): libraries nobody here wrote -- PyJWT's
 * PyJWKClient and jwcrypto (Python), jose (Node, from npm) -- fetch the
 * stack's /.well-known/jwks.json and verify a real login token with the
 * issuer and the algorithm pinned; the same token with one payload byte
 * changed, or pinned to another algorithm, is refused by each.
 *
 * Promises: built once per algorithm (T_ALG: ES256, EdDSA, RS256), each
 * program's stack signing with it (`#stack: keys=T_ALG` in its .conf).
 * The Node check installs jose@5 once into the build tree (T_NODE_DIR)
 * and is skipped, saying so, only when node itself is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "client.h"
#include "run.h"

#ifndef T_VERIFIERS
#error "T_VERIFIERS (the tests/verifiers directory) is not defined"
#endif
#ifndef T_ALG
#error "T_ALG (the algorithm the stack signs with) is not defined"
#endif
#ifndef T_NODE_DIR
#error "T_NODE_DIR (where jose is installed) is not defined"
#endif

/* The issuer the suite's .conf sets (not the example's default). */
#define ISSUER	"https://gatehouse.test"

TestSuite(verifiers, .timeout = 300);

/* The stack's JWKS URL. */
static void
jwks_url(char *out, size_t outsz)
{
	const char	*base = getenv("GH_TEST_BASE_URL");
	int		 n;

	cr_assert_not_null(base, "run through tests/with-stack");
	n = snprintf(out, outsz, "%s/.well-known/jwks.json", base);
	cr_assert(n > 0 && (size_t)n < outsz);
}

/* u a new user with a token, which alg signed. */
static void
signing_with(const char *alg, struct t_user *u)
{
	struct json_object	*h, *v;

	t_make_user(u, "vf");
	h = t_jwt_part(u->access, 0);
	cr_assert_not_null(h);
	cr_assert(json_object_object_get_ex(h, "alg", &v));
	cr_assert_str_eq(json_object_get_string(v), alg);
	json_object_put(h);
}

/* token with one payload character changed, still base64url. */
static void
tampered(const char *token, char *out, size_t outsz)
{
	const char	*dot, *dot2;
	size_t		 i;
	int		 n;

	n = snprintf(out, outsz, "%s", token);
	cr_assert(n > 0 && (size_t)n < outsz);
	dot = strchr(out, '.');
	cr_assert_not_null(dot);
	dot2 = strchr(dot + 1, '.');
	cr_assert_not_null(dot2);
	/* The middle: a full 6-bit character, never padding bits. */
	i = (size_t)(dot - out) + 1 + (size_t)(dot2 - dot - 1) / 2;
	out[i] = out[i] == 'A' ? 'B' : 'A';
}

/* What the Python verifiers say of token: their exit status. */
static int
python_says(const char *token, const char *alg)
{
	char		 url[512], err[1024];
	const char	*argv[] = { "/usr/bin/python3",
			    T_VERIFIERS "/pyjwt_verify.py", url, token,
			    ISSUER, alg, NULL };
	int		 rc;

	jwks_url(url, sizeof(url));
	rc = t_run(argv, NULL, NULL, NULL, 0, err, sizeof(err));
	cr_log_info("python %s: %d %s", alg, rc, err);
	return rc;
}

/* Installs jose once (false: no node here, the test is skipped). */
static int
have_jose(void)
{
	const char	*probe[] = { "/bin/sh", "-c", "command -v node",
			    NULL };
	const char	*install[] = { "/bin/sh", "-c",
			    /* Two servers' suites may race: one rename wins. */
			    "d=$1; [ -d \"$d/node_modules/jose\" ] && exit 0; "
			    "t=$d.$$; npm install --silent --no-audit "
			    "--no-fund --prefix \"$t\" jose@5 || exit 1; "
			    "mv -T \"$t\" \"$d\" 2>/dev/null || rm -rf \"$t\"; "
			    "[ -d \"$d/node_modules/jose\" ]",
			    "sh", T_NODE_DIR, NULL };
	char		 err[2048];

	if (t_run(probe, NULL, NULL, NULL, 0, NULL, 0) != 0)
		return 0;
	t_run_timeout(240);
	cr_assert_eq(t_run(install, NULL, NULL, NULL, 0, err, sizeof(err)),
	    0, "npm install jose@5 into " T_NODE_DIR ": %s", err);
	t_run_timeout(0);
	return 1;
}

/* What jose says of token: its exit status. */
static int
node_says(const char *token, const char *alg)
{
	char		 url[512], err[1024];
	const char	*argv[] = { "/bin/sh", "-c",
			    "exec node \"$@\"", "sh",
			    T_VERIFIERS "/jose_verify.mjs", url, token,
			    ISSUER, alg, NULL };
	const char	*env[] = { "JOSE_DIR=" T_NODE_DIR, NULL };
	int		 rc;

	jwks_url(url, sizeof(url));
	rc = t_run(argv, env, NULL, NULL, 0, err, sizeof(err));
	cr_log_info("jose %s: %d %s", alg, rc, err);
	return rc;
}

static void
check(const char *alg)
{
	struct t_user	 u;
	char		 bad[4096];

	signing_with(alg, &u);
	tampered(u.access, bad, sizeof(bad));
	cr_assert_eq(python_says(u.access, alg), 0,
	    "PyJWT/jwcrypto refuse a real %s token", alg);
	cr_assert_eq(python_says(bad, alg), 1,
	    "PyJWT/jwcrypto accept a tampered %s token", alg);
	/* Pinned to another algorithm, the real token is refused too. */
	cr_assert_eq(python_says(u.access, strcmp(alg, "RS256") == 0 ?
	    "ES256" : "RS256"), 1, "an unpinned algorithm passes");
	if (!have_jose())
		cr_skip_test("node is not installed: jose not checked");
	cr_assert_eq(node_says(u.access, alg), 0,
	    "jose refuses a real %s token", alg);
	cr_assert_eq(node_says(bad, alg), 1,
	    "jose accepts a tampered %s token", alg);
}

Test(verifiers, tokens_verify_outside)
{
	check(T_ALG);
}
