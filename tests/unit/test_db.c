/*
 * db: a real PostgreSQL behind every test (tests/with-postgres).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "data/db.h"
#include "core/log.h"
#include "fixture.h"
#include "pgtest.h"

static const struct gh_stmt stmt_one = { "t_one", "SELECT 1 + $1::int", 1 };
static const struct gh_stmt stmt_backend = {
	"t_backend", "SELECT pg_backend_pid()", 0
};
static const struct gh_stmt stmt_prepared = {
	"t_prepared",
	"SELECT count(*) FROM pg_prepared_statements WHERE name = 't_one'", 0
};
static const struct gh_stmt stmt_sleep = {
	"t_sleep", "SELECT pg_sleep(3)", 0
};
static const struct gh_stmt stmt_insert = {
	"t_insert", "INSERT INTO t (name) VALUES ($1)", 1
};
static const struct gh_stmt stmt_count = {
	"t_count", "SELECT count(*) FROM t", 0
};
static const struct gh_stmt stmt_dies = {
	"t_dies", "SELECT nextval('s'), pg_terminate_backend(pg_backend_pid())",
	0
};
static const struct gh_stmt stmt_read_only = {
	"t_read_only",
	"SELECT set_config('default_transaction_read_only', 'on', false)", 0
};
static const struct gh_stmt stmt_bad = {
	"t_bad", "SELECT * FROM no_such_table", 0
};

static struct gh_db *
open_db(const char *url, int timeout_ms)
{
	gh_log_set_level(GH_LOG_ERROR);
	return t_db_open(url, timeout_ms);
}

static const char *
one_value(struct gh_db *db, const struct gh_stmt *stmt, const char *p)
{
	static char		 value[64];
	const char		*params[1] = { p };
	PGresult		*res;

	cr_assert_eq(gh_db_exec(db, stmt, params, &res), GH_OK, "%s",
	    gh_db_error(db));
	snprintf(value, sizeof(value), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return value;
}

Test(db, executes_a_prepared_statement_with_parameters)
{
	struct gh_db	*db = open_db(t_db_create(), 5000);

	cr_assert_str_eq(one_value(db, &stmt_one, "41"), "42");
	gh_db_free(db);
}

Test(db, prepares_each_statement_once_per_connection)
{
	struct gh_db	*db = open_db(t_db_create(), 5000);

	(void)one_value(db, &stmt_one, "1");
	(void)one_value(db, &stmt_one, "2");
	cr_assert_str_eq(one_value(db, &stmt_prepared, NULL), "1");
	gh_db_free(db);
}

Test(db, keeps_one_connection_across_calls)
{
	struct gh_db	*db = open_db(t_db_create(), 5000);
	char		 pid[64];

	snprintf(pid, sizeof(pid), "%s", one_value(db, &stmt_backend, NULL));
	cr_assert_str_eq(one_value(db, &stmt_backend, NULL), pid);
	gh_db_free(db);
}

Test(db, unreachable_server_is_unavailable)
{
	struct gh_db	*db = open_db("host=/nonexistent-gh user=x dbname=x",
			    5000);
	PGresult	*res = (PGresult *)1;

	cr_assert_eq(gh_db_exec(db, &stmt_one, (const char *[]){ "1" }, &res),
	    GH_UNAVAILABLE);
	cr_assert_null(res);
	cr_assert_eq(gh_db_ping(db), GH_UNAVAILABLE);
	cr_assert_eq(gh_db_begin(db), GH_UNAVAILABLE);
	gh_db_free(db);
}

Test(db, reconnects_after_the_backend_is_killed)
{
	const char	*url = t_db_create();
	struct gh_db	*db = open_db(url, 5000);
	char		 pid[64], sql[128];

	snprintf(pid, sizeof(pid), "%s", one_value(db, &stmt_backend, NULL));
	/* Waits until the process is gone, as between two requests. */
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s, 5000)",
	    pid);
	cr_assert_str_eq(t_db_sql(url, sql), "t");
	/* The closed connection is replaced before the statement is sent. */
	cr_assert_str_eq(one_value(db, &stmt_one, "1"), "2");
	cr_assert_str_neq(one_value(db, &stmt_backend, NULL), pid);
	gh_db_free(db);
}

/*
 * The statement runs (nextval() is not undone by anything) and its
 * connection dies before the answer: sending it again would run it twice.
 */
