/*
 * users: user rows.  See users.h.
 */
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "data/db.h"
#include "data/query.h"
#include "domain/fields.h"
#include "domain/users.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * The columns fill_user() reads, in its order; the hash comes last.  The
 * roles come as an ARRAY of an ordered subquery, which reads the primary
 * key (user_id, role) in order: string_agg(... ORDER BY) sorts them again
 * on every call: about a sixth of the /me query's CPU in PostgreSQL.
 */
#define USER_COLUMNS \
	"u.id, u.username, coalesce(u.email, ''), " \
	"coalesce(u.employee_id, ''), coalesce(u.full_name, ''), " \
	"coalesce(u.phone, ''), u.status, " TS("u.created_at") ", " \
	TS("u.updated_at") ", array_to_string(ARRAY(SELECT r.role " \
	"FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role), ','), " \
	"u.email_verified"

/*
 * After USER_COLUMNS a statement may add the hash and the credential
 * generation (sql/007), in that order: "''" stands for a hash it does
 * not read.
 */
enum { C_ID, C_USERNAME, C_EMAIL, C_EMPLOYEE_ID, C_FULL_NAME, C_PHONE,
    C_STATUS, C_CREATED, C_UPDATED, C_ROLES, C_VERIFIED, C_HASH, C_CRED };

static const struct gh_stmt stmt_create = {
	"gh_users_create",
	"WITH u AS (INSERT INTO users (username, email, employee_id, "
	"full_name, phone, password_hash, status) VALUES ($1, nullif($2, ''), "
	"nullif($3, ''), nullif($4, ''), nullif($5, ''), $6, $7) RETURNING id, "
	"username, email, employee_id, full_name, phone, status, created_at, "
	"updated_at, cred_gen, email_verified), "
	"g AS (INSERT INTO user_roles (user_id, role) "
	"SELECT u.id, unnest($8::text[]) FROM u RETURNING role) "
	"SELECT u.id, u.username, coalesce(u.email, ''), "
	"coalesce(u.employee_id, ''), coalesce(u.full_name, ''), "
	"coalesce(u.phone, ''), u.status, " TS("u.created_at") ", "
	TS("u.updated_at") ", coalesce((SELECT string_agg(g.role, ',' "
	"ORDER BY g.role) FROM g), ''), u.email_verified, '', u.cred_gen "
	"FROM u", 8
};

/* Raises the INSERT's unique violation for a taken identifier (sql/010). */
static const struct gh_stmt stmt_identifiers_free = {
	"gh_users_identifiers_free",
	"SELECT gh_user_identifiers_free($1, $2, $3)", 3
};

static const struct gh_stmt stmt_get = {
	"gh_users_get",
	"SELECT " USER_COLUMNS ", '', u.cred_gen FROM users u "
	"WHERE u.id = $1::uuid", 1
};

static const struct gh_stmt stmt_login[] = {
	[GH_LOGIN_USERNAME] = { "gh_users_login_username",
	    "SELECT " USER_COLUMNS ", u.password_hash, u.cred_gen FROM users u "
	    "WHERE lower(u.username) = lower($1)", 1 },
	[GH_LOGIN_EMAIL] = { "gh_users_login_email",
	    "SELECT " USER_COLUMNS ", u.password_hash, u.cred_gen FROM users u "
	    "WHERE lower(u.email) = lower($1)", 1 },
	[GH_LOGIN_EMPLOYEE_ID] = { "gh_users_login_employee_id",
	    "SELECT " USER_COLUMNS ", u.password_hash, u.cred_gen FROM users u "
	    "WHERE u.employee_id = $1", 1 },
};

/* An admin's reset (no session kept) also moves tokens_valid_after. */
static const struct gh_stmt stmt_set_password = {
	"gh_users_set_password",
	"WITH u AS (UPDATE users SET password_hash = $2, "
	"tokens_valid_after = CASE WHEN $3::uuid IS NULL THEN now() "
	"ELSE tokens_valid_after END WHERE id = $1::uuid RETURNING id), "
	"s AS (UPDATE sessions SET ended_at = now(), end_reason = $4 "
	"WHERE user_id IN (SELECT id FROM u) AND ended_at IS NULL "
	"AND ($3::uuid IS NULL OR id <> $3::uuid) RETURNING id) "
	"SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM s)", 4
};

