/*
 * verify_mail: see verify_mail.h.
 */
#include <string.h>

#include "core/log.h"
#include "domain/recovery.h"
#include "http/after.h"
#include "http/verify_mail.h"

void
gh_verify_mail_queue(struct gh_request *req, const struct gh_user *u)
{
	if (req->cfg->public_base_url[0] == '\0' || u->email[0] == '\0' ||
	    u->email_verified)
		return;
	if (gh_after_response(gh_recovery_verify_job, u->id,
	    strlen(u->id) + 1) == -1)
		gh_log(GH_LOG_ERROR, "no room to queue a verification mail");
}
