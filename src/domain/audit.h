/*
 * audit: the audit trail (sql/016_audit.sql), its rows and its reading.
 *
 * Promises: a row holds only what this module puts in it: the event's
 * name (one of the contract's list), its outcome, user, actor and
 * session ids, the request's client address and user agent (valid
 * UTF-8, a bad byte as '?', cut at GH_AUDIT_ADDR_MAX and
 * GH_AUDIT_AGENT_MAX bytes) and details made of named string fields --
 * never a password, token, hash or secret, since no caller can pass
 * one in under another name.  struct gh_audit is plain bytes, so it may
 * be copied (a job run after the response, http/after.h).
 *
 * The request context (address, agent, acting user) is the process's
 * own, set by the HTTP layer at each request and by the CLI once
 * (details then carry "via": "cli"); programs are single-threaded loops.
 */
#ifndef GH_AUDIT_H
#define GH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bounds.h"
#include "data/db.h"

enum gh_audit_event {
	GH_AUDIT_LOGIN_SUCCEEDED,
	GH_AUDIT_LOGIN_FAILED,
	GH_AUDIT_LOGIN_THROTTLED,
	GH_AUDIT_LOGOUT,
	GH_AUDIT_SESSION_REVOKED,
	GH_AUDIT_REFRESH_REUSE,
	GH_AUDIT_PASSWORD_CHANGED,
	GH_AUDIT_PASSWORD_RESET_REQUESTED,
	GH_AUDIT_PASSWORD_RESET,
	GH_AUDIT_EMAIL_VERIFIED,
	GH_AUDIT_USER_REGISTERED,
	GH_AUDIT_USER_CREATED,
	GH_AUDIT_USER_UPDATED,
	GH_AUDIT_USER_SUSPENDED,
	GH_AUDIT_USER_DELETED,
	GH_AUDIT_ROLE_GRANTED,
	GH_AUDIT_ROLE_REVOKED,
	GH_AUDIT_ROLE_CREATED,
	GH_AUDIT_KEY_ROTATED,
	GH_AUDIT_KEY_RETIRED,
	GH_AUDIT_NEVENTS
};

#define GH_AUDIT_ADDR_MAX	64
#define GH_AUDIT_AGENT_MAX	256
#define GH_AUDIT_DETAILS_MAX	512
#define GH_AUDIT_PAGE_MAX	200

/* One row to append. */
struct gh_audit {
	enum gh_audit_event	 event;
	bool			 ok;
	char			 user_id[GH_UUID_LEN + 1];
	char			 actor_id[GH_UUID_LEN + 1];
	char			 session_id[GH_UUID_LEN + 1];
	char			 client_addr[GH_AUDIT_ADDR_MAX + 1];
	char			 user_agent[GH_AUDIT_AGENT_MAX + 1];
	char			 details[GH_AUDIT_DETAILS_MAX];
};

/* The columns a row fills, in gh_audit_bind()'s order. */
#define GH_AUDIT_COLUMNS \
	"(event, outcome, user_id, actor_id, session_id, client_addr, " \
	"user_agent, details)"
#define GH_AUDIT_NPARAMS	8

/* The event's name ("login.failed"); NULL past the list. */
const char	*gh_audit_event_name(enum gh_audit_event);

/* True when name (len bytes) is one of the events' names. */
bool		 gh_audit_event_known(const char *name, size_t len);

/*
 * The request context: address and agent as the web server gave them
 * (NULL: none); the acting user is cleared.  via, when not NULL, goes
 * into every row's details ("cli").
 */
void		 gh_audit_context(const char *address, const char *agent,
		    const char *via);

/* The acting user of the rest of the request (an admin's id). */
void		 gh_audit_actor(const char *user_id);

/*
 * Starts a row of event with the context's address, agent and actor;
 * user_id and session_id may be NULL.
 */
void		 gh_audit_init(struct gh_audit *, enum gh_audit_event,
		    bool ok, const char *user_id, const char *session_id);

/*
 * Adds "key": value to the details (nothing for a NULL value); a value
 * that would not fit is left out whole.  Keys are the caller's
 * constants: "username", "role", "reason", "kid", ...
 */
void		 gh_audit_detail(struct gh_audit *, const char *key,
		    const char *value);

/*
 * The row as GH_AUDIT_NPARAMS text parameters (an empty id as NULL),
 * for a statement that appends it along with its own work; the
 * pointers are into a.
 */
void		 gh_audit_bind(const struct gh_audit *,
		    const char *params[GH_AUDIT_NPARAMS]);

/* Appends the row in a statement of its own. */
enum gh_status	 gh_audit_write(struct gh_db *, const struct gh_audit *);

/*
 * gh_audit_write() for an action already done: a row that cannot be
 * written is logged (by event, never by content), and the action stands.
 */
void		 gh_audit_append(struct gh_db *, const struct gh_audit *);

/*
 * gh_audit_append() of a successful event's row about user_id (may be
 * NULL), details the username (may be NULL) and one more key and value
 * (may be NULL).
 */
void		 gh_audit_record(struct gh_db *, enum gh_audit_event,
		    const char *user_id, const char *username,
		    const char *key, const char *value);

/* What a read asks for; empty strings and 0 ask for nothing. */
struct gh_audit_filter {
	long		 after;		/* ids below this one */
	int		 limit;		/* 1 .. GH_AUDIT_PAGE_MAX */
	const char	*user_id;
	const char	*event;
	const char	*since;		/* RFC 3339, gh_audit_time_ok() */
	const char	*until;
	const char	*username;	/* details' (a deleted user's) */
};

/* True when s is an RFC 3339 date-time with a zone ("Z" or +hh:mm). */
bool		 gh_audit_time_ok(const char *s, size_t len);

/*
 * Calls fn with each row that matches, newest first, as the contract's
 * JSON object text; *more says a further page exists and *last is the
 * last row's id (the next page's after).
 */
enum gh_status	 gh_audit_list(struct gh_db *, const struct gh_audit_filter *,
		    void (*fn)(const char *json, void *), void *arg,
		    bool *more, long *last);

/* Deletes rows older than days; *deleted counts them. */
enum gh_status	 gh_audit_cleanup(struct gh_db *, int days, long *deleted);

#endif
