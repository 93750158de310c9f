/*
 * query: parameter and result helpers over gh_db_exec().  See query.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/query.h"

int
gh_query_num(char *buf, size_t bufsz, long v)
{
	int	 n;

	n = snprintf(buf, bufsz, "%ld", v);
	if (n < 0 || (size_t)n >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

static int
has_value(const PGresult *res, int row, int col)
{
	return res != NULL && row >= 0 && col >= 0 && row < PQntuples(res) &&
	    col < PQnfields(res) && !PQgetisnull(res, row, col);
}

long
gh_query_long(const PGresult *res, int row, int col)
{
	if (!has_value(res, row, col))
		return 0;
	return strtol(PQgetvalue(res, row, col), NULL, 10);
}

int
gh_query_copy(const PGresult *res, int row, int col, char *out,
    size_t outsz)
{
	const char	*v;
	size_t		 len;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (!has_value(res, row, col))
		return 0;
	v = PQgetvalue(res, row, col);
	len = (size_t)PQgetlength(res, row, col);
	if (len >= outsz)
		return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

enum gh_status
gh_query_row(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params, PGresult **res)
{
	PGresult	*r;
	enum gh_status	 st;

	if (res != NULL)
		*res = NULL;
	if ((st = gh_db_exec(db, stmt, params, &r)) != GH_OK)
		return st;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return GH_NOT_FOUND;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return GH_OK;
}

enum gh_status
gh_query_touched(struct gh_db *db, const struct gh_stmt *stmt,
    const char *const *params)
{
	PGresult	*res;
	enum gh_status	 st;

	if ((st = gh_query_row(db, stmt, params, &res)) != GH_OK)
		return st;
	st = gh_query_long(res, 0, 0) > 0 ? GH_OK : GH_NOT_FOUND;
	PQclear(res);
	return st;
}
