/*
 * accounts: account changes with the last-admin guard.  See accounts.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64url.h"
#include "core/log.h"
#include "core/password.h"
#include "core/str.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "domain/fields.h"
#include "domain/users.h"

/* A change run inside the guard's transaction. */
typedef enum gh_status	 change_fn(struct gh_db *, const char *id,
			    const void *arg);

/* A patch and the hash of its new password, if it has one. */
struct patch_arg {
	const struct gh_account_patch	*p;
	const char			*hash;
};

/* An audit row about u, inside the change's transaction when it has one. */
static enum gh_status
audit_row(struct gh_db *db, enum gh_audit_event e, const struct gh_user *u,
    const char *key, const char *value)
{
	struct gh_audit	 a;

	gh_audit_init(&a, e, true, u->id, NULL);
	gh_audit_detail(&a, "username", u->username);
	gh_audit_detail(&a, key, value);
	return gh_audit_write(db, &a);
}

/* audit_row() for user id, read for its name (the row outlives it). */
static enum gh_status
id_row(struct gh_db *db, enum gh_audit_event e, const char *id,
    const char *key, const char *value)
{
	struct gh_user	 u;
	enum gh_status	 st;

	if ((st = gh_users_get(db, id, &u)) != GH_OK)
		return st;
	return audit_row(db, e, &u, key, value);
}

/* id_row() for a change already committed: a lost row is logged. */
static void
id_row_after(struct gh_db *db, enum gh_audit_event e, const char *id,
    const char *key, const char *value)
{
	struct gh_user	 u;
	struct gh_audit	 a;

	if (gh_users_get(db, id, &u) != GH_OK)
		u.username[0] = '\0';
	gh_audit_init(&a, e, true, id, NULL);
	gh_audit_detail(&a, "username", u.username[0] != '\0' ?
	    u.username : NULL);
	gh_audit_detail(&a, key, value);
	gh_audit_append(db, &a);
}

/* Joins names with commas into out; "" when they do not fit. */
static void
join_names(const char *const *names, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;
	int	 w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + o, outsz - o, "%s%s", i > 0 ? "," : "",
		    names[i]);
		if (w < 0 || (size_t)w >= outsz - o) {
			out[0] = '\0';
			return;
		}
		o += (size_t)w;
	}
}

static bool
holds(const char *const *names, size_t n, const char *role)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], role) == 0)
			return true;
	return false;
}

static int
hash_password(const struct gh_config *cfg, const char *pw, size_t len,
    char *hash, size_t hashsz)
{
	if (gh_password_hash(pw, len, cfg->bcrypt_cost, hash, hashsz) == -1) {
		gh_log(GH_LOG_ERROR, "accounts: bcrypt failed");
		return -1;
	}
	return 0;
}

/*
 * Runs fn in a transaction under the admin lock, and rolls it back when
 * it would leave no active admin where there was one.
 */
static enum gh_status
guarded(struct gh_db *db, const char *id, change_fn *fn, const void *arg,
    int flags)
{
	enum gh_status		 st;
	long			 before, after;

	if ((st = gh_db_begin(db)) != GH_OK)
		return st;
	if ((st = gh_users_lock_admins(db)) != GH_OK ||
	    (st = gh_users_count_active_admins(db, &before)) != GH_OK ||
	    (st = fn(db, id, arg)) != GH_OK ||
	    (st = gh_users_count_active_admins(db, &after)) != GH_OK)
		goto rollback;
	if (before > 0 && after == 0 && !(flags & GH_ACCOUNT_FORCE)) {
		st = GH_LAST_ADMIN;
		goto rollback;
	}
	return gh_db_commit(db);
rollback:
	gh_db_rollback(db);
	return st;
}

