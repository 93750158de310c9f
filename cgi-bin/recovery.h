/*
 * recovery: the login program's handlers of a forgotten password
 * (docs/API.md, "Account recovery"), and the notice that a password
 * changed, which login.c's own change sends too.  Every message and the
 * forgot lookup run after the response is finished (http/after.h).
 */
#ifndef GH_RECOVERY_CGI_H
#define GH_RECOVERY_CGI_H

#include "domain/users.h"
#include "http/http.h"

void	recovery_forgot(struct gh_request *);
void	recovery_reset(struct gh_request *);

/* Queues "your password was changed" to u's address, if it has one. */
void	recovery_notify_changed(const struct gh_user *);

#endif
