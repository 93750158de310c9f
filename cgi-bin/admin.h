/*
 * admin: the admin program's handlers, split by what they manage.  Each
 * runs after the guard of admin.c has found the caller to be an admin.
 */
#ifndef GH_ADMIN_H
#define GH_ADMIN_H

#include <json-c/json.h>

#include "http/http.h"

/*
 * Answers 200 with {"items": items, "next": next} (null when next is
 * ""), the shape of every list; takes items.
 */
void	admin_answer_page(struct gh_request *, struct json_object *items,
	    const char *next);

void	admin_list(struct gh_request *);
void	admin_create(struct gh_request *);
void	admin_get(struct gh_request *);
void	admin_patch(struct gh_request *);
void	admin_delete(struct gh_request *);
void	admin_audit(struct gh_request *);

#endif
