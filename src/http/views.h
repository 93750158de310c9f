/*
 * views: the contract's response bodies, built with json-c through
 * gh_json_add() (json.h).  The user object never has a password or hash
 * in it: struct gh_user's hash field is simply never read here.
 *
 * Promises: every view is a new object the caller owns (or hands to
 * gh_respond_json()), complete or NULL on memory failure, never partial.
 */
#ifndef GH_VIEWS_H
#define GH_VIEWS_H

#include <json-c/json.h>

#include "domain/introspect.h"
#include "domain/sessions.h"
#include "domain/users.h"

/* The user object. */
struct json_object *gh_view_user(const struct gh_user *);

/* {"access_token", "refresh_token", "token_type", "expires_in"}. */
struct json_object *gh_view_tokens(const struct gh_token_pair *);

/*
 * RFC 7662's answer: {"active": false} alone, or {"active": true,
 * "token_type", "sub", "username", "roles", "sid", "iss", "iat", "exp"},
 * iss being issuer.
 */
struct json_object *gh_view_introspection(const struct gh_introspection *,
		    const char *issuer);

/* {"name", "description"}. */
struct json_object *gh_view_role(const char *name, const char *description);

/* The admin dashboard: a welcome and the users' counts. */
struct json_object *gh_view_dashboard(long total, long active,
		    long suspended);

/* {"status": "accepted"}: a request taken, its work left for later. */
struct json_object *gh_view_accepted(void);

/* {"items": items}; items is taken over, freed when the view fails. */
struct json_object *gh_view_items(struct json_object *items);

#endif