/* Through a definer function: the me program may not UPDATE users. */
static const struct gh_stmt stmt_change_own_password = {
	"gh_users_change_own_password",
	"SELECT gh_change_own_password($1::uuid, $2::uuid, $3)", 3
};

static const struct gh_stmt stmt_set_active = {
	"gh_users_set_active",
	"WITH u AS (UPDATE users SET status = CASE WHEN $2::boolean "
	"THEN 'active' ELSE 'suspended' END, tokens_valid_after = CASE WHEN "
	"$2::boolean THEN tokens_valid_after ELSE now() END "
	"WHERE id = $1::uuid RETURNING id, status), "
	"s AS (UPDATE sessions SET ended_at = now(), end_reason = 'suspended' "
	"WHERE user_id IN (SELECT id FROM u WHERE status = 'suspended') "
	"AND ended_at IS NULL RETURNING id) "
	"SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM s)", 2
};

static const struct gh_stmt stmt_grant = {
	"gh_users_grant",
	"INSERT INTO user_roles (user_id, role) VALUES ($1::uuid, $2) "
	"ON CONFLICT DO NOTHING", 2
};

static const struct gh_stmt stmt_revoke = {
	"gh_users_revoke",
	"WITH d AS (DELETE FROM user_roles WHERE user_id = $1::uuid "
	"AND role = $2 RETURNING 1) "
	"SELECT (SELECT count(*) FROM users WHERE id = $1::uuid)", 2
};

static const struct gh_stmt stmt_list = {
	"gh_users_list",
	"SELECT " USER_COLUMNS " FROM users u WHERE lower(u.username) > $1 "
	"AND ($2 = '' OR strpos(lower(u.username), lower($2)) > 0 "
	"OR strpos(lower(coalesce(u.email, '')), lower($2)) > 0 "
	"OR strpos(lower(coalesce(u.full_name, '')), lower($2)) > 0 "
	"OR strpos(lower(coalesce(u.employee_id, '')), lower($2)) > 0) "
	"ORDER BY lower(u.username) LIMIT $3::integer", 3
};

/*
 * The session is found by its primary key, in a subquery of its own (OFFSET
 * 0 keeps the planner from pulling it up): as a join, the planner reached
 * it through the user's not-ended sessions (sessions_user_live_idx) and
 * filtered them by id, so every /me of a user with thousands of expired
 * but not yet cleaned-up sessions read them all (bench/run, "expired
 * sessions").  The token's iat is compared here, in C, with the
 * whole-second tokens_valid_after the statement returns, so that the
 * same row can serve later tokens from the cache (authcache.h).
 */
static const struct gh_stmt stmt_get_live = {
	"gh_users_get_live",
	"SELECT " USER_COLUMNS ", '', u.cred_gen, "
	"floor(extract(epoch FROM u.tokens_valid_after))::bigint, s.exp "
	"FROM users u, (SELECT x.user_id, x.cred_gen, "
	"floor(extract(epoch FROM x.expires_at) * 1000000)::bigint AS exp "
	"FROM sessions x WHERE x.id = $2::uuid AND x.ended_at IS NULL "
	"AND x.expires_at > now() OFFSET 0) s "
	"WHERE u.id = $1::uuid AND s.user_id = u.id AND u.status = 'active' "
	"AND s.cred_gen = u.cred_gen", 2
};

enum { C_LIVE_VALID_AFTER = C_CRED + 1, C_LIVE_EXPIRES };

static const struct gh_stmt stmt_rehash = {
	"gh_users_rehash",
	"SELECT gh_rehash($1::uuid, $3, $2)", 3
};

static const struct gh_stmt stmt_update = {
	"gh_users_update",
	"WITH u AS (UPDATE users SET "
	"email = CASE WHEN $2::boolean THEN nullif($3, '') ELSE email END, "
	"employee_id = CASE WHEN $4::boolean THEN nullif($5, '') "
	"ELSE employee_id END, "
	"full_name = CASE WHEN $6::boolean THEN nullif($7, '') "
	"ELSE full_name END, "
	"phone = CASE WHEN $8::boolean THEN nullif($9, '') ELSE phone END "
	"WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM u", 9
};

static const struct gh_stmt stmt_set_roles = {
	"gh_users_set_roles",
	"WITH d AS (DELETE FROM user_roles WHERE user_id = $1::uuid "
	"AND NOT (role = ANY ($2::text[])) RETURNING 1), "
	"i AS (INSERT INTO user_roles (user_id, role) "
	"SELECT $1::uuid, unnest($2::text[]) ON CONFLICT DO NOTHING "
	"RETURNING 1) SELECT (SELECT count(*) FROM users WHERE id = $1::uuid)", 2
};

