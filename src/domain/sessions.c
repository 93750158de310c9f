/*
 * sessions: logins, refresh rotation, logout.  See sessions.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "core/b64url.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/random.h"
#include "core/str.h"
#include "data/query.h"
#include "domain/authcache.h"
#include "domain/keys.h"
#include "domain/sessions.h"

#define HASH_HEX_LEN	GH_TOKEN_HASH_HEX_LEN

static const struct gh_stmt stmt_start = {
	"gh_sessions_start",
	"WITH s AS (INSERT INTO sessions (user_id, cred_gen, expires_at, "
	"address, user_agent, audience) SELECT u.id, u.cred_gen, "
	"now() + make_interval(days => $2::int), nullif($3, ''), "
	"nullif($4, ''), nullif($8, '') FROM users u WHERE u.id = $1::uuid "
	"AND u.cred_gen = $7::bigint AND u.status = 'active' "
	"RETURNING id, expires_at), "
	"a AS (INSERT INTO audit_log " GH_AUDIT_COLUMNS " SELECT $9::text, "
	"$10::text, $11::uuid, $12::uuid, coalesce($13::uuid, s.id), "
	"$14::text, $15::text, $16::jsonb FROM s WHERE $9::text IS NOT NULL) "
	"INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
	"SELECT decode($5, 'hex'), s.id, least(s.expires_at, "
	"now() + make_interval(days => $6::int)) FROM s RETURNING session_id",
	8 + GH_AUDIT_NPARAMS
};

/*
 * The audience by a subquery on the key, not a join: the planner takes
 * gh_refresh() for a thousand rows and would hash-join them against a
 * scan of every session, ten times the cost of the whole refresh.  A
 * rotation is the session's use (sql/015: last_used_at), written in the
 * same statement, so it costs no round trip; the row is gh_refresh()'s,
 * locked already.
 */
static const struct gh_stmt stmt_refresh = {
	"gh_sessions_refresh",
	"WITH r AS (SELECT * FROM gh_refresh(decode($1, 'hex'), "
	"decode($2, 'hex'), $3::int, $4::int)), "
	"u AS (UPDATE sessions s SET last_used_at = now() WHERE s.id = "
	"(SELECT r.session_id FROM r WHERE r.outcome = 'ok')) "
	"SELECT r.outcome, r.session_id, r.user_id, (SELECT s.audience "
	"FROM sessions s WHERE s.id = r.session_id) FROM r", 4
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

/*
 * A revocation (RFC 7009): the token is the only credential, so the
 * session is found by its hash alone, whoever's it is.
 */
static const struct gh_stmt stmt_revoke_refresh = {
	"gh_sessions_revoke_refresh",
	"UPDATE sessions s SET ended_at = now(), end_reason = $2 "
	"FROM refresh_tokens t WHERE t.token_hash = decode($1, 'hex') "
	"AND t.session_id = s.id AND s.ended_at IS NULL "
	"RETURNING s.id, s.user_id", 2
};

/* sql/013_introspect.sql: a function, so the caller reads no table. */
static const struct gh_stmt stmt_refresh_info = {
	"gh_sessions_refresh_info",
	"SELECT session_id, user_id, issued_at, expires_at, audience "
	"FROM gh_refresh_token_info(decode($1, 'hex'))", 1
};

static const struct gh_stmt stmt_end_all = {
	"gh_sessions_end_all",
	"SELECT gh_logout_all($1::uuid, $2)", 2
};

static const struct gh_stmt stmt_cleanup = {
	"gh_sessions_cleanup",
	"WITH s AS (DELETE FROM sessions WHERE coalesce(ended_at, expires_at) "
	"< now() - make_interval(days => $1::int) RETURNING id), "
	"t AS (DELETE FROM refresh_tokens WHERE expires_at < now() - "
	"make_interval(days => $1::int) OR session_id IN (SELECT id FROM s) "
	"RETURNING 1) "
	"SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM t)", 1
};

void
gh_sessions_token_hash(const char *token, size_t len,
    char out[HASH_HEX_LEN + 1])
{
	unsigned char	 d[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)token, len, d);
	/* Cannot fail: out holds exactly the hex of a digest. */
	(void)gh_str_hex(d, sizeof(d), out, HASH_HEX_LEN + 1);
}

bool
gh_sessions_token_shape_ok(const char *token, size_t len)
{
	unsigned char	 raw[GH_REFRESH_BYTES + 2];

	return len == GH_REFRESH_LEN && gh_b64url_decode(token, len, raw,
	    sizeof(raw)) == GH_REFRESH_BYTES;
}

/*
 * Signs the access token of a pair for u in session sid, for audience
 * (the session's; "" for the API's own).
 */
