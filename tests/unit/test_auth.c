/*
 * auth: the bearer header's parsing, and gh_principal_check() end to end
 * against a real PostgreSQL (a fresh migrated database per test): a token
 * passes only while it verifies, its user is active, its session is live
 * and it is not older than the user's tokens_valid_after, and the roles
 * come from the database at the time of the check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "domain/principal.h"
#include "http/auth.h"
#include "http/cookie.h"
#include "http/http.h"
#include "core/config.h"
#include "data/db.h"
#include "core/jwt.h"
#include "fixture.h"
#include "pgtest.h"
#include "domain/sessions.h"
#include "domain/users.h"

#define SECRET		"auth-test-secret-0123456789-abcdefghijklmnopqrst"
#define OTHER_SECRET	"auth-test-other-secret-9876543210-zyxwvutsrqpon"
#define UNREACHABLE	"host=/nonexistent user=x dbname=x"

/* bearer */

static void
assert_bearer(const char *header, const char *want)
{
	const char	*tok = NULL;
	size_t		 len = 0;

	cr_assert_eq(gh_principal_bearer(header, &tok, &len), 0, "\"%s\"", header);
	cr_assert_eq(len, strlen(want), "\"%s\": %zu", header, len);
	cr_assert_eq(strncmp(tok, want, len), 0, "\"%s\"", header);
}

static void
assert_no_bearer(const char *header)
{
	const char	*tok = NULL;
	size_t		 len = 0;

	cr_assert_eq(gh_principal_bearer(header, &tok, &len), -1, "\"%s\"",
	    header != NULL ? header : "(null)");
}

Test(auth_bearer, accepts_the_scheme_as_written_in_rfc_6750)
{
	assert_bearer("Bearer abc.def.ghi", "abc.def.ghi");
}

Test(auth_bearer, accepts_the_scheme_in_lower_case)
{
	assert_bearer("bearer abc.def.ghi", "abc.def.ghi");
}

Test(auth_bearer, accepts_the_scheme_in_upper_case)
{
	assert_bearer("BEARER abc.def.ghi", "abc.def.ghi");
}

Test(auth_bearer, accepts_the_scheme_in_mixed_case)
{
	assert_bearer("bEaReR abc.def.ghi", "abc.def.ghi");
}

Test(auth_bearer, skips_extra_spaces_before_the_token)
{
	assert_bearer("Bearer    abc.def.ghi", "abc.def.ghi");
}

Test(auth_bearer, trims_trailing_spaces_and_tabs)
{
	assert_bearer("Bearer abc.def.ghi   ", "abc.def.ghi");
	assert_bearer("Bearer abc.def.ghi \t", "abc.def.ghi");
}

Test(auth_bearer, token_points_into_the_header)
{
	const char	*h = "Bearer  abc", *tok = NULL;
	size_t		 len = 0;

	cr_assert_eq(gh_principal_bearer(h, &tok, &len), 0);
	cr_assert_eq(tok, h + 8);
	cr_assert_eq(len, 3);
}

Test(auth_bearer, refuses_another_scheme)
{
	assert_no_bearer("Basic YWxpY2U6c2VjcmV0");
	assert_no_bearer("Digest abc");
}

Test(auth_bearer, refuses_the_scheme_alone)
{
	assert_no_bearer("Bearer");
}

Test(auth_bearer, refuses_the_scheme_and_a_space)
{
	assert_no_bearer("Bearer ");
}

Test(auth_bearer, refuses_the_scheme_and_only_blanks)
{
	assert_no_bearer("Bearer    ");
	assert_no_bearer("Bearer  \t ");
}

Test(auth_bearer, refuses_the_scheme_run_into_the_token)
{
	assert_no_bearer("Bearerabc.def.ghi");
}

Test(auth_bearer, refuses_no_header)
{
	assert_no_bearer(NULL);
}

Test(auth_bearer, refuses_an_empty_header)
{
	assert_no_bearer("");
}

/* cookie */

/* The value of cookie name in header, or NULL when there is none. */
static const char *
cookie(const char *header, const char *name)
{
	static char	 out[256];
	const char	*val = NULL;
	size_t		 len = 0;

	if (gh_principal_cookie(header, name, &val, &len) == -1)
		return NULL;
	cr_assert(val >= header && val + len <= header + strlen(header));
	cr_assert_lt(len, sizeof(out));
	memcpy(out, val, len);
	out[len] = '\0';
	return out;
}

