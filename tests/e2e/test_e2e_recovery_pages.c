/*
 * The pages of account recovery end to end, with real mail
 * (test_e2e_recovery_pages.conf): /auth/forgot and /auth/reset in the
 * login program, /auth/verify in the register program (the first message
 * to each new user is its registration's verification link).  A form is
 * opened first, for its gh_csrf cookie, which goes back with the POST
 * as a browser sends it.  Each test sends from a loopback address of its
 * own, so the per-address limit counts its requests alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"
#include "fixture.h"
#include "mail.h"

#define NEWPW		"a brand new password 1"
#define MAIL_WAIT	20	/* seconds a message may take */
#define QUIET_MS	1500	/* how long "no more mail" is waited for */
#define CSRF		"gh_csrf"
#define FORM_TYPE	"Content-Type: application/x-www-form-urlencoded"

static void
own_address(void)
{
	char	 addr[32];

	t_loopback(addr, sizeof(addr));
	t_client_from(addr);
}

TestSuite(recovery_pages, .init = own_address, .timeout = 120);

/* A new user, and its verification message (message 1), into *msg. */
static void
make_user(struct t_user *u, const char *prefix, char **msg)
{
	t_register(u, prefix);
	*msg = t_mail_wait(u->email, 1, MAIL_WAIT);
	cr_assert_not_null(*msg, "no verification message to %s", u->email);
}

/* As make_user(), without the message. */
static void
new_user(struct t_user *u, const char *prefix)
{
	char	*msg;

	make_user(u, prefix, &msg);
	free(msg);
}

/* The value r's Set-Cookie gives name, into out; 0, or -1 when none. */
static int
cookie_from(const struct t_resp *r, const char *name, char *out,
    size_t outsz)
{
	size_t		 off = 0, n = strlen(name), len;
	const char	*h;

	while (off < r->hlen) {
		h = r->headers + off;
		off += strlen(h) + 1;
		if (strncasecmp(h, "Set-Cookie:", 11) != 0)
			continue;
		for (h += 11; *h == ' '; h++)
			continue;
		if (strncmp(h, name, n) != 0 || h[n] != '=')
			continue;
		h += n + 1;
		len = strcspn(h, ";");
		cr_assert_lt(len, outsz);
		memcpy(out, h, len);
		out[len] = '\0';
		return 0;
	}
	return -1;
}

/* method path with the CSRF cookie csrf ("" for none), form or NULL. */
static void
send(const char *method, const char *path, const char *csrf,
    const char *form, struct t_resp *r)
{
	char		 cookie[256];
	const char	*headers[3] = { cookie, FORM_TYPE, NULL };

	snprintf(cookie, sizeof(cookie), "Cookie: " CSRF "=%s", csrf);
	t_http(method, path, csrf[0] != '\0' ? headers : headers + 1, form,
	    form != NULL ? strlen(form) : 0, r);
}

