/*
 * verify_page: GET /auth/verify?token=, the link of a verification
 * message, in the register program.  See recovery_pages.h.
 *
 * A GET that changes something, as the contract asks: the token is
 * worth one use, and what it does (the address is confirmed) is what
 * its holder wants.
 */
#include <string.h>

#include <json-c/json.h>

#include "core/form.h"
#include "domain/recovery.h"
#include "http/http.h"
#include "http/page.h"
#include "recovery_pages.h"

void
page_verify(struct gh_request *req)
{
	struct json_object		*q;
	enum gh_recovery_outcome	 oc = GH_RECOVERY_INVALID;
	enum gh_status			 st = GH_OK;
	const char			*tok;
	char				 user_id[GH_UUID_LEN + 1];

	/* A malformed query is a bad link, not a reason for JSON. */
	q = gh_form_parse(req->query, strlen(req->query));
	tok = gh_page_form_str(q, "token");
	if (tok != NULL && *tok != '\0')
		st = gh_recovery_verify(req->db, tok, strlen(tok), user_id,
		    &oc);
	if (st != GH_OK)
		gh_respond_page_status(req, st);
	else if (oc == GH_RECOVERY_OK)
		gh_respond_page_message(req, 200, "Email confirmed", "Your "
		    "email address is confirmed.", NULL);
	else
		gh_respond_page_message(req, 400, "Link not valid", "This "
		    "confirmation link is invalid, used or expired.", NULL);
	json_object_put(q);
}
