/*
 * Account recovery end to end, with real mail (docs/API.md, "Account
 * recovery"): POST /api/auth/password/forgot answers 202 alike for every
 * account and mails a link after the response; the link's token resets
 * the password once, within its lifetime, as the newest of its kind;
 * every session ends; "your password was changed" follows a reset and
 * an own change.  The messages are read from tests/mailsink (mail.h);
 * the first to each new user is its registration's verification link.
 * Each test sends from a loopback address of its own, so the per-address
 * limit (test_e2e_recovery.conf) counts its requests alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "client.h"
#include "fixture.h"
#include "mail.h"

#define NEWPW		"a brand new password 1"
#define MAIL_WAIT	20	/* seconds a message may take */
#define QUIET_MS	1500	/* how long "no more mail" is waited for */
#define NRACERS		6

static void
own_address(void)
{
	char	 addr[32];

	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
}

TestSuite(recovery, .init = own_address, .timeout = 120);

static void
forgot(const char *field, const char *value, struct t_resp *r)
{
	t_http_jsonf("POST", "/api/auth/password/forgot", NULL, r,
	    "{\"%s\": \"%s\"}", field, value);
}

static void
assert_accepted(const struct t_resp *r)
{
	cr_assert_eq(r->status, 202, "forgot: %ld %s", r->status, r->body);
	cr_assert_str_eq(r->body, "{\"status\":\"accepted\"}");
}

/*
 * A new user, once the verification message of its registration came:
 * it is message 1 to the user's address, so the reset links follow in a
 * known order.
 */
static void
make_user(struct t_user *u, const char *prefix)
{
	char	*msg;

	t_make_user(u, prefix);
	msg = t_mail_wait(u->email, 1, MAIL_WAIT);
	cr_assert_not_null(msg, "no verification message to %s", u->email);
	free(msg);
}

/* A forgot request that must be accepted. */
static void
forgot_accepted(const char *field, const char *value)
{
	struct t_resp	 r;

	forgot(field, value, &r);
	assert_accepted(&r);
	t_resp_free(&r);
}

/* Asks for u's reset link and returns its token (n-th message to u). */
static char *
reset_token(const struct t_user *u, size_t n)
{
	forgot_accepted("username", u->username);
	return t_mail_token(u->email, n, "/auth/reset", MAIL_WAIT);
}

static long
reset(const char *token, const char *pw, struct t_resp *r)
{
	t_http_jsonf("POST", "/api/auth/password/reset", NULL, r,
	    "{\"token\": \"%s\", \"new_password\": \"%s\"}", token, pw);
	return r->status;
}

static long
reset_status(const char *token, const char *pw)
{
	struct t_resp	 r;
	long		 st;

	st = reset(token, pw, &r);
	if (st == 400)
		t_assert_error(&r, 400, "invalid_grant");
	t_resp_free(&r);
	return st;
}

static long
login_status(const char *username, const char *pw)
{
	struct t_resp	 r;
	long		 st;

	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", username, pw);
	st = r.status;
	t_resp_free(&r);
	return st;
}

/* No (more) message to to than n, after a while. */
static void
assert_mail_stays(const char *to, size_t n)
{
	t_sleep_ms(QUIET_MS);
	cr_assert_eq(t_mail_count(to), n, "%zu messages to %s, expected %zu",
	    t_mail_count(to), to, n);
}

Test(recovery, a_reset_through_the_api_changes_the_password_and_ends_sessions)
{
	struct t_user	 u, other;
	char		*tok, *msg;

	make_user(&u, "rst");
	other = u;
	t_login(&other);
	tok = reset_token(&u, 2);
	cr_assert_eq(reset_status(tok, NEWPW), 204);
	/* Every session ended: access tokens at once, refresh tokens too. */
	cr_assert_eq(t_me_status(u.access), 401);
	cr_assert_eq(t_me_status(other.access), 401);
	cr_assert_eq(t_refresh_status(u.refresh), 401);
	cr_assert_eq(t_refresh_status(other.refresh), 401);
	cr_assert_eq(login_status(u.username, u.password), 401);
	cr_assert_eq(login_status(u.username, NEWPW), 200);
	/* The notice follows, with no link. */
	msg = t_mail_wait(u.email, 3, MAIL_WAIT);
	cr_assert_not_null(msg, "no password-changed notice");
	cr_assert_null(t_mail_link(msg, "/auth/reset?token="));
	free(msg);
	/* The link worked once. */
	cr_assert_eq(reset_status(tok, NEWPW "x"), 400);
	cr_assert_eq(login_status(u.username, NEWPW), 200);
	free(tok);
}

