/*
 * input_errors: the 400 and the 422s of one request.  See input_errors.h.
 *
 * The 422 sentences live in a json-c object because that is what the
 * answer sends as "fields": collecting them there costs no copy later.
 */
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "core/input_errors.h"

void
gh_input_invalid(struct gh_input_errors *errs, const char *field,
    const char *why)
{
	struct json_object	*v;

	if (errs == NULL)
		return;
	if (errs->fields == NULL &&
	    (errs->fields = json_object_new_object()) == NULL)
		goto nomem;
	if (json_object_object_get_ex(errs->fields, field, NULL))
		return;
	if ((v = json_object_new_string(why)) == NULL)
		goto nomem;
	if (json_object_object_add(errs->fields, field, v) != 0) {
		json_object_put(v);
		goto nomem;
	}
	return;
nomem:
	/*
	 * Input that failed validation must never pass for want of memory:
	 * a 400 naming the field is wrong in status but still a refusal.
	 */
	gh_input_malformed(errs, field, why);
}

/*
 * Only why's pointer is kept, so it must outlive errs: the sentences are
 * string literals.  A field name too long for missing is cut: it only
 * names the field in the response, and missing_why still marks the
 * failure.
 */
void
gh_input_malformed(struct gh_input_errors *errs, const char *field,
    const char *why)
{
	int	 n;

	if (errs == NULL || errs->missing_why != NULL)
		return;
	n = snprintf(errs->missing, sizeof(errs->missing), "%s", field);
	if (n < 0)
		errs->missing[0] = '\0';
	errs->missing_why = why;
}

bool
gh_input_failed(const struct gh_input_errors *errs)
{

	if (errs == NULL)
		return false;
	if (errs->missing[0] != '\0' || errs->missing_why != NULL)
		return true;
	return errs->fields != NULL &&
	    json_object_object_length(errs->fields) > 0;
}

void
gh_input_errors_free(struct gh_input_errors *errs)
{

	if (errs == NULL)
		return;
	json_object_put(errs->fields);
	errs->fields = NULL;
}
