/*
 * cli: the real `gatehouse` binary (GH_TEST_CLI, else ./gatehouse) run
 * against a fresh empty database per test, with DATABASE_URL and
 * BCRYPT_COST=4 in its environment and no GATEHOUSE_CONFIG.  Every run
 * that is given a password checks that neither stdout nor stderr says it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "core/password.h"
#include "domain/recovery.h"
#include "fixture.h"
#include "pgtest.h"
#include "run.h"

#define PW		"correct horse battery"
#define PW_LINE		PW "\n"
#define NEW_PW		"another fine password"
#define UNREACHABLE	"host=/nonexistent-dir user=x dbname=x"
#define MAX_ARGS	16

static char		 url[1024];
static char		 env_url[1100];
static char		 env_sql[1100];
static const char	*env_cost = "BCRYPT_COST=4";
static const char	*env_extra;	/* one more "K=V", or NULL */
static const char	*env_extra2;	/* and another */
static char		 out[64 * 1024];
static char		 err[16 * 1024];
static char		 conf[64];	/* a config file to remove, or "" */

#define RUN(in, ...)	run((in), (const char *const[]){ __VA_ARGS__, NULL })

/* Nothing of the caller's configuration may reach the program. */
static void
clean_env(void)
{
	const char *const	*k;
	char			 name[64];
	size_t			 i;

	cr_assert_eq(unsetenv(GH_CONFIG_ENV), 0);
	cr_assert_eq(unsetenv("GATEHOUSE_SQL_DIR"), 0);
	for (k = gh_config_keys(); *k != NULL; k++) {
		for (i = 0; (*k)[i] != '\0' && i + 1 < sizeof(name); i++)
			name[i] = (char)((*k)[i] >= 'a' && (*k)[i] <= 'z' ?
			    (*k)[i] - 'a' + 'A' : (*k)[i]);
		name[i] = '\0';
		cr_assert_eq(unsetenv(name), 0);
	}
	cr_assert_gt(snprintf(env_sql, sizeof(env_sql), "GATEHOUSE_SQL_DIR=%s",
	    t_sql_dir()), 0);
	conf[0] = '\0';
}

static void
remove_conf(void)
{

	if (conf[0] != '\0')
		(void)unlink(conf);
}

TestSuite(cli, .init = clean_env, .fini = remove_conf);

static void
set_url(const char *u)
{
	int	 n;

	n = snprintf(url, sizeof(url), "%s", u);
	cr_assert(n > 0 && (size_t)n < sizeof(url));
	n = snprintf(env_url, sizeof(env_url), "DATABASE_URL=%s", u);
	cr_assert(n > 0 && (size_t)n < sizeof(env_url));
}

static const char *
cli_path(void)
{
	const char	*p;

	p = getenv("GH_TEST_CLI");
	return p != NULL && *p != '\0' ? p : "./gatehouse";
}

/* The password in stdin_text: its first line. */
static void
assert_not_said(const char *stdin_text)
{
	char	 pw[256];
	size_t	 len;

	len = strcspn(stdin_text, "\r\n");
	if (len < 4 || len >= sizeof(pw))
		return;
	memcpy(pw, stdin_text, len);
	pw[len] = '\0';
	cr_assert_null(strstr(out, pw), "stdout says the password: %s", out);
	cr_assert_null(strstr(err, pw), "stderr says the password: %s", err);
}

/* Runs the CLI with args; returns its exit status. */
static int
run(const char *stdin_text, const char *const args[])
{
	const char	*argv[MAX_ARGS + 2], *env[7];
	size_t		 n = 0, i;
	int		 rc;

	argv[n++] = cli_path();
	for (i = 0; args[i] != NULL; i++) {
		cr_assert_lt(n, MAX_ARGS + 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	n = 0;
	if (env_url[0] != '\0')
		env[n++] = env_url;
	env[n++] = env_sql;
	if (env_cost != NULL)
		env[n++] = env_cost;
	if (env_extra != NULL)
		env[n++] = env_extra;
	if (env_extra2 != NULL)
		env[n++] = env_extra2;
	env[n] = NULL;
	rc = t_run(argv, env, stdin_text, out, sizeof(out), err,
	    sizeof(err));
	cr_assert_neq(rc, -1, "%s did not run or died: %s", argv[0], err);
	if (stdin_text != NULL)
		assert_not_said(stdin_text);
	return rc;
}

/* t_db_sqlf() on this test's database, as the superuser. */
#define sqlf(...)	t_db_sqlf(url, __VA_ARGS__)

static void
fresh(void)
{

	set_url(t_db_create());
}

static void
migrated(void)
{

	fresh();
	cr_assert_eq(RUN(NULL, "migrate"), 0, "migrate: %s", err);
}

static void
add_user(const char *name, const char *role)
{
	int	 rc;

	if (role != NULL)
		rc = RUN(PW_LINE, "user", "add", name, "--role", role);
	else
		rc = RUN(PW_LINE, "user", "add", name);
	cr_assert_eq(rc, 0, "user add %s: %s", name, err);
}

static void
copy(char *dst, size_t dstsz, const char *src)
{
	int	 n;

	n = snprintf(dst, dstsz, "%s", src);
	cr_assert(n >= 0 && (size_t)n < dstsz);
}

static const char *
hash_of(const char *name)
{

	return sqlf("SELECT password_hash FROM users WHERE username = '%s'",
	    name);
}

static const char *
roles_of(const char *name)
{

	return sqlf("SELECT coalesce(string_agg(r.role, ',' ORDER BY r.role), "
	    "'') FROM users u LEFT JOIN user_roles r ON r.user_id = u.id "
	    "WHERE u.username = '%s'", name);
}

static const char *
user_count(void)
{

	return sqlf("SELECT count(*) FROM users");
}

static void
new_session(const char *name, char *sid, size_t sidsz)
{

	copy(sid, sidsz, sqlf("INSERT INTO sessions (user_id, expires_at) "
	    "SELECT id, now() + interval '1 day' FROM users WHERE username = "
	    "'%s' RETURNING id", name));
	cr_assert_neq(sid[0], '\0');
}

#define session_state(sid)	t_session_state(url, sid)

/* True when some line of buf starts with prefix and contains needle. */
static int
has_line(const char *buf, const char *prefix, const char *needle)
{
	const char	*line, *nl;
	size_t		 len;
	char		 l[4096];

	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len >= sizeof(l))
			len = sizeof(l) - 1;
		memcpy(l, line, len);
		l[len] = '\0';
		if (strncmp(l, prefix, strlen(prefix)) == 0 &&
		    strstr(l, needle) != NULL)
			return 1;
		if (nl == NULL)
			break;
	}
	return 0;
}

static int
count_lines(const char *buf)
{
	int	 n = 0;

	for (; *buf != '\0'; buf++)
		if (*buf == '\n')
			n++;
	return n;
}

