/*
 * config: one table of keys drives the defaults, the file, the environment
 * and the range checks, so a key cannot be known to one and not another.
 * See config.h for the promises.
 *
 * No message ever quotes a value: the secret is a value, and so may be a
 * database URL with a password in it.  Messages name the key and the line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/b64url.h"
#include "core/config.h"
#include "core/nextpath.h"
#include "core/str.h"

/* Far above any real file; a bigger one is a mistake, not a config. */
#define CONFIG_FILE_MAX		(64 * 1024)
/* Longest value we copy out of a line: above every field in the struct. */
#define VALUE_MAX		2048
#define KEY_MAX			64
/* Room for the words a message puts around a name or a path. */
#define WHERE_WORDS		32
/* The example's section rules end at this column, short of 80. */
#define EXAMPLE_RULE_WIDTH	72

enum key_type {
	KT_STRING,		/* char[]; NUL-terminated, bounded by size */
	KT_SECRET,		/* jwt_secret with jwt_secret_len */
	KT_INT,			/* int within min..max */
	KT_SIZE,		/* size_t within min..max */
	KT_BOOL,
	KT_ALG,			/* enum gh_jwt_alg */
	KT_REGISTRATION,	/* enum gh_registration */
	KT_LOG_LEVEL		/* enum gh_log_level */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
	size_t		 size;	/* of the field, checked by type */
	long		 min;
	long		 max;
	const char	*def;	/* the default, spelt as in the file */
	const char	*section;	/* non-NULL: opens this section */
	const char	*help;	/* the example's comment, '\n' a line */
};

#define FIELD(m) \
	offsetof(struct gh_config, m), sizeof(((struct gh_config *)0)->m)

/*
 * The example file's text before the first key.  It and the table are all
 * of etc/gatehouse.conf.example: gh_config_write_example() prints them,
 * and test_config holds the committed file to its output.
 */
static const char example_head[] =
	"gatehouse.conf: every key with its default.\n"
	"\n"
	"gatehouse reads the file named by the GATEHOUSE_CONFIG environment\n"
	"variable.  When that is not set, it reads a file named\n"
	"gatehouse.conf in the directory of the running program, if there is\n"
	"one (shared hosting, where nothing can set the programs'\n"
	"environment: see etc/shared-hosting/README.md; keep such a file\n"
	"where the web server refuses to serve it).  Each key can be\n"
	"overridden by an environment variable of the same name in upper\n"
	"case: DATABASE_URL, JWT_SECRET, JWT_SECRET_FILE, BCRYPT_COST, ...\n"
	"An empty variable counts: JWT_SECRET_FILE= clears a jwt_secret_file\n"
	"set here.\n"
	"\n"
	"Syntax: \"key = value\", one per line.  Comments take a whole line,\n"
	"starting with '#'.  A value may be put in double quotes (to keep\n"
	"leading or trailing spaces); there are no escapes.  Unknown keys are\n"
	"errors.";

