/*
 * signin: login, refresh, logout and the own password change.  See
 * signin.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "core/password.h"
#include "core/str.h"
#include "domain/keys.h"
#include "domain/sessions.h"
#include "domain/signin.h"
#include "domain/throttle.h"
#include "domain/users.h"

/* How a login's identifier is named in its throttle key. */
static const char *const login_kinds[] = {
	[GH_LOGIN_USERNAME] = "username",
	[GH_LOGIN_EMAIL] = "email",
	[GH_LOGIN_EMPLOYEE_ID] = "employee_id",
};

/*
 * Checks a login's password: u is NULL for an unknown user, who costs
 * the same bcrypt.  1 when the login may go on.
 */
static int
password_ok(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_user *u, const char *pw, size_t len)
{
	char	 hash[GH_HASH_MAX];

	if (u == NULL) {
		gh_password_verify_dummy(pw, len, cfg->bcrypt_cost);
		return 0;
	}
	if (gh_password_verify(pw, len, u->password_hash) != 1 || !u->active)
		return 0;
	if (gh_password_needs_rehash(u->password_hash, cfg->bcrypt_cost) &&
	    gh_password_hash(pw, len, cfg->bcrypt_cost, hash,
	    sizeof(hash)) == 0) {
		/* A failed rehash is tried again at the next login. */
		(void)gh_users_rehash(db, u->id, u->password_hash, hash);
		OPENSSL_cleanse(hash, sizeof(hash));
	}
	return 1;
}

/*
 * Appends a row about user_id and sid (either may be NULL) in a
 * statement of its own, after the action (gh_audit_append()).
 */
static void
note(struct gh_db *db, enum gh_audit_event event, bool ok,
    const char *user_id, const char *sid, const char *username,
    const char *reason)
{
	struct gh_audit	 a;

	gh_audit_init(&a, event, ok, user_id, sid);
	gh_audit_detail(&a, "username", username);
	gh_audit_detail(&a, "reason", reason);
	gh_audit_append(db, &a);
}

/*
 * A login's audit row: the user when known, and the identifier as typed
 * (bounded by the login's parser) under its kind's name.
 */
static void
login_audit(struct gh_audit *a, enum gh_audit_event event,
    const struct gh_user *u, const struct gh_login *in)
{
	char	 typed[GH_EMAIL_MAX + 1];

	gh_audit_init(a, event, event == GH_AUDIT_LOGIN_SUCCEEDED,
	    u != NULL ? u->id : NULL, NULL);
	if (snprintf(typed, sizeof(typed), "%s", in->identifier) >= 0)
		gh_audit_detail(a, login_kinds[in->field], typed);
}

enum gh_status
gh_signin_login(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const struct gh_login *in,
    struct gh_signin *out)
{
	struct gh_user	 u;
	char		 account[GH_THROTTLE_KEY_MAX];
	const char	*addr;
	enum gh_status	 st;
	bool		 known;

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	if ((unsigned)in->field > GH_LOGIN_EMPLOYEE_ID)
		return GH_INTERNAL;
	if (in->client.audience != NULL && !gh_str_word_in(cfg->token_audiences,
	    in->client.audience, strlen(in->client.audience))) {
		out->outcome = GH_SIGNIN_BAD_AUDIENCE;
		return GH_OK;
	}
	addr = in->client.address != NULL ? in->client.address : "";
	st = gh_users_get_for_login(db, in->field, in->identifier, &u);
	if (st != GH_OK && st != GH_NOT_FOUND)
		goto out;
	known = st == GH_OK;
	gh_throttle_account_key(known ? u.id : NULL, login_kinds[in->field],
	    in->identifier, account, sizeof(account));
	login_audit(&out->audit, GH_AUDIT_LOGIN_THROTTLED, known ? &u : NULL,
	    in);
	/*
	 * Before any password work: a throttled attempt costs no bcrypt,
	 * and an admitted one is already counted as a failure.
	 */
	if ((st = gh_throttle_login_audited(db, cfg, account, addr,
	    &out->audit, &out->retry_after)) != GH_OK)
		goto out;
	if (out->retry_after > 0) {
		out->outcome = GH_SIGNIN_THROTTLED;
		goto out;
	}
	if (!password_ok(db, cfg, known ? &u : NULL, in->password,
	    in->password_len)) {
		out->outcome = GH_SIGNIN_BAD_CREDENTIALS;
		goto failed;
	}
	if ((st = gh_throttle_login_succeeded(db, account)) != GH_OK)
		goto out;
	if (cfg->require_verified_email && !u.email_verified) {
		out->outcome = GH_SIGNIN_EMAIL_NOT_VERIFIED;
		goto failed;
	}
	login_audit(&out->audit, GH_AUDIT_LOGIN_SUCCEEDED, &u, in);
	st = gh_sessions_login(db, cfg, key, &u, &in->client, &out->audit,
	    &out->tokens);
	if (st == GH_NOT_FOUND) {
		/* The credentials changed while the password was checked. */
		out->outcome = GH_SIGNIN_BAD_CREDENTIALS;
		st = GH_OK;
		goto failed;
	}
	goto out;
failed:
	login_audit(&out->audit, GH_AUDIT_LOGIN_FAILED, known ? &u : NULL,
	    in);
	gh_audit_detail(&out->audit, "reason", out->outcome ==
	    GH_SIGNIN_EMAIL_NOT_VERIFIED ? "email_not_verified" :
	    "bad_credentials");
	out->audit_later = true;
out:
	OPENSSL_cleanse(&u, sizeof(u));
	return st;
}

