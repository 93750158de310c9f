/*
 * throttle: login and registration limits.  See throttle.h.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "data/db.h"
#include "data/query.h"
#include "domain/throttle.h"

/*
 * Admits and counts an attempt in one step (sql/010_lockout.sql): 0, or
 * the seconds to wait.
 */
static const struct gh_stmt stmt_login_attempt = {
	"gh_throttle_login_attempt",
	"WITH t AS MATERIALIZED (SELECT gh_login_attempt($1, $2, $3::int, "
	"$4::int, $5::int, $6::int, $7::int) AS wait), "
	"a AS (INSERT INTO audit_log " GH_AUDIT_COLUMNS " SELECT $8::text, "
	"$9::text, $10::uuid, $11::uuid, $12::uuid, $13::text, $14::text, "
	"$15::jsonb FROM t WHERE t.wait > 0 AND $8::text IS NOT NULL) "
	"SELECT wait FROM t", 7 + GH_AUDIT_NPARAMS
};

/* The failures in the window and the consecutive ones go together. */
static const struct gh_stmt stmt_login_succeeded = {
	"gh_throttle_login_succeeded",
	"WITH c AS (DELETE FROM login_lockout WHERE account = $1) "
	"DELETE FROM login_failures WHERE account = $1", 1
};

/* Admits and counts a registration in one step: 0, or the seconds. */
static const struct gh_stmt stmt_register_attempt = {
	"gh_throttle_register_attempt",
	"SELECT gh_register_attempt($1, $2::int, $3::int)", 3
};

static const struct gh_stmt stmt_cleanup = {
	"gh_throttle_cleanup",
	"WITH f AS (DELETE FROM login_failures WHERE failed_at < now() - "
	"make_interval(secs => $1::int) RETURNING 1), "
	"r AS (DELETE FROM registrations WHERE created_at < now() - "
	"make_interval(secs => $2::int) RETURNING 1) "
	"SELECT (SELECT count(*) FROM f) + (SELECT count(*) FROM r)", 2
};

void
gh_throttle_account_key(const char *user_id, const char *kind,
    const char *identifier, char *out, size_t outsz)
{
	int	 n;

	if (user_id != NULL && *user_id != '\0')
		n = snprintf(out, outsz, "id:%s", user_id);
	else
		n = snprintf(out, outsz, "name:%s:%s", kind, identifier);
	if (n < 0)
		out[0] = '\0';
	/* snprintf cut an over-long name: still one key per name prefix. */
	gh_str_lower_inplace(out);
}

void
gh_throttle_address_key(const char *address, char *out, size_t outsz)
{
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN];
	int		 n;

	if (outsz == 0)
		return;
	if (address == NULL)
		address = "";
	if (strchr(address, ':') == NULL ||
	    inet_pton(AF_INET6, address, &a6) != 1) {
		n = snprintf(out, outsz, "%s", address);
		if (n < 0)
			out[0] = '\0';
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		if (inet_ntop(AF_INET, &a6.s6_addr[12], buf,
		    sizeof(buf)) == NULL)
			buf[0] = '\0';
		n = snprintf(out, outsz, "%s", buf);
	} else {
		memset(&a6.s6_addr[8], 0, 8);
		if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) == NULL)
			buf[0] = '\0';
		n = snprintf(out, outsz, "%s/64", buf);
	}
	if (n < 0 || (size_t)n >= outsz)
		out[0] = '\0';
}

enum gh_status
gh_throttle_login_attempt(struct gh_db *db, const struct gh_config *cfg,
    const char *account, const char *address, long *retry_after)
{
	return gh_throttle_login_audited(db, cfg, account, address, NULL,
	    retry_after);
}

