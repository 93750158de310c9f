/*
 * page: templates filled, escaped, and sent.  See page.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/html.h"
#include "core/log.h"
#include "core/nextpath.h"
#include "core/template.h"
#include "http/cookie.h"
#include "http/http.h"
#include "http/page.h"

#define HEAD \
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n" \
	"<meta charset=\"utf-8\">\n" \
	"<meta name=\"viewport\" content=\"width=device-width, " \
	"initial-scale=1\">\n"

static const char builtin_login[] = HEAD
	"<title>Sign in - {{site_name}}</title>\n"
	"{{stylesheets}}\n"
	"</head>\n<body>\n<main class=\"gh-card\">\n"
	"<p class=\"gh-site\">{{site_name}}</p>\n"
	"<h1>Sign in</h1>\n"
	"{{message}}\n"
	"<form method=\"post\" action=\"/auth/login\">\n"
	"<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
	"<input type=\"hidden\" name=\"next\" value=\"{{next}}\">\n"
	"<label for=\"username\">Username</label>\n"
	"<input id=\"username\" name=\"username\" type=\"text\" "
	"autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
	"required value=\"{{username}}\">\n"
	"<label for=\"password\">Password</label>\n"
	"<input id=\"password\" name=\"password\" type=\"password\" "
	"autocomplete=\"current-password\" required>\n"
	"<button type=\"submit\">Sign in</button>\n"
	"</form>\n"
	"<p class=\"gh-links\">{{register_link}}"
	"<a href=\"/auth/forgot\">Forgot your password?</a></p>\n"
	"</main>\n</body>\n</html>\n";

#define FIELD(id, label, type, ac, extra) \
	"<label for=\"" id "\">" label "</label>\n" \
	"<input id=\"" id "\" name=\"" id "\" type=\"" type "\" " \
	"autocomplete=\"" ac "\" aria-describedby=\"error-" id "\"" extra \
	" value=\"{{" id "}}\">\n{{error_" id "}}\n"

static const char builtin_register[] = HEAD
	"<title>Create an account - {{site_name}}</title>\n"
	"{{stylesheets}}\n"
	"</head>\n<body>\n<main class=\"gh-card\">\n"
	"<p class=\"gh-site\">{{site_name}}</p>\n"
	"<h1>Create an account</h1>\n"
	"{{message}}\n"
	"<form method=\"post\" action=\"/auth/register\">\n"
	"<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
	"<input type=\"hidden\" name=\"next\" value=\"{{next}}\">\n"
	FIELD("username", "Username", "text", "username",
	    " autocapitalize=\"none\" spellcheck=\"false\" required")
	"<label for=\"password\">Password</label>\n"
	"<input id=\"password\" name=\"password\" type=\"password\" "
	"autocomplete=\"new-password\" aria-describedby=\"error-password\" "
	"required>\n{{error_password}}\n"
	FIELD("email", "Email (optional)", "email", "email", "")
	FIELD("full_name", "Full name (optional)", "text", "name", "")
	FIELD("employee_id", "Employee ID (optional)", "text", "off", "")
	FIELD("phone", "Phone (optional)", "tel", "tel", "")
	"<button type=\"submit\">Create account</button>\n"
	"</form>\n"
	"<p class=\"gh-links\"><a href=\"/auth/login\">Sign in instead</a></p>\n"
	"</main>\n</body>\n</html>\n";

static const char builtin_forgot[] = HEAD
	"<title>Forgot your password - {{site_name}}</title>\n"
	"{{stylesheets}}\n"
	"</head>\n<body>\n<main class=\"gh-card\">\n"
	"<p class=\"gh-site\">{{site_name}}</p>\n"
	"<h1>Forgot your password</h1>\n"
	"{{message}}\n"
	"<form method=\"post\" action=\"/auth/forgot\">\n"
	"<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
	"<label for=\"username\">Username or email</label>\n"
	"<input id=\"username\" name=\"username\" type=\"text\" "
	"autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
	"required value=\"{{username}}\">\n"
	"<button type=\"submit\">Send a reset link</button>\n"
	"</form>\n"
	"<p class=\"gh-links\"><a href=\"/auth/login\">Back to sign-in</a></p>\n"
	"</main>\n</body>\n</html>\n";

/* The token rides in a hidden field: it never goes into a link. */
static const char builtin_reset[] = HEAD
	"<title>Choose a new password - {{site_name}}</title>\n"
	"{{stylesheets}}\n"
	"</head>\n<body>\n<main class=\"gh-card\">\n"
	"<p class=\"gh-site\">{{site_name}}</p>\n"
	"<h1>Choose a new password</h1>\n"
	"{{message}}\n"
	"<form method=\"post\" action=\"/auth/reset\">\n"
	"<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
	"<input type=\"hidden\" name=\"token\" value=\"{{token}}\">\n"
	"<label for=\"password\">New password</label>\n"
	"<input id=\"password\" name=\"password\" type=\"password\" "
	"autocomplete=\"new-password\" aria-describedby=\"error-password\" "
	"required>\n{{error_password}}\n"
	"<button type=\"submit\">Set the password</button>\n"
	"</form>\n"
	"<p class=\"gh-links\"><a href=\"/auth/login\">Back to sign-in</a></p>\n"
	"</main>\n</body>\n</html>\n";

