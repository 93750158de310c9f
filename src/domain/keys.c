/*
 * keys: signing keys in PostgreSQL and the process's key set.  See
 * keys.h.
 *
 * A set is replaced, never changed, when it is reloaded, except for the
 * retired flags gh_keys_fill() sets by the clock; a replaced set is
 * freed at the next request's start, so that the pointers a request was
 * given stay good for the whole request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "core/jwk.h"
#include "core/log.h"
#include "data/query.h"
#include "domain/audit.h"
#include "domain/authcache.h"
#include "domain/keys.h"
#include "domain/tokencache.h"

/* The columns both loads read, and the rows they keep. */
#define LOAD_COLS \
	"SELECT kid, alg, public_pem, " \
	"(extract(epoch FROM signs_from) * 1000000)::bigint, " \
	"coalesce((extract(epoch FROM " \
	"least(retired_at, publish_until)) * 1000000)::bigint, 0)"
#define LOAD_WHERE \
	" FROM signing_keys WHERE (retired_at IS NULL OR retired_at > now()) " \
	"AND (publish_until IS NULL OR publish_until > now()) " \
	"ORDER BY signs_from DESC LIMIT 16"

/* A key's state by sql/012_keys.sql's rules. */
#define STATE \
	"CASE WHEN retired_at <= now() THEN 'retired' " \
	"WHEN signs_from > now() THEN 'next' " \
	"WHEN publish_until <= now() THEN 'expired' " \
	"WHEN superseded_at <= now() THEN 'previous' ELSE 'current' END"
#define TS(c) \
	"coalesce(to_char(" c " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
#define LIVE	"(retired_at IS NULL OR retired_at > now())"

static const struct gh_stmt stmt_load_public = {
	"gh_keys_load_public", LOAD_COLS LOAD_WHERE, 0
};
static const struct gh_stmt stmt_load_private = {
	"gh_keys_load_private", LOAD_COLS ", private_sealed" LOAD_WHERE, 0
};
static const struct gh_stmt stmt_lock = {
	"gh_keys_lock",
	"LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE", 0
};
static const struct gh_stmt stmt_counts = {
	"gh_keys_counts",
	"SELECT count(*) FILTER (WHERE signs_from > now() AND " LIVE "), "
	"count(*) FILTER (WHERE signs_from <= now() AND " LIVE " AND "
	"(superseded_at IS NULL OR superseded_at > now())) FROM signing_keys",
	0
};
static const struct gh_stmt stmt_supersede = {
	"gh_keys_supersede",
	"UPDATE signing_keys SET "
	"superseded_at = now() + $1::int * interval '1 second', "
	"publish_until = now() + ($1::int + $2::int) * interval '1 second' "
	"WHERE signs_from <= now() AND " LIVE " AND "
	"(superseded_at IS NULL OR superseded_at > now())", 2
};
static const struct gh_stmt stmt_insert = {
	"gh_keys_insert",
	"INSERT INTO signing_keys (kid, alg, public_pem, public_jwk, "
	"private_sealed, signs_from) VALUES ($1, $2, $3, $4, $5, "
	"now() + $6::int * interval '1 second') RETURNING " TS("signs_from"),
	6
};
static const struct gh_stmt stmt_schedule = {
	"gh_keys_schedule",
	"UPDATE signing_keys SET signs_from = now() + $2::int * "
	"interval '1 second' WHERE kid = $1 RETURNING " TS("signs_from"), 2
};
static const struct gh_stmt stmt_state = {
	"gh_keys_state",
	"SELECT " STATE ", (SELECT count(*) FROM signing_keys n "
	"WHERE n.signs_from > k.signs_from AND (n.retired_at IS NULL OR "
	"n.retired_at > now())), " TS("retired_at") " "
	"FROM signing_keys k WHERE kid = $1", 1
};
static const struct gh_stmt stmt_retire = {
	"gh_keys_retire",
	"UPDATE signing_keys SET retired_at = CASE WHEN $2 = 'now' OR "
	"signs_from > now() THEN now() "
	"ELSE greatest(now(), coalesce(publish_until, now())) END "
	"WHERE kid = $1 RETURNING " TS("retired_at"), 2
};
static const struct gh_stmt stmt_retire_expired = {
	"gh_keys_retire_expired",
	"WITH r AS (UPDATE signing_keys SET retired_at = now() WHERE " LIVE
	" AND publish_until <= now() RETURNING kid), "
	"a AS (INSERT INTO audit_log " GH_AUDIT_COLUMNS " SELECT $1::text, "
	"$2::text, $3::uuid, $4::uuid, $5::uuid, $6::text, $7::text, "
	"$8::jsonb || jsonb_build_object('kid', r.kid) FROM r) "
	"SELECT count(*) FROM r", GH_AUDIT_NPARAMS
};
static const struct gh_stmt stmt_list = {
	"gh_keys_list",
	"SELECT kid, alg, " STATE ", " TS("created_at") ", " TS("signs_from")
	", " TS("superseded_at") ", " TS("publish_until") ", "
	TS("retired_at") " FROM signing_keys ORDER BY signs_from, created_at",
	0
};

