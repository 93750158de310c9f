/*
 * test_config: defaults, the file syntax, every value type, the
 * environment and the secret file, validation, and that
 * etc/gatehouse.conf.example stays in step with the key table.
 *
 * Criterion runs each test in its own process, so setenv() in one test
 * does not reach another.  Each test that loads from the environment
 * first clears every key's variable, which the test runner may have set.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

/*
 * By path: with automake's -I. ahead of -Isrc, a bare "config.h" from
 * tests/unit would find autoconf's generated config.h instead.
 */
#include "core/b64url.h"
#include "core/config.h"
#include "core/random.h"

/* A good secret: 44 bytes, not the example's. */
#define GOOD_SECRET	"Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
#define SHORT_SECRET	"tooshort-secret-31-bytes-long.."

static int
parse(struct gh_config *cfg, const char *text, char *err)
{

	return gh_config_parse(cfg, text, strlen(text), err, GH_CONFIG_ERR_MAX);
}

/* Starts from defaults, parses text, and expects it to succeed. */
static void
parse_ok(struct gh_config *cfg, const char *text)
{
	char	 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(cfg);
	cr_assert_eq(parse(cfg, text, err), 0, "parse failed: %s", err);
}

/* Starts from defaults, parses text, and expects exactly the message. */
static void
parse_fails(const char *text, const char *want)
{
	struct gh_config	 cfg;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&cfg);
	cr_assert_eq(parse(&cfg, text, err), -1, "parse of [%s] passed", text);
	cr_assert_str_eq(err, want);
}

static void
clear_env(void)
{
	const char *const	*k;
	char			 name[64];
	size_t			 i;

	for (k = gh_config_keys(); *k != NULL; k++) {
		for (i = 0; (*k)[i] != '\0' && i < sizeof(name) - 1; i++)
			name[i] = (char)((*k)[i] >= 'a' && (*k)[i] <= 'z' ?
			    (*k)[i] - 'a' + 'A' : (*k)[i]);
		name[i] = '\0';
		cr_assert_eq(unsetenv(name), 0);
	}
	cr_assert_eq(unsetenv(GH_CONFIG_ENV), 0);
}

/* Writes data to a new temporary file whose name goes into path. */
static void
write_temp(char *path, size_t pathsz, const void *data, size_t len)
{
	int	 fd;

	cr_assert_gt(snprintf(path, pathsz, "/tmp/gh_test_config.XXXXXX"), 0);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
}

static void
set_secret(struct gh_config *cfg, const char *s)
{
	size_t	 len = strlen(s);

	cr_assert_leq(len, (size_t)GH_SECRET_MAX);
	memcpy(cfg->jwt_secret, s, len + 1);
	cfg->jwt_secret_len = len;
}

/* Defaults */

Test(config, defaults_follow_the_contract)
{
	struct gh_config	 c;

	gh_config_defaults(&c);
	cr_assert_str_eq(c.database_url, "");
	cr_assert_eq(c.statement_timeout_ms, 5000);
	cr_assert_eq(c.jwt_secret_len, 0);
	cr_assert_str_eq(c.jwt_secret_file, "");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS256);
	cr_assert_str_eq(c.jwt_issuer, "gatehouse");
	cr_assert_str_eq(c.jwt_audience, "");
	cr_assert_eq(c.access_token_expire_minutes, 15);
	cr_assert_eq(c.refresh_token_expire_days, 7);
	cr_assert_eq(c.session_max_days, 30);
	cr_assert_eq(c.refresh_reuse_grace_seconds, 10);
	cr_assert_eq(c.auth_cache_entries, 4096);
	cr_assert_eq(c.bcrypt_cost, 12);
	cr_assert_eq(c.password_min_length, 8);
	cr_assert_eq(c.password_require_classes, false);
	cr_assert_eq(c.registration, GH_REGISTRATION_OPEN);
	cr_assert_eq(c.max_body_bytes, (size_t)16384);
	cr_assert_str_eq(c.cors_allowed_origins, "");
	cr_assert_eq(c.login_max_failures_per_account, 5);
	cr_assert_eq(c.login_max_failures_per_address, 100);
	cr_assert_eq(c.login_max_consecutive_failures, 100);
	cr_assert_eq(c.login_failure_window_seconds, 900);
	cr_assert_eq(c.register_window_seconds, 900);
	cr_assert_eq(c.register_window_given, false);
	cr_assert_eq(c.log_level, GH_LOG_INFO);
}

Test(config, defaults_validate_when_no_secret_is_needed)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), 0, "%s",
	    err);
}

Test(config, keys_list_every_key_once_and_ends_in_null)
{
	const char *const	*k = gh_config_keys();
	size_t			 i, j, n = 0;

	while (k[n] != NULL)
		n++;
	cr_assert_eq(n, (size_t)52);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			cr_assert_str_neq(k[i], k[j]);
	cr_assert_str_eq(k[0], "database_url");
	cr_assert_str_eq(k[n - 1], "log_level");
}

/* File syntax and value types */

Test(config, parses_string_value)
{
	struct gh_config	 c;

	parse_ok(&c, "database_url = postgresql:///gatehouse?host=/run/pg\n"
	    "jwt_audience = api\n");
	cr_assert_str_eq(c.database_url,
	    "postgresql:///gatehouse?host=/run/pg");
	cr_assert_str_eq(c.jwt_audience, "api");
}

Test(config, parses_int_value)
{
	struct gh_config	 c;

	parse_ok(&c, "bcrypt_cost = 10\nrefresh_reuse_grace_seconds = 0\n");
	cr_assert_eq(c.bcrypt_cost, 10);
	cr_assert_eq(c.refresh_reuse_grace_seconds, 0);
}

Test(config, parses_size_value)
{
	struct gh_config	 c;

	parse_ok(&c, "max_body_bytes = 1048576");
	cr_assert_eq(c.max_body_bytes, (size_t)1048576);
}

Test(config, parses_every_bool_spelling)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "TRUE" };
	static const char *const no[] = { "false", "no", "off", "0", "Off" };
	struct gh_config	 c;
	char			 line[128];
	size_t			 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		cr_assert_gt(snprintf(line, sizeof(line),
		    "password_require_classes = %s", yes[i]), 0);
		parse_ok(&c, line);
		cr_assert_eq(c.password_require_classes, true, "%s", yes[i]);
		cr_assert_gt(snprintf(line, sizeof(line),
		    "password_require_classes = %s", no[i]), 0);
		c.password_require_classes = true;
		cr_assert_eq(parse(&c, line, NULL), 0);
		cr_assert_eq(c.password_require_classes, false, "%s", no[i]);
	}
}

