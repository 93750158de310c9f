/*
 * noroles: a database whose owner may not create roles (no CREATEROLE),
 * as a hosted PostgreSQL gives one.  The real `gatehouse` binary
 * (GH_TEST_CLI, else ./gatehouse) migrates it as that owner: it fails
 * and says what is missing while the program roles do not exist; a
 * superuser runs what `gatehouse roles-sql` prints; the next migrate by
 * the owner succeeds and leaves every role exactly the rights a database
 * migrated by a superuser gives it.  With database_program_roles = false
 * it succeeds without the roles.
 *
 * The program roles are the cluster's, so the flow needs a cluster where
 * they do not exist yet: tests/run-test gives this suite one of its own,
 * and the flow is one test, its steps in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "data/migrate.h"
#include "pgtest.h"
#include "run.h"

#define OWNER		"t_noroles_owner"
#define PSQL		"/usr/bin/psql"

static char	 out[64 * 1024];
static char	 err[16 * 1024];

/*
 * The cluster's connection string with more keywords after it, in one
 * of a few static buffers: keep what must outlive the next calls.
 */
static const char *
url(const char *more)
{
	static char	 buf[4][1024];
	static int	 next;
	const char	*base;
	char		*u;
	int		 n;

	base = getenv("GH_TEST_DATABASE_URL");
	cr_assert(base != NULL && *base != '\0', "GH_TEST_DATABASE_URL unset");
	u = buf[next++ % 4];
	n = snprintf(u, sizeof(buf[0]), "%s %s", base, more);
	cr_assert(n > 0 && (size_t)n < sizeof(buf[0]));
	return u;
}

#define KEEP(dst, src)	cr_assert_lt((size_t)snprintf((dst), sizeof(dst), \
			    "%s", (src)), sizeof(dst))

/* Nothing of the caller's configuration may reach the program. */
static void
clean_env(void)
{

	cr_assert_eq(unsetenv(GH_CONFIG_ENV), 0);
	cr_assert_eq(unsetenv(GH_ADMIN_CONFIG_ENV), 0);
	cr_assert_eq(unsetenv("ADMIN_DATABASE_URL"), 0);
}

TestSuite(noroles, .init = clean_env);

static const char *
cli_path(void)
{
	const char	*p;

	p = getenv("GH_TEST_CLI");
	return p != NULL && *p != '\0' ? p : "./gatehouse";
}

/*
 * Runs the CLI (argv without the program, NULL-terminated) against
 * conninfo, with roles as database_program_roles; its exit status.
 */
static int
cli(const char *conninfo, const char *roles, const char *const args[])
{
	const char	*argv[8], *env[4];
	char		 e_url[1100], e_sql[1100], e_roles[64];
	size_t		 n = 0, i;
	int		 rc;

	argv[n++] = cli_path();
	for (i = 0; args[i] != NULL && n < 7; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_gt(snprintf(e_url, sizeof(e_url), "DATABASE_URL=%s",
	    conninfo), 0);
	cr_assert_gt(snprintf(e_sql, sizeof(e_sql), "GATEHOUSE_SQL_DIR=%s",
	    t_sql_dir()), 0);
	cr_assert_gt(snprintf(e_roles, sizeof(e_roles),
	    "DATABASE_PROGRAM_ROLES=%s", roles), 0);
	env[0] = e_url;
	env[1] = e_sql;
	env[2] = e_roles;
	env[3] = NULL;
	rc = t_run(argv, env, NULL, out, sizeof(out), err, sizeof(err));
	cr_assert_neq(rc, -1, "%s did not run or died: %s", argv[0], err);
	return rc;
}

#define MIGRATE(u, roles)	cli((u), (roles), \
				    (const char *const[]){ "migrate", NULL })

/* The first column of the first row of sql on conninfo, to free(). */
static char *
fetch(const char *conninfo, const char *sql)
{
	PGconn		*c;
	PGresult	*r;
	char		*v;

	c = PQconnectdb(conninfo);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(c));
	cr_assert_not_null(v = strdup(PQntuples(r) > 0 ?
	    PQgetvalue(r, 0, 0) : ""));
	PQclear(r);
	PQfinish(c);
	return v;
}

/*
 * What the program roles and PUBLIC may do in the database, one line a
 * right, whoever the owner and grantor: tables, columns, functions,
 * the schema, row-level security and its policies.
 */