/* The migrations the tests were given: *.sql files of the sql directory. */
static int
count_migrations(void)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	int		 n = 0;

	cr_assert_not_null(d = opendir(t_sql_dir()), "%s",
	    t_sql_dir());
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0)
			n++;
	}
	(void)closedir(d);
	cr_assert_gt(n, 0);
	return n;
}

/* Writes text to a fresh config file, named in conf. */
static void
write_conf(const char *text)
{
	FILE	*f;
	int	 fd;

	copy(conf, sizeof(conf), "/tmp/gh-test-cli-conf.XXXXXX");
	cr_assert_neq(fd = mkstemp(conf), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

/* migrate */

Test(cli, migrate_applies_every_file_to_a_fresh_database)
{
	char	 want[64];
	int	 n = count_migrations();

	fresh();
	cr_assert_eq(RUN(NULL, "migrate"), 0, "%s", err);
	(void)snprintf(want, sizeof(want), "%d migration%s applied\n", n,
	    n == 1 ? "" : "s");
	cr_assert_str_eq(out, want);
	cr_assert_eq(atoi(sqlf("SELECT count(*) FROM schema_migrations")), n);
}

Test(cli, migrate_up_is_the_default)
{
	fresh();
	cr_assert_eq(RUN(NULL, "migrate", "up"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "migrate"), 0, "%s", err);
	cr_assert_str_eq(out, "0 migrations applied\n");
}

Test(cli, migrate_twice_applies_nothing)
{
	char	 before[32];

	migrated();
	copy(before, sizeof(before), sqlf("SELECT count(*) FROM "
	    "schema_migrations"));
	cr_assert_eq(RUN(NULL, "migrate"), 0, "%s", err);
	cr_assert_str_eq(out, "0 migrations applied\n");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM schema_migrations"),
	    before);
}

/* Each *.sql file has a line of migrate status's output saying state. */
static void
assert_each_file(const char *state)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;

	cr_assert_not_null(d = opendir(t_sql_dir()));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0)
			cr_assert(has_line(out, e->d_name, state),
			    "%s not %s in:\n%s", e->d_name, state, out);
	}
	(void)closedir(d);
}

/* out ends with the line "N pending". */
static void
assert_pending(int n)
{
	char	 want[64];
	size_t	 len;

	(void)snprintf(want, sizeof(want), "\n%d pending\n", n);
	len = strlen(want);
	cr_assert(strlen(out) >= len && strcmp(out + strlen(out) - len,
	    want) == 0, "want \"%d pending\" last in:\n%s", n, out);
}

Test(cli, migrate_status_lists_every_file_pending_before)
{
	int	 n = count_migrations();

	fresh();
	cr_assert_eq(RUN(NULL, "migrate", "status"), 0, "%s", err);
	assert_each_file("pending");
	assert_pending(n);
	cr_assert_eq(count_lines(out), n + 1, "%s", out);
}

Test(cli, migrate_status_changes_nothing)
{
	fresh();
	cr_assert_eq(RUN(NULL, "migrate", "status"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = 'public'"), "0");
}

Test(cli, migrate_status_lists_every_file_applied_after)
{
	int	 n = count_migrations();

	migrated();
	cr_assert_eq(RUN(NULL, "migrate", "status"), 0, "%s", err);
	assert_each_file("applied");
	assert_pending(0);
	cr_assert_eq(count_lines(out), n + 1, "%s", out);
	cr_assert_null(strstr(out, " pending\n0 pending"), "%s", out);
}

Test(cli, migrate_refuses_unexpected_arguments)
{
	fresh();
	cr_assert_eq(RUN(NULL, "migrate", "sideways"), 2);
	cr_assert_eq(strncmp(err, "gatehouse: ", 11), 0, "%s", err);
}

/* user add */

Test(cli, user_add_stores_a_bcrypt_hash_of_the_given_cost)
{
	const char	*h;

	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--role", "admin",
	    "--email", "a@example.com"), 0, "%s", err);
	h = hash_of("alice");
	cr_assert_eq(strncmp(h, "$2b$04$", 7), 0, "%s", h);
	cr_assert_eq(strlen(h), 60, "%s", h);
}

Test(cli, user_add_prints_the_new_id_and_username)
{
	char	 want[128];

	migrated();
	add_user("alice", NULL);
	(void)snprintf(want, sizeof(want), "%s alice\n",
	    sqlf("SELECT id FROM users WHERE username = 'alice'"));
	cr_assert_str_eq(out, want);
}

Test(cli, user_add_takes_bcrypt_cost_from_the_environment)
{
	migrated();
	env_cost = "BCRYPT_COST=5";
	add_user("alice", NULL);
	cr_assert_eq(strncmp(hash_of("alice"), "$2b$05$", 7), 0, "%s",
	    hash_of("alice"));
}

Test(cli, user_add_hash_verifies_against_the_password)
{
	char	 h[128];

	migrated();
	add_user("alice", NULL);
	copy(h, sizeof(h), hash_of("alice"));
	cr_assert_eq(gh_password_verify(PW, strlen(PW), h), 1);
	cr_assert_eq(gh_password_verify("correct horse batter",
	    strlen(PW) - 1, h), 0);
}

Test(cli, user_add_drops_a_carriage_return_before_the_newline)
{
	char	 h[128];

	migrated();
	cr_assert_eq(RUN(PW "\r\n", "user", "add", "alice"), 0, "%s", err);
	copy(h, sizeof(h), hash_of("alice"));
	cr_assert_eq(gh_password_verify(PW, strlen(PW), h), 1);
}

Test(cli, user_add_grants_only_the_roles_given)
{
	migrated();
	add_user("alice", "admin");
	cr_assert_str_eq(roles_of("alice"), "admin");
}

Test(cli, user_add_takes_several_roles)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--role", "user",
	    "--role", "admin"), 0, "%s", err);
	cr_assert_str_eq(roles_of("alice"), "admin,user");
}

Test(cli, user_add_gives_role_user_by_default)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_str_eq(roles_of("alice"), "user");
}

Test(cli, user_add_stores_the_optional_fields)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--email",
	    "a@example.com", "--employee-id", "E-100", "--full-name",
	    "Alice Liddell", "--phone", "+44 20 7946 0000"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT email || '|' || employee_id || '|' || "
	    "full_name || '|' || phone FROM users WHERE username = 'alice'"),
	    "a@example.com|E-100|Alice Liddell|+44 20 7946 0000");
}

Test(cli, user_add_accepts_a_72_byte_password)
{
	char	 pw[80], h[128];

	migrated();
	memset(pw, 'p', 72);
	pw[72] = '\n';
	pw[73] = '\0';
	cr_assert_eq(RUN(pw, "user", "add", "alice"), 0, "%s", err);
	copy(h, sizeof(h), hash_of("alice"));
	cr_assert_eq(gh_password_verify(pw, 72, h), 1);
}