Test(config, parses_jwt_algorithm)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_algorithm = HS512");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS512);
	parse_ok(&c, "jwt_algorithm = HS384");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS384);
	parse_ok(&c, "jwt_algorithm = ES256");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_ES256);
	parse_ok(&c, "jwt_algorithm = EdDSA");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_EDDSA);
	parse_ok(&c, "jwt_algorithm = RS256");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_RS256);
}

/* Issue 14: no jwt_algorithm named: HS256 with a secret, else ES256. */
Test(config, load_chooses_hs256_with_a_secret_and_es256_without)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS256);
	/* Chosen before a program that needs no secret forgets it. */
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS256);
	clear_env();
	cr_assert_eq(setenv("JWT_SECRET_FILE", "/nonexistent/secret", 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS256);
	clear_env();
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_algorithm, GH_JWT_ES256);
	cr_assert_eq(c.jwks_max_age_seconds, 300);
	clear_env();
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(setenv("JWT_ALGORITHM", "EdDSA", 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_algorithm, GH_JWT_EDDSA);
}

/* Loads a KEK file of the given text and mode for a signing program. */
static int
load_kek(const char *text, mode_t mode, struct gh_config *c, char *err)
{
	char	 path[64];
	int	 rc;

	clear_env();
	write_temp(path, sizeof(path), text, strlen(text));
	cr_assert_eq(chmod(path, mode), 0);
	cr_assert_eq(setenv("JWT_ALGORITHM", "ES256", 1), 0);
	cr_assert_eq(setenv("KEY_ENCRYPTION_KEY_FILE", path, 1), 0);
	rc = gh_config_load(c, GH_CONFIG_NEED_SECRET | GH_CONFIG_NEED_SIGN,
	    err, GH_CONFIG_ERR_MAX);
	cr_assert_eq(unlink(path), 0);
	return rc;
}

#define KEK_TEXT	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

Test(config, kek_file_is_read_by_a_signing_program)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";
	size_t			 i;

	cr_assert_eq(load_kek(KEK_TEXT "\n", 0600, &c, err), 0, "%s", err);
	cr_assert_eq(c.kek_len, (size_t)GH_KEK_LEN);
	for (i = 0; i < GH_KEK_LEN; i++)
		cr_assert_eq(c.kek[i], (unsigned char)i);
	cr_assert_eq(c.jwt_secret_len, 0, "no secret is needed");
}

Test(config, kek_file_others_can_read_or_of_another_size_is_refused)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	if (geteuid() == 0) {
		cr_assert_eq(load_kek(KEK_TEXT, 0644, &c, err), -1);
		cr_assert_not_null(strstr(err, "chmod 0600"), "%s", err);
	}
	cr_assert_eq(load_kek(KEK_TEXT "A", 0600, &c, err), -1);
	cr_assert_not_null(strstr(err, "32 bytes"), "%s", err);
	cr_assert_eq(load_kek("short", 0600, &c, err), -1);
	cr_assert_null(strstr(err, "short"), "%s", err);
}

Test(config, kek_is_required_of_a_signing_program_only)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_ALGORITHM", "ES256", 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET |
	    GH_CONFIG_NEED_SIGN, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "key_encryption_key_file"), "%s", err);
	/* A verifier neither needs nor opens it. */
	cr_assert_eq(setenv("KEY_ENCRYPTION_KEY_FILE", "/nonexistent/kek", 1),
	    0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.kek_len, 0);
	/* HS256 signs with the secret: no kek. */
	cr_assert_eq(setenv("JWT_ALGORITHM", "HS256", 1), 0);
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET |
	    GH_CONFIG_NEED_SIGN, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.kek_len, 0);
}

Test(config, parses_registration)
{
	struct gh_config	 c;

	parse_ok(&c, "registration = closed");
	cr_assert_eq(c.registration, GH_REGISTRATION_CLOSED);
	parse_ok(&c, "registration = open");
	cr_assert_eq(c.registration, GH_REGISTRATION_OPEN);
}

Test(config, parses_log_level)
{
	struct gh_config	 c;

	parse_ok(&c, "log_level = debug");
	cr_assert_eq(c.log_level, GH_LOG_DEBUG);
	parse_ok(&c, "log_level = warning");
	cr_assert_eq(c.log_level, GH_LOG_WARN);
}

Test(config, parses_secret_with_its_length)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_secret = " GOOD_SECRET);
	cr_assert_eq(c.jwt_secret_len, strlen(GOOD_SECRET));
	cr_assert_eq(memcmp(c.jwt_secret, GOOD_SECRET, c.jwt_secret_len), 0);
}

Test(config, quoted_value_keeps_inner_spaces)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_issuer = \"  my issuer \"   \n");
	cr_assert_str_eq(c.jwt_issuer, "  my issuer ");
}

Test(config, quoted_empty_value_is_empty)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_issuer = \"\"\njwt_audience=\"x\"");
	cr_assert_str_eq(c.jwt_issuer, "");
	cr_assert_str_eq(c.jwt_audience, "x");
}

Test(config, quoted_number_is_a_number)
{
	struct gh_config	 c;

	parse_ok(&c, "bcrypt_cost = \"11\"");
	cr_assert_eq(c.bcrypt_cost, 11);
}

Test(config, unclosed_quote_is_an_error)
{

	parse_fails("jwt_issuer = \"abc",
	    "gatehouse.conf line 1: jwt_issuer has an unclosed quote");
	parse_fails("jwt_issuer = \"",
	    "gatehouse.conf line 1: jwt_issuer has an unclosed quote");
}

Test(config, comments_and_blank_lines_are_skipped)
{
	struct gh_config	 c;

	parse_ok(&c, "# a comment\n\n   \n\t# indented comment\n"
	    "bcrypt_cost = 5\n\n#bcrypt_cost = 6\n");
	cr_assert_eq(c.bcrypt_cost, 5);
}

Test(config, empty_text_changes_nothing)
{
	struct gh_config	 c, d;

	parse_ok(&c, "");
	gh_config_defaults(&d);
	cr_assert_eq(memcmp(&c, &d, sizeof(c)), 0);
}

Test(config, hash_inside_a_value_is_part_of_it)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_audience = a#b");
	cr_assert_str_eq(c.jwt_audience, "a#b");
}

