/*
 * input_errors: the contract's two kinds of input error, collected while
 * a handler reads its fields, so one response names every bad value at
 * once.
 *
 *   400 invalid_request   a required field missing, or of the wrong type
 *   422 validation_failed well-formed but invalid values, named in "fields"
 *
 * Promises: a zeroed struct gh_input_errors is empty and ready; the first
 * 400 noted stays (the answer names one field), every field's first 422
 * sentence stays; nothing noted is ever lost for want of memory (a 422
 * that cannot be recorded is noted as a 400: wrong in status, still a
 * refusal); every function takes a NULL collector and does nothing.
 */
#ifndef GH_INPUT_ERRORS_H
#define GH_INPUT_ERRORS_H

#include <stdbool.h>

#include <json-c/json.h>

struct gh_input_errors {
	char			 missing[64];	/* first 400 field, "" when none */
	const char		*missing_why;	/* its sentence */
	struct json_object	*fields;	/* 422 field -> sentence, or NULL */
};

/* Notes a 422 problem with field; the first sentence for a field stays. */
void	gh_input_invalid(struct gh_input_errors *, const char *field,
	    const char *why);

/*
 * Notes a 400 problem with field (the first one stays).  Only the pointer
 * why is kept: it must outlive errs (a string literal does).
 */
void	gh_input_malformed(struct gh_input_errors *, const char *field,
	    const char *why);

/* True when anything was noted. */
bool	gh_input_failed(const struct gh_input_errors *);

/* Frees what errs holds; safe to call twice. */
void	gh_input_errors_free(struct gh_input_errors *);

#endif