Test(cli, user_add_refuses_a_73_byte_password)
{
	char	 pw[80];

	migrated();
	memset(pw, 'p', 73);
	pw[73] = '\n';
	pw[74] = '\0';
	cr_assert_eq(RUN(pw, "user", "add", "alice"), 1);
	cr_assert_not_null(strstr(err, "72"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_a_far_longer_password)
{
	char	 pw[1002];

	migrated();
	memset(pw, 'p', 1000);
	pw[1000] = '\n';
	pw[1001] = '\0';
	cr_assert_eq(RUN(pw, "user", "add", "alice"), 1);
	cr_assert_not_null(strstr(err, "72"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_a_too_short_password)
{
	migrated();
	cr_assert_eq(RUN("short7\n", "user", "add", "alice"), 1);
	cr_assert_not_null(strstr(err, "password"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_the_username_as_password)
{
	migrated();
	cr_assert_eq(RUN("MARGARET\n", "user", "add", "margaret"), 1);
	cr_assert_not_null(strstr(err, "username"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_the_email_as_password)
{
	migrated();
	cr_assert_eq(RUN("m@example.com\n", "user", "add", "margaret",
	    "--email", "m@example.com"), 1);
	cr_assert_not_null(strstr(err, "email"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_an_empty_stdin)
{
	migrated();
	cr_assert_eq(RUN("", "user", "add", "alice"), 1);
	cr_assert_not_null(strstr(err, "no password"), "%s", err);
	cr_assert_eq(RUN(NULL, "user", "add", "alice"), 1);
	cr_assert_not_null(strstr(err, "no password"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_a_taken_username)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(PW_LINE, "user", "add", "ALICE"), 1);
	cr_assert(has_line(err, "gatehouse: ", "username is taken"), "%s",
	    err);
	cr_assert_str_eq(user_count(), "1");
}

Test(cli, user_add_refuses_a_taken_email)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--email",
	    "a@example.com"), 0, "%s", err);
	cr_assert_eq(RUN(PW_LINE, "user", "add", "bob", "--email",
	    "A@EXAMPLE.com"), 1);
	cr_assert(has_line(err, "gatehouse: ", "email is taken"), "%s", err);
}

Test(cli, user_add_with_an_extra_argument_is_a_usage_error)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "bob", "extra-positional"), 2);
	cr_assert_eq(strncmp(err, "gatehouse: ", 11), 0, "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_a_bad_username)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "al ice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "username"), "%s", err);
	cr_assert_eq(RUN(PW_LINE, "user", "add", "al"), 1);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_a_bad_email)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--email",
	    "alice.example.com"), 1);
	cr_assert(has_line(err, "gatehouse: ", "email"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_an_unknown_role)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--role",
	    "wizard"), 1);
	cr_assert(has_line(err, "gatehouse: ", "does not exist"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

Test(cli, user_add_refuses_an_upper_case_role)
{
	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--role",
	    "Admin"), 1);
	cr_assert(has_line(err, "gatehouse: ", "role"), "%s", err);
	cr_assert_str_eq(user_count(), "0");
}

/* user passwd */

Test(cli, user_passwd_sets_a_new_hash)
{
	char	 old[128], h[128];

	migrated();
	add_user("alice", NULL);
	copy(old, sizeof(old), hash_of("alice"));
	cr_assert_eq(RUN(NEW_PW "\n", "user", "passwd", "alice"), 0, "%s",
	    err);
	copy(h, sizeof(h), hash_of("alice"));
	cr_assert_str_neq(h, old);
	cr_assert_eq(gh_password_verify(NEW_PW, strlen(NEW_PW), h), 1);
	cr_assert_eq(gh_password_verify(PW, strlen(PW), h), 0);
}

Test(cli, user_passwd_ends_live_sessions)
{
	char	 s[64];

	migrated();
	add_user("alice", NULL);
	new_session("alice", s, sizeof(s));
	cr_assert_eq(RUN(NEW_PW "\n", "user", "passwd", "alice"), 0, "%s",
	    err);
	cr_assert_str_eq(session_state(s), "password_reset");
}

Test(cli, user_passwd_applies_the_password_policy)
{
	char	 old[128];

	migrated();
	add_user("alice", NULL);
	copy(old, sizeof(old), hash_of("alice"));
	cr_assert_eq(RUN("short7\n", "user", "passwd", "alice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "password"), "%s", err);
	cr_assert_str_eq(hash_of("alice"), old);
}

Test(cli, user_passwd_of_unknown_user_fails)
{
	migrated();
	cr_assert_eq(RUN(NEW_PW "\n", "user", "passwd", "nobody"), 1);
	cr_assert(has_line(err, "gatehouse: ", "no user"), "%s", err);
}

/* user reset-link */

#define BASE_URL	"https://auth.example.test"
#define RESET_PREFIX	BASE_URL "/auth/reset?token="

static void
add_user_with_email(const char *name, const char *email)
{
	cr_assert_eq(RUN(PW_LINE, "user", "add", name, "--email", email), 0,
	    "user add %s: %s", name, err);
}

/* The live reset tokens of name whose hash is that of the link's token. */
static const char *
live_tokens_matching(const char *name, const char *link)
{
	const char	*token = link + strlen(RESET_PREFIX);

	return sqlf("SELECT count(*) FROM onetime_tokens t JOIN users u ON "
	    "u.id = t.user_id WHERE u.username = '%s' AND t.purpose = 'reset' "
	    "AND t.ended_at IS NULL AND t.expires_at > now() AND "
	    "t.token_hash = sha256(convert_to('%.*s', 'UTF8'))", name,
	    (int)strcspn(token, "\n"), token);
}

Test(cli, user_reset_link_prints_a_live_link_at_public_base_url)
{
	env_extra = "PUBLIC_BASE_URL=" BASE_URL;
	migrated();
	add_user_with_email("alice", "alice@example.test");
	cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 0, "%s", err);
	cr_assert_eq(strncmp(out, RESET_PREFIX, strlen(RESET_PREFIX)), 0,
	    "%s", out);
	cr_assert_eq(strcspn(out + strlen(RESET_PREFIX), "\n"),
	    (size_t)GH_ONETIME_LEN, "%s", out);
	cr_assert_str_eq(live_tokens_matching("alice", out), "1");
	cr_assert(has_line(err, "works once", "alice"), "%s", err);
}

Test(cli, user_reset_link_ends_the_older_link)
{
	char	 first[1024];

	env_extra = "PUBLIC_BASE_URL=" BASE_URL;
	migrated();
	add_user_with_email("alice", "alice@example.test");
	cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 0, "%s", err);
	copy(first, sizeof(first), out);
	cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 0, "%s", err);
	cr_assert_str_neq(first, out);
	cr_assert_str_eq(live_tokens_matching("alice", first), "0");
	cr_assert_str_eq(live_tokens_matching("alice", out), "1");
}

