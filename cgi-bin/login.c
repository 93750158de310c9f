/*
 * login: POST /api/auth/login, /api/auth/refresh, /api/auth/logout,
 * /api/auth/revoke and /api/auth/password: everything that starts,
 * continues or ends a session, and the own password change (a login's
 * bcrypt and throttle); a forgotten password's forgot and reset
 * (recovery.c: a reset sets a password and ends sessions); and the
 * browser's sign-in and sign-out pages,
 * /auth/login and /auth/logout, which make the same calls and answer
 * with pages and cookies (docs/API.md, "Browser sign-in").  bcrypt makes login CPU-bound, which is why it is
 * a program of its own with a pool of its own: a flood of logins cannot
 * starve token checks elsewhere.  Revocation is here because login is
 * the program whose database role may end a session.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "core/form.h"
#include "core/json.h"
#include "core/log.h"
#include "core/nextpath.h"
#include "core/password.h"
#include "domain/signin.h"
#include "http/after.h"
#include "http/auth.h"
#include "http/cookie.h"
#include "http/http.h"
#include "http/page.h"
#include "http/serve.h"
#include "http/views.h"
#include "recovery.h"
#include "recovery_pages.h"

/* Printable ASCII only, cut to fit: a header is the client's to fill. */
static void
clean_copy(const char *s, char *out, size_t outsz)
{
	size_t	 i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < outsz; s++)
		out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[i] = '\0';
}

/* Where a session starts from: the client's address and agent, cleaned. */
struct origin {
	char	addr[64];
	char	agent[256];
};

/* Appends a failed login's audit row, after its answer went out. */
static void
audit_later(struct gh_db *db, const struct gh_config *cfg, const void *arg,
    size_t len)
{
	struct gh_audit	 a;

	(void)cfg;
	if (len != sizeof(a))
		return;
	memcpy(&a, arg, sizeof(a));
	gh_audit_append(db, &a);
}

/* A login as the API and the sign-in page make it, from req's client. */
static enum gh_status
sign_in(struct gh_request *req, struct gh_login *in, struct gh_signin *out)
{
	struct origin	 o;
	enum gh_status	 st;

	clean_copy(gh_request_client_addr(req), o.addr,
	    sizeof(o.addr));
	clean_copy(gh_request_getenv(req, "HTTP_USER_AGENT"), o.agent,
	    sizeof(o.agent));
	in->client.address = o.addr;
	in->client.user_agent = o.agent;
	st = gh_signin_login(req->db, req->cfg, req->key, in, out);
	/* A failure's row waits for the answer: it adds no round trip. */
	if (st == GH_OK && out->audit_later && gh_after_response(audit_later,
	    &out->audit, sizeof(out->audit)) == -1)
		gh_log(GH_LOG_ERROR, "login: audit row not queued");
	/* o goes with this frame: in must not point at it after. */
	in->client.address = NULL;
	in->client.user_agent = NULL;
	return st;
}

/*
 * Credentials refused.  RFC 9110 15.5.2: every 401 names a scheme to
 * try, so a bad grant carries the bare challenge too (no RFC 6750
 * error: the bearer was not the problem).
 */
static void
answer_bad_grant(struct gh_request *req, const char *why)
{
	static const char *const challenge[] = {
		"WWW-Authenticate: Bearer realm=\"gatehouse\"", NULL
	};

	gh_respond_problem(req, 401, "invalid_grant", why, NULL, challenge);
}

/* OAuth2 clients send grant_type; when present it must be ours. */
static int
grant_type_ok(struct gh_request *req, struct json_object *body,
    const char *want)
{
	struct gh_input_errors	 errs = { 0 };
	const char		*gt;
	size_t			 len;
	int			 rc;

	rc = gh_json_string(body, "grant_type", 0, &gt, &len, &errs);
	if (rc == -1) {
		gh_respond_input_errors(req, &errs);
		return 0;
	}
	if (rc == 1 && strcmp(gt, want) != 0) {
		gh_respond_error(req, 400, "unsupported_grant_type",
		    "This endpoint takes only its own grant_type.");
		return 0;
	}
	return 1;
}