Test(recovery, by_email_too_and_as_a_form)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 form[512], enc[256];

	make_user(&u, "rse");
	forgot_accepted("email", u.email);
	t_mail_arrives(u.email, 2, MAIL_WAIT);
	t_urlencode(u.username, enc, sizeof(enc));
	snprintf(form, sizeof(form), "username=%s", enc);
	t_http_form("/api/auth/password/forgot", form, &r);
	assert_accepted(&r);
	t_resp_free(&r);
	t_mail_arrives(u.email, 3, MAIL_WAIT);
}

Test(recovery, a_link_dies_at_the_end_of_its_lifetime)
{
	struct t_user	 u;
	char		*tok;

	make_user(&u, "rsx");
	tok = reset_token(&u, 2);
	/* The owner's connection moves the clock of this one token. */
	t_sql("UPDATE onetime_tokens SET expires_at = now() - "
	    "interval '1 second' WHERE user_id = (SELECT id FROM users "
	    "WHERE username = '%s')", u.username);
	cr_assert_eq(reset_status(tok, NEWPW), 400);
	cr_assert_eq(login_status(u.username, u.password), 200);
	free(tok);
}

Test(recovery, a_newer_link_kills_the_older)
{
	struct t_user	 u;
	char		*old, *new;

	make_user(&u, "rsn");
	old = reset_token(&u, 2);
	new = reset_token(&u, 3);
	cr_assert_str_neq(old, new);
	cr_assert_eq(reset_status(old, NEWPW), 400);
	cr_assert_eq(reset_status(new, NEWPW), 204);
	free(old);
	free(new);
}

Test(recovery, a_refused_password_leaves_the_link_usable)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*tok;

	make_user(&u, "rsw");
	tok = reset_token(&u, 2);
	cr_assert_eq(reset(tok, "short", &r), 422);
	t_assert_field_error(&r, 422, "validation_failed", "new_password");
	t_resp_free(&r);
	cr_assert_eq(reset(tok, u.username, &r), 422);
	t_resp_free(&r);
	cr_assert_eq(reset_status(tok, NEWPW), 204);
	free(tok);
}

Test(recovery, unknown_and_known_accounts_get_the_same_answer)
{
	struct t_user	 u;
	struct t_resp	 known, unknown;
	char		 nobody[160];

	make_user(&u, "rsu");
	snprintf(nobody, sizeof(nobody), "%s@example.com", t_unique("nobody"));
	forgot("email", u.email, &known);
	forgot("email", nobody, &unknown);
	assert_accepted(&known);
	assert_accepted(&unknown);
	cr_assert_str_eq(known.body, unknown.body);
	cr_assert_str_eq(t_resp_header(&known, "Content-Type"),
	    t_resp_header(&unknown, "Content-Type"));
	t_resp_free(&known);
	t_resp_free(&unknown);
	t_mail_arrives(u.email, 2, MAIL_WAIT);
	assert_mail_stays(u.email, 2);
	cr_assert_eq(t_mail_count(nobody), 0);
}

Test(recovery, the_fourth_in_an_hour_sends_no_mail)
{
	struct t_user	 u;
	int		 i;

	make_user(&u, "rs4");
	for (i = 0; i < 4; i++)
		forgot_accepted("username", u.username);
	t_mail_arrives(u.email, 4, MAIL_WAIT);
	assert_mail_stays(u.email, 4);
}

