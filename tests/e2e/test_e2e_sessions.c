/*
 * A user's own sessions, end to end: GET /api/auth/sessions lists the
 * caller's live sessions newest first with the current one flagged,
 * DELETE /api/auth/sessions/{id} ends one (its tokens die at once, as at
 * a logout), another user's or an unknown session is a 404, and clients
 * using a session while it is deleted see no success after the DELETE
 * was answered (t_me_race()).  The stack's default config: cookie_secure on,
 * so the cookie credentials go by their __Host- names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(sessions, .timeout = 120);

#define ACCESS		"__Host-gh_access"
#define CSRF		"__Host-gh_csrf"
#define CSRF_VALUE	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* One login of a user: its tokens and session. */
struct login {
	char	access[4096];
	char	refresh[512];
	char	sid[64];
};

static void
take_tokens(struct login *l, const struct t_resp *r)
{
	const char	*a, *rt;

	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	cr_assert_not_null(a = t_resp_str(r, "access_token"));
	cr_assert_not_null(rt = t_resp_str(r, "refresh_token"));
	snprintf(l->access, sizeof(l->access), "%s", a);
	snprintf(l->refresh, sizeof(l->refresh), "%s", rt);
	t_jwt_sid(l->access, l->sid, sizeof(l->sid));
}

/* Logs u in from a client calling itself agent. */
static void
login_as(const struct t_user *u, const char *agent, struct login *l)
{
	struct t_resp	 r;
	char		 ua[256], body[512];
	const char	*h[] = { "Content-Type: application/json", ua, NULL };

	snprintf(ua, sizeof(ua), "User-Agent: %s", agent);
	snprintf(body, sizeof(body), "{\"username\": \"%s\", "
	    "\"password\": \"%s\"}", u->username, u->password);
	t_http("POST", "/api/auth/login", h, body, strlen(body), &r);
	take_tokens(l, &r);
	t_resp_free(&r);
}

static void
refresh(struct login *l)
{
	struct t_resp	 r;

	t_http_jsonf("POST", "/api/auth/refresh", NULL, &r,
	    "{\"refresh_token\": \"%s\"}", l->refresh);
	take_tokens(l, &r);
	t_resp_free(&r);
}

/* GET /api/auth/sessions as token: 200, its items into *items (put r). */
static struct json_object *
list(const char *token, struct t_resp *r)
{
	struct json_object	*items;

	t_http_json("GET", "/api/auth/sessions", token, NULL, r);
	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	t_assert_json_type(r);
	cr_assert_str_eq(t_resp_header(r, "Cache-Control"), "no-store");
	cr_assert_not_null(r->json, "%s", r->body);
	cr_assert_eq(json_object_object_length(r->json), 1, "%s", r->body);
	cr_assert(json_object_object_get_ex(r->json, "items", &items) &&
	    json_object_is_type(items, json_type_array), "%s", r->body);
	return items;
}

