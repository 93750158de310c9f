/*
 * after: the queue of jobs run once a response is finished (after.h).
 */
#include <string.h>

#include "http/after.h"

struct job {
	gh_after_fn	*fn;
	size_t		 len;
	unsigned char	 arg[GH_AFTER_ARG_MAX];
};

static struct job	jobs[GH_AFTER_MAX];
static size_t		njobs;

int
gh_after_response(gh_after_fn *fn, const void *arg, size_t len)
{
	struct job	*j;

	if (fn == NULL || njobs >= GH_AFTER_MAX || len > GH_AFTER_ARG_MAX ||
	    (len > 0 && arg == NULL))
		return -1;
	j = &jobs[njobs++];
	j->fn = fn;
	j->len = len;
	if (len > 0)
		memcpy(j->arg, arg, len);
	return 0;
}

void
gh_after_run(struct gh_db *db, const struct gh_config *cfg)
{
	size_t	 i;

	/* A job may queue another: it runs in this same pass. */
	for (i = 0; i < njobs; i++) {
		jobs[i].fn(db, cfg, jobs[i].arg, jobs[i].len);
		explicit_bzero(jobs[i].arg, jobs[i].len);
	}
	njobs = 0;
}
