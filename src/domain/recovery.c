/*
 * recovery: one-time tokens for password resets and address
 * verification.  See recovery.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "core/random.h"
#include "data/query.h"
#include "domain/audit.h"
#include "domain/recovery.h"

#define HASH_HEX_LEN	GH_TOKEN_HASH_HEX_LEN

/* sql/014_recovery.sql: definer functions, so no program reads the table. */
static const struct gh_stmt stmt_forgot = {
	"gh_recovery_forgot",
	"SELECT r.outcome, coalesce(r.username, ''), coalesce(r.email, ''), "
	"(SELECT u.id FROM users u WHERE u.username = r.username) "
	"FROM gh_reset_issue($1, $2, decode($3, 'hex'), $4::int, $5::int) r", 5
};

static const struct gh_stmt stmt_verify_issue = {
	"gh_recovery_verify_issue",
	"SELECT outcome, coalesce(username, ''), coalesce(email, ''), $1::uuid "
	"FROM gh_onetime_issue(decode($2, 'hex'), 'verify', $1::uuid, "
	"$3::int, $4::int)", 4
};

static const struct gh_stmt stmt_peek = {
	"gh_recovery_peek",
	"SELECT user_id, username, email FROM gh_reset_peek(decode($1, 'hex'))",
	1
};

static const struct gh_stmt stmt_reset = {
	"gh_recovery_reset",
	"SELECT u FROM gh_reset_consume(decode($1, 'hex'), $2) u "
	"WHERE u IS NOT NULL", 2
};

static const struct gh_stmt stmt_verify = {
	"gh_recovery_verify",
	"SELECT u FROM gh_verify_consume(decode($1, 'hex')) u "
	"WHERE u IS NOT NULL", 1
};

static const struct gh_stmt stmt_cleanup = {
	"gh_recovery_cleanup",
	"WITH d AS (DELETE FROM onetime_tokens WHERE created_at < now() - "
	"interval '1 hour' AND (ended_at IS NOT NULL OR expires_at < now()) "
	"RETURNING 1) SELECT count(*) FROM d", 0
};

static enum gh_recovery_outcome
issue_outcome(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return GH_RECOVERY_OK;
	if (strcmp(s, "limited") == 0)
		return GH_RECOVERY_LIMITED;
	if (strcmp(s, "verified") == 0)
		return GH_RECOVERY_VERIFIED;
	return GH_RECOVERY_NO_ACCOUNT;
}

/*
 * Runs an issuing statement whose params[hash_at] is the new token's
 * hash; its row is (outcome, username, email, user id).
 */
static enum gh_status
issue(struct gh_db *db, const struct gh_stmt *stmt, const char **params,
    size_t hash_at, struct gh_onetime *out, enum gh_recovery_outcome *oc)
{
	char		 hash[HASH_HEX_LEN + 1];
	char		 what[16];
	PGresult	*res;
	enum gh_status	 st;

	*oc = GH_RECOVERY_NO_ACCOUNT;
	if (gh_random_b64url(GH_REFRESH_BYTES, out->token,
	    sizeof(out->token)) == -1)
		return GH_INTERNAL;
	gh_sessions_token_hash(out->token, GH_ONETIME_LEN, hash);
	params[hash_at] = hash;
	if ((st = gh_query_row(db, stmt, params, &res)) != GH_OK)
		goto out;
	if (gh_query_copy(res, 0, 0, what, sizeof(what)) == -1 ||
	    gh_query_copy(res, 0, 1, out->username,
	    sizeof(out->username)) == -1 ||
	    gh_query_copy(res, 0, 2, out->email, sizeof(out->email)) == -1 ||
	    gh_query_copy(res, 0, 3, out->user_id,
	    sizeof(out->user_id)) == -1)
		st = GH_INTERNAL;
	else
		*oc = issue_outcome(what);
	PQclear(res);
out:
	if (st == GH_NOT_FOUND)
		st = GH_DB_ERROR;	/* the functions always answer a row */
	if (st != GH_OK || *oc != GH_RECOVERY_OK)
		OPENSSL_cleanse(out->token, sizeof(out->token));
	return st;
}

/*
 * A forgotten password's audit row: the account's when there is one (a
 * link went out), else the name as typed and why nothing went.
 */
