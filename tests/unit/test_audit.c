/*
 * audit: what a row may hold (src/domain/audit.c), without a database:
 * the times a filter takes, details built from named fields only and
 * always a JSON object, and the client's address and agent made safe.
 * The rows the programs write are tests/e2e/test_e2e_audit.c's.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "domain/audit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(audit, times_of_rfc_3339_with_a_zone_are_taken)
{
	static const char *const good[] = {
		"2026-11-21T23:46:36Z", "2026-11-21t23:46:36z",
		"2026-11-21T23:46:36.123456Z", "2026-11-21T23:46:36+01:00",
		"2024-02-29T00:00:00-05:30", "2016-12-31T23:59:60Z",
	};
	size_t	 i;

	for (i = 0; i < NELEM(good); i++)
		cr_assert(gh_audit_time_ok(good[i], strlen(good[i])), "%s",
		    good[i]);
}

Test(audit, times_postgresql_would_refuse_or_misread_are_not)
{
	static const char *const bad[] = {
		"", "yesterday", "2026-11-21", "2026-11-21T23:46:36",
		"2026-11-21 23:46:36Z", "2026-13-01T00:00:00Z",
		"2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-21T24:00:00Z", "2026-11-21T23:60:00Z",
		"2026-11-21T23:46:36.Z", "2026-11-21T23:46:36+0100",
		"2026-11-21T23:46:36+25:00", "0000-01-01T00:00:00Z",
		"2026-11-21T23:46:36Z trailing", "+2026-11-21T23:46:36Z",
	};
	size_t	 i;

	for (i = 0; i < NELEM(bad); i++)
		cr_assert(!gh_audit_time_ok(bad[i], strlen(bad[i])), "%s",
		    bad[i]);
}

Test(audit, every_event_has_its_contract_name)
{
	cr_assert_str_eq(gh_audit_event_name(GH_AUDIT_LOGIN_FAILED),
	    "login.failed");
	cr_assert_str_eq(gh_audit_event_name(GH_AUDIT_KEY_RETIRED),
	    "key.retired");
	cr_assert_null(gh_audit_event_name(GH_AUDIT_NEVENTS));
	cr_assert(gh_audit_event_known("refresh.reuse_detected", 22));
	cr_assert(!gh_audit_event_known("login", 5));
	cr_assert(!gh_audit_event_known("login.failedx", 13));
}

Test(audit, details_are_a_json_object_whatever_the_values)
{
	struct gh_audit		 a;
	struct json_object	*o, *v;

	gh_audit_context(NULL, NULL, NULL);
	gh_audit_init(&a, GH_AUDIT_LOGIN_FAILED, false, NULL, NULL);
	gh_audit_detail(&a, "username", "a\"b\\c\nd");
	gh_audit_detail(&a, "reason", "bad_credentials");
	gh_audit_detail(&a, "skipped", NULL);
	cr_assert_not_null(o = json_tokener_parse(a.details), "%s",
	    a.details);
	cr_assert(json_object_object_get_ex(o, "username", &v));
	cr_assert_str_eq(json_object_get_string(v), "a\"b\\c?d");
	cr_assert(json_object_object_get_ex(o, "reason", &v));
	cr_assert(!json_object_object_get_ex(o, "skipped", &v));
	json_object_put(o);
}

Test(audit, a_value_too_long_is_left_out_whole)
{
	struct gh_audit		 a;
	char			 big[GH_AUDIT_DETAILS_MAX + 10];
	struct json_object	*o;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	gh_audit_context(NULL, NULL, NULL);
	gh_audit_init(&a, GH_AUDIT_LOGIN_FAILED, false, NULL, NULL);
	gh_audit_detail(&a, "reason", "bad_credentials");
	gh_audit_detail(&a, "username", big);
	cr_assert_not_null(o = json_tokener_parse(a.details));
	cr_assert_eq(json_object_object_length(o), 1, "%s", a.details);
	json_object_put(o);
}

Test(audit, the_agent_is_utf8_without_controls_and_bounded)
{
	struct gh_audit	 a;
	char		 agent[600];
	const char	*params[GH_AUDIT_NPARAMS];

	memset(agent, 'u', sizeof(agent) - 1);
	agent[sizeof(agent) - 1] = '\0';
	memcpy(agent, "ok\r\nX-Injected: 1\xff\xc3\xa9", 20);
	gh_audit_context("127.0.0.1", agent, NULL);
	gh_audit_actor("not a uuid");
	gh_audit_init(&a, GH_AUDIT_LOGOUT, true,
	    "3f0c0000-0000-4000-8000-000000000001", "x");
	cr_assert_eq(strncmp(a.user_agent, "ok??X-Injected: 1?\xc3\xa9", 20),
	    0, "%s", a.user_agent);
	cr_assert_eq(strlen(a.user_agent), GH_AUDIT_AGENT_MAX);
	cr_assert_str_eq(a.client_addr, "127.0.0.1");
	gh_audit_bind(&a, params);
	cr_assert_str_eq(params[0], "logout");
	cr_assert_str_eq(params[1], "success");
	cr_assert_str_eq(params[2], "3f0c0000-0000-4000-8000-000000000001");
	cr_assert_null(params[3], "an actor that is no id is none");
	cr_assert_null(params[4], "a session that is no id is none");
	cr_assert_str_eq(params[7], "{}");
}

Test(audit, the_cli_says_so_in_every_row_and_has_no_actor)
{
	struct gh_audit	 a;

	gh_audit_context(NULL, NULL, "cli");
	gh_audit_init(&a, GH_AUDIT_USER_CREATED, true, NULL, NULL);
	cr_assert_str_eq(a.details, "{\"via\":\"cli\"}");
	cr_assert_str_eq(a.actor_id, "");
	cr_assert_str_eq(a.client_addr, "");
}
