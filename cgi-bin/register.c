/*
 * register: POST /api/auth/register, and the sign-up page /auth/register
 * (docs/API.md, "Browser sign-in").  Anyone may create an account with
 * the default role, unless registration is closed in the config.  It
 * signs and checks no token, so it needs no JWT secret; nor does it start
 * a session: the page sends the new user on to the sign-in page.  A new
 * account with an email is sent a verification link after the response,
 * and POST /api/auth/email/verify confirms the address by it.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/form.h"
#include "core/log.h"
#include "core/json.h"
#include "core/nextpath.h"
#include "domain/accounts.h"
#include "domain/recovery.h"
#include "domain/throttle.h"
#include "domain/users.h"
#include "http/http.h"
#include "http/page.h"
#include "http/serve.h"
#include "http/user_input.h"
#include "http/verify_mail.h"
#include "http/views.h"
#include "recovery_pages.h"

/*
 * Counts the attempt (before any password work, whatever comes of it),
 * then creates the account: GH_OK with *wait > 0 when throttled, else
 * gh_account_create()'s status.
 */
static enum gh_status
create(struct gh_request *req, const struct gh_account_new *a,
    struct gh_user *u, long *wait)
{
	struct gh_account_new	 own;
	const char		*addr;
	enum gh_status		 st;

	if ((addr = gh_request_client_addr(req)) == NULL)
		addr = "";
	*wait = 0;
	if ((st = gh_throttle_register_attempt(req->db, req->cfg, addr,
	    wait)) != GH_OK || *wait > 0)
		return st;
	own = *a;
	own.registered = true;
	return gh_account_create(req->db, req->cfg, &own, u);
}

