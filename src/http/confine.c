/*
 * confine: seccomp and Landlock for the FastCGI programs.  See confine.h.
 */
#define _GNU_SOURCE		/* O_PATH */

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_VALGRIND_VALGRIND_H	/* configure found it */
#include <valgrind/valgrind.h>
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include <linux/landlock.h>
#include <libpq-fe.h>
#include <seccomp.h>

#include "core/log.h"
#include "http/confine.h"

#if defined(__SANITIZE_ADDRESS__)
#define GH_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GH_SANITIZED	1
#endif
#endif

/* Rights older <linux/landlock.h> may not name (ABI 3 and 5). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE .. MAKE_SYM */
#define FS_READ_DIR_RIGHTS \
	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/*
 * The request loop's system calls, allowed whatever their arguments.
 * openat/open (read-only), socket (some families), tgkill (itself) and
 * ioctl (TCGETS) are added with conditions in load_seccomp().
 */
static const int	 syscalls[] = {
	/* FastCGI on fd 0, the database's socket, standard error. */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(close), SCMP_SYS(lseek),
	SCMP_SYS(fcntl), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(shutdown), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(select), SCMP_SYS(pselect6),
	/* libpq's (re)connect: unix or TCP, name lookups, TLS. */
	SCMP_SYS(connect), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(sendto),
	SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
	/* Reading a passfile, certificates, NSS files (Landlock says which). */
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(stat),
	SCMP_SYS(lstat), SCMP_SYS(statx), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(getdents64),
	/* Identity, for libpq's user name and home directory. */
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(uname),
	/* Memory: malloc, json-c, OpenSSL, bcrypt, a dlopen'd NSS module. */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(futex),
	/* Clocks, randomness, signals, the end. */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
	SCMP_SYS(sched_yield), SCMP_SYS(exit), SCMP_SYS(exit_group)
};

/*
 * Under valgrind the filter applies to valgrind's own calls too (it
 * passes prctl(PR_SET_SECCOMP) to the kernel): these are its, allowed
 * only when RUNNING_ON_VALGRIND says it is there.
 */
static const int	 valgrind_syscalls[] = {
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(unlink)
};

/* The families socket() may make; any other fails (EAFNOSUPPORT). */
static const int	 families[] = { AF_UNIX, AF_INET, AF_INET6 };

/* What libpq and a user or host lookup may read after start-up. */
static const char *const system_paths[] = {
	"/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/usr/lib/ssl",
	"/usr/share/ca-certificates", "/usr/local/share/ca-certificates",
	"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts",
	"/etc/host.conf", "/etc/resolv.conf", "/etc/gai.conf",
	"/etc/services", "/etc/localtime", "/usr/share/zoneinfo",
	"/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64",
	"/dev/null", "/dev/urandom"
};

/* database_url's keywords naming a file libpq reads, and their variable. */
static const char *const pq_files[][2] = {
	{ "passfile", "PGPASSFILE" }, { "sslrootcert", "PGSSLROOTCERT" },
	{ "sslcert", "PGSSLCERT" }, { "sslkey", "PGSSLKEY" },
	{ "sslcrl", "PGSSLCRL" }, { "sslcrldir", "PGSSLCRLDIR" }
};

const char *
gh_confine_unavailable(void)
{
#ifdef GH_SANITIZED
	return "built with AddressSanitizer, whose reports are files written "
	    "at any time and whose leak check ptraces the process at exit";
#else
	return NULL;
#endif
}

int
gh_confine_landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

/* Everything the kernel's Landlock can forbid on files, by ABI. */
static unsigned long long
fs_rights(int abi)
{
	unsigned long long	 r = FS_ABI1;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* Lets path (if it exists) be read: 0, or -1 on a failure not ENOENT. */
static int
allow_read(int ruleset, const char *path)
{
	struct landlock_path_beneath_attr	 pb;
	struct stat				 st;
	int					 fd, rc = -1;

	if (path == NULL || path[0] != '/')
		return 0;	/* relative: libpq's cwd is not ours to know */
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? 0 : -1;
	if (fstat(fd, &st) == -1)
		goto out;
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = S_ISDIR(st.st_mode) ? FS_READ_DIR_RIGHTS :
	    LANDLOCK_ACCESS_FS_READ_FILE;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1)
		goto out;
	rc = 0;
out:
	(void)close(fd);
	return rc;
}

/* The home directory libpq looks in: $HOME, and the passwd entry's. */
static int
allow_home(int ruleset)
{
	const char	*home[2] = { getenv("HOME"), NULL };
	struct passwd	*pw;
	char		 path[1024];
	size_t		 i, k;
	int		 n;

	if ((pw = getpwuid(geteuid())) != NULL)
		home[1] = pw->pw_dir;
	for (i = 0; i < 2; i++) {
		if (home[i] == NULL || home[i][0] != '/')
			continue;
		for (k = 0; k < 2; k++) {
			n = snprintf(path, sizeof(path), "%s/%s", home[i],
			    k == 0 ? ".pgpass" : ".postgresql");
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			if (allow_read(ruleset, path) == -1)
				return -1;
		}
	}
	return 0;
}