/* RFC 8414 names login the token endpoint: it takes both grants. */
static int
is_grant(struct json_object *body, const char *want)
{
	struct gh_input_errors	 errs = { 0 };
	const char		*gt;
	size_t			 len;

	return gh_json_string(body, "grant_type", 0, &gt, &len, &errs) == 1 &&
	    strcmp(gt, want) == 0;
}

/* Which identifier the client sent: username, else email, else employee_id. */
static int
read_credentials(struct json_object *body, struct gh_login *in,
    struct gh_input_errors *errs)
{
	const char	*key;
	size_t		 len;

	if (gh_json_has(body, "username") || (!gh_json_has(body, "email") &&
	    !gh_json_has(body, "employee_id"))) {
		in->field = GH_LOGIN_USERNAME;
		key = "username";
	} else if (gh_json_has(body, "email")) {
		in->field = GH_LOGIN_EMAIL;
		key = "email";
	} else {
		in->field = GH_LOGIN_EMPLOYEE_ID;
		key = "employee_id";
	}
	(void)gh_json_string(body, key, GH_FIELD_REQUIRED, &in->identifier,
	    &len, errs);
	(void)gh_json_string(body, "password", GH_FIELD_REQUIRED,
	    &in->password, &in->password_len, errs);
	/* RFC 8707's resource, by the name its aud claim will carry. */
	(void)gh_json_string(body, "audience", GH_FIELD_NULLABLE,
	    &in->client.audience, &len, errs);
	return gh_input_failed(errs) ? -1 : 0;
}

/* The answer to a login or a refresh. */
static void
answer(struct gh_request *req, enum gh_status st, const struct gh_signin *out)
{
	if (st != GH_OK) {
		gh_respond_status(req, st);
		return;
	}
	switch (out->outcome) {
	case GH_SIGNIN_OK:
		gh_respond_json(req, 200, gh_view_tokens(&out->tokens));
		return;
	case GH_SIGNIN_THROTTLED:
		gh_respond_throttled(req, out->retry_after);
		return;
	case GH_SIGNIN_BAD_CREDENTIALS:
		answer_bad_grant(req, "The credentials are wrong, or the "
		    "account is not active.");
		return;
	case GH_SIGNIN_REUSED:
		answer_bad_grant(req, "The refresh token was already used; "
		    "its session has been ended.");
		return;
	case GH_SIGNIN_INVALID_TOKEN:
		answer_bad_grant(req, "The refresh token is invalid, expired "
		    "or revoked.");
		return;
	case GH_SIGNIN_EMAIL_NOT_VERIFIED:
		gh_respond_error(req, 403, "email_not_verified", "Confirm "
		    "the account's email address through the link sent to "
		    "it, then sign in.");
		return;
	case GH_SIGNIN_WEAK_PASSWORD:
	case GH_SIGNIN_BAD_AUDIENCE:
		break;
	}
	gh_respond_status(req, GH_INTERNAL);
}

/* The refresh sequence, for /refresh and for login's refresh_token grant. */
static void
refresh_grant(struct gh_request *req, struct json_object *body)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_signin	 out;
	enum gh_status		 st;
	const char		*tok;
	size_t			 len;

	if (gh_json_string(body, "refresh_token", GH_FIELD_REQUIRED, &tok,
	    &len, &errs) != 1) {
		gh_respond_input_errors(req, &errs);
		return;
	}
	st = gh_signin_refresh(req->db, req->cfg, req->key, tok, len, &out);
	answer(req, st, &out);
	OPENSSL_cleanse(&out, sizeof(out));
}

