/*
 * fields: field, role name and password rules.  See fields.h.
 */
#include <string.h>

#include "core/bounds.h"
#include "core/config.h"
#include "core/password.h"
#include "core/str.h"
#include "domain/fields.h"

static int
has_control(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *
gh_field_check_username(const char *s, size_t len)
{
	size_t	 i;

	if (len < GH_USERNAME_MIN || len > GH_USERNAME_MAX)
		return "must be 3 to 64 characters";
	for (i = 0; i < len; i++)
		if (!(is_lower_alnum(gh_ascii_lower((unsigned char)s[i])) ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return "may hold only letters, digits, '.', "
			    "'_' and '-'";
	return NULL;
}

const char *
gh_field_check_email(const char *s, size_t len)
{
	const char	*at, *dot;
	size_t		 i;

	if (len < 3 || len > GH_EMAIL_MAX)
		return "must be an email address of at most 254 characters";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return "must be an email address";
	at = memchr(s, '@', len);
	if (at == NULL || at == s || memchr(at + 1, '@',
	    len - (size_t)(at - s) - 1) != NULL)
		return "must be an email address";
	dot = memchr(at + 1, '.', len - (size_t)(at - s) - 1);
	if (dot == NULL || dot == at + 1 || s[len - 1] == '.')
		return "must be an email address";
	return NULL;
}

const char *
gh_field_check_employee_id(const char *s, size_t len)
{
	if (len < 1 || len > GH_EMPLOYEE_ID_MAX || has_control(s, len))
		return "must be 1 to 64 printable characters";
	return NULL;
}

const char *
gh_field_check_full_name(const char *s, size_t len)
{
	if (len > GH_FULL_NAME_MAX || has_control(s, len))
		return "must be at most 200 printable characters";
	return NULL;
}

const char *
gh_field_check_phone(const char *s, size_t len)
{
	size_t	 i, digits = 0;

	if (len > GH_PHONE_MAX)
		return "must be at most 32 characters";
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '\0' || strchr("+-() .", s[i]) == NULL)
			return "may hold only digits, spaces and + - ( ) .";
	}
	if (len > 0 && digits == 0)
		return "must contain digits";
	return NULL;
}

const char *
gh_field_check_role_name(const char *s, size_t len)
{
	size_t	 i;

	if (len < 1 || len > GH_ROLE_NAME_MAX)
		return "must be 1 to 64 characters";
	for (i = 0; i < len; i++)
		if (!(is_lower_alnum(s[i]) || s[i] == '_' || s[i] == '-'))
			return "may hold only a-z, 0-9, '_' and '-'";
	return NULL;
}

const char *
gh_field_check_password(const struct gh_config *cfg, const char *pw,
    size_t len, const char *username, const char *email)
{
	struct gh_password_policy	 policy;
	enum gh_password_verdict	 v;

	policy.min_length = cfg->password_min_length;
	policy.require_classes = cfg->password_require_classes;
	v = gh_password_check(&policy, pw, len, username, email);
	return v == GH_PW_OK ? NULL : gh_password_verdict_str(v);
}
