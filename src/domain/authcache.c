/*
 * authcache: the token check's per-process cache.  See authcache.h.
 *
 * Entries live in a pool handed out in order, so the memory a process
 * touches grows with the sessions it has seen, not with the size it was
 * given; an index of twice as many slots (linear probing, at most half
 * full, removal by backward shift) finds them by a hash of the session
 * id.  A full pool gives up an entry by CLOCK: the hand passes over
 * entries used since its last pass.  A user's fields are packed into the
 * entry as NUL-ended strings, so an entry is a few hundred bytes, not a
 * struct gh_user's three kilobytes; a user too big to pack is simply not
 * cached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/authcache.h"
#include "data/db.h"
#include "data/query.h"
#include "core/log.h"
#include "domain/users.h"

#define PACK_MAX	432
#define ENTRIES_MAX	((size_t)1 << 20)
#define FORGET_MAX	64

struct entry {
	char		sid[GH_UUID_LEN + 1];	/* "" when not in the index */
	char		uid[GH_UUID_LEN + 1];
	uint32_t	hash;			/* of sid */
	uint32_t	next_free;		/* entry number + 1; 0 ends */
	unsigned char	ref;			/* used since the hand passed */
	int64_t		valid_after;
	int64_t		expires_us;
	int64_t		filled_us;		/* when the database said so */
	long		cred_gen;		/* the user's and the session's */
	bool		email_verified;
	size_t		len;
	char		packed[PACK_MAX];
};

static struct entry	*pool;
static size_t		 cap;		/* entries in the pool */
static size_t		 nused;		/* handed out since the last flush */
static size_t		 hand;
static uint32_t		 free_head;	/* entry number + 1; 0: none */
static uint32_t		*slots;		/* entry number + 1; 0: empty */
static size_t		 smask;
static unsigned long	 generation;
static int		 listening;
static int64_t		 max_age_us = (int64_t)GH_AUTHCACHE_MAX_AGE * 1000000;
static unsigned long	 keys_serial;		/* key-set notifications */
static unsigned long	 pid_generation;	/* connection last checked */
static long		 server_pid;		/* its pg_backend_pid() */
static int64_t		 max_stale_us;		/* 0: every hit synchronises */
static int64_t		 synced_at;		/* monotonic; 0: never */
static unsigned long	 synced_generation;	/* the connection it was on */
static int64_t		 pending_at;		/* begin's Sync, sent then */
static unsigned long	 pending_generation;
static struct gh_authcache_stats stats;

static const struct gh_stmt q_pid = {
	"authcache_backend_pid", "SELECT pg_backend_pid()", 0
};

/* Frees the table: the cache is off until the next gh_authcache_init(). */
static void
drop_table(void)
{
	free(pool);
	free(slots);
	pool = NULL;
	slots = NULL;
	cap = nused = hand = smask = 0;
	free_head = 0;
}

int
gh_authcache_init(size_t entries)
{
	size_t	 n = 1;

	drop_table();
	listening = 0;
	pid_generation = 0;
	server_pid = 0;
	synced_at = pending_at = 0;
	memset(&stats, 0, sizeof(stats));
	if (entries == 0)
		return 0;
	if (entries > ENTRIES_MAX)
		entries = ENTRIES_MAX;
	while (n < 2 * entries)
		n <<= 1;
	/* calloc'd pages stay untouched until an entry is handed out. */
	if ((pool = calloc(entries, sizeof(*pool))) == NULL ||
	    (slots = calloc(n, sizeof(*slots))) == NULL) {
		free(pool);
		pool = NULL;
		return -1;
	}
	cap = entries;
	smask = n - 1;
	return 0;
}

void
gh_authcache_set_max_age(int seconds)
{
	if (seconds < 1)
		seconds = 1;
	max_age_us = (int64_t)seconds * 1000000;
}

void
gh_authcache_set_max_staleness(int ms)
{
	if (ms < 0)
		ms = 0;
	max_stale_us = (int64_t)ms * 1000;
}

