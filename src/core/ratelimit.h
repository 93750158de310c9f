/*
 * ratelimit: the per-address request limit's table, in memory every
 * process of a web node shares.
 *
 * The table is a file in rate_limit_dir (a tmpfs: /dev/shm) that each
 * program opens or creates, sizes and maps at start-up, before
 * confinement (http/confine.c); counting a request is then a few atomic
 * operations on the mapping, no system call and no database write.
 *
 * Promises: one slot per address (an IPv6 address counts by its /64, an
 * IPv4-mapped IPv6 address as the IPv4 one), chosen by a hash keyed with
 * a random seed kept in the file, so nobody outside can aim an address
 * at another's slot; a slot counts requests in a fixed window of one
 * minute (the wall clock's minute); two addresses sharing a slot share
 * its count, which only makes the limit stricter for both, never looser.
 * The file's name carries the user id, a hash of key (the config file's
 * path: different nodes' configs on one machine get different tables)
 * and the number of slots (a process started with another size maps
 * another file, never past the end of a shorter one).  The file is the
 * user's alone (mode 600, no link followed, owner checked).
 */
#ifndef GH_RATELIMIT_H
#define GH_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define GH_RATELIMIT_WINDOW	60	/* seconds */

struct gh_ratelimit {
	void		*map;		/* NULL: off */
	size_t		 mapsz;
	uint64_t	 seed;
	uint32_t	 entries;
	uint32_t	 limit;
	char		 path[1100];	/* the table's file, for messages */
};

/* What gh_ratelimit_hit() found for one request. */
struct gh_ratelimit_verdict {
	int		 limited;	/* over the limit: answer 429 */
	long		 remaining;	/* requests left in the window */
	long		 reset;		/* seconds to the window's end, 1-60 */
};

/*
 * Opens (creating it when missing) and maps the table of entries slots
 * in dir for limit requests a minute; key tells this node's table from
 * another's.  -1 with a message in err when it cannot (rl is then off).
 */
int	gh_ratelimit_open(struct gh_ratelimit *, const char *dir,
	    const char *key, int entries, int limit, char *err, size_t errsz);

/* 1 when the table is mapped and counting. */
int	gh_ratelimit_on(const struct gh_ratelimit *);

/*
 * Counts one request of addr (NULL or unparsable: counted under its
 * text, or "") at now, and says whether it is over the limit.
 */
void	gh_ratelimit_hit(struct gh_ratelimit *, const char *addr, time_t now,
	    struct gh_ratelimit_verdict *);

/*
 * The same verdict without counting: for the same request seen again
 * (an internal redirect to an error document).
 */
void	gh_ratelimit_peek(struct gh_ratelimit *, const char *addr, time_t now,
	    struct gh_ratelimit_verdict *);

/* Unmaps the table; the file stays for the node's other processes. */
void	gh_ratelimit_close(struct gh_ratelimit *);

#endif