static const struct key keys[] = {
	{ "database_url", KT_STRING, FIELD(database_url), 0, 0, "",
	  "database",
	  "Where the programs connect: a libpq connection string or URI\n"
	  "naming the server and the database (empty: libpq's defaults,\n"
	  "PGHOST, ...).  With database_program_roles (the default) each\n"
	  "program connects as its own role, gatehouse_<program>, whatever\n"
	  "user this names, and a password here is refused: give each role's\n"
	  "password in a passfile (passfile=/etc/gatehouse/pgpass here, one\n"
	  "line a role), or let the roles in by peer or trust on a unix\n"
	  "socket.  See docs/DEPLOY.md." },
	{ "admin_database_url", KT_STRING, FIELD(admin_database_url), 0, 0, "",
	  NULL,
	  "The owner's connection string, for `gatehouse migrate`, `user` and\n"
	  "`cleanup` only.  It belongs in the admin config, not here: a file\n"
	  "readable by root alone that only the `gatehouse` command reads\n"
	  "($GATEHOUSE_ADMIN_CONFIG, else gatehouse-admin.conf beside this\n"
	  "file).  A program that finds it set refuses to start.  Empty: the\n"
	  "command uses database_url." },
	{ "statement_timeout_ms", KT_INT, FIELD(statement_timeout_ms),
	  1, 600000, "5000", NULL,
	  "Longest a single query may run, in milliseconds (1 to 600000)." },
	{ "database_program_roles", KT_BOOL, FIELD(database_program_roles),
	  0, 0, "true", NULL,
	  "Each program connects as its own least-privileged role\n"
	  "(gatehouse_login, gatehouse_me, ...; `gatehouse migrate` makes\n"
	  "them and grants each its rights) instead of the user of\n"
	  "database_url.  A migrating user without CREATEROLE (a hosted\n"
	  "PostgreSQL) cannot make them: then `gatehouse migrate` fails and\n"
	  "says so.  Have a superuser run what `gatehouse roles-sql` prints,\n"
	  "once, and migrate again; or set this false, and every program\n"
	  "connects as the user of database_url." },

	{ "jwt_secret", KT_SECRET, FIELD(jwt_secret), 0, 0, "",
	  "tokens",
	  "HMAC key for access tokens, at least as long as the algorithm's\n"
	  "hash (RFC 7518 3.2: 32 bytes for HS256, 48 for HS384, 64 for\n"
	  "HS512) and not a pattern (at least 8 different bytes, no part\n"
	  "repeated): make one with `gatehouse secret` (64 characters, enough\n"
	  "for all three).  This example value is refused on purpose." },
	{ "jwt_secret_file", KT_STRING, FIELD(jwt_secret_file), 0, 0, "", NULL,
	  "A file holding the key instead (one trailing newline is ignored);\n"
	  "set either jwt_secret or jwt_secret_file, not both.  Only the\n"
	  "programs that sign or check tokens read it." },
	{ "key_encryption_key_file", KT_STRING,
	  FIELD(key_encryption_key_file), 0, 0, "", NULL,
	  "With ES256, EdDSA or RS256: a file holding the key-encryption key\n"
	  "the signing keys are sealed with in the database (32 random bytes\n"
	  "as base64url: `gatehouse secret --kek`), readable by nobody else\n"
	  "(chmod 0600, or root:<the web server's group> 0640).  Only the\n"
	  "programs that sign (login) and the `gatehouse keys` command read\n"
	  "it; a database dump without it holds no usable private key." },
	{ "jwt_algorithm", KT_ALG, FIELD(jwt_algorithm), 0, 0, "", NULL,
	  "Signing algorithm: ES256 (P-256), EdDSA (Ed25519) or RS256, with\n"
	  "keys made by `gatehouse keys generate` and published at\n"
	  "/.well-known/jwks.json, so that other services verify tokens\n"
	  "without holding a secret; or HS256, HS384, HS512 with jwt_secret.\n"
	  "Empty: HS256 when a jwt_secret or jwt_secret_file is set, else\n"
	  "ES256.  Verification accepts this one algorithm only." },
	{ "jwt_issuer", KT_STRING, FIELD(jwt_issuer), 0, 0, "gatehouse", NULL,
	  "The iss claim put in tokens and required of them." },
	{ "jwt_audience", KT_STRING, FIELD(jwt_audience), 0, 0, "", NULL,
	  "The aud claim put in tokens and required of them; empty for none." },
	{ "token_audiences", KT_STRING, FIELD(token_audiences), 0, 0, "",
	  NULL,
	  "Other audiences a login may ask tokens for (its \"audience\"\n"
	  "field), space-separated; empty for none.  A token for one of them\n"
	  "carries it as aud (RFC 7519 4.1.3), keeps it through refreshes,\n"
	  "and is refused by the API itself: give such a token to a\n"
	  "protected application, whose authorizer location asks for that\n"
	  "audience (authorize --audience NAME), and the application cannot\n"
	  "replay it against /api/admin.  Each name at most 128 printable\n"
	  "characters, not jwt_audience." },
	{ "jwt_leeway_seconds", KT_INT, FIELD(jwt_leeway_seconds), 0, 300,
	  "30", NULL,
	  "How far a token's iat or nbf may lie in the future, in seconds (0\n"
	  "to 300): the clock of the node that signed it may run ahead.  exp\n"
	  "is never extended." },
	{ "jwks_max_age_seconds", KT_INT, FIELD(jwks_max_age_seconds), 1,
	  86400, "300", NULL,
	  "How long other services may cache the key set (Cache-Control\n"
	  "max-age of /.well-known/jwks.json), in seconds (1 to 86400).  A\n"
	  "key made by `gatehouse keys rotate` is published at once and signs\n"
	  "only this much later, when every cache has it." },
	{ "access_token_expire_minutes", KT_INT,
	  FIELD(access_token_expire_minutes), 1, 1440, "15", NULL,
	  "Access token lifetime in minutes (1 to 1440)." },
	{ "refresh_token_expire_days", KT_INT,
	  FIELD(refresh_token_expire_days), 1, 365, "7", NULL,
	  "Refresh token lifetime in days from its issue (1 to 365)." },
	{ "session_max_days", KT_INT, FIELD(session_max_days), 1, 3650, "30",
	  NULL,
	  "A session ends this many days after its login, however often it is\n"
	  "refreshed (1 to 3650; not less than refresh_token_expire_days)." },
	{ "refresh_reuse_grace_seconds", KT_INT,
	  FIELD(refresh_reuse_grace_seconds), 0, 300, "10", NULL,
	  "A just-rotated refresh token reused within this many seconds gets\n"
	  "a new pair instead of revoking the session: two tabs racing (0 to\n"
	  "300)." },

	{ "bcrypt_cost", KT_INT, FIELD(bcrypt_cost), 4, 31, "12",
	  "passwords",
	  "bcrypt work factor for new hashes (4 to 31); older ones are\n"
	  "rehashed at login." },
	{ "password_min_length", KT_INT, FIELD(password_min_length), 1, 72,
	  "8", NULL,
	  "Minimum password length in characters (1 to 72)." },
	{ "password_require_classes", KT_BOOL,
	  FIELD(password_require_classes), 0, 0, "false", NULL,
	  "Require an upper-case letter, a lower-case letter and a digit\n"
	  "(true/false)." },

	{ "registration", KT_REGISTRATION, FIELD(registration), 0, 0, "open",
	  "registration & requests",
	  "Self-registration at /api/auth/register: open or closed." },
	{ "max_body_bytes", KT_SIZE, FIELD(max_body_bytes), 1024, 1048576,
	  "16384", NULL,
	  "Largest request body read, in bytes (1024 to 1048576); larger gets\n"
	  "413." },
	{ "cors_allowed_origins", KT_STRING, FIELD(cors_allowed_origins), 0, 0,
	  "", NULL,
	  "Origins allowed by CORS, comma-separated; empty sends no CORS\n"
	  "headers." },

	{ "login_max_failures_per_account", KT_INT,
	  FIELD(login_max_failures_per_account), 1, 1000, "5",
	  "throttling",
	  "Failed logins for one account within the window before 429 (1 to\n"
	  "1000)." },
	{ "login_max_failures_per_address", KT_INT,
	  FIELD(login_max_failures_per_address), 1, 1000000, "100", NULL,
	  "Failed logins from one client address within the window before 429\n"
	  "(1 to 1000000)." },
	{ "login_max_consecutive_failures", KT_INT,
	  FIELD(login_max_consecutive_failures), 0, 1000000, "100", NULL,
	  "Failed logins for one account in a row, however slow, before its\n"
	  "password logins get 429 until a success or a new password clears\n"
	  "them (0 for no cap; NIST SP 800-63B allows at most 100)." },
	{ "login_failure_window_seconds", KT_INT,
	  FIELD(login_failure_window_seconds), 1, 86400, "900", NULL,
	  "How far back failed logins count, in seconds (1 to 86400).  Before\n"
	  "register_window_seconds existed this was the registration window\n"
	  "too, and it still is in a configuration that does not set\n"
	  "register_window_seconds." },
	{ "register_max_per_address", KT_INT,
	  FIELD(register_max_per_address), 0, 1000000, "20", NULL,
	  "Registrations from one client address within\n"
	  "register_window_seconds before 429 (0 for no limit)." },
	{ "register_window_seconds", KT_INT,
	  FIELD(register_window_seconds), 1, 86400, "900", NULL,
	  "How far back registrations count, in seconds (1 to 86400); when\n"
	  "not set, login_failure_window_seconds." },

	{ "rate_limit_per_minute", KT_INT, FIELD(rate_limit_per_minute), 0,
	  1000000, "600", "request limit",
	  "Requests one client address may make to any endpoint in a minute\n"
	  "on this web node, before 429 with Retry-After (0 to 1000000; 0\n"
	  "turns the limit off).  Counted in memory the node's programs share\n"
	  "(rate_limit_dir), no database write: each node limits on its own." },
	{ "rate_limit_entries", KT_INT, FIELD(rate_limit_entries), 64,
	  1048576, "16384", NULL,
	  "Client addresses the shared table counts at once, 8 bytes each\n"
	  "(64 to 1048576); past it an address shares a slot with another and\n"
	  "is limited a little sooner, never later." },
	{ "rate_limit_dir", KT_STRING, FIELD(rate_limit_dir), 0, 0,
	  "/dev/shm", NULL,
	  "The directory (a tmpfs) of the shared table's file, which every\n"
	  "program of the node maps.  Where it cannot be made or mapped (a\n"
	  "shared host that allows no shared memory) the limit switches itself\n"
	  "off and says so in the log." },
	{ "trusted_proxy_header", KT_STRING, FIELD(trusted_proxy_header), 0, 0,
	  "", NULL,
	  "Behind a reverse proxy: the request header (X-Forwarded-For,\n"
	  "X-Real-IP) the proxy sets to the client's address, which then is\n"
	  "the client address for the request limit, throttling and the audit\n"
	  "trail, and nothing else is.  Empty: the connection's own address\n"
	  "(REMOTE_ADDR)." },

	{ "auth_cache_entries", KT_INT, FIELD(auth_cache_entries), 0, 1048576,
	  "4096", "session cache",
	  "Sessions each token-checking program (me, admin, authorize,\n"
	  "login's logout-all) remembers, about 550 bytes each, touched only\n"
	  "as sessions come (plus 8 bytes of index each).  Every process of a\n"
	  "pool sees every session, so size it for the sessions active at\n"
	  "once: past it, the least recently used are asked again.  A\n"
	  "remembered session is used only after a round trip that returns\n"
	  "every change committed before the request (LISTEN gh_auth, fed by\n"
	  "triggers), so a logout, suspension or role change still takes\n"
	  "effect on the very next request.  0 runs the full query on every\n"
	  "request.  Behind a pooler (PgBouncer), which does not carry LISTEN,\n"
	  "a program turns its cache off by itself and logs it; set 0 there\n"
	  "to say so from the start (0 to 1048576)." },
	{ "auth_cache_max_age_seconds", KT_INT,
	  FIELD(auth_cache_max_age_seconds), 1, 3600, "60", NULL,
	  "The longest a remembered session answers before it is asked again\n"
	  "(1 to 3600).  It bounds how late a change is seen should the\n"
	  "notifications stop while the connection stays up (triggers disabled,\n"
	  "session_replication_role = replica during a restore); normally a\n"
	  "change is seen at the next request." },

	{ "auth_cache_max_staleness_ms", KT_INT,
	  FIELD(auth_cache_max_staleness_ms), 0, 60000, "0", NULL,
	  "0 (exact): every request that answers from the cache first makes\n"
	  "its synchronising round trip.  N: a process whose connection\n"
	  "synchronised less than N milliseconds ago answers without it, so a\n"
	  "change committed elsewhere may go unseen for at most N ms (0 to\n"
	  "60000; docs/SCALING.md)." },

	{ "authorizer_cookie", KT_STRING, FIELD(authorizer_cookie), 0, 0, "",
	  "authorizer",
	  "The cookie the authorizer (cgi-bin/authorize) reads the access\n"
	  "token from when no Authorization header is sent.  Empty: the\n"
	  "sign-in cookie the login page sets (gh_access, __Host-gh_access\n"
	  "with cookie_secure); set a name only for a cookie of your own." },
	{ "authorizer_login_url", KT_STRING, FIELD(authorizer_login_url), 0, 0,
	  "/auth/login", NULL,
	  "Where the authorizer sends a browser (Accept: text/html) that has\n"
	  "no live token, with a 302 and ?next=<the page, path and query,\n"
	  "percent-encoded>: gatehouse's own sign-in page by default, or\n"
	  "another URL.  Empty or none: a 401 instead, as an API client\n"
	  "gets." },

	{ "cookie_secure", KT_BOOL, FIELD(cookie_secure), 0, 0, "true",
	  "browser sign-in",
	  "The sign-in cookies (gh_access, gh_refresh, gh_csrf) are Secure and\n"
	  "named __Host-gh_access, __Secure-gh_refresh and __Host-gh_csrf, so a\n"
	  "browser sends them only over HTTPS and no other site or subdomain\n"
	  "can set them.  false drops both, for plain-HTTP development on\n"
	  "127.0.0.1 only." },
	{ "site_name", KT_STRING, FIELD(site_name), 0, 0, "gatehouse", NULL,
	  "The name the sign-in pages (/auth/login, /auth/register) show in\n"
	  "their title and heading; at most 127 bytes." },
	{ "site_stylesheet", KT_STRING, FIELD(site_stylesheet), 0, 0, "", NULL,
	  "The URL path of the site's own stylesheet, linked by the pages after\n"
	  "gatehouse's /auth/gatehouse.css so it can restyle them: a path on\n"
	  "this site (/css/site.css), never another host's; empty for none." },
	{ "templates_dir", KT_STRING, FIELD(templates_dir), 0, 0, "", NULL,
	  "A directory of page templates (login.html, register.html,\n"
	  "message.html; docs/DEPLOY.md lists their {{placeholders}}) read\n"
	  "once when a program starts; a file not there keeps the built-in\n"
	  "page.  Empty: the built-in pages." },

	{ "public_base_url", KT_STRING, FIELD(public_base_url), 0, 0, "",
	  "discovery",
	  "The URL clients reach gatehouse at, as http(s)://host[:port][/path]\n"
	  "without a query: the endpoints named in\n"
	  "/.well-known/oauth-authorization-server are built on it.  Empty:\n"
	  "built from each request's own scheme and Host header (checked\n"
	  "strictly).  Set it behind a proxy or TLS terminator, whose\n"
	  "requests gatehouse sees with another scheme or host.  The links in\n"
	  "mail are built on it alone, never on a Host header: without it\n"
	  "the recovery and verification endpoints answer 503." },

	{ "mail_command", KT_STRING, FIELD(mail_command), 0, 0,
	  "/usr/sbin/sendmail -t -i", "mail",
	  "The sendmail-compatible command recovery and verification mail is\n"
	  "handed to (the message on its standard input, recipients in its\n"
	  "To: header), as PHP's mail() does: sendmail, msmtp -t, or a\n"
	  "wrapper of your own.  Split on spaces, no shell; run after the\n"
	  "response is finished; a failure is logged (docs/DEPLOY.md, Mail)." },
	{ "mail_from", KT_STRING, FIELD(mail_from), 0, 0, "", NULL,
	  "The From: address of gatehouse's mail (noreply@example.com).\n"
	  "Empty: noreply@ and the host of public_base_url." },
	{ "reset_token_minutes", KT_INT, FIELD(reset_token_minutes), 1, 1440,
	  "30", NULL,
	  "How long a password reset link works, in minutes (1 to 1440)." },
	{ "reset_max_per_hour", KT_INT, FIELD(reset_max_per_hour), 1, 100,
	  "3", NULL,
	  "Reset messages one account is sent in an hour, at most (1 to 100);\n"
	  "past it POST /api/auth/password/forgot still answers 202 and sends\n"
	  "nothing." },
	{ "verify_token_hours", KT_INT, FIELD(verify_token_hours), 1, 720,
	  "48", NULL,
	  "How long an email verification link works, in hours (1 to 720)." },
	{ "require_verified_email", KT_BOOL, FIELD(require_verified_email), 0,
	  0, "false", NULL,
	  "A correct password for an account whose email is not verified gets\n"
	  "403 email_not_verified instead of tokens (an account with no email\n"
	  "too)." },

	{ "audit_retention_days", KT_INT, FIELD(audit_retention_days), 1,
	  36500, "365", "operations",
	  "Days an audit trail row is kept: `gatehouse cleanup` deletes older\n"
	  "ones (1 to 36500).  The programs can only add rows (docs/API.md,\n"
	  "Audit)." },
	{ "confine", KT_BOOL, FIELD(confine), 0, 0, "true", NULL,
	  "After start-up each FastCGI program confines itself: a seccomp\n"
	  "filter allows only the system calls it needs, and Landlock (where\n"
	  "the kernel has it) denies file-system writes and most reads.  Set\n"
	  "false only to debug (docs/SECURITY.md, Confinement)." },

	{ "log_level", KT_LOG_LEVEL, FIELD(log_level), 0, 0, "info",
	  "logging",
	  "Lowest level logged to stderr: debug, info, warning or error." },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Puts a message in err (when there is room for one) and returns -1. */
static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	/*
	 * A truncated message still says most of what it should.  (The
	 * analyzer of LLVM 14 loses the va_start above when it inlines a
	 * static variadic function, hence the NOLINT.)
	 */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	if (err != NULL && errsz > 0 && vsnprintf(err, errsz, fmt, ap) < 0)
		(void)snprintf(err, errsz, "configuration error");
	va_end(ap);
	return -1;
}

