/*
 * own: a user's own sessions and profile.  See own.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "data/query.h"
#include "domain/audit.h"
#include "domain/own.h"

/* Each a definer function of sql/015: the me program writes no table. */
static const struct gh_stmt stmt_list = {
	"gh_own_sessions",
	"SELECT id, created_at, last_used_at, user_agent, address "
	"FROM gh_own_sessions($1::uuid, $2::uuid, $3::int)", 3
};

static const struct gh_stmt stmt_end = {
	"gh_own_session_end",
	"SELECT gh_end_own_session($1::uuid, $2::uuid, $3::uuid)", 3
};

static const struct gh_stmt stmt_profile = {
	"gh_own_profile_update",
	"SELECT gh_update_own_profile($1::uuid, $2::uuid, $3::boolean, $4, "
	"$5::boolean, $6, $7::boolean, $8)", 8
};

enum { C_ID, C_CREATED, C_LAST_USED, C_USER_AGENT, C_ADDRESS };

enum gh_status
gh_own_sessions(struct gh_db *db, const char *user_id, const char *sid,
    void (*fn)(const struct gh_own_session *, void *), void *arg)
{
	struct gh_own_session	 s;
	char			 limit[GH_QUERY_NUM_MAX];
	const char		*params[3] = { user_id, sid, limit };
	PGresult		*res;
	enum gh_status		 st;
	int			 i, n;

	if (gh_query_num(limit, sizeof(limit), GH_OWN_SESSIONS_MAX) == -1)
		return GH_INTERNAL;
	if ((st = gh_db_exec(db, &stmt_list, params, &res)) != GH_OK)
		return st;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (gh_query_copy(res, i, C_ID, s.id, sizeof(s.id)) == -1 ||
		    gh_query_copy(res, i, C_CREATED, s.created_at,
		    sizeof(s.created_at)) == -1 ||
		    gh_query_copy(res, i, C_LAST_USED, s.last_used_at,
		    sizeof(s.last_used_at)) == -1 ||
		    gh_query_copy(res, i, C_USER_AGENT, s.user_agent,
		    sizeof(s.user_agent)) == -1 ||
		    gh_query_copy(res, i, C_ADDRESS, s.address,
		    sizeof(s.address)) == -1) {
			st = GH_DB_ERROR;
			break;
		}
		fn(&s, arg);
	}
	PQclear(res);
	return st;
}

enum gh_status
gh_own_session_end(struct gh_db *db, const char *user_id, const char *sid,
    const char *target)
{
	const char	*params[3] = { user_id, sid, target };
	struct gh_audit	 a;
	enum gh_status	 st;

	/* A malformed id is an unknown one, not the database's error. */
	if (!gh_str_is_uuid(target, strlen(target)))
		return GH_NOT_FOUND;
	if ((st = gh_query_touched(db, &stmt_end, params)) != GH_OK)
		return st;
	gh_audit_init(&a, GH_AUDIT_SESSION_REVOKED, true, user_id, target);
	gh_audit_detail(&a, "reason", "own_session");
	gh_audit_append(db, &a);
	return GH_OK;
}

/* The names of the fields p sets, for the audit row. */
static const char *
profile_fields(const struct gh_user_patch *p, char *out, size_t outsz)
{
	int	 n;

	n = snprintf(out, outsz, "%s%s%s", p->set_email ? "email," : "",
	    p->set_full_name ? "full_name," : "",
	    p->set_phone ? "phone," : "");
	if (n < 0 || (size_t)n >= outsz)
		n = 0;
	out[n > 0 ? n - 1 : 0] = '\0';
	return out;
}

enum gh_status
gh_own_profile_update(struct gh_db *db, const char *user_id,
    const char *sid, const struct gh_user_patch *p, bool *new_email)
{
	const char	*params[8];
	char		 fields[32];
	PGresult	*res;
	enum gh_status	 st;
	long		 done;

	*new_email = false;
	params[0] = user_id;
	params[1] = sid;
	params[2] = p->set_email ? "true" : "false";
	params[3] = p->email != NULL ? p->email : "";
	params[4] = p->set_full_name ? "true" : "false";
	params[5] = p->full_name != NULL ? p->full_name : "";
	params[6] = p->set_phone ? "true" : "false";
	params[7] = p->phone != NULL ? p->phone : "";
	if ((st = gh_query_row(db, &stmt_profile, params, &res)) != GH_OK)
		return st;
	done = gh_query_long(res, 0, 0);
	PQclear(res);
	if (done == 0)
		return GH_NOT_FOUND;
	*new_email = done == 2;
	gh_audit_record(db, GH_AUDIT_USER_UPDATED, user_id, NULL, "fields",
	    profile_fields(p, fields, sizeof(fields)));
	return GH_OK;
}
