/*
 * sessions: logins, refresh rotation, logout.  See sessions.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/b64url.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/random.h"
#include "domain/sessions.h"

#define HASH_HEX_LEN	(SHA256_DIGEST_LENGTH * 2)

static const struct gh_stmt stmt_start = {
	"gh_sessions_start",
	"WITH s AS (INSERT INTO sessions (user_id, expires_at, address, "
	"user_agent) VALUES ($1::uuid, now() + make_interval(days => $2::int), "
	"nullif($3, ''), nullif($4, '')) RETURNING id, expires_at) "
	"INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
	"SELECT decode($5, 'hex'), s.id, least(s.expires_at, "
	"now() + make_interval(days => $6::int)) FROM s RETURNING session_id", 6
};

static const struct gh_stmt stmt_refresh = {
	"gh_sessions_refresh",
	"SELECT outcome, session_id, user_id FROM gh_refresh(decode($1, 'hex'), "
	"decode($2, 'hex'), $3::int, $4::int)", 4
};

static const struct gh_stmt stmt_end = {
	"gh_sessions_end",
	"UPDATE sessions SET ended_at = now(), end_reason = $3 "
	"WHERE id = $2::uuid AND user_id = $1::uuid AND ended_at IS NULL "
	"RETURNING id", 3
};

static const struct gh_stmt stmt_end_by_refresh = {
	"gh_sessions_end_by_refresh",
	"UPDATE sessions s SET ended_at = coalesce(s.ended_at, now()), "
	"end_reason = coalesce(s.end_reason, 'logout') FROM refresh_tokens t "
	"WHERE t.token_hash = decode($2, 'hex') AND t.session_id = s.id "
	"AND s.user_id = $1::uuid RETURNING s.id", 2
};

static const struct gh_stmt stmt_end_all = {
	"gh_sessions_end_all",
	"UPDATE sessions SET ended_at = now(), end_reason = $2 "
	"WHERE user_id = $1::uuid AND ended_at IS NULL", 2
};

static const struct gh_stmt stmt_cleanup = {
	"gh_sessions_cleanup",
	"WITH s AS (DELETE FROM sessions WHERE coalesce(ended_at, expires_at) "
	"< now() - make_interval(days => $1::int) RETURNING id), "
	"t AS (DELETE FROM refresh_tokens WHERE expires_at < now() - "
	"make_interval(days => $1::int) OR session_id IN (SELECT id FROM s) "
	"RETURNING 1), "
	"f AS (DELETE FROM login_failures WHERE failed_at < now() - "
	"make_interval(secs => $2::int) RETURNING 1), "
	"r AS (DELETE FROM registrations WHERE created_at < now() - "
	"make_interval(secs => $2::int) RETURNING 1) "
	"SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM t) + "
	"(SELECT count(*) FROM f) + (SELECT count(*) FROM r)", 2
};

/* The stored form of a refresh token: SHA-256, in hex for decode(). */
static void
token_hash_hex(const char *token, size_t len, char out[HASH_HEX_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 d[SHA256_DIGEST_LENGTH];
	size_t			 i;

	SHA256((const unsigned char *)token, len, d);
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[HASH_HEX_LEN] = '\0';
}

/* A refresh token we could have issued: 43 characters of base64url. */
static int
token_shape_ok(const char *token, size_t len)
{
	unsigned char	 raw[GH_REFRESH_BYTES + 2];

	return len == GH_REFRESH_LEN && gh_b64url_decode(token, len, raw,
	    sizeof(raw)) == GH_REFRESH_BYTES;
}

static int
fmt_int(char *buf, size_t bufsz, long v)
{
	int	 n;

	n = snprintf(buf, bufsz, "%ld", v);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/* Signs the access token of a pair for u in session sid. */
static enum gh_status
sign_access(const struct gh_config *cfg, const struct gh_jwt_key *key,
    const struct gh_user *u, const char *sid, struct gh_token_pair *pair)
{
	struct gh_jwt_claims	 c;
	struct timespec		 now;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.sub, sizeof(c.sub), "%s", u->id);
	(void)snprintf(c.sid, sizeof(c.sid), "%s", sid);
	(void)snprintf(c.username, sizeof(c.username), "%s", u->username);
	(void)snprintf(c.employee_id, sizeof(c.employee_id), "%s",
	    u->employee_id);
	for (i = 0; i < u->nroles; i++)
		(void)snprintf(c.roles[i], sizeof(c.roles[i]), "%s",
		    u->roles[i]);
	c.nroles = u->nroles;
	/*
	 * The clock PostgreSQL's now() reads, not time(2): on Linux that
	 * one lags it by up to a tick after each second, which made iat a
	 * second older than a tokens_valid_after set just before (a fresh
	 * user's, or an admin reset's) and the new token dead at once.
	 */
	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return GH_INTERNAL;
	c.iat = (int64_t)now.tv_sec;
	c.exp = c.iat + (int64_t)cfg->access_token_expire_minutes * 60;
	if (gh_random_uuid(c.jti, sizeof(c.jti)) == -1 ||
	    gh_jwt_sign(key, &c, pair->access, sizeof(pair->access)) < 0) {
		gh_log(GH_LOG_ERROR, "sessions: cannot sign an access token");
		return GH_INTERNAL;
	}
	pair->expires_in = cfg->access_token_expire_minutes * 60;
	(void)snprintf(pair->sid, sizeof(pair->sid), "%s", sid);
	return GH_OK;
}

static int
new_refresh(struct gh_token_pair *pair, char hash[HASH_HEX_LEN + 1])
{
	if (gh_random_b64url(GH_REFRESH_BYTES, pair->refresh,
	    sizeof(pair->refresh)) == -1)
		return -1;
	token_hash_hex(pair->refresh, GH_REFRESH_LEN, hash);
	return 0;
}

enum gh_status
gh_sessions_start(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const struct gh_user *u,
    const struct gh_client *client, struct gh_token_pair *pair)
{
	char			 hash[HASH_HEX_LEN + 1], days[16], rdays[16];
	char			 sid[GH_UUID_LEN + 1];
	const char		*params[6];
	PGresult		*res;
	enum gh_status		 st;

	memset(pair, 0, sizeof(*pair));
	if (new_refresh(pair, hash) == -1 ||
	    fmt_int(days, sizeof(days), cfg->session_max_days) == -1 ||
	    fmt_int(rdays, sizeof(rdays), cfg->refresh_token_expire_days) == -1)
		return GH_INTERNAL;
	params[0] = u->id;
	params[1] = days;
	params[2] = client != NULL && client->address != NULL ?
	    client->address : "";
	params[3] = client != NULL && client->user_agent != NULL ?
	    client->user_agent : "";
	params[4] = hash;
	params[5] = rdays;
	if ((st = gh_db_exec(db, &stmt_start, params, &res)) != GH_OK)
		return st;
	st = PQntuples(res) == 1 ? GH_OK : GH_DB_ERROR;
	if (st == GH_OK)
		(void)snprintf(sid, sizeof(sid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (st != GH_OK)
		return st;
	return sign_access(cfg, key, u, sid, pair);
}

/* Reads gh_refresh()'s row. */
static enum gh_status
refresh_row(const PGresult *res, enum gh_refresh_outcome *outcome,
    char *sid, char *uid)
{
	const char	*o;

	if (PQntuples(res) != 1)
		return GH_DB_ERROR;
	o = PQgetvalue(res, 0, 0);
	if (strcmp(o, "ok") == 0)
		*outcome = GH_REFRESH_OK;
	else if (strcmp(o, "reused") == 0)
		*outcome = GH_REFRESH_REUSED;
	else
		*outcome = GH_REFRESH_INVALID;
	(void)snprintf(sid, GH_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 1));
	(void)snprintf(uid, GH_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 2));
	return GH_OK;
}

enum gh_status
gh_sessions_refresh(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const char *token, size_t len,
    struct gh_token_pair *pair, enum gh_refresh_outcome *outcome)
{
	char			 old[HASH_HEX_LEN + 1], new[HASH_HEX_LEN + 1];
	char			 grace[16], rdays[16];
	char			 sid[GH_UUID_LEN + 1], uid[GH_UUID_LEN + 1];
	const char		*params[4] = { old, new, grace, rdays };
	struct gh_user		 u;
	PGresult		*res;
	enum gh_status		 st;

	memset(pair, 0, sizeof(*pair));
	*outcome = GH_REFRESH_INVALID;
	if (!token_shape_ok(token, len))
		return GH_OK;
	token_hash_hex(token, len, old);
	if (new_refresh(pair, new) == -1 ||
	    fmt_int(grace, sizeof(grace), cfg->refresh_reuse_grace_seconds) ||
	    fmt_int(rdays, sizeof(rdays), cfg->refresh_token_expire_days))
		return GH_INTERNAL;
	if ((st = gh_db_exec(db, &stmt_refresh, params, &res)) != GH_OK)
		return st;
	st = refresh_row(res, outcome, sid, uid);
	PQclear(res);
	/* The caller's warning names the session a reuse has ended. */
	if (st == GH_OK && *outcome == GH_REFRESH_REUSED)
		(void)snprintf(pair->sid, sizeof(pair->sid), "%s", sid);
	if (st != GH_OK || *outcome != GH_REFRESH_OK)
		return st;
	if ((st = gh_users_get(db, uid, &u)) == GH_NOT_FOUND ||
	    (st == GH_OK && !u.active)) {
		*outcome = GH_REFRESH_INVALID;
		return GH_OK;
	}
	if (st != GH_OK)
		return st;
	return sign_access(cfg, key, &u, sid, pair);
}

/* Runs a statement; GH_NOT_FOUND when it returned no row. */
static enum gh_status
run_expect_row(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params)
{
	PGresult		*res;
	enum gh_status		 st;

	if ((st = gh_db_exec(db, stmt, params, &res)) != GH_OK)
		return st;
	st = PQntuples(res) > 0 ? GH_OK : GH_NOT_FOUND;
	PQclear(res);
	return st;
}

enum gh_status
gh_sessions_end(struct gh_db *db, const char *user_id, const char *sid,
    const char *reason)
{
	const char	*params[3] = { user_id, sid, reason };

	return run_expect_row(db, &stmt_end, params);
}

enum gh_status
gh_sessions_end_by_refresh(struct gh_db *db, const char *user_id,
    const char *token, size_t len)
{
	char		 hash[HASH_HEX_LEN + 1];
	const char	*params[2] = { user_id, hash };

	if (!token_shape_ok(token, len))
		return GH_NOT_FOUND;
	token_hash_hex(token, len, hash);
	return run_expect_row(db, &stmt_end_by_refresh, params);
}

enum gh_status
gh_sessions_end_all(struct gh_db *db, const char *user_id, const char *reason)
{
	const char	*params[2] = { user_id, reason };

	return gh_db_run(db, &stmt_end_all, params);
}

enum gh_status
gh_sessions_cleanup(struct gh_db *db, int keep_days, int window_seconds,
    long *deleted)
{
	char			 days[16], secs[16];
	const char		*params[2] = { days, secs };
	PGresult		*res;
	enum gh_status		 st;

	*deleted = 0;
	if (fmt_int(days, sizeof(days), keep_days) == -1 ||
	    fmt_int(secs, sizeof(secs), window_seconds) == -1)
		return GH_INTERNAL;
	if ((st = gh_db_exec(db, &stmt_cleanup, params, &res)) != GH_OK)
		return st;
	if (PQntuples(res) == 1)
		*deleted = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return GH_OK;
}