enum gh_status
gh_account_create(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_account_new *a, struct gh_user *u)
{
	static const char *const default_roles[] = { GH_ACCOUNT_DEFAULT_ROLE };
	char			 hash[GH_HASH_MAX];
	char			 roles[GH_ROLES_MAX * (GH_ROLE_NAME_MAX + 1)];
	struct gh_user_new	 n;
	enum gh_status		 st;

	memset(u, 0, sizeof(*u));
	memset(&n, 0, sizeof(n));
	n.username = a->username;
	n.email = a->email;
	n.employee_id = a->employee_id;
	n.full_name = a->full_name;
	n.phone = a->phone;
	/* A taken name costs no bcrypt: the 409 is cheap to answer. */
	if ((st = gh_users_identifiers_free(db, &n)) != GH_OK)
		return st;
	if (hash_password(cfg, a->password, a->password_len, hash,
	    sizeof(hash)) == -1)
		return GH_INTERNAL;
	n.password_hash = hash;
	n.suspended = a->suspended;
	n.roles = a->roles.given ? a->roles.names : default_roles;
	n.nroles = a->roles.given ? a->roles.n : 1;
	st = gh_users_create(db, &n, u);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (st == GH_OK) {
		join_names(n.roles, n.nroles, roles, sizeof(roles));
		gh_audit_record(db, a->registered ? GH_AUDIT_USER_REGISTERED :
		    GH_AUDIT_USER_CREATED, u->id, u->username, "roles", roles);
	}
	return st;
}

/* The rows of a patch: what it changed of old, the user before it. */
static enum gh_status
patch_rows(struct gh_db *db, const struct gh_user *old,
    const struct gh_account_patch *p, bool password)
{
	const struct gh_user_patch	*f = &p->fields;
	const char			*had[GH_ROLES_MAX], *set[5];
	char				 fields[64];
	enum gh_status			 st = GH_OK;
	size_t				 i, n = 0;

	if (f->set_email)
		set[n++] = "email";
	if (f->set_employee_id)
		set[n++] = "employee_id";
	if (f->set_full_name)
		set[n++] = "full_name";
	if (f->set_phone)
		set[n++] = "phone";
	join_names(set, n, fields, sizeof(fields));
	if (n > 0 && (st = audit_row(db, GH_AUDIT_USER_UPDATED, old, "fields",
	    fields)) != GH_OK)
		return st;
	if (p->set_status && p->active != old->active && (st = audit_row(db,
	    p->active ? GH_AUDIT_USER_UPDATED : GH_AUDIT_USER_SUSPENDED, old,
	    "status", p->active ? "active" : "suspended")) != GH_OK)
		return st;
	for (i = 0; i < old->nroles; i++)
		had[i] = old->roles[i];
	for (i = 0; p->roles.given && i < p->roles.n && st == GH_OK; i++)
		if (!holds(had, old->nroles, p->roles.names[i]))
			st = audit_row(db, GH_AUDIT_ROLE_GRANTED, old, "role",
			    p->roles.names[i]);
	for (i = 0; p->roles.given && i < old->nroles && st == GH_OK; i++)
		if (!holds(p->roles.names, p->roles.n, had[i]))
			st = audit_row(db, GH_AUDIT_ROLE_REVOKED, old, "role",
			    had[i]);
	if (st == GH_OK && password)
		st = audit_row(db, GH_AUDIT_PASSWORD_CHANGED, old, "reason",
		    "set_by_admin");
	return st;
}

static enum gh_status
apply_patch(struct gh_db *db, const char *id, const void *arg)
{
	const struct patch_arg		*pa = arg;
	const struct gh_account_patch	*p = pa->p;
	struct gh_user			 old;
	enum gh_status			 st;

	if ((st = gh_users_get(db, id, &old)) != GH_OK)
		return st;
	if ((p->fields.set_email || p->fields.set_employee_id ||
	    p->fields.set_full_name || p->fields.set_phone) &&
	    (st = gh_users_update(db, id, &p->fields)) != GH_OK)
		return st;
	if (p->roles.given && (st = gh_users_set_roles(db, id, p->roles.names,
	    p->roles.n)) != GH_OK)
		return st;
	if (p->set_status && (st = gh_users_set_active(db, id,
	    p->active)) != GH_OK)
		return st;
	/* An admin's reset ends every session of the user at once. */
	if (pa->hash != NULL && (st = gh_users_set_password(db, id, pa->hash,
	    NULL, "password_reset")) != GH_OK)
		return st;
	return patch_rows(db, &old, p, pa->hash != NULL);
}

enum gh_status
gh_account_patch(struct gh_db *db, const struct gh_config *cfg,
    const char *id, const struct gh_account_patch *p, int flags,
    struct gh_user *u)
{
	char			 hash[GH_HASH_MAX];
	struct patch_arg	 pa;
	enum gh_status		 st;

	pa.p = p;
	pa.hash = NULL;
	if (p->password != NULL) {
		if (hash_password(cfg, p->password, p->password_len, hash,
		    sizeof(hash)) == -1)
			return GH_INTERNAL;
		pa.hash = hash;
	}
	st = guarded(db, id, apply_patch, &pa, flags);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (st == GH_OK && u != NULL)
		st = gh_users_get(db, id, u);
	return st;
}

