/*
 * after: work a handler leaves for after its response is finished: mail,
 * and lookups whose time must not show in the answer (a forgotten
 * password for an unknown account answers as fast as for a known one).
 *
 * Promises: a job runs once, after FCGX_Finish_r() has handed the whole
 * response to the web server, in the order queued, with the program's
 * database handle and configuration (the request's input and output are
 * gone); its argument is copied, so the handler's buffers may go; at
 * most GH_AFTER_MAX jobs of at most GH_AFTER_ARG_MAX bytes each per
 * request, -1 past that (nothing queued).  The queue is the process's
 * own: programs are single-threaded loops.
 */
#ifndef GH_AFTER_H
#define GH_AFTER_H

#include <stddef.h>

#include "core/config.h"
#include "data/db.h"

#define GH_AFTER_MAX		4
#define GH_AFTER_ARG_MAX	1024

typedef void	gh_after_fn(struct gh_db *, const struct gh_config *,
		    const void *, size_t);

/* Queues FN with a copy of the LEN bytes at ARG; 0, or -1 when full. */
int	gh_after_response(gh_after_fn *, const void *, size_t);

/* Runs and empties the queue (the serve loop, after each response). */
void	gh_after_run(struct gh_db *, const struct gh_config *);

#endif