enum gh_status
gh_throttle_login_audited(struct gh_db *db, const struct gh_config *cfg,
    const char *account, const char *address, const struct gh_audit *a,
    long *retry_after)
{
	char			 num[5][GH_QUERY_NUM_MAX];
	char			 addr[GH_THROTTLE_ADDR_MAX];
	const char		*params[7 + GH_AUDIT_NPARAMS] = { account,
				    addr, num[0], num[1], num[2], num[3],
				    num[4] };
	PGresult		*res;
	enum gh_status		 st;

	*retry_after = 0;
	gh_throttle_address_key(address, addr, sizeof(addr));
	if (gh_query_num(num[0], sizeof(num[0]),
	    cfg->login_failure_window_seconds) == -1 ||
	    gh_query_num(num[1], sizeof(num[1]),
	    cfg->login_max_failures_per_account) == -1 ||
	    gh_query_num(num[2], sizeof(num[2]),
	    cfg->login_max_failures_per_address) == -1 ||
	    gh_query_num(num[3], sizeof(num[3]),
	    GH_THROTTLE_BACKOFF_BASE) == -1 ||
	    gh_query_num(num[4], sizeof(num[4]),
	    cfg->login_max_consecutive_failures) == -1)
		return GH_INTERNAL;
	if (a != NULL)
		gh_audit_bind(a, params + 7);
	if ((st = gh_query_row(db, &stmt_login_attempt, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*retry_after = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_throttle_login_succeeded(struct gh_db *db, const char *account)
{
	const char	*params[1] = { account };

	return gh_db_run(db, &stmt_login_succeeded, params);
}

/*
 * The registrations' count (sql/010) for address's key under prefix:
 * "" for a registration, "forgot:" for a forgotten password.
 */
static enum gh_status
address_attempt(struct gh_db *db, const struct gh_config *cfg,
    const char *prefix, const char *address, long *retry_after)
{
	char			 num[2][GH_QUERY_NUM_MAX];
	char			 key[GH_THROTTLE_ADDR_MAX];
	char			 addr[GH_THROTTLE_ADDR_MAX + 16];
	const char		*params[3] = { addr, num[0], num[1] };
	PGresult		*res;
	enum gh_status		 st;
	int			 n;

	*retry_after = 0;
	if (cfg->register_max_per_address == 0)
		return GH_OK;
	gh_throttle_address_key(address, key, sizeof(key));
	n = snprintf(addr, sizeof(addr), "%s%s", prefix, key);
	if (n < 0 || (size_t)n >= sizeof(addr))
		return GH_INTERNAL;
	if (gh_query_num(num[0], sizeof(num[0]),
	    cfg->register_window_seconds) == -1 ||
	    gh_query_num(num[1], sizeof(num[1]),
	    cfg->register_max_per_address) == -1)
		return GH_INTERNAL;
	if ((st = gh_query_row(db, &stmt_register_attempt, params, &res)) !=
	    GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*retry_after = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_throttle_register_attempt(struct gh_db *db, const struct gh_config *cfg,
    const char *address, long *retry_after)
{
	return address_attempt(db, cfg, "", address, retry_after);
}

enum gh_status
gh_throttle_forgot_attempt(struct gh_db *db, const struct gh_config *cfg,
    const char *address, long *retry_after)
{
	return address_attempt(db, cfg, "forgot:", address, retry_after);
}

enum gh_status
gh_throttle_cleanup(struct gh_db *db, const struct gh_config *cfg,
    long *deleted)
{
	char			 fsecs[GH_QUERY_NUM_MAX], rsecs[GH_QUERY_NUM_MAX];
	const char		*params[2] = { fsecs, rsecs };
	PGresult		*res;
	enum gh_status		 st;

	*deleted = 0;
	if (gh_query_num(fsecs, sizeof(fsecs),
	    cfg->login_failure_window_seconds) == -1 ||
	    gh_query_num(rsecs, sizeof(rsecs),
	    cfg->register_window_seconds) == -1)
		return GH_INTERNAL;
	if ((st = gh_query_row(db, &stmt_cleanup, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*deleted = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}
