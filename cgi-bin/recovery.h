/*
 * recovery: the login program's handlers of a forgotten password
 * (docs/API.md, "Account recovery"), their steps the pages share
 * (recovery_pages.c), and the notice that a password changed, which
 * login.c's own change sends too.  Every message and the
 * forgot lookup run after the response is finished (http/after.h).
 */
#ifndef GH_RECOVERY_CGI_H
#define GH_RECOVERY_CGI_H

#include "domain/recovery.h"
#include "domain/users.h"
#include "http/http.h"

void	recovery_forgot(struct gh_request *);
void	recovery_reset(struct gh_request *);

/*
 * A forgot request, the API's or a page's: counts it against req's
 * address (*retry > 0: refused for that many seconds, nothing queued)
 * and queues the lookup and the message for after the response.
 */
enum gh_status recovery_forgot_queue(struct gh_request *,
	    enum gh_login_field, const char *value, size_t len, long *retry);

/* gh_recovery_reset(), and on success the notice queued. */
enum gh_status recovery_reset_run(struct gh_request *,
	    const struct gh_reset *, enum gh_recovery_outcome *,
	    enum gh_password_verdict *);

/* Queues "your password was changed" to u's address, if it has one. */
void	recovery_notify_changed(const struct gh_user *);

#endif
