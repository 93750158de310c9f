/*
 * html: building an HTML page in memory, and the one way a value is
 * written into one.
 *
 * Promises: gh_html_escape() is the only function that puts a value (a
 * name, a message, anything a client or a config file said) into a page;
 * it writes & < > " ' as character references, so a value is text in an
 * element and in a quoted attribute alike, never markup; it writes a
 * control character (but tab and newline), DEL or a byte that is not part
 * of valid UTF-8 as U+FFFD, so what it writes is valid UTF-8 without
 * controls whatever it is given.  A page grows on the heap up to
 * GH_HTML_MAX bytes and no further: past it, or when memory runs out,
 * the page is marked failed, keeps what it had, and takes nothing more,
 * so a page is either whole or known to be broken, never cut quietly.
 */
#ifndef GH_HTML_H
#define GH_HTML_H

#include <stdbool.h>
#include <stddef.h>

#define GH_HTML_MAX	(256 * 1024)

struct gh_html {
	char	*buf;		/* NUL-terminated when not NULL */
	size_t	 len;
	size_t	 cap;
	bool	 failed;	/* over GH_HTML_MAX, or out of memory */
};

/* An empty page; a zeroed struct gh_html is one too. */
void	gh_html_init(struct gh_html *);

/* Appends s[0..len) as it is: markup of our own, never a value. */
void	gh_html_raw(struct gh_html *, const char *s, size_t len);

/* Appends the value s[0..len) as text (the promises above). */
void	gh_html_escape(struct gh_html *, const char *s, size_t len);

/* As gh_html_escape() for a NUL-terminated value; NULL writes nothing. */
void	gh_html_text(struct gh_html *, const char *s);

/* Frees the page's buffer; the page is empty again. */
void	gh_html_free(struct gh_html *);

#endif