static void
forgot_row(struct gh_db *db, const char *kind, const char *value,
    const struct gh_onetime *t, enum gh_recovery_outcome oc)
{
	struct gh_audit	 a;

	gh_audit_init(&a, GH_AUDIT_PASSWORD_RESET_REQUESTED,
	    oc == GH_RECOVERY_OK, t->user_id, NULL);
	if (t->username[0] != '\0')
		gh_audit_detail(&a, "username", t->username);
	else
		gh_audit_detail(&a, kind, value);
	if (oc != GH_RECOVERY_OK)
		gh_audit_detail(&a, "reason", oc == GH_RECOVERY_LIMITED ?
		    "limited" : "no_account");
	gh_audit_append(db, &a);
}

enum gh_status
gh_recovery_forgot(struct gh_db *db, const struct gh_config *cfg,
    enum gh_login_field field, const char *value, struct gh_onetime *out,
    enum gh_recovery_outcome *oc)
{
	char		 secs[GH_QUERY_NUM_MAX], max[GH_QUERY_NUM_MAX];
	const char	*params[5] = { field == GH_LOGIN_EMAIL ? "email" :
			    "username", value, NULL, secs, max };
	enum gh_status	 st;

	memset(out, 0, sizeof(*out));
	if (gh_query_num(secs, sizeof(secs),
	    (long)cfg->reset_token_minutes * 60) == -1 ||
	    gh_query_num(max, sizeof(max), cfg->reset_max_per_hour) == -1)
		return GH_INTERNAL;
	if ((st = issue(db, &stmt_forgot, params, 2, out, oc)) != GH_OK)
		return st;
	forgot_row(db, params[0], value, out, *oc);
	return GH_OK;
}

enum gh_status
gh_recovery_verify_issue(struct gh_db *db, const struct gh_config *cfg,
    const char *user_id, struct gh_onetime *out, enum gh_recovery_outcome *oc)
{
	char		 secs[GH_QUERY_NUM_MAX], max[GH_QUERY_NUM_MAX];
	const char	*params[4] = { user_id, NULL, secs, max };

	memset(out, 0, sizeof(*out));
	if (gh_query_num(secs, sizeof(secs),
	    (long)cfg->verify_token_hours * 3600) == -1 ||
	    gh_query_num(max, sizeof(max), cfg->reset_max_per_hour) == -1)
		return GH_INTERNAL;
	(void)snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
	return issue(db, &stmt_verify_issue, params, 1, out, oc);
}

/* Whose live reset token hash is: GH_NOT_FOUND when none's. */
static enum gh_status
peek(struct gh_db *db, const char *hash, struct gh_onetime *who)
{
	const char	*params[1] = { hash };
	PGresult	*res;
	enum gh_status	 st;

	if ((st = gh_query_row(db, &stmt_peek, params, &res)) != GH_OK)
		return st;
	if (gh_query_copy(res, 0, 0, who->user_id, sizeof(who->user_id)) ==
	    -1 || gh_query_copy(res, 0, 1, who->username,
	    sizeof(who->username)) == -1 ||
	    gh_query_copy(res, 0, 2, who->email, sizeof(who->email)) == -1)
		st = GH_INTERNAL;
	PQclear(res);
	return st;
}

enum gh_status
gh_recovery_reset(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_reset *r, struct gh_onetime *who,
    enum gh_recovery_outcome *oc, enum gh_password_verdict *verdict)
{
	struct gh_password_policy	 policy;
	char				 hash[HASH_HEX_LEN + 1];
	char				 pwhash[GH_HASH_MAX];
	const char			*params[2] = { hash, pwhash };
	enum gh_status			 st;

