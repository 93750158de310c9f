/*
 * verify_mail: the verification mail a changed or unconfirmed address
 * gets, queued from whichever program changed it (register, me's resend
 * and profile, admin's patch).
 *
 * Promises: a mail is queued (http/after.h: made and sent once the
 * response is finished, by domain/recovery's job) only for a user with
 * an address not yet confirmed, and only when public_base_url is set (the
 * link is built on it alone); otherwise nothing happens and the address
 * stays unverified until a resend.  Never fails the request.
 */
#ifndef GH_VERIFY_MAIL_H
#define GH_VERIFY_MAIL_H

#include "domain/users.h"
#include "http/http.h"

void	gh_verify_mail_queue(struct gh_request *, const struct gh_user *);

#endif
