/*
 * recovery_pages: the pages of account recovery (docs/API.md, "Account
 * recovery"): in the login program GET and POST /auth/forgot and
 * /auth/reset (recovery_pages.c), in the register program GET
 * /auth/verify (verify_page.c).
 *
 * Promises: every POST carries the gh_csrf cookie's value or changes
 * nothing (403 page); a forgot request answers the same page for every
 * account, known or not, and mails after the response, as the API does;
 * the reset token travels in the form's hidden field, never in a link;
 * a reset signs nobody in; a refused password (422) leaves the token
 * usable; a bad, used or expired token is a 400 page.  Every page is
 * sent without a Referer (gh_respond_html()).  Without public_base_url
 * /auth/forgot and /auth/reset are a 503 page.
 */
#ifndef GH_RECOVERY_PAGES_H
#define GH_RECOVERY_PAGES_H

#include "http/http.h"

void	page_forgot(struct gh_request *);
void	page_forgot_post(struct gh_request *);
void	page_reset(struct gh_request *);
void	page_reset_post(struct gh_request *);

/* GET /auth/verify?token=: confirms the address, and says so. */
void	page_verify(struct gh_request *);

#endif