static const char builtin_message[] = HEAD
	"<title>{{title}} - {{site_name}}</title>\n"
	"{{stylesheets}}\n"
	"</head>\n<body>\n<main class=\"gh-card\">\n"
	"<p class=\"gh-site\">{{site_name}}</p>\n"
	"<h1>{{title}}</h1>\n"
	"{{message}}\n"
	"<p class=\"gh-links\"><a href=\"{{link_href}}\">{{link_text}}</a></p>\n"
	"</main>\n</body>\n</html>\n";

/* [enum gh_page]: the file in templates_dir, the page in use. */
static const char *const files[] = {
	"login.html", "register.html", "message.html", "forgot.html",
	"reset.html"
};
static const char *templates[] = {
	builtin_login, builtin_register, builtin_message, builtin_forgot,
	builtin_reset
};

enum slot {
	S_SITE_NAME, S_TITLE, S_NEXT, S_CSRF, S_USERNAME, S_EMAIL,
	S_FULL_NAME, S_EMPLOYEE_ID, S_PHONE, S_LINK_HREF, S_LINK_TEXT,
	S_STYLESHEETS, S_MESSAGE, S_REGISTER_LINK, S_ERROR_USERNAME,
	S_ERROR_PASSWORD, S_ERROR_EMAIL, S_ERROR_FULL_NAME,
	S_ERROR_EMPLOYEE_ID, S_ERROR_PHONE, S_TOKEN, S_COUNT
};

static const char *const slots[S_COUNT] = {
	"site_name", "title", "next", "csrf_token", "username", "email",
	"full_name", "employee_id", "phone", "link_href", "link_text",
	"stylesheets", "message", "register_link", "error_username",
	"error_password", "error_email", "error_full_name",
	"error_employee_id", "error_phone", "token"
};

static const struct gh_template_names	 names = { slots, S_COUNT };