Test(cli, user_reset_link_is_not_held_to_the_hourly_mail_limit)
{
	int	 i;

	env_extra = "PUBLIC_BASE_URL=" BASE_URL;
	env_extra2 = "RESET_MAX_PER_HOUR=1";
	migrated();
	add_user_with_email("alice", "alice@example.test");
	for (i = 0; i < 3; i++)
		cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 0,
		    "run %d: %s", i, err);
	cr_assert_str_eq(live_tokens_matching("alice", out), "1");
}

Test(cli, user_reset_link_needs_public_base_url_and_makes_nothing)
{
	migrated();
	add_user_with_email("alice", "alice@example.test");
	cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "public_base_url"), "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM onetime_tokens"), "0");
	cr_assert_str_eq(out, "");
}

Test(cli, user_reset_link_of_an_account_without_email_fails)
{
	env_extra = "PUBLIC_BASE_URL=" BASE_URL;
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "reset-link", "alice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "no email"), "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM onetime_tokens"), "0");
}

Test(cli, user_reset_link_of_unknown_user_fails)
{
	env_extra = "PUBLIC_BASE_URL=" BASE_URL;
	migrated();
	cr_assert_eq(RUN(NULL, "user", "reset-link", "nobody"), 1);
	cr_assert(has_line(err, "gatehouse: ", "no user"), "%s", err);
}

/* user suspend, activate */

Test(cli, user_suspend_suspends_and_ends_sessions)
{
	char	 s[64];

	migrated();
	add_user("alice", NULL);
	new_session("alice", s, sizeof(s));
	cr_assert_eq(RUN(NULL, "user", "suspend", "alice"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT status FROM users WHERE username = "
	    "'alice'"), "suspended");
	cr_assert_str_eq(session_state(s), "suspended");
}

Test(cli, user_activate_reactivates)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "suspend", "alice"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "user", "activate", "alice"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT status FROM users WHERE username = "
	    "'alice'"), "active");
}

Test(cli, user_commands_find_the_username_ignoring_case)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "suspend", "ALICE"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT status FROM users WHERE username = "
	    "'alice'"), "suspended");
}

/* user grant, revoke */

Test(cli, user_grant_adds_the_role)
{
	migrated();
	add_user("alice", "admin");
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "user"), 0, "%s",
	    err);
	cr_assert_str_eq(roles_of("alice"), "admin,user");
}

Test(cli, user_grant_twice_is_fine)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "admin"), 0, "%s",
	    err);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "admin"), 0, "%s",
	    err);
	cr_assert_str_eq(roles_of("alice"), "admin,user");
}

Test(cli, user_revoke_removes_the_role)
{
	migrated();
	/* Another admin stays: alice is not the last one. */
	add_user("root", "admin");
	add_user("alice", "admin");
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "user"), 0, "%s",
	    err);
	cr_assert_eq(RUN(NULL, "user", "revoke", "alice", "admin"), 0, "%s",
	    err);
	cr_assert_str_eq(roles_of("alice"), "user");
}

Test(cli, user_grant_of_a_missing_role_fails)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "wizard"), 1);
	cr_assert(has_line(err, "gatehouse: ", "no role"), "%s", err);
	cr_assert_str_eq(roles_of("alice"), "user");
}

Test(cli, user_grant_refuses_a_bad_role_name)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "Admin"), 1);
	cr_assert_str_eq(roles_of("alice"), "user");
}

Test(cli, user_commands_on_an_unknown_user_fail)
{
	static const char *const cmds[][5] = {
		{ "user", "suspend", "nobody", NULL },
		{ "user", "activate", "nobody", NULL },
		{ "user", "grant", "nobody", "admin", NULL },
		{ "user", "revoke", "nobody", "admin", NULL },
	};
	size_t	 i;

	migrated();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cr_assert_eq(run(NULL, cmds[i]), 1, "%s", cmds[i][1]);
		cr_assert(has_line(err, "gatehouse: ", "no user"), "%s: %s",
		    cmds[i][1], err);
	}
}

Test(cli, user_with_wrong_argument_counts_is_a_usage_error)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "suspend"), 2);
	cr_assert_eq(RUN(NULL, "user", "suspend", "alice", "bob"), 2);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice"), 2);
	cr_assert_eq(RUN(NULL, "user", "list", "extra"), 2);
	cr_assert_eq(RUN(NULL, "user", "frob", "alice"), 2);
	cr_assert_eq(RUN(NULL, "user"), 2);
	cr_assert_str_eq(sqlf("SELECT status FROM users"), "active");
}

/* user list */

Test(cli, user_list_prints_a_line_per_user)
{
	char	 want[256];

	migrated();
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--role", "admin",
	    "--email", "a@example.com"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "user", "list"), 0, "%s", err);
	(void)snprintf(want, sizeof(want), "%s\talice\tactive\tadmin\t"
	    "a@example.com\n", sqlf("SELECT id FROM users"));
	cr_assert_str_eq(out, want);
}

Test(cli, user_list_query_filters)
{
	migrated();
	add_user("alice", NULL);
	add_user("bob", NULL);
	cr_assert_eq(RUN(NULL, "user", "list", "--query", "ali"), 0, "%s",
	    err);
	cr_assert_not_null(strstr(out, "\talice\t"), "%s", out);
	cr_assert_null(strstr(out, "\tbob\t"), "%s", out);
	cr_assert_eq(count_lines(out), 1, "%s", out);
}

Test(cli, user_list_shows_every_user_past_a_page)
{
	migrated();
	(void)sqlf("INSERT INTO users (username, password_hash) SELECT "
	    "'u' || lpad(g::text, 3, '0'), 'x' FROM generate_series(1, 450) g");
	cr_assert_eq(RUN(NULL, "user", "list"), 0, "%s", err);
	cr_assert_eq(count_lines(out), 450);
	cr_assert_not_null(strstr(out, "\tu001\t"));
	cr_assert_not_null(strstr(out, "\tu200\t"));
	cr_assert_not_null(strstr(out, "\tu201\t"));
	cr_assert_not_null(strstr(out, "\tu450\t"));
	cr_assert_lt(strstr(out, "\tu200\t"), strstr(out, "\tu201\t"));
}

/* cleanup */

/* A session of name that ended ago (an SQL interval) ago. */
static void
ended_session(const char *name, const char *ago, char *sid, size_t sidsz)
{

	new_session(name, sid, sidsz);
	(void)sqlf("UPDATE sessions SET ended_at = now() - interval '%s', "
	    "end_reason = 'logout' WHERE id = '%s'", ago, sid);
}

static const char *
sessions_with(const char *sid)
{

	return sqlf("SELECT count(*) FROM sessions WHERE id = '%s'", sid);
}

