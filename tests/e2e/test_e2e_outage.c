/*
 * PostgreSQL stopped mid-run: every endpoint that needs it answers 503
 * (never 500, never a hang), and once it is back the same processes
 * serve again by themselves.  The stack's cluster is its own
 * (test_e2e_outage.conf), and tests run one at a time.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(outage, .timeout = 180);

#define WAVE		16	/* concurrent requests: reach every process */
#define PIDS_MAX	64

static const char	*programs[] = { "login", "register", "me", "admin",
    "health" };

struct pidset {
	pid_t	pids[5][PIDS_MAX];
	size_t	n[5];
};

static void
pidset_read(struct pidset *s)
{
	size_t	 i;

	for (i = 0; i < 5; i++) {
		s->n[i] = t_program_pids(programs[i], s->pids[i], PIDS_MAX);
		cr_assert_gt(s->n[i], 0, "no %s process", programs[i]);
	}
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t	 x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static void
pidset_assert_same(struct pidset *a, struct pidset *b)
{
	size_t	 i, k;

	for (i = 0; i < 5; i++) {
		cr_assert_eq(a->n[i], b->n[i], "%s: %zu processes, then %zu",
		    programs[i], a->n[i], b->n[i]);
		qsort(a->pids[i], a->n[i], sizeof(pid_t), cmp_pid);
		qsort(b->pids[i], b->n[i], sizeof(pid_t), cmp_pid);
		for (k = 0; k < a->n[i]; k++)
			cr_assert_eq(a->pids[i][k], b->pids[i][k],
			    "%s was restarted (pid %d, now %d)", programs[i],
			    (int)a->pids[i][k], (int)b->pids[i][k]);
	}
}

/* One endpoint to try, and what a success is. */
struct probe {
	const char	*name;
	const char	*method;
	const char	*path;
	const char	*token;
	long		 ok;		/* status when the database is up */
	char		 body[700];
	bool		 fresh_name;	/* the body needs a new username */
};

static void
probe_set(struct probe *p, const char *name, const char *method,
    const char *path, const char *token, long ok, bool fresh_name)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->method = method;
	p->path = path;
	p->token = token;
	p->ok = ok;
	p->fresh_name = fresh_name;
}

static void
probe_body(struct probe *p)
{
	if (p->fresh_name)
		snprintf(p->body, sizeof(p->body), "{\"username\": \"%s\", "
		    "\"password\": \"Secret-Pass1\"}", t_unique("out"));
}

static void
wave(struct probe *p, struct t_resp *rs)
{
	char		*bodies[WAVE];
	size_t		 i;

	for (i = 0; i < WAVE; i++) {
		probe_body(p);
		cr_assert_not_null(bodies[i] = strdup(p->body));
	}
	t_http_many(WAVE, p->method, p->path, p->token,
	    (const char *const *)bodies, p->body[0] != '\0' ? WAVE : 1, rs);
	for (i = 0; i < WAVE; i++)
		free(bodies[i]);
}

static void
assert_wave_503(struct probe *p)
{
	struct t_resp	 rs[WAVE];
	size_t		 i;

	wave(p, rs);
	for (i = 0; i < WAVE; i++) {
		cr_assert_eq(rs[i].status, 503, "%s while the database is "
		    "down: %ld %s", p->name, rs[i].status, rs[i].body);
		cr_assert_lt(rs[i].seconds, 10.0, "%s took %.1f s", p->name,
		    rs[i].seconds);
		if (strcmp(p->name, "health") == 0) {
			t_assert_json_type(&rs[i]);
			cr_assert_str_eq(t_resp_str(&rs[i], "status"),
			    "degraded");
			cr_assert_str_eq(t_resp_str(&rs[i], "database"),
			    "unreachable");
		} else
			t_assert_error(&rs[i], 503, "unavailable");
		/* Clients and load balancers are told when to ask again. */
		cr_assert(t_resp_header(&rs[i], "Retry-After") != NULL &&
		    strcmp(t_resp_header(&rs[i], "Retry-After"), "1") == 0,
		    "%s: a 503 without Retry-After: 1", p->name);
		t_resp_free(&rs[i]);
	}
}

/* Polls until p succeeds (up to 20 s); a 500 on the way fails. */
static void
await_recovery(struct probe *p)
{
	struct t_resp	 r;
	int		 i;

	for (i = 0; i < 100; i++) {
		probe_body(p);
		t_http_json(p->method, p->path, p->token,
		    p->body[0] != '\0' ? p->body : NULL, &r);
		cr_assert_neq(r.status, 500, "%s after the database came "
		    "back: 500 %s", p->name, r.body);
		if (r.status == p->ok) {
			t_resp_free(&r);
			return;
		}
		cr_assert_eq(r.status, 503, "%s after the database came back: "
		    "%ld %s", p->name, r.status, r.body);
		t_resp_free(&r);
		t_sleep_ms(200);
	}
	cr_assert_fail("%s did not recover within 20 s", p->name);
}

static void
assert_wave_ok(struct probe *p)
{
	struct t_resp	 rs[WAVE];
	size_t		 i;

	wave(p, rs);
	for (i = 0; i < WAVE; i++) {
		cr_assert_eq(rs[i].status, p->ok, "%s once recovered: %ld %s",
		    p->name, rs[i].status, rs[i].body);
		t_resp_free(&rs[i]);
	}
}

