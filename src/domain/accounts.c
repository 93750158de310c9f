/*
 * accounts: account changes with the last-admin guard.  See accounts.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64url.h"
#include "core/log.h"
#include "core/password.h"
#include "core/str.h"
#include "domain/accounts.h"
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
	return st;
}

static enum gh_status
apply_patch(struct gh_db *db, const char *id, const void *arg)
{
	const struct patch_arg		*pa = arg;
	const struct gh_account_patch	*p = pa->p;
	enum gh_status			 st;

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
	return GH_OK;
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

static enum gh_status
delete_user(struct gh_db *db, const char *id, const void *arg)
{
	(void)arg;
	return gh_users_delete(db, id);
}

enum gh_status
gh_account_delete(struct gh_db *db, const char *id, int flags)
{
	return guarded(db, id, delete_user, NULL, flags);
}

static enum gh_status
suspend_user(struct gh_db *db, const char *id, const void *arg)
{
	(void)arg;
	return gh_users_set_active(db, id, false);
}

enum gh_status
gh_account_set_active(struct gh_db *db, const char *id, bool active,
    int flags)
{
	/* Activating never takes an admin away: no guard to pay for. */
	if (active)
		return gh_users_set_active(db, id, true);
	return guarded(db, id, suspend_user, NULL, flags);
}

enum gh_status
gh_account_grant(struct gh_db *db, const char *id, const char *role)
{
	return gh_users_grant(db, id, role);
}

static enum gh_status
revoke_role(struct gh_db *db, const char *id, const void *arg)
{
	return gh_users_revoke(db, id, arg);
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
