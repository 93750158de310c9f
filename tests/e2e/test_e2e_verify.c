/*
 * Email verification end to end, with real mail, under
 * require_verified_email (test_e2e_verify.conf; every other suite runs
 * with it off): registering with an address mails a link after the
 * response; POST /api/auth/email/verify confirms that address once;
 * until then a correct password answers 403 email_not_verified; a new
 * address is unconfirmed again and only its own link confirms it, and
 * one changed by the user (PATCH /api/auth/me) or by an admin gets that
 * link by mail; POST /api/auth/email/verify/resend sends a new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"
#include "mail.h"

#define MAIL_WAIT	20	/* seconds a message may take */
#define QUIET_MS	1500

TestSuite(verify, .timeout = 120);

/* The token of the n-th verification link mailed to to. */
static char *
verify_token(const char *to, size_t n)
{
	return t_mail_token(to, n, "/auth/verify", MAIL_WAIT);
}

static long
verify(const char *token, struct t_resp *r)
{
	t_http_jsonf("POST", "/api/auth/email/verify", NULL, r,
	    "{\"token\": \"%s\"}", token);
	return r->status;
}

static bool
verified(const struct t_resp *r)
{
	struct json_object	*v = t_json_path(r->json, "email_verified");

	return v != NULL && json_object_get_boolean(v);
}

Test(verify, a_registration_link_confirms_the_address_once)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*tok;

	t_register(&u, "vfy");
	tok = verify_token(u.email, 1);
	cr_assert_eq(verify(tok, &r), 200, "%ld %s", r.status, r.body);
	t_assert_user_object(r.json);
	cr_assert_str_eq(t_resp_str(&r, "username"), u.username);
	cr_assert(verified(&r), "%s", r.body);
	t_resp_free(&r);
	cr_assert_eq(verify(tok, &r), 400);
	t_assert_error(&r, 400, "invalid_grant");
	t_resp_free(&r);
	free(tok);
}

Test(verify, an_unverified_account_cannot_sign_in_until_confirmed)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*tok;

	t_register(&u, "vfl");
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", u.username,
	    u.password);
	t_assert_error(&r, 403, "email_not_verified");
	t_resp_free(&r);
	/* A wrong password says nothing of verification. */
	t_http_jsonf("POST", "/api/auth/login", NULL, &r,
	    "{\"username\": \"%s\", \"password\": \"wrong password\"}",
	    u.username);
	t_assert_grant_401(&r);
	t_resp_free(&r);
	tok = verify_token(u.email, 1);
	cr_assert_eq(verify(tok, &r), 200);
	t_resp_free(&r);
	t_login(&u);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(verified(&r), "%s", r.body);
	t_resp_free(&r);
	free(tok);
}

Test(verify, a_new_address_needs_its_own_link_and_resend_sends_it)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*old, *tok, addr[160];

	t_register(&u, "vfr");
	old = verify_token(u.email, 1);
	/* Signed in by the owner's hand, then the address changes. */
	t_sql("UPDATE users SET email_verified = true WHERE username = '%s'",
	    u.username);
	t_login(&u);
	snprintf(addr, sizeof(addr), "%s@example.com", t_unique("vfnew"));
	t_sql("UPDATE users SET email = '%s' WHERE username = '%s'", addr,
	    u.username);
	t_http_json("GET", "/api/auth/me", u.access, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(!verified(&r), "a new address came verified: %s", r.body);
	t_resp_free(&r);
	/* The old address's link confirms nothing. */
	cr_assert_eq(verify(old, &r), 400);
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/email/verify/resend", u.access, NULL,
	    &r);
	cr_assert_eq(r.status, 202, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "{\"status\":\"accepted\"}");
	t_resp_free(&r);
	tok = verify_token(addr, 1);
	cr_assert_eq(verify(tok, &r), 200);
	cr_assert(verified(&r));
	cr_assert_str_eq(t_resp_str(&r, "email"), addr);
	t_resp_free(&r);
	/* Confirmed: a resend sends nothing. */
	t_http_json("POST", "/api/auth/email/verify/resend", u.access, NULL,
	    &r);
	cr_assert_eq(r.status, 202);
	t_resp_free(&r);
	t_sleep_ms(QUIET_MS);
	cr_assert_eq(t_mail_count(addr), 1);
	free(old);
	free(tok);
}

Test(verify, resend_needs_a_bearer_and_bad_tokens_are_refused)
{
	struct t_resp	 r;

	t_http_json("POST", "/api/auth/email/verify/resend", NULL, NULL, &r);
	t_assert_bearer_401(&r, true);
	t_resp_free(&r);
	cr_assert_eq(verify("not-a-token", &r), 400);
	t_assert_error(&r, 400, "invalid_grant");
	t_resp_free(&r);
	t_http_json("POST", "/api/auth/email/verify", NULL, "{}", &r);
	t_assert_error(&r, 400, "invalid_request");
	t_resp_free(&r);
}

/* A confirmed account, signed in, and a fresh address for it. */
static void
confirmed_user(struct t_user *u, const char *prefix, char *addr,
    size_t addrsz)
{
	char	*tok;

	t_register(u, prefix);
	tok = verify_token(u->email, 1);
	free(tok);
	t_sql("UPDATE users SET email_verified = true WHERE username = '%s'",
	    u->username);
	t_login(u);
	snprintf(addr, addrsz, "%s@example.com", t_unique("vfch"));
}

/* The link mailed to addr confirms it for u. */
static void
assert_link_confirms(const char *addr)
{
	struct t_resp	 r;
	char		*tok;

	tok = verify_token(addr, 1);
	cr_assert_eq(verify(tok, &r), 200, "%ld %s", r.status, r.body);
	cr_assert(verified(&r), "%s", r.body);
	cr_assert_str_eq(t_resp_str(&r, "email"), addr);
	t_resp_free(&r);
	free(tok);
}

Test(verify, an_own_change_of_address_mails_the_new_one_its_link)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 addr[160];

	confirmed_user(&u, "vfo", addr, sizeof(addr));
	t_http_jsonf("PATCH", "/api/auth/me", u.access, &r,
	    "{\"email\": \"%s\"}", addr);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert(!verified(&r), "a new address came verified: %s", r.body);
	t_resp_free(&r);
	assert_link_confirms(addr);
	/* Another field changes no address: no mail. */
	t_http_json("PATCH", "/api/auth/me", u.access,
	    "{\"full_name\": \"Vee Eff\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_sleep_ms(QUIET_MS);
	cr_assert_eq(t_mail_count(addr), 1);
}

Test(verify, an_admin_change_of_address_mails_the_new_one_its_link)
{
	struct t_user	 admin, u;
	struct t_resp	 r;
	char		 addr[160], path[128];

	/* An admin with a confirmed address: this suite requires one. */
	confirmed_user(&admin, "vfa", addr, sizeof(addr));
	t_sql("INSERT INTO user_roles (user_id, role) SELECT id, 'admin' "
	    "FROM users WHERE username = '%s'", admin.username);
	confirmed_user(&u, "vfu", addr, sizeof(addr));
	snprintf(path, sizeof(path), "/api/admin/users/%s", u.id);
	t_http_jsonf("PATCH", path, admin.access, &r, "{\"email\": \"%s\"}",
	    addr);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert(!verified(&r), "a new address came verified: %s", r.body);
	t_resp_free(&r);
	assert_link_confirms(addr);
}
