/*
 * me: the me program's handlers beyond /me itself, split out of me.c:
 * a user's own sessions and profile (me_sessions.c).  Each finds its
 * caller by the request's token (http/auth.h) before anything else.
 */
#ifndef GH_ME_H
#define GH_ME_H

#include "http/http.h"

void	me_sessions_list(struct gh_request *);
void	me_sessions_end(struct gh_request *);
void	me_profile_patch(struct gh_request *);

#endif