Test(auth_cookie, finds_the_only_cookie)
{
	cr_assert_str_eq(cookie("gh=abc.def", "gh"), "abc.def");
}

Test(auth_cookie, finds_a_cookie_among_others)
{
	cr_assert_str_eq(cookie("a=1; gh=tok; b=2", "gh"), "tok");
	cr_assert_str_eq(cookie("a=1;gh=tok", "gh"), "tok");
}

Test(auth_cookie, trims_trailing_spaces)
{
	cr_assert_str_eq(cookie("gh=tok  ; a=1", "gh"), "tok");
}

Test(auth_cookie, does_not_take_a_name_that_only_starts_alike)
{
	cr_assert_null(cookie("ghx=tok; xgh=tok", "gh"));
}

Test(auth_cookie, refuses_an_empty_value)
{
	cr_assert_null(cookie("gh=; a=1", "gh"));
	cr_assert_null(cookie("gh=", "gh"));
}

Test(auth_cookie, refuses_no_header_and_no_name)
{
	cr_assert_null(cookie(NULL, "gh"));
	cr_assert_null(cookie("gh=tok", NULL));
	cr_assert_null(cookie("gh=tok", ""));
}

/* check */

static char		 url[1024];
static struct gh_config	 cfg;
static struct gh_jwt_key key;
static struct gh_db	*db;
static struct gh_user	 alice, bob;

/* t_db_sqlf() on this test's database, as the superuser. */
#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

static void
setup(void)
{
	t_config(&cfg, &key, SECRET);
	db = t_db_fresh(url, sizeof(url));
	t_add_user(db, "alice", NULL, 0, &alice);
	t_add_user(db, "bob", NULL, 0, &bob);
}

static void
teardown(void)
{

	gh_db_free(db);
	db = NULL;
}

TestSuite(auth, .init = setup, .fini = teardown);

/* A login of u: its access token in p->access, its claims in c. */
static void
login(const struct gh_user *u, struct gh_token_pair *p,
    struct gh_jwt_claims *c)
{
	cr_assert_eq(gh_sessions_start(db, &cfg, &key, u, NULL, p), GH_OK,
	    "%s", gh_db_error(db));
	cr_assert_eq(gh_jwt_verify(&key, p->access, strlen(p->access),
	    (int64_t)time(NULL), c), GH_JWT_OK);
}

static enum gh_status
check_on(struct gh_db *d, const char *tok, struct gh_principal *p,
    const char **why)
{

	*why = "(not set)";
	return gh_principal_check(d, &key, tok, strlen(tok), p, why);
}

static enum gh_status
check(const char *tok, struct gh_principal *p, const char **why)
{

	return check_on(db, tok, p, why);
}

/* Refused as invalid, with a sentence for the client. */
static void
assert_invalid(const char *tok)
{
	struct gh_principal	 p;
	const char		*why;

	cr_assert_eq(check(tok, &p, &why), GH_NOT_FOUND);
	cr_assert_not_null(why);
	cr_assert_neq(why[0], '\0');
	cr_assert_eq(p.user.id[0], '\0');
}

/* Signs c with key k into out. */
static void
sign(const struct gh_jwt_key *k, const struct gh_jwt_claims *c, char *out,
    size_t outsz)
{

	cr_assert_gt(gh_jwt_sign(k, c, out, outsz), 0);
}

Test(auth, check_accepts_a_token_of_a_live_session)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t, &c);
	cr_assert_eq(check(t.access, &p, &why), GH_OK);
	cr_assert_null(why);
	cr_assert_str_eq(p.user.id, alice.id);
	cr_assert_str_eq(p.user.username, "alice");
	cr_assert(p.user.active);
	cr_assert_str_eq(p.claims.sid, t.sid);
	cr_assert_str_eq(p.claims.sub, alice.id);
}

Test(auth, check_does_not_hand_out_the_password_hash)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t, &c);
	cr_assert_eq(check(t.access, &p, &why), GH_OK);
	cr_assert_str_eq(p.user.password_hash, "");
}