/* The row keeps the name: no other record of the user is left. */
static enum gh_status
delete_user(struct gh_db *db, const char *id, const void *arg)
{
	struct gh_user	 old;
	enum gh_status	 st;

	(void)arg;
	if ((st = gh_users_get(db, id, &old)) != GH_OK ||
	    (st = gh_users_delete(db, id)) != GH_OK)
		return st;
	return audit_row(db, GH_AUDIT_USER_DELETED, &old, NULL, NULL);
}

enum gh_status
gh_account_delete(struct gh_db *db, const char *id, int flags)
{
	return guarded(db, id, delete_user, NULL, flags);
}

static enum gh_status
suspend_user(struct gh_db *db, const char *id, const void *arg)
{
	enum gh_status	 st;

	(void)arg;
	if ((st = gh_users_set_active(db, id, false)) != GH_OK)
		return st;
	return id_row(db, GH_AUDIT_USER_SUSPENDED, id, "status", "suspended");
}

enum gh_status
gh_account_set_active(struct gh_db *db, const char *id, bool active,
    int flags)
{
	enum gh_status	 st;

	/* Activating never takes an admin away: no guard to pay for. */
	if (!active)
		return guarded(db, id, suspend_user, NULL, flags);
	if ((st = gh_users_set_active(db, id, true)) == GH_OK)
		id_row_after(db, GH_AUDIT_USER_UPDATED, id, "status", "active");
	return st;
}

enum gh_status
gh_account_grant(struct gh_db *db, const char *id, const char *role)
{
	enum gh_status	 st;

	if ((st = gh_users_grant(db, id, role)) == GH_OK)
		id_row_after(db, GH_AUDIT_ROLE_GRANTED, id, "role", role);
	return st;
}

static enum gh_status
revoke_role(struct gh_db *db, const char *id, const void *arg)
{
	enum gh_status	 st;

	if ((st = gh_users_revoke(db, id, arg)) != GH_OK)
		return st;
	return id_row(db, GH_AUDIT_ROLE_REVOKED, id, "role", arg);
}

enum gh_status
gh_account_revoke(struct gh_db *db, const char *id, const char *role,
    int flags)
{
	return guarded(db, id, revoke_role, role, flags);
}

/* gh_account_list()'s walk: a page of fn calls, then one row to peek. */
struct walk {
	struct gh_account_page	*pg;
	int			 limit;
	int			 n;
	void			(*fn)(const struct gh_user *, void *);
	void			*arg;
};

static void
walk_one(const struct gh_user *u, void *arg)
{
	struct walk	*w = arg;

	/* One row past the limit is fetched only to know there is more. */
	if (w->n++ >= w->limit) {
		w->pg->more = true;
		return;
	}
	w->fn(u, w->arg);
	(void)gh_str_lower(u->username, strlen(u->username), w->pg->after,
	    sizeof(w->pg->after));
}

enum gh_status
gh_account_list(struct gh_db *db, struct gh_account_page *pg, const char *q,
    int limit, void (*fn)(const struct gh_user *, void *), void *arg)
{
	char		 after[sizeof(pg->after)];
	struct walk	 w;
	int		 rows;

	if (limit < 1 || limit > GH_ACCOUNT_PAGE_MAX)
		return GH_INTERNAL;
	memcpy(after, pg->after, sizeof(after));
	pg->more = false;
	w.pg = pg;
	w.limit = limit;
	w.n = 0;
	w.fn = fn;
	w.arg = arg;
	return gh_users_list(db, after, q, limit + 1, walk_one, &w, &rows);
}

int
gh_account_cursor_encode(const struct gh_account_page *pg, char *out,
    size_t outsz)
{
	if (gh_b64url_encode(pg->after, strlen(pg->after), out, outsz) < 0)
		return -1;
	return 0;
}

int
gh_account_cursor_decode(const char *s, size_t len, struct gh_account_page *pg)
{
	unsigned char	 name[GH_USERNAME_MAX + 1];
	long		 n;

	memset(pg, 0, sizeof(*pg));
	if (len == 0)
		return 0;
	n = gh_b64url_decode(s, len, name, sizeof(name));
	if (n < 1 || gh_field_check_username((const char *)name,
	    (size_t)n) != NULL)
		return -1;
	memcpy(pg->after, name, (size_t)n);
	pg->after[n] = '\0';
	return 0;
}
