/*
 * throttle: brute-force and spam limits, counted in PostgreSQL so every
 * process and every web node agrees.
 *
 * Logins: failures are counted per account and per client address (an
 * IPv6 address by its /64) over
 * login_failure_window_seconds.  Once an account has
 * login_max_failures_per_account failures in the window (an address,
 * login_max_failures_per_address), further attempts are refused for a
 * back-off that starts at GH_THROTTLE_BACKOFF_BASE seconds after the
 * last failure and doubles with every failure past the limit, capped at
 * the window.  An admitted attempt is counted as a failure before its
 * password work (atomically with the check: no attempt in flight slips
 * past a limit); a refused one does no password work and counts as
 * nothing; a successful login clears its account's failures.  An unknown
 * account is counted under the name that was tried, so throttling looks
 * the same for real and made-up accounts.
 *
 * Consecutive failures: each admitted attempt also counts one more for
 * its account, without a window; at login_max_consecutive_failures (0:
 * no cap) the account's attempts wait the whole window, again and again,
 * until a successful login or a new password (sql/010_lockout.sql's
 * trigger) clears the count.
 *
 * Registrations: at most register_max_per_address attempts per address
 * over register_window_seconds (0: no limit), each counted before its
 * password work whether it makes an account or not.
 *
 * Forgotten passwords: the same count and limits as registrations, kept
 * apart under the address's key prefixed "forgot:", so neither spends
 * the other's budget.
 */
#ifndef GH_THROTTLE_H
#define GH_THROTTLE_H

#include "core/config.h"
#include "data/db.h"
#include "domain/audit.h"

#define GH_THROTTLE_BACKOFF_BASE	30	/* seconds */
#define GH_THROTTLE_KEY_MAX		300
#define GH_THROTTLE_ADDR_MAX		64

/*
 * The account key of a login attempt: "id:<uuid>" for a known user, else
 * "name:<kind>:<identifier, lower case>".  out holds GH_THROTTLE_KEY_MAX.
 */
void	gh_throttle_account_key(const char *user_id, const char *kind,
	    const char *identifier, char *out, size_t outsz);

/*
 * The key an address is counted under: an IPv6 address by its /64
 * ("2001:db8:1:2::/64"), as one subscriber holds a whole /64 and would
 * otherwise get a fresh budget with every address of it; an IPv4 one,
 * or an IPv4-mapped IPv6 one, as the IPv4 address; anything else as
 * given, cut to fit.  out holds GH_THROTTLE_ADDR_MAX.  The login and
 * registration calls below key their address with it.
 */
void	gh_throttle_address_key(const char *address, char *out, size_t outsz);

/*
 * Admits a login attempt and counts it as a failure in one step, so
 * attempts in flight together cannot all pass one limit: *retry_after
 * is 0 when it may go on (its failure is then recorded), else the
 * seconds to wait (nothing is recorded).  A success clears the account's
 * failures, this one's with them.
 */
enum gh_status gh_throttle_login_attempt(struct gh_db *,
	    const struct gh_config *, const char *account, const char *address,
	    long *retry_after);

/*
 * gh_throttle_login_attempt() that, when the attempt is refused, appends
 * the audit row a (audit.h) in the same statement: a throttled login's
 * row costs no round trip of its own.
 */
enum gh_status gh_throttle_login_audited(struct gh_db *,
	    const struct gh_config *, const char *account, const char *address,
	    const struct gh_audit *a, long *retry_after);

/*
 * Clears an account's failures after a successful login, the consecutive
 * ones with them.
 */
enum gh_status gh_throttle_login_succeeded(struct gh_db *,
	    const char *account);

/*
 * Admits a registration attempt from address and counts it in one step,
 * before any password work, whatever its outcome: *retry_after is 0 when
 * it may go on (it is then counted), else the seconds to wait.
 */
enum gh_status gh_throttle_register_attempt(struct gh_db *,
	    const struct gh_config *, const char *address, long *retry_after);

/* Admits a forgot-password request from address, as a registration. */
enum gh_status gh_throttle_forgot_attempt(struct gh_db *,
	    const struct gh_config *, const char *address, long *retry_after);

/*
 * Deletes login failures and registrations older than the windows the
 * checks count them in, so that no check sees a difference.  *deleted
 * counts rows removed.
 */
enum gh_status gh_throttle_cleanup(struct gh_db *, const struct gh_config *,
	    long *deleted);

#endif
