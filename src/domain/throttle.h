/*
 * throttle: brute-force and spam limits, counted in PostgreSQL so every
 * process and every web node agrees.
 *
 * Logins: failures are counted per account and per client address over
 * login_failure_window_seconds.  Once an account has
 * login_max_failures_per_account failures in the window (an address,
 * login_max_failures_per_address), further attempts are refused for a
 * back-off that starts at GH_THROTTLE_BACKOFF_BASE seconds after the
 * last failure and doubles with every failure past the limit, capped at
 * the window.  A refused attempt does no password work and counts as
 * nothing; a successful login clears its account's failures.  An unknown
 * account is counted under the name that was tried, so throttling looks
 * the same for real and made-up accounts.
 *
 * Registrations: at most register_max_per_address successful ones per
 * address over register_window_seconds (0: no limit).
 */
#ifndef GH_THROTTLE_H
#define GH_THROTTLE_H

#include "core/config.h"
#include "data/db.h"

#define GH_THROTTLE_BACKOFF_BASE	30	/* seconds */
#define GH_THROTTLE_KEY_MAX		300

/*
 * The account key of a login attempt: "id:<uuid>" for a known user, else
 * "name:<kind>:<identifier, lower case>".  out holds GH_THROTTLE_KEY_MAX.
 */
void	gh_throttle_account_key(const char *user_id, const char *kind,
	    const char *identifier, char *out, size_t outsz);

/*
 * Checks a login attempt.  *retry_after is 0 when it may go on, else the
 * seconds to wait.
 */
enum gh_status gh_throttle_login_check(struct gh_db *,
	    const struct gh_config *, const char *account, const char *address,
	    long *retry_after);

/* Records a failed login. */
enum gh_status gh_throttle_login_failed(struct gh_db *, const char *account,
	    const char *address);

/* Clears an account's failures after a successful login. */
enum gh_status gh_throttle_login_succeeded(struct gh_db *,
	    const char *account);

/* As gh_throttle_login_check(), for a registration from address. */
enum gh_status gh_throttle_register_check(struct gh_db *,
	    const struct gh_config *, const char *address, long *retry_after);

/* Records a successful registration. */
enum gh_status gh_throttle_registered(struct gh_db *, const char *address);

/*
 * Deletes login failures and registrations older than the windows the
 * checks count them in, so that no check sees a difference.  *deleted
 * counts rows removed.
 */
enum gh_status gh_throttle_cleanup(struct gh_db *, const struct gh_config *,
	    long *deleted);

#endif
