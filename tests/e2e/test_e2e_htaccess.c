/*
 * Shared hosting (GH_TEST_SERVER=shared): Apache whose own config names no
 * gatehouse path, only AllowOverride on the document root; the account's
 * files do the rest: DOCROOT/.htaccess (the rewrite of /api/... onto the
 * programs), DOCROOT/cgi-bin/.htaccess (the handler, the Authorization
 * header, the refusals), the programs, and gatehouse.conf beside them,
 * which they find without GATEHOUSE_CONFIG.  The API suites run there too
 * (seeds, login, tokens, me as TEST-shared); this one checks what is
 * particular to the layout: the config is never served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(htaccess, .timeout = 60);

static bool
shared(void)
{
	const char	*s = getenv("GH_TEST_SERVER");

	if (s != NULL && strcmp(s, "shared") == 0)
		return true;
	cr_log_info("skipped: this suite is for the shared-hosting layout "
	    "(GH_TEST_SERVER=shared), not %s", s != NULL ? s : "lighttpd");
	return false;
}

/* The body says nothing of the config: no key, no secret. */
static void
assert_no_leak(const struct t_resp *r, const char *what)
{
	cr_assert_null(strstr(r->body, t_secret()),
	    "%s: the JWT secret is in the answer", what);
	cr_assert_null(strstr(r->body, "jwt_secret"), "%s: %s", what, r->body);
	cr_assert_null(strstr(r->body, "database_url"), "%s: %s", what,
	    r->body);
}

Test(htaccess, the_config_beside_the_programs_is_refused)
{
	static const char	*paths[] = { "/cgi-bin/gatehouse.conf",
	    "/cgi-bin/gatehouse.con%66", "/cgi-bin//gatehouse.conf",
	    "/cgi-bin/./gatehouse.conf", "/cgi-bin/GATEHOUSE.CONF",
	    "/cgi-bin/gatehouse.conf?x=1", "/cgi-bin/gatehouse.conf/" };
	struct t_resp		 r;
	size_t			 i;

	if (!shared())
		return;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http("GET", paths[i], NULL, NULL, 0, &r);
		cr_assert(r.status == 403 || r.status == 404,
		    "GET %s: %ld %s", paths[i], r.status, r.body);
		assert_no_leak(&r, paths[i]);
		t_resp_free(&r);
	}
	t_http("HEAD", "/cgi-bin/gatehouse.conf", NULL, NULL, 0, &r);
	cr_assert(r.status == 403 || r.status == 404, "HEAD: %ld", r.status);
	t_resp_free(&r);
}

Test(htaccess, the_directory_and_its_htaccess_are_not_listed_or_served)
{
	static const char	*paths[] = { "/cgi-bin/", "/cgi-bin",
	    "/cgi-bin/.htaccess", "/.htaccess" };
	struct t_resp		 r;
	size_t			 i;

	if (!shared())
		return;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_http("GET", paths[i], NULL, NULL, 0, &r);
		cr_assert(r.status == 403 || r.status == 404 ||
		    r.status == 301, "GET %s: %ld %s", paths[i], r.status,
		    r.body);
		cr_assert_null(strstr(r.body, "gatehouse.conf"),
		    "GET %s lists the directory: %s", paths[i], r.body);
		cr_assert_null(strstr(r.body, "RewriteRule"), "GET %s: %s",
		    paths[i], r.body);
		cr_assert_null(strstr(r.body, "CGIPassAuth"), "GET %s: %s",
		    paths[i], r.body);
		t_resp_free(&r);
	}
}

Test(htaccess, the_api_answers_through_the_rewrite)
{
	struct t_user		 u;
	struct t_resp		 r;

	if (!shared())
		return;
	/* Found its config without GATEHOUSE_CONFIG: the database is up. */
	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_str(&r, "database"), "ok");
	t_resp_free(&r);
	t_http("GET", "/api/nothing", NULL, NULL, 0, &r);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
	/* The Authorization header reaches the programs. */
	t_make_user(&u, "hta");
	cr_assert_eq(t_me_status(u.access), 200);
	t_http_json("GET", "/api/auth/me", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
}

Test(htaccess, a_program_asked_for_by_its_own_path_gives_json)
{
	struct t_resp	 r;

	if (!shared())
		return;
	/* The programs route on the path the client sent: not theirs. */
	t_http("GET", "/cgi-bin/health", NULL, NULL, 0, &r);
	cr_assert(r.status == 404 || r.status == 403, "%ld %s", r.status,
	    r.body);
	cr_assert_null(strstr(r.body, "ELF"), "the program file was served");
	t_resp_free(&r);
}