Test(config, surrounding_whitespace_and_crlf_are_trimmed)
{
	struct gh_config	 c;

	parse_ok(&c, "  jwt_issuer\t=\tissuer-x  \t\r\nbcrypt_cost=9\r\n");
	cr_assert_str_eq(c.jwt_issuer, "issuer-x");
	cr_assert_eq(c.bcrypt_cost, 9);
}

Test(config, last_line_without_newline_is_read)
{
	struct gh_config	 c;

	parse_ok(&c, "bcrypt_cost = 4\nbcrypt_cost = 6");
	cr_assert_eq(c.bcrypt_cost, 6);
}

Test(config, empty_value_clears_a_string)
{
	struct gh_config	 c;

	parse_ok(&c, "jwt_audience = x\njwt_audience =\n");
	cr_assert_str_eq(c.jwt_audience, "");
}

/* File errors */

Test(config, unknown_key_error_names_line_and_key)
{

	parse_fails("# comment\n\nfrobnicate = 1\n",
	    "gatehouse.conf line 3: unknown key frobnicate");
}

Test(config, key_names_are_case_sensitive)
{

	parse_fails("BCRYPT_COST = 10",
	    "gatehouse.conf line 1: unknown key BCRYPT_COST");
}

Test(config, missing_equals_is_an_error)
{

	parse_fails("bcrypt_cost = 10\nbcrypt_cost 10\n",
	    "gatehouse.conf line 2: expected \"key = value\"");
}

Test(config, line_without_key_is_an_error)
{

	parse_fails("= 10", "gatehouse.conf line 1: expected \"key = value\"");
	parse_fails("-x = 1",
	    "gatehouse.conf line 1: expected \"key = value\"");
}

Test(config, bad_number_is_an_error)
{
	static const char *const bad[] = {
		"bcrypt_cost = 12abc", "bcrypt_cost = abc", "bcrypt_cost =",
		"bcrypt_cost = +12", "bcrypt_cost = 1 2", "bcrypt_cost = 0x0c",
		"bcrypt_cost = 12.0", "bcrypt_cost = 99999999999999999999999",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i], "gatehouse.conf line 1: bcrypt_cost must "
		    "be a whole number from 4 to 31");
}

Test(config, out_of_range_number_is_an_error)
{

	parse_fails("bcrypt_cost = 32", "gatehouse.conf line 1: bcrypt_cost "
	    "must be a whole number from 4 to 31");
	parse_fails("bcrypt_cost = 3", "gatehouse.conf line 1: bcrypt_cost "
	    "must be a whole number from 4 to 31");
	parse_fails("\naccess_token_expire_minutes = 1441",
	    "gatehouse.conf line 2: access_token_expire_minutes must be a "
	    "whole number from 1 to 1440");
	parse_fails("max_body_bytes = 1023", "gatehouse.conf line 1: "
	    "max_body_bytes must be a whole number from 1024 to 1048576");
	parse_fails("refresh_reuse_grace_seconds = -1", "gatehouse.conf line "
	    "1: refresh_reuse_grace_seconds must be a whole number from 0 to "
	    "300");
}

Test(config, range_edges_are_accepted)
{
	struct gh_config	 c;

	parse_ok(&c, "bcrypt_cost = 4\npassword_min_length = 72\n"
	    "session_max_days = 3650\nrefresh_token_expire_days = 365\n");
	cr_assert_eq(c.bcrypt_cost, 4);
	cr_assert_eq(c.password_min_length, 72);
	cr_assert_eq(c.session_max_days, 3650);
	cr_assert_eq(c.refresh_token_expire_days, 365);
}

Test(config, bad_enum_values_are_errors)
{

	parse_fails("jwt_algorithm = none", "gatehouse.conf line 1: "
	    "jwt_algorithm must be ES256, EdDSA, RS256, HS256, HS384 or HS512");
	parse_fails("jwt_algorithm = PS256", "gatehouse.conf line 1: "
	    "jwt_algorithm must be ES256, EdDSA, RS256, HS256, HS384 or HS512");
	parse_fails("jwt_algorithm = es256", "gatehouse.conf line 1: "
	    "jwt_algorithm must be ES256, EdDSA, RS256, HS256, HS384 or HS512");
	parse_fails("registration = invite", "gatehouse.conf line 1: "
	    "registration must be open or closed");
	parse_fails("log_level = verbose", "gatehouse.conf line 1: "
	    "log_level must be debug, info, warning or error");
	parse_fails("password_require_classes = maybe", "gatehouse.conf line "
	    "1: password_require_classes must be true or false");
}

Test(config, overlong_string_is_an_error)
{
	char	 text[512];

	cr_assert_gt(snprintf(text, sizeof(text), "jwt_issuer = %0129d", 0),
	    0);
	parse_fails(text, "gatehouse.conf line 1: jwt_issuer must be at most "
	    "128 bytes");
}

Test(config, longest_string_fits)
{
	struct gh_config	 c;
	char			 text[512];

	cr_assert_gt(snprintf(text, sizeof(text), "jwt_issuer = %0128d", 0),
	    0);
	parse_ok(&c, text);
	cr_assert_eq(strlen(c.jwt_issuer), (size_t)128);
}

Test(config, overlong_secret_is_an_error)
{
	struct gh_config	 c;
	char			 text[1024], err[GH_CONFIG_ERR_MAX] = "";

	memcpy(text, "jwt_secret = ", 13);
	memset(text + 13, 'k', GH_SECRET_MAX + 1);
	text[13 + GH_SECRET_MAX + 1] = '\0';
	gh_config_defaults(&c);
	cr_assert_eq(parse(&c, text, err), -1);
	cr_assert_str_eq(err, "gatehouse.conf line 1: jwt_secret must be at "
	    "most 512 bytes");
}

Test(config, nul_byte_in_text_is_an_error)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] =
	    "bcrypt_cost = 10\nbcrypt_cost = 1\0" "0\n";

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse(&c, text, sizeof(text) - 1, err,
	    sizeof(err)), -1);
	cr_assert_str_eq(err, "gatehouse.conf line 2: contains a NUL byte");
}

Test(config, error_message_is_bounded_by_errsz)
{
	struct gh_config	 c;
	char			 err[16];

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse(&c, "nope = 1", 8, err, sizeof(err)), -1);
	cr_assert_eq(strlen(err), sizeof(err) - 1);
}

/* Files */

