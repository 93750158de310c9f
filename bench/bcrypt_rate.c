/*
 * bcrypt_rate: the login ceiling of bench/run.  How many bcrypt hashes a
 * second this machine computes at a cost, with as many processes as the
 * login pool has, through the same libxcrypt call gatehouse makes
 * (crypt_rn with "$2b$" and a heap-allocated, zeroed struct crypt_data).
 *
 * Usage: bcrypt_rate COST PROCS SECONDS
 *
 * Forks PROCS workers; each hashes one fixed password with one salt for
 * SECONDS and reports its count and its own elapsed time through a pipe.
 * Prints "hashes N seconds S per_second R ms_per_hash M" (R is the sum of
 * each worker's rate; M is the mean time of one hash in one worker).
 */
#include <sys/wait.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
worker(int cost, double seconds, int fd)
{
	struct crypt_data	*cd;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	double			 t0, t;
	long			 n = 0;
	char			 line[128];
	int			 len;

	if ((cd = calloc(1, sizeof(*cd))) == NULL ||
	    crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		_exit(1);
	t0 = now_s();
	do {
		if (crypt_rn("correct horse battery staple", setting, cd,
		    sizeof(*cd)) == NULL || cd->output[0] == '*')
			_exit(1);
		n++;
		t = now_s() - t0;
	} while (t < seconds);
	len = snprintf(line, sizeof(line), "%ld %.6f\n", n, t);
	if (write(fd, line, (size_t)len) != len)
		_exit(1);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	int		 cost, procs, i, fds[2], status, bad = 0;
	double		 seconds, rate = 0, tsum = 0, t;
	long		 total = 0, n;
	pid_t		 pid;
	FILE		*in;

	if (argc != 4 || (cost = atoi(argv[1])) < 4 || cost > 31 ||
	    (procs = atoi(argv[2])) < 1 || procs > 256 ||
	    (seconds = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: bcrypt_rate COST PROCS SECONDS\n");
		return 2;
	}
	if (pipe(fds) == -1) {
		perror("bcrypt_rate: pipe");
		return 1;
	}
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1) {
			perror("bcrypt_rate: fork");
			return 1;
		}
		if (pid == 0) {
			close(fds[0]);
			worker(cost, seconds, fds[1]);
		}
	}
	close(fds[1]);
	if ((in = fdopen(fds[0], "r")) == NULL)
		return 1;
	while (fscanf(in, "%ld %lf", &n, &t) == 2) {
		total += n;
		rate += (double)n / t;
		tsum += t / (double)n;
	}
	for (i = 0; i < procs; i++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			bad = 1;
	if (bad || total == 0) {
		fprintf(stderr, "bcrypt_rate: a worker failed\n");
		return 1;
	}
	printf("hashes %ld seconds %.3f per_second %.3f ms_per_hash %.3f\n",
	    total, seconds, rate, tsum / procs * 1e3);
	return 0;
}
