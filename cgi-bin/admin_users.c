/*
 * admin_users: the user endpoints of the admin API, under the admin
 * guard of admin.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "admin.h"
#include "core/b64url.h"
#include "http/http.h"
#include "core/json.h"
#include "core/password.h"
#include "http/user_input.h"
#include "domain/fields.h"
#include "domain/users.h"
#include "http/views.h"

#define LIST_LIMIT_DEFAULT	50
#define LIST_LIMIT_MAX		200

struct page {
	struct json_object	*items;
	int			 limit;
	int			 n;
	char			 last[GH_USERNAME_MAX + 1];	/* lower case */
};

static void
add_item(const struct gh_user *u, void *arg)
{
	struct page	*pg = arg;
	size_t		 i;

	/* One row past the limit is fetched only to know there is more. */
	if (pg->n++ >= pg->limit)
		return;
	(void)json_object_array_add(pg->items, gh_view_user(u));
	for (i = 0; u->username[i] != '\0'; i++)
		pg->last[i] = (u->username[i] >= 'A' && u->username[i] <= 'Z') ?
		    (char)(u->username[i] + ('a' - 'A')) : u->username[i];
	pg->last[i] = '\0';
}

/* limit: a whole number from 1 to LIST_LIMIT_MAX, else a 422. */
static int
parse_limit(struct json_object *q, int *limit, struct gh_input_errors *errs)
{
	const char	*s;
	char		*end;
	size_t		 len;
	long		 v;

	*limit = LIST_LIMIT_DEFAULT;
	if (gh_json_string(q, "limit", 0, &s, &len, errs) != 1)
		return 0;
	v = strtol(s, &end, 10);
	if (len == 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v < 1 ||
	    v > LIST_LIMIT_MAX) {
		gh_input_invalid(errs, "limit", "must be a whole number from 1 "
		    "to 200");
		return -1;
	}
	*limit = (int)v;
	return 0;
}

/*
 * The cursor is the last username of a page, lower-cased, in base64url:
 * opaque to clients, and anything that is not one is a 400.
 */
static int
parse_cursor(struct json_object *q, char *after, size_t aftersz,
    struct gh_input_errors *errs)
{
	const char	*s;
	size_t		 len;
	long		 n;

	after[0] = '\0';
	if (gh_json_string(q, "after", 0, &s, &len, errs) != 1 || len == 0)
		return 0;
	n = gh_b64url_decode(s, len, (unsigned char *)after, aftersz - 1);
	if (n < 1 || gh_field_check_username(after, (size_t)n) != NULL) {
		gh_input_malformed(errs, "after", "is not a cursor this server "
		    "gave out");
		return -1;
	}
	after[n] = '\0';
	return 0;
}

static struct json_object *
next_cursor(const struct page *pg)
{
	char	 enc[GH_B64URL_ENCODED_LEN(GH_USERNAME_MAX) + 1];

	if (pg->n <= pg->limit ||
	    gh_b64url_encode(pg->last, strlen(pg->last), enc, sizeof(enc)) < 0)
		return NULL;
	return json_object_new_string(enc);
}

