/*
 * fixture: the unit tests' common ground.  See fixture.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/config.h"
#include "core/jwt.h"
#include "data/db.h"
#include "domain/users.h"
#include "fixture.h"
#include "pgtest.h"

void
t_config(struct gh_config *cfg, struct gh_jwt_key *key, const char *secret)
{
	size_t	 len = strlen(secret);

	cr_assert(len <= GH_SECRET_MAX, "secret of %zu bytes", len);
	gh_config_defaults(cfg);
	memcpy(cfg->jwt_secret, secret, len);
	cfg->jwt_secret_len = len;
	cfg->bcrypt_cost = 4;
	memset(key, 0, sizeof(*key));
	key->alg = cfg->jwt_algorithm;
	key->secret = cfg->jwt_secret;
	key->secret_len = cfg->jwt_secret_len;
	key->issuer = cfg->jwt_issuer;
	key->audience = cfg->jwt_audience;
	key->foreign = cfg->token_audiences;
	key->leeway = cfg->jwt_leeway_seconds;
}

struct gh_db *
t_db_open(const char *url, int timeout_ms)
{
	struct gh_db	*db;

	cr_assert_not_null(db = gh_db_new(url, timeout_ms), "gh_db_new %s",
	    url);
	return db;
}

struct gh_db *
t_db_fresh(char *url, size_t urlsz)
{
	int	 n;

	n = snprintf(url, urlsz, "%s", t_db_migrated());
	cr_assert(n > 0 && (size_t)n < urlsz, "conninfo too long");
	return t_db_open(url, 5000);
}

void
t_user_new(struct gh_user_new *n, const char *name)
{
	static const char *const user[] = { "user" };

	memset(n, 0, sizeof(*n));
	n->username = name;
	n->password_hash = T_HASH;
	n->roles = user;
	n->nroles = 1;
}

void
t_add_user(struct gh_db *db, const char *name, const char *const *roles,
    size_t nroles, struct gh_user *u)
{
	struct gh_user_new	 n;
	enum gh_status		 st;

	t_user_new(&n, name);
	if (roles != NULL) {
		n.roles = roles;
		n.nroles = nroles;
	}
	st = gh_users_create(db, &n, u);
	cr_assert_eq(st, GH_OK, "create %s: %s: %s", name, gh_status_str(st),
	    gh_db_error(db));
}

const char *
t_session_state(const char *url, const char *sid)
{
	return t_db_sqlf(url, "SELECT CASE WHEN ended_at IS NULL THEN 'live' "
	    "ELSE coalesce(end_reason, 'ended without reason') END "
	    "FROM sessions WHERE id = '%s'", sid);
}

void
t_race(int n, void (*racer)(const void *, int), const void *arg,
    int exits[T_RACE_EXITS])
{
	pid_t	 pids[64];
	int	 gate[2], i, status;

	cr_assert(n > 0 && n <= (int)(sizeof(pids) / sizeof(pids[0])));
	memset(exits, 0, sizeof(int) * T_RACE_EXITS);
	cr_assert_eq(pipe(gate), 0);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (pids[i] == 0) {
			(void)close(gate[1]);
			racer(arg, gate[0]);
			_exit(T_RACE_EXITS);
		}
	}
	(void)close(gate[0]);
	/* Give every racer time to connect, then let them all go at once. */
	(void)usleep(300 * 1000);
	(void)close(gate[1]);
	for (i = 0; i < n; i++) {
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status), "racer %d died", i);
		cr_assert_lt(WEXITSTATUS(status), T_RACE_EXITS,
		    "racer %d exited %d", i, WEXITSTATUS(status));
		exits[WEXITSTATUS(status)]++;
	}
}

void
t_race_wait(int gate)
{
	char	 c;

	while (read(gate, &c, 1) == -1)
		continue;
}
