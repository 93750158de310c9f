/*
 * config: gatehouse's settings, from one "key = value" file named by
 * GATEHOUSE_CONFIG (or, when that is not set, a file named gatehouse.conf
 * in the directory of the running program, if there is one: shared
 * hosting, where no server config can set the environment), each key
 * overridable by the upper-case environment variable of the same name
 * (JWT_SECRET for jwt_secret, ...), and the JWT secret also from a file
 * (jwt_secret_file / JWT_SECRET_FILE).
 *
 * Promises: every key has a default and a comment, and
 * etc/gatehouse.conf.example is what gh_config_write_example() prints of
 * them (a test holds the committed file to it); an unknown key, a
 * malformed value or an out-of-range number is an error that names the
 * key and the line; gh_config_validate() refuses a missing secret, one
 * under 32 bytes and the example's secret, with a message that says how
 * to make a good one (an HMAC algorithm only: ES256, EdDSA and RS256
 * sign with keys of the database and need no secret).  jwt_algorithm,
 * when no file or variable names it, is HS256 where a jwt_secret or
 * jwt_secret_file is configured (installs of old keep working) and ES256
 * where none is (a new install).  login_failure_window_seconds, the one window of
 * old, still sets register_window_seconds unless that is set itself.
 */
#ifndef GH_CONFIG_H
#define GH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/bounds.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/url.h"

#define GH_CONFIG_ENV		"GATEHOUSE_CONFIG"
/* The owner's settings, read by the `gatehouse` command alone. */
#define GH_ADMIN_CONFIG_ENV	"GATEHOUSE_ADMIN_CONFIG"
#define GH_ADMIN_CONFIG_BESIDE	"gatehouse-admin.conf"
/* Read from the program's own directory when GATEHOUSE_CONFIG is unset. */
#define GH_CONFIG_BESIDE	"gatehouse.conf"
#define GH_CONFIG_ERR_MAX	512
#define GH_SECRET_MIN		32	/* HS256; HS384 48, HS512 64 */
#define GH_SECRET_DISTINCT_MIN	8	/* different bytes in a secret */
#define GH_KEK_LEN		32	/* key_encryption_key_file: AES-256 */
/* The example file's secret: refused wherever it turns up. */
#define GH_EXAMPLE_SECRET	"change-me-run-gatehouse-secret-to-make-a-real-one"

enum gh_registration {
	GH_REGISTRATION_OPEN = 0,
	GH_REGISTRATION_CLOSED
};

struct gh_config {
	char			database_url[1024];	/* the programs' */
	char			admin_database_url[1024];	/* the owner's */
	int			statement_timeout_ms;
	bool			database_program_roles;	/* gatehouse_<program> */

	unsigned char		jwt_secret[GH_SECRET_MAX + 1];
	size_t			jwt_secret_len;
	char			jwt_secret_file[1024];
	enum gh_jwt_alg		jwt_algorithm;
	/* Named by a file or the environment, not chosen by default. */
	bool			jwt_algorithm_given;
	/* Seals the signing keys (ES256, EdDSA, RS256) in the database. */
	char			key_encryption_key_file[1024];
	unsigned char		kek[GH_KEK_LEN];
	size_t			kek_len;		/* 0: not loaded */
	int			jwks_max_age_seconds;
	char			jwt_issuer[GH_ISSUER_MAX + 1];
	char			jwt_audience[GH_AUDIENCE_MAX + 1];
	char			token_audiences[1024];	/* space-separated */
	int			jwt_leeway_seconds;
	int			access_token_expire_minutes;
	int			refresh_token_expire_days;
	int			session_max_days;
	int			refresh_reuse_grace_seconds;

	int			bcrypt_cost;
	int			password_min_length;
	bool			password_require_classes;

	enum gh_registration	registration;
	size_t			max_body_bytes;
	char			cors_allowed_origins[1024];	/* comma-separated */

	int			login_max_failures_per_account;
	int			login_max_failures_per_address;
	int			login_max_consecutive_failures;	/* 0: no cap */
	int			login_failure_window_seconds;
	int			register_max_per_address;	/* 0: no limit */
	int			register_window_seconds;
	/* Set by a file or the environment: the old key no longer sets it. */
	bool			register_window_given;

	int			rate_limit_per_minute;	/* 0: off */
	int			rate_limit_entries;
	char			rate_limit_dir[1024];
	char			trusted_proxy_header[64];	/* "": REMOTE_ADDR */

