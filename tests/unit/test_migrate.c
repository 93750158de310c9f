/*
 * migrate: applying the real sql/ directory, and made-up ones, to a real
 * PostgreSQL.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "data/db.h"
#include "core/log.h"
#include "data/migrate.h"
#include "fixture.h"
#include "pgtest.h"

static struct gh_db *
open_db(const char *url)
{
	gh_log_set_level(GH_LOG_ERROR);
	return t_db_open(url, 5000);
}

static int
count_sql_files(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;
	size_t		 len;

	cr_assert_not_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* A temporary directory of migrations, file name to content. */
static char *
make_dir(const char *const files[][2], size_t n)
{
	static char	 dir[64];
	char		 path[256];
	FILE		*f;
	size_t		 i;

	snprintf(dir, sizeof(dir), "/tmp/gh-migrate.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		cr_assert_not_null(f = fopen(path, "w"));
		fputs(files[i][1], f);
		fclose(f);
	}
	return dir;
}

static int
up(struct gh_db *db, const char *dir, char *err, size_t errsz,
    enum gh_status *st)
{
	int	 applied = -1;

	*st = gh_migrate_up(db, dir, &applied, err, errsz);
	return applied;
}

Test(migrate, applies_every_file_of_sql_dir)
{
	const char		*url = t_db_create();
	struct gh_db		*db = open_db(url);
	char			 err[GH_MIGRATE_ERR_MAX] = "";
	enum gh_status		 st;
	int			 n;

	n = up(db, t_sql_dir(), err, sizeof(err), &st);
	cr_assert_eq(st, GH_OK, "%s", err);
	cr_assert_eq(n, count_sql_files(t_sql_dir()));
	cr_assert_eq(atoi(t_db_sql(url,
	    "SELECT count(*) FROM schema_migrations")), n);
	gh_db_free(db);
}

Test(migrate, second_run_applies_nothing)
{
	const char		*url = t_db_create();
	struct gh_db		*db = open_db(url);
	char			 err[GH_MIGRATE_ERR_MAX] = "", before[4096];
	enum gh_status		 st;
	int			 n;

	(void)up(db, t_sql_dir(), err, sizeof(err), &st);
	cr_assert_eq(st, GH_OK, "%s", err);
	n = snprintf(before, sizeof(before), "%s", t_db_sql(url,
	    "SELECT string_agg(version || applied_at::text, ',') "
	    "FROM schema_migrations"));
	cr_assert(n > 0 && (size_t)n < sizeof(before), "%d bytes", n);
	cr_assert_eq(up(db, t_sql_dir(), err, sizeof(err), &st), 0);
	cr_assert_eq(st, GH_OK, "%s", err);
	cr_assert_str_eq(t_db_sql(url,
	    "SELECT string_agg(version || applied_at::text, ',') "
	    "FROM schema_migrations"), before);
	gh_db_free(db);
}

Test(migrate, creates_the_tables_and_seeds_the_roles)
{
	const char	*url = t_db_migrated();

	cr_assert_str_eq(t_db_sql(url,
	    "SELECT string_agg(name, ',' ORDER BY name) FROM roles"),
	    "admin,introspect,user");
	cr_assert_str_eq(t_db_sql(url, "SELECT count(*) FROM "
	    "information_schema.tables WHERE table_name IN ('users', 'roles', "
	    "'user_roles', 'sessions', 'refresh_tokens', 'login_failures')"),
	    "6");
}