static char *
rights(const char *conninfo)
{
	static const char	 sql[] =
	    "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
	    " SELECT c.relname || ' ' || coalesce(g.rolname, 'PUBLIC') ||"
	    "  ' ' || a.privilege_type AS x"
	    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	    " CROSS JOIN LATERAL aclexplode(c.relacl) a"
	    " LEFT JOIN pg_roles g ON g.oid = a.grantee"
	    " WHERE n.nspname = 'public' AND a.grantee <> c.relowner"
	    " UNION ALL"
	    " SELECT c.relname || '.' || t.attname || ' ' ||"
	    "  coalesce(g.rolname, 'PUBLIC') || ' ' || a.privilege_type"
	    " FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid"
	    " JOIN pg_namespace n ON n.oid = c.relnamespace"
	    " CROSS JOIN LATERAL aclexplode(t.attacl) a"
	    " LEFT JOIN pg_roles g ON g.oid = a.grantee"
	    " WHERE n.nspname = 'public' AND a.grantee <> c.relowner"
	    " UNION ALL"
	    " SELECT p.proname || '(' ||"
	    "  pg_get_function_identity_arguments(p.oid) || ') ' ||"
	    "  coalesce(g.rolname, 'PUBLIC') || ' ' || a.privilege_type"
	    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	    " CROSS JOIN LATERAL aclexplode(p.proacl) a"
	    " LEFT JOIN pg_roles g ON g.oid = a.grantee"
	    " WHERE n.nspname = 'public' AND a.grantee <> p.proowner"
	    " UNION ALL"
	    " SELECT 'schema public ' || coalesce(g.rolname, 'PUBLIC') ||"
	    "  ' ' || a.privilege_type"
	    " FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a"
	    " LEFT JOIN pg_roles g ON g.oid = a.grantee"
	    " WHERE n.nspname = 'public' AND a.grantee <> n.nspowner"
	    " UNION ALL"
	    " SELECT 'policy ' || tablename || ' ' || policyname || ' ' ||"
	    "  roles::text || ' ' || cmd || ' ' || coalesce(qual, '') ||"
	    "  ' ' || coalesce(with_check, '') FROM pg_policies"
	    " UNION ALL"
	    " SELECT 'row security ' || relname FROM pg_class"
	    " WHERE relrowsecurity) s";

	return fetch(conninfo, sql);
}

/* A new database owned by OWNER; its connection string as OWNER. */
static const char *
owned_db(const char *name)
{
	char	 db[64];

	(void)t_db_sqlf(url("dbname=postgres"), "CREATE DATABASE %s OWNER "
	    OWNER, name);
	cr_assert_gt(snprintf(db, sizeof(db), "user=" OWNER " dbname=%s",
	    name), 0);
	return url(db);
}

/* Every role the migrations name is one gh_program_roles lists. */
Test(noroles, the_role_list_covers_the_migrations)
{
	char		 cmd[1200], name[64];
	FILE		*p;
	size_t		 i;
	int		 found, seen = 0;

	cr_assert_gt(snprintf(cmd, sizeof(cmd), "cat '%s'/[0-9]*.sql | "
	    "grep -o 'gatehouse_[a-z_]*' | sort -u", t_sql_dir()), 0);
	cr_assert_not_null(p = popen(cmd, "r"));
	while (fgets(name, sizeof(name), p) != NULL) {
		name[strcspn(name, "\n")] = '\0';
		found = 0;
		for (i = 0; gh_program_roles[i] != NULL; i++)
			found |= strcmp(gh_program_roles[i], name) == 0;
		cr_expect(found, "sql/ names %s, which gh_program_roles "
		    "(src/data/migrate.c) does not list", name);
		seen++;
	}
	cr_assert_eq(pclose(p), 0);
	cr_assert_geq(seen, 7);
}

/* roles-sql needs no database and takes no arguments. */
Test(noroles, roles_sql_takes_no_arguments)
{
	const char	*nowhere = "host=/nonexistent user=x dbname=x";

	cr_assert_eq(cli(nowhere, "true",
	    (const char *const[]){ "roles-sql", "x", NULL }), 2, "%s", err);
	cr_assert(strstr(err, "roles-sql takes no arguments") != NULL, "%s",
	    err);
	cr_assert_eq(cli(nowhere, "true",
	    (const char *const[]){ "roles-sql", NULL }), 0, "%s", err);
	cr_assert(strstr(out, "CREATE ROLE %I LOGIN") != NULL, "%s", out);
}