/* GET path: a 200 page whose form carries its new CSRF cookie's value. */
static void
open_form(const char *path, char *csrf, size_t csrfsz, struct t_resp *r)
{
	char	 want[256];

	send("GET", path, "", NULL, r);
	cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
	cr_assert_str_eq(t_resp_header(r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_str_eq(t_resp_header(r, "Referrer-Policy"), "no-referrer");
	cr_assert_eq(cookie_from(r, CSRF, csrf, csrfsz), 0, "no CSRF cookie");
	snprintf(want, sizeof(want), "name=\"csrf_token\" value=\"%s\"", csrf);
	cr_assert_not_null(strstr(r->body, want), "%s", r->body);
}

/* POST /auth/forgot for who, from the form's cookie. */
static void
post_forgot(const char *csrf, const char *who, struct t_resp *r)
{
	char	 form[512], enc[256];

	t_urlencode(who, enc, sizeof(enc));
	snprintf(form, sizeof(form), "username=%s&csrf_token=%s", enc, csrf);
	send("POST", "/auth/forgot", csrf, form, r);
}

/* The forgot page, filled in for who: its answer, which is one page. */
static void
forgot(const char *who, struct t_resp *r)
{
	struct t_resp	 f;
	char		 csrf[128];

	open_form("/auth/forgot", csrf, sizeof(csrf), &f);
	t_resp_free(&f);
	post_forgot(csrf, who, r);
}

/* The reset link of the n-th message to u, asked for through the page. */
static char *
reset_link(const struct t_user *u, size_t n)
{
	struct t_resp	 r;
	char		*msg, *link;

	forgot(u->username, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	msg = t_mail_wait(u->email, n, MAIL_WAIT);
	cr_assert_not_null(msg, "no reset message %zu to %s", n, u->email);
	link = t_mail_link(msg, "/auth/reset?token=");
	cr_assert_not_null(link, "no reset link in: %s", msg);
	free(msg);
	return link;
}

/* The path of a link: what follows its scheme and host. */
static const char *
path_of(const char *link)
{
	const char	*p = strstr(link, "://");

	cr_assert_not_null(p);
	cr_assert_not_null(p = strchr(p + 3, '/'));
	return p;
}

/* POST /auth/reset with the form of a reset page and password pw. */
static void
post_reset(const char *csrf, const char *token, const char *pw,
    struct t_resp *r)
{
	char	 form[1024], enc[256];

	t_urlencode(pw, enc, sizeof(enc));
	snprintf(form, sizeof(form), "csrf_token=%s&token=%s&password=%s",
	    csrf, token, enc);
	send("POST", "/auth/reset", csrf, form, r);
}

/* The hidden token of a reset page, into out. */
static void
hidden_token(const char *body, char *out, size_t outsz)
{
	const char	*p;
	size_t		 n;

	p = strstr(body, "name=\"token\" value=\"");
	cr_assert_not_null(p, "no token field: %s", body);
	p += strlen("name=\"token\" value=\"");
	n = strcspn(p, "\"");
	cr_assert_lt(n, outsz);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Signs in through /auth/login; the status (303 signed in, 401 not). */
static long
page_sign_in(const char *username, const char *pw)
{
	struct t_resp	 r;
	char		 csrf[128], form[1024], u[256], p[256], c[4400];
	long		 st;

	open_form("/auth/login", csrf, sizeof(csrf), &r);
	t_resp_free(&r);
	t_urlencode(username, u, sizeof(u));
	t_urlencode(pw, p, sizeof(p));
	snprintf(form, sizeof(form), "username=%s&password=%s&next=%%2F"
	    "members%%2F&csrf_token=%s", u, p, csrf);
	send("POST", "/auth/login", csrf, form, &r);
	st = r.status;
	if (st == 303)
		cr_assert_eq(cookie_from(&r, "gh_access", c, sizeof(c)), 0);
	t_resp_free(&r);
	return st;
}

static void
assert_bad_link_page(const struct t_resp *r)
{
	cr_assert_eq(r->status, 400, "%ld %s", r->status, r->body);
	cr_assert_str_eq(t_resp_header(r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_not_null(strstr(r->body, "href=\"/auth/forgot\""), "%s",
	    r->body);
}

Test(recovery_pages, the_forms_render_with_csrf_and_no_referrer)
{
	struct t_resp	 r;
	char		 csrf[128];

	open_form("/auth/forgot", csrf, sizeof(csrf), &r);
	cr_assert_not_null(strstr(r.body, "action=\"/auth/forgot\""));
	cr_assert_not_null(strstr(r.body, "name=\"username\""));
	t_resp_free(&r);
	open_form("/auth/reset?token=abc-_1", csrf, sizeof(csrf), &r);
	cr_assert_not_null(strstr(r.body, "action=\"/auth/reset\""), "%s",
	    r.body);
	cr_assert_not_null(strstr(r.body, "type=\"hidden\" name=\"token\" "
	    "value=\"abc-_1\""), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "autocomplete=\"new-password\""));
	cr_assert_null(strstr(r.body, "?token="), "%s", r.body);
	t_resp_free(&r);
	/* A hostile token is text, not markup. */
	open_form("/auth/reset?token=%22%3E%3Cb%3E", csrf, sizeof(csrf), &r);
	cr_assert_null(strstr(r.body, "\"><b>"), "%s", r.body);
	t_resp_free(&r);
}

Test(recovery_pages, a_post_without_the_csrf_token_changes_nothing)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 form[512];

	new_user(&u, "rpc");
	/* No cookie, no field. */
	snprintf(form, sizeof(form), "username=%s", u.username);
	send("POST", "/auth/forgot", "", form, &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.body, "csrf_failed"));
	t_resp_free(&r);
	/* A field that is not the cookie's value. */
	snprintf(form, sizeof(form), "username=%s&csrf_token=forged",
	    u.username);
	send("POST", "/auth/forgot", "abcdefabcdefabcdefabcdefabcdefabcdefabc"
	    "defab", form, &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	send("POST", "/auth/reset", "", "token=x&password=y", &r);
	cr_assert_eq(r.status, 403, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	t_sleep_ms(QUIET_MS);
	cr_assert_eq(t_mail_count(u.email), 1);
}

Test(recovery_pages, known_and_unknown_accounts_get_the_same_page)
{
	struct t_user	 u;
	struct t_resp	 known, unknown;

	new_user(&u, "rpk");
	forgot(u.username, &known);
	forgot(t_unique("nobody"), &unknown);
	cr_assert_eq(known.status, 200, "%ld %s", known.status, known.body);
	cr_assert_eq(unknown.status, known.status);
	cr_assert_str_eq(unknown.body, known.body);
	cr_assert_not_null(strstr(known.body, "If an account matches"));
	t_mail_arrives(u.email, 2, MAIL_WAIT);
	t_sleep_ms(QUIET_MS);
	cr_assert_eq(t_mail_count(u.email), 2);
	t_resp_free(&known);
	t_resp_free(&unknown);
	/* By email too. */
	forgot(u.email, &known);
	cr_assert_eq(known.status, 200);
	t_resp_free(&known);
	t_mail_arrives(u.email, 3, MAIL_WAIT);
}

Test(recovery_pages, a_reset_through_the_pages_then_sign_in)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*link, csrf[128], tok[128], c[4400];

	new_user(&u, "rpr");
	link = reset_link(&u, 2);
	open_form(path_of(link), csrf, sizeof(csrf), &r);
	hidden_token(r.body, tok, sizeof(tok));
	cr_assert_str_eq(tok, strstr(link, "token=") + 6);
	t_resp_free(&r);
	post_reset(csrf, tok, NEWPW, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.body, "Your password was changed"));
	cr_assert_not_null(strstr(r.body, "href=\"/auth/login\""));
	/* No sign-in: the user proves the new password by using it. */
	cr_assert_eq(cookie_from(&r, "gh_access", c, sizeof(c)), -1);
	cr_assert_eq(cookie_from(&r, "gh_refresh", c, sizeof(c)), -1);
	t_resp_free(&r);
	cr_assert_eq(page_sign_in(u.username, u.password), 401);
	cr_assert_eq(page_sign_in(u.username, NEWPW), 303);
	/* The link works once. */
	post_reset(csrf, tok, NEWPW "x", &r);
	assert_bad_link_page(&r);
	t_resp_free(&r);
	cr_assert_eq(page_sign_in(u.username, NEWPW), 303);
	free(link);
}

Test(recovery_pages, a_bad_token_is_a_400_page)
{
	struct t_resp	 r;
	char		 csrf[128];

	send("GET", "/auth/reset", "", NULL, &r);
	assert_bad_link_page(&r);
	t_resp_free(&r);
	open_form("/auth/reset?token=nonsense", csrf, sizeof(csrf), &r);
	t_resp_free(&r);
	post_reset(csrf, "nonsense", NEWPW, &r);
	assert_bad_link_page(&r);
	t_resp_free(&r);
}

Test(recovery_pages, a_refused_password_keeps_the_token_usable)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*link, csrf[128], tok[128];

	new_user(&u, "rpw");
	link = reset_link(&u, 2);
	open_form(path_of(link), csrf, sizeof(csrf), &r);
	hidden_token(r.body, tok, sizeof(tok));
	t_resp_free(&r);
	post_reset(csrf, tok, "short", &r);
	cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.body, "id=\"error-password\""), "%s",
	    r.body);
	hidden_token(r.body, tok, sizeof(tok));
	t_resp_free(&r);
	post_reset(csrf, tok, "", &r);
	cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	post_reset(csrf, tok, NEWPW, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	cr_assert_eq(page_sign_in(u.username, NEWPW), 303);
	free(link);
}

Test(recovery_pages, too_many_requests_from_an_address_are_a_429_page)
{
	struct t_resp	 r;
	char		 csrf[128];
	int		 i;

	open_form("/auth/forgot", csrf, sizeof(csrf), &r);
	t_resp_free(&r);
	/* test_e2e_recovery_pages.conf: six an address a window. */
	for (i = 0; i < 6; i++) {
		post_forgot(csrf, t_unique("nobody"), &r);
		cr_assert_eq(r.status, 200, "%d: %ld", i, r.status);
		t_resp_free(&r);
	}
	post_forgot(csrf, t_unique("nobody"), &r);
	cr_assert_eq(r.status, 429, "%ld %s", r.status, r.body);
	cr_assert_not_null(t_resp_header(&r, "Retry-After"));
	cr_assert_not_null(strstr(r.body, "action=\"/auth/forgot\""));
	t_resp_free(&r);
}

Test(recovery_pages, the_verify_page_confirms_once)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		*msg, *link;

	make_user(&u, "rpv", &msg);
	link = t_mail_link(msg, "/auth/verify?token=");
	cr_assert_not_null(link, "no verification link in: %s", msg);
	send("GET", path_of(link), "", NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert_not_null(strstr(r.body, "Your email address is confirmed"));
	t_resp_free(&r);
	cr_assert_str_eq(t_sql("SELECT email_verified FROM users WHERE "
	    "id = '%s'", u.id), "t");
	send("GET", path_of(link), "", NULL, &r);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	send("GET", "/auth/verify?token=nonsense", "", NULL, &r);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	cr_assert_str_eq(t_resp_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	t_resp_free(&r);
	free(link);
	free(msg);
}
