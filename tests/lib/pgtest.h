/*
 * pgtest: fresh databases on the test run's private PostgreSQL (started by
 * tests/with-postgres), one per test, so tests running in parallel never
 * see each other's rows.
 */
#ifndef T_PGTEST_H
#define T_PGTEST_H

/*
 * Creates an empty database and returns a connection string for it
 * (static storage, overwritten by the next call).  Aborts the test when
 * no test cluster is configured or the server refuses.
 */
const char	*t_db_create(void);

/* Like t_db_create(), then applies every migration of sql/. */
const char	*t_db_migrated(void);

/* The directory holding the migrations (GH_TEST_SQL_DIR, or "sql"). */
const char	*t_sql_dir(void);

/*
 * Runs one SQL statement (no parameters) on conninfo as the test cluster's
 * superuser and returns the first column of the first row ("" when none),
 * in static storage.  For setting up and checking state behind the API.
 */
const char	*t_db_sql(const char *conninfo, const char *sql);

/* t_db_sql() with the statement formatted. */
const char	*t_db_sqlf(const char *conninfo, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Runs sql on conninfo as role (a program's role: the test cluster lets
 * every role in).  Returns the SQLSTATE, "" on success, in static
 * storage; fails the test when the role cannot connect.
 */
const char	*t_db_run_as(const char *conninfo, const char *role,
		    const char *sql);

#endif