Test(outage, the_database_down_gives_503_and_the_same_processes_recover)
{
	struct t_user		 a, u;
	struct pidset		 before, after;
	struct probe		 probes[8];
	size_t			 n = 0, i;

	t_make_admin(&a, "outa");
	t_make_user(&u, "outu");

	probe_set(&probes[n++], "health", "GET", "/health",
	    NULL, 200, false);
	probe_set(&probes[n++], "register", "POST", "/api/auth/register",
	    NULL, 201, true);
	probe_set(&probes[n], "login", "POST", "/api/auth/login",
	    NULL, 200, false);
	snprintf(probes[n++].body, sizeof(probes[0].body),
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	probe_set(&probes[n], "refresh", "POST", "/api/auth/refresh",
	    NULL, 401, false);
	/*
	 * A well-formed unknown refresh token (43 characters of base64url,
	 * the last with its padding bits clear): 401 when the database is
	 * up, 503 when it is down.
	 */
	snprintf(probes[n++].body, sizeof(probes[0].body),
	    "{\"refresh_token\": \"%sA\"}",
	    t_unique("UnknownRefreshTokenxxxxxxxxxxx"));
	probe_set(&probes[n++], "me", "GET", "/api/auth/me",
	    u.access, 200, false);
	probe_set(&probes[n], "password", "POST", "/api/auth/password",
	    u.access, 401, false);
	/* A wrong current password: 401 when up, changes nothing. */
	snprintf(probes[n++].body, sizeof(probes[0].body),
	    "{\"current_password\": \"Not-It-123\", \"new_password\": "
	    "\"Whatever-123\"}");
	probe_set(&probes[n++], "dashboard", "GET", "/api/admin/dashboard",
	    a.access, 200, false);
	probe_set(&probes[n++], "users", "GET", "/api/admin/users",
	    a.access, 200, false);

	/* Every process has its connection before the outage. */
	for (i = 0; i < n; i++)
		assert_wave_ok(&probes[i]);
	pidset_read(&before);

	t_pg("GH_TEST_PG_STOP");
	for (i = 0; i < n; i++)
		assert_wave_503(&probes[i]);
	/* Logout needs the database too; try it last (it ends nothing). */
	{
		struct t_resp	 r;

		t_http_json("POST", "/api/auth/logout", u.access, "{}", &r);
		t_assert_error(&r, 503, "unavailable");
		t_resp_free(&r);
	}
	t_pg("GH_TEST_PG_START");

	for (i = 0; i < n; i++)
		await_recovery(&probes[i]);
	for (i = 0; i < n; i++)
		assert_wave_ok(&probes[i]);
	pidset_read(&after);
	pidset_assert_same(&before, &after);
	cr_assert_eq(t_me_status(u.access), 200);
}

Test(outage, a_second_outage_is_survived_too)
{
	struct t_user		 u;
	struct t_resp		 r;
	int			 i;

	t_make_user(&u, "out2");
	t_pg("GH_TEST_PG_STOP");
	cr_assert_eq(t_me_status(u.access), 503);
	t_pg("GH_TEST_PG_START");
	for (i = 0; i < 100 && t_me_status(u.access) != 200; i++)
		t_sleep_ms(200);
	cr_assert_eq(t_me_status(u.access), 200);
	t_http("GET", "/health", NULL, NULL, 0, &r);
	cr_assert_eq(r.status, 200);
	t_resp_free(&r);
}

/* A page's POST (the CSRF cookie and token agree) while it is down. */
static void
assert_page_503(const char *path, const char *form)
{
	struct t_resp	 r;
	char		 body[512];

	snprintf(body, sizeof(body), "%s&csrf_token=outage-token", form);
	t_http("POST", path, (const char *const[]){
	    "Content-Type: application/x-www-form-urlencoded",
	    "Cookie: __Host-gh_csrf=outage-token", NULL }, body, strlen(body),
	    &r);
	cr_assert_eq(r.status, 503, "%s: %ld %s", path, r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_str_eq(t_resp_header(&r, "Retry-After"), "1",
	    "%s: 503 page without Retry-After: 1", path);
	cr_assert_lt(r.seconds, 10.0, "%s took %.1f s", path, r.seconds);
	t_resp_free(&r);
}

Test(outage, the_sign_in_pages_answer_a_503_page)
{
	struct t_user		 u;
	char			 form[256];
	int			 i;

	t_make_user(&u, "outp");
	t_pg("GH_TEST_PG_STOP");
	snprintf(form, sizeof(form), "username=%s&password=%s", u.username,
	    u.password);
	assert_page_503("/auth/login", form);
	snprintf(form, sizeof(form), "username=%s&password=Secret-Pass1",
	    t_unique("outp"));
	assert_page_503("/auth/register", form);
	t_pg("GH_TEST_PG_START");
	for (i = 0; i < 100 && t_me_status(u.access) != 200; i++)
		t_sleep_ms(200);
	cr_assert_eq(t_me_status(u.access), 200);
}