Test(config, parse_file_reads_a_file)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] =
	    "bcrypt_cost = 7\nregistration = closed\n";

	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse_file(&c, path, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_eq(c.bcrypt_cost, 7);
	cr_assert_eq(c.registration, GH_REGISTRATION_CLOSED);
	cr_assert_eq(unlink(path), 0);
}

Test(config, parse_file_errors_name_the_file_and_line)
{
	struct gh_config	 c;
	char			 path[64], want[256];
	char			 err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] = "\n\nbcrypt_cost = 40\n";

	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse_file(&c, path, err, sizeof(err)), -1);
	cr_assert_gt(snprintf(want, sizeof(want), "%s line 3: bcrypt_cost "
	    "must be a whole number from 4 to 31", path), 0);
	cr_assert_str_eq(err, want);
	cr_assert_eq(unlink(path), 0);
}

Test(config, parse_file_missing_file_is_an_error)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse_file(&c, "/nonexistent/gatehouse.conf",
	    err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/gatehouse.conf"));
}

/* Environment and gh_config_load */

Test(config, env_overrides_the_file)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] =
	    "bcrypt_cost = 10\njwt_issuer = file\n";

	clear_env();
	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	cr_assert_eq(setenv(GH_CONFIG_ENV, path, 1), 0);
	cr_assert_eq(setenv("BCRYPT_COST", "11", 1), 0);
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.bcrypt_cost, 11);
	cr_assert_str_eq(c.jwt_issuer, "file");
	cr_assert_eq(c.jwt_secret_len, strlen(GOOD_SECRET));
	cr_assert_eq(unlink(path), 0);
}

Test(config, env_names_are_upper_case_keys)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("DATABASE_URL", "dbname=x", 1), 0);
	cr_assert_eq(setenv("JWT_ALGORITHM", "HS384", 1), 0);
	cr_assert_eq(setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "30", 1), 0);
	cr_assert_eq(setenv("REFRESH_TOKEN_EXPIRE_DAYS", "14", 1), 0);
	cr_assert_eq(setenv("PASSWORD_REQUIRE_CLASSES", "yes", 1), 0);
	cr_assert_eq(setenv("LOG_LEVEL", "error", 1), 0);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_apply_env(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.database_url, "dbname=x");
	cr_assert_eq(c.jwt_algorithm, GH_JWT_HS384);
	cr_assert_eq(c.access_token_expire_minutes, 30);
	cr_assert_eq(c.refresh_token_expire_days, 14);
	cr_assert_eq(c.password_require_classes, true);
	cr_assert_eq(c.log_level, GH_LOG_ERROR);
}

Test(config, env_bad_value_names_the_variable)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("BCRYPT_COST", "100", 1), 0);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_apply_env(&c, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "environment variable BCRYPT_COST: bcrypt_cost "
	    "must be a whole number from 4 to 31");
}

Test(config, env_value_is_taken_as_is)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_AUDIENCE", " \"quoted\" ", 1), 0);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_apply_env(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.jwt_audience, " \"quoted\" ");
}

Test(config, load_without_config_file_uses_defaults_and_env)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.bcrypt_cost, 12);
}

Test(config, load_with_unreadable_config_file_fails)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv(GH_CONFIG_ENV, "/nonexistent/gatehouse.conf", 1),
	    0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/gatehouse.conf"));
}

Test(config, load_with_empty_config_variable_fails)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv(GH_CONFIG_ENV, "", 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "GATEHOUSE_CONFIG is set but empty");
}

/* The secret file */

static int
load_with_secret_file(struct gh_config *c, const void *data, size_t len,
    char *err)
{
	char	 path[64];
	int	 rc;

	clear_env();
	write_temp(path, sizeof(path), data, len);
	cr_assert_eq(setenv("JWT_SECRET_FILE", path, 1), 0);
	rc = gh_config_load(c, GH_CONFIG_NEED_SECRET, err, GH_CONFIG_ERR_MAX);
	cr_assert_eq(unlink(path), 0);
	return rc;
}

Test(config, secret_file_is_read_and_one_newline_stripped)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with_secret_file(&c, GOOD_SECRET "\n",
	    strlen(GOOD_SECRET) + 1, err), 0, "%s", err);
	cr_assert_eq(c.jwt_secret_len, strlen(GOOD_SECRET));
	cr_assert_eq(memcmp(c.jwt_secret, GOOD_SECRET, c.jwt_secret_len), 0);
}

Test(config, secret_file_strips_only_one_newline)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with_secret_file(&c, GOOD_SECRET "\n\n",
	    strlen(GOOD_SECRET) + 2, err), 0, "%s", err);
	cr_assert_eq(c.jwt_secret_len, strlen(GOOD_SECRET) + 1);
	cr_assert_eq(c.jwt_secret[c.jwt_secret_len - 1], '\n');
}

Test(config, secret_file_without_newline_is_read_whole)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with_secret_file(&c, GOOD_SECRET,
	    strlen(GOOD_SECRET), err), 0, "%s", err);
	cr_assert_eq(c.jwt_secret_len, strlen(GOOD_SECRET));
}

Test(config, secret_file_of_the_largest_size_is_accepted)
{
	struct gh_config	 c;
	char			 data[GH_SECRET_MAX + 1], b64[GH_SECRET_MAX + 1];
	char			 err[GH_CONFIG_ERR_MAX] = "";

	/* Random, not one byte repeated: a pattern would be refused. */
	cr_assert_eq(gh_random_b64url(GH_SECRET_MAX / 4 * 3, b64,
	    sizeof(b64)), 0);
	memcpy(data, b64, GH_SECRET_MAX);
	data[GH_SECRET_MAX] = '\n';
	cr_assert_eq(load_with_secret_file(&c, data, sizeof(data), err), 0,
	    "%s", err);
	cr_assert_eq(c.jwt_secret_len, (size_t)GH_SECRET_MAX);
}

Test(config, secret_file_too_large_is_an_error)
{
	struct gh_config	 c;
	char			 data[GH_SECRET_MAX + 1], big[4096];
	char			 err[GH_CONFIG_ERR_MAX] = "";

	memset(data, 's', sizeof(data));
	cr_assert_eq(load_with_secret_file(&c, data, sizeof(data), err), -1);
	cr_assert_not_null(strstr(err, "larger than"), "%s", err);

	memset(big, 's', sizeof(big));
	cr_assert_eq(load_with_secret_file(&c, big, sizeof(big), err), -1);
	cr_assert_not_null(strstr(err, "larger than"), "%s", err);
	cr_assert_null(strstr(err, "ssssssss"));
}