Test(auth, check_takes_a_role_granted_after_the_token_from_the_database)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t, &c);
	cr_assert_eq(gh_users_grant(db, alice.id, "admin"), GH_OK);
	cr_assert_eq(check(t.access, &p, &why), GH_OK);
	cr_assert(gh_users_has_role(&p.user, "admin"));
	cr_assert(gh_users_has_role(&p.user, "user"));
	/* The token itself still says what it said. */
	cr_assert_eq(p.claims.nroles, 1);
	cr_assert_str_eq(p.claims.roles[0], "user");
}

Test(auth, check_drops_a_role_revoked_after_the_token)
{
	struct gh_user		 u;
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	cr_assert_eq(gh_users_grant(db, alice.id, "admin"), GH_OK);
	cr_assert_eq(gh_users_get(db, alice.id, &u), GH_OK);
	login(&u, &t, &c);
	cr_assert_eq(c.nroles, 2);
	cr_assert_eq(gh_users_revoke(db, alice.id, "admin"), GH_OK);
	cr_assert_eq(check(t.access, &p, &why), GH_OK);
	cr_assert(!gh_users_has_role(&p.user, "admin"));
}

Test(auth, check_refuses_a_tampered_signature)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	size_t			 i;

	login(&alice, &t, &c);
	i = strlen(t.access) - 10;
	t.access[i] = t.access[i] == 'A' ? 'B' : 'A';
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_tampered_payload)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	char			*dot;

	login(&alice, &t, &c);
	cr_assert_not_null(dot = strchr(t.access, '.'));
	dot[5] = dot[5] == 'A' ? 'B' : 'A';
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_token_signed_with_another_secret)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_jwt_key	 other = key;
	char			 tok[GH_TOKEN_MAX + 1];

	login(&alice, &t, &c);
	other.secret = (const unsigned char *)OTHER_SECRET;
	other.secret_len = strlen(OTHER_SECRET);
	sign(&other, &c, tok, sizeof(tok));
	assert_invalid(tok);
}

Test(auth, check_refuses_what_is_not_a_token)
{
	assert_invalid("");
	assert_invalid("abc");
	assert_invalid("a.b.c");
}

Test(auth, check_refuses_an_expired_token_of_a_live_session)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;
	char			 tok[GH_TOKEN_MAX + 1];

	login(&alice, &t, &c);
	c.exp = (int64_t)time(NULL) - 5;
	sign(&key, &c, tok, sizeof(tok));
	cr_assert_eq(check(tok, &p, &why), GH_NOT_FOUND);
	cr_assert_str_eq(why, gh_jwt_result_str(GH_JWT_EXPIRED));
	cr_assert_str_eq(sqlf("SELECT ended_at IS NULL FROM sessions WHERE "
	    "id = '%s'", t.sid), "t");
}

Test(auth, check_refuses_a_token_of_an_ended_session)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	cr_assert_eq(gh_sessions_end(db, alice.id, t.sid, "logout"), GH_OK);
	assert_invalid(t.access);
}

Test(auth, check_accepts_the_other_sessions_after_one_ends)
{
	struct gh_token_pair	 t1, t2;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t1, &c);
	login(&alice, &t2, &c);
	cr_assert_eq(gh_sessions_end(db, alice.id, t1.sid, "logout"),
	    GH_OK);
	assert_invalid(t1.access);
	cr_assert_eq(check(t2.access, &p, &why), GH_OK);
}

Test(auth, check_refuses_a_token_of_a_session_past_its_expiry)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	(void)sqlf("UPDATE sessions SET expires_at = now() - "
	    "interval '1 second'");
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_token_of_a_suspended_user)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	cr_assert_eq(gh_users_set_active(db, alice.id, false), GH_OK);
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_suspended_user_whose_session_is_live)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	/* Behind the API's back: the status check alone must refuse. */
	(void)sqlf("UPDATE users SET status = 'suspended' WHERE id = '%s'",
	    alice.id);
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_token_of_a_deleted_user)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	cr_assert_eq(gh_users_delete(db, alice.id), GH_OK);
	assert_invalid(t.access);
}

Test(auth, check_refuses_a_token_naming_another_users_session)
{
	struct gh_token_pair	 ta, tb;
	struct gh_jwt_claims	 ca, cb;
	char			 tok[GH_TOKEN_MAX + 1];

	login(&alice, &ta, &ca);
	login(&bob, &tb, &cb);
	/* alice's claims with bob's live session: signed, but not hers. */
	(void)snprintf(ca.sid, sizeof(ca.sid), "%s", cb.sid);
	sign(&key, &ca, tok, sizeof(tok));
	assert_invalid(tok);
}