Test(recovery, the_per_address_limit_answers_429)
{
	struct t_resp	 r;
	int		 i;

	/* test_e2e_recovery.conf: 6 a window. */
	for (i = 0; i < 6; i++)
		forgot_accepted("username", t_unique("nobody"));
	forgot("username", t_unique("nobody"), &r);
	t_assert_error(&r, 429, "too_many_requests");
	cr_assert_not_null(t_resp_header(&r, "Retry-After"));
	t_resp_free(&r);
}

Test(recovery, malformed_requests_are_400)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/password/forgot", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/password/forgot", NULL,
	    "{\"email\": 5}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/password/forgot", NULL, "[", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/password/reset", NULL,
	    "{\"token\": \"x\"}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
	cr_assert_eq(reset_status("not-a-token", NEWPW), 400);
	cr_assert_eq(reset_status("", NEWPW), 400);
}

/*
 * Hostile values: a lookup by them finds nobody, so nothing is sent; and
 * an address stored behind the API's back with a line break in it (the
 * API refuses one) makes no message to anyone else.
 */
Test(recovery, hostile_input_adds_no_header_or_recipient)
{
	struct t_user	 u;
	char		 evil[160], hostile[512];

	make_user(&u, "rsh");
	snprintf(evil, sizeof(evil), "%s@example.test", t_unique("evil"));
	snprintf(hostile, sizeof(hostile), "%s\\r\\nBcc: %s", u.email, evil);
	forgot_accepted("email", hostile);
	snprintf(hostile, sizeof(hostile), "%s\\nCc: %s", u.username, evil);
	forgot_accepted("username", hostile);
	snprintf(hostile, sizeof(hostile), "%s, %s", u.email, evil);
	forgot_accepted("email", hostile);
	t_sql("UPDATE users SET email = '%s' || chr(10) || 'Bcc: %s' "
	    "WHERE username = '%s'", u.email, evil, u.username);
	forgot_accepted("username", u.username);
	assert_mail_stays(evil, 0);
	cr_assert_eq(t_mail_count(u.email), 1);
}

/* One racer: resets with the token when the gate opens. */
static void
racer(const void *tok, int gate)
{
	struct t_resp	 r;

	t_client_from("127.0.0.1");
	t_race_wait(gate);
	(void)reset(tok, NEWPW, &r);
	_exit(r.status == 204 ? 0 : r.status == 400 ? 1 : 2);
}

Test(recovery, parallel_resets_with_one_token_succeed_once)
{
	struct t_user	 u;
	char		*tok;
	int		 exits[T_RACE_EXITS];

	make_user(&u, "rsr");
	tok = reset_token(&u, 2);
	t_race(NRACERS, racer, tok, exits);
	cr_assert_eq(exits[0], 1, "204: %d, 400: %d, other: %d", exits[0],
	    exits[1], exits[2]);
	cr_assert_eq(exits[1], NRACERS - 1);
	cr_assert_eq(login_status(u.username, NEWPW), 200);
	free(tok);
}

/* The own change (POST /api/auth/password) sends the notice too. */
Test(recovery, an_own_password_change_sends_a_notice)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*msg;

	make_user(&u, "rso");
	t_http_jsonf("POST", "/api/auth/password", u.access, &r,
	    "{\"current_password\": \"%s\", \"new_password\": \"%s\"}",
	    u.password, NEWPW);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	msg = t_mail_wait(u.email, 2, MAIL_WAIT);
	cr_assert_not_null(msg, "no password-changed notice");
	cr_assert_null(t_mail_link(msg, "http"));
	free(msg);
	assert_mail_stays(u.email, 2);
}

/* Clients keep calling /me with the old token while the reset lands. */
static void
reset_now(const void *token)
{
	cr_assert_eq(reset_status(token, NEWPW), 204);
}

Test(recovery, no_me_started_after_a_reset_succeeds)
{
	struct t_user	 u;
	char		*tok;

	make_user(&u, "rsm");
	tok = reset_token(&u, 2);
	t_me_race(u.access, reset_now, tok);
	free(tok);
}
