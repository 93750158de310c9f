/*
 * serve: the FastCGI request loop.  See serve.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "domain/audit.h"
#include "domain/authcache.h"
#include "domain/keys.h"
#include "core/config.h"
#include "data/db.h"
#include "domain/mail.h"
#include "http/http.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "http/page.h"
#include "http/after.h"
#include "http/confine.h"
#include "http/serve.h"

/*
 * Shutdown: libfcgi notices its flag only when a blocked accept() is
 * interrupted, and we wait in poll() before accepting; the handler also
 * writes to a pipe poll() watches, so a signal landing just before
 * poll() is not slept through.
 */
static volatile sig_atomic_t	 stopping;
/* The request limit's table, mapped before confinement; off when NULL. */
static struct gh_ratelimit	 limit;
static int			 wake[2] = { -1, -1 };

static void
on_term(int sig)
{
	int	 saved = errno;

	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
	if (wake[1] != -1 && write(wake[1], "", 1) == -1) {
		/* Full pipe: poll() will see it readable anyway. */
	}
	errno = saved;
}

static int
setup_signals(void)
{
	struct sigaction	 sa;

	if (pipe(wake) == -1 ||
	    fcntl(wake[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(wake[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(wake[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(wake[1], F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	/* No SA_RESTART: the blocked accept() must return to see shutdown. */
	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* fd 0, the FastCGI listening socket, made non-blocking: next_request(). */
static int
nonblocking_listener(void)
{
	int	 fl;

	if ((fl = fcntl(0, F_GETFL)) == -1)
		return -1;
	return fcntl(0, F_SETFL, fl | O_NONBLOCK) == -1 ? -1 : 0;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * An error document: the same request again, after a denial (Apache's
 * ErrorDocument sets REDIRECT_STATUS to the error's status).  Not a 200:
 * lighttpd sets REDIRECT_STATUS=200 on every request (for PHP), and so
 * does Apache after a rewrite (shared hosting's .htaccess).
 */
static int
error_document(const struct gh_request *req)
{
	const char	*rs = gh_request_getenv(req, "REDIRECT_STATUS");

	return rs != NULL && rs[0] >= '4' && rs[0] <= '5';
}

/*
 * Counts the request against the limit (see serve.h for which are);
 * 1 when it is over and was answered 429.
 */
static int
over_limit(const struct gh_program *prog, struct gh_request *req)
{
	static struct gh_ratelimit_verdict	 v;
	char					 retry[64];
	const char				*headers[2] = { retry, NULL };

	if (!gh_ratelimit_on(&limit) || prog->unlimited ||
	    strcmp(req->method, "OPTIONS") == 0)
		return 0;
	if (error_document(req))
		gh_ratelimit_peek(&limit, gh_request_client_addr(req),
		    time(NULL), &v);
	else
		gh_ratelimit_hit(&limit, gh_request_client_addr(req),
		    time(NULL), &v);
	req->limit = &v;
	if (!v.limited)
		return 0;
	(void)snprintf(retry, sizeof(retry), "Retry-After: %ld", v.reset);
	if (req->fcgx->role == FCGI_AUTHORIZER)
		gh_respond_bare(req, 429, headers);
	else
		gh_respond_problem(req, 429, "too_many_requests", "Too many "
		    "requests from this address; wait for the time "
		    "Retry-After gives, then try again.", NULL, headers);
	return 1;
}

static void
serve_one(const struct gh_program *prog, struct gh_request *req,
    FCGX_Request *fcgx)
{
	struct timespec	 t0;
	int		 bad;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	bad = gh_request_init(req, fcgx) == -1;
	gh_audit_context(gh_request_client_addr(req),
	    FCGX_GetParam("HTTP_USER_AGENT", fcgx->envp), NULL);
	if (bad)
		gh_respond_error(req, 400, "invalid_request",
		    "The request line is malformed.");
	else if (over_limit(prog, req))
		;	/* answered 429 */
	else if (prog->fallback != NULL && prog->nroutes == 0)
		prog->fallback(req);
	else if (prog->guard == NULL || strcmp(req->method, "OPTIONS") == 0 ||
	    prog->guard(req) == 0)
		gh_dispatch(req, prog->routes, prog->nroutes);
	if (req->status == 0)
		gh_respond_error(req, 500, "server_error",
		    "The server failed to answer.");
	/* Path only, never the query: it may carry a token or a name. */
	gh_log(GH_LOG_DEBUG, "%s %s %d %.1fms", req->method, req->path,
	    req->status, elapsed_ms(&t0));
}

/*
 * Waits for the next request on the FastCGI socket (fd 0) while taking
 * in the session cache's notifications, so that an idle process keeps
 * its cache current and its backend reading the notification queue.
 * 0 when a request is there for FCGX_Accept_r(), -1 on shutdown.
 * Called only when an accept() found no connection waiting (see
 * next_request()): a busy process does not poll before each request.
 */
static int
wait_for_request(struct gh_db *db)
{
	struct pollfd	 pfd[3];
	nfds_t		 n;

	for (;;) {
		if (stopping)
			return -1;
		memset(pfd, 0, sizeof(pfd));
		pfd[0].fd = 0;
		pfd[0].events = POLLIN;
		pfd[1].fd = wake[0];
		pfd[1].events = POLLIN;
		n = 2;
		if ((pfd[2].fd = gh_authcache_idle_fd(db)) != -1) {
			pfd[2].events = POLLIN;
			n = 3;
		}
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			return 0;	/* accept() will say what is wrong */
		}
		if (pfd[1].revents != 0)
			continue;	/* a signal: stopping is set */
		if (pfd[0].revents != 0)
			return 0;
		if (n == 3 && pfd[2].revents != 0)
			gh_authcache_absorb(db);
	}
}

/*
 * The next request into fcgx: 0, or -1 on shutdown or a failed accept.
 * fd 0 is non-blocking (gh_serve()), so FCGX_Accept_r() takes a
 * connection already waiting without a poll() first, and says EAGAIN
 * when there is none; only then does the process wait, in
 * wait_for_request().  Under load that is one system call a request
 * fewer (12 to 11 for a cached /me).  The notifications an idle wait
 * would have taken in are not lost: a process whose cache listens sends
 * its Sync with every request and drains them after it
 * (gh_authcache_begin(), gh_authcache_settle()).  On Linux the accepted
 * socket does not inherit O_NONBLOCK (accept(2)), so libfcgi reads and
 * writes the request as before.
 */
static int
next_request(struct gh_db *db, FCGX_Request *fcgx)
{
	int	 rc;

	for (;;) {
		if (stopping)
			return -1;
		rc = FCGX_Accept_r(fcgx);
		if (rc == 0)
			return 0;
		if (rc != -EAGAIN && rc != -EWOULDBLOCK)
			return -1;
		if (wait_for_request(db) == -1)
			return -1;
	}
}

/*
 * Maps the request limit's table, before confinement: at start-up, not
 * per request.  The table's name is keyed by the config file's path, so
 * the nodes of different configs on one machine count apart.  Where it
 * cannot be mapped the limit is off, said once in the log.
 */
static void
open_limit(const struct gh_config *cfg, const char *name)
{
	char		 err[1300], beside[4096];
	const char	*key;

	if (cfg->rate_limit_per_minute == 0)
		return;
	if ((key = getenv(GH_CONFIG_ENV)) == NULL)
		key = gh_config_beside_program(beside, sizeof(beside)) == 0 ?
		    beside : "";
	if (gh_ratelimit_open(&limit, cfg->rate_limit_dir, key,
	    cfg->rate_limit_entries, cfg->rate_limit_per_minute, err,
	    sizeof(err)) == -1)
		gh_log(GH_LOG_WARN, "%s: the request limit is off: its "
		    "table in rate_limit_dir cannot be used: %s", name, err);
}

/*
 * The programs' config names no owner credentials: the owner's URL is
 * the `gatehouse` command's alone (admin_database_url, in the admin
 * config), and with a role per program a password in database_url could
 * only be one meant for another role.  Either is refused, not ignored,
 * so the mistake is seen at deployment and the file fixed.
 */
static int
check_credentials(const struct gh_config *cfg, const char *name)
{
	int	 has;

	if (cfg->admin_database_url[0] != '\0') {
		gh_log(GH_LOG_ERROR, "%s: admin_database_url is set in the "
		    "programs' configuration (or ADMIN_DATABASE_URL in their "
		    "environment): the owner's credentials belong in the "
		    "admin config that only `gatehouse` reads (%s, mode "
		    "600); remove it here", name, GH_ADMIN_CONFIG_ENV);
		return -1;
	}
	if (!cfg->database_program_roles)
		return 0;
	if ((has = gh_db_conninfo_has(cfg->database_url, "password")) == 0)
		return 0;
	if (has == -1)
		gh_log(GH_LOG_ERROR, "%s: database_url cannot be parsed as a "
		    "libpq connection string or URI", name);
	else
		gh_log(GH_LOG_ERROR, "%s: database_url carries a password, "
		    "but each program connects as its own role (gatehouse_%s): "
		    "give the roles' passwords in a passfile (passfile=... in "
		    "database_url), keep the owner's in admin_database_url in "
		    "the admin config, or set database_program_roles = false",
		    name, name);
	return -1;
}

int
gh_serve(const struct gh_program *prog)
{
	static struct gh_config	 cfg;
	struct gh_jwt_key	 key;
	struct gh_request	 req;
	FCGX_Request		 fcgx;
	char			 err[GH_CONFIG_ERR_MAX], role[64];
	int			 rc = 1;

	memset(&req, 0, sizeof(req));
	if (gh_config_load(&cfg, prog->need, err, sizeof(err)) == -1) {
		gh_log(GH_LOG_ERROR, "%s: %s", prog->name, err);
		return 1;
	}
	gh_log_set_level(cfg.log_level);
	if (check_credentials(&cfg, prog->name) == -1)
		return 1;
	if ((prog->need & GH_CONFIG_NEED_PAGES) &&
	    gh_page_load(&cfg, err, sizeof(err)) == -1) {
		gh_log(GH_LOG_ERROR, "%s: templates_dir: %s", prog->name, err);
		return 1;
	}
	if (gh_mail_load(&cfg, err, sizeof(err)) == -1) {
		gh_log(GH_LOG_ERROR, "%s: templates_dir: %s", prog->name, err);
		return 1;
	}
	if (FCGX_IsCGI()) {
		gh_log(GH_LOG_ERROR, "%s: standard input is not a FastCGI "
		    "socket; run me under lighttpd or mod_fcgid", prog->name);
		return 2;
	}
	/* Confined, the program can run no command: a helper will. */
	if ((prog->need & GH_CONFIG_NEED_MAIL) && cfg.confine &&
	    gh_confine_unavailable() == NULL &&
	    gh_mail_helper_start(&cfg) == -1)
		return 1;
	memset(&key, 0, sizeof(key));
	key.alg = cfg.jwt_algorithm;
	key.secret = cfg.jwt_secret;
	key.secret_len = cfg.jwt_secret_len;
	key.issuer = cfg.jwt_issuer;
	key.audience = cfg.jwt_audience;
	key.foreign = cfg.token_audiences;
	key.leeway = cfg.jwt_leeway_seconds;
	/* Only a signing program was given the key-encryption key. */
	gh_keys_init(cfg.kek_len > 0 ? cfg.kek : NULL, cfg.kek_len);
	OPENSSL_cleanse(cfg.kek, sizeof(cfg.kek));
	cfg.kek_len = 0;
	req.cfg = &cfg;
	/* A program that did not ask for the secret has no key to misuse. */
	req.key = (prog->need & GH_CONFIG_NEED_SECRET) ? &key : NULL;
	req.bodysz = cfg.max_body_bytes + 1;
	if (cfg.database_program_roles && snprintf(role, sizeof(role),
	    "gatehouse_%s", prog->name) >= (int)sizeof(role)) {
		gh_log(GH_LOG_ERROR, "%s: program name too long", prog->name);
		return 1;
	}
	if ((req.body = malloc(req.bodysz)) == NULL ||
	    (req.db = gh_db_new(cfg.database_url,
	    cfg.statement_timeout_ms)) == NULL ||
	    gh_db_set_user(req.db, cfg.database_program_roles ? role : NULL) ||
	    gh_authcache_init(cfg.auth_cache_entries) == -1 ||
	    setup_signals() == -1 || nonblocking_listener() == -1 ||
	    FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, 0, 0) != 0) {
		gh_log(GH_LOG_ERROR, "%s: cannot start", prog->name);
		goto out;
	}
	open_limit(&cfg, prog->name);
	if (gh_confine(&cfg, prog->name) == -1)
		goto out;
	gh_authcache_set_max_age(cfg.auth_cache_max_age_seconds);
	gh_authcache_set_max_staleness(cfg.auth_cache_max_staleness_ms);
	gh_log(GH_LOG_INFO, "%s: ready", prog->name);
	for (;;) {
		if (next_request(req.db, &fcgx) == -1)
			break;
		gh_keys_begin();
		gh_authcache_begin(req.db);
		serve_one(prog, &req, &fcgx);
		FCGX_Finish_r(&fcgx);
		gh_after_run(req.db, &cfg);
		gh_authcache_settle(req.db);
	}
	gh_log(GH_LOG_INFO, "%s: shutting down", prog->name);
	rc = 0;
out:
	gh_keys_reset();
	gh_ratelimit_close(&limit);
	gh_db_free(req.db);
	free(req.body);
	return rc;
}
