/*
 * Wrong passwords sent together: each attempt is admitted and counted in
 * one step (sql/008_throttle.sql), so of a burst of guesses at an
 * account no more than the limit (test_e2e_guesses.conf: 5) get a
 * bcrypt and a 401, whatever the number in flight; the rest are 429.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(guesses, .timeout = 180);

#define MAX_PER_ACCOUNT	5
#define BURST		24
#define ROUNDS		4

/* Sends BURST copies of body to path at once; asserts the split. */
static void
burst(const char *path, const char *token, const char *body,
    const char *account)
{
	struct t_resp	 rs[BURST];
	const char	*bodies[1] = { body };
	size_t		 i, denied = 0, refused = 0;

	t_http_many(BURST, "POST", path, token, bodies, 1, rs);
	for (i = 0; i < BURST; i++) {
		if (rs[i].status == 401)
			denied++;
		else if (rs[i].status == 429)
			refused++;
		else
			cr_assert_fail("%s: %ld %s", path, rs[i].status,
			    rs[i].body);
		t_resp_free(&rs[i]);
	}
	cr_log_info("%s: %zu 401, %zu 429", path, denied, refused);
	cr_assert_leq(denied, MAX_PER_ACCOUNT, "%s: %zu guesses of %d got a "
	    "bcrypt, past the limit of %d", path, denied, BURST,
	    MAX_PER_ACCOUNT);
	cr_assert_eq(atol(t_sql("SELECT count(*) FROM login_failures WHERE "
	    "account = '%s'", account)), (long)denied);
}

Test(guesses, a_burst_of_wrong_logins_gets_at_most_the_limit)
{
	struct t_user	 u;
	char		 body[256], account[96];
	int		 round, n;

	for (round = 0; round < ROUNDS; round++) {
		t_register(&u, "gsl");
		n = snprintf(body, sizeof(body), "{\"username\": \"%s\", "
		    "\"password\": \"Wrong-Password-1\"}", u.username);
		cr_assert(n > 0 && (size_t)n < sizeof(body));
		snprintf(account, sizeof(account), "id:%s", u.id);
		burst("/api/auth/login", NULL, body, account);
	}
}

Test(guesses, a_burst_of_wrong_current_passwords_gets_at_most_the_limit)
{
	struct t_user	 u;
	char		 account[96];
	const char	*body = "{\"current_password\": \"Wrong-Password-1\", "
	    "\"new_password\": \"New-Password-99\"}";
	int		 round;

	for (round = 0; round < ROUNDS; round++) {
		t_make_user(&u, "gsp");
		snprintf(account, sizeof(account), "id:%s", u.id);
		burst("/api/auth/password", u.access, body, account);
	}
}