	memset(who, 0, sizeof(*who));
	*oc = GH_RECOVERY_INVALID;
	*verdict = GH_PW_OK;
	pwhash[0] = '\0';
	if (!gh_sessions_token_shape_ok(r->token, r->token_len))
		return GH_OK;
	gh_sessions_token_hash(r->token, r->token_len, hash);
	/* The policy needs the user; the link stays usable if it fails. */
	if ((st = peek(db, hash, who)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_OK : st;
	policy.min_length = cfg->password_min_length;
	policy.require_classes = cfg->password_require_classes;
	*verdict = gh_password_check(&policy, r->password, r->password_len,
	    who->username, who->email);
	if (*verdict != GH_PW_OK) {
		*oc = GH_RECOVERY_WEAK_PASSWORD;
		return GH_OK;
	}
	if (gh_password_hash(r->password, r->password_len, cfg->bcrypt_cost,
	    pwhash, sizeof(pwhash)) == -1) {
		gh_log(GH_LOG_ERROR, "recovery: bcrypt failed on a new password");
		return GH_INTERNAL;
	}
	/* Used up here, not at the peek: of two racing, one wins. */
	st = gh_query_row(db, &stmt_reset, params, NULL);
	OPENSSL_cleanse(pwhash, sizeof(pwhash));
	if (st == GH_OK) {
		*oc = GH_RECOVERY_OK;
		gh_audit_record(db, GH_AUDIT_PASSWORD_RESET, who->user_id,
		    who->username, NULL, NULL);
	}
	return st == GH_NOT_FOUND ? GH_OK : st;
}

enum gh_status
gh_recovery_verify(struct gh_db *db, const char *token, size_t len,
    char user_id[GH_UUID_LEN + 1], enum gh_recovery_outcome *oc)
{
	char		 hash[HASH_HEX_LEN + 1];
	const char	*params[1] = { hash };
	PGresult	*res;
	enum gh_status	 st;

	user_id[0] = '\0';
	*oc = GH_RECOVERY_INVALID;
	if (!gh_sessions_token_shape_ok(token, len))
		return GH_OK;
	gh_sessions_token_hash(token, len, hash);
	if ((st = gh_query_row(db, &stmt_verify, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_OK : st;
	if (gh_query_copy(res, 0, 0, user_id, GH_UUID_LEN + 1) == -1)
		st = GH_INTERNAL;
	else
		*oc = GH_RECOVERY_OK;
	PQclear(res);
	if (st == GH_OK)
		gh_audit_record(db, GH_AUDIT_EMAIL_VERIFIED, user_id, NULL,
		    NULL, NULL);
	return st;
}

enum gh_status
gh_recovery_cleanup(struct gh_db *db, long *deleted)
{
	PGresult	*res;
	enum gh_status	 st;

	*deleted = 0;
	if ((st = gh_query_row(db, &stmt_cleanup, NULL, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*deleted = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}

int
gh_recovery_link(const struct gh_config *cfg, const char *path,
    const char *token, char *out, size_t outsz)
{
	size_t	 blen;
	int	 n;

	blen = strlen(cfg->public_base_url);
	if (blen == 0)
		return -1;
	/* "https://example.com/" and "https://example.com" alike. */
	if (cfg->public_base_url[blen - 1] == '/')
		blen--;
	n = snprintf(out, outsz, "%.*s%s?token=%s", (int)blen,
	    cfg->public_base_url, path, token);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

enum gh_status
gh_recovery_mail(const struct gh_config *cfg, enum gh_mail_kind kind,
    const char *path, const struct gh_onetime *t)
{
	struct gh_mail	 m;
	enum gh_status	 st;
	char		 link[GH_URL_BASE_MAX + 64];

	if (gh_recovery_link(cfg, path, t->token, link, sizeof(link)) == -1) {
		gh_log(GH_LOG_ERROR, "recovery: public_base_url is too long "
		    "for a link");
		return GH_INTERNAL;
	}
	m.kind = kind;
	m.to = t->email;
	m.username = t->username;
	m.link = link;
	/* gh_mail_send() logs its own failure. */
	st = gh_mail_send(cfg, &m);
	OPENSSL_cleanse(link, sizeof(link));
	return st;
}

void
gh_recovery_verify_job(struct gh_db *db, const struct gh_config *cfg,
    const void *arg, size_t len)
{
	const char			*user_id = arg;
	struct gh_onetime		 t;
	enum gh_recovery_outcome	 oc;
	enum gh_status			 st;

	if (len == 0 || user_id[len - 1] != '\0')
		return;
	st = gh_recovery_verify_issue(db, cfg, user_id, &t, &oc);
	if (st != GH_OK)
		gh_log(GH_LOG_ERROR, "recovery: no verification token: %s",
		    gh_status_str(st));
	else if (oc == GH_RECOVERY_OK)
		(void)gh_recovery_mail(cfg, GH_MAIL_VERIFY, "/auth/verify", &t);
	OPENSSL_cleanse(&t, sizeof(t));
}