Test(auth, check_refuses_a_token_of_an_unknown_session)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	char			 tok[GH_TOKEN_MAX + 1];

	login(&alice, &t, &c);
	cr_assert_eq(gh_random_uuid(c.sid, sizeof(c.sid)), 0);
	sign(&key, &c, tok, sizeof(tok));
	assert_invalid(tok);
}

Test(auth, check_refuses_a_token_issued_before_tokens_valid_after)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;

	login(&alice, &t, &c);
	(void)sqlf("UPDATE users SET tokens_valid_after = to_timestamp(%lld) "
	    "WHERE id = '%s'", (long long)c.iat + 1, alice.id);
	/* Only the reset stands in the way: the session is live. */
	cr_assert_str_eq(sqlf("SELECT ended_at IS NULL FROM sessions WHERE "
	    "id = '%s'", t.sid), "t");
	assert_invalid(t.access);
}

Test(auth, check_accepts_a_token_issued_in_the_second_of_a_reset)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t, &c);
	/*
	 * The reset came at iat + 0.6 s and the token later in that second:
	 * iat has whole seconds only, so it reads as before the reset.
	 */
	(void)sqlf("UPDATE users SET tokens_valid_after = to_timestamp(%lld) "
	    "+ interval '600 milliseconds' WHERE id = '%s'", (long long)c.iat,
	    alice.id);
	cr_assert_eq(check(t.access, &p, &why), GH_OK, "%s", why);
}

Test(auth, check_accepts_a_token_issued_after_a_reset)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	(void)sqlf("UPDATE users SET tokens_valid_after = now() WHERE "
	    "id = '%s'", alice.id);
	login(&alice, &t, &c);
	cr_assert_eq(check(t.access, &p, &why), GH_OK, "%s", why);
}

Test(auth, check_with_the_database_unreachable_is_unavailable)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_db		*off;
	const char		*why;

	login(&alice, &t, &c);
	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	cr_assert_eq(check_on(off, t.access, &p, &why), GH_UNAVAILABLE);
	cr_assert_eq(p.user.id[0], '\0');
	gh_db_free(off);
}

Test(auth, check_refuses_a_bad_token_without_the_database)
{
	struct gh_principal	 p;
	struct gh_db		*off;
	const char		*why;

	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	cr_assert_eq(check_on(off, "a.b.c", &p, &why), GH_NOT_FOUND);
	cr_assert_not_null(why);
	gh_db_free(off);
}

Test(auth, check_without_a_key_fails_and_accepts_nothing)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	const char		*why;

	login(&alice, &t, &c);
	cr_assert_eq(gh_principal_check(db, NULL, t.access, strlen(t.access),
	    &p, &why), GH_INTERNAL);
	cr_assert_eq(p.user.id[0], '\0');
}

/* decide: a request's token, cookie and role, as http/auth.c reads them */

/* A request whose CGI variables are env (NAME=value, NULL-terminated). */
struct fake {
	FCGX_Request		fcgx;
	struct gh_request	req;
};

static void
fake_request(struct fake *f, char **env, struct gh_db *d)
{
	memset(f, 0, sizeof(*f));
	f->fcgx.envp = env;
	f->req.fcgx = &f->fcgx;
	f->req.cfg = &cfg;
	f->req.db = d;
	f->req.key = &key;
}

static enum gh_auth_outcome
decide_need(struct gh_db *d, const char *auth, const char *cookies,
    const struct gh_auth_need *need, struct gh_principal *p,
    struct gh_auth_verdict *v)
{
	char		 a[GH_TOKEN_MAX + 64], k[GH_TOKEN_MAX + 64];
	char		*env[3] = { NULL, NULL, NULL };
	struct fake	 f;
	size_t		 n = 0;

	if (auth != NULL) {
		(void)snprintf(a, sizeof(a), "HTTP_AUTHORIZATION=%s", auth);
		env[n++] = a;
	}
	if (cookies != NULL) {
		(void)snprintf(k, sizeof(k), "HTTP_COOKIE=%s", cookies);
		env[n++] = k;
	}
	fake_request(&f, env, d);
	return gh_auth_decide(&f.req, need, p, v);
}

