/*
 * migrate: applies the numbered SQL files of a directory (NNN_name.sql)
 * in order, each inside its own transaction, and records each in
 * schema_migrations with its SHA-256.
 *
 * Promises: two runs at once cannot race (a session advisory lock is held
 * throughout); a second run applies nothing; a file changed after it was
 * applied, or a file that fails, stops the run with a message naming it,
 * and nothing of the failed file remains.
 *
 * The programs' roles (gh_program_roles) are the cluster's, and a
 * migrating user without CREATEROLE cannot make them: each migration's
 * grant blocks (DO $grants$ ... $grants$; and 005's and 013's DO
 * $roles$) then do nothing.  So when every role exists, each run replays
 * every grant block of every file, in order, in one transaction (the
 * policies on those roles dropped first: the blocks make them again).
 * GRANT and REVOKE replayed in their order leave each privilege as the
 * last statement naming it left it: where the roles were there all
 * along nothing changes, and where a superuser made them later
 * (`gatehouse roles-sql`) the skipped grants are done.  A grant block
 * must therefore be safe to run twice, and an object one names is never
 * dropped (sql/README.md, for migration authors).
 */
#ifndef GH_MIGRATE_H
#define GH_MIGRATE_H

#include <stdio.h>

#include "data/db.h"

#define GH_MIGRATE_ERR_MAX	512
/* Room for the names of every program role, ", " between them. */
#define GH_MIGRATE_ROLES_MAX	256

/* The programs' roles, gatehouse_<program>, sorted; NULL-terminated. */
extern const char *const gh_program_roles[];

/*
 * Applies what is pending, then replays the grant blocks when every
 * program role exists.  *applied counts the files applied by this run.
 * Returns GH_OK, or another status with a message in err.
 */
enum gh_status gh_migrate_up(struct gh_db *, const char *dir, int *applied,
	    char *err, size_t errsz);

/*
 * Writes one line per file to out: "applied <when>", "pending" or
 * "CHANGED since applied".  *pending counts files not yet applied.
 */
enum gh_status gh_migrate_status(struct gh_db *, const char *dir, FILE *out,
	    int *pending, char *err, size_t errsz);

/*
 * The program roles that do not exist, as "gatehouse_a, gatehouse_b"
 * into out; "" when all do.
 */
enum gh_status gh_migrate_roles_missing(struct gh_db *, char *out,
	    size_t outsz);

/*
 * Writes the SQL a superuser (or a role with CREATEROLE) runs once per
 * cluster to make the program roles that do not exist.  -1 on a write
 * error.
 */
int		gh_migrate_roles_sql(FILE *out);

#endif