static int64_t
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return INT64_MAX;	/* every entry reads as expired */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The staleness bound is an interval on this process's own clock, never
 * a date compared with another machine's: CLOCK_MONOTONIC, which no
 * clock step moves.  Never 0, which says "no sync yet".
 */
static int64_t
mono_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;	/* reads as no sync: the round trip is made */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + 1;
}

/*
 * Whether a round trip that completed on this connection was sent less
 * than the bound ago, so that this request may answer without one.  The
 * moment that counts is when the question was SENT, not when its answer
 * came back: what a round trip guarantees is that every notification
 * of a transaction committed before it reached the server is in hand;
 * a change committed while the answer travelled back may or may not be.
 * So an answer given at t with t - sent < N has seen every change
 * committed before t - N, whichever process or node committed it.
 */
static int
recently_synced(const struct gh_db *db)
{
	int64_t	 now;

	if (max_stale_us == 0 || synced_at == 0 ||
	    synced_generation != gh_db_generation(db))
		return 0;
	now = mono_us();
	return now != 0 && now - synced_at < max_stale_us;
}

/*
 * A round trip sent at t (mono_us()) on connection generation gen has
 * come back, and the notifications before its answer are in libpq.  It
 * counts only if the connection it went on is the one still up: a
 * reconnection in between lost whatever was sent while there was none.
 */
static void
synced(const struct gh_db *db, int64_t t, unsigned long gen)
{
	if (t == 0 || gen != gh_db_generation(db) ||
	    gh_db_backend_pid(db) == 0)
		return;
	if (gen != synced_generation || t > synced_at) {
		synced_at = t;
		synced_generation = gen;
	}
}

/* FNV-1a: session ids are random, any spreading hash will do. */
static uint32_t
hash_of(const char *sid)
{
	uint32_t	 h = 2166136261u;

	for (; *sid != '\0'; sid++)
		h = (h ^ (unsigned char)*sid) * 16777619u;
	return h;
}

/* The index slot holding sid, or -1. */
static long
slot_find(const char *sid, uint32_t h)
{
	size_t	 i;

	for (i = h & smask; slots[i] != 0; i = (i + 1) & smask) {
		const struct entry	*e = &pool[slots[i] - 1];

		if (e->hash == h && strcmp(e->sid, sid) == 0)
			return (long)i;
	}
	return -1;
}

/*
 * Empties slot i and moves back every later entry of the run that may
 * not be left behind the hole: one whose home is not in (i, j].
 */
static void
slot_remove(size_t i)
{
	size_t	 j, k;

	slots[i] = 0;
	for (j = (i + 1) & smask; slots[j] != 0; j = (j + 1) & smask) {
		k = pool[slots[j] - 1].hash & smask;
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			slots[i] = slots[j];
			slots[j] = 0;
			i = j;
		}
	}
}

/* The first empty slot of hash h's run: there is one, half are empty. */
static size_t
slot_free(uint32_t h)
{
	size_t	 i = h & smask;

	while (slots[i] != 0)
		i = (i + 1) & smask;
	return i;
}

static struct entry *
find(const char *sid)
{
	long	 i = slot_find(sid, hash_of(sid));

	return i == -1 ? NULL : &pool[slots[i] - 1];
}

/* Takes e out of the index. */
static void
unindex(struct entry *e)
{
	long	 i = slot_find(e->sid, e->hash);

	if (i != -1)
		slot_remove((size_t)i);
	e->sid[0] = '\0';
}

/* Puts an entry out of the index on the free list. */
static void
release(struct entry *e)
{
	e->next_free = free_head;
	free_head = (uint32_t)(e - pool) + 1;
}

/*
 * An entry out of the index, its sid cleared: a freed one, a new one
 * (after a flush, one whose old contents nothing points at), or a victim.
 */
