/*
 * recovery_pages: the browser's way through a forgotten password,
 * /auth/forgot and /auth/reset.  See recovery_pages.h.
 *
 * The pages make the API's calls (recovery.h): the same per-address
 * count and the same lookup after the response for a forgot request,
 * the same reset.  Only the answers differ: pages, not JSON.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include "core/form.h"
#include "domain/recovery.h"
#include "http/http.h"
#include "http/page.h"
#include "recovery.h"
#include "recovery_pages.h"

/* Without public_base_url there are no links to send: a 503 page. */
static int
pages_configured(struct gh_request *req)
{
	if (req->cfg->public_base_url[0] != '\0')
		return 1;
	gh_respond_page_message(req, 503, "Unavailable", "Account recovery "
	    "is not set up on this server.", NULL);
	return 0;
}

/* A POST's form, configured and with its CSRF token; or NULL, answered. */
static struct json_object *
posted_form(struct gh_request *req)
{
	struct json_object	*form;

	if (!pages_configured(req) ||
	    (form = gh_request_input(req, GH_INPUT_FORM)) == NULL)
		return NULL;
	if (gh_page_form_csrf(req, form))
		return form;
	json_object_put(form);
	return NULL;
}

/* The message page with a link to ask for a new reset link. */
static void
page_bad_link(struct gh_request *req)
{
	struct gh_page_values	 v;

	memset(&v, 0, sizeof(v));
	v.title = "Link not valid";
	v.message = "This reset link is invalid, used or expired.";
	v.link_href = "/auth/forgot";
	v.link_text = "Ask for a new link";
	gh_respond_page(req, 400, GH_PAGE_MESSAGE, &v, NULL);
}

static void
forgot_form(struct gh_request *req, int status, const char *username,
    const char *message, const char *extra)
{
	struct gh_page_values	 v;
	const char		*headers[2] = { extra, NULL };

	memset(&v, 0, sizeof(v));
	v.username = username;
	v.message = message;
	gh_respond_page_form(req, status, GH_PAGE_FORGOT, &v, headers);
}

static void
reset_form(struct gh_request *req, int status, const char *token,
    struct json_object *errors)
{
	struct gh_page_values	 v;

	memset(&v, 0, sizeof(v));
	v.token = token;
	v.errors = errors;
	gh_respond_page_form(req, status, GH_PAGE_RESET, &v, NULL);
}

/* 422: the reset form again, the token kept, why the password was refused. */
static void
refused(struct gh_request *req, const char *token, const char *why)
{
	struct json_object	*errors, *s;

	if ((errors = json_object_new_object()) == NULL ||
	    (s = json_object_new_string(why)) == NULL) {
		json_object_put(errors);
		gh_respond_page_status(req, GH_NOMEM);
		return;
	}
	if (json_object_object_add(errors, "password", s) != 0) {
		json_object_put(s);
		gh_respond_page_status(req, GH_NOMEM);
	} else
		reset_form(req, 422, token, errors);
	json_object_put(errors);
}

void
page_forgot(struct gh_request *req)
{
	if (pages_configured(req))
		forgot_form(req, 200, NULL, NULL, NULL);
}

/*
 * POST /auth/forgot: one answer for every account, known or not; the
 * field is an email when it holds '@', which no username may.
 */
void
page_forgot_post(struct gh_request *req)
{
	struct json_object	*form;
	enum gh_login_field	 field;
	enum gh_status		 st;
	const char		*who;
	char			 line[64];
	long			 retry;

	if ((form = posted_form(req)) == NULL)
		return;
	who = gh_page_form_str(form, "username");
	if (who == NULL || *who == '\0') {
		forgot_form(req, 400, NULL, "Enter your username or email.",
		    NULL);
		goto out;
	}
	field = strchr(who, '@') != NULL ? GH_LOGIN_EMAIL : GH_LOGIN_USERNAME;
	st = recovery_forgot_queue(req, field, who, strlen(who), &retry);
	if (st != GH_OK)
		gh_respond_page_status(req, st);
	else if (retry > 0) {
		(void)snprintf(line, sizeof(line), "Retry-After: %ld", retry);
		forgot_form(req, 429, who, "Too many requests; wait a while, "
		    "then try again.", line);
	} else
		gh_respond_page_message(req, 200, "Check your email", "If an "
		    "account matches, we sent a link to choose a new "
		    "password.  It works once, for a short while.", NULL);
out:
	json_object_put(form);
}

/* GET /auth/reset?token=: the form, the token in its hidden field. */
void
page_reset(struct gh_request *req)
{
	struct json_object	*q;
	const char		*tok;

	if (!pages_configured(req))
		return;
	/* A malformed query is a bad link, not a reason for JSON. */
	q = gh_form_parse(req->query, strlen(req->query));
	tok = gh_page_form_str(q, "token");
	if (tok == NULL || *tok == '\0')
		page_bad_link(req);
	else
		reset_form(req, 200, tok, NULL);
	json_object_put(q);
}

/*
 * POST /auth/reset: the new password, or why not.  No sign-in follows:
 * the user signs in with the new password, which proves they know it.
 */
void
page_reset_post(struct gh_request *req)
{
	struct json_object		*form;
	struct gh_reset			 r;
	enum gh_recovery_outcome	 oc;
	enum gh_password_verdict	 verdict;
	enum gh_status			 st;
	struct gh_page_values		 v;

	if ((form = posted_form(req)) == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.token = gh_page_form_str(form, "token");
	r.password = gh_page_form_str(form, "password");
	if (r.token == NULL || *r.token == '\0') {
		page_bad_link(req);
		goto out;
	}
	if (r.password == NULL || *r.password == '\0') {
		refused(req, r.token, "is required");
		goto out;
	}
	r.token_len = strlen(r.token);
	r.password_len = strlen(r.password);
	st = recovery_reset_run(req, &r, &oc, &verdict);
	if (st != GH_OK)
		gh_respond_page_status(req, st);
	else if (oc == GH_RECOVERY_WEAK_PASSWORD)
		refused(req, r.token, gh_password_verdict_str(verdict));
	else if (oc != GH_RECOVERY_OK)
		page_bad_link(req);
	else {
		memset(&v, 0, sizeof(v));
		v.title = "Password changed";
		v.message = "Your password was changed, and every session "
		    "of the account has ended.  Sign in with the new "
		    "password.";
		v.link_href = "/auth/login";
		v.link_text = "Sign in";
		gh_respond_page(req, 200, GH_PAGE_MESSAGE, &v, NULL);
	}
out:
	json_object_put(form);
}