static void
handle_login(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body;
	struct gh_login		 in;
	struct gh_signin	 out;
	enum gh_status		 st;

	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if (is_grant(body, "refresh_token")) {
		refresh_grant(req, body);
		goto out;
	}
	if (!grant_type_ok(req, body, "password"))
		goto out;
	if (read_credentials(body, &in, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = sign_in(req, &in, &out);
	if (st == GH_OK && out.outcome == GH_SIGNIN_BAD_AUDIENCE) {
		gh_input_invalid(&errs, "audience",
		    "is not an audience this service issues tokens for");
		gh_respond_input_errors(req, &errs);
	} else
		answer(req, st, &out);
	OPENSSL_cleanse(&out, sizeof(out));
out:
	json_object_put(body);
}

static void
handle_refresh(struct gh_request *req)
{
	struct json_object	*body;

	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	if (grant_type_ok(req, body, "refresh_token"))
		refresh_grant(req, body);
	json_object_put(body);
}

static void
handle_logout(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_principal	 p;
	struct gh_logout	 lo = { false, NULL, 0 };
	struct gh_signin	 out;
	struct json_object	*body;
	enum gh_status		 st;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "refresh_token", GH_FIELD_NULLABLE,
	    &lo.refresh, &lo.refresh_len, &errs);
	(void)gh_json_bool(body, "all", GH_FIELD_NULLABLE, &lo.all, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = gh_signin_logout(req->db, &p, &lo, &out);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (out.outcome == GH_SIGNIN_INVALID_TOKEN)
		answer_bad_grant(req, "That refresh token is not one of yours.");
	else
		gh_respond(req, 204, NULL, NULL);
out:
	json_object_put(body);
}

/*
 * RFC 7009: the token is the credential, so no bearer is asked for; a
 * well-formed request gets 200 whatever the token was (2.2: an invalid
 * token is no error), so the answer tells nothing of it.
 */
static void
handle_revoke(struct gh_request *req)
{
	struct json_object	*body;
	const char		*tok;
	size_t			 len;
	enum gh_status		 st;

	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	if (gh_auth_token_param(req, body, &tok, &len) == -1)
		goto out;
	if ((st = gh_signin_revoke(req->db, req->key, tok, len)) != GH_OK)
		gh_respond_status(req, st);
	else
		gh_respond(req, 200, NULL, NULL);
out:
	json_object_put(body);
}

/*
 * The own password change is here, not in me: its bcrypt then fills
 * login's pool and never the one that checks tokens, and it shares
 * login's throttle (signin.h).
 */
static void
handle_password(struct gh_request *req)
{
	struct gh_input_errors		 errs = { 0 };
	struct gh_password_change	 pc;
	struct gh_principal		 p;
	struct gh_signin		 out;
	struct json_object		*body;
	enum gh_status			 st;
	char				 addr[64];

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "current_password", GH_FIELD_REQUIRED,
	    &pc.current, &pc.current_len, &errs);
	(void)gh_json_string(body, "new_password", GH_FIELD_REQUIRED, &pc.next,
	    &pc.next_len, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	clean_copy(gh_request_client_addr(req), addr, sizeof(addr));
	pc.address = addr;
	st = gh_signin_change_password(req->db, req->cfg, &p, &pc, &out);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (out.outcome == GH_SIGNIN_THROTTLED)
		gh_respond_throttled(req, out.retry_after);
	else if (out.outcome == GH_SIGNIN_BAD_CREDENTIALS)
		answer_bad_grant(req, "The current password is wrong.");
	else if (out.outcome == GH_SIGNIN_WEAK_PASSWORD) {
		gh_input_invalid(&errs, "new_password",
		    gh_password_verdict_str(out.verdict));
		gh_respond_input_errors(req, &errs);
	} else {
		recovery_notify_changed(&p.user);
		gh_respond(req, 204, NULL, NULL);
	}
out:
	json_object_put(body);
}

/*
 * The browser pages.  They make the API's calls above and answer with
 * pages and the sign-in cookies (http/cookie.h); every form carries the
 * gh_csrf cookie's value, and a POST whose csrf_token is not that value
 * changes nothing.
 */

/* The sign-in form, with message and the extra header line (may be NULL). */
static void
page_login_form(struct gh_request *req, int status, const char *next,
    const char *username, const char *message, bool clear, const char *extra)
{
	struct gh_page_values	 v;
	char			 gone[2][GH_COOKIE_LINE_MAX];
	const char		*headers[4];
	size_t			 n = 0;

	/* A refresh cookie that failed is dead: the browser drops both. */
	if (clear && gh_cookie_set(req->cfg, GH_COOKIE_ACCESS, "", 0, gone[0],
	    sizeof(gone[0])) == 0 && gh_cookie_set(req->cfg, GH_COOKIE_REFRESH,
	    "", 0, gone[1], sizeof(gone[1])) == 0) {
		headers[n++] = gone[0];
		headers[n++] = gone[1];
	}
	if (extra != NULL)
		headers[n++] = extra;
	headers[n] = NULL;
	memset(&v, 0, sizeof(v));
	v.next = next;
	v.username = username;
	v.message = message;
	gh_respond_page_form(req, status, GH_PAGE_LOGIN, &v, headers);
}

/*
 * Signed in: the pair in cookies, a fresh CSRF token (never the one
 * the form came with), and 303 to next.
 */
static void
page_signed_in(struct gh_request *req, const struct gh_token_pair *pair,
    const char *next)
{
	char		 csrf[GH_CSRF_LEN + 1];
	char		 set[3][GH_COOKIE_LINE_MAX];
	const char	*headers[4] = { set[0], set[1], set[2], NULL };

	if (gh_cookie_csrf_new(csrf, sizeof(csrf)) == -1 ||
	    gh_cookie_set(req->cfg, GH_COOKIE_ACCESS, pair->access,
	    pair->expires_in, set[0], sizeof(set[0])) == -1 ||
	    gh_cookie_set(req->cfg, GH_COOKIE_REFRESH, pair->refresh,
	    gh_cookie_max_age(req->cfg), set[1], sizeof(set[1])) == -1 ||
	    gh_cookie_set(req->cfg, GH_COOKIE_CSRF, csrf,
	    gh_cookie_max_age(req->cfg), set[2], sizeof(set[2])) == -1)
		gh_respond_page_status(req, GH_INTERNAL);
	else
		gh_respond_page_redirect(req, next, headers);
	OPENSSL_cleanse(set, sizeof(set));
}

/* Does req carry a gh_access cookie that is live now? */
static bool
access_live(struct gh_request *req)
{
	struct gh_principal	 p;
	const char		*tok, *why;
	size_t			 len;

	return gh_cookie_get(req, GH_COOKIE_ACCESS, &tok, &len) == 0 &&
	    gh_principal_check(req->db, req->key, tok, len, &p, &why) == GH_OK;
}

/*
 * GET /auth/login[?next=]: signed in already (a live gh_access), straight
 * on to next; a gh_refresh cookie rotates, as the API's refresh does, and
 * goes on to next; else (or when that refresh fails) the form.
 */
static void
page_login(struct gh_request *req)
{
	struct json_object	*q;
	struct gh_signin	 out;
	enum gh_status		 st;
	const char		*next, *tok, *msg = NULL;
	size_t			 len;
	bool			 dead = false;

	/* A malformed query is no reason to refuse the form. */
	q = gh_form_parse(req->query, strlen(req->query));
	next = gh_next_path(gh_page_form_str(q, "next"));
	if (access_live(req)) {
		gh_respond_page_redirect(req, next, NULL);
		goto out;
	}
	if (gh_cookie_get(req, GH_COOKIE_REFRESH, &tok, &len) == 0) {
		st = gh_signin_refresh(req->db, req->cfg, req->key, tok, len,
		    &out);
		if (st == GH_OK && out.outcome == GH_SIGNIN_OK)
			page_signed_in(req, &out.tokens, next);
		else if (st != GH_OK)
			gh_respond_page_status(req, st);
		OPENSSL_cleanse(&out, sizeof(out));
		if (req->status != 0)
			goto out;
		dead = true;
		msg = "Your session has ended; please sign in again.";
	}
	if (gh_page_form_str(q, "registered") != NULL)
		msg = "Your account was created; sign in to use it.";
	page_login_form(req, 200, next, NULL, msg, dead, NULL);
out:
	json_object_put(q);
}

/* POST /auth/login: the API's login, answered with cookies and pages. */
static void
page_login_post(struct gh_request *req)
{
	struct json_object	*form;
	struct gh_login		 in;
	struct gh_signin	 out;
	enum gh_status		 st;
	const char		*next;
	char			 retry[64];

	if ((form = gh_request_input(req, GH_INPUT_FORM)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (!gh_page_form_csrf(req, form))
		goto out;
	next = gh_next_path(gh_page_form_str(form, "next"));
	in.field = GH_LOGIN_USERNAME;
	in.identifier = gh_page_form_str(form, "username");
	in.password = gh_page_form_str(form, "password");
	if (in.identifier == NULL || in.password == NULL ||
	    *in.identifier == '\0' || *in.password == '\0') {
		page_login_form(req, 400, next, in.identifier,
		    "Enter your username and password.", false, NULL);
		goto out;
	}
	in.password_len = strlen(in.password);
	if ((st = sign_in(req, &in, &out)) != GH_OK) {
		gh_respond_page_status(req, st);
		goto out;
	}
	switch (out.outcome) {
	case GH_SIGNIN_OK:
		page_signed_in(req, &out.tokens, next);
		break;
	case GH_SIGNIN_THROTTLED:
		(void)snprintf(retry, sizeof(retry), "Retry-After: %ld",
		    out.retry_after > 0 ? out.retry_after : 1);
		page_login_form(req, 429, next, in.identifier, "Too many "
		    "attempts; wait a while, then try again.", false, retry);
		break;
	case GH_SIGNIN_EMAIL_NOT_VERIFIED:
		page_login_form(req, 403, next, in.identifier, "Confirm your "
		    "email address through the link we sent to it, then sign "
		    "in.", false, NULL);
		break;
	default:
		/* One sentence for every failure: it names no field. */
		page_login_form(req, 401, next, in.identifier, "Those "
		    "details are not right, or the account cannot sign in.",
		    false, "WWW-Authenticate: Bearer realm=\"gatehouse\"");
		break;
	}
out:
	OPENSSL_cleanse(&out, sizeof(out));
	json_object_put(form);
}

/*
 * POST /auth/logout: ends the session of the refresh cookie and of the
 * access cookie (as a revocation does: whoever's, so one already gone
 * is no error), clears the three cookies, and 303 to the sign-in page.
 */
static void
page_logout_post(struct gh_request *req)
{
	static const enum gh_cookie	 which[] = { GH_COOKIE_REFRESH,
					    GH_COOKIE_ACCESS };
	struct json_object		*form;
	enum gh_status			 st;
	const char			*tok;
	char				 gone[3][GH_COOKIE_LINE_MAX];
	const char			*headers[4] = { gone[0], gone[1],
					    gone[2], NULL };
	size_t				 i, len;

	if ((form = gh_request_input(req, GH_INPUT_FORM)) == NULL)
		return;
	if (!gh_page_form_csrf(req, form))
		goto out;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		if (gh_cookie_get(req, which[i], &tok, &len) == -1)
			continue;
		if ((st = gh_signin_signout(req->db, req->key, tok,
		    len)) != GH_OK) {
			gh_respond_page_status(req, st);
			goto out;
		}
	}
	if (gh_cookie_set(req->cfg, GH_COOKIE_ACCESS, "", 0, gone[0],
	    sizeof(gone[0])) == -1 || gh_cookie_set(req->cfg,
	    GH_COOKIE_REFRESH, "", 0, gone[1], sizeof(gone[1])) == -1 ||
	    gh_cookie_set(req->cfg, GH_COOKIE_CSRF, "", 0, gone[2],
	    sizeof(gone[2])) == -1)
		gh_respond_page_status(req, GH_INTERNAL);
	else
		gh_respond_page_redirect(req, "/auth/login", headers);
out:
	json_object_put(form);
}

static const struct gh_route routes[] = {
	{ "POST", "/api/auth/login", handle_login },
	{ "POST", "/api/auth/refresh", handle_refresh },
	{ "POST", "/api/auth/logout", handle_logout },
	{ "POST", "/api/auth/password", handle_password },
	{ "POST", "/api/auth/password/forgot", recovery_forgot },
	{ "POST", "/api/auth/password/reset", recovery_reset },
	{ "POST", "/api/auth/revoke", handle_revoke },
	{ "GET", "/auth/login", page_login },
	{ "POST", "/auth/login", page_login_post },
	{ "POST", "/auth/logout", page_logout_post },
	{ "GET", "/auth/forgot", page_forgot },
	{ "POST", "/auth/forgot", page_forgot_post },
	{ "GET", "/auth/reset", page_reset },
	{ "POST", "/auth/reset", page_reset_post },
};

int
main(void)
{
	static const struct gh_program prog = {
		"login", routes, GH_NROUTES(routes),
		GH_CONFIG_NEED_SECRET | GH_CONFIG_NEED_SIGN |
		    GH_CONFIG_NEED_PAGES | GH_CONFIG_NEED_MAIL,
		NULL, NULL, 0
	};

	return gh_serve(&prog);
}