Test(config, secret_file_empty_is_an_error)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with_secret_file(&c, "\n", 1, err), -1);
	cr_assert_not_null(strstr(err, "is empty"), "%s", err);
}

Test(config, secret_file_missing_is_an_error)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_SECRET_FILE", "/nonexistent/secret", 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/secret"), "%s", err);
}

Test(config, secret_and_secret_file_both_set_is_an_error)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	write_temp(path, sizeof(path), GOOD_SECRET, strlen(GOOD_SECRET));
	cr_assert_eq(setenv("JWT_SECRET_FILE", path, 1), 0);
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_str_eq(err, "set one of jwt_secret or jwt_secret_file, "
	    "not both");
	cr_assert_eq(unlink(path), 0);
}

Test(config, empty_env_clears_a_file_secret_file)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] =
	    "jwt_secret_file = /nonexistent/secret\n";

	clear_env();
	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	cr_assert_eq(setenv(GH_CONFIG_ENV, path, 1), 0);
	cr_assert_eq(setenv("JWT_SECRET_FILE", "", 1), 0);
	cr_assert_eq(setenv("JWT_SECRET", GOOD_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(unlink(path), 0);
}

/* Validation */

Test(config, missing_secret_refused_when_needed)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "gatehouse secret"), "%s", err);
	cr_assert_not_null(strstr(err, "JWT_SECRET"), "%s", err);
	cr_assert_not_null(strstr(err, "JWT_SECRET_FILE"), "%s", err);
}

Test(config, missing_secret_accepted_when_not_needed)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), 0, "%s",
	    err);
}

Test(config, short_secret_refused)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	set_secret(&c, SHORT_SECRET);
	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "31 bytes"), "%s", err);
	cr_assert_not_null(strstr(err, "32"), "%s", err);
	cr_assert_null(strstr(err, SHORT_SECRET));
}

Test(config, secret_of_32_bytes_accepted)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	set_secret(&c, "0123456789abcdefghijklmnopqrstuv");
	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), 0, "%s", err);
}

Test(config, example_secret_refused_even_when_not_needed)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	set_secret(&c, GH_EXAMPLE_SECRET);
	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "example"), "%s", err);
	cr_assert_null(strstr(err, GH_EXAMPLE_SECRET));
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
}

Test(config, example_secret_refused_from_env)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv("JWT_SECRET", GH_EXAMPLE_SECRET, 1), 0);
	cr_assert_eq(gh_config_load(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "example"), "%s", err);
}

Test(config, refresh_longer_than_session_refused)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	c.refresh_token_expire_days = 31;
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "refresh_token_expire_days"), "%s",
	    err);
	cr_assert_not_null(strstr(err, "session_max_days"), "%s", err);
	c.refresh_token_expire_days = 30;
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), 0, "%s",
	    err);
}

Test(config, validate_checks_ranges_of_fields_set_by_hand)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	c.bcrypt_cost = 3;
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bcrypt_cost must be a whole number from 4 to "
	    "31");
	gh_config_defaults(&c);
	c.max_body_bytes = (size_t)-1;
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "max_body_bytes"), "%s", err);
}

Test(config, empty_issuer_refused)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	c.jwt_issuer[0] = '\0';
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "jwt_issuer must not be empty");
}

Test(config, token_audiences_are_checked)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	(void)snprintf(c.token_audiences, sizeof(c.token_audiences),
	    " app  https://wiki.example.org/ ");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), 0, "%s", err);
	(void)snprintf(c.jwt_audience, sizeof(c.jwt_audience), "app");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "jwt_audience"), "%s", err);
	c.jwt_audience[0] = '\0';
	(void)snprintf(c.token_audiences, sizeof(c.token_audiences),
	    "app,\"wiki\"");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "token_audiences"), "%s", err);
	(void)snprintf(c.token_audiences, sizeof(c.token_audiences),
	    "x %0129d", 0);
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "at most 128"), "%s", err);
}

Test(config, public_base_url_is_an_http_url_or_empty)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	parse_ok(&c, "public_base_url = https://auth.example.com/gh\n");
	cr_assert_str_eq(c.public_base_url, "https://auth.example.com/gh");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), 0, "%s", err);
	(void)snprintf(c.public_base_url, sizeof(c.public_base_url),
	    "auth.example.com");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "public_base_url"), "%s", err);
	(void)snprintf(c.public_base_url, sizeof(c.public_base_url),
	    "https://auth.example.com/?next=x");
	cr_assert_eq(gh_config_validate(&c, 0, err, sizeof(err)), -1);
}

Test(config, jwks_max_age_has_its_default_and_range)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	gh_config_defaults(&c);
	cr_assert_eq(c.jwks_max_age_seconds, 300);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse(&c, "jwks_max_age_seconds = 86401\n", 30,
	    err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "jwks_max_age_seconds"), "%s", err);
}

/* Failure paths that have the secret in hand, none may print it. */
Test(config, messages_never_contain_the_secret)
{
	static const char *const texts[] = {
		"jwt_secret = \"" SHORT_SECRET,		/* unclosed quote */
		"jwt_secret " SHORT_SECRET,		/* no '=' */
		SHORT_SECRET " = 1",			/* not a key */
		SHORT_SECRET,				/* pasted alone */
		GOOD_SECRET "=",			/* unknown key */
		GOOD_SECRET,
	};
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX];
	char			 longtext[1024];
	size_t			 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		gh_config_defaults(&c);
		err[0] = '\0';
		cr_assert_eq(parse(&c, texts[i], err), -1);
		cr_assert_null(strstr(err, SHORT_SECRET), "%s", err);
		cr_assert_null(strstr(err, "tooshort"), "%s", err);
		cr_assert_null(strstr(err, "Zm9v"), "%s", err);
	}

	cr_assert_gt(snprintf(longtext, sizeof(longtext), "jwt_secret = %s%0*d",
	    SHORT_SECRET, GH_SECRET_MAX, 0), 0);
	gh_config_defaults(&c);
	cr_assert_eq(parse(&c, longtext, err), -1);
	cr_assert_null(strstr(err, "tooshort"), "%s", err);

	parse_ok(&c, "jwt_secret = " SHORT_SECRET);
	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_null(strstr(err, "tooshort"), "%s", err);
}

/* The example file */