enum gh_status
gh_signin_refresh(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_jwt_key *key, const char *token, size_t len,
    struct gh_signin *out)
{
	enum gh_refresh_outcome	 r;
	enum gh_status		 st;

	memset(out, 0, sizeof(*out));
	st = gh_sessions_refresh(db, cfg, key, token, len, &out->tokens, &r);
	if (st != GH_OK)
		return st;
	switch (r) {
	case GH_REFRESH_OK:
		out->outcome = GH_SIGNIN_OK;
		break;
	case GH_REFRESH_REUSED:
		gh_log(GH_LOG_WARN, "refresh: a rotated token was reused; "
		    "session %s ended", out->tokens.sid[0] != '\0' ?
		    out->tokens.sid : "?");
		out->outcome = GH_SIGNIN_REUSED;
		break;
	case GH_REFRESH_INVALID:
		out->outcome = GH_SIGNIN_INVALID_TOKEN;
		break;
	}
	return GH_OK;
}

enum gh_status
gh_signin_logout(struct gh_db *db, const struct gh_principal *p,
    const struct gh_logout *lo, struct gh_signin *out)
{
	enum gh_status	 st;
	const char	*reason = NULL;

	memset(out, 0, sizeof(*out));
	if (lo->all) {
		st = gh_sessions_end_all(db, p->user.id, "logout_all");
		reason = "all_sessions";
	} else if (lo->refresh != NULL) {
		st = gh_sessions_end_by_refresh(db, p->user.id, lo->refresh,
		    lo->refresh_len);
		if (st == GH_NOT_FOUND) {
			out->outcome = GH_SIGNIN_INVALID_TOKEN;
			return GH_OK;
		}
		reason = "refresh_token";
	} else {
		/* Ended a moment ago by another request: ended all the same. */
		st = gh_sessions_end(db, p->user.id, p->claims.sid, "logout");
		if (st == GH_NOT_FOUND)
			st = GH_OK;
	}
	if (st == GH_OK)
		note(db, GH_AUDIT_LOGOUT, true, p->user.id, p->claims.sid,
		    p->user.username, reason);
	return st;
}

/* The access token's session, when the token verifies; else nothing. */
static enum gh_status
revoke_access(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len, char sid[GH_UUID_LEN + 1],
    char uid[GH_UUID_LEN + 1])
{
	struct gh_jwt_claims	 c;
	struct gh_jwt_key	 k;
	enum gh_jwt_result	 jr;
	enum gh_status		 st;

	/* ES256, EdDSA, RS256: the token's kid is one of the key set's. */
	k = *key;
	if (!gh_jwt_alg_is_hmac(k.alg) && (st = gh_keys_fill(db, &k)) != GH_OK)
		return st;
	jr = gh_jwt_verify(&k, token, len, (int64_t)time(NULL), &c);
	if (jr == GH_JWT_INTERNAL)
		return GH_INTERNAL;
	if (jr != GH_JWT_OK)
		return GH_NOT_FOUND;
	if ((st = gh_sessions_end(db, c.sub, c.sid, GH_REVOKE_REASON)) ==
	    GH_OK) {
		memcpy(sid, c.sid, GH_UUID_LEN + 1);
		memcpy(uid, c.sub, GH_UUID_LEN + 1);
	}
	return st;
}

