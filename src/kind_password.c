/* kind_password.c - GET /password: a string over the enabled classes (or
 * a charset, a preset, a symbol set), with per-class minimums, first=letter,
 * max_consecutive and min_entropy; uniform over every string that meets
 * them (policy.h). */
#include "kind.h"
#include "kind_chars.h"

#include <string.h>

#include "gen.h"

enum {
	P_LENGTH, P_LOWER, P_UPPER, P_DIGITS, P_SYMBOLS, P_SYMBOL_SET,
	P_EXCLUDE, P_EXCLUDE_AMBIGUOUS, P_CHARSET, P_PRESET, P_MIN_LOWER,
	P_MIN_UPPER, P_MIN_DIGITS, P_MIN_SYMBOLS, P_FIRST, P_MIN_ENTROPY,
	P_MAX_CONSECUTIVE, P_RULES,
};

/* In the order of enum policy_preset from PRESET_ALNUM on. */
static const char *const presets[] = {
	"alnum", "hex", "base32", "url", "shell", "env", NULL,
};
static const char *const firsts[] = { "letter", "any", NULL };

static const struct kind_param params[] = {
	[P_LENGTH] = { "length", KIND_UINT, PASSWORD_LENGTH_MIN,
		       PASSWORD_LENGTH_MAX, NULL, NULL, "20",
		       "characters per password" },
	[P_LOWER] = { "lower", KIND_BOOL, 0, 0, NULL, NULL, "true",
		      "lower-case letters a-z" },
	[P_UPPER] = { "upper", KIND_BOOL, 0, 0, NULL, NULL, "true",
		      "upper-case letters A-Z" },
	[P_DIGITS] = { "digits", KIND_BOOL, 0, 0, NULL, NULL, "true",
		       "digits 0-9" },
	[P_SYMBOLS] = { "symbols", KIND_BOOL, 0, 0, NULL, NULL, "false",
			"the 32 ASCII punctuation characters" },
	[P_SYMBOL_SET] = { "symbol_set", KIND_CHARS, 0, 0, NULL, NULL, NULL,
			   "the symbols to use instead of all 32" },
	[P_EXCLUDE] = { "exclude", KIND_CHARS, 0, 0, NULL, NULL, NULL,
			"characters never to use" },
	[P_EXCLUDE_AMBIGUOUS] = { "exclude_ambiguous", KIND_BOOL, 0, 0, NULL,
				  NULL, "false", "drop look-alikes (Il1O0o)" },
	[P_CHARSET] = { "charset", KIND_CHARS, 0, 0, NULL, NULL, NULL,
			"exactly these characters" },
	[P_PRESET] = { "preset", KIND_WORD, 0, 0, presets,
		       "one of alnum, hex, base32, url, shell, env", NULL,
		       "a named alphabet" },
	[P_MIN_LOWER] = { "min_lower", KIND_UINT, 0, PASSWORD_MIN_COUNT_MAX,
			  NULL, NULL, "0", "at least this many lower-case" },
	[P_MIN_UPPER] = { "min_upper", KIND_UINT, 0, PASSWORD_MIN_COUNT_MAX,
			  NULL, NULL, "0", "at least this many upper-case" },
	[P_MIN_DIGITS] = { "min_digits", KIND_UINT, 0, PASSWORD_MIN_COUNT_MAX,
			   NULL, NULL, "0", "at least this many digits" },
	[P_MIN_SYMBOLS] = { "min_symbols", KIND_UINT, 0,
			    PASSWORD_MIN_COUNT_MAX, NULL, NULL, "0",
			    "at least this many symbols" },
	[P_FIRST] = { "first", KIND_WORD, 0, 0, firsts, "letter or any",
		      "any", "letter: the first character is a letter" },
	[P_MIN_ENTROPY] = { "min_entropy", KIND_UINT, 1, MIN_ENTROPY_MAX,
			    NULL, NULL, NULL,
			    "bits: the shortest length that reaches them" },
	[P_MAX_CONSECUTIVE] = { "max_consecutive", KIND_UINT, 1,
				PASSWORD_LENGTH_MAX, NULL, NULL, NULL,
				"no run of more identical characters" },
	[P_RULES] = { "rules", KIND_CHARS, 0, PWRULES_TEXT_MAX, NULL, NULL,
		      NULL, "a site's passwordrules: its characters, "
		      "required sets, lengths and max-consecutive" },
};

static void defaults(struct kind_parse *kp)
{
	kp->pw.classes = GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS;
	kp->pw.length = PASSWORD_LENGTH_DEFAULT;
}

/* The class switches and minimums, by parameter. */
static const unsigned class_bits[] = {
	[P_LOWER] = GEN_CLASS_LOWER, [P_UPPER] = GEN_CLASS_UPPER,
	[P_DIGITS] = GEN_CLASS_DIGITS, [P_SYMBOLS] = GEN_CLASS_SYMBOLS,
	[P_MIN_LOWER] = CLASS_LOWER, [P_MIN_UPPER] = CLASS_UPPER,
	[P_MIN_DIGITS] = CLASS_DIGIT, [P_MIN_SYMBOLS] = CLASS_SYMBOL,
};

