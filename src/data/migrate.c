/*
 * migrate: numbered SQL files into schema_migrations, and the programs'
 * grants replayed.  See migrate.h.
 *
 * The files are DDL written by us, run whole through gh_db_script(), and
 * so are their grant blocks when replayed and the few statements built
 * here from the constant role names; every other query, here as
 * everywhere, is a prepared statement.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "core/log.h"
#include "core/str.h"
#include "data/db.h"
#include "data/migrate.h"

/* Far above any schema change we write; a bigger file is a mistake. */
#define MIGRATION_FILE_MAX	(1024 * 1024)
/* NNN_name.sql: the number orders the files, the name says what it does. */
#define MIGRATION_DIGITS	3
#define MIGRATION_SUFFIX	".sql"
#define MIGRATION_SUFFIX_LEN	(sizeof(MIGRATION_SUFFIX) - 1)
/* As many files as three digits can number. */
#define MIGRATIONS_MAX		1000

/* A grant block: "DO $grants$" at the start of a line up to "$grants$;". */
#define BLOCK_START		"DO "
#define BLOCK_START_LEN		(sizeof(BLOCK_START) - 1)

/* Any fixed number will do; it only has to be ours alone. */
#define MIGRATE_LOCK_KEY	"7195641327"

static const struct gh_stmt stmt_lock = {
	"gh_migrate_lock", "SELECT pg_advisory_lock($1::bigint)", 1
};
static const struct gh_stmt stmt_unlock = {
	"gh_migrate_unlock", "SELECT pg_advisory_unlock($1::bigint)", 1
};
static const struct gh_stmt stmt_table_exists = {
	"gh_migrate_table_exists",
	"SELECT to_regclass('schema_migrations') IS NOT NULL", 0
};
static const struct gh_stmt stmt_checksum = {
	"gh_migrate_checksum",
	"SELECT checksum, to_char(applied_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	"FROM schema_migrations WHERE version = $1", 1
};
static const struct gh_stmt stmt_record = {
	"gh_migrate_record",
	"INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", 2
};

/* What serve.c connects as: "gatehouse_" and each program's name. */
const char *const gh_program_roles[] = {
	"gatehouse_admin", "gatehouse_authorize", "gatehouse_health",
	"gatehouse_login", "gatehouse_me", "gatehouse_register",
	"gatehouse_wellknown", NULL
};

/* The dollar-quote tags of grant blocks ($roles$: 005 and 013). */
static const char *const block_tags[] = { "$grants$", "$roles$", NULL };

static const struct gh_stmt stmt_roles_missing = {
	"gh_migrate_roles_missing",
	"SELECT coalesce(string_agg(r, ', ' ORDER BY r), '') "
	"FROM unnest($1::text[]) r "
	"WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)", 1
};

/*
 * CREATE POLICY is the one statement of a grant block that cannot run
 * twice: the replay starts without the policies on the roles, and the
 * blocks that made them make them again.  %s: the roles, quoted.
 */
static const char drop_policies[] =
	"DO $drop$\n"
	"DECLARE\n"
	"\tp\trecord;\n"
	"BEGIN\n"
	"\tFOR p IN SELECT schemaname, tablename, policyname FROM pg_policies\n"
	"\t    WHERE roles && ARRAY[%s]::name[] LOOP\n"
	"\t\tEXECUTE format('DROP POLICY %%I ON %%I.%%I', p.policyname,\n"
	"\t\t    p.schemaname, p.tablename);\n"
	"\tEND LOOP;\n"
	"END\n"
	"$drop$";

/* As 005 makes them; %s: the roles, quoted. */
static const char roles_sql[] =
	"-- The database roles of gatehouse's programs (gatehouse roles-sql).\n"
	"-- Run once per PostgreSQL cluster, as a superuser or a role with\n"
	"-- CREATEROLE, then run `gatehouse migrate` again as the database's\n"
	"-- owner: it grants each role what its program needs.\n"
	"--     gatehouse roles-sql | psql -X -v ON_ERROR_STOP=1 -d DATABASE\n"
	"-- Each role may log in and has no other right: let it in by peer or\n"
	"-- trust on a unix socket, or give it a password (ALTER ROLE ...\n"
	"-- PASSWORD) for the programs' passfile (docs/DEPLOY.md).  A role that\n"
	"-- exists is left as it is: running this again changes nothing.\n"
	"DO $roles$\n"
	"DECLARE\n"
	"\tr\ttext;\n"
	"BEGIN\n"
	"\tFOREACH r IN ARRAY ARRAY[%s] LOOP\n"
	"\t\tIF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN\n"
	"\t\t\tEXECUTE format('CREATE ROLE %%I LOGIN', r);\n"
	"\t\tEND IF;\n"
	"\tEND LOOP;\n"
	"END\n"
	"$roles$;\n";

