/*
 * Concurrent requests, end to end: the unique indexes decide, so racing
 * registrations give one 201 and 409s, never a 500.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(race, .timeout = 120);

#define RACERS	40

Test(race, forty_registrations_of_one_username_give_one_201)
{
	struct t_resp	 rs[RACERS];
	char		 body[256];
	const char	*bodies[1];
	char		 name[80];
	int		 created = 0, conflicts = 0, i;

	snprintf(name, sizeof(name), "%s", t_unique("race"));
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"Secret-Pass1\"}", name);
	bodies[0] = body;
	t_http_many(RACERS, "POST", "/api/auth/register", NULL, bodies, 1, rs);
	for (i = 0; i < RACERS; i++) {
		if (rs[i].status == 201)
			created++;
		else if (rs[i].status == 409) {
			t_assert_field_error(&rs[i], 409, "conflict",
			    "username");
			conflicts++;
		} else
			cr_assert_fail("racer %d: %ld %s", i, rs[i].status,
			    rs[i].body);
		t_resp_free(&rs[i]);
	}
	cr_assert_eq(created, 1);
	cr_assert_eq(conflicts, RACERS - 1);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM users WHERE "
	    "lower(username) = lower('%s')", name), "1");
}

Test(race, registrations_differing_only_in_case_give_one_201)
{
	struct t_resp	 rs[RACERS];
	char		*bodies[RACERS];
	char		 name[80], variant[80];
	int		 created = 0, i;
	size_t		 k;

	snprintf(name, sizeof(name), "%s", t_unique("rcase"));
	for (i = 0; i < RACERS; i++) {
		snprintf(variant, sizeof(variant), "%s", name);
		for (k = 0; variant[k] != '\0'; k++)
			if (((unsigned)i >> (k % 5)) & 1 && variant[k] >= 'a' &&
			    variant[k] <= 'z')
				variant[k] = (char)(variant[k] - 32);
		cr_assert_not_null(bodies[i] = malloc(256));
		snprintf(bodies[i], 256, "{\"username\": \"%s\", \"password\": "
		    "\"Secret-Pass1\"}", variant);
	}
	t_http_many(RACERS, "POST", "/api/auth/register", NULL,
	    (const char *const *)bodies, RACERS, rs);
	for (i = 0; i < RACERS; i++) {
		cr_assert(rs[i].status == 201 || rs[i].status == 409,
		    "racer %d: %ld %s", i, rs[i].status, rs[i].body);
		created += rs[i].status == 201;
		t_resp_free(&rs[i]);
		free(bodies[i]);
	}
	cr_assert_eq(created, 1);
}

Test(race, registrations_racing_for_one_email_give_one_201)
{
	struct t_resp	 rs[20];
	char		*bodies[20];
	char		 mail[120];
	int		 created = 0, i;

	snprintf(mail, sizeof(mail), "%s@example.com", t_unique("rmail"));
	for (i = 0; i < 20; i++) {
		cr_assert_not_null(bodies[i] = malloc(256));
		snprintf(bodies[i], 256, "{\"username\": \"%s\", \"password\": "
		    "\"Secret-Pass1\", \"email\": \"%s\"}", t_unique("rm"),
		    mail);
	}
	t_http_many(20, "POST", "/api/auth/register", NULL,
	    (const char *const *)bodies, 20, rs);
	for (i = 0; i < 20; i++) {
		if (rs[i].status == 409)
			t_assert_field_error(&rs[i], 409, "conflict", "email");
		else
			cr_assert_eq(rs[i].status, 201, "racer %d: %ld %s", i,
			    rs[i].status, rs[i].body);
		created += rs[i].status == 201;
		t_resp_free(&rs[i]);
		free(bodies[i]);
	}
	cr_assert_eq(created, 1);
}

Test(race, concurrent_logins_of_one_user_all_succeed)
{
	struct t_user		 u;
	struct t_resp		 rs[20];
	char			 body[256];
	const char		*bodies[1];
	int			 i, j;

	t_register(&u, "rlog");
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"%s\"}", u.username, u.password);
	bodies[0] = body;
	t_http_many(20, "POST", "/api/auth/login", NULL, bodies, 1, rs);
	for (i = 0; i < 20; i++)
		cr_assert_eq(rs[i].status, 200, "racer %d: %ld %s", i,
		    rs[i].status, rs[i].body);
	/* Twenty sessions, twenty distinct refresh tokens. */
	for (i = 0; i < 20; i++)
		for (j = i + 1; j < 20; j++)
			cr_assert_str_neq(t_resp_str(&rs[i], "refresh_token"),
			    t_resp_str(&rs[j], "refresh_token"));
	for (i = 0; i < 20; i++)
		t_resp_free(&rs[i]);
	cr_assert_str_eq(t_sql("SELECT count(*) FROM sessions WHERE user_id "
	    "= '%s' AND ended_at IS NULL", u.id), "20");
}

Test(race, concurrent_me_requests_all_succeed)
{
	struct t_user		 u;
	struct t_resp		 rs[RACERS];
	const char		*bodies[1] = { NULL };
	int			 i;

	t_make_user(&u, "rme");
	t_http_many(RACERS, "GET", "/api/auth/me", u.access, bodies, 1, rs);
	for (i = 0; i < RACERS; i++) {
		cr_assert_eq(rs[i].status, 200, "racer %d: %ld %s", i,
		    rs[i].status, rs[i].body);
		t_resp_free(&rs[i]);
	}
}
