/*
 * template: placeholders found, checked and handed out.  See template.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/template.h"

size_t
gh_template_slot(const struct gh_template_names *t, const char *name,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (strlen(t->names[i]) == len &&
		    memcmp(t->names[i], name, len) == 0)
			return i;
	return t->n;
}

int
gh_template_check(const char *text, const char *file,
    const struct gh_template_names *t, char *err, size_t errsz)
{
	const char	*p = text, *end;

	while ((p = strstr(p, "{{")) != NULL) {
		if ((end = strstr(p + 2, "}}")) == NULL ||
		    end - p - 2 > GH_TEMPLATE_NAME_MAX) {
			(void)snprintf(err, errsz, "%s: a \"{{\" without its "
			    "\"}}\"", file);
			return -1;
		}
		if (gh_template_slot(t, p + 2, (size_t)(end - p - 2)) ==
		    t->n) {
			(void)snprintf(err, errsz, "%s: unknown placeholder "
			    "{{%.*s}} (see docs/DEPLOY.md)", file,
			    (int)(end - p - 2), p + 2);
			return -1;
		}
		p = end + 2;
	}
	return 0;
}

/*
 * Reads path into *out (a new string): 0; 1 when there is no such file;
 * -1 with err set.
 */
static int
read_file(const char *path, size_t max, char **out, char *err, size_t errsz)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		(void)snprintf(err, errsz, "%s: not a regular file of at most "
		    "%zu bytes", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)snprintf(err, errsz, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got,
	    (size_t)st.st_size - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			(void)snprintf(err, errsz, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (memchr(buf, '\0', got) != NULL) {
		(void)snprintf(err, errsz, "%s: holds a NUL byte", path);
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	(void)close(fd);
	return rc;
}

int
gh_template_load(const char *dir, const char *file, size_t max,
    const struct gh_template_names *t, char **text, char *err, size_t errsz)
{
	char	 path[1100];
	char	*buf = NULL;
	int	 n, rc;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		(void)snprintf(err, errsz, "templates_dir is too long");
		return -1;
	}
	if ((rc = read_file(path, max, &buf, err, errsz)) != 0)
		return rc;
	if (gh_template_check(buf, path, t, err, errsz) == -1) {
		free(buf);
		return -1;
	}
	*text = buf;
	return 0;
}

void
gh_template_render(const char *text, const struct gh_template_names *t,
    void (*lit)(void *, const char *, size_t), void (*slot)(void *, size_t),
    void *arg)
{
	const char	*p = text, *open, *close;

	while ((open = strstr(p, "{{")) != NULL &&
	    (close = strstr(open + 2, "}}")) != NULL) {
		lit(arg, p, (size_t)(open - p));
		slot(arg, gh_template_slot(t, open + 2,
		    (size_t)(close - open - 2)));
		p = close + 2;
	}
	lit(arg, p, strlen(p));
}