static struct entry *
take(void)
{
	struct entry	*e;

	if (free_head != 0) {
		e = &pool[free_head - 1];
		free_head = e->next_free;
		e->sid[0] = '\0';
		return e;
	}
	if (nused < cap) {
		e = &pool[nused++];
		e->sid[0] = '\0';
		return e;
	}
	/* Every entry is indexed: a second pass at most finds one. */
	for (;;) {
		e = &pool[hand];
		hand = (hand + 1) % cap;
		if (!e->ref)
			break;
		e->ref = 0;
	}
	stats.evicted++;
	unindex(e);
	return e;
}

static void
flush(void)
{
	memset(slots, 0, (smask + 1) * sizeof(*slots));
	nused = hand = 0;
	free_head = 0;
	stats.flushes++;
}

/*
 * A notification: payload is a user id, or "*" for everyone.  Each costs
 * a pass over the entries, so a burst (a bulk change of many users) past
 * FORGET_MAX in one drain empties the table once and skips the rest.
 */
static void
forget(void *arg, const char *payload)
{
	size_t	*seen = arg, i;

	/* The key set's, not a user's: no session entry is touched. */
	if (strcmp(payload, GH_AUTHCACHE_KEYS) == 0) {
		keys_serial++;
		return;
	}
	if (pool == NULL)
		return;
	stats.notified++;
	if (*seen > FORGET_MAX)
		return;
	if (++*seen > FORGET_MAX || strlen(payload) != GH_UUID_LEN) {
		*seen = FORGET_MAX + 1;
		flush();
		return;
	}
	for (i = 0; i < nused; i++)
		if (pool[i].sid[0] != '\0' &&
		    strcmp(pool[i].uid, payload) == 0) {
			unindex(&pool[i]);
			release(&pool[i]);
			stats.forgotten++;
		}
}

/* Entries were learnt on a connection that is gone: forget them all. */
static void
check_generation(const struct gh_db *db)
{
	if (gh_db_generation(db) != generation) {
		flush();
		generation = gh_db_generation(db);
	}
}

static int
put_str(struct entry *e, const char *s)
{
	size_t	 n = strlen(s) + 1;

	if (n > sizeof(e->packed) - e->len)
		return -1;
	memcpy(e->packed + e->len, s, n);
	e->len += n;
	return 0;
}

static int
pack(struct entry *e, const struct gh_user *u)
{
	size_t	 i;

	e->len = 0;
	e->cred_gen = u->cred_gen;
	e->email_verified = u->email_verified;
	if (u->nroles > UINT8_MAX)
		return -1;
	e->packed[e->len++] = (char)u->nroles;
	if (put_str(e, u->username) == -1 || put_str(e, u->email) == -1 ||
	    put_str(e, u->employee_id) == -1 ||
	    put_str(e, u->full_name) == -1 || put_str(e, u->phone) == -1 ||
	    put_str(e, u->created_at) == -1 ||
	    put_str(e, u->updated_at) == -1)
		return -1;
	for (i = 0; i < u->nroles; i++)
		if (put_str(e, u->roles[i]) == -1)
			return -1;
	return 0;
}

/* Copies the next packed string; what pack() stored always fits. */
static const char *
get_str(const char *p, char *dst, size_t dstsz)
{
	size_t	 n = strlen(p);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return p + strlen(p) + 1;
}

static void
unpack(const struct entry *e, struct gh_user *u)
{
	const char	*p = e->packed;
	size_t		 i;

	memset(u, 0, sizeof(*u));
	memcpy(u->id, e->uid, sizeof(u->id));
	u->active = true;
	u->cred_gen = e->cred_gen;
	u->email_verified = e->email_verified;
	u->nroles = (unsigned char)*p++;
	p = get_str(p, u->username, sizeof(u->username));
	p = get_str(p, u->email, sizeof(u->email));
	p = get_str(p, u->employee_id, sizeof(u->employee_id));
	p = get_str(p, u->full_name, sizeof(u->full_name));
	p = get_str(p, u->phone, sizeof(u->phone));
	p = get_str(p, u->created_at, sizeof(u->created_at));
	p = get_str(p, u->updated_at, sizeof(u->updated_at));
	for (i = 0; i < u->nroles && i < GH_ROLES_MAX; i++)
		p = get_str(p, u->roles[i], sizeof(u->roles[i]));
}

