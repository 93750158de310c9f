/*
 * page: templates_dir read at start-up.  A missing file keeps the
 * built-in page; anything else wrong stops the program, saying which.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "http/page.h"

static char	 dir[] = "/tmp/gh-page-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(page, .init = setup, .fini = teardown);

static void
put(const char *name, const char *text)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

static int
load(char *err, size_t errsz)
{
	struct gh_config	 cfg;

	gh_config_defaults(&cfg);
	snprintf(cfg.templates_dir, sizeof(cfg.templates_dir), "%s", dir);
	err[0] = '\0';
	return gh_page_load(&cfg, err, errsz);
}

Test(page, no_templates_dir_is_the_built_in_pages)
{
	struct gh_config	 cfg;
	char			 err[256];

	gh_config_defaults(&cfg);
	cr_assert_eq(gh_page_load(&cfg, err, sizeof(err)), 0);
}

Test(page, an_empty_directory_keeps_every_built_in_page)
{
	char	 err[256];

	cr_assert_eq(load(err, sizeof(err)), 0, "%s", err);
}

Test(page, known_placeholders_are_taken)
{
	char	 err[256];

	put("login.html", "<h1>{{site_name}}</h1>{{message}}<form>"
	    "{{csrf_token}}{{next}}{{username}}</form>{{register_link}}");
	put("message.html", "{{title}} {{link_href}} {{link_text}}");
	put("forgot.html", "<form>{{csrf_token}}{{username}}</form>");
	put("reset.html", "<form>{{csrf_token}}{{token}}{{error_password}}"
	    "</form>");
	cr_assert_eq(load(err, sizeof(err)), 0, "%s", err);
}

Test(page, a_recovery_template_is_checked_too)
{
	char	 err[256];

	put("reset.html", "<p>{{new_password}}</p>");
	cr_assert_eq(load(err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "reset.html"), "%s", err);
}

Test(page, an_unknown_placeholder_stops_the_program)
{
	char	 err[256];

	put("register.html", "<p>{{password}}</p>");
	cr_assert_eq(load(err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "register.html"), "%s", err);
	cr_assert_not_null(strstr(err, "{{password}}"), "%s", err);
}

Test(page, an_unclosed_placeholder_stops_the_program)
{
	char	 err[256];

	put("login.html", "<p>{{site_name</p>");
	cr_assert_eq(load(err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "login.html"), "%s", err);
}

Test(page, an_oversized_template_stops_the_program)
{
	char	*big;
	char	 err[256];

	cr_assert_not_null(big = malloc(GH_PAGE_TEMPLATE_MAX + 2));
	memset(big, 'x', GH_PAGE_TEMPLATE_MAX + 1);
	big[GH_PAGE_TEMPLATE_MAX + 1] = '\0';
	put("message.html", big);
	free(big);
	cr_assert_eq(load(err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "message.html"), "%s", err);
}

Test(page, a_template_that_is_not_a_file_stops_the_program)
{
	char	 path[256], err[256];

	snprintf(path, sizeof(path), "%s/login.html", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(load(err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "login.html"), "%s", err);
}