static const struct gh_stmt stmt_delete = {
	"gh_users_delete",
	"WITH d AS (DELETE FROM users WHERE id = $1::uuid RETURNING 1) "
	"SELECT count(*) FROM d", 1
};

static const struct gh_stmt stmt_count = {
	"gh_users_count",
	"SELECT count(*), count(*) FILTER (WHERE status = 'active'), "
	"count(*) FILTER (WHERE status = 'suspended') FROM users", 0
};

/* Any fixed key: it only has to be the admin guard's alone. */
static const struct gh_stmt stmt_lock_admins = {
	"gh_users_lock_admins",
	"SELECT pg_advisory_xact_lock(7195641328)", 0
};

static const struct gh_stmt stmt_count_admins = {
	"gh_users_count_admins",
	"SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
	"AND r.role = 'admin' WHERE u.status = 'active'", 0
};

static bool
is_uuid(const char *s)
{
	return s != NULL && gh_str_is_uuid(s, strlen(s));
}

bool
gh_users_has_role(const struct gh_user *u, const char *role)
{
	size_t	 i;

	for (i = 0; i < u->nroles; i++)
		if (strcmp(u->roles[i], role) == 0)
			return true;
	return false;
}

static int
split_roles(const char *list, struct gh_user *u)
{
	const char	*p = list, *comma;
	size_t		 len;

	u->nroles = 0;
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (u->nroles == GH_ROLES_MAX || len > GH_ROLE_NAME_MAX)
			return -1;
		memcpy(u->roles[u->nroles], p, len);
		u->roles[u->nroles++][len] = '\0';
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static enum gh_status
fill_user(const PGresult *res, int row, struct gh_user *u)
{
	memset(u, 0, sizeof(*u));
	if (gh_query_copy(res, row, C_ID, u->id, sizeof(u->id)) == -1 ||
	    gh_query_copy(res, row, C_USERNAME, u->username,
	    sizeof(u->username)) == -1 ||
	    gh_query_copy(res, row, C_EMAIL, u->email,
	    sizeof(u->email)) == -1 ||
	    gh_query_copy(res, row, C_EMPLOYEE_ID, u->employee_id,
	    sizeof(u->employee_id)) == -1 ||
	    gh_query_copy(res, row, C_FULL_NAME, u->full_name,
	    sizeof(u->full_name)) == -1 ||
	    gh_query_copy(res, row, C_PHONE, u->phone,
	    sizeof(u->phone)) == -1 ||
	    gh_query_copy(res, row, C_CREATED, u->created_at,
	    sizeof(u->created_at)) == -1 ||
	    gh_query_copy(res, row, C_UPDATED, u->updated_at,
	    sizeof(u->updated_at)) == -1 ||
	    split_roles(PQgetvalue(res, row, C_ROLES), u) == -1)
		goto bad;
	if (PQnfields(res) > C_HASH && gh_query_copy(res, row, C_HASH,
	    u->password_hash, sizeof(u->password_hash)) == -1)
		goto bad;
	if (PQnfields(res) > C_CRED)
		u->cred_gen = gh_query_long(res, row, C_CRED);
	u->active = strcmp(PQgetvalue(res, row, C_STATUS), "active") == 0;
	u->email_verified = strcmp(PQgetvalue(res, row, C_VERIFIED), "t") == 0;
	return GH_OK;
bad:
	gh_log(GH_LOG_ERROR, "users: a row does not fit its bounds");
	memset(u, 0, sizeof(*u));
	return GH_DB_ERROR;
}

/* Runs a statement expected to return at most one user row. */
static enum gh_status
get_one(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params, struct gh_user *u)
{
	PGresult		*res;
	enum gh_status		 st;

	memset(u, 0, sizeof(*u));
	if ((st = gh_query_row(db, stmt, params, &res)) != GH_OK)
		return st;
	st = fill_user(res, 0, u);
	PQclear(res);
	return st;
}

/* Writes roles as a text[] literal; names are checked, so need no quoting. */
static int
roles_literal(const char *const *roles, size_t n, char *out, size_t outsz)
{
	size_t	 i, len, used = 0;

	if (outsz < 3 || n > GH_ROLES_MAX)
		return -1;
	out[used++] = '{';
	for (i = 0; i < n; i++) {
		len = strlen(roles[i]);
		if (gh_field_check_role_name(roles[i], len) != NULL ||
		    used + len + 3 > outsz)
			return -1;
		if (i > 0)
			out[used++] = ',';
		memcpy(out + used, roles[i], len);
		used += len;
	}
	out[used++] = '}';
	out[used] = '\0';
	return 0;
}

enum gh_status
gh_users_create(struct gh_db *db, const struct gh_user_new *n,
    struct gh_user *u)
{
	char		 roles[GH_ROLES_MAX * (GH_ROLE_NAME_MAX + 1) + 3];
	const char	*params[8];

	memset(u, 0, sizeof(*u));
	if (roles_literal(n->roles, n->nroles, roles, sizeof(roles)) == -1)
		return GH_DB_ERROR;
	params[0] = n->username;
	params[1] = n->email != NULL ? n->email : "";
	params[2] = n->employee_id != NULL ? n->employee_id : "";
	params[3] = n->full_name != NULL ? n->full_name : "";
	params[4] = n->phone != NULL ? n->phone : "";
	params[5] = n->password_hash;
	params[6] = n->suspended ? "suspended" : "active";
	params[7] = roles;
	return get_one(db, &stmt_create, params, u);
}

enum gh_status
gh_users_identifiers_free(struct gh_db *db, const struct gh_user_new *n)
{
	const char	*params[3];

	params[0] = n->username;
	params[1] = n->email != NULL ? n->email : "";
	params[2] = n->employee_id != NULL ? n->employee_id : "";
	return gh_db_run(db, &stmt_identifiers_free, params);
}

const char *
gh_users_conflict_field(const struct gh_db *db)
{
	static const struct {
		const char	*constraint;
		const char	*field;
	} map[] = {
		{ "users_username_key", "username" },
		{ "users_email_key", "email" },
		{ "users_employee_id_key", "employee_id" },
		{ "user_roles_role_fkey", "roles" },
		{ "user_roles_user_id_fkey", "id" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(gh_db_conflict(db), map[i].constraint) == 0)
			return map[i].field;
	return "";
}

enum gh_status
gh_users_get(struct gh_db *db, const char *id, struct gh_user *u)
{
	const char	*params[1] = { id };

	if (!is_uuid(id)) {
		memset(u, 0, sizeof(*u));
		return GH_NOT_FOUND;
	}
	return get_one(db, &stmt_get, params, u);
}

enum gh_status
gh_users_get_for_login(struct gh_db *db, enum gh_login_field field,
    const char *value, struct gh_user *u)
{
	const char	*params[1] = { value };

	if ((unsigned)field > GH_LOGIN_EMPLOYEE_ID)
		return GH_DB_ERROR;
	return get_one(db, &stmt_login[field], params, u);
}

enum gh_status
gh_users_set_password(struct gh_db *db, const char *id, const char *hash,
    const char *keep_sid, const char *reason)
{
	const char	*params[4] = { id, hash, keep_sid, reason };

	if (!is_uuid(id) || (keep_sid != NULL && !is_uuid(keep_sid)))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_set_password, params);
}

enum gh_status
gh_users_set_active(struct gh_db *db, const char *id, bool active)
{
	const char	*params[2] = { id, active ? "true" : "false" };

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_set_active, params);
}