Test(migrate, username_is_unique_ignoring_case)
{
	const char	*url = t_db_migrated();
	PGconn		*c;
	PGresult	*r;

	t_db_sql(url, "INSERT INTO users (username, password_hash) "
	    "VALUES ('Alice', 'x')");
	c = PQconnectdb(url);
	r = PQexec(c, "INSERT INTO users (username, password_hash) "
	    "VALUES ('aLICE', 'x')");
	cr_assert_str_eq(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23505");
	PQclear(r);
	PQfinish(c);
}

Test(migrate, status_lists_pending_then_applied)
{
	struct gh_db		*db = open_db(t_db_create());
	char			 err[GH_MIGRATE_ERR_MAX] = "", *buf = NULL;
	size_t			 len = 0;
	FILE			*out;
	enum gh_status		 st;
	int			 pending;

	cr_assert_not_null(out = open_memstream(&buf, &len));
	st = gh_migrate_status(db, t_sql_dir(), out, &pending, err,
	    sizeof(err));
	fflush(out);
	cr_assert_eq(st, GH_OK, "%s", err);
	cr_assert_eq(pending, count_sql_files(t_sql_dir()));
	cr_assert(strstr(buf, "001_schema.sql") != NULL);
	cr_assert(strstr(buf, "pending") != NULL);
	fclose(out);
	free(buf);

	(void)up(db, t_sql_dir(), err, sizeof(err), &st);
	cr_assert_not_null(out = open_memstream(&buf, &len));
	st = gh_migrate_status(db, t_sql_dir(), out, &pending, err,
	    sizeof(err));
	fflush(out);
	cr_assert_eq(pending, 0);
	cr_assert(strstr(buf, "applied") != NULL);
	cr_assert(strstr(buf, "pending") == NULL);
	fclose(out);
	free(buf);
	gh_db_free(db);
}

Test(migrate, a_changed_file_stops_the_run)
{
	const char *const	 files[][2] = {
		{ "001_a.sql", "CREATE TABLE a (x int);" },
	};
	struct gh_db		*db = open_db(t_db_create());
	char			 err[GH_MIGRATE_ERR_MAX] = "", path[256];
	char			*dir = make_dir(files, 1);
	enum gh_status		 st;
	FILE			*f;

	cr_assert_eq(up(db, dir, err, sizeof(err), &st), 1);
	snprintf(path, sizeof(path), "%s/001_a.sql", dir);
	cr_assert_not_null(f = fopen(path, "a"));
	fputs("-- edited\n", f);
	fclose(f);
	(void)up(db, dir, err, sizeof(err), &st);
	cr_assert_neq(st, GH_OK);
	cr_assert(strstr(err, "001_a.sql was changed") != NULL, "%s", err);
	gh_db_free(db);
}

Test(migrate, a_failing_file_leaves_nothing_behind)
{
	const char *const	 files[][2] = {
		{ "001_a.sql", "CREATE TABLE a (x int);" },
		{ "002_b.sql", "CREATE TABLE b (x int); SELECT no_such_col;" },
	};
	const char		*url = t_db_create();
	struct gh_db		*db = open_db(url);
	char			 err[GH_MIGRATE_ERR_MAX] = "";
	enum gh_status		 st;

	cr_assert_eq(up(db, make_dir(files, 2), err, sizeof(err), &st), 1);
	cr_assert_neq(st, GH_OK);
	cr_assert(strstr(err, "002_b.sql") != NULL, "%s", err);
	cr_assert_str_eq(t_db_sql(url,
	    "SELECT to_regclass('b') IS NULL"), "t");
	cr_assert_str_eq(t_db_sql(url,
	    "SELECT string_agg(version, ',') FROM schema_migrations"),
	    "001_a.sql");
	gh_db_free(db);
}

Test(migrate, ignores_files_not_named_like_migrations)
{
	const char *const	 files[][2] = {
		{ "001_a.sql", "CREATE TABLE a (x int);" },
		{ "README", "not sql" },
		{ "2_b.sql", "not sql either" },
		{ "002_.sql", "no name" },
		{ "003_C.sql", "an upper-case name" },
		{ "004_d.SQL", "an upper-case suffix" },
		{ "0005_e.sql", "four digits" },
	};
	struct gh_db		*db = open_db(t_db_create());
	char			 err[GH_MIGRATE_ERR_MAX] = "";
	enum gh_status		 st;

	cr_assert_eq(up(db, make_dir(files, sizeof(files) / sizeof(files[0])),
	    err, sizeof(err), &st), 1);
	cr_assert_eq(st, GH_OK, "%s", err);
	gh_db_free(db);
}

Test(migrate, concurrent_runs_apply_each_file_once)
{
	const char		*url = t_db_create();
	char			 err[GH_MIGRATE_ERR_MAX];
	enum gh_status		 st;
	pid_t			 pids[4];
	int			 i, status, total = 0, n;

	for (i = 0; i < 4; i++) {
		cr_assert_neq(pids[i] = fork(), -1);
		if (pids[i] == 0) {
			struct gh_db	*db = open_db(url);

			n = up(db, t_sql_dir(), err, sizeof(err), &st);
			_exit(st == GH_OK ? n : 100);
		}
	}
	for (i = 0; i < 4; i++) {
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status));
		cr_assert_lt(WEXITSTATUS(status), 100);
		total += WEXITSTATUS(status);
	}
	cr_assert_eq(total, count_sql_files(t_sql_dir()));
}

Test(migrate, missing_directory_is_an_error)
{
	struct gh_db		*db = open_db(t_db_create());
	char			 err[GH_MIGRATE_ERR_MAX] = "";
	enum gh_status		 st;

	(void)up(db, "/nonexistent-gh-dir", err, sizeof(err), &st);
	cr_assert_neq(st, GH_OK);
	cr_assert(strstr(err, "/nonexistent-gh-dir") != NULL);
	gh_db_free(db);
}
