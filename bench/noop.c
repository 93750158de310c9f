/*
 * noop: the FastCGI ceiling of bench/run.  A responder that does nothing
 * but answer fixed bytes: no parameter read, no body, no database.  It
 * runs in lighttpd's pool exactly as a gatehouse program does (spawned
 * with "bin-path", the listening socket on fd 0, FCGX_Accept_r in a
 * loop), so what it reaches is the most any FastCGI endpoint can reach
 * behind that lighttpd on this machine.
 *
 * The bytes are read once, at start, from the file named by argv[1], or
 * else from "<argv[0]>.response"; bench/run puts there the exact output
 * of a real GET /api/auth/me (CGI headers, blank line, JSON body), so the
 * ceiling moves the same number of bytes as the endpoint it bounds.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

static void
on_term(int sig)
{
	(void)sig;
	FCGX_ShutdownPending();
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (buf = malloc((size_t)n)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	FCGX_Request		 req;
	char			 path[4096];
	char			*resp;
	size_t			 len;

	if (argc > 1)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "%s.response", argv[0]);
	if ((resp = slurp(path, &len)) == NULL) {
		fprintf(stderr, "noop: cannot read %s\n", path);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "noop: cannot start\n");
		return 1;
	}
	while (FCGX_Accept_r(&req) == 0) {
		FCGX_PutStr(resp, (int)len, req.out);
		FCGX_Finish_r(&req);
	}
	free(resp);
	return 0;
}