static char *
read_example(size_t *lenp)
{
	const char	*srcdir;
	char		 path[1024];
	FILE		*f;
	char		*buf;
	size_t		 len;

	if ((srcdir = getenv("GH_TEST_SRCDIR")) == NULL)
		srcdir = ".";
	cr_assert_lt((size_t)snprintf(path, sizeof(path),
	    "%s/etc/gatehouse.conf.example", srcdir), sizeof(path));
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (set GH_TEST_SRCDIR)", path);
	buf = calloc(1, 65536);
	cr_assert_not_null(buf);
	len = fread(buf, 1, 65535, f);
	cr_assert(feof(f), "%s is too large", path);
	cr_assert_eq(fclose(f), 0);
	*lenp = len;
	return buf;
}

Test(config, example_lists_every_key)
{
	const char *const	*k;
	char			 want[128];
	char			*text;
	size_t			 len;

	text = read_example(&len);
	for (k = gh_config_keys(); *k != NULL; k++) {
		cr_assert_gt(snprintf(want, sizeof(want), "\n%s =", *k), 0);
		cr_assert_not_null(strstr(text, want), "%s missing from the "
		    "example", *k);
	}
	free(text);
}

Test(config, example_parses_to_the_defaults_then_fails_on_its_secret)
{
	struct gh_config	 c, d;
	char			 err[GH_CONFIG_ERR_MAX] = "";
	char			*text;
	size_t			 len;

	text = read_example(&len);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse(&c, text, len, err, sizeof(err)), 0,
	    "%s", err);
	free(text);

	/*
	 * Every value the example shows is the default, but the secret; and
	 * it names register_window_seconds, so that counts as given.
	 */
	gh_config_defaults(&d);
	set_secret(&d, GH_EXAMPLE_SECRET);
	d.register_window_given = true;
	cr_assert_eq(memcmp(&c, &d, sizeof(c)), 0);

	cr_assert_eq(gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "example"), "%s", err);
}

/* Shared hosting: the config beside the program */

Test(config, the_file_beside_the_program_is_in_its_directory)
{
	char	 exe[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t	 n;

	cr_assert_gt(n = readlink("/proc/self/exe", exe, sizeof(exe) - 1), 0);
	exe[n] = '\0';
	cr_assert_not_null(slash = strrchr(exe, '/'));
	cr_assert_eq(gh_config_beside_program(path, sizeof(path)), 0);
	cr_assert_eq(strncmp(path, exe, (size_t)(slash - exe + 1)), 0, "%s",
	    path);
	cr_assert_str_eq(path + (slash - exe + 1), "gatehouse.conf");
	/* Too small a buffer is refused, not truncated. */
	cr_assert_eq(gh_config_beside_program(path, 8), -1);
}

/* The example file is the key table's */

Test(config, example_is_what_the_key_table_writes)
{
	FILE	*f;
	char	*text, *want = NULL;
	size_t	 len, wantlen = 0;
	int	 same;

	text = read_example(&len);
	cr_assert_not_null(f = open_memstream(&want, &wantlen));
	cr_assert_eq(gh_config_write_example(f), 0);
	cr_assert_eq(fclose(f), 0);
	same = len == wantlen && memcmp(text, want, len) == 0;
	if (!same) {
		/* What to commit, for whoever changed the table. */
		cr_assert_not_null(f = fopen("gatehouse.conf.example.new",
		    "w"));
		cr_assert_eq(fwrite(want, 1, wantlen, f), wantlen);
		cr_assert_eq(fclose(f), 0);
	}
	cr_assert(same, "etc/gatehouse.conf.example is not what the key "
	    "table in src/core/config.c writes: the table's output is in "
	    "gatehouse.conf.example.new of the current directory; copy it "
	    "over etc/gatehouse.conf.example");
	free(want);
	free(text);
}

Test(config, example_write_failure_is_reported)
{
	FILE	*f;

	cr_assert_not_null(f = fopen("/dev/full", "w"));
	cr_assert_eq(gh_config_write_example(f), -1);
	(void)fclose(f);
}

/* register_window_seconds, and the old key that still sets it */

Test(config, register_window_follows_the_old_key_until_given)
{
	static const struct {
		const char	*text;
		int		 login, reg;
	} cases[] = {
		{ "", 900, 900 },
		{ "login_failure_window_seconds = 600", 600, 600 },
		{ "register_window_seconds = 60", 900, 60 },
		{ "register_window_seconds = 60\n"
		  "login_failure_window_seconds = 600", 600, 60 },
		{ "login_failure_window_seconds = 600\n"
		  "register_window_seconds = 60", 600, 60 },
	};
	struct gh_config	 c;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(&c, cases[i].text);
		cr_assert_eq(c.login_failure_window_seconds, cases[i].login,
		    "[%s]", cases[i].text);
		cr_assert_eq(c.register_window_seconds, cases[i].reg, "[%s]",
		    cases[i].text);
	}
}

Test(config, old_window_key_in_env_sets_both_unless_register_is_given)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] = "register_window_seconds = 60\n";

	clear_env();
	cr_assert_eq(setenv("LOGIN_FAILURE_WINDOW_SECONDS", "300", 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.login_failure_window_seconds, 300);
	cr_assert_eq(c.register_window_seconds, 300);

	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	cr_assert_eq(setenv(GH_CONFIG_ENV, path, 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.login_failure_window_seconds, 300);
	cr_assert_eq(c.register_window_seconds, 60);
	cr_assert_eq(unlink(path), 0);
}

Test(config, register_window_is_range_checked)
{

	parse_fails("register_window_seconds = 0", "gatehouse.conf line 1: "
	    "register_window_seconds must be a whole number from 1 to 86400");
	parse_fails("register_window_seconds = 86401", "gatehouse.conf line "
	    "1: register_window_seconds must be a whole number from 1 to "
	    "86400");
}

/* A program that needs no secret neither reads nor keeps one */

/* Loads with only var=value in the environment. */
static int
load_with(struct gh_config *c, const char *var, const char *value, int need,
    char *err)
{

	clear_env();
	cr_assert_eq(setenv(var, value, 1), 0);
	return gh_config_load(c, need, err, GH_CONFIG_ERR_MAX);
}

Test(config, load_without_need_does_not_open_the_secret_file)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with(&c, "JWT_SECRET_FILE", "/nonexistent/secret",
	    0, err), 0, "%s", err);
	cr_assert_eq(c.jwt_secret_len, 0);
	/* The same configuration with the need fails on that file. */
	cr_assert_eq(load_with(&c, "JWT_SECRET_FILE", "/nonexistent/secret",
	    GH_CONFIG_NEED_SECRET, err), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/secret"), "%s", err);
}

