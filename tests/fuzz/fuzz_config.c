/*
 * fuzz_config: configuration text through gh_config_parse(), over a
 * fresh gh_config_defaults() each run, then gh_config_validate().
 *
 * Checked: a failure leaves a message; every string field stays
 * NUL-terminated within its buffer; the secret's length matches its
 * bytes; until register_window_seconds is given, it follows
 * login_failure_window_seconds; whatever parsed, validation never finds
 * a number out of range.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/config.h"
#include "fuzz.h"

static int
bounded(const char *s, size_t sz)
{

	return memchr(s, '\0', sz) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gh_config	 cfg;
	char			 err[GH_CONFIG_ERR_MAX];
	int			 rc;

	gh_config_defaults(&cfg);
	err[0] = '\0';
	rc = gh_config_parse(&cfg, (const char *)data, size, err,
	    sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(bounded(err, sizeof(err)));
	if (rc == -1)
		FUZZ_ASSERT(err[0] != '\0');

	FUZZ_ASSERT(bounded(cfg.database_url, sizeof(cfg.database_url)));
	FUZZ_ASSERT(bounded(cfg.jwt_secret_file, sizeof(cfg.jwt_secret_file)));
	FUZZ_ASSERT(bounded(cfg.jwt_issuer, sizeof(cfg.jwt_issuer)));
	FUZZ_ASSERT(bounded(cfg.jwt_audience, sizeof(cfg.jwt_audience)));
	FUZZ_ASSERT(bounded(cfg.cors_allowed_origins,
	    sizeof(cfg.cors_allowed_origins)));
	FUZZ_ASSERT(cfg.jwt_secret_len <= GH_SECRET_MAX);
	FUZZ_ASSERT(cfg.jwt_secret[cfg.jwt_secret_len] == '\0');
	FUZZ_ASSERT(memchr(cfg.jwt_secret, '\0', cfg.jwt_secret_len) == NULL);
	if (!cfg.register_window_given)
		FUZZ_ASSERT(cfg.register_window_seconds ==
		    cfg.login_failure_window_seconds);

	/*
	 * Parsing range-checks every number, so validation may refuse only
	 * what crosses fields or needs the secret, never a range.
	 */
	err[0] = '\0';
	if (gh_config_validate(&cfg, GH_CONFIG_NEED_SECRET, err,
	    sizeof(err)) == -1) {
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(strstr(err, "must be a whole number") == NULL);
	}
	return 0;
}
