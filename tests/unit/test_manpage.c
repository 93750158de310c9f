/*
 * test_manpage: the manual pages of man/ keep up with the code.
 * gatehouse.conf(5) has one ".It Cm KEY" entry for every key of the
 * config table, in the table's order, and no entry that is not a key;
 * and every page is clean under `mandoc -Tlint` when mandoc is installed.
 *
 * The pages are read from $GH_TEST_SRCDIR/man (the build runs this in a
 * build tree of its own, the source maybe read-only).
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

/* By path: a bare "config.h" would find autoconf's (see test_config). */
#include "core/config.h"

#define ENTRY		".It Cm "
#define ENTRIES_MAX	256
#define NAME_MAX_LEN	64
#define PATH_LEN	1024
#define LINE_LEN	1024

static const char *const pages[] = {
	"gatehouse.8", "gatehouse.conf.5", "gatehouse-programs.8"
};

static const char *
srcdir(void)
{
	const char	*s;

	if ((s = getenv("GH_TEST_SRCDIR")) == NULL || *s == '\0')
		s = ".";
	return s;
}

static void
page_path(char *path, size_t pathsz, const char *page)
{

	cr_assert_lt((size_t)snprintf(path, pathsz, "%s/man/%s", srcdir(),
	    page), pathsz);
}

/*
 * The first word of every ".It Cm" line of gatehouse.conf(5), in order,
 * into names; returns how many.
 */
static size_t
read_entries(char names[][NAME_MAX_LEN], size_t max)
{
	char	 path[PATH_LEN], line[LINE_LEN];
	FILE	*f;
	size_t	 n = 0, len;

	page_path(path, sizeof(path), "gatehouse.conf.5");
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (set GH_TEST_SRCDIR)", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ENTRY, strlen(ENTRY)) != 0)
			continue;
		len = strcspn(line + strlen(ENTRY), " \t\n");
		cr_assert_lt(len, (size_t)NAME_MAX_LEN, "%s: too long an "
		    "entry: %s", path, line);
		cr_assert_lt(n, max, "%s: too many entries", path);
		memcpy(names[n], line + strlen(ENTRY), len);
		names[n][len] = '\0';
		n++;
	}
	cr_assert_eq(fclose(f), 0);
	return n;
}

static int
is_key(const char *name)
{
	const char *const	*k;

	for (k = gh_config_keys(); *k != NULL; k++)
		if (strcmp(*k, name) == 0)
			return 1;
	return 0;
}

static int
has_entry(char names[][NAME_MAX_LEN], size_t n, const char *key)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], key) == 0)
			return 1;
	return 0;
}

Test(manpage, every_key_has_an_entry_in_gatehouse_conf_5)
{
	static char		 names[ENTRIES_MAX][NAME_MAX_LEN];
	const char *const	*k;
	size_t			 n;

	n = read_entries(names, ENTRIES_MAX);
	for (k = gh_config_keys(); *k != NULL; k++)
		cr_expect(has_entry(names, n, *k), "key %s has no \".It Cm "
		    "%s\" entry in man/gatehouse.conf.5", *k, *k);
}

Test(manpage, every_entry_of_gatehouse_conf_5_is_a_key)
{
	static char	 names[ENTRIES_MAX][NAME_MAX_LEN];
	size_t		 i, n;

	n = read_entries(names, ENTRIES_MAX);
	cr_assert_gt(n, 0, "no \".It Cm\" entry in man/gatehouse.conf.5");
	for (i = 0; i < n; i++)
		cr_expect(is_key(names[i]), "man/gatehouse.conf.5 has an "
		    "entry for %s, which is no key of src/core/config.c",
		    names[i]);
}

Test(manpage, gatehouse_conf_5_lists_the_keys_in_the_tables_order)
{
	static char		 names[ENTRIES_MAX][NAME_MAX_LEN];
	const char *const	*k;
	size_t			 i = 0, n;

	n = read_entries(names, ENTRIES_MAX);
	for (k = gh_config_keys(); *k != NULL && i < n; k++, i++)
		cr_assert_str_eq(names[i], *k, "man/gatehouse.conf.5: entry "
		    "%zu is %s where the table has %s", i + 1, names[i], *k);
	cr_assert(*k == NULL && i == n, "man/gatehouse.conf.5 has %zu "
	    "entries, the table more or fewer keys", n);
}

/*
 * A message of mandoc -Tlint that is no fault: a page naming another of
 * ours, which mandoc looks for among the installed manuals only.
 */
static int
expected_message(const char *line)
{
	static const char *const ours[] = {
		"Xr gatehouse 8", "Xr gatehouse.conf 5",
		"Xr gatehouse-programs 8"
	};
	size_t	 i;

	if (strstr(line, "STYLE: referenced manual not found: ") == NULL)
		return 0;
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strstr(line, ours[i]) != NULL)
			return 1;
	return 0;
}

Test(manpage, every_page_is_clean_under_mandoc_lint)
{
	char	 cmd[4 * PATH_LEN], path[PATH_LEN], line[LINE_LEN];
	FILE	*p;
	size_t	 i, len, bad = 0;
	int	 st;

	if (system("command -v mandoc >/dev/null 2>&1") != 0) {
		/* scripts/check installs it: there, its absence fails. */
		cr_assert(getenv("CI") == NULL || strcmp(getenv("CI"),
		    "true") != 0, "mandoc is not installed");
		cr_skip_test("mandoc is not installed");
	}
	len = (size_t)snprintf(cmd, sizeof(cmd), "mandoc -Tlint -Wstyle");
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		page_path(path, sizeof(path), pages[i]);
		/* Single quotes for the shell: a path with one is refused. */
		cr_assert_null(strchr(path, '\''), "%s", path);
		cr_assert_lt(len, sizeof(cmd));
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " '%s'",
		    path);
	}
	cr_assert_lt(len, sizeof(cmd));
	cr_assert_lt((size_t)snprintf(cmd + len, sizeof(cmd) - len, " 2>&1"),
	    sizeof(cmd) - len);
	cr_assert_not_null(p = popen(cmd, "r"), "%s", cmd);
	while (fgets(line, sizeof(line), p) != NULL) {
		if (expected_message(line))
			continue;
		cr_log_error("%s", line);
		bad++;
	}
	st = pclose(p);
	cr_assert_eq(bad, 0, "mandoc -Tlint: %zu messages (above)", bad);
	/* Status 0 or 1 (the style messages let through above): no worse. */
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) <= 1,
	    "mandoc -Tlint failed: status %d", st);
}
