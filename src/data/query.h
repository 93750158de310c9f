/*
 * query: the small steps every module repeats around gh_db_exec():
 * numbers into text parameters, numbers out of columns, and the common
 * shapes of "what came back".
 *
 * Promises: a number that does not fit its buffer is -1, never a cut
 * parameter; a column read is bounds-checked against the result (a
 * missing row or column, or an SQL NULL, reads as 0 or ""); the exec
 * helpers PQclear() whatever they do not hand back.
 */
#ifndef GH_QUERY_H
#define GH_QUERY_H

#include <stddef.h>

#include <libpq-fe.h>

#include "data/db.h"

/* Room for any long as text, sign and NUL included. */
#define GH_QUERY_NUM_MAX	24

/* Writes v as decimal text into buf; 0, or -1 when it does not fit. */
int		 gh_query_num(char *buf, size_t bufsz, long v);

/* Column col of row row as a long (0 when absent, NULL or not a number). */
long		 gh_query_long(const PGresult *, int row, int col);

/*
 * Copies column col of row row into out; "" for NULL or absent.  0, or -1
 * when the value does not fit (out is "" then).
 */
int		 gh_query_copy(const PGresult *, int row, int col, char *out,
		    size_t outsz);

/*
 * Executes stmt and expects a row: GH_OK with *res (caller PQclear()s),
 * GH_NOT_FOUND when no row came (nothing to clear), or the failure.
 * res may be NULL when the row itself does not matter.
 */
enum gh_status	 gh_query_row(struct gh_db *, const struct gh_stmt *,
		    const char *const *params, PGresult **res);

/*
 * Executes a statement whose one row's first column counts what it
 * touched: GH_NOT_FOUND when that is 0 (or no row came).
 */
enum gh_status	 gh_query_touched(struct gh_db *, const struct gh_stmt *,
		    const char *const *params);

#endif