Test(db, a_statement_whose_connection_breaks_is_not_sent_again)
{
	const char	*url = t_db_create();
	struct gh_db	*db = open_db(url, 5000);
	PGresult	*res = (PGresult *)1;

	t_db_sql(url, "CREATE SEQUENCE s");
	cr_assert_str_eq(one_value(db, &stmt_one, "1"), "2");
	cr_assert_eq(gh_db_exec(db, &stmt_dies, NULL, &res), GH_UNAVAILABLE);
	cr_assert_null(res);
	cr_assert_str_eq(t_db_sql(url, "SELECT last_value FROM s"), "1");
	/* The next statement gets a fresh connection. */
	cr_assert_str_eq(one_value(db, &stmt_one, "1"), "2");
	gh_db_free(db);
}

/* A hot standby refuses writes with 25006: try again later, not a bug. */
Test(db, a_write_refused_as_read_only_is_unavailable)
{
	const char	*url = t_db_create();
	struct gh_db	*db = open_db(url, 5000);

	t_db_sql(url, "CREATE TABLE t (name text)");
	(void)one_value(db, &stmt_read_only, NULL);
	cr_assert_eq(gh_db_run(db, &stmt_insert, (const char *[]){ "a" }),
	    GH_UNAVAILABLE);
	gh_db_free(db);
}

Test(db, statement_timeout_is_unavailable_not_a_bug)
{
	struct gh_db	*db = open_db(t_db_create(), 100);
	PGresult	*res;

	cr_assert_eq(gh_db_exec(db, &stmt_sleep, NULL, &res),
	    GH_UNAVAILABLE);
	cr_assert_str_eq(one_value(db, &stmt_one, "1"), "2");
	gh_db_free(db);
}

Test(db, unique_violation_is_a_conflict_naming_the_constraint)
{
	const char	*url = t_db_create();
	struct gh_db	*db = open_db(url, 5000);

	t_db_sql(url, "CREATE TABLE t (name text CONSTRAINT t_name_key UNIQUE)");
	cr_assert_eq(gh_db_run(db, &stmt_insert, (const char *[]){ "a" }),
	    GH_OK);
	cr_assert_eq(gh_db_run(db, &stmt_insert, (const char *[]){ "a" }),
	    GH_CONFLICT);
	cr_assert_str_eq(gh_db_conflict(db), "t_name_key");
	gh_db_free(db);
}

Test(db, a_broken_query_is_an_error)
{
	struct gh_db	*db = open_db(t_db_create(), 5000);

	cr_assert_eq(gh_db_run(db, &stmt_bad, NULL), GH_DB_ERROR);
	cr_assert(strstr(gh_db_error(db), "no_such_table") != NULL);
	/* The connection is still good for the next statement. */
	cr_assert_str_eq(one_value(db, &stmt_one, "1"), "2");
	gh_db_free(db);
}

Test(db, rollback_discards_the_transaction)
{
	const char	*url = t_db_create();
	struct gh_db	*db = open_db(url, 5000);

	t_db_sql(url, "CREATE TABLE t (name text)");
	cr_assert_eq(gh_db_begin(db), GH_OK);
	cr_assert_eq(gh_db_run(db, &stmt_insert, (const char *[]){ "a" }),
	    GH_OK);
	gh_db_rollback(db);
	cr_assert_str_eq(one_value(db, &stmt_count, NULL), "0");
	cr_assert_eq(gh_db_begin(db), GH_OK);
	cr_assert_eq(gh_db_run(db, &stmt_insert, (const char *[]){ "b" }),
	    GH_OK);
	cr_assert_eq(gh_db_commit(db), GH_OK);
	cr_assert_str_eq(one_value(db, &stmt_count, NULL), "1");
	gh_db_free(db);
}

Test(db, ping_answers_ok_when_reachable)
{
	struct gh_db	*db = open_db(t_db_create(), 5000);

	cr_assert_eq(gh_db_ping(db), GH_OK);
	gh_db_free(db);
}

/* The programs refuse a database_url with a password (src/http/serve.c). */
Test(db, conninfo_has_finds_a_keyword_in_either_form)
{
	cr_assert_eq(gh_db_conninfo_has("host=/tmp dbname=gh password=pw",
	    "password"), 1);
	cr_assert_eq(gh_db_conninfo_has("postgresql://owner:pw@db/gh",
	    "password"), 1);
	cr_assert_eq(gh_db_conninfo_has("postgresql://owner@db/gh",
	    "password"), 0);
	cr_assert_eq(gh_db_conninfo_has("host=/tmp dbname=gh password=''",
	    "password"), 0);
	cr_assert_eq(gh_db_conninfo_has("host=/tmp passfile=/etc/pgpass",
	    "password"), 0);
	cr_assert_eq(gh_db_conninfo_has("", "password"), 0);
	cr_assert_eq(gh_db_conninfo_has("host='unclosed", "password"), -1);
}
