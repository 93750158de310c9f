/*
 * mail: the sink's messages read, waited for and searched.  See mail.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <criterion/criterion.h>

#include "mail.h"

#define T_MAIL_FILES_MAX	4096

static const char *
maildir(void)
{
	const char	*d = getenv("GH_TEST_MAILDIR");

	if (d == NULL || *d == '\0')
		cr_assert_fail("GH_TEST_MAILDIR is not set: give the suite "
		    "\"#stack: mail\" and run it through tests/with-stack");
	return d;
}

static int
by_number(const void *a, const void *b)
{
	long	 x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The numbers of the stored messages, ascending: how many in *n. */
static long *
numbers(size_t *n)
{
	DIR		*d;
	struct dirent	*e;
	long		*all;
	char		*end;
	long		 v;

	*n = 0;
	cr_assert_not_null(all = calloc(T_MAIL_FILES_MAX, sizeof(*all)));
	cr_assert_not_null(d = opendir(maildir()), "%s", maildir());
	while ((e = readdir(d)) != NULL && *n < T_MAIL_FILES_MAX) {
		v = strtol(e->d_name, &end, 10);
		if (end != e->d_name && strcmp(end, ".eml") == 0)
			all[(*n)++] = v;
	}
	closedir(d);
	qsort(all, *n, sizeof(*all), by_number);
	return all;
}

static char *
read_message(long number)
{
	char	 path[4096];
	char	*buf;
	FILE	*f;
	long	 len;

	snprintf(path, sizeof(path), "%s/%04ld.eml", maildir(), number);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	cr_assert_geq(len = ftell(f), 0);
	rewind(f);
	cr_assert_not_null(buf = calloc(1, (size_t)len + 1));
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len, "%s", path);
	fclose(f);
	return buf;
}

/* Does msg's X-Sink-Rcpt list name to? */
static int
sent_to(const char *msg, const char *to)
{
	char	*rcpt, *p, *save = NULL;
	int	 found = 0;

	if ((rcpt = t_mail_header(msg, "X-Sink-Rcpt")) == NULL)
		return 0;
	for (p = strtok_r(rcpt, ", ", &save); p != NULL && !found;
	    p = strtok_r(NULL, ", ", &save))
		found = strcasecmp(p, to) == 0;
	free(rcpt);
	return found;
}

/* The n-th message to to, or NULL; *count: how many there are. */
static char *
nth(const char *to, size_t n, size_t *count)
{
	long	*all;
	char	*msg, *want = NULL;
	size_t	 i, len;

	*count = 0;
	all = numbers(&len);
	for (i = 0; i < len; i++) {
		msg = read_message(all[i]);
		if (sent_to(msg, to) && ++*count == n)
			want = msg;
		else
			free(msg);
	}
	free(all);
	return want;
}

size_t
t_mail_count(const char *to)
{
	size_t	 count;

	(void)nth(to, 0, &count);
	return count;
}

char *
t_mail_wait(const char *to, size_t n, int timeout_s)
{
	struct timespec	 nap = { 0, 50 * 1000 * 1000 };
	time_t		 end = time(NULL) + timeout_s;
	size_t		 count;
	char		*msg;

	for (;;) {
		if ((msg = nth(to, n, &count)) != NULL)
			return msg;
		if (time(NULL) > end)
			return NULL;
		nanosleep(&nap, NULL);
	}
}

const char *
t_mail_body(const char *msg)
{
	const char	*p = strstr(msg, "\n\n");

	return p != NULL ? p + 2 : msg + strlen(msg);
}

char *
t_mail_link(const char *msg, const char *prefix)
{
	const char	*base = getenv("GH_TEST_BASE_URL"), *p;
	char		 want[2048];
	int		 n;

	if (prefix[0] == '/') {
		cr_assert_not_null(base, "GH_TEST_BASE_URL is not set");
		n = snprintf(want, sizeof(want), "%s%s", base, prefix);
	} else
		n = snprintf(want, sizeof(want), "%s", prefix);
	cr_assert(n > 0 && (size_t)n < sizeof(want));
	if ((p = strstr(t_mail_body(msg), want)) == NULL)
		return NULL;
	return strndup(p, strcspn(p, " \t\r\n"));
}

char *
t_mail_header(const char *msg, const char *name)
{
	const char	*line = msg, *end = t_mail_body(msg), *v;
	size_t		 len = strlen(name);

	while (line < end && *line != '\n') {
		if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
			v = line + len + 1;
			v += strspn(v, " \t");
			return strndup(v, strcspn(v, "\n"));
		}
		if ((line = strchr(line, '\n')) == NULL)
			break;
		line++;
	}
	return NULL;
}

void
t_mail_arrives(const char *to, size_t n, int timeout_s)
{
	char	*msg;

	msg = t_mail_wait(to, n, timeout_s);
	cr_assert_not_null(msg, "no message %zu to %s in %d s", n, to,
	    timeout_s);
	free(msg);
}

char *
t_mail_token(const char *to, size_t n, const char *path, int timeout_s)
{
	char	*msg, *link, *tok, prefix[128];
	int	 len;

	len = snprintf(prefix, sizeof(prefix), "%s?token=", path);
	cr_assert(len > 0 && (size_t)len < sizeof(prefix));
	msg = t_mail_wait(to, n, timeout_s);
	cr_assert_not_null(msg, "no message %zu to %s in %d s", n, to,
	    timeout_s);
	link = t_mail_link(msg, prefix);
	cr_assert_not_null(link, "no %s link in: %s", path, msg);
	tok = strdup(strstr(link, "?token=") + 7);
	cr_assert_not_null(tok);
	free(link);
	free(msg);
	return tok;
}
