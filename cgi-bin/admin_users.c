/*
 * admin_users: the user endpoints of the admin API, under the admin
 * guard of admin.c.  Each reads its input, makes one call to accounts.h
 * (which holds the rules, the last-admin guard among them) and answers.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "core/json.h"
#include "core/str.h"
#include "domain/accounts.h"
#include "domain/users.h"
#include "http/http.h"
#include "http/user_input.h"
#include "http/verify_mail.h"
#include "http/views.h"

#define LIST_LIMIT_DEFAULT	50
#define STR(x)			#x
#define XSTR(x)			STR(x)

static void
add_item(const struct gh_user *u, void *arg)
{
	struct json_object	*items = arg, *item;

	if ((item = gh_view_user(u)) != NULL &&
	    json_object_array_add(items, item) != 0)
		json_object_put(item);
}

/* limit: a whole number from 1 to GH_ACCOUNT_PAGE_MAX, else a 422. */
static void
parse_limit(struct json_object *q, int *limit, struct gh_input_errors *errs)
{
	const char	*s;
	char		*end;
	size_t		 len;
	long		 v;

	*limit = LIST_LIMIT_DEFAULT;
	if (gh_json_string(q, "limit", 0, &s, &len, errs) != 1)
		return;
	v = strtol(s, &end, 10);
	if (len == 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v < 1 ||
	    v > GH_ACCOUNT_PAGE_MAX)
		gh_input_invalid(errs, "limit", "must be a whole number from 1 "
		    "to " XSTR(GH_ACCOUNT_PAGE_MAX));
	else
		*limit = (int)v;
}

/* after: a cursor this server gave out (accounts.h), else a 400. */
static void
parse_cursor(struct json_object *q, struct gh_account_page *pg,
    struct gh_input_errors *errs)
{
	const char	*s;
	size_t		 len;

	memset(pg, 0, sizeof(*pg));
	if (gh_json_string(q, "after", 0, &s, &len, errs) == 1 &&
	    gh_account_cursor_decode(s, len, pg) == -1)
		gh_input_malformed(errs, "after", "is not a cursor this server "
		    "gave out");
}

void
admin_list(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_page	 pg;
	struct json_object	*q, *items = NULL;
	enum gh_status		 st;
	const char		*text = "";
	char			 next[GH_ACCOUNT_CURSOR_MAX];
	size_t			 len;
	int			 limit;

	if ((q = gh_request_query(req)) == NULL)
		return;
	parse_limit(q, &limit, &errs);
	parse_cursor(q, &pg, &errs);
	(void)gh_json_string(q, "q", 0, &text, &len, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if ((items = json_object_new_array()) == NULL) {
		gh_respond_internal(req, "json");
		goto out;
	}
	if ((st = gh_account_list(req->db, &pg, text, limit, add_item,
	    items)) != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	if (!pg.more || gh_account_cursor_encode(&pg, next, sizeof(next)) == -1)
		next[0] = '\0';
	admin_answer_page(req, items, next);
	items = NULL;
out:
	json_object_put(items);
	json_object_put(q);
}

void
admin_create(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_new	 a;
	struct gh_user		 u;
	struct json_object	*body;
	enum gh_status		 st;

	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_user_input_read(req->cfg, body, GH_USER_INPUT_ADMIN, &a,
	    &errs) == -1)
		gh_respond_input_errors(req, &errs);
	else if ((st = gh_account_create(req->db, req->cfg, &a, &u)) != GH_OK)
		gh_user_input_failed(req, st);
	else
		gh_respond_json(req, 201, gh_view_user(&u));
	json_object_put(body);
}

static void
no_such_user(struct gh_request *req)
{
	gh_respond_error(req, 404, "not_found", "There is no such user.");
}

void
admin_get(struct gh_request *req)
{
	struct gh_user		 u;
	enum gh_status		 st;

	if ((st = gh_users_get(req->db, req->param, &u)) == GH_OK)
		gh_respond_json(req, 200, gh_view_user(&u));
	else if (st == GH_NOT_FOUND)
		no_such_user(req);
	else
		gh_respond_status(req, st);
}

void
admin_delete(struct gh_request *req)
{
	enum gh_status		 st;

	st = gh_account_delete(req->db, req->param, 0);
	if (st == GH_OK)
		gh_respond(req, 204, NULL, NULL);
	else if (st == GH_NOT_FOUND)
		no_such_user(req);
	else if (st == GH_LAST_ADMIN)
		gh_respond_error(req, 409, "conflict", "The last active admin "
		    "cannot be deleted.");
	else
		gh_respond_status(req, st);
}

void
admin_patch(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_account_patch	 p;
	struct json_object	*body;
	struct gh_user		 u;
	enum gh_status		 st;
	char			 old_email[sizeof(u.email)];

	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	/* The user comes first: a 404 before any complaint about fields. */
	if ((st = gh_users_get(req->db, req->param, &u)) != GH_OK)
		goto failed;
	if (gh_user_input_patch(req->cfg, body, &u, &p, &errs) == -1) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	/* A new address (not the same in another case) is to be confirmed. */
	memcpy(old_email, u.email, sizeof(old_email));
	if ((st = gh_account_patch(req->db, req->cfg, req->param, &p, 0,
	    &u)) == GH_OK) {
		if (!gh_str_eq_nocase(u.email, strlen(u.email), old_email,
		    strlen(old_email)))
			gh_verify_mail_queue(req, &u);
		gh_respond_json(req, 200, gh_view_user(&u));
		goto out;
	}
failed:
	if (st == GH_NOT_FOUND)
		no_such_user(req);
	else if (st == GH_LAST_ADMIN)
		gh_respond_error(req, 409, "conflict", "The last active admin "
		    "cannot be suspended or lose the admin role.");
	else
		gh_user_input_failed(req, st);
out:
	json_object_put(body);
}
