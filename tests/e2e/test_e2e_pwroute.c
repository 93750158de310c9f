/*
 * POST /api/auth/password is served by the login program, not by me:
 * with every me process stopped, a password change still answers, so no
 * token check ever waits behind its bcrypt.  A suite of its own: while
 * me is stopped no other test may call /me.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "client.h"

TestSuite(pwroute, .timeout = 120);

#define PIDS_MAX	64

static pid_t	 stopped[PIDS_MAX];
static size_t	 nstopped;

static void
resume_me(void)
{
	size_t	 i;

	for (i = 0; i < nstopped; i++)
		(void)kill(stopped[i], SIGCONT);
	nstopped = 0;
}

/*
 * Has me serve a few requests first, so that its processes exist (Apache
 * starts them on demand) and are idle, ready to take the next request.
 */
static void
warm_up(const char *token)
{
	int	 i;

	for (i = 0; i < 4; i++)
		cr_assert_eq(t_me_status(token), 200, "warm-up %d", i);
}

Test(pwroute, a_password_change_answers_with_every_me_process_stopped,
    .fini = resume_me)
{
	struct t_user	 u;
	struct t_resp	 r;
	char		 body[256];
	size_t		 i;
	int		 n;

	t_make_user(&u, "pwr");
	warm_up(u.access);
	nstopped = t_program_pids("me", stopped, PIDS_MAX);
	cr_assert_gt(nstopped, 0, "no me process found");
	for (i = 0; i < nstopped; i++)
		cr_assert_eq(kill(stopped[i], SIGSTOP), 0);
	n = snprintf(body, sizeof(body), "{\"current_password\": \"%s\", "
	    "\"new_password\": \"Moved-Password-42\"}", u.password);
	cr_assert(n > 0 && (size_t)n < sizeof(body));
	t_http_json("POST", "/api/auth/password", u.access, body, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	t_resp_free(&r);
	resume_me();
	/* The change took: the new password logs in. */
	snprintf(u.password, sizeof(u.password), "%s", "Moved-Password-42");
	t_login(&u);
	cr_assert_eq(t_me_status(u.access), 200);
}