Test(cli, cleanup_deletes_an_old_ended_session_and_says_how_many_rows)
{
	char	 old[64], live[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "8 days", old, sizeof(old));
	new_session("alice", live, sizeof(live));
	(void)sqlf("INSERT INTO login_failures (account, failed_at) VALUES "
	    "('alice', now() - interval '1 day')");
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(out, "2 rows deleted\n");
	cr_assert_str_eq(sessions_with(old), "0");
	cr_assert_str_eq(sessions_with(live), "1");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "0");
}

Test(cli, cleanup_deletes_the_refresh_tokens_of_the_sessions_it_deletes)
{
	char	 old[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "8 days", old, sizeof(old));
	(void)sqlf("INSERT INTO refresh_tokens (token_hash, session_id, "
	    "expires_at) VALUES (sha256('a'), '%s', now() + interval '1 day'), "
	    "(sha256('b'), '%s', now() - interval '9 days')", old, old);
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM refresh_tokens"), "0");
	cr_assert_str_eq(sessions_with(old), "0");
}

Test(cli, cleanup_keeps_live_and_recently_ended_sessions)
{
	char	 recent[64], live[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "6 days", recent, sizeof(recent));
	new_session("alice", live, sizeof(live));
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(out, "0 rows deleted\n");
	cr_assert_str_eq(sessions_with(recent), "1");
	cr_assert_str_eq(sessions_with(live), "1");
}

Test(cli, cleanup_keep_days_sets_the_age)
{
	char	 sid[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "3 days", sid, sizeof(sid));
	cr_assert_eq(RUN(NULL, "cleanup", "--keep-days", "4"), 0, "%s", err);
	cr_assert_str_eq(sessions_with(sid), "1");
	cr_assert_eq(RUN(NULL, "cleanup", "--keep-days", "2"), 0, "%s", err);
	cr_assert_str_eq(sessions_with(sid), "0");
}

Test(cli, cleanup_keep_days_0_deletes_ended_sessions_at_once)
{
	char	 sid[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "1 second", sid, sizeof(sid));
	cr_assert_eq(RUN(NULL, "cleanup", "--keep-days", "0"), 0, "%s", err);
	cr_assert_str_eq(sessions_with(sid), "0");
}

Test(cli, cleanup_takes_the_failure_window_from_the_configuration)
{
	migrated();
	(void)sqlf("INSERT INTO login_failures (account, failed_at) VALUES "
	    "('alice', now() - interval '2 minutes'), ('alice', now())");
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "2");
	env_extra = "LOGIN_FAILURE_WINDOW_SECONDS=60";
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(out, "1 row deleted\n");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM login_failures"), "1");
}

Test(cli, cleanup_refuses_a_bad_keep_days)
{
	static const char *const bad[] = { "-1", "abc", "", "3651", "7x",
	    "99999999999999999999" };
	char	 sid[64];
	size_t	 i;

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "8 days", sid, sizeof(sid));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(RUN(NULL, "cleanup", "--keep-days", bad[i]), 2,
		    "\"%s\"", bad[i]);
		cr_assert_eq(strncmp(err, "gatehouse: ", 11), 0, "%s", err);
		cr_assert_str_eq(out, "");
	}
	cr_assert_str_eq(sessions_with(sid), "1");
}

Test(cli, cleanup_with_unexpected_arguments_is_a_usage_error)
{
	char	 sid[64];

	migrated();
	add_user("alice", NULL);
	ended_session("alice", "8 days", sid, sizeof(sid));
	cr_assert_eq(RUN(NULL, "cleanup", "--keep-days"), 2);
	cr_assert_eq(RUN(NULL, "cleanup", "now"), 2);
	cr_assert_eq(RUN(NULL, "cleanup", "--keep-days", "1", "2"), 2);
	cr_assert_eq(RUN(NULL, "cleanup", "--keep", "1"), 2);
	cr_assert_str_eq(sessions_with(sid), "1");
}

/* secret */

Test(cli, secret_prints_64_base64url_characters)
{
	size_t	 i;

	cr_assert_eq(RUN(NULL, "secret"), 0, "%s", err);
	cr_assert_eq(strlen(out), 65, "%s", out);
	cr_assert_eq(out[64], '\n');
	for (i = 0; i < 64; i++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
		    "uvwxyz0123456789-_", out[i]) != NULL && out[i] != '\0',
		    "%s", out);
	cr_assert_str_eq(err, "");
}

Test(cli, secret_differs_each_run)
{
	char	 first[128];

	cr_assert_eq(RUN(NULL, "secret"), 0, "%s", err);
	copy(first, sizeof(first), out);
	cr_assert_eq(RUN(NULL, "secret"), 0, "%s", err);
	cr_assert_str_neq(out, first);
}

Test(cli, secret_needs_no_database)
{
	set_url(UNREACHABLE);
	cr_assert_eq(RUN(NULL, "secret"), 0, "%s", err);
}

Test(cli, secret_with_arguments_is_a_usage_error)
{
	cr_assert_eq(RUN(NULL, "secret", "64"), 2);
	cr_assert_str_eq(out, "");
}

/* keys (issue 14) */

static char	 env_kek[128];

/* A key-encryption key file (removed by the suite's fini), in the env. */
static void
with_kek(void)
{
	int	 fd, n;

	copy(conf, sizeof(conf), "/tmp/gh_test_cli_kek.XXXXXX");
	cr_assert_geq(fd = mkstemp(conf), 0);
	cr_assert_eq(write(fd, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
	    44), 44);
	cr_assert_eq(close(fd), 0);
	n = snprintf(env_kek, sizeof(env_kek), "KEY_ENCRYPTION_KEY_FILE=%s",
	    conf);
	cr_assert(n > 0 && (size_t)n < sizeof(env_kek));
	env_extra = env_kek;
}

/* What `keys list` says of kid: its line's third word. */
static const char *
listed_state(const char *kid)
{
	static char	 state[16];
	const char	*line;

	cr_assert_eq(RUN(NULL, "keys", "list"), 0, "%s", err);
	cr_assert_not_null(line = strstr(out, kid), "%s not listed: %s", kid,
	    out);
	cr_assert_eq(sscanf(line, "%*s %*s %15s", state), 1);
	return state;
}

Test(cli, keys_generate_signs_at_once_and_prints_no_private_key)
{
	char	 kid[80];

	migrated();
	with_kek();
	cr_assert_eq(RUN(NULL, "keys", "generate"), 0, "%s", err);
	cr_assert_eq(sscanf(out, "%79s ES256 signs from ", kid), 1, "%s", out);
	cr_assert_eq(strlen(kid), 43, "%s", out);
	cr_assert_null(strstr(out, "PRIVATE"));
	cr_assert_str_eq(listed_state(kid), "current");
	cr_assert_str_eq(sqlf("SELECT alg FROM signing_keys WHERE kid = '%s'",
	    kid), "ES256");
	cr_assert_str_eq(sqlf("SELECT count(*) FROM signing_keys WHERE "
	    "private_sealed LIKE '%%PRIVATE%%'"), "0");
}

