/*
 * page: the browser pages (/auth/login, /auth/register, /auth/forgot,
 * /auth/reset, and the message page that says what went wrong or what
 * happened), from templates with named placeholders.
 *
 * A template is HTML with placeholders {{name}}.  Text placeholders take
 * a value, escaped (core/html.h):
 *   {{site_name}}    site_name from the config
 *   {{title}}        the page's heading (the message page's subject)
 *   {{next}}         where the sign-in goes afterwards (a checked path)
 *   {{csrf_token}}   the form's CSRF token (the gh_csrf cookie's value)
 *   {{username}} {{email}} {{full_name}} {{employee_id}} {{phone}}
 *                    what the user typed, kept (never a password)
 *   {{link_href}} {{link_text}}   the message page's way on
 *   {{token}}        the reset page's token (a hidden field, never a link)
 * Block placeholders are HTML built here, every value in it escaped:
 *   {{stylesheets}}  <link> to /auth/gatehouse.css, then site_stylesheet
 *   {{message}}      <p class="gh-message" role="alert">...</p>, or ""
 *   {{register_link}} a link to /auth/register (keeping next) while
 *                    registration is open, else ""
 *   {{error_FIELD}}  for username, email, password, full_name,
 *                    employee_id and phone: <p class="gh-error"
 *                    id="error-FIELD">...</p> when that field was
 *                    refused, else ""
 * Any other {{...}} in a template file is an error at start-up.
 *
 * Promises: the built-in templates are compiled in; with templates_dir,
 * login.html, register.html, message.html, forgot.html and reset.html
 * there replace them, read once at start-up (gh_page_load()): a missing
 * one keeps the built-in page, an unreadable one, one over
 * GH_PAGE_TEMPLATE_MAX bytes or one naming an unknown placeholder stops
 * the program with a message saying which.  No value reaches a page but through gh_html_escape(); nothing
 * a client sent reaches a template's markup.  Pages go out through
 * gh_respond_html() (never cached, framed or sniffed).
 */
#ifndef GH_PAGE_H
#define GH_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/config.h"
#include "core/status.h"
#include "http/http.h"

#define GH_PAGE_TEMPLATE_MAX	(64 * 1024)

enum gh_page {
	GH_PAGE_LOGIN,
	GH_PAGE_REGISTER,
	GH_PAGE_MESSAGE,
	GH_PAGE_FORGOT,
	GH_PAGE_RESET
};

/* What a page is filled with; NULL (or a zeroed struct) for none. */
struct gh_page_values {
	const char		*title;
	const char		*message;
	const char		*next;
	const char		*csrf_token;
	const char		*username, *email, *full_name, *employee_id,
				*phone;
	struct json_object	*errors;	/* field -> sentence */
	const char		*link_href, *link_text;
	const char		*token;
};

/*
 * Reads templates_dir's templates (when set) as the promises say; 0, or
 * -1 with a message in err.
 */
int	gh_page_load(const struct gh_config *, char *err, size_t errsz);

/* Answers status with page filled with v, and headers (may be NULL). */
void	gh_respond_page(struct gh_request *, int status, enum gh_page,
	    const struct gh_page_values *v, const char *const *headers);

/*
 * As gh_respond_page() for a page with a form: v->csrf_token is set to
 * the gh_csrf cookie's value when it holds one of ours, else to a new
 * token whose Set-Cookie goes out with the page (http/cookie.h).
 * headers: at most 4.
 */
void	gh_respond_page_form(struct gh_request *, int status, enum gh_page,
	    struct gh_page_values *v, const char *const *headers);

/* The message page: status, a title and a sentence, a link to go on. */
void	gh_respond_page_message(struct gh_request *, int status,
	    const char *title, const char *message, const char *const *headers);

/* As gh_respond_status(), as a page: 503 to try again, else a logged 500. */
void	gh_respond_page_status(struct gh_request *, enum gh_status);

/* A string member of a parsed form, or NULL. */
const char *gh_page_form_str(struct json_object *form, const char *key);

/*
 * Does form's csrf_token equal the gh_csrf cookie (http/cookie.h)?  1;
 * else answers 403 with the message page (csrf_failed) and returns 0.
 */
int	gh_page_form_csrf(struct gh_request *, struct json_object *form);

/* 303 to location (a checked path), with headers (may be NULL). */
void	gh_respond_page_redirect(struct gh_request *, const char *location,
	    const char *const *headers);

#endif