static enum gh_auth_outcome
decide_on(struct gh_db *d, const char *auth, const char *cookies,
    const char *cookie_name, const char *role, struct gh_principal *p,
    struct gh_auth_verdict *v)
{
	struct gh_auth_need	 need = { cookie_name, role, NULL };

	return decide_need(d, auth, cookies, &need, p, v);
}

static enum gh_auth_outcome
decide(const char *auth, const char *cookies, const char *cookie_name,
    const char *role, struct gh_principal *p, struct gh_auth_verdict *v)
{

	return decide_on(db, auth, cookies, cookie_name, role, p, v);
}

static const char *
bearer_of(const struct gh_token_pair *t)
{
	static char	 h[GH_TOKEN_MAX + 16];

	(void)snprintf(h, sizeof(h), "Bearer %s", t->access);
	return h;
}

static const char *
cookie_of(const struct gh_token_pair *t)
{
	static char	 h[GH_TOKEN_MAX + 32];

	(void)snprintf(h, sizeof(h), "theme=dark; gh_token=%s", t->access);
	return h;
}

Test(auth, decide_without_a_token_is_no_token)
{
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	cr_assert_eq(decide(NULL, NULL, NULL, NULL, &p, &v), GH_AUTH_NO_TOKEN);
	cr_assert_eq(v.outcome, GH_AUTH_NO_TOKEN);
	cr_assert_null(v.why);
}

Test(auth, decide_allows_a_live_bearer_token)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	login(&alice, &t, &c);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_ALLOW);
	cr_assert_str_eq(p.user.id, alice.id);
}

Test(auth, decide_names_why_a_token_is_invalid)
{
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	cr_assert_eq(decide("Bearer a.b.c", NULL, NULL, NULL, &p, &v),
	    GH_AUTH_INVALID);
	cr_assert_not_null(v.why);
}

Test(auth, decide_reads_the_named_cookie_when_no_header_came)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	login(&bob, &t, &c);
	cr_assert_eq(decide(NULL, cookie_of(&t), "gh_token", NULL, &p, &v),
	    GH_AUTH_ALLOW);
	cr_assert_str_eq(p.user.id, bob.id);
}

Test(auth, decide_reads_no_other_cookie_for_the_api)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	login(&bob, &t, &c);
	cr_assert_eq(decide(NULL, cookie_of(&t), NULL, NULL, &p, &v),
	    GH_AUTH_NO_TOKEN);
}

Test(auth, decide_prefers_the_header_to_the_cookie)
{
	struct gh_token_pair	 ta, tb;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	login(&alice, &ta, &c);
	login(&bob, &tb, &c);
	cr_assert_eq(decide(bearer_of(&ta), cookie_of(&tb), "gh_token", NULL,
	    &p, &v), GH_AUTH_ALLOW);
	cr_assert_str_eq(p.user.id, alice.id);
}

Test(auth, decide_refuses_a_live_caller_without_the_role)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	login(&alice, &t, &c);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, "admin", &p, &v),
	    GH_AUTH_NO_ROLE);
	cr_assert_str_eq(p.user.id, alice.id);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, "user", &p, &v),
	    GH_AUTH_ALLOW);
}

Test(auth, decide_with_the_database_unreachable_fails_unavailable)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	struct gh_db		*off;

	login(&alice, &t, &c);
	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	cr_assert_eq(decide_on(off, bearer_of(&t), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_FAILED);
	cr_assert_eq(v.failure, GH_UNAVAILABLE);
	gh_db_free(off);
}

/*
 * The API's cookie (need->cookie NULL): a request with method and the
 * CGI variables env (NULL-terminated), on the database d.
 */
static enum gh_auth_outcome
decide_api(struct gh_db *d, const char *method, char **env,
    struct gh_principal *p, struct gh_auth_verdict *v)
{
	struct gh_auth_need	 need = { NULL, NULL, NULL };
	struct fake		 f;

	fake_request(&f, env, d);
	f.req.method = method;
	return gh_auth_decide(&f.req, &need, p, v);
}

#define CSRF_VALUE	"c3JmLXRva2VuLW9mLXRoaXMtYnJvd3Nlcg"

