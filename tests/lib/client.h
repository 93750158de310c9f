/*
 * client: a small libcurl client for the end-to-end tests, which run under
 * tests/with-stack against real lighttpd and PostgreSQL.
 *
 * Every request goes to $GH_TEST_BASE_URL, with a 20 second timeout
 * ($GH_TEST_HTTP_TIMEOUT when set: tests/with-stack sets 60 under
 * valgrind), on one libcurl easy handle per process (Criterion runs each
 * test in its own process), from the default address or the one
 * t_client_from() chose.  A transport error fails the test: a
 * function here that returns has a response.  Helpers make unique users,
 * so tests running in parallel against one stack never meet each other's
 * rows.  With $GH_TEST_OPENAPI_RECORD naming a file (tests/with-stack
 * sets it), every response received is appended there as a JSON line,
 * which tests/openapi/validate checks against docs/openapi.yaml.
 */
#ifndef T_CLIENT_H
#define T_CLIENT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define T_HTTP_TIMEOUT		20	/* seconds, every request */
#define T_HTTP_HEADERS_MAX	8192

struct t_resp {
	long			 status;
	char			*body;		/* NUL-terminated; "" when none */
	size_t			 len;
	struct json_object	*json;		/* NULL when the body is not JSON */
	/* "Name: value\0" of the final response, one after another. */
	char			 headers[T_HTTP_HEADERS_MAX];
	size_t			 hlen;
	double			 seconds;	/* total time of the request */
};

/*
 * Sends method path (with any query) with headers ("Name: value",
 * NULL-terminated, may be NULL) and body[0..len) (NULL: none; a POST,
 * PUT or PATCH without one sends Content-Length: 0).  Fills r; free it
 * with t_resp_free().  Returns 0; fails the test on a transport error.
 */
int		 t_http(const char *method, const char *path,
		    const char *const *headers, const char *body, size_t len,
		    struct t_resp *r);

/*
 * The usual request: body (may be NULL) as application/json, and
 * "Authorization: Bearer token" when token is not NULL.
 */
int		 t_http_json(const char *method, const char *path,
		    const char *token, const char *body, struct t_resp *r);

