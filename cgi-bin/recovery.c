/*
 * recovery: POST /api/auth/password/forgot and /api/auth/password/reset.
 * See recovery.h.
 *
 * The forgot answer is the same 202, at the same speed, for every
 * well-formed request: the account is looked up, its token made and its
 * message sent only after the response is finished, so neither the body
 * nor the time tells whether the account exists.  The per-address count
 * before the answer is the one thing a request waits for, and it is the
 * same for all.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "core/json.h"
#include "core/log.h"
#include "domain/mail.h"
#include "domain/recovery.h"
#include "domain/throttle.h"
#include "http/after.h"
#include "http/http.h"
#include "http/views.h"
#include "recovery.h"

/* What the forgot job needs: which identifier, and its value. */
struct forgot_job {
	enum gh_login_field	 field;
	char			 value[GH_EMAIL_MAX + 1];
};

/* The notice's recipient. */
struct changed_job {
	char	to[GH_EMAIL_MAX + 1];
	char	username[GH_USERNAME_MAX + 1];
};

static int
recovery_configured(struct gh_request *req)
{
	if (req->cfg->public_base_url[0] != '\0')
		return 1;
	gh_respond_error(req, 503, "unavailable", "Account recovery needs "
	    "public_base_url, which this server does not set.");
	return 0;
}

/* After the response: the token and the message, if there is an account. */
static void
forgot_job(struct gh_db *db, const struct gh_config *cfg, const void *arg,
    size_t len)
{
	const struct forgot_job		*j = arg;
	struct gh_onetime		 t;
	enum gh_recovery_outcome	 oc;
	enum gh_status			 st;

	if (len != sizeof(*j))
		return;
	st = gh_recovery_forgot(db, cfg, j->field, j->value, &t, &oc);
	if (st != GH_OK)
		gh_log(GH_LOG_ERROR, "recovery: no reset token: %s",
		    gh_status_str(st));
	else if (oc == GH_RECOVERY_LIMITED)
		gh_log(GH_LOG_INFO, "recovery: %s had reset_max_per_hour "
		    "reset messages this hour; no more sent", t.username);
	else if (oc == GH_RECOVERY_OK)
		(void)gh_recovery_mail(cfg, GH_MAIL_RESET, "/auth/reset", &t);
	OPENSSL_cleanse(&t, sizeof(t));
}

static void
changed_job(struct gh_db *db, const struct gh_config *cfg, const void *arg,
    size_t len)
{
	const struct changed_job	*j = arg;
	struct gh_mail			 m;

	(void)db;
	if (len != sizeof(*j))
		return;
	m.kind = GH_MAIL_PASSWORD_CHANGED;
	m.to = j->to;
	m.username = j->username;
	m.link = NULL;
	(void)gh_mail_send(cfg, &m);
}

void
recovery_notify_changed(const struct gh_user *u)
{
	struct changed_job	 j;

	if (u->email[0] == '\0')
		return;
	memset(&j, 0, sizeof(j));
	(void)snprintf(j.to, sizeof(j.to), "%s", u->email);
	(void)snprintf(j.username, sizeof(j.username), "%s", u->username);
	if (gh_after_response(changed_job, &j, sizeof(j)) == -1)
		gh_log(GH_LOG_ERROR, "recovery: no room to queue a notice");
}

/* The identifier of a forgot request: username, else email (required). */
static int
read_identifier(struct json_object *body, enum gh_login_field *field,
    const char **s, size_t *len, struct gh_input_errors *errs)
{
	const char	*key;

	if (gh_json_has(body, "username")) {
		*field = GH_LOGIN_USERNAME;
		key = "username";
	} else {
		*field = GH_LOGIN_EMAIL;
		key = "email";
	}
	return gh_json_string(body, key, GH_FIELD_REQUIRED, s, len, errs) ==
	    1 ? 0 : -1;
}

enum gh_status
recovery_forgot_queue(struct gh_request *req, enum gh_login_field field,
    const char *value, size_t len, long *retry)
{
	struct forgot_job	 j;
	enum gh_status		 st;

	st = gh_throttle_forgot_attempt(req->db, req->cfg,
	    gh_request_client_addr(req), retry);
	if (st != GH_OK || *retry > 0)
		return st;
	/* Longer than any account's: well-formed, and nobody's. */
	if (len >= sizeof(j.value) || memchr(value, '\0', len) != NULL)
		return GH_OK;
	memset(&j, 0, sizeof(j));
	j.field = field;
	memcpy(j.value, value, len);
	if (gh_after_response(forgot_job, &j, sizeof(j)) == -1)
		gh_log(GH_LOG_ERROR, "recovery: no room to queue a reset");
	return GH_OK;
}

void
recovery_forgot(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body;
	enum gh_login_field	 field;
	enum gh_status		 st;
	const char		*s;
	size_t			 len;
	long			 retry;

	if (!recovery_configured(req))
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) ==
	    NULL)
		return;
	if (read_identifier(body, &field, &s, &len, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = recovery_forgot_queue(req, field, s, len, &retry);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (retry > 0)
		gh_respond_throttled(req, retry);
	else
		gh_respond_json(req, 202, gh_view_accepted());
out:
	json_object_put(body);
}

enum gh_status
recovery_reset_run(struct gh_request *req, const struct gh_reset *r,
    enum gh_recovery_outcome *oc, enum gh_password_verdict *verdict)
{
	struct gh_onetime	 who;
	struct gh_user		 u;
	enum gh_status		 st;

	st = gh_recovery_reset(req->db, req->cfg, r, &who, oc, verdict);
	if (st == GH_OK && *oc == GH_RECOVERY_OK) {
		memset(&u, 0, sizeof(u));
		(void)snprintf(u.email, sizeof(u.email), "%s", who.email);
		(void)snprintf(u.username, sizeof(u.username), "%s",
		    who.username);
		recovery_notify_changed(&u);
	}
	return st;
}

void
recovery_reset(struct gh_request *req)
{
	struct gh_input_errors		 errs = { 0 };
	struct gh_reset			 r;
	struct json_object		*body;
	enum gh_recovery_outcome	 oc;
	enum gh_password_verdict	 verdict;
	enum gh_status			 st;

	if (!recovery_configured(req))
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "token", GH_FIELD_REQUIRED, &r.token,
	    &r.token_len, &errs);
	(void)gh_json_string(body, "new_password", GH_FIELD_REQUIRED,
	    &r.password, &r.password_len, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = recovery_reset_run(req, &r, &oc, &verdict);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (oc == GH_RECOVERY_WEAK_PASSWORD) {
		gh_input_invalid(&errs, "new_password",
		    gh_password_verdict_str(verdict));
		gh_respond_input_errors(req, &errs);
	} else if (oc != GH_RECOVERY_OK)
		gh_respond_error(req, 400, "invalid_grant", "The reset link "
		    "is invalid, used or expired.");
	else
		gh_respond(req, 204, NULL, NULL);
out:
	json_object_put(body);
}