/* The files database_url (else the environment) names for libpq. */
static int
allow_conninfo(int ruleset, const char *url)
{
	PQconninfoOption	*opts, *o;
	const char		*v;
	size_t			 i;
	int			 rc = 0;

	opts = PQconninfoParse(url, NULL);
	for (i = 0; i < sizeof(pq_files) / sizeof(pq_files[0]); i++) {
		v = NULL;
		for (o = opts; o != NULL && o->keyword != NULL; o++)
			if (strcmp(o->keyword, pq_files[i][0]) == 0)
				v = o->val;
		if (v == NULL || *v == '\0')
			v = getenv(pq_files[i][1]);
		if (allow_read(ruleset, v) == -1)
			rc = -1;
	}
	PQconninfoFree(opts);
	return rc;
}

/* Lays the Landlock domain: 0 (or no Landlock: 0, said), -1 logged. */
static int
landlock(const struct gh_config *cfg, const char *name)
{
	struct landlock_ruleset_attr	 attr;
	size_t				 i;
	int				 abi, rs, rc = -1;

	if ((abi = gh_confine_landlock_abi()) == 0) {
		gh_log(GH_LOG_INFO, "%s: confine: no Landlock (not in this "
		    "kernel, or hidden by valgrind): the seccomp filter alone",
		    name);
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = fs_rights(abi);
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		gh_log(GH_LOG_ERROR, "%s: confine: landlock_create_ruleset: "
		    "%s", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(system_paths) / sizeof(system_paths[0]); i++)
		if (allow_read(rs, system_paths[i]) == -1)
			goto fail;
	if (allow_home(rs) == -1 ||
	    allow_conninfo(rs, cfg->database_url) == -1)
		goto fail;
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		goto fail;
	gh_log(GH_LOG_INFO, "%s: confine: Landlock ABI %d", name, abi);
	rc = 0;
	goto out;
fail:
	gh_log(GH_LOG_ERROR, "%s: confine: Landlock: %s", name,
	    strerror(errno));
out:
	(void)close(rs);
	return rc;
}

/* open and openat only without a write, create or truncate flag. */
static int
add_open_rules(scmp_filter_ctx ctx)
{
	const scmp_datum_t	 w = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC |
	    O_APPEND;

	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, w, 0)) != 0)
		return -1;
	if (SCMP_SYS(open) >= 0 && seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
	    SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, w, 0)) != 0)
		return -1;
	return 0;
}

/* Allows each call of list (one this architecture lacks is skipped). */
static int
allow_all(scmp_filter_ctx ctx, const int *list, size_t n)
{
	size_t	 i;
	int	 e = 0;

	for (i = 0; i < n && e == 0; i++)
		if (list[i] >= 0)
			e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i], 0);
	return e;
}

static int
load_seccomp(const char *name)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc = -1, e = 0;

	/*
	 * libseccomp takes KILL_PROCESS only where seccomp(2) says the
	 * kernel has it; valgrind answers ENOSYS for seccomp(2).  Killing
	 * the thread is then the same: the programs have one.
	 */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL &&
	    (ctx = seccomp_init(SCMP_ACT_KILL)) == NULL) {
		gh_log(GH_LOG_ERROR, "%s: confine: seccomp_init failed", name);
		return -1;
	}
	e = allow_all(ctx, syscalls, sizeof(syscalls) / sizeof(syscalls[0]));
	if (e == 0 && RUNNING_ON_VALGRIND)
		e = allow_all(ctx, valgrind_syscalls,
		    sizeof(valgrind_syscalls) / sizeof(valgrind_syscalls[0]));
	for (i = 0; i < sizeof(families) / sizeof(families[0]) && e == 0;
	    i++)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
	/* glibc asks netlink for interfaces, and copes with a refusal. */
	if (e == 0)
		e = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
		    SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)AF_NETLINK));
	/* abort() and raise() signal this process and no other. */
	if (e == 0)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* isatty(), for stdio's buffering of standard error. */
	if (e == 0)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS));
	if (e == 0 && add_open_rules(ctx) == -1)
		e = -1;
	if (e != 0) {
		gh_log(GH_LOG_ERROR, "%s: confine: seccomp rule: %s", name,
		    strerror(e < 0 ? -e : EINVAL));
		goto out;
	}
	if ((e = seccomp_load(ctx)) != 0) {
		gh_log(GH_LOG_ERROR, "%s: confine: seccomp_load: %s", name,
		    strerror(-e));
		goto out;
	}
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}

int
gh_confine(const struct gh_config *cfg, const char *name)
{
	const char	*why;

	if (!cfg->confine) {
		gh_log(GH_LOG_INFO, "%s: confine = false: not confined", name);
		return 0;
	}
	/* cppcheck-suppress knownConditionTrueFalse */
	if ((why = gh_confine_unavailable()) != NULL) {
		gh_log(GH_LOG_INFO, "%s: not confined: %s", name, why);
		return 0;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		gh_log(GH_LOG_ERROR, "%s: confine: PR_SET_NO_NEW_PRIVS: %s",
		    name, strerror(errno));
		return -1;
	}
	if (landlock(cfg, name) == -1 || load_seccomp(name) == -1)
		return -1;
	gh_log(GH_LOG_INFO, "%s: confined", name);
	return 0;
}