	int			auth_cache_entries;	/* 0: off */
	int			auth_cache_max_age_seconds;
	int			auth_cache_max_staleness_ms;	/* 0: exact */
	char			authorizer_cookie[64];	/* "" for none */
	char			authorizer_login_url[1024];
	/* Browser sign-in (http/cookie.h): Secure and the __Host- names. */
	bool			cookie_secure;
	char			site_name[128];		/* the pages' title */
	char			site_stylesheet[1024];	/* a path; "" none */
	char			templates_dir[1024];	/* "": built-in pages */

	char			public_base_url[GH_URL_BASE_MAX + 1];	/* "" */

	/* Recovery and verification mail (domain/mail.h, domain/recovery.h). */
	char			mail_command[1024];
	char			mail_from[256];		/* "": noreply@host */
	int			reset_token_minutes;
	int			reset_max_per_hour;
	int			verify_token_hours;
	bool			require_verified_email;

	int			audit_retention_days;	/* gatehouse cleanup */
	bool			confine;	/* seccomp + Landlock after start-up */

	enum gh_log_level	log_level;
};

/* What gh_config_validate() must insist on for the calling program. */
#define GH_CONFIG_NEED_SECRET	0x01	/* programs that sign or verify tokens */
/*
 * Programs that sign tokens (login): with ES256, EdDSA or RS256 they read
 * key_encryption_key_file to open the private keys; nobody else does.
 */
#define GH_CONFIG_NEED_SIGN	0x02
/* Programs that serve pages (http/page.h): templates_dir is read. */
#define GH_CONFIG_NEED_PAGES	0x04
/* Programs that send mail: confined, they fork a mail helper (mail.h). */
#define GH_CONFIG_NEED_MAIL	0x08

/* Fills every field with its default. */
void	gh_config_defaults(struct gh_config *);

/*
 * Applies "key = value" lines of text[0..len) over cfg.  '#' starts a
 * comment line; blank lines are skipped; values may be quoted with '"'.
 * Returns 0, or -1 with a message in err naming the line and key.
 */
int	gh_config_parse(struct gh_config *, const char *text, size_t len,
	    char *err, size_t errsz);

/* Reads path and applies it as gh_config_parse() does. */
int	gh_config_parse_file(struct gh_config *, const char *path, char *err,
	    size_t errsz);

/* Applies every KEY set in the environment over cfg. */
int	gh_config_apply_env(struct gh_config *, char *err, size_t errsz);

/* Checks what the caller needs (GH_CONFIG_NEED_*) and cross-field rules. */
int	gh_config_validate(const struct gh_config *, int need, char *err,
	    size_t errsz);

/*
 * The whole start-up path: defaults, the file named by GATEHOUSE_CONFIG
 * when it is set, else gatehouse.conf beside the running program when
 * there is one (a file there that cannot be read or parsed is an error),
 * then the environment, the secret file, and validation.  Without
 * GH_CONFIG_NEED_SECRET the secret is neither read from jwt_secret_file
 * nor required, and none is kept: jwt_secret_len is 0 on return (the
 * example's secret is still refused wherever it turns up).  Only with
 * GH_CONFIG_NEED_SIGN and ES256, EdDSA or RS256 is key_encryption_key_file
 * read (gh_config_load_kek()) and required; kek_len is 0 otherwise.
 */
int	gh_config_load(struct gh_config *, int need, char *err, size_t errsz);

/*
 * The `gatehouse` command's start-up: gh_config_load() without the
 * secret, then the admin config over it (GATEHOUSE_ADMIN_CONFIG, else
 * gatehouse-admin.conf beside the file GATEHOUSE_CONFIG names, if any;
 * a named file that cannot be read is an error), then the environment
 * again.  The owner's admin_database_url lives there, out of the
 * programs' reach.
 */
int	gh_config_load_admin(struct gh_config *, char *err, size_t errsz);

/*
 * Reads key_encryption_key_file into cfg->kek: 32 bytes written as
 * base64url text (one trailing newline ignored), in a file no other user
 * may read.  For the `gatehouse keys` command; gh_config_load() calls it
 * itself for GH_CONFIG_NEED_SIGN with an asymmetric algorithm.
 */
int	gh_config_load_kek(struct gh_config *, char *err, size_t errsz);

/*
 * The path of gatehouse.conf in the running program's directory (found
 * through /proc/self/exe, so a link's target's directory) into out; -1
 * when it cannot be known.
 */
int	gh_config_beside_program(char *out, size_t outsz);

/* Names of every key, NULL-terminated, for tests and documentation. */
const char *const *gh_config_keys(void);

/*
 * Writes etc/gatehouse.conf.example: every key with its default and its
 * comment, from the one key table.  0, or -1 when f could not be written.
 */
int	gh_config_write_example(FILE *);

#endif
