/*
 * test_log: the line format, level filtering and the scrubbing of control
 * bytes.  stderr is pointed at a temporary file for each capture; Criterion
 * runs every test in its own process, so the level set by one test does
 * not leak into the next.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/log.h"

static FILE	*cap;
static int	 saved_stderr = -1;

static void
capture_start(void)
{

	cr_assert_eq(fflush(stderr), 0);
	cap = tmpfile();
	cr_assert_not_null(cap);
	saved_stderr = dup(STDERR_FILENO);
	cr_assert_geq(saved_stderr, 0);
	cr_assert_neq(dup2(fileno(cap), STDERR_FILENO), -1);
}

/* Restores stderr and returns what was written meanwhile, NUL-terminated. */
static size_t
capture_end(char *buf, size_t bufsz)
{
	size_t	 n;

	cr_assert_neq(dup2(saved_stderr, STDERR_FILENO), -1);
	cr_assert_eq(close(saved_stderr), 0);
	saved_stderr = -1;
	rewind(cap);
	n = fread(buf, 1, bufsz - 1, cap);
	buf[n] = '\0';
	cr_assert_eq(fclose(cap), 0);
	cap = NULL;
	return n;
}

static void
expect_line(const char *level, const char *msg, const char *got)
{
	char	 want[2048];
	int	 n;

	n = snprintf(want, sizeof(want), "gatehouse[%ld] %s: %s\n",
	    (long)getpid(), level, msg);
	cr_assert(n > 0 && (size_t)n < sizeof(want));
	cr_assert_str_eq(got, want);
}

Test(log, info_line_has_name_pid_level_and_message)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_INFO, "hello %s %d", "world", 42);
	capture_end(buf, sizeof(buf));
	expect_line("info", "hello world 42", buf);
}

Test(log, warn_level_is_written_as_warning)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_WARN, "careful");
	capture_end(buf, sizeof(buf));
	expect_line("warning", "careful", buf);
}

Test(log, debug_is_dropped_at_default_level)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_DEBUG, "noise");
	capture_end(buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
}

Test(log, debug_is_written_at_debug_level)
{
	char	 buf[2048];

	gh_log_set_level(GH_LOG_DEBUG);
	capture_start();
	gh_log(GH_LOG_DEBUG, "detail");
	capture_end(buf, sizeof(buf));
	expect_line("debug", "detail", buf);
}

Test(log, level_warn_drops_info_and_keeps_warning_and_error)
{
	char	 buf[2048], want[2048];
	int	 n;

	gh_log_set_level(GH_LOG_WARN);
	capture_start();
	gh_log(GH_LOG_INFO, "dropped");
	gh_log(GH_LOG_WARN, "kept1");
	gh_log(GH_LOG_ERROR, "kept2");
	capture_end(buf, sizeof(buf));
	n = snprintf(want, sizeof(want), "gatehouse[%ld] warning: kept1\n"
	    "gatehouse[%ld] error: kept2\n", (long)getpid(), (long)getpid());
	cr_assert(n > 0 && (size_t)n < sizeof(want));
	cr_assert_str_eq(buf, want);
}

Test(log, level_error_drops_warning)
{
	char	 buf[2048];

	gh_log_set_level(GH_LOG_ERROR);
	capture_start();
	gh_log(GH_LOG_WARN, "dropped");
	capture_end(buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
}

Test(log, newline_and_carriage_return_become_question_marks)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_INFO, "user %s", "alice\ngatehouse[1] error: forged\r");
	capture_end(buf, sizeof(buf));
	expect_line("info", "user alice?gatehouse[1] error: forged?", buf);
}

Test(log, control_bytes_and_del_become_question_marks)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_INFO, "a%sb%sc%sd", "\x1b[31m", "\t", "\x7f");
	capture_end(buf, sizeof(buf));
	expect_line("info", "a?[31mb?c?d", buf);
}

Test(log, utf8_bytes_are_kept)
{
	char	 buf[2048];

	capture_start();
	gh_log(GH_LOG_INFO, "caf\xc3\xa9");
	capture_end(buf, sizeof(buf));
	expect_line("info", "caf\xc3\xa9", buf);
}

Test(log, long_message_is_one_truncated_line_ending_in_dots)
{
	char	 buf[8192], msg[4000];
	size_t	 n;

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	capture_start();
	gh_log(GH_LOG_INFO, "%s", msg);
	n = capture_end(buf, sizeof(buf));
	cr_assert_lt(n, (size_t)1024);
	cr_assert_geq(n, (size_t)900);
	cr_assert_eq(strncmp(buf + n - 4, "...\n", 4), 0);
	cr_assert_eq(strchr(buf, '\n'), buf + n - 1, "exactly one line");
}

Test(log, errno_is_preserved)
{
	char	 buf[2048];

	capture_start();
	errno = ENOENT;
	gh_log(GH_LOG_ERROR, "open failed");
	cr_assert_eq(errno, ENOENT);
	capture_end(buf, sizeof(buf));
}

Test(log, parse_level_knows_every_name)
{
	enum gh_log_level	 l;

	cr_assert_eq(gh_log_parse_level("debug", &l), 0);
	cr_assert_eq(l, GH_LOG_DEBUG);
	cr_assert_eq(gh_log_parse_level("info", &l), 0);
	cr_assert_eq(l, GH_LOG_INFO);
	cr_assert_eq(gh_log_parse_level("warning", &l), 0);
	cr_assert_eq(l, GH_LOG_WARN);
	cr_assert_eq(gh_log_parse_level("warn", &l), 0);
	cr_assert_eq(l, GH_LOG_WARN);
	cr_assert_eq(gh_log_parse_level("error", &l), 0);
	cr_assert_eq(l, GH_LOG_ERROR);
}

Test(log, parse_level_refuses_unknown_names)
{
	enum gh_log_level	 l = GH_LOG_ERROR;

	cr_assert_eq(gh_log_parse_level("verbose", &l), -1);
	cr_assert_eq(gh_log_parse_level("", &l), -1);
	cr_assert_eq(gh_log_parse_level("info ", &l), -1);
	cr_assert_eq(gh_log_parse_level(NULL, &l), -1);
	cr_assert_eq(l, GH_LOG_ERROR, "a failed parse leaves the level");
}
