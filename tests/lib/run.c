/*
 * run: fork, execve and pipes, read with poll.  See run.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "run.h"

extern char **environ;

static int	 run_timeout = T_RUN_TIMEOUT;	/* t_run_timeout() */

/* A capture buffer: keeps what fits, counts nothing past it. */
struct sink {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void
sink_init(struct sink *s, char *buf, size_t size)
{

	s->buf = size > 0 ? buf : NULL;
	s->size = s->buf != NULL ? size : 0;
	s->len = 0;
	if (s->size > 0)
		s->buf[0] = '\0';
}

static void
sink_add(struct sink *s, const char *p, size_t n)
{
	size_t	 room;

	if (s->size == 0)
		return;
	room = s->size - 1 - s->len;
	if (n > room)
		n = room;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

/* The length of the name in "K=V" (all of it when there is no '='). */
static size_t
name_len(const char *kv)
{
	const char	*eq;

	eq = strchr(kv, '=');
	return eq != NULL ? (size_t)(eq - kv) : strlen(kv);
}

/* A copy of environ with env's entries added; NULL on memory failure. */
static char **
make_env(const char *const env[])
{
	char	**e;
	size_t	 n = 0, extra = 0, i, j, k = 0, len;

	while (environ[n] != NULL)
		n++;
	while (env != NULL && env[extra] != NULL)
		extra++;
	if ((e = calloc(n + extra + 1, sizeof(*e))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		len = name_len(environ[i]);
		for (j = 0; j < extra; j++)
			if (name_len(env[j]) == len &&
			    strncmp(env[j], environ[i], len) == 0)
				break;
		if (j == extra)
			e[k++] = environ[i];
	}
	for (j = 0; j < extra; j++)
		e[k++] = (char *)env[j];
	e[k] = NULL;
	return e;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{

	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

/* Puts fd on target in the child, without close-on-exec. */
static int
move_fd(int fd, int target)
{
	int	 flags;

	if (fd != target)
		return dup2(fd, target) == -1 ? -1 : 0;
	if ((flags = fcntl(fd, F_GETFD)) == -1)
		return -1;
	return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

/* pipe(2), both ends close-on-exec (pipe2 is not POSIX). */
static int
cloexec_pipe(int fds[2])
{

	if (pipe(fds) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1) {
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		return -1;
	}
	return 0;
}

static void
child(int in, int out, int err, const char *const argv[], char **envp)
{
	static const char	 msg[] = "t_run: execve failed\n";
	sigset_t		 none;

	if (move_fd(in, STDIN_FILENO) == -1 ||
	    move_fd(out, STDOUT_FILENO) == -1 ||
	    move_fd(err, STDERR_FILENO) == -1)
		_exit(126);
	(void)signal(SIGPIPE, SIG_DFL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execve(argv[0], (char *const *)argv, envp);
	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(127);
}

/* Reads what is ready on *fd into s; closes *fd at EOF or on error. */
static void
drain(int *fd, struct sink *s)
{
	char	 chunk[4096];
	ssize_t	 n;

	n = read(*fd, chunk, sizeof(chunk));
	if (n > 0)
		sink_add(s, chunk, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd);
}

/* Writes what it can of text[*off..len) to *fd; closes it when done. */
static void
feed(int *fd, const char *text, size_t len, size_t *off)
{
	ssize_t	 n;

	if (*off < len) {
		n = write(*fd, text + *off, len - *off);
		if (n > 0)
			*off += (size_t)n;
		else if (n == -1 && errno != EINTR && errno != EAGAIN) {
			close_fd(fd);	/* EPIPE: the program stopped reading */
			return;
		}
	}
	if (*off >= len)
		close_fd(fd);
}

int
t_run(const char *const argv[], const char *const env[],
    const char *stdin_text, char *out, size_t outsz, char *err,
    size_t errsz)
{
	struct sink		 so, se;
	struct pollfd		 pfd[3];
	struct sigaction	 ign, oldpipe;
	char			**envp;
	int			 inp[2] = { -1, -1 }, outp[2] = { -1, -1 };
	int			 errp[2] = { -1, -1 };
	int			 status, rc = -1, timedout = 0, nfd, r;
	size_t			 inlen = 0, inoff = 0;
	long long		 deadline;
	pid_t			 pid = -1, w;

	sink_init(&so, out, outsz);
	sink_init(&se, err, errsz);
	if (argv == NULL || argv[0] == NULL)
		return -1;
	if ((envp = make_env(env)) == NULL)
		return -1;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &oldpipe) == -1) {
		free(envp);
		return -1;
	}

	if (stdin_text != NULL) {
		inlen = strlen(stdin_text);
		if (cloexec_pipe(inp) == -1)
			goto out;
	} else if ((inp[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		goto out;
	if (cloexec_pipe(outp) == -1 || cloexec_pipe(errp) == -1)
		goto out;

	deadline = now_ms() + (long long)run_timeout * 1000;
	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0)
		child(inp[0], outp[1], errp[1], argv, envp);

	close_fd(&inp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (inp[1] != -1 && fcntl(inp[1], F_SETFL,
	    fcntl(inp[1], F_GETFL) | O_NONBLOCK) == -1)
		close_fd(&inp[1]);
	if (inp[1] != -1 && inlen == 0)
		close_fd(&inp[1]);

	while (outp[0] != -1 || errp[0] != -1 || inp[1] != -1) {
		long long	 left = deadline - now_ms();

		if (left <= 0) {
			timedout = 1;
			break;
		}
		nfd = 0;
		if (outp[0] != -1) {
			pfd[nfd].fd = outp[0];
			pfd[nfd++].events = POLLIN;
		}
		if (errp[0] != -1) {
			pfd[nfd].fd = errp[0];
			pfd[nfd++].events = POLLIN;
		}
		if (inp[1] != -1) {
			pfd[nfd].fd = inp[1];
			pfd[nfd++].events = POLLOUT;
		}
		for (r = 0; r < nfd; r++)
			pfd[r].revents = 0;
		r = poll(pfd, (nfds_t)nfd, left > 1000 ? 1000 : (int)left);
		if (r == -1 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		for (r = 0; r < nfd; r++) {
			if (pfd[r].revents == 0)
				continue;
			if (pfd[r].fd == outp[0])
				drain(&outp[0], &so);
			else if (pfd[r].fd == errp[0])
				drain(&errp[0], &se);
			else if (pfd[r].fd == inp[1])
				feed(&inp[1], stdin_text, inlen, &inoff);
		}
	}

	/* The pipes are closed; the program may still be running. */
	while (!timedout) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			pid = -1;
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			break;
		}
		if (w == -1 && errno != EINTR) {
			pid = -1;
			break;
		}
		if (now_ms() >= deadline)
			timedout = 1;
		else
			(void)poll(NULL, 0, 10);
	}
out:
	if (pid > 0) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			continue;
	}
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	(void)sigaction(SIGPIPE, &oldpipe, NULL);
	free(envp);
	if (timedout)
		cr_assert_fail("%s: still running after %d s, killed; "
		    "stderr so far: %s", argv[0], run_timeout,
		    se.size > 0 ? se.buf : "");
	return rc;
}

void
t_run_timeout(int seconds)
{
	run_timeout = seconds > 0 ? seconds : T_RUN_TIMEOUT;
}
