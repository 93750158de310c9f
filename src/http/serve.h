/*
 * serve: the request loop every program runs.  A program is its route
 * table and a call to gh_serve(); everything else is here.
 *
 * Promises: the configuration is loaded and checked once, before the
 * first request, and a bad one stops the program with a message that says
 * what to do; one database handle is kept for the life of the process;
 * SIGTERM finishes the request in hand, then exits.
 */
#ifndef GH_SERVE_H
#define GH_SERVE_H

#include <stddef.h>

#include "http/http.h"

struct gh_program {
	const char		*name;
	const struct gh_route	*routes;
	size_t			 nroutes;
	/*
	 * GH_CONFIG_NEED_*: without GH_CONFIG_NEED_SECRET no secret is
	 * required and req->key is NULL (a token check then fails as
	 * GH_INTERNAL, never passes).  GH_CONFIG_NEED_SIGN: the program
	 * signs (login); with ES256, EdDSA or RS256 it alone reads the
	 * key-encryption key and the sealed private keys (domain/keys.h).
	 * GH_CONFIG_NEED_PAGES: the program serves pages; their templates
	 * are read before the first request (page.h).  GH_CONFIG_NEED
	 * _MAIL: the program sends mail; confined, it forks the mail
	 * helper first (domain/mail.h), the others do not.
	 */
	int			 need;
	/*
	 * Runs before routing for every method but OPTIONS (preflights carry
	 * no credentials); -1 when it answered and the request is done.
	 */
	int			(*guard)(struct gh_request *);
	/* With no routes: answers every request, whatever its path. */
	gh_handler		*fallback;
	/*
	 * Not counted by the request limit (health: a monitor's probes must
	 * see the truth however often they come).  Every other program
	 * counts every request but OPTIONS (a preflight is the browser's,
	 * made for a request that is counted itself) and answers 429 past
	 * rate_limit_per_minute: the authorizer a bare 429 with Retry-After
	 * to its web server, which hands it to the client.  An internal
	 * redirect (REDIRECT_STATUS: an ErrorDocument after mod_fcgid's
	 * denial: REDIRECT_STATUS 4xx or 5xx) is the same request again: it
	 * reads its count, adds none.
	 */
	int			 unlimited;
};

/* Serves until shut down; the exit code for main(). */
int	gh_serve(const struct gh_program *);

#define GH_NROUTES(r)	(sizeof(r) / sizeof((r)[0]))

#endif
