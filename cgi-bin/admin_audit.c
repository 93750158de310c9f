/*
 * admin_audit: GET /api/admin/audit, the audit trail newest first, under
 * the admin guard of admin.c, paged like the user list: limit, and after
 * (the id the last page ended on, given out as "next").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "core/json.h"
#include "core/str.h"
#include "domain/audit.h"
#include "http/http.h"

#define AUDIT_LIMIT_DEFAULT	50
#define STR(x)			#x
#define XSTR(x)			STR(x)

/* A whole number of at most 18 digits from 1 on, else -1. */
static long
whole(const char *s, size_t len)
{
	char	*end;
	long	 v;

	if (len == 0 || len > 18 || s[0] < '1' || s[0] > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' ? v : -1;
}

/* The query's filters into f; what is wrong into errs. */
static void
parse_filter(struct json_object *q, struct gh_audit_filter *f,
    struct gh_input_errors *errs)
{
	const char	*s;
	size_t		 len;
	long		 v;

	memset(f, 0, sizeof(*f));
	f->limit = AUDIT_LIMIT_DEFAULT;
	if (gh_json_string(q, "limit", 0, &s, &len, errs) == 1) {
		if ((v = whole(s, len)) < 1 || v > GH_AUDIT_PAGE_MAX)
			gh_input_invalid(errs, "limit", "must be a whole "
			    "number from 1 to " XSTR(GH_AUDIT_PAGE_MAX));
		else
			f->limit = (int)v;
	}
	if (gh_json_string(q, "after", 0, &s, &len, errs) == 1 &&
	    (f->after = whole(s, len)) == -1)
		gh_input_malformed(errs, "after", "is not a cursor this server "
		    "gave out");
	if (gh_json_string(q, "user_id", 0, &f->user_id, &len, errs) == 1 &&
	    !gh_str_is_uuid(f->user_id, len))
		gh_input_invalid(errs, "user_id", "must be a user id");
	if (gh_json_string(q, "event", 0, &f->event, &len, errs) == 1 &&
	    !gh_audit_event_known(f->event, len))
		gh_input_invalid(errs, "event", "must be one of the audit "
		    "events");
	if (gh_json_string(q, "since", 0, &f->since, &len, errs) == 1 &&
	    !gh_audit_time_ok(f->since, len))
		gh_input_invalid(errs, "since", "must be an RFC 3339 "
		    "date-time, e.g. 2026-11-21T23:46:36Z");
	if (gh_json_string(q, "until", 0, &f->until, &len, errs) == 1 &&
	    !gh_audit_time_ok(f->until, len))
		gh_input_invalid(errs, "until", "must be an RFC 3339 "
		    "date-time, e.g. 2026-11-21T23:46:36Z");
}

static void
add_item(const char *json, void *arg)
{
	struct json_object	*items = arg, *item;

	if ((item = json_tokener_parse(json)) != NULL &&
	    json_object_array_add(items, item) != 0)
		json_object_put(item);
}

void
admin_audit(struct gh_request *req)
{
	struct gh_input_errors	 errs = { 0 };
	struct gh_audit_filter	 f;
	struct json_object	*q, *items = NULL;
	enum gh_status		 st;
	char			 next[24];
	long			 last;
	bool			 more;

	if ((q = gh_request_query(req)) == NULL)
		return;
	parse_filter(q, &f, &errs);
	if (gh_input_failed(&errs)) {
		gh_respond_input_errors(req, &errs);
		goto out;
	}
	if ((items = json_object_new_array()) == NULL) {
		gh_respond_internal(req, "json");
		goto out;
	}
	if ((st = gh_audit_list(req->db, &f, add_item, items, &more,
	    &last)) != GH_OK) {
		gh_respond_status(req, st);
		goto out;
	}
	if (!more || snprintf(next, sizeof(next), "%ld", last) < 0)
		next[0] = '\0';
	admin_answer_page(req, items, next);
	items = NULL;
out:
	json_object_put(items);
	json_object_put(q);
}
