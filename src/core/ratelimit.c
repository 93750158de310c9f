/*
 * ratelimit: the shared table of the per-address request limit.  See
 * ratelimit.h.
 *
 * Layout: word 0 is the hash seed (0 until the first process sets it),
 * then one 64-bit word per slot: the window (the minute since the epoch,
 * its low 32 bits) in the high half, the window's count in the low half.
 * A slot of another window counts as empty; nothing ever clears one.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/random.h"
#include "core/ratelimit.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static int
fail(char *err, size_t errsz, const char *what, const char *path)
{
	(void)snprintf(err, errsz, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* The seed, set once by whichever process comes first. */
static uint64_t
table_seed(_Atomic uint64_t *word)
{
	uint64_t	 seed, expect = 0;

	if ((seed = atomic_load(word)) != 0)
		return seed;
	if (gh_random_bytes(&seed, sizeof(seed)) == -1 || seed == 0)
		seed = FNV_OFFSET;	/* still keyed by nothing: stricter only */
	if (!atomic_compare_exchange_strong(word, &expect, seed))
		seed = expect;		/* another process won */
	return seed;
}

int
gh_ratelimit_open(struct gh_ratelimit *rl, const char *dir, const char *key,
    int entries, int limit, char *err, size_t errsz)
{
	struct stat	 st;
	size_t		 sz;
	void		*map;
	int		 fd = -1, n, rc = -1;

	memset(rl, 0, sizeof(*rl));
	if (entries <= 0 || limit <= 0) {
		(void)snprintf(err, errsz, "no slots or no limit");
		return -1;
	}
	n = snprintf(rl->path, sizeof(rl->path),
	    "%s/gatehouse-ratelimit-%lu-%016llx-%d", dir,
	    (unsigned long)getuid(), (unsigned long long)mix(fnv1a(FNV_OFFSET,
	    key, strlen(key))), entries);
	if (n < 0 || (size_t)n >= sizeof(rl->path)) {
		(void)snprintf(err, errsz, "rate_limit_dir is too long");
		rl->path[0] = '\0';
		return -1;
	}
	sz = ((size_t)entries + 1) * sizeof(uint64_t);
	if ((fd = open(rl->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		(void)fail(err, errsz, "cannot open", rl->path);
		goto out;
	}
	/* Another user's file could be read or reset by them: not ours. */
	if (fstat(fd, &st) == -1) {
		(void)fail(err, errsz, "cannot stat", rl->path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		(void)snprintf(err, errsz, "%s is not a regular file of this "
		    "user's alone", rl->path);
		goto out;
	}
	/* Every process sizes it alike: a second ftruncate changes nothing. */
	if ((size_t)st.st_size != sz && ftruncate(fd, (off_t)sz) == -1) {
		(void)fail(err, errsz, "cannot size", rl->path);
		goto out;
	}
	map = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		(void)fail(err, errsz, "cannot map", rl->path);
		goto out;
	}
	rl->map = map;
	rl->mapsz = sz;
	rl->entries = (uint32_t)entries;
	rl->limit = (uint32_t)limit;
	rl->seed = table_seed((_Atomic uint64_t *)map);
	rc = 0;
out:
	if (fd != -1)
		(void)close(fd);	/* the mapping stays */
	return rc;
}

int
gh_ratelimit_on(const struct gh_ratelimit *rl)
{
	return rl->map != NULL;
}

/*
 * The bytes that name addr's client: an IPv4 address's 4, an IPv6
 * address's first 8 (its /64: one host's whole prefix), else the text.
 */
static uint64_t
addr_hash(uint64_t seed, const char *addr)
{
	unsigned char	 a6[16];
	unsigned char	 a4[4];
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	uint64_t	 h = FNV_OFFSET ^ seed;

	if (addr == NULL)
		addr = "";
	if (inet_pton(AF_INET, addr, a4) == 1)
		return mix(fnv1a(h, a4, sizeof(a4)));
	if (inet_pton(AF_INET6, addr, a6) == 1) {
		if (memcmp(a6, mapped, sizeof(mapped)) == 0)
			return mix(fnv1a(h, a6 + 12, 4));
		return mix(fnv1a(fnv1a(h, "6", 1), a6, 8));
	}
	return mix(fnv1a(fnv1a(h, "?", 1), addr, strlen(addr)));
}

static void
verdict(const struct gh_ratelimit *rl, uint64_t count, time_t now,
    struct gh_ratelimit_verdict *v)
{
	v->limited = count > rl->limit;
	v->remaining = v->limited ? 0 : (long)(rl->limit - count);
	v->reset = GH_RATELIMIT_WINDOW - (long)((uint64_t)now %
	    GH_RATELIMIT_WINDOW);
}

/*
 * addr's slot, and *window the minute of now (a negative now reads as
 * 0); NULL when the table is off.  Clears v.
 */
static _Atomic uint64_t *
slot_of(struct gh_ratelimit *rl, const char *addr, time_t *now,
    uint32_t *window, struct gh_ratelimit_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (rl->map == NULL)
		return NULL;
	if (*now < 0)
		*now = 0;
	*window = (uint32_t)((uint64_t)*now / GH_RATELIMIT_WINDOW);
	return (_Atomic uint64_t *)rl->map + 1 +
	    addr_hash(rl->seed, addr) % rl->entries;
}

void
gh_ratelimit_peek(struct gh_ratelimit *rl, const char *addr, time_t now,
    struct gh_ratelimit_verdict *v)
{
	_Atomic uint64_t	*slot;
	uint64_t		 old;
	uint32_t		 window;

	if ((slot = slot_of(rl, addr, &now, &window, v)) == NULL)
		return;
	old = atomic_load_explicit(slot, memory_order_relaxed);
	verdict(rl, (uint32_t)(old >> 32) == window ? old & 0xffffffffULL : 0,
	    now, v);
}

void
gh_ratelimit_hit(struct gh_ratelimit *rl, const char *addr, time_t now,
    struct gh_ratelimit_verdict *v)
{
	_Atomic uint64_t	*slot;
	uint64_t		 old, next;
	uint32_t		 window;

	if ((slot = slot_of(rl, addr, &now, &window, v)) == NULL)
		return;
	old = atomic_load_explicit(slot, memory_order_relaxed);
	do {
		if ((uint32_t)(old >> 32) != window)
			next = ((uint64_t)window << 32) | 1;
		else if ((old & 0xffffffffULL) == 0xffffffffULL)
			next = old;	/* saturated: over any limit */
		else
			next = old + 1;
	} while (!atomic_compare_exchange_weak_explicit(slot, &old, next,
	    memory_order_relaxed, memory_order_relaxed));
	verdict(rl, next & 0xffffffffULL, now, v);
}

void
gh_ratelimit_close(struct gh_ratelimit *rl)
{
	if (rl->map != NULL)
		(void)munmap(rl->map, rl->mapsz);
	rl->map = NULL;
}