static void
handle_register(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_new	 a;
	struct gh_user		 u;
	struct json_object	*body;
	enum gh_status		 st;
	long			 wait;

	if (req->cfg->registration == GH_REGISTRATION_CLOSED) {
		gh_respond_error(req, 403, "registration_closed",
		    "Registration is closed; ask an administrator for an "
		    "account.");
		return;
	}
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_user_input_read(req->cfg, body, 0, &a, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = create(req, &a, &u, &wait);
	if (st == GH_OK && wait > 0)
		gh_respond_throttled(req, wait);
	else if (st != GH_OK)
		gh_user_input_failed(req, st);
	else {
		gh_verify_mail_queue(req, &u);
		gh_respond_json(req, 201, gh_view_user(&u));
	}
out:
	json_object_put(body);
}

/*
 * POST /api/auth/email/verify: confirms the address a link went to, while
 * it is still the user's; 200 with the user.
 */
static void
handle_verify(struct gh_request *req)
{
	struct gh_input_errors		 errs = { 0 };
	struct gh_user			 u;
	struct json_object		*body;
	enum gh_recovery_outcome	 oc;
	enum gh_status			 st;
	const char			*tok;
	char				 uid[GH_UUID_LEN + 1];
	size_t				 len;

	if (req->cfg->public_base_url[0] == '\0') {
		gh_respond_error(req, 503, "unavailable", "Email "
		    "verification needs public_base_url, which this server "
		    "does not set.");
		return;
	}
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_json_string(body, "token", GH_FIELD_REQUIRED, &tok, &len,
	    &errs) != 1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if ((st = gh_recovery_verify(req->db, tok, len, uid, &oc)) == GH_OK &&
	    oc == GH_RECOVERY_OK)
		st = gh_users_get(req->db, uid, &u);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (oc != GH_RECOVERY_OK)
		gh_respond_error(req, 400, "invalid_grant", "The verification "
		    "link is invalid, used or expired.");
	else
		gh_respond_json(req, 200, gh_view_user(&u));
out:
	json_object_put(body);
}

/* The pages. */

static int
page_closed(struct gh_request *req)
{
	if (req->cfg->registration != GH_REGISTRATION_CLOSED)
		return 0;
	gh_respond_page_message(req, 403, "Registration is closed",
	    "This site does not take new accounts; ask an administrator for "
	    "one.", NULL);
	return 1;
}

/*
 * The sign-up form: what was typed (form, may be NULL; never the
 * password), errors next to their fields, and the extra header line.
 */
static void
page_form(struct gh_request *req, int status, struct json_object *form,
    const char *message, struct json_object *errors, const char *extra)
{
	struct gh_page_values	 v;
	const char		*headers[2] = { extra, NULL };

	memset(&v, 0, sizeof(v));
	v.next = gh_next_path(gh_page_form_str(form, "next"));
	v.username = gh_page_form_str(form, "username");
	v.email = gh_page_form_str(form, "email");
	v.full_name = gh_page_form_str(form, "full_name");
	v.employee_id = gh_page_form_str(form, "employee_id");
	v.phone = gh_page_form_str(form, "phone");
	v.message = message;
	v.errors = errors;
	gh_respond_page_form(req, status, GH_PAGE_REGISTER, &v, headers);
}

/* GET /auth/register[?next=]. */
static void
page_register(struct gh_request *req)
{
	struct json_object	*q;

	if (page_closed(req))
		return;
	/* A malformed query is no reason to refuse the form. */
	q = gh_form_parse(req->query, strlen(req->query));
	page_form(req, 200, q, NULL, NULL, NULL);
	json_object_put(q);
}

/* The field errors of errs, as one object (taken from errs). */
static struct json_object *
errors_of(struct gh_input_errors *errs)
{
	struct json_object	*f;

	f = errs->fields != NULL ? errs->fields : json_object_new_object();
	errs->fields = NULL;
	if (f != NULL && errs->missing[0] != '\0')
		(void)gh_json_add(f, errs->missing, json_object_new_string(
		    errs->missing_why != NULL ? errs->missing_why :
		    "is required"));
	return f;
}

static void
page_registered(struct gh_request *req, const char *next)
{
	char	 enc[GH_NEXT_PATH_MAX * 3 + 1], to[GH_NEXT_PATH_MAX + 64];
	int	 n;

	if (gh_next_path_encode(next, enc, sizeof(enc)) == -1)
		enc[0] = '\0';
	n = snprintf(to, sizeof(to), "/auth/login?registered=1&next=%s", enc);
	if (n < 0 || (size_t)n >= sizeof(to))
		(void)snprintf(to, sizeof(to), "/auth/login?registered=1");
	gh_respond_page_redirect(req, to, NULL);
}

/* POST /auth/register: the API's sign-up, answered with pages. */
static void
page_register_post(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_new	 a;
	struct gh_user		 u;
	struct json_object	*form, *bad;
	enum gh_status		 st;
	const char		*field;
	char			 retry[64];
	long			 wait;

	if (page_closed(req) ||
	    (form = gh_request_input(req, GH_INPUT_FORM)) == NULL)
		return;
	if (!gh_page_form_csrf(req, form))
		goto out;
	if (gh_user_input_read(req->cfg, form, 0, &a, &errs) == -1) {
		bad = errors_of(&errs);
		page_form(req, errs.missing[0] != '\0' ? 400 : 422, form,
		    "Some fields need another look.", bad, NULL);
		json_object_put(bad);
		gh_input_errors_free(&errs);
		goto out;
	}
	st = create(req, &a, &u, &wait);
	if (st == GH_OK && wait > 0) {
		(void)snprintf(retry, sizeof(retry), "Retry-After: %ld", wait);
		page_form(req, 429, form, "Too many sign-ups from here; wait "
		    "a while, then try again.", NULL, retry);
	} else if (st == GH_CONFLICT) {
		field = gh_users_conflict_field(req->db);
		bad = json_object_new_object();
		if (bad != NULL && *field != '\0')
			(void)gh_json_add(bad, field,
			    json_object_new_string("is already taken"));
		page_form(req, 409, form, "Some fields need another look.",
		    bad, NULL);
		json_object_put(bad);
	} else if (st != GH_OK)
		gh_respond_page_status(req, st);
	else {
		gh_verify_mail_queue(req, &u);
		page_registered(req,
		    gh_next_path(gh_page_form_str(form, "next")));
	}
out:
	json_object_put(form);
}

static const struct gh_route routes[] = {
	{ "POST", "/api/auth/register", handle_register },
	{ "POST", "/api/auth/email/verify", handle_verify },
	{ "GET", "/auth/register", page_register },
	{ "POST", "/auth/register", page_register_post },
	{ "GET", "/auth/verify", page_verify },
};

int
main(void)
{
	static const struct gh_program prog = {
		"register", routes, GH_NROUTES(routes),
		GH_CONFIG_NEED_PAGES | GH_CONFIG_NEED_MAIL, NULL, NULL, 0
	};

	return gh_serve(&prog);
}
