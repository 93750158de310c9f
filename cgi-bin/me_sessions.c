/*
 * me_sessions: GET /api/auth/sessions, DELETE /api/auth/sessions/{id}
 * and PATCH /api/auth/me: what a signed-in user changes of their own
 * account.  The rules are domain/own.h's; this parses, calls, answers.
 *
 * Promises: only the caller's sessions are listed or ended (another
 * user's is a 404 like an unknown one: the caller learns nothing of it);
 * ending a session kills its tokens as a logout does, the caller's own
 * included; a profile change takes full_name, phone and email alone
 * (any other field is a 422 naming it) and answers the user as it now
 * is; a new email is unverified and queues its verification mail after
 * the response.
 */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "core/json.h"
#include "domain/own.h"
#include "domain/principal.h"
#include "domain/users.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/user_input.h"
#include "http/verify_mail.h"
#include "http/views.h"
#include "me.h"

struct list {
	const char		*current;	/* the caller's sid */
	struct json_object	*items;
	int			 failed;
};

static void
add_session(const struct gh_own_session *s, void *arg)
{
	struct list		*l = arg;
	struct json_object	*o;

	if (l->failed || (o = json_object_new_object()) == NULL) {
		l->failed = 1;
		return;
	}
	if (gh_json_add_string(o, "id", s->id) == -1 ||
	    gh_json_add_string(o, "created_at", s->created_at) == -1 ||
	    gh_json_add_string(o, "last_used_at", s->last_used_at) == -1 ||
	    /* "" (none was recorded) goes out as null. */
	    gh_json_add_string(o, "user_agent", s->user_agent) == -1 ||
	    gh_json_add_string(o, "address", s->address) == -1 ||
	    gh_json_add(o, "current", json_object_new_boolean(
	    strcmp(s->id, l->current) == 0)) == -1 ||
	    json_object_array_add(l->items, o) != 0) {
		json_object_put(o);
		l->failed = 1;
	}
}

void
me_sessions_list(struct gh_request *req)
{
	struct gh_principal	 p;
	struct list		 l;
	enum gh_status		 st;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	l.current = p.claims.sid;
	l.failed = 0;
	if ((l.items = json_object_new_array()) == NULL) {
		gh_respond_internal(req, "the session list");
		return;
	}
	st = gh_own_sessions(req->db, p.user.id, p.claims.sid, add_session,
	    &l);
	if (st != GH_OK) {
		json_object_put(l.items);
		gh_respond_status(req, st);
		return;
	}
	if (l.failed) {
		json_object_put(l.items);
		gh_respond_internal(req, "the session list");
		return;
	}
	gh_respond_json(req, 200, gh_view_items(l.items));
}

static void
no_such_session(struct gh_request *req)
{
	gh_respond_error(req, 404, "not_found", "There is no such session.");
}

void
me_sessions_end(struct gh_request *req)
{
	struct gh_principal	 p;
	enum gh_status		 st;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	st = gh_own_session_end(req->db, p.user.id, p.claims.sid, req->param);
	if (st == GH_OK)
		gh_respond(req, 204, NULL, NULL);
	else if (st == GH_NOT_FOUND)
		no_such_session(req);
	else
		gh_respond_status(req, st);
}

void
me_profile_patch(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_auth_verdict	 v = { GH_AUTH_INVALID,
				    "The session has ended.", GH_OK };
	struct gh_user_patch	 patch;
	struct gh_principal	 p;
	struct json_object	*body;
	struct gh_user		 u;
	enum gh_status		 st;
	bool			 new_email;

	if (gh_auth_current_user(req, &p) == -1)
		return;
	if ((body = gh_request_input(req, GH_INPUT_JSON | GH_INPUT_MERGE)) ==
	    NULL)
		return;
	if (gh_user_input_own(body, &patch, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	st = gh_own_profile_update(req->db, p.user.id, p.claims.sid, &patch,
	    &new_email);
	if (st == GH_OK)
		st = gh_users_get(req->db, p.user.id, &u);
	if (st == GH_NOT_FOUND) {
		/* The session or the user ended since the token's check. */
		gh_auth_deny(req, &v, GH_DENY_FULL);
		goto out;
	}
	if (st != GH_OK) {
		gh_user_input_failed(req, st);
		goto out;
	}
	if (new_email)
		gh_verify_mail_queue(req, &u);
	gh_respond_json(req, 200, gh_view_user(&u));
out:
	json_object_put(body);
}
