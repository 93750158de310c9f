/*
 * json: request bodies into json-c objects, typed fields out of them, and
 * the one way to add a member to an object.
 *
 * json-c 0.16 does the parsing, but its STRICT mode is not strict enough
 * for the header's promise: it still takes single-quoted member names,
 * NaN and Infinity, "1.", raw control characters inside strings, and its
 * UTF-8 check lets overlong forms, surrogates and code points past
 * U+10FFFF through.  None of that is JSON (RFC 8259), and a laxer reading
 * here than in a proxy or a log tool is a smuggling path, so a lexical
 * pass over the body refuses it first; json-c then judges the structure
 * and the nesting depth.
 *
 * A name given twice in one object is not refused: json-c keeps the last
 * value.  RFC 8259 leaves that to the implementation, and no field here
 * means one thing in its first copy and another in its last.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/json.h"
#include "core/utf8.h"

/*
 * Steps over the string whose opening quote is at p[*i].  Escapes are only
 * checked for their letter: json-c checks the four hex digits of \u.
 */
static bool
lex_string(const unsigned char *p, size_t len, size_t *i)
{
	size_t	 j = *i + 1, n;

	while (j < len) {
		if (p[j] == '"') {
			*i = j + 1;
			return true;
		}
		if (p[j] < 0x20)
			return false;
		if (p[j] == '\\') {
			if (j + 1 >= len)
				return false;
			switch (p[j + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't': case 'u':
				break;
			default:
				return false;
			}
			j += 2;
			continue;
		}
		if ((n = gh_utf8_seq(p + j, len - j)) == 0)
			return false;
		j += n;
	}
	return false;
}

static bool
is_digit(unsigned char c)
{

	return c >= '0' && c <= '9';
}

static size_t
skip_digits(const unsigned char *p, size_t len, size_t i)
{

	while (i < len && is_digit(p[i]))
		i++;
	return i;
}

/*
 * Steps over the number at p[*i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?
 * ([eE][+-]?[0-9]+)?.  Out-of-range values are json-c's to clamp (integers
 * saturate, doubles go infinite): a handler that reads a number must
 * range-check it whatever its spelling.
 */
static bool
lex_number(const unsigned char *p, size_t len, size_t *i)
{
	size_t	 j = *i;

	if (j < len && p[j] == '-')
		j++;
	if (j < len && p[j] == '0')
		j++;
	else if (j < len && is_digit(p[j]))
		j = skip_digits(p, len, j);
	else
		return false;
	if (j < len && p[j] == '.') {
		if (++j >= len || !is_digit(p[j]))
			return false;
		j = skip_digits(p, len, j);
	}
	if (j < len && (p[j] == 'e' || p[j] == 'E')) {
		if (++j < len && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j >= len || !is_digit(p[j]))
			return false;
		j = skip_digits(p, len, j);
	}
	*i = j;
	return true;
}

/* Steps over the literal word at p[*i], spelt exactly so. */
static bool
lex_word(const unsigned char *p, size_t len, size_t *i, const char *word)
{
	size_t	 n = strlen(word);

	if (len - *i < n || memcmp(p + *i, word, n) != 0)
		return false;
	*i += n;
	return true;
}

/*
 * True when body[0..len) is made only of JSON tokens and the whitespace
 * RFC 8259 allows between them.  The grammar that joins the tokens is
 * json-c's to check.
 */
static bool
lex_ok(const char *body, size_t len)
{
	const unsigned char	*p = (const unsigned char *)body;
	size_t			 i = 0;
	bool			 ok;

	while (i < len) {
		switch (p[i]) {
		case ' ': case '\t': case '\n': case '\r':
		case '{': case '}': case '[': case ']': case ':': case ',':
			i++;
			ok = true;
			break;
		case '"':
			ok = lex_string(p, len, &i);
			break;
		case 't':
			ok = lex_word(p, len, &i, "true");
			break;
		case 'f':
			ok = lex_word(p, len, &i, "false");
			break;
		case 'n':
			ok = lex_word(p, len, &i, "null");
			break;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			ok = lex_number(p, len, &i);
			break;
		default:
			ok = false;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Whitespace after the object is accepted (clients often end a body with
 * a newline): json-c's STRICT mode consumes RFC 8259 whitespace after the
 * value and refuses anything else, and the parse end must then be len.
 * That check also catches a NUL byte, where json-c would stop early.
 */
struct json_object *
gh_json_parse_object(const char *body, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;

	if (body == NULL || len == 0 || len > INT_MAX)
		return NULL;
	if (!lex_ok(body, len))
		return NULL;
	if ((tok = json_tokener_new_ex(GH_JSON_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (obj == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/*
 * Finds key in obj for a getter: 1 with *v set when present and not null,
 * 0 when absent (or null and allowed to read as absent), -1 with a 400
 * noted otherwise.  A required field that is null is missing even when
 * nullable: "absent or null is a 400".
 */
static int
lookup(struct json_object *obj, const char *key, int flags,
    const char *wrong_type, struct json_object **v,
    struct gh_input_errors *errs)
{

	*v = NULL;
	if (!json_object_object_get_ex(obj, key, v)) {
		if (flags & GH_FIELD_REQUIRED) {
			gh_input_malformed(errs, key, "is required");
			return -1;
		}
		return 0;
	}
	if (*v == NULL) {
		if (flags & GH_FIELD_REQUIRED) {
			gh_input_malformed(errs, key, "is required");
			return -1;
		}
		if (flags & GH_FIELD_NULLABLE)
			return 0;
		gh_input_malformed(errs, key, wrong_type);
		return -1;
	}
	return 1;
}

/* A json-c string with its length, unless it holds a NUL C would cut at. */
static bool
string_of(struct json_object *v, const char **s, size_t *len)
{
	const char	*p;
	int		 n;

	if (!json_object_is_type(v, json_type_string))
		return false;
	if ((p = json_object_get_string(v)) == NULL ||
	    (n = json_object_get_string_len(v)) < 0)
		return false;
	if (memchr(p, '\0', (size_t)n) != NULL)
		return false;
	*s = p;
	*len = (size_t)n;
	return true;
}

int
gh_json_string(struct json_object *obj, const char *key, int flags,
    const char **s, size_t *len, struct gh_input_errors *errs)
{
	struct json_object	*v;
	int			 c;

	if ((c = lookup(obj, key, flags, "must be a string", &v, errs)) != 1)
		return c;
	if (!json_object_is_type(v, json_type_string)) {
		gh_input_malformed(errs, key, "must be a string");
		return -1;
	}
	if (!string_of(v, s, len)) {
		gh_input_malformed(errs, key, "must not contain NUL bytes");
		return -1;
	}
	return 1;
}

int
gh_json_bool(struct json_object *obj, const char *key, int flags, bool *b,
    struct gh_input_errors *errs)
{
	struct json_object	*v;
	int			 c;

	if ((c = lookup(obj, key, flags, "must be true or false", &v,
	    errs)) != 1)
		return c;
	if (!json_object_is_type(v, json_type_boolean)) {
		gh_input_malformed(errs, key, "must be true or false");
		return -1;
	}
	*b = json_object_get_boolean(v) != 0;
	return 1;
}

/*
 * A too-long array is -1 as well as a 422, and *arr stays NULL: a caller
 * sizing a fixed table by max must never see more elements than that.
 */
int
gh_json_string_array(struct json_object *obj, const char *key, int flags,
    size_t max, struct json_object **arr, struct gh_input_errors *errs)
{
	static const char	 wrong[] = "must be an array of strings";
	struct json_object	*v;
	const char		*s;
	size_t			 i, n, len;
	int			 c;

	*arr = NULL;
	if ((c = lookup(obj, key, flags, wrong, &v, errs)) != 1)
		return c;
	if (!json_object_is_type(v, json_type_array)) {
		gh_input_malformed(errs, key, wrong);
		return -1;
	}
	n = json_object_array_length(v);
	if (n > max) {
		char	 why[64];
		int	 w;

		w = snprintf(why, sizeof(why), "must have at most %zu item%s",
		    max, max == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= sizeof(why))
			gh_input_invalid(errs, key, "has too many items");
		else
			gh_input_invalid(errs, key, why);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!string_of(json_object_array_get_idx(v, i), &s, &len)) {
			gh_input_malformed(errs, key, wrong);
			return -1;
		}
	}
	*arr = v;
	return 1;
}

bool
gh_json_has(struct json_object *obj, const char *key)
{

	return json_object_object_get_ex(obj, key, NULL) != 0;
}

int
gh_json_add_string(struct json_object *obj, const char *key, const char *s)
{
	struct json_object	*v = NULL;
	size_t			 len;

	if (!json_object_is_type(obj, json_type_object))
		return -1;
	if (s != NULL && (len = strlen(s)) > 0) {
		if (len > INT_MAX)
			return -1;
		if ((v = json_object_new_string_len(s, (int)len)) == NULL)
			return -1;
	}
	/* On failure json-c leaves v with us. */
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
gh_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -1;
	if (obj == NULL || json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}