static const char create_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version text PRIMARY KEY,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

struct migration {
	char	 version[256];		/* the file name */
	char	 checksum[SHA256_DIGEST_LENGTH * 2 + 1];
	char	*sql;
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* NNN_name.sql with a lower-case name: nothing else is a migration. */
static int
is_migration_name(const char *name)
{
	size_t	 i, len;

	len = strlen(name);
	/* The digits, '_', at least one name character, the suffix. */
	if (len < MIGRATION_DIGITS + 2 + MIGRATION_SUFFIX_LEN ||
	    len >= sizeof(((struct migration *)0)->version))
		return 0;
	for (i = 0; i < MIGRATION_DIGITS; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	if (name[MIGRATION_DIGITS] != '_' ||
	    strcmp(name + len - MIGRATION_SUFFIX_LEN, MIGRATION_SUFFIX) != 0)
		return 0;
	for (i = MIGRATION_DIGITS + 1; i < len - MIGRATION_SUFFIX_LEN; i++)
		if (!is_name_char(name[i]))
			return 0;
	return 1;
}

static int
select_migration(const struct dirent *d)
{
	return is_migration_name(d->d_name);
}

static int
read_migration(const char *dir, const char *name, struct migration *m,
    char *err, size_t errsz)
{
	char		 path[4096];
	unsigned char	 digest[SHA256_DIGEST_LENGTH];
	FILE		*f = NULL;
	struct stat	 st;
	size_t		 n;
	int		 rc = -1, len;

	len = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		seterr(err, errsz, "%s/%s: path too long", dir, name);
		goto out;
	}
	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size <= 0 || st.st_size > MIGRATION_FILE_MAX) {
		seterr(err, errsz, "%s: empty or larger than 1 MiB", path);
		goto out;
	}
	if ((m->sql = malloc((size_t)st.st_size + 1)) == NULL) {
		seterr(err, errsz, "out of memory");
		goto out;
	}
	n = fread(m->sql, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size || memchr(m->sql, '\0', n) != NULL) {
		seterr(err, errsz, "%s: short read or NUL byte", path);
		goto out;
	}
	m->sql[n] = '\0';
	SHA256((const unsigned char *)m->sql, n, digest);
	if (gh_str_hex(digest, sizeof(digest), m->checksum,
	    sizeof(m->checksum)) == -1) {
		seterr(err, errsz, "%s: cannot format its checksum", path);
		goto out;
	}
	(void)snprintf(m->version, sizeof(m->version), "%s", name);
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

static void
free_migrations(struct migration *ms, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		free(ms[i].sql);
	free(ms);
}

/* Reads every migration of dir, sorted by name; -1 with err on failure. */
static int
load_migrations(const char *dir, struct migration **out, char *err,
    size_t errsz)
{
	struct dirent	**names = NULL;
	struct migration *ms = NULL;
	int		  i, n, rc = -1;

	*out = NULL;
	if ((n = scandir(dir, &names, select_migration, alphasort)) == -1) {
		seterr(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (n == 0 || n > MIGRATIONS_MAX) {
		seterr(err, errsz, "%s: no migration files (NNN_name.sql)", dir);
		goto out;
	}
	if ((ms = calloc((size_t)n, sizeof(*ms))) == NULL) {
		seterr(err, errsz, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (read_migration(dir, names[i]->d_name, &ms[i], err,
		    errsz) == -1)
			goto out;
	*out = ms;
	ms = NULL;
	rc = n;
out:
	if (ms != NULL)
		free_migrations(ms, n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * Looks up one version: 1 and its checksum and time when applied, 0 when
 * not, or a negative enum gh_status when the query failed.
 */
static int
lookup(struct gh_db *db, const char *version, char *checksum, size_t csz,
    char *when, size_t wsz, enum gh_status *st)
{
	const char	*params[1] = { version };
	PGresult	*res;
	int		 found;

	if ((*st = gh_db_exec(db, &stmt_checksum, params, &res)) != GH_OK)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		(void)snprintf(checksum, csz, "%s", PQgetvalue(res, 0, 0));
		(void)snprintf(when, wsz, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return found;
}

static enum gh_status
apply_one(struct gh_db *db, const struct migration *m, char *err,
    size_t errsz)
{
	const char		*params[2] = { m->version, m->checksum };
	enum gh_status		 st;

	if ((st = gh_db_begin(db)) != GH_OK)
		goto fail;
	if ((st = gh_db_script(db, m->sql)) != GH_OK)
		goto fail;
	if ((st = gh_db_run(db, &stmt_record, params)) != GH_OK)
		goto fail;
	if ((st = gh_db_commit(db)) != GH_OK)
		goto fail;
	gh_log(GH_LOG_INFO, "migrate: applied %s", m->version);
	return GH_OK;
fail:
	seterr(err, errsz, "%s: %s", m->version, gh_db_error(db));
	gh_db_rollback(db);
	return st;
}

static enum gh_status
apply_pending(struct gh_db *db, const struct migration *ms, int n,
    int *applied, char *err, size_t errsz)
{
	char			 sum[128], when[64];
	enum gh_status		 st = GH_OK;
	int			 i, found;

	for (i = 0; i < n; i++) {
		found = lookup(db, ms[i].version, sum, sizeof(sum), when,
		    sizeof(when), &st);
		if (found < 0) {
			seterr(err, errsz, "%s", gh_db_error(db));
			return st;
		}
		if (found && strcmp(sum, ms[i].checksum) != 0) {
			seterr(err, errsz, "%s was changed after it was applied"
			    " on %s; applied migrations never change: put the"
			    " change in a new file", ms[i].version, when);
			return GH_DB_ERROR;
		}
		if (found)
			continue;
		if ((st = apply_one(db, &ms[i], err, errsz)) != GH_OK)
			return st;
		(*applied)++;
	}
	return GH_OK;
}

/*
 * The program roles joined into out: "'a', 'b'" (quoted: SQL literals)
 * or "{a,b}" (an array's text).  The names are ours and plain, so no
 * quoting is needed beyond this.  -1 when out is too small.
 */
static int
join_roles(int literals, char *out, size_t outsz)
{
	size_t	 i, n = 0;
	int	 len;

	out[0] = '\0';
	for (i = 0; gh_program_roles[i] != NULL; i++) {
		len = snprintf(out + n, outsz - n, literals ? "%s'%s'" : "%s%s",
		    i == 0 ? (literals ? "" : "{") : (literals ? ", " : ","),
		    gh_program_roles[i]);
		if (len < 0 || (size_t)len >= outsz - n)
			return -1;
		n += (size_t)len;
	}
	if (!literals) {
		if (n + 2 > outsz)
			return -1;
		out[n++] = '}';
		out[n] = '\0';
	}
	return 0;
}

enum gh_status
gh_migrate_roles_missing(struct gh_db *db, char *out, size_t outsz)
{
	char			 roles[GH_MIGRATE_ROLES_MAX];
	const char		*params[1] = { roles };
	PGresult		*res;
	enum gh_status		 st;

	out[0] = '\0';
	if (join_roles(0, roles, sizeof(roles)) == -1)
		return GH_INTERNAL;
	if ((st = gh_db_exec(db, &stmt_roles_missing, params, &res)) != GH_OK)
		return st;
	if (PQntuples(res) == 1)
		(void)snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return GH_OK;
}

int
gh_migrate_roles_sql(FILE *out)
{
	char	 roles[GH_MIGRATE_ROLES_MAX];

	if (join_roles(1, roles, sizeof(roles)) == -1)
		return -1;
	if (fprintf(out, roles_sql, roles) < 0 || fflush(out) == EOF)
		return -1;
	return 0;
}

/*
 * The next grant block of sql at or after *pos: its start and length,
 * *pos moved past it; 0 when there is none.
 */
static int
next_block(const char *sql, const char **pos, const char **start,
    size_t *len)
{
	const char	*p, *end;
	size_t		 i, tlen;

	for (p = *pos; (p = strstr(p, BLOCK_START)) != NULL; p++) {
		if (p != sql && p[-1] != '\n')
			continue;
		for (i = 0; block_tags[i] != NULL; i++) {
			tlen = strlen(block_tags[i]);
			if (strncmp(p + BLOCK_START_LEN, block_tags[i],
			    tlen) != 0)
				continue;
			end = p + BLOCK_START_LEN + tlen;
			while ((end = strstr(end, block_tags[i])) != NULL &&
			    end[tlen] != ';')
				end += tlen;
			if (end == NULL)
				break;
			*start = p;
			*len = (size_t)(end + tlen + 1 - p);
			*pos = end + tlen + 1;
			return 1;
		}
	}
	return 0;
}

static enum gh_status
replay_file(struct gh_db *db, const struct migration *m)
{
	const char	*pos = m->sql, *start;
	char		*block;
	size_t		 len;
	enum gh_status	 st;

	while (next_block(m->sql, &pos, &start, &len)) {
		if ((block = strndup(start, len)) == NULL)
			return GH_NOMEM;
		st = gh_db_script(db, block);
		free(block);
		if (st != GH_OK)
			return st;
	}
	return GH_OK;
}

/* Every grant block of ms, in order, in one transaction. */
static enum gh_status
replay_grants(struct gh_db *db, const struct migration *ms, int n,
    char *err, size_t errsz)
{
	char		 roles[GH_MIGRATE_ROLES_MAX], sql[sizeof(drop_policies) +
			    GH_MIGRATE_ROLES_MAX];
	enum gh_status	 st;
	int		 i, len;

	if (join_roles(1, roles, sizeof(roles)) == -1 ||
	    (len = snprintf(sql, sizeof(sql), drop_policies, roles)) < 0 ||
	    (size_t)len >= sizeof(sql)) {
		seterr(err, errsz, "replaying the grants: too many roles");
		return GH_INTERNAL;
	}
	if ((st = gh_db_begin(db)) != GH_OK ||
	    (st = gh_db_script(db, sql)) != GH_OK) {
		seterr(err, errsz, "replaying the grants: %s", gh_db_error(db));
		goto fail;
	}
	for (i = 0; i < n; i++)
		if ((st = replay_file(db, &ms[i])) != GH_OK) {
			seterr(err, errsz, "%s: replaying its grants: %s",
			    ms[i].version, st == GH_NOMEM ? "out of memory" :
			    gh_db_error(db));
			goto fail;
		}
	if ((st = gh_db_commit(db)) != GH_OK) {
		seterr(err, errsz, "replaying the grants: %s", gh_db_error(db));
		goto fail;
	}
	return GH_OK;
fail:
	gh_db_rollback(db);
	return st;
}

enum gh_status
gh_migrate_up(struct gh_db *db, const char *dir, int *applied, char *err,
    size_t errsz)
{
	char			 missing[GH_MIGRATE_ROLES_MAX];
	const char		*key[1] = { MIGRATE_LOCK_KEY };
	struct migration	*ms = NULL;
	enum gh_status		 st;
	int			 n, locked = 0;

	*applied = 0;
	if ((n = load_migrations(dir, &ms, err, errsz)) == -1)
		return GH_DB_ERROR;
	if ((st = gh_db_run(db, &stmt_lock, key)) != GH_OK) {
		seterr(err, errsz, "%s", gh_db_error(db));
		goto out;
	}
	locked = 1;
	if ((st = gh_db_script(db, create_table)) != GH_OK) {
		seterr(err, errsz, "%s", gh_db_error(db));
		goto out;
	}
	if ((st = apply_pending(db, ms, n, applied, err, errsz)) != GH_OK)
		goto out;
	if ((st = gh_migrate_roles_missing(db, missing, sizeof(missing))) !=
	    GH_OK) {
		seterr(err, errsz, "%s", gh_db_error(db));
		goto out;
	}
	if (missing[0] == '\0')
		st = replay_grants(db, ms, n, err, errsz);
out:
	if (locked)
		(void)gh_db_run(db, &stmt_unlock, key);
	free_migrations(ms, n);
	return st;
}

static enum gh_status
table_exists(struct gh_db *db, int *exists)
{
	PGresult		*res;
	enum gh_status		 st;

	if ((st = gh_db_exec(db, &stmt_table_exists, NULL, &res)) != GH_OK)
		return st;
	*exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return GH_OK;
}

enum gh_status
gh_migrate_status(struct gh_db *db, const char *dir, FILE *out, int *pending,
    char *err, size_t errsz)
{
	char			 sum[128], when[64];
	struct migration	*ms = NULL;
	enum gh_status		 st;
	int			 i, n, found = 0, exists;

	*pending = 0;
	if ((n = load_migrations(dir, &ms, err, errsz)) == -1)
		return GH_DB_ERROR;
	if ((st = table_exists(db, &exists)) != GH_OK) {
		seterr(err, errsz, "%s", gh_db_error(db));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (exists && (found = lookup(db, ms[i].version, sum,
		    sizeof(sum), when, sizeof(when), &st)) < 0) {
			seterr(err, errsz, "%s", gh_db_error(db));
			goto out;
		}
		if (!found) {
			(*pending)++;
			fprintf(out, "%-40s pending\n", ms[i].version);
		} else if (strcmp(sum, ms[i].checksum) != 0)
			fprintf(out, "%-40s CHANGED since applied %s\n",
			    ms[i].version, when);
		else
			fprintf(out, "%-40s applied %s\n", ms[i].version, when);
	}
	st = GH_OK;
out:
	free_migrations(ms, n);
	return st;
}
