/*
 * roles: the role catalogue.  Names are 1 to 64 characters of [a-z0-9_-]
 * (gh_field_check_role_name(), fields.h), unique by the primary key.
 */
#ifndef GH_ROLES_H
#define GH_ROLES_H

#include "data/db.h"

#define GH_ROLE_DESCRIPTION_MAX	200

/* Calls fn for each role, ordered by name. */
enum gh_status gh_roles_list(struct gh_db *,
	    void (*fn)(const char *name, const char *description, void *),
	    void *arg);

/* Creates a role; GH_CONFLICT when the name exists. */
enum gh_status gh_roles_create(struct gh_db *, const char *name,
	    const char *description);

#endif
