/*
 * fcgi: the client side of FastCGI, as a web server speaks it, for tests
 * and bench/spawn.c: requests built into a growing buffer, a program
 * started on a listening unix socket as lighttpd starts a pool member.
 */
#ifndef T_FCGI_H
#define T_FCGI_H

#include <sys/types.h>

#include <stddef.h>

struct t_fcgi_buf {
	unsigned char	*p;
	size_t		 len, cap;
};

/* Appends len bytes; exits the process on memory failure. */
void	t_fcgi_put(struct t_fcgi_buf *, const void *, size_t len);

/* Appends a record of type (FCGI_BEGIN_REQUEST = 1, ...) for request 1. */
void	t_fcgi_record(struct t_fcgi_buf *, int type, const void *,
	    size_t len);

/* Appends a name-value pair, as FCGI_PARAMS carry them. */
void	t_fcgi_param(struct t_fcgi_buf *, const char *name,
	    const char *value);

/*
 * A whole request: role (1 responder, 2 authorizer), the CGI variables
 * method and uri (and HTTP_AUTHORIZATION when auth is not NULL), no body.
 */
void	t_fcgi_request(struct t_fcgi_buf *, int role, const char *method,
	    const char *uri, const char *auth);

/*
 * Binds a fresh listening unix socket at path, forks, and execs argv
 * (argv[0] a path) with the socket on fd 0.  The child's pid, or -1.
 */
pid_t	t_fcgi_spawn(const char *path, char *const argv[]);

/*
 * Sends request on a new connection to path and reads the answer up to
 * FCGI_END_REQUEST: FCGI_STDOUT into out (when not NULL).  The connected
 * socket, for the caller to close, or -1 when no whole answer came.
 */
int	t_fcgi_exchange(const char *path, const struct t_fcgi_buf *request,
	    struct t_fcgi_buf *out);

#endif