int
gh_page_load(const struct gh_config *cfg, char *err, size_t errsz)
{
	char	*text;
	size_t	 i;
	int	 rc;

	if (cfg->templates_dir[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		text = NULL;
		rc = gh_template_load(cfg->templates_dir, files[i],
		    GH_PAGE_TEMPLATE_MAX, &names, &text, err, errsz);
		if (rc == -1)
			return -1;
		if (rc == 0)
			templates[i] = text;	/* kept for the program's life */
	}
	return 0;
}

static void
raw(struct gh_html *h, const char *s)
{
	gh_html_raw(h, s, strlen(s));
}

static void
stylesheet(struct gh_html *h, const char *href)
{
	raw(h, "<link rel=\"stylesheet\" href=\"");
	gh_html_text(h, href);
	raw(h, "\">");
}

/* <p class="cls"[ id="id"] role="alert">text</p>, or nothing for NULL. */
static void
paragraph(struct gh_html *h, const char *cls, const char *id,
    const char *text)
{
	if (text == NULL)
		return;
	raw(h, "<p class=\"");
	raw(h, cls);
	if (id != NULL) {
		raw(h, "\" id=\"");
		raw(h, id);
	}
	raw(h, "\" role=\"alert\">");
	gh_html_text(h, text);
	raw(h, "</p>");
}

static void
field_error(struct gh_html *h, const struct gh_page_values *v,
    const char *field, const char *id)
{
	struct json_object	*why;

	if (v->errors != NULL &&
	    json_object_object_get_ex(v->errors, field, &why))
		paragraph(h, "gh-error", id, json_object_get_string(why));
}

static void
register_link(struct gh_html *h, const struct gh_request *req,
    const struct gh_page_values *v)
{
	char	 enc[GH_NEXT_PATH_MAX * 3 + 1];

	if (req->cfg->registration != GH_REGISTRATION_OPEN)
		return;
	raw(h, "<a href=\"/auth/register");
	if (v->next != NULL && strcmp(v->next, "/") != 0 &&
	    gh_next_path_encode(v->next, enc, sizeof(enc)) == 0) {
		raw(h, "?next=");
		gh_html_text(h, enc);
	}
	raw(h, "\">Create an account</a> ");
}

static void
fill(struct gh_html *h, const struct gh_request *req,
    const struct gh_page_values *v, enum slot s)
{
	switch (s) {
	case S_SITE_NAME:	gh_html_text(h, req->cfg->site_name); break;
	case S_TITLE:		gh_html_text(h, v->title); break;
	case S_NEXT:		gh_html_text(h, v->next); break;
	case S_CSRF:		gh_html_text(h, v->csrf_token); break;
	case S_USERNAME:	gh_html_text(h, v->username); break;
	case S_EMAIL:		gh_html_text(h, v->email); break;
	case S_FULL_NAME:	gh_html_text(h, v->full_name); break;
	case S_EMPLOYEE_ID:	gh_html_text(h, v->employee_id); break;
	case S_PHONE:		gh_html_text(h, v->phone); break;
	case S_LINK_HREF:	gh_html_text(h, v->link_href); break;
	case S_LINK_TEXT:	gh_html_text(h, v->link_text); break;
	case S_TOKEN:		gh_html_text(h, v->token); break;
	case S_STYLESHEETS:
		stylesheet(h, "/auth/gatehouse.css");
		if (req->cfg->site_stylesheet[0] != '\0')
			stylesheet(h, req->cfg->site_stylesheet);
		break;
	case S_MESSAGE:
		paragraph(h, "gh-message", NULL, v->message);
		break;
	case S_REGISTER_LINK:
		register_link(h, req, v);
		break;
	case S_ERROR_USERNAME:
		field_error(h, v, "username", "error-username");
		break;
	case S_ERROR_PASSWORD:
		field_error(h, v, "password", "error-password");
		break;
	case S_ERROR_EMAIL:
		field_error(h, v, "email", "error-email");
		break;
	case S_ERROR_FULL_NAME:
		field_error(h, v, "full_name", "error-full_name");
		break;
	case S_ERROR_EMPLOYEE_ID:
		field_error(h, v, "employee_id", "error-employee_id");
		break;
	case S_ERROR_PHONE:
		field_error(h, v, "phone", "error-phone");
		break;
	case S_COUNT:
		break;
	}
}

struct render {
	struct gh_html			*h;
	const struct gh_request		*req;
	const struct gh_page_values	*v;
};

static void
render_lit(void *arg, const char *s, size_t len)
{
	gh_html_raw(((struct render *)arg)->h, s, len);
}

static void
render_slot(void *arg, size_t slot)
{
	struct render	*r = arg;

	fill(r->h, r->req, r->v, (enum slot)slot);
}

void
gh_respond_page(struct gh_request *req, int status, enum gh_page page,
    const struct gh_page_values *v, const char *const *headers)
{
	static const struct gh_page_values	 none;
	struct gh_html				 h;
	struct render				 r;

	gh_html_init(&h);
	r.h = &h;
	r.req = req;
	r.v = v != NULL ? v : &none;
	gh_template_render(templates[page], &names, render_lit, render_slot,
	    &r);
	if (h.failed) {
		gh_log(GH_LOG_ERROR, "%s %s: page too large or out of memory",
		    req->method, req->path);
		gh_respond_html(req, 500, "Server error\n", 13, NULL);
	} else
		gh_respond_html(req, status, h.buf, h.len, headers);
	gh_html_free(&h);
}

void
gh_respond_page_form(struct gh_request *req, int status, enum gh_page page,
    struct gh_page_values *v, const char *const *headers)
{
	char		 csrf[GH_CSRF_LEN + 1];
	char		 set[GH_COOKIE_LINE_MAX];
	const char	*all[6];
	size_t		 i, n = 0;

	if (gh_cookie_csrf_form(req, csrf, sizeof(csrf), set,
	    sizeof(set)) == -1) {
		gh_respond_page_status(req, GH_INTERNAL);
		return;
	}
	if (set[0] != '\0')
		all[n++] = set;
	for (i = 0; headers != NULL && headers[i] != NULL &&
	    n + 1 < sizeof(all) / sizeof(all[0]); i++)
		all[n++] = headers[i];
	all[n] = NULL;
	v->csrf_token = csrf;
	gh_respond_page(req, status, page, v, all);
	v->csrf_token = NULL;
}

void
gh_respond_page_message(struct gh_request *req, int status,
    const char *title, const char *message, const char *const *headers)
{
	struct gh_page_values	 v;

	memset(&v, 0, sizeof(v));
	v.title = title;
	v.message = message;
	v.link_href = "/auth/login";
	v.link_text = "Back to sign-in";
	gh_respond_page(req, status, GH_PAGE_MESSAGE, &v, headers);
}

void
gh_respond_page_status(struct gh_request *req, enum gh_status st)
{
	static const char *const retry[] = { GH_RETRY_AFTER_UNAVAILABLE,
		NULL };

	if (gh_respond_failed(req, st) == 503)
		gh_respond_page_message(req, 503, "Unavailable",
		    "The service cannot reach its database; try again "
		    "shortly.", retry);
	else
		gh_respond_page_message(req, 500, "Server error",
		    "The server failed to answer.", NULL);
}

void
gh_respond_page_redirect(struct gh_request *req, const char *location,
    const char *const *headers)
{
	char		 line[GH_NEXT_PATH_MAX + 16];
	const char	*all[8];
	size_t		 i, n = 0;

	(void)snprintf(line, sizeof(line), "Location: %s",
	    gh_next_path(location));
	all[n++] = line;
	for (i = 0; headers != NULL && headers[i] != NULL &&
	    n + 1 < sizeof(all) / sizeof(all[0]); i++)
		all[n++] = headers[i];
	all[n] = NULL;
	gh_respond_html(req, 303, NULL, 0, all);
}

const char *
gh_page_form_str(struct json_object *form, const char *key)
{
	struct json_object	*v;

	if (form == NULL || !json_object_object_get_ex(form, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
gh_page_form_csrf(struct gh_request *req, struct json_object *form)
{
	const char	*tok = gh_page_form_str(form, "csrf_token");

	if (tok != NULL && gh_cookie_csrf_ok(req, tok, strlen(tok)))
		return 1;
	gh_respond_page_message(req, 403, "Form expired",
	    "The form could not be checked (csrf_failed): it is too old or "
	    "came from another page.  Nothing was changed; please try "
	    "again.", NULL);
	return 0;
}
