/*
 * run: runs a program for a test and captures what it says.
 */
#ifndef T_RUN_H
#define T_RUN_H

#include <stddef.h>

/*
 * Seconds a program may run before it is killed and the test fails,
 * unless t_run_timeout() says otherwise.
 */
#define T_RUN_TIMEOUT		30

/*
 * Runs argv[0] (a path: no PATH search) with argv, in a copy of environ
 * with the "K=V" entries of env (NULL-terminated, may be NULL) added, each
 * replacing a variable of the same name.  stdin_text is written to the
 * program's stdin, or stdin is /dev/null when it is NULL.  stdout and
 * stderr are captured into out and err (either may be NULL with size 0),
 * NUL-terminated and truncated to fit; the rest is read and dropped, so
 * the program never blocks on a full pipe.
 *
 * Returns the exit status, or -1 when the program could not be run or
 * died of a signal.  A program still running after T_RUN_TIMEOUT
 * seconds is killed and the calling test fails.
 */
int	t_run(const char *const argv[], const char *const env[],
	    const char *stdin_text, char *out, size_t outsz, char *err,
	    size_t errsz);

/*
 * The time limit of this process's following t_run() calls, in seconds
 * (0: T_RUN_TIMEOUT again), for a program known to take long when the
 * machine is slow: the limit is there to catch a hang, not to time it.
 */
void	t_run_timeout(int seconds);

#endif