enum gh_status
gh_users_grant(struct gh_db *db, const char *id, const char *role)
{
	const char		*params[2] = { id, role };
	enum gh_status		 st;

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	st = gh_db_run(db, &stmt_grant, params);
	if (st == GH_CONFLICT && strcmp(gh_users_conflict_field(db),
	    "id") == 0)
		st = GH_NOT_FOUND;
	return st;
}

enum gh_status
gh_users_revoke(struct gh_db *db, const char *id, const char *role)
{
	const char	*params[2] = { id, role };

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_revoke, params);
}

enum gh_status
gh_users_list(struct gh_db *db, const char *after, const char *q, int limit,
    void (*fn)(const struct gh_user *, void *), void *arg, int *n)
{
	char			 lim[GH_QUERY_NUM_MAX];
	const char		*params[3] = { after, q, lim };
	struct gh_user		 u;
	PGresult		*res;
	enum gh_status		 st;
	int			 i;

	*n = 0;
	if (limit < 1 || gh_query_num(lim, sizeof(lim), limit) == -1)
		return GH_DB_ERROR;
	if ((st = gh_db_exec(db, &stmt_list, params, &res)) != GH_OK)
		return st;
	for (i = 0; i < PQntuples(res); i++) {
		if ((st = fill_user(res, i, &u)) != GH_OK)
			break;
		fn(&u, arg);
		(*n)++;
	}
	PQclear(res);
	return st;
}

