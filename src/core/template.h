/*
 * template: text with named placeholders {{name}}, read once from a file
 * and filled by the caller: the one substitution the HTML pages
 * (http/page.c) and the mail bodies (domain/mail.c) share.
 *
 * Promises: a template file is a regular file of at most the caller's
 * limit, with no NUL byte, whose every "{{...}}" names one of the
 * caller's placeholders; anything else is refused with a message naming
 * the file and what is wrong.  gh_template_render() hands the text
 * between placeholders to one callback and each placeholder's index to
 * another, in order, and never looks at what they write: escaping is the
 * caller's.
 */
#ifndef GH_TEMPLATE_H
#define GH_TEMPLATE_H

#include <stddef.h>

/* The longest placeholder name. */
#define GH_TEMPLATE_NAME_MAX	32

struct gh_template_names {
	const char *const	*names;
	size_t			 n;
};

/* The index of the placeholder name[0..len) in names, or names->n. */
size_t	gh_template_slot(const struct gh_template_names *, const char *name,
	    size_t len);

/*
 * Checks every placeholder of text (from file, for the message): 0, or
 * -1 with the first unknown one (or an unclosed "{{") in err.
 */
int	gh_template_check(const char *text, const char *file,
	    const struct gh_template_names *, char *err, size_t errsz);

/*
 * Reads dir/file as the promises say into *text (a new string, kept by
 * the caller for the life of the program): 0; 1 when there is no such
 * file (*text untouched); -1 with err set.
 */
int	gh_template_load(const char *dir, const char *file, size_t max,
	    const struct gh_template_names *, char **text, char *err,
	    size_t errsz);

/*
 * Walks text (checked): lit(arg, s, len) for each run of plain text,
 * slot(arg, index) for each placeholder.
 */
void	gh_template_render(const char *text, const struct gh_template_names *,
	    void (*lit)(void *, const char *, size_t),
	    void (*slot)(void *, size_t), void *arg);

#endif