/* Times in microseconds since the epoch, as PostgreSQL keeps them. */
struct entry {
	struct gh_jwk	*jwk;
	char		*json;		/* its public JWK, as published */
	int64_t		 signs_from;
	int64_t		 ends;		/* retired or unpublished; 0: never */
};

struct set {
	struct entry		 e[GH_KEYS_MAX];
	struct gh_jwt_vkey	 v[GH_KEYS_MAX];
	size_t			 n;
	struct set		*next_dead;
};

static struct set	*cur;		/* NULL: never loaded */
static struct set	*dead;		/* replaced during this request */
static unsigned long	 loaded_serial;
static unsigned long	 loaded_generation;
static unsigned char	 kek[GH_JWK_KEK_LEN];
static int		 signing;

static void
set_free(struct set *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		gh_jwk_free(s->e[i].jwk);
		free(s->e[i].json);
	}
	free(s);
}

void
gh_keys_init(const unsigned char *k, size_t keklen)
{
	OPENSSL_cleanse(kek, sizeof(kek));
	signing = k != NULL && keklen == sizeof(kek);
	if (signing)
		memcpy(kek, k, sizeof(kek));
}

void
gh_keys_begin(void)
{
	struct set	*s;

	while ((s = dead) != NULL) {
		dead = s->next_dead;
		set_free(s);
	}
}

void
gh_keys_reset(void)
{
	gh_keys_begin();
	set_free(cur);
	cur = NULL;
}

/*
 * The key of one row, or NULL (logged: the operator must look).  A key
 * the signer cannot open still verifies, from its public part.
 */
static struct gh_jwk *
row_key(const PGresult *res, int row)
{
	const char	*kid = PQgetvalue(res, row, 0);
	const char	*alg = PQgetvalue(res, row, 1);
	struct gh_jwk	*k = NULL;

	if (signing && (k = gh_jwk_unseal(PQgetvalue(res, row, 5),
	    (size_t)PQgetlength(res, row, 5), kid, kek, sizeof(kek))) == NULL)
		gh_log(GH_LOG_ERROR, "keys: key %s cannot be opened (sealed "
		    "under another key_encryption_key_file?): it cannot sign",
		    kid);
	if (k == NULL && (k = gh_jwk_load_public(PQgetvalue(res, row, 2),
	    (size_t)PQgetlength(res, row, 2))) == NULL) {
		gh_log(GH_LOG_ERROR, "keys: key %s cannot be read", kid);
		return NULL;
	}
	if (strcmp(gh_jwk_kid(k), kid) != 0 ||
	    strcmp(gh_jwt_alg_name(gh_jwk_alg(k)), alg) != 0) {
		gh_log(GH_LOG_ERROR, "keys: key %s is not what its row says",
		    kid);
		gh_jwk_free(k);
		return NULL;
	}
	return k;
}

/* k's public JWK as text, as seal() stored it; NULL on failure. */
static char *
public_text(const struct gh_jwk *k)
{
	struct json_object	*obj;
	const char		*txt;
	char			*dup = NULL;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if (gh_jwk_public_json(k, obj) == 0 &&
	    (txt = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN)) != NULL)
		dup = strdup(txt);
	json_object_put(obj);
	return dup;
}

static enum gh_status
reload(struct gh_db *db)
{
	struct set	*s;
	PGresult	*res;
	unsigned long	 serial;
	enum gh_status	 st;
	int		 i, n;

	/* Whatever changes after the query below is announced from now. */
	gh_authcache_listen(db);
	serial = gh_authcache_keys_serial();
	st = gh_db_exec(db, signing ? &stmt_load_private : &stmt_load_public,
	    NULL, &res);
	if (st != GH_OK)
		return st;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		PQclear(res);
		return GH_NOMEM;
	}
	n = PQntuples(res);
	for (i = 0; i < n && s->n < GH_KEYS_MAX; i++) {
		if ((s->e[s->n].jwk = row_key(res, i)) == NULL)
			continue;
		if ((s->e[s->n].json = public_text(s->e[s->n].jwk)) == NULL) {
			gh_jwk_free(s->e[s->n].jwk);
			set_free(s);
			PQclear(res);
			return GH_NOMEM;
		}
		s->e[s->n].signs_from = gh_query_long(res, i, 3);
		s->e[s->n].ends = gh_query_long(res, i, 4);
		s->n++;
	}
	PQclear(res);
	if (cur != NULL) {
		cur->next_dead = dead;
		dead = cur;
	}
	cur = s;
	/* A token verified under the old set is verified again. */
	gh_tokencache_flush();
	loaded_serial = serial;
	loaded_generation = gh_db_generation(db);
	return GH_OK;
}