/* "HTTP_COOKIE=" with the sign-in cookie of t and the CSRF cookie. */
static char *
api_cookies(const struct gh_token_pair *t)
{
	static char	 h[GH_TOKEN_MAX + 200];

	(void)snprintf(h, sizeof(h), "HTTP_COOKIE=theme=dark; %s=%s; %s=%s",
	    gh_cookie_name(&cfg, GH_COOKIE_ACCESS), t->access,
	    gh_cookie_name(&cfg, GH_COOKIE_CSRF), CSRF_VALUE);
	return h;
}

Test(auth, decide_the_api_reads_the_sign_in_cookie)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	char			*env[2] = { NULL, NULL };

	login(&bob, &t, &c);
	env[0] = api_cookies(&t);
	cr_assert_eq(decide_api(db, "GET", env, &p, &v), GH_AUTH_ALLOW);
	cr_assert_str_eq(p.user.id, bob.id);
}

/* Refused before any query: the database here is unreachable. */
Test(auth, decide_refuses_an_api_write_by_cookie_without_the_csrf_proof)
{
	static const char *const methods[] = { "POST", "PUT", "PATCH",
	    "DELETE" };
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	struct gh_db		*off;
	char			*env[4] = { NULL, NULL, NULL, NULL };
	size_t			 i;

	login(&bob, &t, &c);
	cr_assert_not_null(off = gh_db_new(UNREACHABLE, 1000));
	env[0] = api_cookies(&t);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		cr_assert_eq(decide_api(off, methods[i], env, &p, &v),
		    GH_AUTH_CSRF, "%s", methods[i]);
	env[1] = "HTTP_X_CSRF_TOKEN=c3JmLXRva2VuLW9mLXRoaXMtYnJvd3Nlcm";
	cr_assert_eq(decide_api(off, "POST", env, &p, &v), GH_AUTH_CSRF);
	env[1] = "HTTP_X_CSRF_TOKEN=" CSRF_VALUE "x";
	cr_assert_eq(decide_api(off, "POST", env, &p, &v), GH_AUTH_CSRF);
	env[1] = "HTTP_X_CSRF_TOKEN=" CSRF_VALUE;
	env[2] = "HTTP_ORIGIN=https://evil.example";
	cr_assert_eq(decide_api(off, "POST", env, &p, &v), GH_AUTH_CSRF);
	gh_db_free(off);
}

Test(auth, decide_allows_an_api_write_with_the_csrf_proof)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	char			*env[5] = { NULL, NULL, NULL, NULL, NULL };

	login(&bob, &t, &c);
	env[0] = api_cookies(&t);
	env[1] = "HTTP_X_CSRF_TOKEN=" CSRF_VALUE;
	cr_assert_eq(decide_api(db, "POST", env, &p, &v), GH_AUTH_ALLOW);
	/* This site's origin: the request's scheme and Host. */
	env[2] = "HTTP_HOST=Auth.Example.test:8080";
	env[3] = "HTTP_ORIGIN=http://auth.example.test:8080";
	cr_assert_eq(decide_api(db, "DELETE", env, &p, &v), GH_AUTH_ALLOW);
	env[3] = "HTTP_ORIGIN=https://auth.example.test:8080";
	cr_assert_eq(decide_api(db, "DELETE", env, &p, &v), GH_AUTH_CSRF);
}

/* A bearer header, or the authorizer's own cookie, needs no CSRF proof. */
Test(auth, decide_asks_no_csrf_proof_of_a_bearer_or_the_authorizer)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	struct gh_auth_need	 need = { NULL, NULL, NULL };
	struct fake		 f;
	char			 a[GH_TOKEN_MAX + 64];
	char			*env[3] = { a, "HTTP_ORIGIN=https://evil.example",
	    NULL };

	login(&bob, &t, &c);
	(void)snprintf(a, sizeof(a), "HTTP_AUTHORIZATION=%s", bearer_of(&t));
	cr_assert_eq(decide_api(db, "POST", env, &p, &v), GH_AUTH_ALLOW);
	env[0] = api_cookies(&t);
	need.cookie = gh_cookie_name(&cfg, GH_COOKIE_ACCESS);
	fake_request(&f, env, db);
	f.req.method = "POST";
	cr_assert_eq(gh_auth_decide(&f.req, &need, &p, &v), GH_AUTH_ALLOW);
}