Test(cli, keys_generate_takes_an_algorithm)
{
	/* Under HS256, any: keys made before the switch to a key set. */
	migrated();
	with_kek();
	env_extra2 = "JWT_SECRET=k3Jd9sLq0ZxVb7NwT2yRf5GhUe8PaMc4XoIiYt1WnEs";
	cr_assert_eq(RUN(NULL, "keys", "generate", "--alg", "HS256"), 2);
	cr_assert_eq(RUN(NULL, "keys", "generate", "--alg", "EdDSA"), 0, "%s",
	    err);
	cr_assert_str_eq(sqlf("SELECT alg FROM signing_keys"), "EdDSA");
}

Test(cli, keys_rotate_refuses_an_algorithm_that_would_never_sign)
{
	/* One algorithm signs and verifies at a time: the configured one. */
	migrated();
	with_kek();
	env_extra2 = "JWT_ALGORITHM=ES256";
	cr_assert_eq(RUN(NULL, "keys", "generate", "--alg", "ES256"), 0, "%s",
	    err);
	cr_assert_eq(RUN(NULL, "keys", "rotate", "--alg", "EdDSA"), 2);
	cr_assert_not_null(strstr(err, "jwt_algorithm is ES256"), "%s", err);
	cr_assert_eq(RUN(NULL, "keys", "generate", "--alg", "RS256"), 2);
	cr_assert_str_eq(sqlf("SELECT string_agg(alg, ' ') FROM "
	    "signing_keys"), "ES256");
	cr_assert_eq(RUN(NULL, "keys", "rotate"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT string_agg(DISTINCT alg, ' ') FROM "
	    "signing_keys"), "ES256");
	env_extra2 = NULL;
}

Test(cli, keys_generate_needs_the_key_encryption_key)
{
	migrated();
	cr_assert_eq(RUN(NULL, "keys", "generate"), 1);
	cr_assert_not_null(strstr(err, "key_encryption_key_file"), "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM signing_keys"), "0");
}

Test(cli, keys_generate_twice_points_at_rotate)
{
	migrated();
	with_kek();
	cr_assert_eq(RUN(NULL, "keys", "generate"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "keys", "generate"), 1);
	cr_assert_not_null(strstr(err, "keys rotate"), "%s", err);
}

Test(cli, keys_rotate_makes_a_next_key_and_retire_keeps_the_only_signer)
{
	char	 first[80], next[80];

	migrated();
	with_kek();
	cr_assert_eq(RUN(NULL, "keys", "generate"), 0, "%s", err);
	cr_assert_eq(sscanf(out, "%79s", first), 1);
	cr_assert_eq(RUN(NULL, "keys", "retire", first), 1);
	cr_assert_not_null(strstr(err, "only key that signs"), "%s", err);
	cr_assert_str_eq(listed_state(first), "current");
	cr_assert_eq(RUN(NULL, "keys", "rotate"), 0, "%s", err);
	cr_assert_eq(sscanf(out, "%79s", next), 1);
	cr_assert_str_eq(listed_state(next), "next");
	cr_assert_str_eq(listed_state(first), "current");
	cr_assert_eq(RUN(NULL, "keys", "rotate"), 1, "one rotation at a time");
	cr_assert_eq(RUN(NULL, "keys", "retire", next, "--now"), 0, "%s", err);
	cr_assert_str_eq(listed_state(next), "retired");
	cr_assert_eq(RUN(NULL, "keys", "retire", first, "--now"), 0, "%s",
	    err);
	cr_assert_str_eq(listed_state(first), "retired");
	cr_assert_eq(RUN(NULL, "keys", "retire", "nope", "--now"), 1);
	cr_assert_eq(RUN(NULL, "keys", "retire", "--expired"), 0, "%s", err);
	cr_assert_str_eq(out, "0 keys retired\n");
	cr_assert_eq(RUN(NULL, "keys", "retire"), 2);
	cr_assert_eq(RUN(NULL, "keys", "retire", "--now"), 2);
	cr_assert_eq(RUN(NULL, "keys", "frob"), 2);
}

Test(cli, keys_retire_takes_a_kid_that_begins_with_a_dash)
{
	/* base64url: about one thumbprint in 32 begins with '-'. */
	migrated();
	cr_assert_eq(RUN(NULL, "keys", "retire", "-no-such-kid", "--now"), 1,
	    "%s", err);
	cr_assert_not_null(strstr(err, "no key -no-such-kid"), "%s", err);
	cr_assert_eq(RUN(NULL, "keys", "retire", "-no-such-kid"), 1, "%s",
	    err);
}

Test(cli, secret_kek_prints_43_base64url_characters)
{
	cr_assert_eq(RUN(NULL, "secret", "--kek"), 0, "%s", err);
	cr_assert_eq(strlen(out), 44, "%s", out);
}

/* usage */

Test(cli, unknown_command_is_a_usage_error)
{
	set_url(UNREACHABLE);
	cr_assert_eq(RUN(NULL, "frobnicate"), 2);
	cr_assert_eq(strncmp(err, "gatehouse: ", 11), 0, "%s", err);
	cr_assert_str_eq(out, "");
}

Test(cli, no_command_prints_usage_on_stderr)
{
	static const char *const none[] = { NULL };

	set_url(UNREACHABLE);
	cr_assert_eq(run(NULL, none), 2);
	cr_assert_not_null(strstr(err, "usage:"), "%s", err);
	cr_assert_str_eq(out, "");
}

static void
assert_help(const char *const args[], const char *want)
{
	set_url(UNREACHABLE);
	cr_assert_eq(run(NULL, args), 0, "%s", err);
	cr_assert_eq(strncmp(out, "usage:", 6), 0, "%s", out);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_str_eq(err, "");
}

Test(cli, help_at_the_top)
{
	assert_help((const char *const[]){ "--help", NULL }, "gatehouse");
}

Test(cli, help_for_migrate)
{
	assert_help((const char *const[]){ "migrate", "--help", NULL },
	    "gatehouse migrate");
}

Test(cli, help_for_user)
{
	assert_help((const char *const[]){ "user", "--help", NULL },
	    "gatehouse user");
}

Test(cli, help_for_user_add)
{
	assert_help((const char *const[]){ "user", "add", "--help", NULL },
	    "gatehouse user add");
}

Test(cli, help_for_secret)
{
	assert_help((const char *const[]){ "secret", "--help", NULL },
	    "gatehouse secret");
}

Test(cli, help_for_keys)
{
	assert_help((const char *const[]){ "keys", "--help", NULL },
	    "gatehouse keys rotate");
	assert_help((const char *const[]){ "keys", "retire", "--help", NULL },
	    "--now");
}

Test(cli, help_for_cleanup)
{
	assert_help((const char *const[]){ "cleanup", "--help", NULL },
	    "gatehouse cleanup");
}