static const char *
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	cr_assert(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

static bool
is_current(struct json_object *o)
{
	struct json_object	*v;

	cr_assert(json_object_object_get_ex(o, "current", &v) &&
	    json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

/* The item of an item list for session sid, or NULL. */
static struct json_object *
item_of(struct json_object *items, const char *sid)
{
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < json_object_array_length(items); i++) {
		o = json_object_array_get_idx(items, i);
		if (strcmp(member(o, "id"), sid) == 0)
			return o;
	}
	return NULL;
}

/* DELETE /api/auth/sessions/<id> as token: the status. */
static long
end_session(const char *token, const char *id, struct t_resp *r)
{
	char	 path[512];

	snprintf(path, sizeof(path), "/api/auth/sessions/%s", id);
	t_http_json("DELETE", path, token, NULL, r);
	return r->status;
}

static void
assert_ended(const char *token, const char *id)
{
	struct t_resp	 r;

	cr_assert_eq(end_session(token, id, &r), 204, "%ld %s", r.status,
	    r.body);
	cr_assert_eq(r.len, 0, "%s", r.body);
	t_resp_free(&r);
}

/* Two logins of one user from two user agents, b the later. */
static void
two_logins(struct t_user *u, struct login *a, struct login *b)
{
	t_register(u, "ses");
	login_as(u, "agent-A/1.0", a);
	t_sleep_ms(20);
	login_as(u, "agent-B/2.0 \"quoted\"", b);
}

Test(sessions, the_list_shows_each_login_newest_first_the_callers_flagged)
{
	struct t_user		 u;
	struct login		 a, b;
	struct t_resp		 r;
	struct json_object	*items, *o;
	size_t			 i;

	two_logins(&u, &a, &b);
	items = list(b.access, &r);
	cr_assert_eq(json_object_array_length(items), 2, "%s", r.body);
	o = json_object_array_get_idx(items, 0);
	cr_assert_str_eq(member(o, "id"), b.sid);
	cr_assert(is_current(o));
	cr_assert_str_eq(member(o, "user_agent"), "agent-B/2.0 \"quoted\"");
	o = json_object_array_get_idx(items, 1);
	cr_assert_str_eq(member(o, "id"), a.sid);
	cr_assert(!is_current(o));
	cr_assert_str_eq(member(o, "user_agent"), "agent-A/1.0");
	for (i = 0; i < 2; i++) {
		o = json_object_array_get_idx(items, i);
		cr_assert_eq(json_object_object_length(o), 6, "%s", r.body);
		cr_assert(t_is_timestamp(member(o, "created_at")));
		cr_assert(t_is_timestamp(member(o, "last_used_at")));
		cr_assert_str_eq(member(o, "created_at"),
		    member(o, "last_used_at"));
		cr_assert_str_eq(member(o, "address"), "127.0.0.1");
	}
	t_resp_free(&r);
	/* The other login sees the same two, itself flagged. */
	items = list(a.access, &r);
	cr_assert(is_current(item_of(items, a.sid)));
	cr_assert(!is_current(item_of(items, b.sid)));
	t_resp_free(&r);
}

/* No User-Agent header: nothing recorded, and null shown. */
Test(sessions, an_unknown_user_agent_is_null)
{
	struct t_user		 u;
	struct t_resp		 r;
	struct json_object	*items, *ua;

	t_make_user(&u, "sen");
	items = list(u.access, &r);
	cr_assert_eq(json_object_array_length(items), 1, "%s", r.body);
	cr_assert(json_object_object_get_ex(json_object_array_get_idx(items,
	    0), "user_agent", &ua) && ua == NULL, "%s", r.body);
	t_resp_free(&r);
}

Test(sessions, last_used_at_moves_on_refresh)
{
	struct t_user		 u;
	struct login		 a, b;
	struct t_resp		 r;
	struct json_object	*items;
	char			 created[32], used[32];

	two_logins(&u, &a, &b);
	items = list(a.access, &r);
	snprintf(created, sizeof(created), "%s", member(item_of(items, a.sid),
	    "created_at"));
	snprintf(used, sizeof(used), "%s", member(item_of(items, b.sid),
	    "last_used_at"));
	t_resp_free(&r);
	t_sleep_ms(1100);
	refresh(&a);
	items = list(a.access, &r);
	cr_assert_str_eq(member(item_of(items, a.sid), "created_at"), created);
	cr_assert_gt(strcmp(member(item_of(items, a.sid), "last_used_at"),
	    created), 0, "%s", r.body);
	/* The other session was not used. */
	cr_assert_str_eq(member(item_of(items, b.sid), "last_used_at"), used);
	t_resp_free(&r);
}

Test(sessions, deleting_a_session_kills_its_tokens_at_once)
{
	struct t_user		 u;
	struct login		 a, b;
	struct t_resp		 r;
	struct json_object	*items;

	two_logins(&u, &a, &b);
	cr_assert_eq(t_me_status(b.access), 200);
	assert_ended(a.access, b.sid);
	cr_assert_eq(t_me_status(b.access), 401);
	cr_assert_eq(t_refresh_status(b.refresh), 401);
	cr_assert_eq(t_me_status(a.access), 200);
	items = list(a.access, &r);
	cr_assert_eq(json_object_array_length(items), 1, "%s", r.body);
	cr_assert_null(item_of(items, b.sid));
	t_resp_free(&r);
	/* Ended already: as unknown. */
	cr_assert_eq(end_session(a.access, b.sid, &r), 404);
	t_assert_error(&r, 404, "not_found");
	t_resp_free(&r);
}

Test(sessions, deleting_the_current_session_is_a_logout)
{
	struct t_user	 u;
	struct login	 a, b;

	two_logins(&u, &a, &b);
	assert_ended(a.access, a.sid);
	cr_assert_eq(t_me_status(a.access), 401);
	cr_assert_eq(t_refresh_status(a.refresh), 401);
	cr_assert_eq(t_me_status(b.access), 200);
}

Test(sessions, another_users_or_an_unknown_session_is_404_alike)
{
	struct t_user	 u, v;
	struct login	 a, b, other;
	struct t_resp	 r, unknown;
	const char	*bad[] = { "not-a-uuid", "00000000-0000-0000-0000-00000"
			    "0000000", "%27%20OR%201%3D1", NULL };
	size_t		 i;

	two_logins(&u, &a, &b);
	t_register(&v, "sev");
	login_as(&v, "other", &other);
	cr_assert_eq(end_session(a.access, other.sid, &r), 404);
	t_assert_error(&r, 404, "not_found");
	cr_assert_eq(end_session(a.access, "8d1e4f2a-3b4c-4d5e-8f60-"
	    "718293a4b5c6", &unknown), 404);
	cr_assert_str_eq(r.body, unknown.body);
	t_resp_free(&r);
	t_resp_free(&unknown);
	for (i = 0; bad[i] != NULL; i++) {
		cr_assert_eq(end_session(a.access, bad[i], &r), 404, "%s: %ld "
		    "%s", bad[i], r.status, r.body);
		t_assert_error(&r, 404, "not_found");
		t_resp_free(&r);
	}
	cr_assert_eq(t_me_status(other.access), 200);
	/* Nor does the other user's list show ours. */
	cr_assert_null(item_of(list(other.access, &r), a.sid));
	t_resp_free(&r);
}

Test(sessions, without_a_token_the_answer_is_a_challenge)
{
	struct t_resp	 r;

	t_http_json("GET", "/api/auth/sessions", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
	t_http_json("DELETE", "/api/auth/sessions/8d1e4f2a-3b4c-4d5e-8f60-"
	    "718293a4b5c6", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
	t_http_json("GET", "/api/auth/sessions", "garbage", NULL, &r);
	t_assert_bearer_401(&r, false);
	t_resp_free(&r);
}

Test(sessions, the_methods_are_listed)
{
	struct t_resp	 r;

	t_http("OPTIONS", "/api/auth/sessions", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 204, "%ld", r.status);
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "GET, OPTIONS");
	t_resp_free(&r);
	t_http("OPTIONS", "/api/auth/sessions/x", NULL, NULL, 0, &r);
	cr_assert_str_eq(t_resp_header(&r, "Allow"), "DELETE, OPTIONS");
	t_resp_free(&r);
	t_http("POST", "/api/auth/sessions", NULL, NULL, 0, &r);
	t_assert_error(&r, 405, "method_not_allowed");
	t_resp_free(&r);
}

/* A DELETE by the cookie is a write: it needs the CSRF header. */
Test(sessions, a_delete_by_cookie_needs_the_csrf_header)
{
	struct t_user	 u;
	struct login	 a, b;
	struct t_resp	 r;
	char		 cookie[4400], path[128];
	const char	*bare[] = { cookie, NULL };
	const char	*proved[] = { cookie, "X-CSRF-Token: " CSRF_VALUE, NULL };

	two_logins(&u, &a, &b);
	snprintf(cookie, sizeof(cookie), "Cookie: " ACCESS "=%s; " CSRF "="
	    CSRF_VALUE, a.access);
	snprintf(path, sizeof(path), "/api/auth/sessions/%s", b.sid);
	t_http("DELETE", path, bare, NULL, 0, &r);
	t_assert_error(&r, 403, "csrf_failed");
	t_resp_free(&r);
	cr_assert_eq(t_me_status(b.access), 200);
	t_http("DELETE", path, proved, NULL, 0, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(t_me_status(b.access), 401);
	/* A GET by the cookie needs no proof. */
	t_http("GET", "/api/auth/sessions", bare, NULL, 0, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
}

struct ending {
	const char	*token;
	const char	*sid;
};

static void
delete_in_race(const void *arg)
{
	const struct ending	*e = arg;

	assert_ended(e->token, e->sid);
}

Test(sessions, no_me_started_after_a_session_delete_succeeds)
{
	struct t_user	 u;
	struct login	 a, b;
	struct ending	 e;

	two_logins(&u, &a, &b);
	e.token = a.access;
	e.sid = b.sid;
	t_me_race(b.access, delete_in_race, &e);
	cr_assert_eq(t_me_status(a.access), 200);
}