Test(config, load_without_need_keeps_no_secret)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";
	size_t			 i;

	cr_assert_eq(load_with(&c, "JWT_SECRET", GOOD_SECRET, 0, err), 0,
	    "%s", err);
	cr_assert_eq(c.jwt_secret_len, 0);
	for (i = 0; i < sizeof(c.jwt_secret); i++)
		cr_assert_eq(c.jwt_secret[i], 0);
	/* Short or absent is no reason to stop a program that needs none. */
	cr_assert_eq(load_with(&c, "JWT_SECRET", SHORT_SECRET, 0, err), 0,
	    "%s", err);
	cr_assert_eq(load_with(&c, "JWT_SECRET", "", 0, err), 0, "%s", err);
}

Test(config, load_without_need_still_refuses_the_example_secret)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	cr_assert_eq(load_with(&c, "JWT_SECRET", GH_EXAMPLE_SECRET, 0, err),
	    -1);
	cr_assert_not_null(strstr(err, "example"), "%s", err);
	cr_assert_eq(c.jwt_secret_len, 0);
}

/* The owner's credentials: the admin config, read by the command alone */

/* Makes dir/name with text; path gets the file's path. */
static void
write_in(char *path, size_t pathsz, const char *dir, const char *name,
    const char *text)
{
	FILE	*f;

	cr_assert_lt(snprintf(path, pathsz, "%s/%s", dir, name), (int)pathsz);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

Test(config, the_admin_config_beside_the_programs_gives_the_owners_url)
{
	struct gh_config	 c;
	char			 dir[] = "/tmp/gh_test_admin.XXXXXX";
	char			 conf[128], admin[128], err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_not_null(mkdtemp(dir));
	write_in(conf, sizeof(conf), dir, "gatehouse.conf",
	    "database_url = \"host=/run/pg dbname=gh\"\nbcrypt_cost = 10\n");
	write_in(admin, sizeof(admin), dir, "gatehouse-admin.conf",
	    "admin_database_url = \"host=/run/pg dbname=gh user=owner "
	    "password=pw\"\n");
	cr_assert_eq(setenv(GH_CONFIG_ENV, conf, 1), 0);
	cr_assert_eq(unsetenv(GH_ADMIN_CONFIG_ENV), 0);
	/* What a program loads: no owner in it. */
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.admin_database_url, "");
	/* What the command loads: both. */
	cr_assert_eq(gh_config_load_admin(&c, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(c.database_url, "host=/run/pg dbname=gh");
	cr_assert_str_eq(c.admin_database_url,
	    "host=/run/pg dbname=gh user=owner password=pw");
	cr_assert_eq(c.bcrypt_cost, 10);
	cr_assert_eq(unlink(admin), 0);
	/* None beside it: the command uses database_url alone. */
	cr_assert_eq(gh_config_load_admin(&c, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(c.admin_database_url, "");
	cr_assert_eq(unlink(conf), 0);
	cr_assert_eq(rmdir(dir), 0);
}

Test(config, the_admin_config_named_by_its_variable_must_exist)
{
	struct gh_config	 c;
	char			 err[GH_CONFIG_ERR_MAX] = "";

	clear_env();
	cr_assert_eq(setenv(GH_ADMIN_CONFIG_ENV, "/nonexistent/gatehouse-admin.conf",
	    1), 0);
	cr_assert_eq(gh_config_load_admin(&c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/gatehouse-admin.conf"),
	    "%s", err);
}

Test(config, the_environment_wins_over_the_admin_config)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] = "admin_database_url = dbname=file\n";

	clear_env();
	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	cr_assert_eq(setenv(GH_ADMIN_CONFIG_ENV, path, 1), 0);
	cr_assert_eq(setenv("ADMIN_DATABASE_URL", "dbname=env", 1), 0);
	cr_assert_eq(gh_config_load_admin(&c, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(c.admin_database_url, "dbname=env");
	cr_assert_eq(unlink(path), 0);
}

/* The command signs nothing: a secret in either file is not kept. */
Test(config, the_command_keeps_no_secret)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] = "jwt_secret = " GOOD_SECRET "\n";

	clear_env();
	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	cr_assert_eq(setenv(GH_ADMIN_CONFIG_ENV, path, 1), 0);
	cr_assert_eq(gh_config_load_admin(&c, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(c.jwt_secret_len, 0);
	cr_assert_eq(unlink(path), 0);
}

/* Only the signers open the secret file: health and register do not. */
Test(config, a_program_without_the_need_does_not_open_the_secret_file)
{
	struct gh_config	 c;
	char			 path[64], err[GH_CONFIG_ERR_MAX] = "";
	static const char	 text[] = GOOD_SECRET "\n";

	clear_env();
	write_temp(path, sizeof(path), text, sizeof(text) - 1);
	/* Opened, a missing file would be an error (as above). */
	cr_assert_eq(setenv("JWT_SECRET_FILE", "/nonexistent/secret", 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(setenv("JWT_SECRET_FILE", path, 1), 0);
	cr_assert_eq(gh_config_load(&c, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.jwt_secret_len, 0);
	cr_assert_eq(unlink(path), 0);
}


/* Secret strength (issue 13) */

/* Validates secret s under algorithm alg; the message lands in err. */
static int
validate_secret(const char *alg, const char *s, char *err, size_t errsz)
{
	struct gh_config	 c;

	gh_config_defaults(&c);
	cr_assert_eq(gh_jwt_alg_parse(alg, &c.jwt_algorithm), 0);
	set_secret(&c, s);
	err[0] = '\0';
	return gh_config_validate(&c, GH_CONFIG_NEED_SECRET, err, errsz);
}

/* RFC 7518 3.2: HS384 wants 48 bytes, HS512 64; 44 is enough for HS256. */
Test(config, secret_must_be_as_long_as_the_algorithms_hash)
{
	char	 err[GH_CONFIG_ERR_MAX];
	char	 s48[49], s64[65];

	cr_assert_eq(validate_secret("HS256", GOOD_SECRET, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_eq(validate_secret("HS384", GOOD_SECRET, err, sizeof(err)),
	    -1);
	cr_assert_not_null(strstr(err, "44 bytes"), "%s", err);
	cr_assert_not_null(strstr(err, "48 HS384"), "%s", err);
	cr_assert_null(strstr(err, GOOD_SECRET));
	cr_assert_eq(validate_secret("HS512", GOOD_SECRET, err, sizeof(err)),
	    -1);
	cr_assert_not_null(strstr(err, "64 HS512"), "%s", err);
	cr_assert_eq(snprintf(s48, sizeof(s48), "%s", GOOD_SECRET "q7K-"), 48);
	cr_assert_eq(validate_secret("HS384", s48, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_eq(validate_secret("HS512", s48, err, sizeof(err)), -1);
	cr_assert_eq(snprintf(s64, sizeof(s64), "%s%s", s48,
	    "Xw2_pL9vRt4mNb8Z"), 64);
	cr_assert_eq(validate_secret("HS512", s64, err, sizeof(err)), 0,
	    "%s", err);
}

/* One byte, two bytes alternating, a part repeated: patterns, refused. */
Test(config, a_patterned_secret_is_refused)
{
	static const char *const weak[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"abababababababababababababababababababababababababababababab",
		"abcdefgabcdefgabcdefgabcdefgabcdefg",		/* 7 bytes */
		"0123456789abcdef0123456789abcdef",		/* period 16 */
		"password1password1password1password1",
		"Secret-2026!Secret-2026!Secret-2026!Secr",	/* and a tail */
	};
	char	 err[GH_CONFIG_ERR_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		cr_assert_eq(validate_secret("HS256", weak[i], err,
		    sizeof(err)), -1, "%s", weak[i]);
		cr_assert_not_null(strstr(err, "pattern"), "%s", err);
		cr_assert_null(strstr(err, weak[i]));
	}
}

/* What random generators write passes, hex of 32 digits included. */
Test(config, random_secrets_pass_the_pattern_check)
{
	static const char *const good[] = {
		"9f86d081884c7d659a2feaa0c55ad015",	/* hex, 128 bits */
		"0123456789abcdefghijklmnopqrstuv",
		GOOD_SECRET,
	};
	char	 err[GH_CONFIG_ERR_MAX];
	char	 s[GH_B64URL_ENCODED_LEN(48) + 1];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert_eq(validate_secret("HS256", good[i], err,
		    sizeof(err)), 0, "%s: %s", good[i], err);
	/* What `gatehouse secret` prints (48 random bytes) is HS512's size. */
	for (i = 0; i < 100; i++) {
		cr_assert_eq(gh_random_b64url(48, s, sizeof(s)), 0);
		cr_assert_eq(strlen(s), 64);
		cr_assert_eq(validate_secret("HS512", s, err, sizeof(err)), 0,
		    "%s", err);
	}
}

/* File modes (issue 13) */

/* Loads a secret file of the given mode and owner; the message in err. */
static int
load_secret_file_mode(mode_t mode, uid_t owner, char *err)
{
	struct gh_config	 c;
	char			 path[64];
	int			 rc;

	clear_env();
	write_temp(path, sizeof(path), GOOD_SECRET "\n",
	    strlen(GOOD_SECRET) + 1);
	cr_assert_eq(chmod(path, mode), 0);
	cr_assert_eq(chown(path, owner, (gid_t)-1), 0);
	cr_assert_eq(setenv("JWT_SECRET_FILE", path, 1), 0);
	rc = gh_config_load(&c, GH_CONFIG_NEED_SECRET, err, GH_CONFIG_ERR_MAX);
	cr_assert_eq(unlink(path), 0);
	return rc;
}

/*
 * Another user could read the secret: refused, with the chmod to run.
 * Root's file may be readable by its group (root:www-data 0640), as
 * PostgreSQL allows for its TLS key; anybody else's may not.
 */
Test(config, a_secret_file_others_can_read_is_refused)
{
	char	 err[GH_CONFIG_ERR_MAX];

	if (geteuid() != 0)
		cr_skip_test("needs root to give the file away");
	cr_assert_eq(load_secret_file_mode(0644, 0, err), -1);
	cr_assert_not_null(strstr(err, "chmod 0600 /tmp/gh_test_config."),
	    "%s", err);
	cr_assert_null(strstr(err, GOOD_SECRET));
	cr_assert_eq(load_secret_file_mode(0604, 0, err), -1);
	cr_assert_eq(load_secret_file_mode(0640, 65534, err), -1, "%s", err);
	cr_assert_eq(load_secret_file_mode(0640, 0, err), 0, "%s", err);
	cr_assert_eq(load_secret_file_mode(0600, 65534, err), 0, "%s", err);
	cr_assert_eq(load_secret_file_mode(0400, 0, err), 0, "%s", err);
}

/* Runs gh_config_parse_file() on a file of mode; its stderr into log. */
static void
parse_file_mode(mode_t mode, char *log, size_t logsz)
{
	struct gh_config	 c;
	char			 path[64], logpath[64], err[GH_CONFIG_ERR_MAX];
	int			 saved, fd;
	ssize_t			 n;

	write_temp(path, sizeof(path), "bcrypt_cost = 10\n", 17);
	cr_assert_eq(chmod(path, mode), 0);
	write_temp(logpath, sizeof(logpath), "", 0);
	cr_assert_geq(fd = open(logpath, O_WRONLY), 0);
	fflush(stderr);
	cr_assert_geq(saved = dup(2), 0);
	cr_assert_eq(dup2(fd, 2), 2);
	gh_config_defaults(&c);
	cr_assert_eq(gh_config_parse_file(&c, path, err, sizeof(err)), 0,
	    "%s", err);
	fflush(stderr);
	cr_assert_eq(dup2(saved, 2), 2);
	cr_assert_eq(close(saved), 0);
	cr_assert_eq(close(fd), 0);
	cr_assert_geq(fd = open(logpath, O_RDONLY), 0);
	cr_assert_geq(n = read(fd, log, logsz - 1), 0);
	log[n] = '\0';
	cr_assert_eq(close(fd), 0);
	cr_assert_eq(unlink(logpath), 0);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(c.bcrypt_cost, 10);
}

/* A config file others can read is used, with a warning saying the chmod. */
Test(config, a_config_file_others_can_read_is_warned_about)
{
	char	 log[2048];

	parse_file_mode(0644, log, sizeof(log));
	cr_assert_not_null(strstr(log, "can be read by other users"), "%s",
	    log);
	cr_assert_not_null(strstr(log, "chmod 0600"), "%s", log);
	parse_file_mode(0600, log, sizeof(log));
	cr_assert_str_eq(log, "");
}