static enum gh_status
sign_access(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const struct gh_user *u, const char *sid,
    const char *audience, struct gh_token_pair *pair)
{
	struct gh_jwt_claims	 c;
	struct gh_jwt_key	 k;
	struct timespec		 now;
	enum gh_status		 st;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	if (key != NULL) {
		k = *key;
		if (audience[0] != '\0')
			k.audience = audience;
		/* The key that signs now: rotation and retirement move it. */
		if (!gh_jwt_alg_is_hmac(k.alg)) {
			gh_authcache_settle(db);
			if ((st = gh_keys_fill(db, &k)) != GH_OK)
				return st;
			if (k.signer == NULL) {
				gh_log(GH_LOG_ERROR, "sessions: no %s key "
				    "signs: run `gatehouse keys generate`",
				    gh_jwt_alg_name(k.alg));
				return GH_INTERNAL;
			}
		}
		key = &k;
	}
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
	if (key == NULL || gh_random_uuid(c.jti, sizeof(c.jti)) == -1 ||
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
	gh_sessions_token_hash(pair->refresh, GH_REFRESH_LEN, hash);
	return 0;
}

enum gh_status
gh_sessions_start(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const struct gh_user *u,
    const struct gh_client *client, struct gh_token_pair *pair)
{
	return gh_sessions_login(db, cfg, key, u, client, NULL, pair);
}

enum gh_status
gh_sessions_login(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const struct gh_user *u,
    const struct gh_client *client, const struct gh_audit *a,
    struct gh_token_pair *pair)
{
	char			 hash[HASH_HEX_LEN + 1], sid[GH_UUID_LEN + 1];
	char			 days[GH_QUERY_NUM_MAX], rdays[GH_QUERY_NUM_MAX];
	char			 gen[GH_QUERY_NUM_MAX];
	const char		*params[8 + GH_AUDIT_NPARAMS] = { NULL };
	PGresult		*res;
	enum gh_status		 st;
	int			 rc;

	memset(pair, 0, sizeof(*pair));
	if (new_refresh(pair, hash) == -1 ||
	    gh_query_num(days, sizeof(days), cfg->session_max_days) == -1 ||
	    gh_query_num(rdays, sizeof(rdays),
	    cfg->refresh_token_expire_days) == -1 ||
	    gh_query_num(gen, sizeof(gen), u->cred_gen) == -1)
		return GH_INTERNAL;
	params[0] = u->id;
	params[1] = days;
	params[2] = client != NULL && client->address != NULL ?
	    client->address : "";
	params[3] = client != NULL && client->user_agent != NULL ?
	    client->user_agent : "";
	params[4] = hash;
	params[5] = rdays;
	params[6] = gen;
	params[7] = client != NULL && client->audience != NULL ?
	    client->audience : "";
	if (a != NULL)
		gh_audit_bind(a, params + 8);
	/*
	 * No row: the user's credential generation is no longer the one u
	 * was read with (a password set, a status change or a logout of all
	 * committed since), or the user is gone or suspended.
	 */
	if ((st = gh_query_row(db, &stmt_start, params, &res)) != GH_OK)
		return st;
	rc = gh_query_copy(res, 0, 0, sid, sizeof(sid));
	PQclear(res);
	if (rc == -1 || sid[0] == '\0')
		return GH_DB_ERROR;
	return sign_access(db, cfg, key, u, sid, params[7], pair);
}

/* Reads gh_refresh()'s row: its outcome, session, user and audience. */
static enum gh_status
refresh_row(const PGresult *res, enum gh_refresh_outcome *outcome,
    char *sid, char *uid, char *aud)
{
	char	 o[16];

	if (gh_query_copy(res, 0, 0, o, sizeof(o)) == -1 ||
	    gh_query_copy(res, 0, 1, sid, GH_UUID_LEN + 1) == -1 ||
	    gh_query_copy(res, 0, 2, uid, GH_UUID_LEN + 1) == -1 ||
	    gh_query_copy(res, 0, 3, aud, GH_AUDIENCE_MAX + 1) == -1)
		return GH_DB_ERROR;
	if (strcmp(o, "ok") == 0)
		*outcome = GH_REFRESH_OK;
	else if (strcmp(o, "reused") == 0)
		*outcome = GH_REFRESH_REUSED;
	else
		*outcome = GH_REFRESH_INVALID;
	return GH_OK;
}

/* A reused token's row: the attempt failed, and ended its session. */
static void
reuse_row(struct gh_db *db, const char *uid, const char *sid)
{
	struct gh_audit	 a;

	gh_audit_init(&a, GH_AUDIT_REFRESH_REUSE, false, uid, sid);
	gh_audit_detail(&a, "reason", "session_ended");
	gh_audit_append(db, &a);
}

enum gh_status
gh_sessions_refresh(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const char *token, size_t len,
    struct gh_token_pair *pair, enum gh_refresh_outcome *outcome)
{
	char			 old[HASH_HEX_LEN + 1], new[HASH_HEX_LEN + 1];
	char			 grace[GH_QUERY_NUM_MAX], rdays[GH_QUERY_NUM_MAX];
	char			 sid[GH_UUID_LEN + 1], uid[GH_UUID_LEN + 1];
	char			 aud[GH_AUDIENCE_MAX + 1];
	const char		*params[4] = { old, new, grace, rdays };
	struct gh_user		 u;
	PGresult		*res;
	enum gh_status		 st;

	memset(pair, 0, sizeof(*pair));
	*outcome = GH_REFRESH_INVALID;
	if (!gh_sessions_token_shape_ok(token, len))
		return GH_OK;
	gh_sessions_token_hash(token, len, old);
	if (new_refresh(pair, new) == -1 ||
	    gh_query_num(grace, sizeof(grace),
	    cfg->refresh_reuse_grace_seconds) == -1 ||
	    gh_query_num(rdays, sizeof(rdays),
	    cfg->refresh_token_expire_days) == -1)
		return GH_INTERNAL;
	/* gh_refresh() always answers with one row. */
	if ((st = gh_query_row(db, &stmt_refresh, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	st = refresh_row(res, outcome, sid, uid, aud);
	PQclear(res);
	/* The caller's warning names the session a reuse has ended. */
	if (st == GH_OK && *outcome == GH_REFRESH_REUSED) {
		(void)snprintf(pair->sid, sizeof(pair->sid), "%s", sid);
		reuse_row(db, uid, sid);
	}
	if (st != GH_OK || *outcome != GH_REFRESH_OK)
		return st;
	/* An audience taken off token_audiences mints no more tokens. */
	if (aud[0] != '\0' && !gh_str_word_in(cfg->token_audiences, aud,
	    strlen(aud))) {
		*outcome = GH_REFRESH_INVALID;
		return GH_OK;
	}
	if ((st = gh_users_get(db, uid, &u)) == GH_NOT_FOUND ||
	    (st == GH_OK && !u.active)) {
		*outcome = GH_REFRESH_INVALID;
		return GH_OK;
	}
	if (st != GH_OK)
		return st;
	return sign_access(db, cfg, key, &u, sid, aud, pair);
}

enum gh_status
gh_sessions_end(struct gh_db *db, const char *user_id, const char *sid,
    const char *reason)
{
	const char	*params[3] = { user_id, sid, reason };

	return gh_query_row(db, &stmt_end, params, NULL);
}

enum gh_status
gh_sessions_end_by_refresh(struct gh_db *db, const char *user_id,
    const char *token, size_t len)
{
	char		 hash[HASH_HEX_LEN + 1];
	const char	*params[2] = { user_id, hash };

	if (!gh_sessions_token_shape_ok(token, len))
		return GH_NOT_FOUND;
	gh_sessions_token_hash(token, len, hash);
	return gh_query_row(db, &stmt_end_by_refresh, params, NULL);
}

enum gh_status
gh_sessions_revoke_refresh(struct gh_db *db, const char *token, size_t len,
    const char *reason, char sid[GH_UUID_LEN + 1],
    char uid[GH_UUID_LEN + 1])
{
	char		 hash[HASH_HEX_LEN + 1];
	const char	*params[2] = { hash, reason };
	PGresult	*res;
	enum gh_status	 st;
	int		 rc;

	sid[0] = '\0';
	uid[0] = '\0';
	if (!gh_sessions_token_shape_ok(token, len))
		return GH_NOT_FOUND;
	gh_sessions_token_hash(token, len, hash);
	if ((st = gh_query_row(db, &stmt_revoke_refresh, params, &res)) !=
	    GH_OK)
		return st;
	rc = gh_query_copy(res, 0, 0, sid, GH_UUID_LEN + 1) == -1 ||
	    gh_query_copy(res, 0, 1, uid, GH_UUID_LEN + 1) == -1 ? -1 : 0;
	PQclear(res);
	return rc == -1 ? GH_DB_ERROR : GH_OK;
}

enum gh_status
gh_sessions_refresh_info(struct gh_db *db, const char *token, size_t len,
    struct gh_refresh_info *info)
{
	char		 hash[HASH_HEX_LEN + 1];
	const char	*params[1] = { hash };
	PGresult	*res;
	enum gh_status	 st;

	memset(info, 0, sizeof(*info));
	if (!gh_sessions_token_shape_ok(token, len))
		return GH_NOT_FOUND;
	gh_sessions_token_hash(token, len, hash);
	if ((st = gh_query_row(db, &stmt_refresh_info, params, &res)) != GH_OK)
		return st;
	if (gh_query_copy(res, 0, 0, info->sid, sizeof(info->sid)) == -1 ||
	    gh_query_copy(res, 0, 1, info->user_id,
	    sizeof(info->user_id)) == -1 ||
	    gh_query_copy(res, 0, 4, info->audience,
	    sizeof(info->audience)) == -1)
		st = GH_DB_ERROR;
	info->iat = gh_query_long(res, 0, 2);
	info->exp = gh_query_long(res, 0, 3);
	PQclear(res);
	return st;
}

enum gh_status
gh_sessions_end_all(struct gh_db *db, const char *user_id, const char *reason)
{
	const char	*params[2] = { user_id, reason };

	return gh_db_run(db, &stmt_end_all, params);
}

enum gh_status
gh_sessions_cleanup(struct gh_db *db, int keep_days, long *deleted)
{
	char			 days[GH_QUERY_NUM_MAX];
	const char		*params[1] = { days };
	PGresult		*res;
	enum gh_status		 st;

	*deleted = 0;
	if (gh_query_num(days, sizeof(days), keep_days) == -1)
		return GH_INTERNAL;
	if ((st = gh_query_row(db, &stmt_cleanup, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*deleted = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}
