/*
 * pgtest: throwaway databases for tests.  See pgtest.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "data/db.h"
#include "core/log.h"
#include "data/migrate.h"
#include "pgtest.h"
#include "core/random.h"

static const char *
base_url(void)
{
	const char	*url;

	url = getenv("GH_TEST_DATABASE_URL");
	if (url == NULL || *url == '\0')
		cr_assert_fail("GH_TEST_DATABASE_URL is not set: run the tests "
		    "through tests/with-postgres (make check does)");
	return url;
}

const char *
t_sql_dir(void)
{
	const char	*dir;

	dir = getenv("GH_TEST_SQL_DIR");
	return dir != NULL && *dir != '\0' ? dir : "sql";
}

const char *
t_db_sql(const char *conninfo, const char *sql)
{
	static char	 value[4096];
	PGconn		*conn;
	PGresult	*res;
	ExecStatusType	 st;

	conn = PQconnectdb(conninfo);
	cr_assert_eq(PQstatus(conn), CONNECTION_OK, "connect: %s",
	    PQerrorMessage(conn));
	res = PQexec(conn, sql);
	st = PQresultStatus(res);
	cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK,
	    "%s: %s", sql, PQerrorMessage(conn));
	value[0] = '\0';
	if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
		snprintf(value, sizeof(value), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(conn);
	return value;
}

const char *
t_db_sqlf(const char *conninfo, const char *fmt, ...)
{
	char	 sql[2048];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(sql), "statement too long");
	return t_db_sql(conninfo, sql);
}

const char *
t_db_run_as(const char *conninfo, const char *role, const char *sql)
{
	static char	 state[8];
	char		 ci[1200];
	PGconn		*c;
	PGresult	*r;
	const char	*s;
	int		 n;

	n = snprintf(ci, sizeof(ci), "%s user=%s", conninfo, role);
	cr_assert(n > 0 && (size_t)n < sizeof(ci), "connection string too long");
	c = PQconnectdb(ci);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s: %s", role,
	    PQerrorMessage(c));
	r = PQexec(c, sql);
	s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	(void)snprintf(state, sizeof(state), "%s", s != NULL ? s : "");
	PQclear(r);
	PQfinish(c);
	return state;
}

const char *
t_db_create(void)
{
	static char	 url[1024];
	char		 name[64], admin[1024], sql[128];
	unsigned char	 r[8];
	int		 i, n;

	cr_assert_eq(gh_random_bytes(r, sizeof(r)), 0);
	n = snprintf(name, sizeof(name), "t_");
	for (i = 0; i < (int)sizeof(r); i++)
		n += snprintf(name + n, sizeof(name) - (size_t)n, "%02x", r[i]);
	snprintf(admin, sizeof(admin), "%s dbname=postgres", base_url());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	(void)t_db_sql(admin, sql);
	snprintf(url, sizeof(url), "%s dbname=%s", base_url(), name);
	return url;
}

const char *
t_db_migrated(void)
{
	const char		*url;
	char			 err[GH_MIGRATE_ERR_MAX];
	struct gh_db		*db;
	enum gh_status		 st;
	int			 applied;

	url = t_db_create();
	gh_log_set_level(GH_LOG_WARN);
	cr_assert_not_null(db = gh_db_new(url, 5000));
	st = gh_migrate_up(db, t_sql_dir(), &applied, err, sizeof(err));
	cr_assert_eq(st, GH_OK, "migrate: %s", err);
	gh_db_free(db);
	return url;
}