/* An Authorization header of another scheme is the only credential. */
Test(auth, decide_takes_no_cookie_beside_another_scheme)
{
	struct gh_token_pair	 t;
	struct gh_jwt_claims	 c;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;
	char			*env[3] = { "HTTP_AUTHORIZATION=Basic dTpw",
	    NULL, NULL };

	login(&bob, &t, &c);
	env[1] = api_cookies(&t);
	cr_assert_eq(decide_api(db, "GET", env, &p, &v), GH_AUTH_NO_TOKEN);
}

/* A login of u for audience (token_audiences lists "app" and "wiki"). */
static void
login_for(const struct gh_user *u, const char *audience,
    struct gh_token_pair *t)
{
	struct gh_client	 cl = { NULL, NULL, audience };

	cr_assert_eq(gh_sessions_start(db, &cfg, &key, u, &cl, t), GH_OK,
	    "%s", gh_db_error(db));
}

static enum gh_auth_outcome
decide_audience(const struct gh_token_pair *t, const char *audience,
    struct gh_principal *p, struct gh_auth_verdict *v)
{
	struct gh_auth_need	 need = { NULL, NULL, audience };

	return decide_need(db, bearer_of(t), NULL, &need, p, v);
}

/*
 * A token minted for a location is not the API's: the protected
 * application that receives it cannot replay it against /api/admin.
 */
Test(auth, decide_refuses_the_api_a_token_for_another_audience)
{
	struct gh_token_pair	 t;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	(void)snprintf(cfg.token_audiences, sizeof(cfg.token_audiences),
	    "app wiki");
	login_for(&alice, "app", &t);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_INVALID);
	cr_assert_not_null(v.why);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, "user", &p, &v),
	    GH_AUTH_INVALID);
}

Test(auth, decide_refuses_a_token_for_another_audience_with_jwt_audience)
{
	struct gh_token_pair	 t;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	(void)snprintf(cfg.jwt_audience, sizeof(cfg.jwt_audience), "api");
	(void)snprintf(cfg.token_audiences, sizeof(cfg.token_audiences),
	    "app wiki");
	login_for(&alice, "app", &t);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_INVALID);
	login_for(&alice, NULL, &t);
	cr_assert_eq(decide(bearer_of(&t), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_ALLOW);
	cr_assert_eq(decide_audience(&t, "app", &p, &v), GH_AUTH_INVALID);
}

Test(auth, decide_for_an_audience_takes_only_its_tokens)
{
	struct gh_token_pair	 app, wiki, api;
	struct gh_principal	 p;
	struct gh_auth_verdict	 v;

	(void)snprintf(cfg.token_audiences, sizeof(cfg.token_audiences),
	    "app wiki");
	login_for(&alice, "app", &app);
	login_for(&alice, "wiki", &wiki);
	login_for(&alice, NULL, &api);
	cr_assert_eq(decide_audience(&app, "app", &p, &v), GH_AUTH_ALLOW);
	cr_assert_str_eq(p.user.id, alice.id);
	cr_assert_eq(decide_audience(&wiki, "app", &p, &v), GH_AUTH_INVALID);
	cr_assert_eq(decide_audience(&api, "app", &p, &v), GH_AUTH_INVALID);
	cr_assert_eq(decide(bearer_of(&api), NULL, NULL, NULL, &p, &v),
	    GH_AUTH_ALLOW);
}

Test(auth, variables_name_the_user_and_roles)
{
	static const char	 id[] = "Variable-GATEHOUSE_USER_ID: ";
	struct gh_auth_variables vars;
	struct gh_principal	 p;

	memset(&p, 0, sizeof(p));
	p.user = alice;
	(void)snprintf(p.user.roles[1], sizeof(p.user.roles[1]), "admin");
	p.user.nroles = 2;
	gh_auth_variables(&p, &vars);
	cr_assert_str_eq(vars.lines[1], "Variable-GATEHOUSE_USERNAME: alice");
	cr_assert_str_eq(vars.lines[2], "Variable-GATEHOUSE_ROLES: user,admin");
	cr_assert_null(vars.lines[3]);
	cr_assert_eq(strncmp(vars.lines[0], id, sizeof(id) - 1), 0);
	cr_assert_str_eq(vars.lines[0] + sizeof(id) - 1, alice.id);
}