enum gh_status
gh_users_get_session(struct gh_db *db, const char *id, const char *sid,
    struct gh_user *u, struct gh_live *live)
{
	const char		*params[2] = { id, sid };
	PGresult		*res;
	enum gh_status		 st;

	memset(u, 0, sizeof(*u));
	memset(live, 0, sizeof(*live));
	if (!is_uuid(id) || !is_uuid(sid))
		return GH_NOT_FOUND;
	if ((st = gh_query_row(db, &stmt_get_live, params, &res)) != GH_OK)
		return st;
	if ((st = fill_user(res, 0, u)) == GH_OK) {
		live->valid_after = gh_query_long(res, 0, C_LIVE_VALID_AFTER);
		live->expires_us = gh_query_long(res, 0, C_LIVE_EXPIRES);
	}
	PQclear(res);
	return st;
}

enum gh_status
gh_users_get_live(struct gh_db *db, const char *id, const char *sid,
    int64_t iat, struct gh_user *u)
{
	struct gh_live		 live;
	enum gh_status		 st;

	st = gh_users_get_session(db, id, sid, u, &live);
	if (st == GH_OK && iat < live.valid_after) {
		memset(u, 0, sizeof(*u));
		st = GH_NOT_FOUND;
	}
	return st;
}

enum gh_status
gh_users_rehash(struct gh_db *db, const char *id, const char *old,
    const char *hash)
{
	const char	*params[3] = { id, hash, old };

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_rehash, params);
}

enum gh_status
gh_users_update(struct gh_db *db, const char *id,
    const struct gh_user_patch *p)
{
	const char	*params[9];

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	params[0] = id;
	params[1] = p->set_email ? "true" : "false";
	params[2] = p->email != NULL ? p->email : "";
	params[3] = p->set_employee_id ? "true" : "false";
	params[4] = p->employee_id != NULL ? p->employee_id : "";
	params[5] = p->set_full_name ? "true" : "false";
	params[6] = p->full_name != NULL ? p->full_name : "";
	params[7] = p->set_phone ? "true" : "false";
	params[8] = p->phone != NULL ? p->phone : "";
	return gh_query_touched(db, &stmt_update, params);
}

enum gh_status
gh_users_set_roles(struct gh_db *db, const char *id, const char *const *roles,
    size_t n)
{
	char		 list[GH_ROLES_MAX * (GH_ROLE_NAME_MAX + 1) + 3];
	const char	*params[2] = { id, list };

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	if (roles_literal(roles, n, list, sizeof(list)) == -1)
		return GH_DB_ERROR;
	return gh_query_touched(db, &stmt_set_roles, params);
}

enum gh_status
gh_users_delete(struct gh_db *db, const char *id)
{
	const char	*params[1] = { id };

	if (!is_uuid(id))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_delete, params);
}

enum gh_status
gh_users_count(struct gh_db *db, long *total, long *active, long *suspended)
{
	PGresult		*res;
	enum gh_status		 st;

	if ((st = gh_query_row(db, &stmt_count, NULL, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*total = gh_query_long(res, 0, 0);
	*active = gh_query_long(res, 0, 1);
	*suspended = gh_query_long(res, 0, 2);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_users_lock_admins(struct gh_db *db)
{
	return gh_db_run(db, &stmt_lock_admins, NULL);
}

enum gh_status
gh_users_count_active_admins(struct gh_db *db, long *n)
{
	PGresult		*res;
	enum gh_status		 st;

	if ((st = gh_db_exec(db, &stmt_count_admins, NULL, &res)) != GH_OK)
		return st;
	*n = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_users_change_own_password(struct gh_db *db, const char *id,
    const char *sid, const char *hash)
{
	const char	*params[3] = { id, sid, hash };

	if (!is_uuid(id) || !is_uuid(sid))
		return GH_NOT_FOUND;
	return gh_query_touched(db, &stmt_change_own_password, params);
}
