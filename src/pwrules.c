/* pwrules.c - the Password Rules language; see pwrules.h for the grammar
 * and how pwgend reads it. */
#include "pwrules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
	const char *s;
	size_t n, pos;
	const char *property;      /* the one being read */
	struct pwrules_error *err;
};

/* The named classes, as pwgend draws them (no space, see pwrules.h). */
enum { CLASS_UPPER, CLASS_LOWER, CLASS_DIGIT, CLASS_SPECIAL, CLASS_NAMED };

static const char *const class_names[CLASS_NAMED] = {
	"upper", "lower", "digit", "special",
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	p->err->property = p->property;
	p->err->position = at + 1;
	va_start(ap, fmt);
	vsnprintf(p->err->detail, sizeof(p->err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

static void set_add(struct pwrules_set *set, unsigned char c)
{
	set->bits[c >> 6] |= (uint64_t)1 << (c & 63);
}

bool pwrules_set_has(const struct pwrules_set *set, unsigned char c)
{
	return c < 128 && (set->bits[c >> 6] >> (c & 63) & 1);
}

static void set_union(struct pwrules_set *to, const struct pwrules_set *from)
{
	to->bits[0] |= from->bits[0];
	to->bits[1] |= from->bits[1];
}

static bool set_empty(const struct pwrules_set *set)
{
	return (set->bits[0] | set->bits[1]) == 0;
}

static bool set_equal(const struct pwrules_set *a, const struct pwrules_set *b)
{
	return a->bits[0] == b->bits[0] && a->bits[1] == b->bits[1];
}

static bool is_special(unsigned char c)
{
	return (c > ' ' && c <= '/') || (c >= ':' && c <= '@') ||
	       (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static bool in_class(int cls, unsigned char c)
{
	switch (cls) {
	case CLASS_UPPER:
		return c >= 'A' && c <= 'Z';
	case CLASS_LOWER:
		return c >= 'a' && c <= 'z';
	case CLASS_DIGIT:
		return c >= '0' && c <= '9';
	default:
		return is_special(c);
	}
}

static void add_class(struct pwrules_set *set, int cls)
{
	for (unsigned c = ' '; c <= '~'; c++) {
		if (in_class(cls, (unsigned char)c))
			set_add(set, (unsigned char)c);
	}
}

size_t pwrules_set_chars(const struct pwrules_set *set, char out[96])
{
	size_t n = 0;

	for (unsigned c = ' '; c <= '~'; c++) {
		if (pwrules_set_has(set, (unsigned char)c))
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

/* ------------------------------------------------------------- the lexer */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->n && is_space(p->s[p->pos]))
		p->pos++;
}

static bool at_end_of_value(const struct parser *p)
{
	return p->pos >= p->n || p->s[p->pos] == ';';
}

/* A name at p->pos: its length (0 if none). */
static size_t name_at(const struct parser *p)
{
	size_t len = 0;

	while (p->pos + len < p->n && is_name_char(p->s[p->pos + len]))
		len++;
	return len;
}

static bool same_name(const char *word, const char *s, size_t n, bool fold)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (fold && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (word[i] == '\0' || word[i] != c)
			return false;
	}
	return word[n] == '\0';
}

/* ----------------------------------------------------------- the values */

/* One custom class "[...]" at p->pos into *set. "]" ends it, unless it
 * is doubled: "]]" is a literal "]" and the end (the grammar puts "]"
 * last in a class). */
static int parse_custom(struct parser *p, struct pwrules_set *set)
{
	size_t start = p->pos++;

	for (; p->pos < p->n; p->pos++) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == ']') {
			if (p->pos + 1 < p->n && p->s[p->pos + 1] == ']') {
				set_add(set, c);
				p->pos++;
			}
			p->pos++;
			return 0;
		}
		if (c >= 0x80)
			return fail(p, p->pos, "only ASCII characters can be "
				    "drawn: a custom class may not hold "
				    "non-ASCII text");
		if (c < ' ' || c > '~')
			return fail(p, p->pos, "a custom class holds printable "
				    "ASCII characters only");
		if (c == '-' && p->pos != start + 1)
			return fail(p, p->pos, "'-' may only come first in a "
				    "custom class");
		set_add(set, c);
	}
	return fail(p, start, "custom class not closed with ']'");
}

/* One named class at p->pos into *set. */
static int parse_named(struct parser *p, struct pwrules_set *set)
{
	size_t len = name_at(p);
	const char *s = p->s + p->pos;

	if (same_name("ascii-printable", s, len, true)) {
		for (int cls = 0; cls < CLASS_NAMED; cls++)
			add_class(set, cls);
	} else if (same_name("unicode", s, len, true)) {
		return fail(p, p->pos, "unicode is not supported: pwgend "
			    "draws printable ASCII only");
	} else {
		int cls = 0;

		while (cls < CLASS_NAMED &&
		       !same_name(class_names[cls], s, len, true))
			cls++;
		if (cls == CLASS_NAMED)
			return fail(p, p->pos, "unknown character class "
				    "\"%.*s\" (upper, lower, digit, special, "
				    "ascii-printable or [...])",
				    (int)(len < 24 ? len : 24), s);
		add_class(set, cls);
	}
	p->pos += len;
	return 0;
}

/* classes = class *( "," class ), into *set. */
static int parse_classes(struct parser *p, struct pwrules_set *set)
{
	for (;;) {
		if (p->pos < p->n && p->s[p->pos] == '[') {
			if (parse_custom(p, set) < 0)
				return -1;
		} else if (name_at(p) > 0) {
			if (parse_named(p, set) < 0)
				return -1;
		} else {
			return fail(p, p->pos, "expected a character class");
		}
		skip_space(p);
		if (at_end_of_value(p))
			return 0;
		if (p->s[p->pos] != ',')
			return fail(p, p->pos, "expected ',' or ';'");
		p->pos++;
		skip_space(p);
	}
}

static int parse_integer(struct parser *p, size_t *out)
{
	size_t start = p->pos, v = 0;

	while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		v = v * 10 + (size_t)(p->s[p->pos++] - '0');
		if (v > PWRULES_INT_MAX)
			return fail(p, start, "%s is over %d", p->property,
				    PWRULES_INT_MAX);
	}
	if (p->pos == start)
		return fail(p, start, "expected a whole number");
	skip_space(p);
	if (!at_end_of_value(p))
		return fail(p, p->pos, "expected ';' after the number");
	*out = v;
	return 0;
}

/* ------------------------------------------------------- the properties */

/* A required: set, unless it is one already required. */
static int add_required(struct parser *p, struct pwrules *r,
			const struct pwrules_set *set, size_t at)
{
	if (set_empty(set))
		return fail(p, at, "required: needs at least one character");
	for (size_t i = 0; i < r->n_required; i++) {
		if (set_equal(&r->required[i], set))
			return 0;
	}
	if (r->n_required == PWRULES_REQUIRED_MAX)
		return fail(p, at, "more than %d different required: sets",
			    PWRULES_REQUIRED_MAX);
	r->required[r->n_required++] = *set;
	return 0;
}

static size_t min_limit(size_t a, size_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* The value of property `name` (its text begins at p->pos). */
static int parse_value(struct parser *p, struct pwrules *r, bool *allowed)
{
	size_t at = p->pos, v = 0;
	struct pwrules_set set = { { 0, 0 } };

	if (strcmp(p->property, "required") == 0 ||
	    strcmp(p->property, "allowed") == 0) {
		if (parse_classes(p, &set) < 0)
			return -1;
		set_union(&r->allowed, &set);
		if (strcmp(p->property, "required") == 0)
			return add_required(p, r, &set, at);
		*allowed = true;
		return 0;
	}
	if (parse_integer(p, &v) < 0)
		return -1;
	if (strcmp(p->property, "minlength") == 0)
		r->minlength = v > r->minlength ? v : r->minlength;
	else if (strcmp(p->property, "maxlength") == 0)
		r->maxlength = min_limit(r->maxlength, v);
	else
		r->max_consecutive = min_limit(r->max_consecutive, v);
	return 0;
}

static const char *const property_names[] = {
	"required", "allowed", "max-consecutive", "minlength", "maxlength",
};

/* name ":" [ value ], at p->pos (not at the end). */
static int parse_property(struct parser *p, struct pwrules *r, bool *allowed)
{
	size_t len = name_at(p), i = 0;

	while (i < sizeof(property_names) / sizeof(property_names[0]) &&
	       !same_name(property_names[i], p->s + p->pos, len, false))
		i++;
	if (len == 0)
		return fail(p, p->pos, "expected a property name (required, "
			    "allowed, max-consecutive, minlength or "
			    "maxlength)");
	if (i == sizeof(property_names) / sizeof(property_names[0]))
		return fail(p, p->pos, "unknown property \"%.*s\" (required, "
			    "allowed, max-consecutive, minlength or "
			    "maxlength, in lowercase)",
			    (int)(len < 24 ? len : 24), p->s + p->pos);
	p->property = property_names[i];
	p->pos += len;
	skip_space(p);
	if (p->pos >= p->n || p->s[p->pos] != ':')
		return fail(p, p->pos, "expected ':' after %s", p->property);
	p->pos++;
	skip_space(p);
	if (at_end_of_value(p))  /* an empty value: the grammar ignores it */
		return 0;
	return parse_value(p, r, allowed);
}

int pwrules_parse(const char *s, size_t n, struct pwrules *out,
		  struct pwrules_error *err)
{
	struct parser p = { .s = s, .n = n, .err = err };
	bool allowed = false;
	size_t properties = 0, first;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (n > PWRULES_TEXT_MAX)
		return fail(&p, PWRULES_TEXT_MAX, "longer than %d characters",
			    PWRULES_TEXT_MAX);
	skip_space(&p);
	first = p.pos;
	while (p.pos < n) {
		p.property = NULL;
		if (parse_property(&p, out, &allowed) < 0)
			return -1;
		properties++;
		skip_space(&p);  /* at ';' or the end */
		if (p.pos < n)
			p.pos++;
		skip_space(&p);
	}
	if (properties == 0)  /* nothing but blanks */
		return fail(&p, first, "expected a property (required, "
			    "allowed, max-consecutive, minlength or "
			    "maxlength)");
	if (!allowed && out->n_required == 0)
		for (int cls = 0; cls < CLASS_NAMED; cls++)
			add_class(&out->allowed, cls);
	return 0;
}

/* ------------------------------------------------------ canonical text */

struct out {
	char *s;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++) {
		if (o->len + 1 < o->cap)
			o->s[o->len] = s[i];
	}
	if (o->cap > 0)
		o->s[o->len + 1 < o->cap ? o->len : o->cap - 1] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static bool holds_class(const struct pwrules_set *set, int cls)
{
	for (unsigned c = ' '; c <= '~'; c++) {
		if (in_class(cls, (unsigned char)c) &&
		    !pwrules_set_has(set, (unsigned char)c))
			return false;
	}
	return true;
}

static void remove_class(struct pwrules_set *set, int cls)
{
	for (unsigned c = ' '; c <= '~'; c++) {
		if (in_class(cls, (unsigned char)c))
			set->bits[c >> 6] &= ~((uint64_t)1 << (c & 63));
	}
}

/* The characters of no whole class, as one custom class: "-" first and
 * "]" last, where the grammar wants them. */
static void put_custom(struct out *o, const struct pwrules_set *rest,
		       const char *sep)
{
	char chars[96], custom[96];
	size_t n = 0;

	pwrules_set_chars(rest, chars);
	if (pwrules_set_has(rest, '-'))
		custom[n++] = '-';
	for (const char *c = chars; *c != '\0'; c++) {
		if (*c != '-' && *c != ']')
			custom[n++] = *c;
	}
	if (pwrules_set_has(rest, ']'))
		custom[n++] = ']';
	if (n == 0)
		return;
	put_str(o, sep);
	put_str(o, "[");
	put(o, custom, n);
	put_str(o, "]");  /* after a literal "]": the "]]" of the grammar */
}

/* A set as classes: the whole named classes it holds, then the rest. An
 * empty set (only "allowed: []" makes one) is "[]": an empty value would
 * be ignored, and read back as ascii-printable. */
static void put_set(struct out *o, const struct pwrules_set *set)
{
	struct pwrules_set rest = *set;
	unsigned whole = 0;
	const char *sep = "";

	if (set_empty(set)) {
		put_str(o, "[]");
		return;
	}
	for (int cls = 0; cls < CLASS_NAMED; cls++) {
		if (holds_class(set, cls)) {
			whole |= 1u << cls;
			remove_class(&rest, cls);
		}
	}
	if (whole == (1u << CLASS_NAMED) - 1) {
		put_str(o, "ascii-printable");
		sep = ", ";
		whole = 0;
	}
	for (int cls = 0; cls < CLASS_NAMED; cls++) {
		if (!(whole & (1u << cls)))
			continue;
		put_str(o, sep);
		put_str(o, class_names[cls]);
		sep = ", ";
	}
	put_custom(o, &rest, sep);
}

static void put_number(struct out *o, const char *name, size_t v)
{
	char buf[48];
	int len = snprintf(buf, sizeof(buf), "%s%s: %zu", o->len ? "; " : "",
			   name, v);

	put(o, buf, (size_t)len);
}

size_t pwrules_format(const struct pwrules *r, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };

	if (cap > 0)
		out[0] = '\0';
	for (size_t i = 0; i < r->n_required; i++) {
		put_str(&o, o.len ? "; required: " : "required: ");
		put_set(&o, &r->required[i]);
	}
	put_str(&o, o.len ? "; allowed: " : "allowed: ");
	put_set(&o, &r->allowed);
	if (r->max_consecutive > 0)
		put_number(&o, "max-consecutive", r->max_consecutive);
	if (r->minlength > 0)
		put_number(&o, "minlength", r->minlength);
	if (r->maxlength > 0)
		put_number(&o, "maxlength", r->maxlength);
	return o.len;
}
