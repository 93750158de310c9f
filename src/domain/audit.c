/*
 * audit: the audit trail's rows and reads.  See audit.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "core/utf8.h"
#include "data/query.h"
#include "domain/audit.h"

/* sql/016_audit.sql's CHECK holds the same list. */
static const char *const event_names[GH_AUDIT_NEVENTS] = {
	[GH_AUDIT_LOGIN_SUCCEEDED] = "login.succeeded",
	[GH_AUDIT_LOGIN_FAILED] = "login.failed",
	[GH_AUDIT_LOGIN_THROTTLED] = "login.throttled",
	[GH_AUDIT_LOGOUT] = "logout",
	[GH_AUDIT_SESSION_REVOKED] = "session.revoked",
	[GH_AUDIT_REFRESH_REUSE] = "refresh.reuse_detected",
	[GH_AUDIT_PASSWORD_CHANGED] = "password.changed",
	[GH_AUDIT_PASSWORD_RESET_REQUESTED] = "password.reset_requested",
	[GH_AUDIT_PASSWORD_RESET] = "password.reset",
	[GH_AUDIT_EMAIL_VERIFIED] = "email.verified",
	[GH_AUDIT_USER_REGISTERED] = "user.registered",
	[GH_AUDIT_USER_CREATED] = "user.created",
	[GH_AUDIT_USER_UPDATED] = "user.updated",
	[GH_AUDIT_USER_SUSPENDED] = "user.suspended",
	[GH_AUDIT_USER_DELETED] = "user.deleted",
	[GH_AUDIT_ROLE_GRANTED] = "role.granted",
	[GH_AUDIT_ROLE_REVOKED] = "role.revoked",
	[GH_AUDIT_ROLE_CREATED] = "role.created",
	[GH_AUDIT_KEY_ROTATED] = "key.rotated",
	[GH_AUDIT_KEY_RETIRED] = "key.retired",
};

static const struct gh_stmt stmt_write = {
	"gh_audit_write",
	"INSERT INTO audit_log " GH_AUDIT_COLUMNS " VALUES ($1, $2, "
	"$3::uuid, $4::uuid, $5::uuid, $6, $7, $8::jsonb)", GH_AUDIT_NPARAMS
};

/*
 * One more row than asked for tells whether a next page exists.  An
 * empty filter is NULL by nullif(), never cast: '' is no uuid.
 */
static const struct gh_stmt stmt_list = {
	"gh_audit_list",
	"SELECT id, json_build_object('id', id, 'at', to_char(at AT TIME "
	"ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'event', event, "
	"'outcome', outcome, 'user_id', user_id, 'actor_id', actor_id, "
	"'session_id', session_id, 'client_addr', client_addr, "
	"'user_agent', user_agent, 'details', details)::text "
	"FROM audit_log WHERE ($1::bigint = 0 OR id < $1::bigint) "
	"AND (nullif($3, '') IS NULL OR user_id = nullif($3, '')::uuid) "
	"AND (nullif($4, '') IS NULL OR event = $4) "
	"AND (nullif($5, '') IS NULL OR at >= nullif($5, '')::timestamptz) "
	"AND (nullif($6, '') IS NULL OR at < nullif($6, '')::timestamptz) "
	"AND (nullif($7, '') IS NULL OR lower(details->>'username') = "
	"lower($7)) "
	"ORDER BY id DESC LIMIT $2::int + 1", 7
};

static const struct gh_stmt stmt_cleanup = {
	"gh_audit_cleanup",
	"WITH d AS (DELETE FROM audit_log WHERE at < now() - "
	"make_interval(days => $1::int) RETURNING 1) "
	"SELECT count(*) FROM d", 1
};

static struct {
	char	 addr[GH_AUDIT_ADDR_MAX + 1];
	char	 agent[GH_AUDIT_AGENT_MAX + 1];
	char	 actor[GH_UUID_LEN + 1];
	char	 via[16];
} ctx;

const char *
gh_audit_event_name(enum gh_audit_event e)
{
	if ((unsigned)e >= GH_AUDIT_NEVENTS)
		return NULL;
	return event_names[e];
}

