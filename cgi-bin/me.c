/*
 * me: GET /api/auth/me and POST /api/auth/password, the signed-in user's
 * own account.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "http/auth.h"
#include "http/http.h"
#include "core/json.h"
#include "core/password.h"
#include "http/serve.h"
#include "http/user_input.h"
#include "domain/users.h"
#include "http/views.h"

static void
handle_me(struct gh_request *req)
{
	struct gh_principal	 p;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	gh_respond_json(req, 200, gh_view_user(&p.user));
}

/* Checks the current password against the stored hash: 1 on a match. */
static int
current_password_ok(struct gh_request *req, const struct gh_principal *p,
    const char *pw, size_t len, enum gh_status *st)
{
	struct gh_user	 u;
	int		 ok;

	*st = gh_users_get_for_login(req->db, GH_LOGIN_USERNAME,
	    p->user.username, &u);
	if (*st != GH_OK)
		return 0;
	ok = gh_password_verify(pw, len, u.password_hash) == 1;
	OPENSSL_cleanse(&u, sizeof(u));
	return ok;
}

static void
handle_password(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_principal	 p;
	struct json_object	*body;
	enum gh_status		 st;
	const char		*cur, *new;
	char			 hash[GH_HASH_MAX];
	size_t			 curlen, newlen;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	(void)gh_json_string(body, "current_password", GH_FIELD_REQUIRED, &cur,
	    &curlen, &errs);
	if (gh_json_string(body, "new_password", GH_FIELD_REQUIRED, &new,
	    &newlen, &errs) == 1)
		gh_user_input_check_password(req->cfg, new, newlen,
		    p.user.username, p.user.email, "new_password", &errs);
	if (errs.missing[0] != '\0') {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if (!current_password_ok(req, &p, cur, curlen, &st)) {
		gh_input_errors_free(&errs);
		if (st != GH_OK && st != GH_NOT_FOUND)
			gh_respond_status(req, st);
		else
			gh_respond_error(req, 401, "invalid_grant",
			    "The current password is wrong.");
		goto out;
	}
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if (gh_password_hash(new, newlen, req->cfg->bcrypt_cost, hash,
	    sizeof(hash)) == -1) {
		gh_respond_internal(req, "bcrypt");
		goto out;
	}
	/* The caller's session goes on; every other one ends now. */
	st = gh_users_change_own_password(req->db, p.user.id, p.claims.sid,
	    hash);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (st != GH_OK)
		gh_respond_status(req, st);
	else
		gh_respond(req, 204, NULL, NULL);
out:
	json_object_put(body);
}

static const struct gh_route routes[] = {
	{ "GET", "/api/auth/me", handle_me },
	{ "POST", "/api/auth/password", handle_password },
};

int
main(void)
{
	static const struct gh_program prog = {
		"me", routes, GH_NROUTES(routes), GH_CONFIG_NEED_SECRET,
		NULL, NULL
	};

	return gh_serve(&prog);
}
