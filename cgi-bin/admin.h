/*
 * admin: the admin program's handlers, split by what they manage.  Each
 * runs after the guard of admin.c has found the caller to be an admin.
 */
#ifndef GH_ADMIN_H
#define GH_ADMIN_H

#include "http/http.h"

void	admin_list(struct gh_request *);
void	admin_create(struct gh_request *);
void	admin_get(struct gh_request *);
void	admin_patch(struct gh_request *);
void	admin_delete(struct gh_request *);

#endif