/* As t_http_json() with a printf-built body. */
int		 t_http_jsonf(const char *method, const char *path,
		    const char *token, struct t_resp *r, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

/* A form body (application/x-www-form-urlencoded), no token. */
int		 t_http_form(const char *path, const char *form,
		    struct t_resp *r);

/*
 * Sends n requests at once (curl multi), request i with body bodies[i]
 * (or bodies[0] when bodies has one element: nbodies 1), as JSON.  The
 * responses land in rs[0..n), each to be freed with t_resp_free().
 */
void		 t_http_many(size_t n, const char *method, const char *path,
		    const char *token, const char *const *bodies, size_t nbodies,
		    struct t_resp *rs);

/*
 * Sends waves waves of n GET path requests at once (t_http_many), so that
 * every process of a pool answers some, and asserts every answer is want,
 * or else alt (0: no alternative).  At most T_WAVE_MAX a wave.
 */
#define T_WAVE_MAX	64
void		 t_waves(size_t n, int waves, const char *path,
		    const char *token, long want, long alt);

/*
 * Sends this process's following requests from the local address addr
 * (an IPv4 literal; any of 127/8 is loopback on Linux, and the server
 * sees it as REMOTE_ADDR), each on a connection of its own; NULL sends
 * them from the default address again.  For the per-address counters.
 */
void		 t_client_from(const char *addr);

/* A fresh loopback address 127.x.y.z, x not 0 (never 127.0.0.1's). */
void		 t_loopback(char *out, size_t outsz);

/*
 * A JSON object of string members key, value, ... up to a NULL key, as
 * text to free().
 */
char		*t_jbody(const char *key, ...);

/* Percent-encodes s for a query string into out. */
void		 t_urlencode(const char *s, char *out, size_t outsz);

/* A response header's value (name ignoring case), or NULL. */
const char	*t_resp_header(const struct t_resp *, const char *name);
void		 t_resp_free(struct t_resp *);

/* A string member of the response's JSON object, or NULL. */
const char	*t_resp_str(const struct t_resp *, const char *key);
/* A member of a JSON object by path "a.b.c", or NULL. */
struct json_object *t_json_path(struct json_object *, const char *path);

/*
 * Names the case a table-driven test is at (printf-style; NULL: none):
 * every failure the t_assert_* functions below report starts with the
 * name, so a table's failing row is known.
 */
void		 t_case(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/*
 * Asserts the contract's error answer: status, a JSON body
 * {"error": code, "error_description": non-empty string[, "fields": {}]}
 * and nothing else, the JSON content type and nosniff.
 */
void		 t_assert_error(const struct t_resp *, long status,
		    const char *code);
/* As t_assert_error(), and "fields" names field. */
void		 t_assert_field_error(const struct t_resp *, long status,
		    const char *code, const char *field);
/* Asserts a 401 bearer challenge: error="invalid_token" unless no_creds. */
void		 t_assert_bearer_401(const struct t_resp *, bool no_creds);
/* A 401 invalid_grant, with its bare challenge (RFC 9110 15.5.2). */
void		 t_assert_grant_401(const struct t_resp *);
/* Asserts Content-Type: application/json; charset=utf-8. */
void		 t_assert_json_type(const struct t_resp *);
/* Asserts a user object: the contract's keys, no password, RFC 3339 times. */
void		 t_assert_user_object(struct json_object *);
/* True when s is an RFC 3339 UTC timestamp like 2026-11-21T23:46:36Z. */
bool		 t_is_timestamp(const char *s);
/* True when s looks like a UUID. */
bool		 t_is_uuid(const char *s);
/* True when the JSON array arr holds the string s. */
bool		 t_json_array_has(struct json_object *arr, const char *s);

/* A test user and what logging in gave it. */
struct t_user {
	char	username[80];
	char	password[80];
	char	email[160];
	char	employee_id[80];
	char	id[64];
	char	access[4096];
	char	refresh[512];
};

/* prefix + 12 random hex digits, fit for a username; in static storage. */
const char	*t_unique(const char *prefix);

/* Registers a fresh user (unique username, email, employee_id); fills u. */
void		 t_register(struct t_user *u, const char *prefix);
/* Logs u in with username and password; fills u->access and u->refresh. */
void		 t_login(struct t_user *u);
/* t_register() then t_login(). */
void		 t_make_user(struct t_user *u, const char *prefix);
/*
 * Creates an admin with the admin command (gatehouse user add --role
 * admin --role user, on the stack's config), then logs in.  Works when
 * registration is closed.
 */
void		 t_make_admin(struct t_user *u, const char *prefix);
/* Refreshes u's tokens (asserting 200) and stores the new pair. */
void		 t_refresh(struct t_user *u);

/* GET /api/auth/me with token: the status (200 or the error's). */
long		 t_me_status(const char *token);
/* POST /api/auth/refresh with refresh token: the status. */
long		 t_refresh_status(const char *refresh);

/*
 * Clients keep calling /me with access while act(arg) ends its session:
 * asserts that some call succeeded before act began, and that every
 * call started after act returned got 401 (the end is seen at once by
 * every process).
 */
void		 t_me_race(const char *access, void (*act)(const void *),
		    const void *arg);

/*
 * Runs the admin command (GH_TEST_CLI) with the stack's config and
 * argv[] (NULL-terminated, without the program), stdin_text on its stdin.
 * Returns its exit status.
 */
int		 t_cli(const char *const argv[], const char *stdin_text);

/*
 * Runs SQL (printf-built) on the stack's database; returns the first
 * column of the first row, "" when none, in static storage.
 */
const char	*t_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The stack's JWT secret, from $GH_TEST_CONFIG. */
const char	*t_secret(void);
/* A token's decoded header (part 0) or payload (part 1); put it. */
struct json_object *t_jwt_part(const char *token, int part);
/* An access token's sid claim (its session) into out. */
void		 t_jwt_sid(const char *token, char *out, size_t outsz);
/*
 * Forges a token: header and payload (JSON text, taken as they are, so a
 * test can send what src/core/jwt.c would never write) signed with alg
 * ("HS256", "HS384", "HS512", or "none" for no signature) and key, into
 * out.
 */
void		 t_jwt_forge(const char *alg, const char *header,
		    const char *payload, const char *key, char *out,
		    size_t outsz);
/* Re-signs token's payload after edit(payload) with the stack's key. */
void		 t_jwt_resign(const char *token,
		    void (*edit)(struct json_object *), char *out, size_t outsz);

/* base64url of len bytes of b into out (NUL-terminated). */
void		 t_b64url(const unsigned char *b, size_t len, char *out,
		    size_t outsz);

/*
 * The PIDs of the server's programs running prog ("me", ...), under
 * valgrind or not: lighttpd's children, or the children of Apache's
 * mod_fcgid process manager (GH_TEST_SERVER_PID's grandchildren).
 */
size_t		 t_program_pids(const char *prog, pid_t *pids, size_t max);

/*
 * True when the stack's server is Apache (GH_TEST_SERVER apache or
 * shared), whose own refusals differ from lighttpd's.
 */
bool		 t_on_apache(void);

/*
 * Whether the programs' log ($GH_TEST_LOGDIR/lighttpd.out: lighttpd's
 * stderr, or Apache's error log) shows a line holding text within
 * timeout_s seconds.
 */
bool		 t_log_wait(const char *text, int timeout_s);

/* Milliseconds of sleep. */
void		 t_sleep_ms(long ms);

/*
 * Runs the command in the variable var (GH_TEST_PG_STOP or _START: the
 * stack's private cluster, "#stack: private-postgres"), asserting it
 * is set and succeeds.
 */
void		 t_pg(const char *var);

#endif
