/* kind.c - see kind.h: the parameters every generation route takes, and
 * the typed parsing of a value by its parameter's declared type. */
#include "kind.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "names.h"

/* Longest word-like value: integers top out at 20 significant digits. */
enum { WORD_CAP = 32 };

static const char *const formats[] = { "json", "text", "ndjson", NULL };

const struct kind_param kind_quantity = {
	"quantity", KIND_UINT, 1, 0, NULL, NULL, "1",
	"items in the reply (up to the route's, or the server's, limit)",
};

const struct kind_param kind_format = {
	"format", KIND_WORD, 0, 0, formats, "json, text or ndjson", "json",
	"json, text (one item a line) or ndjson",
};

const struct kind_param kind_policy = {
	"policy", KIND_WORD, 0, 0, NULL, NULL, NULL,
	"a named parameter set of the server's (GET /policies); only "
	"quantity and format may be given with it",
};

size_t kind_route_params(const struct kind_query *q, bool explain,
			 const struct kind_param **out, size_t cap)
{
	size_t n = 0;

	if (q == NULL)
		return 0;
	if (n < cap)
		out[n++] = &kind_quantity;
	for (size_t i = 0; i < q->count && n < cap; i++)
		out[n++] = &q->params[i];
	if (q->shape == SHAPE_PWGEND && !explain && n < cap)
		out[n++] = &kind_format;
	if (q->shape == SHAPE_PWGEND && n < cap)
		out[n++] = &kind_policy;
	return n;
}

int kind_fail_invalid(struct kind_parse *kp, const char *param,
		      const char *what)
{
	return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
			    "Invalid parameter value", param, "%s must be %s",
			    param, what);
}

/* Plain decimal digits into *out; -1 if not a number, -2 if it overflows. */
static int parse_uint(const char *s, size_t n, size_t *out)
{
	size_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t d = (size_t)(s[i] - '0');

		if (v > (SIZE_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int kind_parse_uint(struct kind_parse *kp, const char *name, const char *s,
		    size_t n, size_t lo, size_t hi, size_t *out)
{
	size_t v = 0;
	int rc = parse_uint(s, n, &v);

	if (rc == -1)
		return kind_fail_invalid(kp, name, "a decimal integer");
	if (rc == -2 || v < lo || v > hi)
		return request_fail(kp->err, 400, PROBLEM_OUT_OF_RANGE,
				    "Parameter out of range", name,
				    "%s must be an integer from %zu to %zu",
				    name, lo, hi);
	*out = v;
	return 0;
}

/* Does s[0, n) spell `word`, in any case when `loose`? */
static bool spells(const char *word, const char *s, size_t n, bool loose)
{
	return strlen(word) == n && (loose ? strncasecmp(word, s, n)
					   : memcmp(word, s, n)) == 0;
}

/* Exactly true, false, 1 or 0; or, for the original's routes, what
 * pydantic read: also yes/no, on/off, t/f, y/n, in any case. */
static int parse_bool(struct kind_parse *kp, const struct kind_param *prm,
		      const char *s, size_t n, bool *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
	static const char *const no[] = { "false", "0", "no", "off", "f", "n" };
	bool loose = prm->type == KIND_LOOSE_BOOL;

	for (size_t i = 0; i < (loose ? 6u : 2u); i++) {
		if (spells(yes[i], s, n, loose) || spells(no[i], s, n, loose)) {
			*out = spells(yes[i], s, n, loose);
			return 0;
		}
	}
	return kind_fail_invalid(kp, prm->name,
				 loose ? "a boolean (true, false, 1, 0, yes, "
					 "no, on, off)"
				       : "true, false, 1 or 0");
}

json_t *kind_json_limit(size_t v)
{
	return v > 0 ? json_integer((json_int_t)v) : json_null();
}

size_t kind_value_max(const struct kind_param *prm)
{
	if (prm->type != KIND_CHARS)
		return WORD_CAP;
	return prm->hi > 0 ? prm->hi : KIND_VALUE_CAP;
}

int kind_value_parse(struct kind_parse *kp, const struct kind_param *prm,
		     const char *s, size_t n, struct kind_value *v)
{
	int i;

	*v = (struct kind_value){ .s = s, .n = n };
	if (n > kind_value_max(prm))
		return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", prm->name,
				    "%s is longer than %zu characters",
				    prm->name, kind_value_max(prm));
	switch (prm->type) {
	case KIND_UINT:
		return kind_parse_uint(kp, prm->name, s, n, prm->lo, prm->hi,
				       &v->u);
	case KIND_BOOL:
	case KIND_LOOSE_BOOL:
		return parse_bool(kp, prm, s, n, &v->b);
	case KIND_WORD:
		if (prm->choices == NULL)
			return 0;
		i = NAMES_INDEX(prm->choices, SIZE_MAX, s, n);
		if (i < 0)
			return kind_fail_invalid(kp, prm->name, prm->expect);
		v->u = (size_t)i;
		return 0;
	default:
		return 0;
	}
}