Test(cli, help_for_user_add_reads_no_password)
{
	set_url(UNREACHABLE);
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice", "--help"), 0, "%s",
	    err);
	cr_assert_eq(strncmp(out, "usage:", 6), 0, "%s", out);
}

/* failures */

Test(cli, unreachable_database_fails_migrate)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "migrate"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
}

Test(cli, unreachable_database_fails_migrate_status)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "migrate", "status"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
}

Test(cli, unreachable_database_fails_user_list)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "user", "list"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
}

Test(cli, unreachable_database_fails_user_add)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(PW_LINE, "user", "add", "alice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
}

Test(cli, failure_is_one_line_on_stderr)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "user", "list"), 1);
	cr_assert_eq(strncmp(err, "gatehouse: ", 11), 0, "%s", err);
	cr_assert_eq(count_lines(err), 1, "%s", err);
	cr_assert_eq(err[strlen(err) - 1], '\n');
	cr_assert_str_eq(out, "");
}

Test(cli, unreachable_database_fails_user_suspend)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "user", "suspend", "alice"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
}

Test(cli, unreachable_database_fails_cleanup)
{
	set_url(UNREACHABLE);
	env_extra = "LOG_LEVEL=error";
	cr_assert_eq(RUN(NULL, "cleanup"), 1);
	cr_assert(has_line(err, "gatehouse: ", "database unavailable"), "%s",
	    err);
	cr_assert_str_eq(out, "");
}

/* configuration */

Test(cli, config_file_with_the_example_secret_is_refused)
{
	fresh();
	write_conf("# copied from the example\n"
	    "jwt_secret = " GH_EXAMPLE_SECRET "\n");
	cr_assert_eq(RUN(NULL, "-c", conf, "migrate"), 1);
	cr_assert(has_line(err, "gatehouse: ", "example"), "%s", err);
	cr_assert_not_null(strstr(err, "gatehouse secret"), "%s", err);
	cr_assert_null(strstr(err, GH_EXAMPLE_SECRET), "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = 'public'"), "0");
}

Test(cli, config_file_with_an_unknown_key_names_its_line)
{
	char	 where[128];

	fresh();
	write_conf("# a comment\n\nbcrypt_cots = 4\n");
	cr_assert_eq(RUN(NULL, "-c", conf, "migrate"), 1);
	(void)snprintf(where, sizeof(where), "%s line 3", conf);
	cr_assert(has_line(err, "gatehouse: ", where), "%s", err);
	cr_assert_not_null(strstr(err, "bcrypt_cots"), "%s", err);
}

Test(cli, config_file_with_a_bad_value_names_its_line)
{
	char	 where[128];

	fresh();
	write_conf("bcrypt_cost = 99\n");
	cr_assert_eq(RUN(NULL, "-c", conf, "migrate"), 1);
	(void)snprintf(where, sizeof(where), "%s line 1", conf);
	cr_assert(has_line(err, "gatehouse: ", where), "%s", err);
	cr_assert_not_null(strstr(err, "bcrypt_cost"), "%s", err);
}

Test(cli, config_file_missing_is_an_error)
{
	fresh();
	cr_assert_eq(RUN(NULL, "-c", "/nonexistent-dir/gatehouse.conf",
	    "migrate"), 1);
	cr_assert(has_line(err, "gatehouse: ",
	    "/nonexistent-dir/gatehouse.conf"), "%s", err);
}

Test(cli, config_file_named_by_dash_c_is_read)
{
	migrated();
	write_conf("bcrypt_cost = 5\n");
	env_cost = NULL;
	cr_assert_eq(RUN(PW_LINE, "-c", conf, "user", "add", "alice"), 0,
	    "%s", err);
	cr_assert_eq(strncmp(hash_of("alice"), "$2b$05$", 7), 0, "%s",
	    hash_of("alice"));
}

Test(cli, config_environment_overrides_the_file)
{
	migrated();
	write_conf("bcrypt_cost = 6\n");
	cr_assert_eq(RUN(PW_LINE, "-c", conf, "user", "add", "alice"), 0,
	    "%s", err);
	cr_assert_eq(strncmp(hash_of("alice"), "$2b$04$", 7), 0, "%s",
	    hash_of("alice"));
}

/* the last admin: refused without --force, done with it */

static const char *
status_of(const char *name)
{

	return sqlf("SELECT status FROM users WHERE username = '%s'", name);
}

/* The refusal: exit 1, one line saying why and how past it. */
static void
assert_last_admin_refused(int rc)
{
	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert(has_line(err, "gatehouse: ", "last active admin"), "%s",
	    err);
	cr_assert(has_line(err, "gatehouse: ", "--force"), "%s", err);
	cr_assert_eq(count_lines(err), 1, "%s", err);
}

Test(cli, user_suspend_of_the_last_admin_is_refused_without_force)
{
	char	 s[64];

	migrated();
	add_user("root", "admin");
	new_session("root", s, sizeof(s));
	assert_last_admin_refused(RUN(NULL, "user", "suspend", "root"));
	cr_assert_str_eq(status_of("root"), "active");
	cr_assert_str_eq(session_state(s), "live");
}

Test(cli, user_revoke_of_admin_from_the_last_admin_is_refused_without_force)
{
	migrated();
	add_user("root", "admin");
	assert_last_admin_refused(RUN(NULL, "user", "revoke", "root",
	    "admin"));
	cr_assert_str_eq(roles_of("root"), "admin");
}

Test(cli, user_suspend_of_the_last_admin_with_force_is_done)
{
	char	 s[64];

	migrated();
	add_user("root", "admin");
	new_session("root", s, sizeof(s));
	cr_assert_eq(RUN(NULL, "user", "suspend", "root", "--force"), 0, "%s",
	    err);
	cr_assert_str_eq(status_of("root"), "suspended");
	cr_assert_str_eq(session_state(s), "suspended");
}

Test(cli, user_revoke_of_admin_from_the_last_admin_with_force_is_done)
{
	migrated();
	add_user("root", "admin");
	cr_assert_eq(RUN(NULL, "user", "revoke", "--force", "root", "admin"),
	    0, "%s", err);
	cr_assert_str_eq(roles_of("root"), "");
}

Test(cli, user_suspend_of_an_admin_with_another_left_needs_no_force)
{
	migrated();
	add_user("root", "admin");
	add_user("alice", "admin");
	cr_assert_eq(RUN(NULL, "user", "suspend", "alice"), 0, "%s", err);
	cr_assert_str_eq(status_of("alice"), "suspended");
	/* Now root is the last one. */
	assert_last_admin_refused(RUN(NULL, "user", "revoke", "root",
	    "admin"));
	cr_assert_str_eq(roles_of("root"), "admin");
}