/* Whether the set may no longer be the database's. */
static int
stale(const struct gh_db *db)
{
	return cur == NULL || !gh_authcache_listening() ||
	    gh_authcache_keys_serial() != loaded_serial ||
	    gh_db_generation(db) != loaded_generation;
}

enum gh_status
gh_keys_fill(struct gh_db *db, struct gh_jwt_key *key)
{
	const struct entry	*best = NULL;
	struct timespec		 ts;
	enum gh_status		 st;
	int64_t			 now;
	size_t			 i;

	key->signer = NULL;
	key->keys = NULL;
	key->nkeys = 0;
	if (stale(db) && (st = reload(db)) != GH_OK)
		return st;
	/* PostgreSQL's clock, as sessions.c says: not time(2)'s. */
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return GH_INTERNAL;
	now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	for (i = 0; i < cur->n; i++) {
		const struct entry	*e = &cur->e[i];
		int			 retired;

		retired = e->ends != 0 && e->ends <= now;
		cur->v[i].jwk = e->jwk;
		cur->v[i].retired = retired;
		if (retired || e->signs_from > now ||
		    !gh_jwk_has_private(e->jwk) ||
		    gh_jwk_alg(e->jwk) != key->alg)
			continue;
		if (best == NULL || e->signs_from > best->signs_from)
			best = e;
	}
	key->signer = best != NULL ? best->jwk : NULL;
	key->keys = cur->v;
	key->nkeys = cur->n;
	return GH_OK;
}

int
gh_keys_changed(struct gh_db *db)
{
	gh_authcache_settle(db);
	/* Not listening: this request's fill read the database itself. */
	if (!gh_authcache_listening())
		return 0;
	return stale(db);
}

long
gh_keys_jwks_json(struct gh_db *db, char *out, size_t outsz,
    enum gh_status *st)
{
	struct timespec	 ts;
	const char	*sep = "";
	int64_t		 now;
	size_t		 i, pos;
	int		 n;

	/*
	 * The round trip a token check makes: a change committed before
	 * the request is in the set, with no query while nothing changed.
	 */
	if ((gh_authcache_sync(db) == -1 || stale(db)) &&
	    (*st = reload(db)) != GH_OK)
		return -1;
	*st = GH_INTERNAL;
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	n = snprintf(out, outsz, "{\"keys\":[");
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	pos = (size_t)n;
	/* Newest first, as loaded; what the clock has ended is not shown. */
	for (i = 0; i < cur->n; i++) {
		if (cur->e[i].ends != 0 && cur->e[i].ends <= now)
			continue;
		n = snprintf(out + pos, outsz - pos, "%s%s", sep,
		    cur->e[i].json);
		if (n < 0 || (size_t)n >= outsz - pos)
			return -1;
		pos += (size_t)n;
		sep = ",";
	}
	n = snprintf(out + pos, outsz - pos, "]}");
	if (n < 0 || (size_t)n >= outsz - pos)
		return -1;
	*st = GH_OK;
	return (long)(pos + (size_t)n);
}

/* The insert's parameters: k's public forms and its sealed private. */
struct sealed {
	char	pem[GH_JWK_PEM_MAX];
	char	jwk[GH_JWK_PEM_MAX];
	char	blob[GH_JWK_SEALED_MAX];
};

static int
seal(const struct gh_jwk *k, const unsigned char *key, size_t keklen,
    struct sealed *s)
{
	struct json_object	*obj;
	const char		*txt;
	int			 n, rc = -1;

	if ((obj = json_object_new_object()) == NULL)
		return -1;
	if (gh_jwk_save_public(k, s->pem, sizeof(s->pem)) < 0 ||
	    gh_jwk_public_json(k, obj) == -1 ||
	    (txt = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN)) == NULL ||
	    gh_jwk_seal(k, key, keklen, s->blob, sizeof(s->blob)) < 0)
		goto out;
	n = snprintf(s->jwk, sizeof(s->jwk), "%s", txt);
	rc = n < 0 || (size_t)n >= sizeof(s->jwk) ? -1 : 0;