static void
put(const char *sid, const struct gh_user *u, const struct gh_live *live)
{
	struct entry	*e;
	uint32_t	 h;
	long		 i;

	if (strlen(sid) != GH_UUID_LEN || strlen(u->id) != GH_UUID_LEN)
		return;
	h = hash_of(sid);
	if ((i = slot_find(sid, h)) != -1) {
		e = &pool[slots[i] - 1];
		unindex(e);
		release(e);
	}
	e = take();
	if (pack(e, u) == -1) {
		release(e);	/* too big to cache */
		return;
	}
	memcpy(e->uid, u->id, sizeof(e->uid));
	e->valid_after = live->valid_after;
	e->expires_us = live->expires_us;
	e->filled_us = now_us();
	e->ref = 1;
	e->hash = h;
	memcpy(e->sid, sid, GH_UUID_LEN + 1);
	slots[slot_free(h)] = (uint32_t)(e - pool) + 1;
}

/*
 * Takes in every notification the request must see: with the bound 0, or
 * when the last round trip is older than it, by a round trip (begin's,
 * if one is pending); within the bound, what has already arrived, read
 * without blocking.  -1 when the connection failed (everything is
 * forgotten then).
 */
static int
take_in(struct gh_db *db)
{
	enum gh_status	 st;
	unsigned long	 gen;
	size_t		 seen = 0;
	int64_t		 t;

	if (recently_synced(db)) {
		stats.spared++;
		st = gh_db_notifications(db, 0, forget, &seen);
	} else {
		/* begin's Sync, if still pending, was sent at pending_at. */
		t = pending_at != 0 && pending_generation ==
		    gh_db_generation(db) ? pending_at : mono_us();
		gen = gh_db_generation(db);
		pending_at = 0;
		stats.syncs++;
		if ((st = gh_db_notifications(db, 1, forget, &seen)) == GH_OK)
			synced(db, t, gen);
	}
	if (st != GH_OK) {
		flush();
		return -1;
	}
	check_generation(db);
	return 0;
}

/*
 * A usable entry for (id, sid), after taking in every notification the
 * request must see; NULL sends the caller to the database.
 */
static struct entry *
fresh_entry(struct gh_db *db, const char *id, const char *sid)
{
	struct entry	*e;
	int64_t		 now;

	if (find(sid) == NULL)
		return NULL;	/* the query will be exact by itself */
	if (take_in(db) == -1)
		return NULL;
	now = now_us();
	if ((e = find(sid)) == NULL || strcmp(e->uid, id) != 0 ||
	    e->expires_us <= now || now - e->filled_us >= max_age_us)
		return NULL;
	return e;
}

/*
 * Whether the server process answering is the one libpq connected to and
 * the one that answered last time on this connection.  A pooler announces
 * a process of its own and may hand each transaction to another server
 * process, whose LISTEN (if any) is not ours: notifications cannot be
 * trusted then.  -1 when the question could not be asked.
 */
static int
pooled(struct gh_db *db)
{
	PGresult	*res;
	long		 pid;
	int		 was;

	if (gh_query_row(db, &q_pid, NULL, &res) != GH_OK)
		return -1;
	pid = gh_query_long(res, 0, 0);
	PQclear(res);
	was = pid_generation == gh_db_generation(db) && pid != server_pid;
	pid_generation = gh_db_generation(db);
	server_pid = pid;
	if (!was && pid == gh_db_backend_pid(db))
		return 0;
	gh_log(GH_LOG_WARN, "session cache off: the server process %ld is not "
	    "the %d this connection was opened with (a pooler such as "
	    "PgBouncer?); every token check asks the database from now on",
	    pid, gh_db_backend_pid(db));
	return 1;
}

