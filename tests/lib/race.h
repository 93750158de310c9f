/*
 * race: a session ended while clients are using it, end to end.  Clients
 * keep calling /me with one of the session's access tokens while the
 * test ends the session (a revocation, a logout, a DELETE of it): none
 * whose request started after the ending was answered may succeed.
 */
#ifndef T_RACE_H
#define T_RACE_H

#define T_RACE_CLIENTS	4

/*
 * Starts T_RACE_CLIENTS processes calling /me with access, waits for a
 * 200, calls end(arg) (it makes the ending request and asserts its
 * answer), then asserts that every /me started after end() returned got
 * 401, and that there were calls on both sides.  Times are
 * CLOCK_MONOTONIC, one clock for every process of the host.
 */
void	t_race_me(const char *access, void (*end)(const void *),
	    const void *arg);

#endif