out:
	json_object_put(obj);
	return rc;
}

/* Runs q, whose one row is a moment: into out. */
static enum gh_status
query_time(struct gh_db *db, const struct gh_stmt *q, const char *const *params,
    char *out)
{
	PGresult	*res;
	enum gh_status	 st;

	if ((st = gh_query_row(db, q, params, &res)) != GH_OK)
		return st;
	if (gh_query_copy(res, 0, 0, out, GH_KEYS_TIME_MAX) == -1)
		st = GH_DB_ERROR;
	PQclear(res);
	return st;
}

/*
 * Step one of an add: the key stored, hence published once this
 * transaction commits.  With nothing signing it signs at once (*later
 * 0).  Else *later is 1: step two schedules it, and until then it waits
 * a day, so that a step two that never comes leaves a key published
 * long before it signs, never one signing early.
 */
static enum gh_status
add_locked(struct gh_db *db, enum gh_keys_add_mode mode,
    const struct gh_jwk *k, const struct sealed *s, char *signs_from,
    int *later)
{
	struct gh_audit	 a;
	char		 d[GH_QUERY_NUM_MAX];
	const char	*params[6];
	PGresult	*res;
	enum gh_status	 st;
	long		 nnext, ncurrent;

	if ((st = gh_db_run(db, &stmt_lock, NULL)) != GH_OK ||
	    (st = gh_query_row(db, &stmt_counts, NULL, &res)) != GH_OK)
		return st;
	nnext = gh_query_long(res, 0, 0);
	ncurrent = gh_query_long(res, 0, 1);
	PQclear(res);
	if (nnext > 0 || (mode == GH_KEYS_GENERATE && ncurrent > 0))
		return GH_CONFLICT;
	*later = ncurrent > 0;
	if (gh_query_num(d, sizeof(d), *later ? 86400 : 0) == -1)
		return GH_INTERNAL;
	params[0] = gh_jwk_kid(k);
	params[1] = gh_jwt_alg_name(gh_jwk_alg(k));
	params[2] = s->pem;
	params[3] = s->jwk;
	params[4] = s->blob;
	params[5] = d;
	if ((st = query_time(db, &stmt_insert, params, signs_from)) != GH_OK)
		return st;
	gh_audit_init(&a, GH_AUDIT_KEY_ROTATED, true, NULL, NULL);
	gh_audit_detail(&a, "kid", gh_jwk_kid(k));
	gh_audit_detail(&a, "alg", gh_jwt_alg_name(gh_jwk_alg(k)));
	gh_audit_detail(&a, "mode", mode == GH_KEYS_GENERATE ? "generate" :
	    "rotate");
	return gh_audit_write(db, &a);
}

/*
 * Step two, in a transaction begun after step one committed: the key
 * signs delay seconds from now, when every copy of the set fetched
 * before it was published has expired (one fetched while step one was
 * in flight missed it, and is kept delay seconds from then), and the
 * current key is superseded at that moment.
 */
static enum gh_status
schedule_locked(struct gh_db *db, const char *kid, int delay, int publish,
    char *signs_from)
{
	char		 d[GH_QUERY_NUM_MAX], p[GH_QUERY_NUM_MAX];
	const char	*params[2];
	enum gh_status	 st;

	if (gh_query_num(d, sizeof(d), delay) == -1 ||
	    gh_query_num(p, sizeof(p), publish) == -1)
		return GH_INTERNAL;
	params[0] = d;
	params[1] = p;
	if ((st = gh_db_run(db, &stmt_lock, NULL)) != GH_OK ||
	    (st = gh_db_run(db, &stmt_supersede, params)) != GH_OK)
		return st;
	params[0] = kid;
	params[1] = d;
	return query_time(db, &stmt_schedule, params, signs_from);
}

/* Ends the transaction: committed when st, its work's status, is GH_OK. */
static enum gh_status
commit_if_ok(struct gh_db *db, enum gh_status st)
{
	if (st == GH_OK)
		return gh_db_commit(db);
	gh_db_rollback(db);
	return st;
}