/* A revocation, recorded as event with reason. */
static enum gh_status
revoke_as(struct gh_db *db, const struct gh_jwt_key *key, const char *token,
    size_t len, enum gh_audit_event event, const char *reason)
{
	char		 sid[GH_UUID_LEN + 1] = "";
	char		 uid[GH_UUID_LEN + 1] = "";
	enum gh_status	 st;

	if (key == NULL)
		return GH_INTERNAL;
	/* The shapes cannot meet: a JWT has dots, a refresh token none. */
	if (memchr(token, '.', len) != NULL)
		st = revoke_access(db, key, token, len, sid, uid);
	else
		st = gh_sessions_revoke_refresh(db, token, len,
		    GH_REVOKE_REASON, sid, uid);
	if (st == GH_OK) {
		gh_log(GH_LOG_INFO, "revoke: session %s ended", sid);
		note(db, event, true, uid, sid, NULL, reason);
	}
	return st == GH_NOT_FOUND ? GH_OK : st;
}

enum gh_status
gh_signin_revoke(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len)
{
	return revoke_as(db, key, token, len, GH_AUDIT_SESSION_REVOKED,
	    "token_revocation");
}

enum gh_status
gh_signin_signout(struct gh_db *db, const struct gh_jwt_key *key,
    const char *token, size_t len)
{
	return revoke_as(db, key, token, len, GH_AUDIT_LOGOUT, "sign_out_page");
}

/* 1 when pw is the caller's current password; *st says when it cannot tell. */
static int
current_password_ok(struct gh_db *db, const struct gh_principal *p,
    const char *pw, size_t len, enum gh_status *st)
{
	struct gh_user	 u;
	int		 ok;

	*st = gh_users_get_for_login(db, GH_LOGIN_USERNAME, p->user.username,
	    &u);
	ok = *st == GH_OK && gh_password_verify(pw, len, u.password_hash) == 1;
	OPENSSL_cleanse(&u, sizeof(u));
	if (*st == GH_NOT_FOUND)
		*st = GH_OK;
	return ok;
}

/*
 * The current password of a change is a login of its user: throttled
 * under the same account key, so guesses on either path count together.
 */
enum gh_status
gh_signin_change_password(struct gh_db *db, const struct gh_config *cfg,
    const struct gh_principal *p, const struct gh_password_change *pc,
    struct gh_signin *out)
{
	struct gh_password_policy	 policy;
	enum gh_status			 st;
	char				 account[GH_THROTTLE_KEY_MAX];
	char				 hash[GH_HASH_MAX];
	const char			*addr;

	memset(out, 0, sizeof(*out));
	addr = pc->address != NULL ? pc->address : "";
	gh_throttle_account_key(p->user.id, NULL, NULL, account,
	    sizeof(account));
	gh_audit_init(&out->audit, GH_AUDIT_LOGIN_THROTTLED, false,
	    p->user.id, p->claims.sid);
	gh_audit_detail(&out->audit, "username", p->user.username);
	gh_audit_detail(&out->audit, "reason", "password_change");
	/* Before the bcrypt: a throttled guess costs nothing. */
	if ((st = gh_throttle_login_audited(db, cfg, account, addr,
	    &out->audit, &out->retry_after)) != GH_OK)
		return st;
	if (out->retry_after > 0) {
		out->outcome = GH_SIGNIN_THROTTLED;
		return GH_OK;
	}
	if (!current_password_ok(db, p, pc->current, pc->current_len, &st)) {
		if (st != GH_OK)
			return st;
		out->outcome = GH_SIGNIN_BAD_CREDENTIALS;
		note(db, GH_AUDIT_PASSWORD_CHANGED, false, p->user.id,
		    p->claims.sid, p->user.username, "bad_current_password");
		return GH_OK;
	}
	if ((st = gh_throttle_login_succeeded(db, account)) != GH_OK)
		return st;
	policy.min_length = cfg->password_min_length;
	policy.require_classes = cfg->password_require_classes;
	out->verdict = gh_password_check(&policy, pc->next, pc->next_len,
	    p->user.username, p->user.email);
	if (out->verdict != GH_PW_OK) {
		out->outcome = GH_SIGNIN_WEAK_PASSWORD;
		return GH_OK;
	}
	if (gh_password_hash(pc->next, pc->next_len, cfg->bcrypt_cost, hash,
	    sizeof(hash)) == -1) {
		gh_log(GH_LOG_ERROR, "signin: bcrypt failed on a new password");
		return GH_INTERNAL;
	}
	/* The caller's session goes on; every other one ends now. */
	st = gh_users_change_own_password(db, p->user.id, p->claims.sid, hash);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (st == GH_OK)
		note(db, GH_AUDIT_PASSWORD_CHANGED, true, p->user.id,
		    p->claims.sid, p->user.username, NULL);
	return st;
}
