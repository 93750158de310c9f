/*
 * confine: a FastCGI program gives up, once started, what its request
 * loop never needs, so that code an attacker might run inside it can do
 * little more than the program itself does (docs/SECURITY.md,
 * "Confinement").
 *
 * Promises: gh_confine() is called once, after the configuration, the
 * secret, the key-encryption key and the templates are read and before
 * the first request.  When cfg->confine is false it does nothing but say
 * so (an info line).  Otherwise it sets PR_SET_NO_NEW_PRIVS, then, where
 * the kernel has Landlock (any ABI version; an info line says which, or
 * that there is none), it forbids every file-system write and every read
 * but of what libpq may open on a reconnect: the passfile (passfile= in
 * database_url, PGPASSFILE, else ~/.pgpass), the certificate and key
 * files database_url or the PG* variables name, ~/.postgresql,
 * /etc/ssl/certs, /usr/lib/ssl, the libraries (NSS modules, OpenSSL
 * providers) and the few /etc files a user or host lookup reads; last it
 * loads a seccomp filter allowing only the system calls of the request
 * loop (the lists in confine.c: FastCGI on fd 0, libpq's I/O and a
 * reconnect over a unix or TCP socket, name lookups, memory, clocks,
 * signals to itself, exit) and killing the whole process (SIGSYS) on any
 * other (its one thread where libseccomp cannot confirm KILL_PROCESS, as
 * under valgrind): no exec, fork, ptrace, write-open, bind or listen.  Landlock is laid
 * before seccomp so that its own calls need no room in the filter.
 * Inherited by nothing: the program forks nothing once confined (mail
 * goes to a helper forked before, domain/mail.h).  0, or -1 logged (the
 * program must then not serve).  In a build with AddressSanitizer the
 * program runs unconfined, with an info line saying why (the sanitizer
 * writes its reports to files and LeakSanitizer ptraces the process at
 * exit); gh_confine_unavailable() gives that reason, NULL elsewhere.
 */
#ifndef GH_CONFINE_H
#define GH_CONFINE_H

#include "core/config.h"

/* Confines the calling process as the promises say: 0, or -1 logged. */
int		 gh_confine(const struct gh_config *, const char *name);

/* Why this build never confines (a sanitizer's), or NULL. */
const char	*gh_confine_unavailable(void);

/* The Landlock ABI version of the running kernel, 0 when it has none. */
int		 gh_confine_landlock_abi(void);

#endif