enum gh_status
gh_keys_add(struct gh_db *db, enum gh_keys_add_mode mode,
    const struct gh_jwk *k, const unsigned char *key, size_t keklen,
    int delay, int publish, char signs_from[GH_KEYS_TIME_MAX])
{
	struct sealed	*s;
	enum gh_status	 st;
	int		 later = 0;

	signs_from[0] = '\0';
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return GH_NOMEM;
	if (seal(k, key, keklen, s) == -1) {
		st = GH_INTERNAL;
		goto out;
	}
	if ((st = gh_db_begin(db)) != GH_OK ||
	    (st = commit_if_ok(db, add_locked(db, mode, k, s, signs_from,
	    &later))) != GH_OK || !later)
		goto out;
	if ((st = gh_db_begin(db)) == GH_OK)
		st = commit_if_ok(db, schedule_locked(db, gh_jwk_kid(k), delay,
		    publish, signs_from));
out:
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return st;
}

static enum gh_status
retire_locked(struct gh_db *db, const char *kid, int now, char *when)
{
	struct gh_audit	 a;
	const char	*params[2] = { kid, now ? "now" : "later" };
	PGresult	*res;
	enum gh_status	 st;
	char		 state[12];
	long		 newer;

	if ((st = gh_db_run(db, &stmt_lock, NULL)) != GH_OK ||
	    (st = gh_query_row(db, &stmt_state, params, &res)) != GH_OK)
		return st;
	(void)gh_query_copy(res, 0, 0, state, sizeof(state));
	newer = gh_query_long(res, 0, 1);
	if (strcmp(state, "retired") == 0) {
		(void)gh_query_copy(res, 0, 2, when, GH_KEYS_TIME_MAX);
		PQclear(res);
		return GH_OK;
	}
	PQclear(res);
	/* Without --now, the only key that signs is not taken away. */
	if (!now && strcmp(state, "current") == 0 && newer == 0)
		return GH_CONFLICT;
	if ((st = gh_query_row(db, &stmt_retire, params, &res)) != GH_OK)
		return st;
	if (gh_query_copy(res, 0, 0, when, GH_KEYS_TIME_MAX) == -1)
		st = GH_DB_ERROR;
	PQclear(res);
	if (st != GH_OK)
		return st;
	gh_audit_init(&a, GH_AUDIT_KEY_RETIRED, true, NULL, NULL);
	gh_audit_detail(&a, "kid", kid);
	gh_audit_detail(&a, "from", when);
	return gh_audit_write(db, &a);
}

enum gh_status
gh_keys_retire(struct gh_db *db, const char *kid, int now,
    char when[GH_KEYS_TIME_MAX])
{
	enum gh_status	 st;

	when[0] = '\0';
	if ((st = gh_db_begin(db)) != GH_OK)
		return st;
	return commit_if_ok(db, retire_locked(db, kid, now, when));
}

enum gh_status
gh_keys_retire_expired(struct gh_db *db, long *n)
{
	struct gh_audit	 a;
	const char	*params[GH_AUDIT_NPARAMS];
	PGresult	*res;
	enum gh_status	 st;

	*n = 0;
	/* Each key's row goes with its retirement, its kid added in SQL. */
	gh_audit_init(&a, GH_AUDIT_KEY_RETIRED, true, NULL, NULL);
	gh_audit_detail(&a, "reason", "expired");
	gh_audit_bind(&a, params);
	if ((st = gh_query_row(db, &stmt_retire_expired, params, &res)) !=
	    GH_OK)
		return st;
	*n = gh_query_long(res, 0, 0);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_keys_list(struct gh_db *db, gh_keys_row_fn *fn, void *arg)
{
	struct gh_key_row	 r;
	PGresult		*res;
	enum gh_status		 st;
	int			 i, n;

	if ((st = gh_db_exec(db, &stmt_list, NULL, &res)) != GH_OK)
		return st;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		if (gh_query_copy(res, i, 0, r.kid, sizeof(r.kid)) == -1 ||
		    gh_query_copy(res, i, 1, r.alg, sizeof(r.alg)) == -1 ||
		    gh_query_copy(res, i, 2, r.state, sizeof(r.state)) == -1 ||
		    gh_query_copy(res, i, 3, r.created_at,
		    sizeof(r.created_at)) == -1 ||
		    gh_query_copy(res, i, 4, r.signs_from,
		    sizeof(r.signs_from)) == -1 ||
		    gh_query_copy(res, i, 5, r.superseded_at,
		    sizeof(r.superseded_at)) == -1 ||
		    gh_query_copy(res, i, 6, r.publish_until,
		    sizeof(r.publish_until)) == -1 ||
		    gh_query_copy(res, i, 7, r.retired_at,
		    sizeof(r.retired_at)) == -1) {
			st = GH_DB_ERROR;
			break;
		}
		fn(arg, &r);
	}
	PQclear(res);
	return st;
}
