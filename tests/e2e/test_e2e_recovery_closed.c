/*
 * Account recovery when mail cannot go out ("#stack: mail-closed": msmtp
 * pointed at a port nothing listens on): the answers are the contract's
 * all the same, and the failure is in the programs' log.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"
#include "mail.h"

#define LOG_WAIT	30	/* seconds: msmtp's own connect timeout first */

Test(recovery_closed, forgot_answers_202_and_the_failure_is_logged,
    .timeout = 120)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 line[256];

	t_make_user(&u, "rcl");
	t_http_jsonf("POST", "/api/auth/password/forgot", NULL, &r,
	    "{\"username\": \"%s\"}", u.username);
	cr_assert_eq(r.status, 202, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "{\"status\":\"accepted\"}");
	t_resp_free(&r);
	snprintf(line, sizeof(line), "mail reset to user %s: ", u.username);
	cr_assert(t_log_wait(line, LOG_WAIT), "the log never showed \"%s\"",
	    line);
	cr_assert_eq(t_mail_count(u.email), 0);
}

Test(recovery_closed, a_password_change_answers_204_and_the_failure_is_logged,
    .timeout = 120)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 line[256];

	t_make_user(&u, "rcc");
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": \"%s\"}",
	    u.password, "another password 123");
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	snprintf(line, sizeof(line), "mail password_changed to user %s: ",
	    u.username);
	cr_assert(t_log_wait(line, LOG_WAIT), "the log never showed \"%s\"",
	    line);
}
