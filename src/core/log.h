/*
 * log: one line per event on stderr, which the web server puts in its
 * error log.  Each line is "gatehouse[pid] level: message".  Callers never
 * pass a password, hash, token or secret; gh_log() cannot tell, so the rule
 * is the caller's, and tests grep the logs of a whole run to hold it.
 */
#ifndef GH_LOG_H
#define GH_LOG_H

enum gh_log_level {
	GH_LOG_DEBUG = 0,
	GH_LOG_INFO,
	GH_LOG_WARN,
	GH_LOG_ERROR
};

/* Lines below this level are dropped.  The default is GH_LOG_INFO. */
void	gh_log_set_level(enum gh_log_level);

/* "debug", "info", "warning" (or "warn"), "error"; 0 on success, -1 if unknown. */
int	gh_log_parse_level(const char *, enum gh_log_level *);

/* Newlines and control bytes in the message are written as '?'. */
void	gh_log(enum gh_log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
