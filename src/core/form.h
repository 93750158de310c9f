/*
 * form: application/x-www-form-urlencoded bodies, as OAuth2 clients send
 * the password and refresh_token grants (RFC 6749 sections 4.3 and 6).
 *
 * Promises: the body is read as a pointer and a length, never past it;
 * '+' is a space and %XX a byte, and a '%' not followed by two hex digits
 * makes the whole body malformed; a decoded NUL byte is malformed too;
 * a name given twice is malformed (RFC 6749 section 3.1: "parameters
 * MUST NOT be included more than once"); the result is a json-c object
 * of strings, so a handler reads a form and a JSON body the same way.
 */
#ifndef GH_FORM_H
#define GH_FORM_H

#include <stddef.h>

#include <json-c/json.h>

/* At most this many pairs in one body. */
#define GH_FORM_PAIRS_MAX	64

/* Decodes body[0..len) into a new object of strings; NULL when malformed. */
struct json_object *gh_form_parse(const char *body, size_t len);

/*
 * Decodes one urlencoded component in[0..len) into out (outsz bytes,
 * NUL-terminated).  Returns the decoded length, or -1 when malformed, when
 * it holds a NUL, or when out is too small.
 */
long	gh_form_decode(const char *in, size_t len, char *out, size_t outsz);

/* The value of hex digit c, or -1. */
int	gh_form_hexval(unsigned char c);

#endif