static void set_class(struct password_options *o, size_t i, bool on)
{
	o->classes_given |= class_bits[i];
	if (on) {
		o->classes |= class_bits[i];
	} else {
		o->classes &= ~class_bits[i];
		o->last_class_off = params[i].name;
	}
}

/* Keep a string value (the decoded bytes die with the pair). */
static const char *keep(struct kind_parse *kp, size_t slot,
			const struct kind_value *v, size_t *n)
{
	memcpy(kp->store[slot], v->s, v->n);
	*n = v->n;
	return kp->store[slot];
}

/* rules=: parsed now, refused with the property and the character at
 * fault. */
static int set_rules(struct kind_parse *kp, const struct kind_value *v)
{
	struct pwrules_error e;

	if (pwrules_parse(v->s, v->n, &kp->g->rules, &e) < 0)
		return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "rules",
				    "rules, %s%sat character %zu: %s",
				    e.property ? e.property : "",
				    e.property ? " " : "", e.position,
				    e.detail);
	kp->g->has_rules = true;
	kp->pw.rules = &kp->g->rules;
	return 0;
}

static int set(struct kind_parse *kp, size_t i, const struct kind_value *v)
{
	struct password_options *o = &kp->pw;

	switch (i) {
	case P_LENGTH:
		o->length_given = true;
		o->length = v->u;
		break;
	case P_LOWER: case P_UPPER: case P_DIGITS: case P_SYMBOLS:
		set_class(o, i, v->b);
		break;
	case P_SYMBOL_SET:
		o->symbol_set = keep(kp, 0, v, &o->n_symbol_set);
		break;
	case P_EXCLUDE:
		o->exclude = keep(kp, 1, v, &o->n_exclude);
		break;
	case P_CHARSET:
		o->charset = keep(kp, 2, v, &o->n_charset);
		break;
	case P_EXCLUDE_AMBIGUOUS:
		o->exclude_ambiguous = v->b;
		break;
	case P_PRESET:
		o->preset = (enum policy_preset)(PRESET_ALNUM + v->u);
		break;
	case P_FIRST:
		o->first_letter = v->u == 0;
		break;
	case P_MIN_ENTROPY:
		o->min_entropy = v->u;
		break;
	case P_MAX_CONSECUTIVE:
		o->max_consecutive = v->u;
		break;
	case P_RULES:
		return set_rules(kp, v);
	default:  /* the minimums */
		o->min[class_bits[i]] = v->u;
		if (v->u > 0)  /* the one to blame */
			o->last_min = params[i].name;
	}
	return 0;
}

static int settle(struct kind_parse *kp)
{
	const struct password_options *o = &kp->pw;

	if (o->classes == 0 && o->symbol_set == NULL && o->charset == NULL &&
	    o->preset == PRESET_NONE)
		return request_fail(kp->err, 400, PROBLEM_EMPTY_ALPHABET,
				    "No character class enabled",
				    o->last_class_off,
				    "%s=false leaves no character class; "
				    "enable at least one of lower, upper, "
				    "digits, symbols", o->last_class_off);
	return kind_chars_settle(kp);
}

/* rules= as parsed: the canonical text, each required set and the
 * allowed characters, the limits (null: none). */
static json_t *explain_rules(const struct pwrules *r)
{
	char text[1024], chars[96];
	json_t *required = json_array();

	for (size_t i = 0; required != NULL && i < r->n_required; i++) {
		pwrules_set_chars(&r->required[i], chars);
		json_array_append_new(required, json_string(chars));
	}
	pwrules_format(r, text, sizeof(text));
	pwrules_set_chars(&r->allowed, chars);
	return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o}", "canonical", text,
			 "required", required, "allowed", chars,
			 "max_consecutive", kind_json_limit(r->max_consecutive),
			 "minlength", kind_json_limit(r->minlength),
			 "maxlength", kind_json_limit(r->maxlength));
}

/* The alphabet, the minimums, `first`, max_consecutive (null: none), the
 * rules (when given) and how often a uniform candidate is kept. */
static json_t *explain(const struct gen_request *g)
{
	const struct password_policy *p = &g->policy;
	json_t *e = json_pack("{s:s%, s:I, s:{s:I, s:I, s:I, s:I}, s:s, s:o, "
			      "s:f}",
			      "alphabet", p->alphabet, p->alphabet_len,
			      "alphabet_size", (json_int_t)p->alphabet_len,
			      "minimums",
			      "lower", (json_int_t)p->min[0],
			      "upper", (json_int_t)p->min[1],
			      "digits", (json_int_t)p->min[2],
			      "symbols", (json_int_t)p->min[3],
			      "first", p->first_letter ? "letter" : "any",
			      "max_consecutive", kind_json_limit(p->max_run),
			      "acceptance_probability", g->acceptance);

	if (e != NULL && g->has_rules &&
	    json_object_set_new(e, "rules", explain_rules(&g->rules)) < 0) {
		json_decref(e);
		return NULL;
	}
	return e;
}

static const struct kind_query query =
	KIND_QUERY(params, defaults, set, settle);

const struct kind kind_password = {
	.name = "password",
	.query = &query,
	.slot_size = kind_chars_slot,
	.begin = kind_chars_begin,
	.item_step = kind_chars_step,
	.explain = explain,
};
