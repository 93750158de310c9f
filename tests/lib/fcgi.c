/*
 * fcgi: a FastCGI client for tests and the bench.  See fcgi.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi.h"

void
t_fcgi_put(struct t_fcgi_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 256;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("fcgi: realloc");
			exit(1);
		}
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
t_fcgi_record(struct t_fcgi_buf *b, int type, const void *data, size_t len)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, 0, 1,
			    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	t_fcgi_put(b, h, 8);
	t_fcgi_put(b, data, len);
}

/* A FastCGI length: one byte below 128, else four with the top bit set. */
static size_t
put_length(unsigned char *l, size_t n)
{
	if (n < 128) {
		l[0] = (unsigned char)n;
		return 1;
	}
	l[0] = (unsigned char)((n >> 24) | 0x80);
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	return 4;
}

void
t_fcgi_param(struct t_fcgi_buf *b, const char *name, const char *value)
{
	size_t		 n = strlen(name), v = strlen(value), k;
	unsigned char	 l[8];

	k = put_length(l, n);
	k += put_length(l + k, v);
	t_fcgi_put(b, l, k);
	t_fcgi_put(b, name, n);
	t_fcgi_put(b, value, v);
}

void
t_fcgi_request(struct t_fcgi_buf *b, int role, const char *method,
    const char *uri, const char *auth)
{
	struct t_fcgi_buf	 params = { 0 };
	unsigned char		 begin[8] = { 0, (unsigned char)role, 0, 0,
				    0, 0, 0, 0 };

	t_fcgi_param(&params, "GATEWAY_INTERFACE", "CGI/1.1");
	t_fcgi_param(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	t_fcgi_param(&params, "SERVER_SOFTWARE", "gatehouse-fcgi-client");
	t_fcgi_param(&params, "REQUEST_METHOD", method);
	t_fcgi_param(&params, "REQUEST_URI", uri);
	t_fcgi_param(&params, "SCRIPT_NAME", uri);
	t_fcgi_param(&params, "REMOTE_ADDR", "127.0.0.1");
	t_fcgi_param(&params, "HTTP_HOST", "127.0.0.1");
	if (auth != NULL)
		t_fcgi_param(&params, "HTTP_AUTHORIZATION", auth);
	t_fcgi_record(b, 1, begin, sizeof(begin));	/* FCGI_BEGIN_REQUEST */
	t_fcgi_record(b, 4, params.p, params.len);	/* FCGI_PARAMS */
	t_fcgi_record(b, 4, NULL, 0);
	t_fcgi_record(b, 5, NULL, 0);			/* FCGI_STDIN */
	free(params.p);
}

static int
address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

pid_t
t_fcgi_spawn(const char *path, char *const argv[])
{
	struct sockaddr_un	 sa;
	pid_t			 pid;
	int			 ls;

	if (address(path, &sa) == -1)
		return -1;
	(void)unlink(path);
	if ((ls = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(ls, 16) == -1 || (pid = fork()) == -1) {
		close(ls);
		return -1;
	}
	if (pid == 0) {
		if (dup2(ls, 0) == -1)
			_exit(127);
		close(ls);
		execv(argv[0], argv);
		_exit(127);
	}
	close(ls);
	return pid;
}

static int
read_full(int fd, void *p, size_t len)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read(fd, (char *)p + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
t_fcgi_exchange(const char *path, const struct t_fcgi_buf *request,
    struct t_fcgi_buf *out)
{
	struct sockaddr_un	 sa;
	unsigned char		 h[8], content[65536 + 256];
	size_t			 clen;
	int			 c, done = 0;

	if (address(path, &sa) == -1 ||
	    (c = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(c, (const struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    write(c, request->p, request->len) != (ssize_t)request->len) {
		close(c);
		return -1;
	}
	if (out != NULL)
		out->len = 0;
	while (!done && read_full(c, h, 8) == 0) {
		clen = ((size_t)h[4] << 8) | h[5];
		if (read_full(c, content, clen + h[6]) == -1)
			break;
		if (h[1] == 6 && clen > 0 && out != NULL)	/* FCGI_STDOUT */
			t_fcgi_put(out, content, clen);
		else if (h[1] == 3)			/* FCGI_END_REQUEST */
			done = 1;
	}
	if (!done) {
		close(c);
		return -1;
	}
	return c;
}