bool
gh_audit_event_known(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < GH_AUDIT_NEVENTS; i++)
		if (strlen(event_names[i]) == len &&
		    memcmp(event_names[i], name, len) == 0)
			return true;
	return false;
}

/*
 * Copies what a client sent into out as valid UTF-8 without control
 * characters (each bad byte a '?'), cut at a character's edge.
 */
static void
copy_clean(char *out, size_t outsz, const char *in)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 o = 0, n, avail;

	if (in != NULL) {
		avail = strlen(in);
		while (avail > 0) {
			n = gh_utf8_seq(p, avail);
			if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
				if (o + 1 >= outsz)
					break;
				out[o++] = '?';
				n = 1;
			} else {
				if (o + n >= outsz)
					break;
				memcpy(out + o, p, n);
				o += n;
			}
			p += n;
			avail -= n;
		}
	}
	out[o] = '\0';
}

static void
copy_id(char out[GH_UUID_LEN + 1], const char *id)
{
	if (id != NULL && gh_str_is_uuid(id, strlen(id)))
		memcpy(out, id, GH_UUID_LEN + 1);
	else
		out[0] = '\0';
}

void
gh_audit_context(const char *address, const char *agent, const char *via)
{
	copy_clean(ctx.addr, sizeof(ctx.addr), address);
	copy_clean(ctx.agent, sizeof(ctx.agent), agent);
	copy_clean(ctx.via, sizeof(ctx.via), via);
	ctx.actor[0] = '\0';
}

void
gh_audit_actor(const char *user_id)
{
	copy_id(ctx.actor, user_id);
}

void
gh_audit_init(struct gh_audit *a, enum gh_audit_event event, bool ok,
    const char *user_id, const char *session_id)
{
	memset(a, 0, sizeof(*a));
	a->event = event;
	a->ok = ok;
	copy_id(a->user_id, user_id);
	copy_id(a->session_id, session_id);
	memcpy(a->actor_id, ctx.actor, sizeof(a->actor_id));
	memcpy(a->client_addr, ctx.addr, sizeof(a->client_addr));
	memcpy(a->user_agent, ctx.agent, sizeof(a->user_agent));
	if (ctx.via[0] != '\0')
		gh_audit_detail(a, "via", ctx.via);
}

/* Appends s to buf at *o as JSON string content; -1 when it won't fit. */
static int
put_json(char *buf, size_t bufsz, size_t *o, const char *s)
{
	const unsigned char	*p;
	int			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			n = snprintf(buf + *o, bufsz - *o, "\\%c", *p);
		else if (*p < 0x20)
			n = snprintf(buf + *o, bufsz - *o, "\\u%04x", *p);
		else
			n = snprintf(buf + *o, bufsz - *o, "%c", *p);
		if (n < 0 || (size_t)n >= bufsz - *o)
			return -1;
		*o += (size_t)n;
	}
	return 0;
}

void
gh_audit_detail(struct gh_audit *a, const char *key, const char *value)
{
	char	 clean[GH_AUDIT_DETAILS_MAX];
	char	 buf[GH_AUDIT_DETAILS_MAX];
	size_t	 o;

	if (value == NULL)
		return;
	copy_clean(clean, sizeof(clean), value);
	/* The object so far without its closing brace, then the pair. */
	if (a->details[0] == '\0') {
		buf[0] = '{';
		o = 1;
	} else {
		o = strlen(a->details) - 1;
		memcpy(buf, a->details, o);
		buf[o++] = ',';
	}
	if (o + 1 >= sizeof(buf))
		return;
	buf[o++] = '"';
	if (put_json(buf, sizeof(buf), &o, key) == -1 ||
	    o + 3 >= sizeof(buf))
		return;
	memcpy(buf + o, "\":\"", 3);
	o += 3;
	if (put_json(buf, sizeof(buf), &o, clean) == -1 ||
	    o + 3 > sizeof(buf))
		return;
	memcpy(buf + o, "\"}", 3);
	memcpy(a->details, buf, o + 3);
}