Test(cli, user_passwd_of_the_last_admin_is_fine)
{
	migrated();
	add_user("root", "admin");
	cr_assert_eq(RUN(NEW_PW "\n", "user", "passwd", "root"), 0, "%s", err);
	cr_assert_str_eq(status_of("root"), "active");
}

Test(cli, force_is_a_usage_error_where_it_means_nothing)
{
	migrated();
	add_user("alice", NULL);
	cr_assert_eq(RUN(NULL, "user", "activate", "alice", "--force"), 2);
	cr_assert_eq(RUN(NULL, "user", "grant", "alice", "admin", "--force"),
	    2);
	cr_assert_str_eq(roles_of("alice"), "user");
}

Test(cli, help_for_user_tells_of_force)
{
	cr_assert_eq(RUN(NULL, "user", "--help"), 0);
	cr_assert_not_null(strstr(out, "suspend USERNAME [--force]"), "%s",
	    out);
	cr_assert_not_null(strstr(out, "revoke USERNAME ROLE [--force]"),
	    "%s", out);
	cr_assert_not_null(strstr(out, "last active admin"), "%s", out);
}

/* audit (issue 17) */

Test(cli, keys_rotate_and_retire_append_audit_rows)
{
	char	 kid[80];

	migrated();
	with_kek();
	env_extra2 = "JWT_ALGORITHM=ES256";
	cr_assert_eq(RUN(NULL, "keys", "generate"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "keys", "rotate"), 0, "%s", err);
	cr_assert_eq(sscanf(out, "%79s ES256 signs from ", kid), 1, "%s", out);
	cr_assert_str_eq(sqlf("SELECT details->>'mode' FROM audit_log WHERE "
	    "event = 'key.rotated' AND details->>'kid' = '%s'", kid),
	    "rotate");
	cr_assert_eq(RUN(NULL, "keys", "retire", kid, "--now"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT concat_ws(' ', outcome, "
	    "coalesce(actor_id::text, '-'), details->>'via') FROM audit_log "
	    "WHERE event = 'key.retired' AND details->>'kid' = '%s'", kid),
	    "success - cli");
	/* Nothing of a key but its id: no sealed or public material. */
	cr_assert_str_eq(sqlf("SELECT count(*) FROM audit_log WHERE "
	    "details::text LIKE '%%PRIVATE%%' OR details::text LIKE "
	    "'%%BEGIN%%'"), "0");
	env_extra2 = NULL;
}

Test(cli, audit_prints_json_lines_newest_first)
{
	char	 first[1024];

	migrated();
	add_user("alice", NULL);
	add_user("bob", NULL);
	cr_assert_eq(RUN(NULL, "user", "suspend", "bob"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "audit"), 0, "%s", err);
	cr_assert_eq(count_lines(out), 3, "%s", out);
	cr_assert_eq(sscanf(out, "%1023[^\n]", first), 1);
	cr_assert_not_null(strstr(first, "\"event\":\"user.suspended\""),
	    "%s", out);
	cr_assert_not_null(strstr(first, "\"actor_id\":null"), "%s", out);
	cr_assert_not_null(strstr(first, "\"via\":\"cli\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"event\":\"user.created\""), "%s",
	    out);
	cr_assert_null(strstr(out, "$2b$"), "%s", out);
	cr_assert_null(strstr(out, PW), "%s", out);
}

Test(cli, audit_filters_by_user_event_time_and_count)
{
	migrated();
	add_user("alice", NULL);
	add_user("bob", NULL);
	cr_assert_eq(RUN(NULL, "user", "grant", "bob", "admin"), 0, "%s", err);
	cr_assert_eq(RUN(NULL, "audit", "--user", "BOB"), 0, "%s", err);
	cr_assert_eq(count_lines(out), 2, "%s", out);
	cr_assert_eq(RUN(NULL, "audit", "--event", "user.created"), 0, "%s",
	    err);
	cr_assert_eq(count_lines(out), 2, "%s", out);
	cr_assert_eq(RUN(NULL, "audit", "--limit", "1"), 0, "%s", err);
	cr_assert_eq(count_lines(out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "role.granted"), "%s", out);
	cr_assert_eq(RUN(NULL, "audit", "--since", "2999-01-01T00:00:00Z"), 0,
	    "%s", err);
	cr_assert_eq(count_lines(out), 0, "%s", out);
	cr_assert_eq(RUN(NULL, "audit", "--until", "2999-01-01T00:00:00+01:00",
	    "--user", sqlf("SELECT id FROM users WHERE username = 'alice'")),
	    0, "%s", err);
	cr_assert_eq(count_lines(out), 1, "%s", out);
}

Test(cli, audit_finds_a_deleted_users_rows_by_name)
{
	migrated();
	add_user("carol", NULL);
	cr_assert_eq(RUN(NULL, "user", "suspend", "carol"), 0, "%s", err);
	(void)sqlf("DELETE FROM users WHERE username = 'carol' RETURNING 1");
	cr_assert_eq(RUN(NULL, "audit", "--user", "carol"), 0, "%s", err);
	cr_assert_eq(count_lines(out), 2, "%s", out);
	cr_assert_not_null(strstr(out, "user.suspended"), "%s", out);
	cr_assert_not_null(strstr(out, "user.created"), "%s", out);
}

Test(cli, audit_refuses_bad_arguments)
{
	migrated();
	cr_assert_eq(RUN(NULL, "audit", "--since", "yesterday"), 2);
	cr_assert_eq(RUN(NULL, "audit", "--event", "login.maybe"), 2);
	cr_assert_eq(RUN(NULL, "audit", "--limit", "0"), 2);
	cr_assert_eq(RUN(NULL, "audit", "--limit"), 2);
	cr_assert_eq(RUN(NULL, "audit", "extra"), 2);
	cr_assert_eq(RUN(NULL, "audit", "--help"), 0);
	cr_assert_not_null(strstr(out, "JSON"), "%s", out);
}

Test(cli, cleanup_deletes_audit_rows_past_the_retention)
{
	migrated();
	add_user("alice", NULL);
	add_user("bob", NULL);
	/* The owner's DELETE is retention; an UPDATE is refused to all. */
	(void)sqlf("ALTER TABLE audit_log DISABLE TRIGGER audit_log_frozen");
	(void)sqlf("UPDATE audit_log SET at = now() - interval '40 days' "
	    "WHERE details->>'username' = 'alice' RETURNING 1");
	(void)sqlf("ALTER TABLE audit_log ENABLE TRIGGER audit_log_frozen");
	env_extra = "AUDIT_RETENTION_DAYS=30";
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT string_agg(details->>'username', ',') "
	    "FROM audit_log"), "bob");
	env_extra = "AUDIT_RETENTION_DAYS=50";
	cr_assert_eq(RUN(NULL, "cleanup"), 0, "%s", err);
	cr_assert_str_eq(sqlf("SELECT count(*) FROM audit_log"), "1");
	env_extra = NULL;
}