/* Off for good in this process: no entry can be kept exact. */
static void
turn_off(void)
{
	drop_table();
	stats.disabled++;
}

void
gh_authcache_begin(struct gh_db *db)
{
	int64_t	 t;

	if (pool == NULL || !listening || pending_at != 0 ||
	    recently_synced(db))
		return;
	t = mono_us();		/* before the send: the moment it answers for */
	if (gh_db_sync_send(db) == 0) {
		pending_at = t;
		pending_generation = gh_db_generation(db);
	}
}

enum gh_status
gh_authcache_get_live(struct gh_db *db, const char *id, const char *sid,
    int64_t iat, struct gh_user *u)
{
	struct gh_live		 live;
	struct entry		*e;
	enum gh_status		 st;
	unsigned long		 gen;
	int64_t			 t;

	if (pool == NULL)
		return gh_users_get_live(db, id, sid, iat, u);
	gh_authcache_listen(db);
	if ((e = fresh_entry(db, id, sid)) != NULL) {
		stats.hits++;
		e->ref = 1;
		if (iat < e->valid_after) {
			memset(u, 0, sizeof(*u));
			return GH_NOT_FOUND;
		}
		unpack(e, u);
		return GH_OK;
	}
	stats.misses++;
	/*
	 * The statement is a round trip as good as a Sync: the server sends
	 * every notification it was signalled about before the
	 * ReadyForQuery that ends it, and libpq reads up to that before
	 * answering, so once it is back every change committed before it was
	 * sent is either in this answer or waiting in libpq, to be taken in
	 * before any later answer from the cache (take_in() and
	 * gh_authcache_settle() drain libpq first).  It counts as the
	 * connection's sync, from the moment before it was sent.
	 */
	t = mono_us();
	gen = gh_db_generation(db);
	if ((st = gh_users_get_session(db, id, sid, u, &live)) != GH_OK)
		return st;
	check_generation(db);
	switch (pooled(db)) {
	case 0:
		synced(db, t, gen);
		put(sid, u, &live);
		break;
	case 1:
		turn_off();
		break;
	default:
		break;		/* not remembered: asked again next time */
	}
	if (iat < live.valid_after) {
		memset(u, 0, sizeof(*u));
		return GH_NOT_FOUND;
	}
	return GH_OK;
}

void
gh_authcache_listen(struct gh_db *db)
{
	if (pool == NULL || listening)
		return;
	/* On failure the next connection LISTENs: it is registered. */
	(void)gh_db_listen(db, GH_AUTHCACHE_CHANNEL);
	listening = 1;
}

int
gh_authcache_listening(void)
{
	return pool != NULL && listening;
}

unsigned long
gh_authcache_keys_serial(void)
{
	return keys_serial;
}

void
gh_authcache_settle(struct gh_db *db)
{
	size_t	 seen = 0;

	if (db == NULL)
		return;
	gh_db_drop_notifications(db, forget, &seen);
	/*
	 * Begin's Sync has been read now, by this or by an earlier use of
	 * the handle; a failure there drops the connection, so one still up
	 * on the same generation means it came back, and everything before
	 * its answer has just been drained.
	 */
	if (pending_at != 0)
		synced(db, pending_at, pending_generation);
	pending_at = 0;
}

int
gh_authcache_idle_fd(struct gh_db *db)
{
	if (pool == NULL || !listening || db == NULL)
		return -1;
	return gh_db_listen_socket(db);
}

int
gh_authcache_sync(struct gh_db *db)
{
	if (pool == NULL || !listening || db == NULL)
		return -1;
	return take_in(db);
}

void
gh_authcache_absorb(struct gh_db *db)
{
	size_t	 seen = 0;

	if (pool != NULL && gh_db_notifications(db, 0, forget, &seen) !=
	    GH_OK)
		flush();
}

void
gh_authcache_stats(struct gh_authcache_stats *s)
{
	*s = stats;
}
