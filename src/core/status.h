/*
 * status: the library's one error type.  Every function that can fail for
 * more than one reason returns an enum gh_status; the HTTP layer maps it
 * to the contract's answer in one place (gh_respond_status()).
 *
 * Promises: GH_OK is 0; GH_UNAVAILABLE always means "try again later"
 * (503), never a client's mistake; GH_DB_ERROR is kept for a statement the
 * database refused (its libpq text is in gh_db_error()); what fails
 * outside the database (memory, the clock, signing, bcrypt) is GH_NOMEM or
 * GH_INTERNAL, so a log never blames the database for it.
 */
#ifndef GH_STATUS_H
#define GH_STATUS_H

enum gh_status {
	GH_OK = 0,
	GH_UNAVAILABLE,		/* the database cannot be reached: 503 */
	GH_CONFLICT,		/* a unique or foreign key refused a row */
	GH_NOT_FOUND,		/* no such row, or not the caller's */
	GH_DB_ERROR,		/* the database refused a statement: a bug */
	GH_NOMEM,		/* out of memory */
	GH_INTERNAL,		/* clock, signing, randomness, bcrypt */
	GH_LAST_ADMIN		/* the change would leave no active admin */
};

/* A short name for logs ("unavailable", "conflict", ...). */
const char	*gh_status_str(enum gh_status);

#endif
