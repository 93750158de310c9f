/*
 * login: POST /api/auth/login, /api/auth/refresh and /api/auth/logout:
 * everything that starts, continues or ends a session.  bcrypt makes
 * login CPU-bound, which is why it is a program of its own with a pool of
 * its own: a flood of logins cannot starve token checks elsewhere.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "http/auth.h"
#include "http/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/password.h"
#include "http/serve.h"
#include "domain/sessions.h"
#include "domain/throttle.h"
#include "domain/users.h"
#include "http/views.h"

/* Printable ASCII only, cut to fit: a header is the client's to fill. */
static void
clean_copy(const char *s, char *out, size_t outsz)
{
	size_t	 i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < outsz; s++)
		out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[i] = '\0';
}

static void
answer_bad_grant(struct gh_request *req, const char *why)
{
	gh_respond_error(req, 401, "invalid_grant", why);
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

/* Which identifier the client sent: username, else email, else employee_id. */
static int
read_credentials(struct json_object *body, enum gh_login_field *field,
    const char **id, const char **pw, size_t *pwlen,
    struct gh_input_errors *errs)
{
	size_t	 len;

	if (gh_json_has(body, "username") || (!gh_json_has(body, "email") &&
	    !gh_json_has(body, "employee_id"))) {
		*field = GH_LOGIN_USERNAME;
		(void)gh_json_string(body, "username", GH_FIELD_REQUIRED, id,
		    &len, errs);
	} else if (gh_json_has(body, "email")) {
		*field = GH_LOGIN_EMAIL;
		(void)gh_json_string(body, "email", GH_FIELD_REQUIRED, id,
		    &len, errs);
	} else {
		*field = GH_LOGIN_EMPLOYEE_ID;
		(void)gh_json_string(body, "employee_id", GH_FIELD_REQUIRED,
		    id, &len, errs);
	}
	(void)gh_json_string(body, "password", GH_FIELD_REQUIRED, pw, pwlen,
	    errs);
	return gh_input_failed(errs) ? -1 : 0;
}

/*
 * Checks the password: unknown user, wrong password and suspended user
 * all cost one bcrypt and end the same way.  1 when the login may go on.
 */
static int
password_ok(struct gh_request *req, enum gh_status st,
    const struct gh_user *u, const char *pw, size_t pwlen)
{
	char	 hash[GH_HASH_MAX];

	if (st == GH_NOT_FOUND) {
		gh_password_verify_dummy(pw, pwlen, req->cfg->bcrypt_cost);
		return 0;
	}
	if (gh_password_verify(pw, pwlen, u->password_hash) != 1 || !u->active)
		return 0;
	if (gh_password_needs_rehash(u->password_hash, req->cfg->bcrypt_cost) &&
	    gh_password_hash(pw, pwlen, req->cfg->bcrypt_cost, hash,
	    sizeof(hash)) == 0) {
		/* A failed rehash is tried again at the next login. */
		(void)gh_users_rehash(req->db, u->id, hash);
		OPENSSL_cleanse(hash, sizeof(hash));
	}
	return 1;
}

static const char *const login_kinds[] = {
	[GH_LOGIN_USERNAME] = "username",
	[GH_LOGIN_EMAIL] = "email",
	[GH_LOGIN_EMPLOYEE_ID] = "employee_id",
};

/* Starts the session of a login that passed, and answers with its tokens. */
static void
answer_tokens(struct gh_request *req, const struct gh_user *u,
    const char *addr)
{
	struct gh_token_pair	 pair;
	struct gh_client	 client;
	enum gh_status		 st;
	char			 agent[256];

	clean_copy(gh_request_getenv(req, "HTTP_USER_AGENT"), agent,
	    sizeof(agent));
	client.address = addr;
	client.user_agent = agent;
	st = gh_sessions_start(req->db, req->cfg, req->key, u, &client, &pair);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else
		gh_respond_json(req, 200, gh_view_tokens(&pair));
	OPENSSL_cleanse(&pair, sizeof(pair));
}

static void
handle_login(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body;
	struct gh_user		 u;
	enum gh_login_field	 field;
	enum gh_status		 st;
	const char		*id, *pw;
	char			 addr[64], account[GH_THROTTLE_KEY_MAX];
	size_t			 pwlen;
	long			 wait;

	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	if (!grant_type_ok(req, body, "password"))
		goto out;
	if (read_credentials(body, &field, &id, &pw, &pwlen, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	clean_copy(gh_request_getenv(req, "REMOTE_ADDR"), addr, sizeof(addr));
	st = gh_users_get_for_login(req->db, field, id, &u);
	if (st != GH_OK && st != GH_NOT_FOUND)
		goto dberr;
	gh_throttle_account_key(st == GH_OK ? u.id : NULL,
	    login_kinds[field], id, account, sizeof(account));
	/* Before any password work: a throttled attempt costs no bcrypt. */
	if ((st = gh_throttle_login_check(req->db, req->cfg, account, addr,
	    &wait)) != GH_OK)
		goto dberr;
	if (wait > 0) {
		gh_respond_throttled(req, wait);
		goto out;
	}
	if (!password_ok(req, u.id[0] != '\0' ? GH_OK : GH_NOT_FOUND,
	    &u, pw, pwlen)) {
		if ((st = gh_throttle_login_failed(req->db, account, addr)) !=
		    GH_OK)
			goto dberr;
		answer_bad_grant(req, "The credentials are wrong, or the "
		    "account is not active.");
		goto out;
	}
	if ((st = gh_throttle_login_succeeded(req->db, account)) != GH_OK)
		goto dberr;
	answer_tokens(req, &u, addr);
	goto out;
dberr:
	gh_respond_status(req, st);
out:
	OPENSSL_cleanse(&u, sizeof(u));
	json_object_put(body);
}

static void
handle_refresh(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body;
	struct gh_token_pair	 pair;
	enum gh_refresh_outcome	 outcome;
	enum gh_status		 st;
	const char		*tok;
	size_t			 len;

	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_FORM)) == NULL)
		return;
	if (!grant_type_ok(req, body, "refresh_token"))
		goto out;
	if (gh_json_string(body, "refresh_token", GH_FIELD_REQUIRED, &tok,
	    &len, &errs) != 1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = gh_sessions_refresh(req->db, req->cfg, req->key, tok, len, &pair,
	    &outcome);
	if (st != GH_OK)
		gh_respond_status(req, st);
	else if (outcome == GH_REFRESH_REUSED) {
		gh_log(GH_LOG_WARN, "refresh: a rotated token was reused; "
		    "session %s ended", pair.sid[0] != '\0' ? pair.sid : "?");
		answer_bad_grant(req, "The refresh token was already used; "
		    "its session has been ended.");
	} else if (outcome != GH_REFRESH_OK)
		answer_bad_grant(req, "The refresh token is invalid, expired "
		    "or revoked.");
	else
		gh_respond_json(req, 200, gh_view_tokens(&pair));
	OPENSSL_cleanse(&pair, sizeof(pair));
out:
	json_object_put(body);
}

static void
handle_logout(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_principal	 p;
	struct json_object	*body;
	enum gh_status		 st;
	const char		*tok = NULL;
	size_t			 len = 0;
	bool			 all = false;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "refresh_token", GH_FIELD_NULLABLE, &tok,
	    &len, &errs);
	(void)gh_json_bool(body, "all", GH_FIELD_NULLABLE, &all, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if (all)
		st = gh_sessions_end_all(req->db, p.user.id, "logout_all");
	else if (tok != NULL)
		st = gh_sessions_end_by_refresh(req->db, p.user.id, tok, len);
	else
		st = gh_sessions_end(req->db, p.user.id, p.claims.sid, "logout");
	if (st == GH_NOT_FOUND && tok != NULL)
		answer_bad_grant(req, "That refresh token is not one of yours.");
	else if (st != GH_OK && st != GH_NOT_FOUND)
		gh_respond_status(req, st);
	else
		gh_respond(req, 204, NULL, NULL);
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "POST", "/api/auth/login", handle_login },
	{ "POST", "/api/auth/refresh", handle_refresh },
	{ "POST", "/api/auth/logout", handle_logout },
};

int
main(void)
{
	static const struct gh_program prog = {
		"login", routes, GH_NROUTES(routes), GH_CONFIG_NEED_SECRET,
		NULL, NULL
	};

	return gh_serve(&prog);
}