Test(noroles, an_owner_without_createrole)
{
	const char	*msg, *argv[9];
	char		 plain[1024], owned[1024], normal[1024];
	char		 su_owned[1024], su_plain[1024];
	char		*want, *got, sql[64 * 1024];
	size_t		 i;
	int		 rc;

	if (strcmp(t_db_sql(url("dbname=postgres"), "SELECT count(*) FROM "
	    "pg_roles WHERE rolname LIKE 'gatehouse\\_%'"), "0") != 0)
		cr_skip_test("the program roles exist in this cluster: the "
		    "suite needs one of its own (tests/run-test)");
	(void)t_db_sql(url("dbname=postgres"), "CREATE ROLE " OWNER
	    " LOGIN NOCREATEROLE");

	/* database_program_roles = false: no roles needed. */
	KEEP(plain, owned_db("t_noroles_plain"));
	KEEP(su_plain, url("dbname=t_noroles_plain"));
	cr_assert_eq(MIGRATE(plain, "false"), 0, "%s", err);
	cr_assert_str_eq(t_db_sql(su_plain,
	    "SELECT count(*) FROM pg_roles WHERE rolname LIKE "
	    "'gatehouse\\_%'"), "0");
	cr_assert_str_eq(t_db_sql(su_plain,
	    "SELECT count(*) FROM users"), "0");

	/* true: every file applied, then a failure saying what to do. */
	KEEP(owned, owned_db("t_noroles_owned"));
	KEEP(su_owned, url("dbname=t_noroles_owned"));
	cr_assert_eq(MIGRATE(owned, "true"), 1, "%s", err);
	cr_assert(strstr(out, " migrations applied") != NULL, "%s", out);
	cr_assert(strstr(err, "gatehouse_admin, gatehouse_authorize, "
	    "gatehouse_health, gatehouse_login, gatehouse_me, "
	    "gatehouse_register, gatehouse_wellknown do not exist") != NULL,
	    "%s", err);
	cr_assert(strstr(err, "gatehouse roles-sql |") != NULL, "%s", err);
	cr_assert(strstr(err, "database_program_roles = false") != NULL,
	    "%s", err);
	cr_assert_not_null(msg = strstr(err, "gatehouse: migrate: "), "%s",
	    err);
	cr_assert_eq(strchr(msg, '\n'), err + strlen(err) - 1,
	    "one line, the last: %s", err);
	/* Again: nothing to apply, the same failure. */
	cr_assert_eq(MIGRATE(owned, "true"), 1, "%s", err);
	cr_assert(strstr(out, "0 migrations applied") != NULL, "%s", out);

	/* A superuser runs what roles-sql prints, twice: no harm. */
	cr_assert_eq(cli(owned, "true",
	    (const char *const[]){ "roles-sql", NULL }), 0, "%s", err);
	cr_assert_lt(strlen(out), sizeof(sql));
	memcpy(sql, out, strlen(out) + 1);
	argv[0] = PSQL;
	argv[1] = "-X";
	argv[2] = "-q";
	argv[3] = "-v";
	argv[4] = "ON_ERROR_STOP=1";
	argv[5] = "-d";
	argv[6] = su_owned;
	argv[7] = NULL;
	for (i = 0; i < 2; i++) {
		rc = t_run(argv, NULL, sql, out, sizeof(out), err,
		    sizeof(err));
		cr_assert_eq(rc, 0, "psql: %s", err);
	}
	cr_assert_str_eq(t_db_sql(url("dbname=postgres"), "SELECT "
	    "string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE "
	    "rolname LIKE 'gatehouse\\_%' AND rolcanlogin AND NOT rolsuper "
	    "AND NOT rolcreaterole"), "gatehouse_admin,gatehouse_authorize,"
	    "gatehouse_health,gatehouse_login,gatehouse_me,gatehouse_register,"
	    "gatehouse_wellknown");

	/* The owner's next migrate grants what the skipped blocks would. */
	cr_assert_eq(MIGRATE(owned, "true"), 0, "%s", err);
	cr_assert(strstr(out, "0 migrations applied") != NULL, "%s", out);
	KEEP(normal, url("dbname=t_noroles_normal"));
	(void)t_db_sql(url("dbname=postgres"),
	    "CREATE DATABASE t_noroles_normal");
	cr_assert_eq(MIGRATE(normal, "true"), 0, "%s", err);
	want = rights(normal);
	got = rights(owned);
	cr_assert_gt(strlen(want), 1000, "%s", want);
	cr_assert_str_eq(got, want);
	free(got);
	/* And once more: a replay on a complete database changes nothing. */
	cr_assert_eq(MIGRATE(owned, "true"), 0, "%s", err);
	got = rights(owned);
	cr_assert_str_eq(got, want);
	free(got);

	/* Each program's role connects and does a thing it does. */
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_health", "SELECT 1"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_register",
	    "SELECT id, username, email_verified FROM users"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_register",
	    "SELECT password_hash FROM users"), "42501");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_login", "SELECT "
	    "gh_login_attempt('k', '127.0.0.1', 60, 10, 100, 1, 5)"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_me", "SELECT * FROM "
	    "gh_own_sessions(gen_random_uuid(), gen_random_uuid(), 5)"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_admin",
	    "SELECT name FROM roles"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_authorize", "SELECT u.id, "
	    "r.role, s.ended_at FROM users u LEFT JOIN user_roles r ON "
	    "r.user_id = u.id LEFT JOIN sessions s ON s.user_id = u.id"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_wellknown",
	    "SELECT kid, public_jwk FROM signing_keys"), "");
	cr_assert_str_eq(t_db_run_as(su_owned, "gatehouse_wellknown",
	    "SELECT private_sealed FROM signing_keys"), "42501");

	/* The database migrated without roles takes them up later too. */
	cr_assert_eq(MIGRATE(plain, "true"), 0, "%s", err);
	got = rights(su_plain);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}
