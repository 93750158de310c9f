/*
 * roles: the role catalogue.  See roles.h.
 */
#include "data/db.h"
#include "domain/audit.h"
#include "domain/roles.h"

static const struct gh_stmt stmt_list = {
	"gh_roles_list", "SELECT name, description FROM roles ORDER BY name", 0
};

static const struct gh_stmt stmt_create = {
	"gh_roles_create",
	"INSERT INTO roles (name, description) VALUES ($1, $2)", 2
};

enum gh_status
gh_roles_list(struct gh_db *db,
    void (*fn)(const char *, const char *, void *), void *arg)
{
	PGresult		*res;
	enum gh_status		 st;
	int			 i;

	if ((st = gh_db_exec(db, &stmt_list, NULL, &res)) != GH_OK)
		return st;
	for (i = 0; i < PQntuples(res); i++)
		fn(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), arg);
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_roles_create(struct gh_db *db, const char *name, const char *description)
{
	const char	*params[2] = { name, description != NULL ?
			    description : "" };
	enum gh_status	 st;

	if ((st = gh_db_run(db, &stmt_create, params)) == GH_OK)
		gh_audit_record(db, GH_AUDIT_ROLE_CREATED, NULL, NULL, "role",
		    name);
	return st;
}