static const struct key *
find_key(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Not strcasecmp: the answer must not depend on the locale. */
static int
ascii_caseeq(const char *a, const char *b)
{

	return gh_str_eq_nocase(a, strlen(a), b, strlen(b));
}

/* A whole decimal number in min..max, nothing before or after it. */
static int
parse_long(const char *v, long min, long max, long *out)
{
	char	*end;
	long	 n;

	/* strtol would skip leading blanks and take a '+'; we do not. */
	if (!(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno == ERANGE)
		return -1;
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (ascii_caseeq(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (ascii_caseeq(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
parse_registration(const char *v, enum gh_registration *out)
{

	if (ascii_caseeq(v, "open"))
		*out = GH_REGISTRATION_OPEN;
	else if (ascii_caseeq(v, "closed"))
		*out = GH_REGISTRATION_CLOSED;
	else
		return -1;
	return 0;
}

/* The field's size must be the type's: a table mistake, caught here. */
static int
size_ok(const struct key *k)
{

	switch (k->type) {
	case KT_STRING:
		return k->size > 0;
	case KT_SECRET:
		return k->size == sizeof(((struct gh_config *)0)->jwt_secret);
	case KT_INT:
		return k->size == sizeof(int);
	case KT_SIZE:
		return k->size == sizeof(size_t);
	case KT_BOOL:
		return k->size == sizeof(bool);
	case KT_ALG:
		return k->size == sizeof(enum gh_jwt_alg);
	case KT_REGISTRATION:
		return k->size == sizeof(enum gh_registration);
	case KT_LOG_LEVEL:
		return k->size == sizeof(enum gh_log_level);
	}
	return 0;
}

static int
set_secret(struct gh_config *cfg, const struct key *k, const char *v,
    const char *where, char *err, size_t errsz)
{
	size_t	 len;

	len = strlen(v);
	if (len > GH_SECRET_MAX)
		return fail(err, errsz, "%s: %s must be at most %d bytes",
		    where, k->name, GH_SECRET_MAX);
	OPENSSL_cleanse(cfg->jwt_secret, sizeof(cfg->jwt_secret));
	memcpy(cfg->jwt_secret, v, len);
	cfg->jwt_secret[len] = '\0';
	cfg->jwt_secret_len = len;
	return 0;
}

/*
 * Sets key k of cfg from the text v.  where says where v came from, for
 * the message: "gatehouse.conf line 12", "environment variable X".
 */
static int
set_value(struct gh_config *cfg, const struct key *k, const char *v,
    const char *where, char *err, size_t errsz)
{
	void			*p = (char *)cfg + k->off;
	long			 n;
	int			 i;
	size_t			 sz;
	bool			 b;
	enum gh_jwt_alg		 alg;
	enum gh_registration	 reg;
	enum gh_log_level	 level;

	if (!size_ok(k))
		return fail(err, errsz, "%s: %s: internal error (key table)",
		    where, k->name);

	switch (k->type) {
	case KT_STRING:
		sz = strlen(v);
		if (sz >= k->size)
			return fail(err, errsz, "%s: %s must be at most %zu "
			    "bytes", where, k->name, k->size - 1);
		memcpy(p, v, sz + 1);
		return 0;
	case KT_SECRET:
		return set_secret(cfg, k, v, where, err, errsz);
	case KT_INT:
		if (parse_long(v, k->min, k->max, &n) == -1)
			break;
		i = (int)n;
		memcpy(p, &i, sizeof(i));
		return 0;
	case KT_SIZE:
		if (parse_long(v, k->min, k->max, &n) == -1)
			break;
		sz = (size_t)n;
		memcpy(p, &sz, sizeof(sz));
		return 0;
	case KT_BOOL:
		if (parse_bool(v, &b) == -1)
			break;
		memcpy(p, &b, sizeof(b));
		return 0;
	case KT_ALG:
		/* Empty: chosen at load by whether a secret is configured. */
		if (v[0] == '\0')
			alg = GH_JWT_HS256;
		else if (gh_jwt_alg_lookup(v, &alg) == -1)
			break;
		memcpy(p, &alg, sizeof(alg));
		return 0;
	case KT_REGISTRATION:
		if (parse_registration(v, &reg) == -1)
			break;
		memcpy(p, &reg, sizeof(reg));
		return 0;
	case KT_LOG_LEVEL:
		if (gh_log_parse_level(v, &level) == -1)
			break;
		memcpy(p, &level, sizeof(level));
		return 0;
	}

	switch (k->type) {
	case KT_INT:
	case KT_SIZE:
		return fail(err, errsz, "%s: %s must be a whole number from "
		    "%ld to %ld", where, k->name, k->min, k->max);
	case KT_BOOL:
		return fail(err, errsz, "%s: %s must be true or false",
		    where, k->name);
	case KT_ALG:
		return fail(err, errsz, "%s: %s must be ES256, EdDSA, RS256, "
		    "HS256, HS384 or HS512", where, k->name);
	case KT_REGISTRATION:
		return fail(err, errsz, "%s: %s must be open or closed",
		    where, k->name);
	case KT_LOG_LEVEL:
		return fail(err, errsz, "%s: %s must be debug, info, warning "
		    "or error", where, k->name);
	case KT_STRING:
	case KT_SECRET:
		break;
	}
	return fail(err, errsz, "%s: %s has a bad value", where, k->name);
}

/*
 * login_failure_window_seconds was every window before
 * register_window_seconds came: a configuration that names only the old
 * key keeps the meaning it had, and one that names the new key, in any
 * order and from any source, gets what it says.
 */
static void
follow_old_window(struct gh_config *cfg, const struct key *k)
{

	if (k->off == offsetof(struct gh_config, register_window_seconds))
		cfg->register_window_given = true;
	else if (k->off ==
	    offsetof(struct gh_config, login_failure_window_seconds) &&
	    !cfg->register_window_given)
		cfg->register_window_seconds =
		    cfg->login_failure_window_seconds;
}

/* Sets k from a file or the environment, as the operator asked. */
static int
apply(struct gh_config *cfg, const struct key *k, const char *v,
    const char *where, char *err, size_t errsz)
{

	if (set_value(cfg, k, v, where, err, errsz) == -1)
		return -1;
	follow_old_window(cfg, k);
	if (k->off == offsetof(struct gh_config, jwt_algorithm))
		cfg->jwt_algorithm_given = v[0] != '\0';
	return 0;
}

void
gh_config_defaults(struct gh_config *cfg)
{
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++) {
		/* Only a mistake in the table fails; test_config runs this. */
		if (set_value(cfg, &keys[i], keys[i].def, "default", NULL,
		    0) == -1)
			abort();
	}
}

static int
is_blank(char c)
{

	return c == ' ' || c == '\t' || c == '\r';
}

static int
is_key_char(char c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Applies one line, s[0..len) without its newline. */
static int
parse_line(struct gh_config *cfg, const char *s, size_t len,
    const char *where, char *err, size_t errsz)
{
	char		 key[KEY_MAX], value[VALUE_MAX];
	const struct key *k;
	size_t		 klen, vlen;
	int		 rc = -1;

	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	if (len == 0 || s[0] == '#')
		return 0;
	if (memchr(s, '\0', len) != NULL)
		return fail(err, errsz, "%s: contains a NUL byte", where);

	klen = 0;
	while (klen < len && is_key_char(s[klen]))
		klen++;
	if (klen == 0 || klen >= sizeof(key))
		return fail(err, errsz, "%s: expected \"key = value\"", where);
	memcpy(key, s, klen);
	key[klen] = '\0';
	s += klen;
	len -= klen;

	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}
	/* Not naming the word: a secret pasted alone on a line is one. */
	if (len == 0 || s[0] != '=')
		return fail(err, errsz, "%s: expected \"key = value\"", where);
	s++;
	len--;
	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}

	if ((k = find_key(key)) == NULL) {
		/* Too short to be a secret we would accept: safe to show. */
		if (klen < GH_SECRET_MIN)
			return fail(err, errsz, "%s: unknown key %s", where,
			    key);
		return fail(err, errsz, "%s: unknown key", where);
	}

	if (len > 0 && s[0] == '"') {
		if (len < 2 || s[len - 1] != '"')
			return fail(err, errsz, "%s: %s has an unclosed quote",
			    where, key);
		s++;
		len -= 2;
	}
	if (len >= sizeof(value))
		return fail(err, errsz, "%s: %s is too long", where, key);
	memcpy(value, s, len);
	value[len] = '\0';
	vlen = len;

	rc = apply(cfg, k, value, where, err, errsz);
	/* The value may be the secret. */
	OPENSSL_cleanse(value, vlen);
	return rc;
}

/* name is what messages call the text: a path, or "gatehouse.conf". */
static int
parse_text(struct gh_config *cfg, const char *name, const char *text,
    size_t len, char *err, size_t errsz)
{
	char		 where[GH_CONFIG_ERR_MAX];
	size_t		 pos = 0, lineno = 0;

	while (pos < len) {
		const char	*line = text + pos;
		const char	*nl = memchr(line, '\n', len - pos);
		size_t		 linelen;

		linelen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += linelen + (nl != NULL ? 1 : 0);
		lineno++;
		/* A path too long for where still leaves a useful message. */
		if (snprintf(where, sizeof(where), "%s line %zu", name,
		    lineno) < 0)
			return fail(err, errsz, "%s: cannot format a message",
			    name);
		if (parse_line(cfg, line, linelen, where, err, errsz) == -1)
			return -1;
	}
	return 0;
}

int
gh_config_parse(struct gh_config *cfg, const char *text, size_t len,
    char *err, size_t errsz)
{

	if (cfg == NULL || (text == NULL && len > 0))
		return fail(err, errsz, "gatehouse.conf: nothing to parse");
	return parse_text(cfg, "gatehouse.conf", text, len, err, errsz);
}

/*
 * PostgreSQL's rule for its TLS key file: only the owner may read it, or
 * the owner's group too when root owns it (root:www-data 0640, the web
 * server's group).  Anything else lets another local user read it.
 */
static int
too_open(const struct stat *st)
{
	if ((st->st_mode & S_IRWXO) != 0)
		return 1;
	return st->st_uid != 0 && (st->st_mode & S_IRWXG) != 0;
}

/*
 * Reads at most max bytes of path into buf; returns the length, or -1
 * when the file cannot be read or holds more than max bytes.  what names
 * the file in messages ("jwt_secret_file /run/secret").  *open_to_others
 * says whether too_open() holds for it.
 */
static long
read_bounded(const char *path, const char *what, unsigned char *buf,
    size_t max, int *open_to_others, char *err, size_t errsz)
{
	struct stat	 st;
	size_t	 len = 0;
	ssize_t	 n;
	long	 rc = -1;
	int	 fd;
	char	 extra;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fail(err, errsz, "%s: %s", what, strerror(errno));
	if (fstat(fd, &st) == -1) {
		(void)fail(err, errsz, "%s: %s", what, strerror(errno));
		goto out;
	}
	*open_to_others = too_open(&st);
	for (;;) {
		/* One byte past max tells a full file from a too-big one. */
		if (len < max)
			n = read(fd, buf + len, max - len);
		else
			n = read(fd, &extra, 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			(void)fail(err, errsz, "%s: %s", what,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (len >= max) {
			(void)fail(err, errsz, "%s is larger than %zu bytes",
			    what, max);
			goto out;
		}
		len += (size_t)n;
	}
	rc = (long)len;
out:
	if (close(fd) == -1 && rc != -1)
		rc = fail(err, errsz, "%s: %s", what, strerror(errno));
	/* Part of a file may still be part of a secret. */
	if (rc == -1)
		OPENSSL_cleanse(buf, len);
	return rc;
}

int
gh_config_parse_file(struct gh_config *cfg, const char *path, char *err,
    size_t errsz)
{
	unsigned char	*buf;
	long		 len;
	int		 rc = -1, open_to_others = 0;

	if (cfg == NULL || path == NULL)
		return fail(err, errsz, "no configuration file named");
	if ((buf = calloc(1, CONFIG_FILE_MAX)) == NULL)
		return fail(err, errsz, "%s: out of memory", path);
	len = read_bounded(path, path, buf, CONFIG_FILE_MAX, &open_to_others,
	    err, errsz);
	if (len == -1)
		goto out;
	/* A warning only: many keep the secret elsewhere. */
	if (open_to_others)
		gh_log(GH_LOG_WARN, "%s can be read by other users, and may "
		    "hold the database password or the JWT secret: run chmod "
		    "0600 %s (or chown root:<the web server's group> and chmod "
		    "0640)", path, path);
	rc = parse_text(cfg, path, (const char *)buf, (size_t)len, err,
	    errsz);
	/* The file may hold the secret. */
	OPENSSL_cleanse(buf, (size_t)len);
out:
	free(buf);
	return rc;
}

/* The variable for a key: its name in upper case. */
static int
env_name(const char *key, char *out, size_t outsz)
{
	size_t	 i;

	for (i = 0; key[i] != '\0'; i++) {
		if (i + 1 >= outsz)
			return -1;
		out[i] = (key[i] >= 'a' && key[i] <= 'z') ?
		    (char)(key[i] - 'a' + 'A') : key[i];
	}
	out[i] = '\0';
	return 0;
}

int
gh_config_apply_env(struct gh_config *cfg, char *err, size_t errsz)
{
	char	 name[KEY_MAX], where[KEY_MAX + WHERE_WORDS];
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		const char	*v;
		int		 n;

		if (env_name(keys[i].name, name, sizeof(name)) == -1)
			return fail(err, errsz, "%s: key name too long",
			    keys[i].name);
		/* Set but empty counts: it is how one clears a file's value. */
		if ((v = getenv(name)) == NULL)
			continue;
		n = snprintf(where, sizeof(where), "environment variable %s",
		    name);
		if (n < 0 || (size_t)n >= sizeof(where))
			return fail(err, errsz, "%s: cannot format a message",
			    name);
		if (apply(cfg, &keys[i], v, where, err, errsz) == -1)
			return -1;
	}
	return 0;
}

/* Reads the secret from jwt_secret_file when that is set. */
static int
load_secret_file(struct gh_config *cfg, char *err, size_t errsz)
{
	/* The longest secret and its newline; read_bounded sees past it. */
	unsigned char	 buf[GH_SECRET_MAX + 1];
	char		 what[sizeof(cfg->jwt_secret_file) + WHERE_WORDS];
	long		 n;
	size_t		 len;
	int		 rc = -1, open_to_others = 0;

	if (cfg->jwt_secret_file[0] == '\0')
		return 0;
	/* Two sources would leave the reader guessing which one signs. */
	if (cfg->jwt_secret_len > 0)
		return fail(err, errsz, "set one of jwt_secret or "
		    "jwt_secret_file, not both");
	if (snprintf(what, sizeof(what), "jwt_secret_file %s",
	    cfg->jwt_secret_file) < 0)
		return fail(err, errsz, "jwt_secret_file: cannot format a "
		    "message");

	if ((n = read_bounded(cfg->jwt_secret_file, what, buf, sizeof(buf),
	    &open_to_others, err, errsz)) == -1)
		return -1;
	if (open_to_others) {
		(void)fail(err, errsz, "%s can be read by other users: run "
		    "chmod 0600 %s (or chown root:<the web server's group> and "
		    "chmod 0640)", what, cfg->jwt_secret_file);
		goto out;
	}
	len = (size_t)n;
	/* What echo or an editor leaves at the end is not part of the key. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > GH_SECRET_MAX) {
		(void)fail(err, errsz, "%s is larger than %d bytes", what,
		    GH_SECRET_MAX);
		goto out;
	}
	if (len == 0) {
		(void)fail(err, errsz, "%s is empty: run `gatehouse secret` "
		    "and put its output there", what);
		goto out;
	}
	OPENSSL_cleanse(cfg->jwt_secret, sizeof(cfg->jwt_secret));
	memcpy(cfg->jwt_secret, buf, len);
	cfg->jwt_secret[len] = '\0';
	cfg->jwt_secret_len = len;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int
is_example_secret(const struct gh_config *cfg)
{
	const size_t	 len = sizeof(GH_EXAMPLE_SECRET) - 1;

	return cfg->jwt_secret_len == len &&
	    memcmp(cfg->jwt_secret, GH_EXAMPLE_SECRET, len) == 0;
}

/* RFC 7518 3.2: an HMAC key at least as long as the hash's output. */
static size_t
secret_min(enum gh_jwt_alg alg)
{
	switch (alg) {
	case GH_JWT_HS384:
		return 48;
	case GH_JWT_HS512:
		return 64;
	default:
		return GH_SECRET_MIN;
	}
}

/*
 * What no random generator writes, even in hex: fewer than
 * GH_SECRET_DISTINCT_MIN different bytes (one byte repeated, "abab..."),
 * or a run repeated to the end with a period of at most half the length
 * ("0123456789abcdef" twice): such a secret is no longer than its period.
 * For 32 random hex digits either is below one chance in 2^60.
 */
static int
is_weak_secret(const unsigned char *s, size_t len)
{
	unsigned char	 seen[256];
	size_t		 i, p, distinct = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < len; i++)
		if (!seen[s[i]]) {
			seen[s[i]] = 1;
			distinct++;
		}
	if (distinct < GH_SECRET_DISTINCT_MIN)
		return 1;
	for (p = 1; p <= len / 2; p++) {
		i = p;
		while (i < len && s[i] == s[i - p])
			i++;
		if (i == len)
			return 1;
	}
	return 0;
}

static int
check_secret(const struct gh_config *cfg, char *err, size_t errsz)
{
	size_t	 min = secret_min(cfg->jwt_algorithm);

	if (cfg->jwt_secret_len == 0)
		return fail(err, errsz, "no JWT secret is set: run "
		    "`gatehouse secret` and put its output in jwt_secret (or "
		    "the JWT_SECRET environment variable), or in a file named "
		    "by jwt_secret_file (or JWT_SECRET_FILE)");
	if (cfg->jwt_secret_len < min)
		return fail(err, errsz, "the JWT secret is %zu bytes, shorter "
		    "than the %zu %s requires: run `gatehouse secret` to make "
		    "one", cfg->jwt_secret_len, min,
		    gh_jwt_alg_name(cfg->jwt_algorithm));
	if (is_weak_secret(cfg->jwt_secret, cfg->jwt_secret_len))
		return fail(err, errsz, "the JWT secret is a pattern, not "
		    "random bytes (fewer than %d different bytes, or a part "
		    "repeated): run `gatehouse secret` to make one",
		    GH_SECRET_DISTINCT_MIN);
	return 0;
}

/* Fields set by hand, not through the table, get the same range checks. */
static int
check_ranges(const struct gh_config *cfg, char *err, size_t errsz)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		const struct key	*k = &keys[i];
		const char		*p = (const char *)cfg + k->off;
		size_t			 sz;
		int			 v;
		long			 n;

		if (k->type == KT_INT && k->size == sizeof(int)) {
			memcpy(&v, p, sizeof(v));
			n = v;
		} else if (k->type == KT_SIZE && k->size == sizeof(size_t)) {
			memcpy(&sz, p, sizeof(sz));
			n = sz > (size_t)k->max ? k->max + 1 : (long)sz;
		} else
			continue;
		if (n < k->min || n > k->max)
			return fail(err, errsz, "%s must be a whole number "
			    "from %ld to %ld", k->name, k->min, k->max);
	}
	return 0;
}

/*
 * token_audiences: names a token's aud can carry and a location can ask
 * for, none of them the service's own (a token for the API would pass
 * there too).
 */
static int
check_audiences(const struct gh_config *cfg, char *err, size_t errsz)
{
	const char	*p, *end;
	size_t		 len, i;

	for (p = cfg->token_audiences; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if ((len = (size_t)(end - p)) == 0)
			continue;
		if (len > GH_AUDIENCE_MAX)
			return fail(err, errsz, "token_audiences: each name "
			    "must be at most %d characters", GH_AUDIENCE_MAX);
		for (i = 0; i < len; i++)
			if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '"' ||
			    p[i] == '\\')
				return fail(err, errsz, "token_audiences: a "
				    "name holds only printable characters "
				    "other than '\"' and '\\'");
		if (len == strlen(cfg->jwt_audience) &&
		    memcmp(p, cfg->jwt_audience, len) == 0)
			return fail(err, errsz, "token_audiences names "
			    "jwt_audience, the API's own: list only the "
			    "other audiences");
	}
	return 0;
}

int
gh_config_validate(const struct gh_config *cfg, int need, char *err,
    size_t errsz)
{

	if (cfg == NULL)
		return fail(err, errsz, "no configuration");

	/* Whoever copied the example unedited must not sign with it. */
	if (is_example_secret(cfg))
		return fail(err, errsz, "the JWT secret is the one from "
		    "gatehouse.conf.example, which everybody knows: replace "
		    "it with the output of `gatehouse secret`");
	/* ES256, EdDSA and RS256 sign with keys of the database. */
	if ((need & GH_CONFIG_NEED_SECRET) &&
	    gh_jwt_alg_is_hmac(cfg->jwt_algorithm) &&
	    check_secret(cfg, err, errsz) == -1)
		return -1;
	if ((need & GH_CONFIG_NEED_SIGN) &&
	    !gh_jwt_alg_is_hmac(cfg->jwt_algorithm) &&
	    cfg->kek_len != GH_KEK_LEN)
		return fail(err, errsz, "%s signs with keys sealed under a "
		    "key-encryption key: set key_encryption_key_file (make "
		    "one with `gatehouse secret --kek`)",
		    gh_jwt_alg_name(cfg->jwt_algorithm));

	if (check_ranges(cfg, err, errsz) == -1)
		return -1;
	if (cfg->jwt_issuer[0] == '\0')
		return fail(err, errsz, "jwt_issuer must not be empty");
	if (check_audiences(cfg, err, errsz) == -1)
		return -1;
	if (cfg->public_base_url[0] != '\0' &&
	    !gh_url_base_ok(cfg->public_base_url))
		return fail(err, errsz, "public_base_url must be an http:// or "
		    "https:// URL with a host name or address, an optional "
		    "port and path, and no query, fragment or spaces");
	if (cfg->site_stylesheet[0] != '\0' &&
	    !gh_next_path_ok(cfg->site_stylesheet,
	    strlen(cfg->site_stylesheet)))
		return fail(err, errsz, "site_stylesheet must be a path on "
		    "this site: one leading '/', printable ASCII, no "
		    "backslash, no host");
	if (cfg->refresh_token_expire_days > cfg->session_max_days)
		return fail(err, errsz, "refresh_token_expire_days (%d) is "
		    "more than session_max_days (%d): a refresh token must "
		    "not outlive the session it belongs to",
		    cfg->refresh_token_expire_days, cfg->session_max_days);
	return 0;
}

int
gh_config_beside_program(char *out, size_t outsz)
{
	char	 exe[PATH_MAX];
	char	*slash;
	ssize_t	 n;
	int	 len;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	len = snprintf(out, outsz, "%s/%s", exe, GH_CONFIG_BESIDE);
	if (len < 0 || (size_t)len >= outsz)
		return -1;
	return 0;
}

/* A program that needs no secret keeps no copy of one. */
static void
forget_secret(struct gh_config *cfg)
{

	OPENSSL_cleanse(cfg->jwt_secret, sizeof(cfg->jwt_secret));
	cfg->jwt_secret_len = 0;
}

/*
 * No jwt_algorithm named: an install that configured a secret signs with
 * it as before, a new one with ES256 keys.
 */
static void
choose_algorithm(struct gh_config *cfg)
{

	if (cfg->jwt_algorithm_given)
		return;
	cfg->jwt_algorithm = cfg->jwt_secret_len > 0 ||
	    cfg->jwt_secret_file[0] != '\0' ? GH_JWT_HS256 : GH_JWT_ES256;
}

int
gh_config_load_kek(struct gh_config *cfg, char *err, size_t errsz)
{
	/* 43 characters, a newline, and room to see a longer file. */
	unsigned char	 buf[GH_B64URL_ENCODED_LEN(GH_KEK_LEN) + 2];
	char		 what[sizeof(cfg->key_encryption_key_file) +
			    WHERE_WORDS];
	long		 n;
	size_t		 len;
	int		 rc = -1, open_to_others = 0;

	OPENSSL_cleanse(cfg->kek, sizeof(cfg->kek));
	cfg->kek_len = 0;
	if (cfg->key_encryption_key_file[0] == '\0')
		return fail(err, errsz, "key_encryption_key_file is not set: "
		    "run `gatehouse secret --kek > FILE` (chmod 0600) and name "
		    "FILE there");
	if (snprintf(what, sizeof(what), "key_encryption_key_file %s",
	    cfg->key_encryption_key_file) < 0)
		return fail(err, errsz, "key_encryption_key_file: cannot "
		    "format a message");
	if ((n = read_bounded(cfg->key_encryption_key_file, what, buf,
	    sizeof(buf), &open_to_others, err, errsz)) == -1)
		return -1;
	if (open_to_others) {
		(void)fail(err, errsz, "%s can be read by other users: run "
		    "chmod 0600 %s (or chown root:<the web server's group> and "
		    "chmod 0640)", what, cfg->key_encryption_key_file);
		goto out;
	}
	len = (size_t)n;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len != GH_B64URL_ENCODED_LEN(GH_KEK_LEN) ||
	    gh_b64url_decode((const char *)buf, len, cfg->kek,
	    sizeof(cfg->kek)) != GH_KEK_LEN) {
		OPENSSL_cleanse(cfg->kek, sizeof(cfg->kek));
		(void)fail(err, errsz, "%s must hold 32 bytes as base64url (43 "
		    "characters): run `gatehouse secret --kek`", what);
		goto out;
	}
	cfg->kek_len = GH_KEK_LEN;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
gh_config_load(struct gh_config *cfg, int need, char *err, size_t errsz)
{
	const char	*path;
	char		 beside[PATH_MAX];
	int		 rc = -1;

	gh_config_defaults(cfg);
	if ((path = getenv(GH_CONFIG_ENV)) != NULL) {
		/* Set to nothing is more likely a mistake than a wish. */
		if (path[0] == '\0') {
			(void)fail(err, errsz, "%s is set but empty",
			    GH_CONFIG_ENV);
			goto out;
		}
		if (gh_config_parse_file(cfg, path, err, errsz) == -1)
			goto out;
	} else if (gh_config_beside_program(beside, sizeof(beside)) == 0 &&
	    access(beside, F_OK) == 0) {
		/* Shared hosting: no server config names the file. */
		if (gh_config_parse_file(cfg, beside, err, errsz) == -1)
			goto out;
	}
	if (gh_config_apply_env(cfg, err, errsz) == -1)
		goto out;
	choose_algorithm(cfg);
	/*
	 * The secret file may be readable by the token programs' user
	 * alone: a program that needs no secret does not open it.
	 */
	if ((need & GH_CONFIG_NEED_SECRET) &&
	    load_secret_file(cfg, err, errsz) == -1)
		goto out;
	/* Likewise the key-encryption key, for the signing program alone. */
	if ((need & GH_CONFIG_NEED_SIGN) &&
	    !gh_jwt_alg_is_hmac(cfg->jwt_algorithm) &&
	    gh_config_load_kek(cfg, err, errsz) == -1)
		goto out;
	rc = gh_config_validate(cfg, need, err, errsz);
out:
	if (!(need & GH_CONFIG_NEED_SECRET))
		forget_secret(cfg);
	return rc;
}

/*
 * The admin config's path into out: GATEHOUSE_ADMIN_CONFIG, else
 * gatehouse-admin.conf beside the file GATEHOUSE_CONFIG names, when
 * there is one.
 * 1 with a path, 0 for none, -1 when it does not fit.
 */
static int
admin_config_path(char *out, size_t outsz)
{
	const char	*env, *slash;
	int		 n;

	if ((env = getenv(GH_ADMIN_CONFIG_ENV)) != NULL && env[0] != '\0') {
		n = snprintf(out, outsz, "%s", env);
		return n < 0 || (size_t)n >= outsz ? -1 : 1;
	}
	if ((env = getenv(GH_CONFIG_ENV)) == NULL || env[0] == '\0')
		return 0;
	slash = strrchr(env, '/');
	n = slash == NULL ? snprintf(out, outsz, "%s", GH_ADMIN_CONFIG_BESIDE) :
	    snprintf(out, outsz, "%.*s/%s", (int)(slash - env), env,
	    GH_ADMIN_CONFIG_BESIDE);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	return access(out, F_OK) == 0 ? 1 : 0;
}

int
gh_config_load_admin(struct gh_config *cfg, char *err, size_t errsz)
{
	char	 path[PATH_MAX];
	int	 found, rc = -1;

	if (gh_config_load(cfg, 0, err, errsz) == -1)
		return -1;
	if ((found = admin_config_path(path, sizeof(path))) == -1) {
		(void)fail(err, errsz, "%s: the path is too long",
		    GH_ADMIN_CONFIG_ENV);
		goto out;
	}
	if (found == 0)
		return 0;
	/* The environment still wins over both files. */
	if (gh_config_parse_file(cfg, path, err, errsz) == -1 ||
	    gh_config_apply_env(cfg, err, errsz) == -1)
		goto out;
	rc = gh_config_validate(cfg, 0, err, errsz);
out:
	/* The command signs nothing: no copy of a secret the files held. */
	forget_secret(cfg);
	return rc;
}

/* Writes text as comment lines, "# " before each ("#" alone if empty). */
static int
write_comment(FILE *f, const char *text)
{
	const char	*nl;
	size_t		 len;

	for (;;) {
		nl = strchr(text, '\n');
		len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (fprintf(f, "#%s%.*s\n", len > 0 ? " " : "", (int)len,
		    text) < 0)
			return -1;
		if (nl == NULL)
			return 0;
		text = nl + 1;
	}
}

/* "# --- name -----", dashes to EXAMPLE_RULE_WIDTH, between blank lines. */
static int
write_section(FILE *f, const char *name)
{
	int	 n;

	if ((n = fprintf(f, "\n# --- %s ", name)) < 0)
		return -1;
	/* n counts the newline before the rule, which takes no column. */
	for (n--; n < EXAMPLE_RULE_WIDTH; n++)
		if (fputc('-', f) == EOF)
			return -1;
	return fputs("\n\n", f) == EOF ? -1 : 0;
}

/*
 * The secret's default is none, but an example that left it empty would
 * be copied as it is and refused without a hint; the example's own
 * secret is refused with one.
 */
static const char *
example_value(const struct key *k)
{

	return k->type == KT_SECRET ? GH_EXAMPLE_SECRET : k->def;
}

int
gh_config_write_example(FILE *f)
{
	const char	*v;
	size_t		 i;

	if (write_comment(f, example_head) == -1)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].section != NULL &&
		    write_section(f, keys[i].section) == -1)
			return -1;
		if (write_comment(f, keys[i].help) == -1)
			return -1;
		v = example_value(&keys[i]);
		/* An empty value leaves no blank at the end of the line. */
		if (fprintf(f, "%s =%s%s\n", keys[i].name,
		    v[0] != '\0' ? " " : "", v) < 0)
			return -1;
	}
	return fflush(f) == EOF || ferror(f) ? -1 : 0;
}

const char *const *
gh_config_keys(void)
{
	static const char	*names[NKEYS + 1];
	size_t			 i;

	for (i = 0; i < NKEYS; i++)
		names[i] = keys[i].name;
	names[NKEYS] = NULL;
	return names;
}