void
admin_list(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*q, *body = NULL;
	struct page		 pg;
	enum gh_status		 st;
	const char		*text = "";
	char			 after[GH_USERNAME_MAX + 2];
	size_t			 len;
	int			 rows;

	if ((q = gh_request_query(req)) == NULL)
		return;
	memset(&pg, 0, sizeof(pg));
	(void)parse_limit(q, &pg.limit, &errs);
	(void)parse_cursor(q, after, sizeof(after), &errs);
	(void)gh_json_string(q, "q", 0, &text, &len, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if ((pg.items = json_object_new_array()) == NULL ||
	    (body = json_object_new_object()) == NULL) {
		gh_respond_internal(req, "json");
		goto out;
	}
	st = gh_users_list(req->db, after, text, pg.limit + 1, add_item, &pg,
	    &rows);
	if (st != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	(void)json_object_object_add(body, "items", pg.items);
	pg.items = NULL;
	(void)json_object_object_add(body, "next", next_cursor(&pg));
	gh_respond_json(req, 200, body);
	body = NULL;
out:
	json_object_put(pg.items);
	json_object_put(body);
	json_object_put(q);
}

void
admin_create(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_user_input	 in;
	struct json_object	*body;

	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (gh_user_input_read(req->cfg, body, GH_USER_INPUT_ADMIN, &in,
	    &errs) == -1)
		gh_respond_input_errors(req, &errs);
	else
		gh_user_input_create(req, &in);
	json_object_put(body);
}

/* Loads the route's user into u, answering 404 or 503 when it can't. */
static int
load_user(struct gh_request *req, struct gh_user *u)
{
	enum gh_status		 st;

	if ((st = gh_users_get(req->db, req->param, u)) == GH_OK)
		return 0;
	if (st == GH_NOT_FOUND)
		gh_respond_error(req, 404, "not_found", "There is no such user.");
	else
		gh_respond_status(req, st);
	return -1;
}

void
admin_get(struct gh_request *req)
{
	struct gh_user	 u;

	if (load_user(req, &u) == 0)
		gh_respond_json(req, 200, gh_view_user(&u));
}

void
admin_delete(struct gh_request *req)
{
	enum gh_status		 st;
	long			 admins;

	if ((st = gh_db_begin(req->db)) != GH_OK)
		goto fail;
	if ((st = gh_users_lock_admins(req->db)) != GH_OK ||
	    (st = gh_users_delete(req->db, req->param)) != GH_OK ||
	    (st = gh_users_count_active_admins(req->db, &admins)) != GH_OK)
		goto rollback;
	if (admins == 0) {
		gh_db_rollback(req->db);
		gh_respond_error(req, 409, "conflict", "The last active admin "
		    "cannot be deleted.");
		return;
	}
	if ((st = gh_db_commit(req->db)) != GH_OK)
		goto fail;
	gh_respond(req, 204, NULL, NULL);
	return;
rollback:
	gh_db_rollback(req->db);
fail:
	if (st == GH_NOT_FOUND)
		gh_respond_error(req, 404, "not_found", "There is no such user.");
	else
		gh_respond_status(req, st);
}


/* What a PATCH asks for, read and checked before anything is written. */
struct patch {
	struct gh_user_patch	 fields;
	struct gh_user_input	 roles;		/* roles and has_roles only */
	bool			 set_status, active;
	const char		*password;
	size_t			 password_len;
	char			 hash[GH_HASH_MAX];
};

static void
read_patch(struct gh_request *req, struct json_object *body,
    const struct gh_user *u, struct patch *p, struct gh_input_errors *errs)
{
	struct gh_user_input	 in;
	const char		*status;
	size_t			 len;

	memset(p, 0, sizeof(*p));
	gh_user_input_optional(body, "email", gh_field_check_email,
	    &p->fields.email, &p->fields.set_email, errs);
	gh_user_input_optional(body, "full_name", gh_field_check_full_name,
	    &p->fields.full_name, &p->fields.set_full_name, errs);
	gh_user_input_optional(body, "employee_id", gh_field_check_employee_id,
	    &p->fields.employee_id, &p->fields.set_employee_id, errs);
	gh_user_input_optional(body, "phone", gh_field_check_phone,
	    &p->fields.phone, &p->fields.set_phone, errs);
	if (gh_json_string(body, "status", 0, &status, &len, errs) == 1) {
		p->set_status = true;
		p->active = strcmp(status, "active") == 0;
		if (!p->active && strcmp(status, "suspended") != 0)
			gh_input_invalid(errs, "status",
			    "must be \"active\" or \"suspended\"");
	}
	/* Reuses the creation rules for roles; the rest of in is ignored. */
	memset(&in, 0, sizeof(in));
	gh_user_input_roles(body, &p->roles, errs);
	if (gh_json_string(body, "password", 0, &p->password, &p->password_len,
	    errs) == 1)
		gh_user_input_check_password(req->cfg, p->password,
		    p->password_len, u->username, p->fields.set_email ?
		    p->fields.email : u->email, "password", errs);
}

/* Answers a failed write of a PATCH. */
static void
patch_failed(struct gh_request *req, enum gh_status st, const char *field)
{
	struct json_object	*fields;

	if (st == GH_NOT_FOUND) {
		gh_respond_error(req, 404, "not_found", "There is no such user.");
		return;
	}
	if (st != GH_CONFLICT) {
		gh_respond_status(req, st);
		return;
	}
	fields = json_object_new_object();
	if (strcmp(field, "roles") == 0) {
		if (fields != NULL)
			(void)json_object_object_add(fields, "roles",
			    json_object_new_string("names a role that does "
			    "not exist"));
		gh_respond_fields(req, 422, "validation_failed",
		    "Some fields have invalid values.", fields);
		return;
	}
	if (fields != NULL && *field != '\0')
		(void)json_object_object_add(fields, field,
		    json_object_new_string("is already taken"));
	gh_respond_fields(req, 409, "conflict",
	    "A user with that value already exists.", fields);
}

/* Writes a checked patch inside the caller's transaction. */
static enum gh_status
apply_patch(struct gh_request *req, const struct patch *p)
{
	enum gh_status		 st;

	if ((st = gh_users_lock_admins(req->db)) != GH_OK)
		return st;
	if ((p->fields.set_email || p->fields.set_employee_id ||
	    p->fields.set_full_name || p->fields.set_phone) &&
	    (st = gh_users_update(req->db, req->param, &p->fields)) != GH_OK)
		return st;
	if (p->roles.has_roles && (st = gh_users_set_roles(req->db, req->param,
	    p->roles.roles, p->roles.nroles)) != GH_OK)
		return st;
	if (p->set_status && (st = gh_users_set_active(req->db, req->param,
	    p->active)) != GH_OK)
		return st;
	/* An admin's reset ends every session of the user at once. */
	if (p->password != NULL && (st = gh_users_set_password(req->db,
	    req->param, p->hash, NULL, "password_reset")) != GH_OK)
		return st;
	return GH_OK;
}

void
admin_patch(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct json_object	*body;
	struct gh_user		 u;
	struct patch		 p;
	enum gh_status		 st;
	long			 admins;

	if ((body = gh_request_input(req, GH_INPUT_JSON)) == NULL)
		return;
	if (load_user(req, &u) == -1)
		goto out;
	read_patch(req, body, &u, &p, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	/* bcrypt before the transaction: no lock is held while it runs. */
	if (p.password != NULL && gh_password_hash(p.password, p.password_len,
	    req->cfg->bcrypt_cost, p.hash, sizeof(p.hash)) == -1) {
		gh_respond_internal(req, "bcrypt");
		goto out;
	}
	if ((st = gh_db_begin(req->db)) != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	if ((st = apply_patch(req, &p)) != GH_OK ||
	    (st = gh_users_count_active_admins(req->db, &admins)) != GH_OK) {
		gh_db_rollback(req->db);
		patch_failed(req, st, gh_users_conflict_field(req->db));
		goto out;
	}
	if (admins == 0) {
		gh_db_rollback(req->db);
		gh_respond_error(req, 409, "conflict", "The last active admin "
		    "cannot be suspended or lose the admin role.");
		goto out;
	}
	if ((st = gh_db_commit(req->db)) != GH_OK ||
	    (st = gh_users_get(req->db, req->param, &u)) != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	gh_respond_json(req, 200, gh_view_user(&u));
out:
	OPENSSL_cleanse(&p, sizeof(p));
	json_object_put(body);
}
