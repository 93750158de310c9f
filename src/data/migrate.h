/*
 * migrate: applies the numbered SQL files of a directory (NNN_name.sql)
 * in order, each inside its own transaction, and records each in
 * schema_migrations with its SHA-256.
 *
 * Promises: two runs at once cannot race (a session advisory lock is held
 * throughout); a second run applies nothing; a file changed after it was
 * applied, or a file that fails, stops the run with a message naming it,
 * and nothing of the failed file remains.
 */
#ifndef GH_MIGRATE_H
#define GH_MIGRATE_H

#include <stdio.h>

#include "data/db.h"

#define GH_MIGRATE_ERR_MAX	512

/*
 * Applies what is pending.  *applied counts the files applied by this
 * run.  Returns GH_OK, or another status with a message in err.
 */
enum gh_status gh_migrate_up(struct gh_db *, const char *dir, int *applied,
	    char *err, size_t errsz);

/*
 * Writes one line per file to out: "applied <when>", "pending" or
 * "CHANGED since applied".  *pending counts files not yet applied.
 */
enum gh_status gh_migrate_status(struct gh_db *, const char *dir, FILE *out,
	    int *pending, char *err, size_t errsz);

#endif