void
gh_audit_bind(const struct gh_audit *a, const char *params[GH_AUDIT_NPARAMS])
{
	params[0] = gh_audit_event_name(a->event);
	params[1] = a->ok ? "success" : "failure";
	params[2] = a->user_id[0] != '\0' ? a->user_id : NULL;
	params[3] = a->actor_id[0] != '\0' ? a->actor_id : NULL;
	params[4] = a->session_id[0] != '\0' ? a->session_id : NULL;
	params[5] = a->client_addr[0] != '\0' ? a->client_addr : NULL;
	params[6] = a->user_agent[0] != '\0' ? a->user_agent : NULL;
	params[7] = a->details[0] != '\0' ? a->details : "{}";
}

enum gh_status
gh_audit_write(struct gh_db *db, const struct gh_audit *a)
{
	const char	*params[GH_AUDIT_NPARAMS];

	if (gh_audit_event_name(a->event) == NULL)
		return GH_INTERNAL;
	gh_audit_bind(a, params);
	return gh_db_run(db, &stmt_write, params);
}

void
gh_audit_append(struct gh_db *db, const struct gh_audit *a)
{
	enum gh_status	 st;

	if ((st = gh_audit_write(db, a)) != GH_OK)
		gh_log(GH_LOG_ERROR, "audit: %s row lost: %s",
		    gh_audit_event_name(a->event), gh_status_str(st));
}

void
gh_audit_record(struct gh_db *db, enum gh_audit_event event,
    const char *user_id, const char *username, const char *key,
    const char *value)
{
	struct gh_audit	 a;

	gh_audit_init(&a, event, true, user_id, NULL);
	gh_audit_detail(&a, "username", username);
	if (key != NULL)
		gh_audit_detail(&a, key, value);
	gh_audit_append(db, &a);
}

/* n digits at s, their value in *v; -1 when one is not a digit. */
static int
digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

bool
gh_audit_time_ok(const char *s, size_t len)
{
	static const int	 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			 y, mo, d, h, mi, se, zh, zm;
	size_t			 i = 19;

	/* YYYY-MM-DDTHH:MM:SS, the zone apart: what PostgreSQL reads too. */
	if (len < 20 || len > 40 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &se))
		return false;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))) || h > 23 || mi > 59 || se > 60)
		return false;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return false;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))
		return true;
	return i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    digits(s + i + 1, 2, &zh) == 0 && s[i + 3] == ':' &&
	    digits(s + i + 4, 2, &zm) == 0 && zh < 24 && zm < 60;
}

enum gh_status
gh_audit_list(struct gh_db *db, const struct gh_audit_filter *f,
    void (*fn)(const char *, void *), void *arg, bool *more, long *last)
{
	char		 after[GH_QUERY_NUM_MAX], limit[GH_QUERY_NUM_MAX];
	const char	*params[7];
	PGresult	*res;
	enum gh_status	 st;
	int		 i, n;

	*more = false;
	*last = 0;
	if (f->limit < 1 || f->limit > GH_AUDIT_PAGE_MAX ||
	    gh_query_num(after, sizeof(after), f->after) == -1 ||
	    gh_query_num(limit, sizeof(limit), f->limit) == -1)
		return GH_INTERNAL;
	params[0] = after;
	params[1] = limit;
	params[2] = f->user_id != NULL ? f->user_id : "";
	params[3] = f->event != NULL ? f->event : "";
	params[4] = f->since != NULL ? f->since : "";
	params[5] = f->until != NULL ? f->until : "";
	params[6] = f->username != NULL ? f->username : "";
	if ((st = gh_db_exec(db, &stmt_list, params, &res)) != GH_OK)
		return st;
	n = PQntuples(res);
	if (n > f->limit) {
		*more = true;
		n = f->limit;
	}
	for (i = 0; i < n; i++)
		fn(PQgetvalue(res, i, 1), arg);
	if (n > 0)
		*last = gh_query_long(res, n - 1, 0);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_audit_cleanup(struct gh_db *db, int days, long *deleted)
{
	char		 d[GH_QUERY_NUM_MAX];
	const char	*params[1] = { d };
	PGresult	*res;
	enum gh_status	 st;

	*deleted = 0;
	if (gh_query_num(d, sizeof(d), days) == -1)
		return GH_INTERNAL;
	if ((st = gh_query_row(db, &stmt_cleanup, params, &res)) != GH_OK)
		return st == GH_NOT_FOUND ? GH_DB_ERROR : st;
	*deleted = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}
