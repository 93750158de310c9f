/*
 * views: the contract's response bodies, built with json-c.  The user
 * object never has a password or hash in it: struct gh_user's hash field
 * is simply never read here.
 */
#ifndef GH_VIEWS_H
#define GH_VIEWS_H

#include <json-c/json.h>

#include "domain/sessions.h"
#include "domain/users.h"

/* The user object; NULL on memory failure. */
struct json_object *gh_view_user(const struct gh_user *);

/* {"access_token", "refresh_token", "token_type", "expires_in"}. */
struct json_object *gh_view_tokens(const struct gh_token_pair *);

#endif
