/*
 * request.c - see request.h for the grammar.
 *
 * One pass over the query: decode each pair, look the name up in the route's
 * parameter table, refuse repeats, validate the value into struct gen_request.
 */
#include "request.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gen.h"
#include "passphrase.h"
#include "pin.h"
#include "policy.h"
#include "token.h"

enum param_id {
	P_QUANTITY,
	P_LENGTH,
	P_LOWER,
	P_UPPER,
	P_DIGITS,
	P_SYMBOLS,
	P_SYMBOL_SET,
	P_EXCLUDE,
	P_EXCLUDE_AMBIGUOUS,
	P_CHARSET,
	P_PRESET,
	P_MIN_LOWER,
	P_MIN_UPPER,
	P_MIN_DIGITS,
	P_MIN_SYMBOLS,
	P_FIRST,
	P_MIN_ENTROPY,
	P_EXCLUDE_WEAK,
	P_UNIQUE,
	P_WORDS,
	P_SEPARATOR,
	P_CAPITALIZE,
	P_NUMBER,
	P_MAX_LENGTH,
	P_BYTES,
	P_ENCODING,
	P_FORMAT,
	P_PASSWORD_LENGTH,             /* the original's names */
	P_HAS_PUNCTUATION,
	P_PONCTUATION,
};

#define ON_PASSWORD (1u << ROUTE_PASSWORD)
#define ON_PIN (1u << ROUTE_PIN)
#define ON_PASSPHRASE (1u << ROUTE_PASSPHRASE)
#define ON_TOKEN (1u << ROUTE_TOKEN)
#define ON_GENERATE (ON_PASSWORD | ON_PIN | ON_PASSPHRASE | ON_TOKEN)
#define ON_V1 ((1u << ROUTE_V1_PIN) | (1u << ROUTE_V1_PASSWORD))
#define ON_BLOG ((1u << ROUTE_BLOG_PIN) | (1u << ROUTE_BLOG_PASS) | \
		 (1u << ROUTE_BLOG_COMPLEX))

static const struct param {
	const char *name;
	enum param_id id;
	unsigned routes;           /* bit per enum route that accepts it */
	unsigned class_bit;        /* for the boolean class switches */
} params[] = {
	{ "quantity", P_QUANTITY, ON_GENERATE | ON_V1 | ON_BLOG, 0 },
	{ "password_length", P_PASSWORD_LENGTH, ON_V1, 0 },
	{ "has_punctuation", P_HAS_PUNCTUATION, 1u << ROUTE_V1_PASSWORD, 0 },
	{ "ponctuation", P_PONCTUATION,
	  (1u << ROUTE_BLOG_PASS) | (1u << ROUTE_BLOG_COMPLEX), 0 },
	{ "length", P_LENGTH, ON_PASSWORD | ON_PIN, 0 },
	{ "format", P_FORMAT, ON_GENERATE, 0 },
	{ "lower", P_LOWER, ON_PASSWORD, GEN_CLASS_LOWER },
	{ "upper", P_UPPER, ON_PASSWORD, GEN_CLASS_UPPER },
	{ "digits", P_DIGITS, ON_PASSWORD, GEN_CLASS_DIGITS },
	{ "symbols", P_SYMBOLS, ON_PASSWORD, GEN_CLASS_SYMBOLS },
	{ "symbol_set", P_SYMBOL_SET, ON_PASSWORD, 0 },
	{ "exclude", P_EXCLUDE, ON_PASSWORD, 0 },
	{ "exclude_ambiguous", P_EXCLUDE_AMBIGUOUS, ON_PASSWORD, 0 },
	{ "charset", P_CHARSET, ON_PASSWORD, 0 },
	{ "preset", P_PRESET, ON_PASSWORD, 0 },
	{ "min_lower", P_MIN_LOWER, ON_PASSWORD, CLASS_LOWER },
	{ "min_upper", P_MIN_UPPER, ON_PASSWORD, CLASS_UPPER },
	{ "min_digits", P_MIN_DIGITS, ON_PASSWORD, CLASS_DIGIT },
	{ "min_symbols", P_MIN_SYMBOLS, ON_PASSWORD, CLASS_SYMBOL },
	{ "first", P_FIRST, ON_PASSWORD, 0 },
	{ "min_entropy", P_MIN_ENTROPY, ON_PASSWORD | ON_PASSPHRASE, 0 },
	{ "exclude_weak", P_EXCLUDE_WEAK, ON_PIN, 0 },
	{ "unique", P_UNIQUE, ON_PIN, 0 },
	{ "words", P_WORDS, ON_PASSPHRASE, 0 },
	{ "separator", P_SEPARATOR, ON_PASSPHRASE, 0 },
	{ "capitalize", P_CAPITALIZE, ON_PASSPHRASE, 0 },
	{ "number", P_NUMBER, ON_PASSPHRASE, 0 },
	{ "max_length", P_MAX_LENGTH, ON_PASSPHRASE, 0 },
	{ "bytes", P_BYTES, ON_TOKEN, 0 },
	{ "encoding", P_ENCODING, ON_TOKEN, 0 },
};

/* Word-valued parameters: the names in the order of their enum values. */
static const char *const preset_names[] = {   /* from PRESET_ALNUM on */
	"alnum", "hex", "base32", "url", "shell", "env",
};
static const char *const format_names[] = { "json", "text", "ndjson" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Is s[0, n) exactly the NUL-terminated `want`? */
static bool equals(const char *want, const char *s, size_t n)
{
	return strlen(want) == n && memcmp(want, s, n) == 0;
}

/* The index of s[0, n) in names[0, count), or -1. */
static int name_index(const char *const *names, size_t count, const char *s,
		      size_t n)
{
	for (size_t i = 0; i < count; i++) {
		if (equals(names[i], s, n))
			return (int)i;
	}
	return -1;
}

/* A path that names a route exactly. */
struct exact_route {
	const char *path;
	enum route route;
};

static const struct exact_route routes[] = {
	{ "/password", ROUTE_PASSWORD },
	{ "/pin", ROUTE_PIN },
	{ "/passphrase", ROUTE_PASSPHRASE },
	{ "/token", ROUTE_TOKEN },
	{ "/healthz", ROUTE_HEALTHZ },
	{ "/v1/pin", ROUTE_V1_PIN },
	{ "/v1/", ROUTE_V1_PASSWORD },
	{ "/v1", ROUTE_V1_PASSWORD },  /* the original redirected (307) */
	{ "/v1/health", ROUTE_V1_HEALTH },
	{ "/v1/complex_password", ROUTE_V1_COMPLEX },  /* POST, see complex.h */
};

/* GET /password/explain, ...: the same query as the route, less format,
 * described instead of generated (always JSON; see gen_request.explain).
 * Looked up before path_routes, so /pin/explain is not a blog-era PIN. */
static const struct exact_route explain_routes[] = {
	{ "/password/explain", ROUTE_PASSWORD },
	{ "/pin/explain", ROUTE_PIN },
	{ "/passphrase/explain", ROUTE_PASSPHRASE },
	{ "/token/explain", ROUTE_TOKEN },
};

/* The blog-era routes carry the length in the path: /pin/12, /pass/16. */
static const struct {
	const char *prefix;
	enum route route;
} path_routes[] = {
	{ "/pin/", ROUTE_BLOG_PIN },
	{ "/pass/", ROUTE_BLOG_PASS },
	{ "/complex_password/", ROUTE_BLOG_COMPLEX },  /* POST, complex.h */
};

/* Longest decoded values accepted (longer is a 400, never cut): numbers and
 * words stop at 32 characters (integers top out at 20 significant digits),
 * character sets at 256. Values are decoded to the end anyway, so that an
 * encoding error anywhere is reported as such. */
enum { VALUE_CAP = 256, WORD_CAP = 32, NAME_CAP = 64, PATH_CAP = 64 };

struct parser {
	struct request *req;
	struct request_error *err;
	size_t max_quantity;
	unsigned seen;                 /* bit per enum param_id */
	struct password_options pw;    /* /password options, checked at the end */
	bool compat_punctuation;       /* has_punctuation / ponctuation */
	bool words_given;              /* /passphrase: words= present */
	const char *path_length;       /* /pin/{length}: the digits, raw */
	size_t path_length_len;
	char symbol_set[VALUE_CAP];    /* storage for pw's strings */
	char exclude[VALUE_CAP];
	char charset[VALUE_CAP];
};

/* ---------------------------------------------------------------- errors */

/* Render bytes as printable ASCII: \xNN for anything else, "..." if cut. */
static void printable(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		int w = c > 0x20 && c < 0x7f ? 1 : 4;

		if (o + (size_t)w + 4 > cap) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (w == 1)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02X", c);
	}
	dst[o] = '\0';
}

int request_fail(struct request_error *err, int status, const char *type,
		 const char *title, const char *param, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->type = type;
	err->title = title;
	snprintf(err->parameter, sizeof(err->parameter), "%s",
		 param != NULL ? param : "");
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

double request_expected_work(const struct gen_request *g)
{
	double acceptance = g->acceptance > 0 ? g->acceptance : 1;

	return (double)g->quantity * (double)g->length / acceptance;
}

int request_check_work(const struct gen_request *g, size_t max_work,
		       struct request_error *err)
{
	double work = request_expected_work(g);

	if (g->explain || work <= (double)max_work)
		return 0;
	return request_fail(err, 400, PROBLEM_TOO_MUCH_WORK, "Too much work",
			    "quantity", "this request would draw about %.3g "
			    "characters (quantity x length / acceptance %.3g), "
			    "over the server's limit of %zu: ask for fewer or "
			    "shorter items, or relax the minimums",
			    work, g->acceptance > 0 ? g->acceptance : 1,
			    max_work);
}

static int fail_invalid(struct parser *p, const char *param, const char *what)
{
	return request_fail(p->err, 400, PROBLEM_INVALID_VALUE,
			    "Invalid parameter value", param, "%s must be %s",
			    param, what);
}

static int fail_range(struct parser *p, const char *param, size_t lo, size_t hi)
{
	return request_fail(p->err, 400, PROBLEM_OUT_OF_RANGE,
			    "Parameter out of range", param,
			    "%s must be an integer from %zu to %zu", param, lo,
			    hi);
}

/* -------------------------------------------------------------- decoding */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode src[0, n) into dst[0, cap). Returns the full decoded length
 * (only the first `cap` bytes are stored), or -1 on a malformed escape.
 * *nul is set when a byte decodes to NUL.
 */
static long decode(const char *src, size_t n, char *dst, size_t cap,
		   bool plus_is_space, bool *nul)
{
	size_t o = 0;

	*nul = false;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -1;
			hi = hex_value(src[i + 1]);
			lo = hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			*nul = true;
		if (o < cap)
			dst[o] = c;
		o++;
	}
	return (long)o;
}

long request_decode_path(const char *src, size_t n, char *dst, size_t cap)
{
	bool nul;
	long len = decode(src, n, dst, cap, false, &nul);

	return len < 0 || nul || (size_t)len > cap ? -1 : len;
}

/* ---------------------------------------------------------------- values */

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

static int set_uint(struct parser *p, const char *name, const char *s,
		    size_t n, size_t lo, size_t hi, size_t *out)
{
	size_t v = 0;
	int rc = parse_uint(s, n, &v);

	if (rc == -1)
		return fail_invalid(p, name, "a decimal integer");
	if (rc == -2 || v < lo || v > hi)
		return fail_range(p, name, lo, hi);
	*out = v;
	return 0;
}

static int parse_bool(struct parser *p, const char *name, const char *s,
		      size_t n, bool *out)
{
	if (equals("true", s, n) || equals("1", s, n))
		*out = true;
	else if (equals("false", s, n) || equals("0", s, n))
		*out = false;
	else
		return fail_invalid(p, name, "true, false, 1 or 0");
	return 0;
}

static int set_class(struct parser *p, const struct param *prm, const char *s,
		     size_t n)
{
	bool on;

	if (parse_bool(p, prm->name, s, n, &on) < 0)
		return -1;
	p->pw.classes_given |= prm->class_bit;
	if (on) {
		p->pw.classes |= prm->class_bit;
	} else {
		p->pw.classes &= ~prm->class_bit;
		p->pw.last_class_off = prm->name;
	}
	return 0;
}

/* Keep a string value for the policy (the decoded bytes die with the pair). */
static const char *keep(char *store, const char *s, size_t n)
{
	memcpy(store, s, n);
	return store;
}

static int set_preset(struct parser *p, const char *s, size_t n)
{
	int i = name_index(preset_names, COUNT(preset_names), s, n);

	if (i < 0)
		return fail_invalid(p, "preset",
				    "one of alnum, hex, base32, url, shell, "
				    "env");
	p->pw.preset = (enum policy_preset)(PRESET_ALNUM + i);
	return 0;
}

static int set_first(struct parser *p, const char *s, size_t n)
{
	if (equals("letter", s, n) || equals("any", s, n)) {
		p->pw.first_letter = equals("letter", s, n);
		return 0;
	}
	return fail_invalid(p, "first", "letter or any");
}

static int set_length(struct parser *p, const char *s, size_t n)
{
	bool pin = p->req->route == ROUTE_PIN;

	p->pw.length_given = true;
	return set_uint(p, "length", s, n,
			pin ? PIN_LENGTH_MIN : PASSWORD_LENGTH_MIN,
			pin ? PIN_LENGTH_MAX : PASSWORD_LENGTH_MAX,
			&p->pw.length);
}

/* The string-valued /password options. */
static int set_chars(struct parser *p, const struct param *prm, const char *s,
		     size_t n)
{
	switch (prm->id) {
	case P_SYMBOL_SET:
		p->pw.symbol_set = keep(p->symbol_set, s, n);
		p->pw.n_symbol_set = n;
		return 0;
	case P_EXCLUDE:
		p->pw.exclude = keep(p->exclude, s, n);
		p->pw.n_exclude = n;
		return 0;
	case P_CHARSET:
		p->pw.charset = keep(p->charset, s, n);
		p->pw.n_charset = n;
		return 0;
	default:
		return set_preset(p, s, n);
	}
}

/* separator: up to 8 printable ASCII characters; empty joins the words. */
static int set_separator(struct parser *p, const char *s, size_t n)
{
	struct passphrase_opts *o = &p->req->gen.passphrase;

	if (n > PASSPHRASE_MAX_SEPARATOR)
		return fail_invalid(p, "separator",
				    "at most 8 characters long");
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return fail_invalid(p, "separator",
					    "printable ASCII");
	}
	memcpy(o->separator, s, n);
	o->separator[n] = '\0';
	o->separator_len = n;
	return 0;
}

static int set_capitalize(struct parser *p, const char *s, size_t n)
{
	struct passphrase_opts *o = &p->req->gen.passphrase;

	if (passphrase_case_parse(s, n, &o->capitalize) == 0)
		return 0;
	return fail_invalid(p, "capitalize", "first, all or none");
}

static int set_format(struct parser *p, const char *s, size_t n)
{
	int i = name_index(format_names, COUNT(format_names), s, n);

	if (i < 0)
		return fail_invalid(p, "format", "json, text or ndjson");
	p->req->gen.format = (enum reply_format)i;
	p->req->gen.format_given = true;
	return 0;
}

/* The original service's booleans, as pydantic read them: true/false,
 * 1/0, yes/no, on/off, t/f, y/n in any case, so its clients keep working. */
static int parse_compat_bool(struct parser *p, const char *name,
			     const char *s, size_t n, bool *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
	static const char *const no[] = { "false", "0", "no", "off", "f", "n" };

	for (size_t i = 0; i < 6; i++) {
		if (strlen(yes[i]) == n && strncasecmp(yes[i], s, n) == 0) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == n && strncasecmp(no[i], s, n) == 0) {
			*out = false;
			return 0;
		}
	}
	return fail_invalid(p, name, "a boolean (true, false, 1, 0, yes, no, "
			    "on, off)");
}

static int set_compat(struct parser *p, const struct param *prm,
		      const char *s, size_t n)
{
	if (prm->id == P_PASSWORD_LENGTH) {
		p->pw.length_given = true;
		return set_uint(p, prm->name, s, n, V1_LENGTH_MIN,
				V1_LENGTH_MAX, &p->pw.length);
	}
	return parse_compat_bool(p, prm->name, s, n, &p->compat_punctuation);
}

/* The /pin, /passphrase and /token options. */
static int set_other(struct parser *p, const struct param *prm, const char *s,
		     size_t n)
{
	struct gen_request *g = &p->req->gen;

	switch (prm->id) {
	case P_EXCLUDE_WEAK:
		return parse_bool(p, prm->name, s, n, &g->exclude_weak);
	case P_UNIQUE:
		return parse_bool(p, prm->name, s, n, &g->unique);
	case P_WORDS:
		p->words_given = true;
		return set_uint(p, prm->name, s, n, PASSPHRASE_MIN_WORDS,
				PASSPHRASE_MAX_WORDS, &g->passphrase.words);
	case P_CAPITALIZE:
		return set_capitalize(p, s, n);
	case P_NUMBER:
		return parse_bool(p, prm->name, s, n, &g->passphrase.number);
	case P_MAX_LENGTH:
		return set_uint(p, prm->name, s, n, 1, PASSPHRASE_MAX_ITEM_LEN,
				&g->passphrase.max_length);
	case P_BYTES:
		return set_uint(p, prm->name, s, n, TOKEN_MIN_BYTES,
				TOKEN_MAX_BYTES, &g->token_bytes);
	case P_ENCODING:
		if (token_encoding_parse(s, n, &g->encoding) == 0)
			return 0;
		return fail_invalid(p, prm->name, "hex, base64url or base32");
	case P_FORMAT:
		return set_format(p, s, n);
	case P_PASSWORD_LENGTH:
	case P_HAS_PUNCTUATION:
	case P_PONCTUATION:
		return set_compat(p, prm, s, n);
	default:
		return fail_invalid(p, prm->name, "known");
	}
}

static int set_param(struct parser *p, const struct param *prm, const char *s,
		     size_t n)
{
	struct gen_request *g = &p->req->gen;

	if (n > WORD_CAP && prm->id != P_SYMBOL_SET &&
	    prm->id != P_EXCLUDE && prm->id != P_CHARSET)
		return request_fail(p->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", prm->name,
				    "%s is longer than %d characters",
				    prm->name, WORD_CAP);
	switch (prm->id) {
	case P_QUANTITY:
		return set_uint(p, prm->name, s, n, 1,
				p->req->route >= ROUTE_V1_PIN
					? COMPAT_QUANTITY_MAX
					: p->max_quantity,
				&g->quantity);
	case P_LENGTH:
		return set_length(p, s, n);
	case P_LOWER:
	case P_UPPER:
	case P_DIGITS:
	case P_SYMBOLS:
		return set_class(p, prm, s, n);
	case P_EXCLUDE_AMBIGUOUS:
		return parse_bool(p, prm->name, s, n, &p->pw.exclude_ambiguous);
	case P_MIN_LOWER:
	case P_MIN_UPPER:
	case P_MIN_DIGITS:
	case P_MIN_SYMBOLS:
		if (set_uint(p, prm->name, s, n, 0, PASSWORD_MIN_COUNT_MAX,
			     &p->pw.min[prm->class_bit]) < 0)
			return -1;
		if (p->pw.min[prm->class_bit] > 0)  /* the one to blame */
			p->pw.last_min = prm->name;
		return 0;
	case P_FIRST:
		return set_first(p, s, n);
	case P_MIN_ENTROPY:
		return set_uint(p, prm->name, s, n, 1, MIN_ENTROPY_MAX,
				&p->pw.min_entropy);
	case P_SYMBOL_SET:
	case P_EXCLUDE:
	case P_CHARSET:
	case P_PRESET:
		return set_chars(p, prm, s, n);
	case P_SEPARATOR:
		return set_separator(p, s, n);
	default:
		return set_other(p, prm, s, n);
	}
}

/* ----------------------------------------------------------------- query */

static const struct param *find_param(enum route route, const char *name,
				      size_t n)
{
	for (size_t i = 0; i < COUNT(params); i++) {
		if ((params[i].routes & (1u << route)) &&
		    equals(params[i].name, name, n))
			return &params[i];
	}
	return NULL;
}

/* One name[=value] pair, raw (still percent-encoded). */
static int parse_pair(struct parser *p, const char *pair, size_t n)
{
	const char *eq = memchr(pair, '=', n);
	size_t raw_name = eq != NULL ? (size_t)(eq - pair) : n;
	char name[NAME_CAP], value[VALUE_CAP], shown[sizeof(p->err->parameter)];
	long name_len, value_len = 0;
	const struct param *prm;
	bool nul;

	name_len = decode(pair, raw_name, name, sizeof(name), true, &nul);
	if (name_len < 0) {
		printable(shown, sizeof(shown), pair, raw_name);
		return request_fail(p->err, 400, PROBLEM_INVALID_VALUE,
				    "Malformed percent-encoding", shown,
				    "parameter name %s has a malformed "
				    "%%-escape", shown);
	}
	if ((size_t)name_len <= sizeof(name))
		printable(shown, sizeof(shown), name, (size_t)name_len);
	else  /* too long to have been decoded whole: show it raw, cut */
		printable(shown, sizeof(shown), pair, raw_name);
	if (name_len == 0)
		return request_fail(p->err, 400, PROBLEM_UNKNOWN_PARAMETER,
				    "Unknown parameter", NULL,
				    "a parameter has an empty name");
	prm = nul || (size_t)name_len > sizeof(name)
		      ? NULL
		      : find_param(p->req->route, name, (size_t)name_len);
	if (prm != NULL && prm->id == P_FORMAT && p->req->gen.explain)
		prm = NULL;  /* an explain route answers JSON only */
	if (prm == NULL)
		return request_fail(p->err, 400, PROBLEM_UNKNOWN_PARAMETER,
				    "Unknown parameter", shown,
				    "%s is not a parameter of this route",
				    shown);
	if (p->seen & (1u << prm->id))
		return request_fail(p->err, 400, PROBLEM_DUPLICATE_PARAMETER,
				    "Duplicate parameter", prm->name,
				    "%s is given more than once", prm->name);
	p->seen |= 1u << prm->id;
	if (eq != NULL)
		value_len = decode(eq + 1, n - raw_name - 1, value,
				   sizeof(value), true, &nul);
	if (value_len < 0)
		return request_fail(p->err, 400, PROBLEM_INVALID_VALUE,
				    "Malformed percent-encoding", prm->name,
				    "%s has a malformed %%-escape", prm->name);
	if (value_len == 0 && !(prm->id == P_SEPARATOR && eq != NULL))
		return fail_invalid(p, prm->name, "given a value");
	if (nul)
		return fail_invalid(p, prm->name, "free of NUL bytes");
	if ((size_t)value_len > sizeof(value))
		return request_fail(p->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", prm->name,
				    "%s is longer than %zu characters",
				    prm->name, sizeof(value));
	return set_param(p, prm, value, (size_t)value_len);
}

static int parse_query(struct parser *p, const char *q, size_t n)
{
	while (n > 0) {
		const char *amp = memchr(q, '&', n);
		size_t len = amp != NULL ? (size_t)(amp - q) : n;

		if (len > 0 && parse_pair(p, q, len) < 0)
			return -1;
		if (amp == NULL)
			break;
		q += len + 1;
		n -= len + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ path */

/* The entry of table[0, n) whose path is exactly s[0, len), or NULL. */
static const struct exact_route *find_exact(const struct exact_route *table,
					     size_t n, const char *s,
					     size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (equals(table[i].path, s, len))
			return &table[i];
	}
	return NULL;
}

/* *explain (when not NULL) is set for an explain route, left alone else. */
static int route_path(const char *path, size_t n, enum route *route,
		      bool *explain, struct request_error *err)
{
	char decoded[PATH_CAP], shown[64];
	bool nul;
	long len = decode(path, n, decoded, sizeof(decoded), false, &nul);

	if (len < 0)
		return request_fail(err, 400, PROBLEM_MALFORMED_TARGET,
				    "Malformed request target", NULL,
				    "the path has a malformed %%-escape");
	if (!nul && (size_t)len <= sizeof(decoded)) {
		const struct exact_route *r =
			find_exact(routes, COUNT(routes), decoded, (size_t)len);

		if (r == NULL) {
			r = find_exact(explain_routes, COUNT(explain_routes),
				       decoded, (size_t)len);
			if (r != NULL && explain != NULL)
				*explain = true;
		}
		if (r != NULL) {
			*route = r->route;
			return 0;
		}
	}
	for (size_t i = 0; !nul && (size_t)len <= sizeof(decoded) &&
			   i < COUNT(path_routes);
	     i++) {
		size_t plen = strlen(path_routes[i].prefix);

		if ((size_t)len > plen &&
		    memcmp(path_routes[i].prefix, decoded, plen) == 0) {
			*route = path_routes[i].route;
			return 0;  /* the length is checked with the query */
		}
	}
	printable(shown, sizeof(shown), path, n);
	return request_fail(err, 404, PROBLEM_NOT_FOUND, "Not Found", NULL,
			    "no route for %s", shown);
}

void request_skip_absolute_form(const char **target, size_t *n)
{
	static const char *const schemes[] = { "http://", "https://" };

	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(schemes[i]);
		const char *path;

		if (*n < len || strncasecmp(*target, schemes[i], len) != 0)
			continue;
		path = memchr(*target + len, '/', *n - len);
		if (path == NULL)  /* "http://host" or "http://host?q" */
			path = *target + *n;
		*n -= (size_t)(path - *target);
		*target = path;
		return;
	}
}

/* ------------------------------------------------------------ policies */

static const char *const fault_types[] = {
	[POLICY_FAULT_CONFLICT] = PROBLEM_CONFLICTING_PARAMETERS,
	[POLICY_FAULT_INVALID] = PROBLEM_INVALID_VALUE,
	[POLICY_FAULT_EMPTY] = PROBLEM_EMPTY_ALPHABET,
	[POLICY_FAULT_UNSATISFIABLE] = PROBLEM_UNSATISFIABLE,
	[POLICY_FAULT_UNREACHABLE] = PROBLEM_OUT_OF_RANGE,
};

static const char *const fault_titles[] = {
	[POLICY_FAULT_CONFLICT] = "Conflicting parameters",
	[POLICY_FAULT_INVALID] = "Invalid parameter value",
	[POLICY_FAULT_EMPTY] = "No character left",
	[POLICY_FAULT_UNSATISFIABLE] = "Constraints cannot be met",
	[POLICY_FAULT_UNREACHABLE] = "Parameter out of range",
};

/* Turn the collected options into the request's policy and entropy. */
static int settle_policy(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	struct policy_fault f;
	struct policy_measure m;

	if (p->req->route == ROUTE_PIN) {
		p->pw = (struct password_options){
			.classes = GEN_CLASS_DIGITS,
			.length = p->pw.length };
	}
	if (policy_build(&p->pw, &g->policy, &m, &f) < 0)
		return request_fail(p->err, 400, fault_types[f.kind],
				    fault_titles[f.kind], f.parameter, "%s",
				    f.detail);
	g->length = g->policy.length;
	g->classes = p->pw.classes;
	g->classes_only = p->pw.charset == NULL && p->pw.symbol_set == NULL &&
			  p->pw.preset == PRESET_NONE &&
			  p->pw.exclude == NULL && !p->pw.exclude_ambiguous;
	g->entropy_bits = m.entropy_bits;
	g->acceptance = m.acceptance;
	return 0;
}

/* /pin: the policy is digits; exclude_weak and unique shrink the set. */
static int settle_pin(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	long double allowed;

	if (settle_policy(p) < 0)
		return -1;
	if (pin_allowed_count(g->length, g->exclude_weak, &allowed) < 0)
		return fail_invalid(p, "length", "a supported PIN length");
	g->entropy_bits = (double)log2l(allowed);
	g->acceptance = (double)(allowed / powl(10.0L, (long double)g->length));
	if (g->unique && (long double)g->quantity > allowed)
		return request_fail(p->err, 400, PROBLEM_UNSATISFIABLE,
				    "Constraints cannot be met", "quantity",
				    "unique=true: only %.0Lf distinct PINs of "
				    "length %zu exist", allowed, g->length);
	return 0;
}

/* Enough passphrases fit max_length, and (with min_entropy) enough bits. */
static bool passphrase_ok(const struct passphrase_opts *o, size_t bits,
			  long double *outputs, long double *acceptance)
{
	return passphrase_count(o, outputs, acceptance) == 0 &&
	       (double)*acceptance >= POLICY_MIN_ACCEPTANCE &&
	       (double)log2l(*outputs) >= (double)bits;
}

/* min_entropy on /passphrase: the fewest words that reach it (more words
 * only add bits; with max_length they can also stop fitting, so every word
 * count is tried in turn, at most 20). */
static int passphrase_words_for_entropy(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	long double outputs, acceptance;

	if (p->words_given)
		return request_fail(p->err, 400, PROBLEM_CONFLICTING_PARAMETERS,
				    "Conflicting parameters", "min_entropy",
				    "min_entropy chooses the number of words; "
				    "do not give words as well");
	for (size_t w = PASSPHRASE_MIN_WORDS; w <= PASSPHRASE_MAX_WORDS; w++) {
		g->passphrase.words = w;
		if (passphrase_ok(&g->passphrase, p->pw.min_entropy, &outputs,
				  &acceptance))
			return 0;
	}
	return request_fail(p->err, 400, PROBLEM_OUT_OF_RANGE,
			    "Parameter out of range", "min_entropy",
			    "%zu bits are out of reach within %d words "
			    "with these options", p->pw.min_entropy,
			    PASSPHRASE_MAX_WORDS);
}

static int settle_passphrase(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	long double outputs, acceptance;

	if (p->pw.min_entropy > 0 && passphrase_words_for_entropy(p) < 0)
		return -1;
	if (passphrase_count(&g->passphrase, &outputs, &acceptance) < 0 ||
	    (double)acceptance < POLICY_MIN_ACCEPTANCE)
		return request_fail(p->err, 400, PROBLEM_UNSATISFIABLE,
				    "Constraints cannot be met", "max_length",
				    "too few passphrases of %zu words fit in "
				    "%zu characters (at least 1 candidate in "
				    "1000 must)",
				    g->passphrase.words,
				    g->passphrase.max_length);
	g->entropy_bits = (double)log2l(outputs);
	g->acceptance = (double)acceptance;
	g->length = passphrase_max_item_len(&g->passphrase);
	return 0;
}

static int settle_token(struct parser *p)
{
	struct gen_request *g = &p->req->gen;

	g->entropy_bits = token_entropy_bits(g->token_bytes);
	g->acceptance = 1;
	g->length = token_encoded_len(g->token_bytes, g->encoding);
	return 0;
}

static void set_defaults(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	static const enum gen_kind kinds[] = {
		[ROUTE_PASSWORD] = GEN_KIND_PASSWORD,
		[ROUTE_PIN] = GEN_KIND_PIN,
		[ROUTE_PASSPHRASE] = GEN_KIND_PASSPHRASE,
		[ROUTE_TOKEN] = GEN_KIND_TOKEN,
		[ROUTE_HEALTHZ] = GEN_KIND_PASSWORD,
		[ROUTE_V1_PIN] = GEN_KIND_PIN,
		[ROUTE_V1_PASSWORD] = GEN_KIND_PASSWORD,
		[ROUTE_V1_HEALTH] = GEN_KIND_PASSWORD,
		[ROUTE_BLOG_PIN] = GEN_KIND_PIN,
		[ROUTE_BLOG_PASS] = GEN_KIND_PASSWORD,
		[ROUTE_V1_COMPLEX] = GEN_KIND_PASSWORD,
		[ROUTE_BLOG_COMPLEX] = GEN_KIND_PASSWORD,
	};

	g->quantity = QUANTITY_DEFAULT;
	g->kind = kinds[p->req->route];
	p->pw.classes = GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS;
	p->pw.length = p->req->route == ROUTE_PIN ? PIN_LENGTH_DEFAULT
						  : PASSWORD_LENGTH_DEFAULT;
	if (p->req->route == ROUTE_V1_PIN ||
	    p->req->route == ROUTE_V1_PASSWORD)
		p->pw.length = V1_LENGTH_DEFAULT;
	/* /v1/ punctuation defaults on, the blog's ponctuation off */
	p->compat_punctuation = p->req->route == ROUTE_V1_PASSWORD;
	passphrase_opts_default(&g->passphrase);
	g->token_bytes = TOKEN_DEFAULT_BYTES;
	g->encoding = TOKEN_HEX;
}

/* ------------------------------------------- the original service's API */

/*
 * /v1/pin, /v1/, /pin/{n}, /pass/{n}: the original's parameters and limits,
 * answered by pwgend's generators with its bugs fixed: exact lengths, no
 * hang, CSPRNG everywhere, uniform output. Passwords keep the guarantees
 * the original meant: a lower-case letter, an upper-case letter and a digit,
 * and a symbol with punctuation on (one of the two letters is dropped where
 * the length cannot hold them all; a 1- or 2-character password only draws
 * from the alphabet).
 */
static int settle_compat_password(struct parser *p, bool punctuation)
{
	struct password_options *o = &p->pw;
	size_t wanted = punctuation ? 4 : 3;

	o->classes = GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS |
		     (punctuation ? GEN_CLASS_SYMBOLS : 0);
	o->classes_given = 0;
	if (o->length >= 3) {
		o->min[CLASS_LOWER] = 1;
		o->min[CLASS_UPPER] = o->length >= wanted;  /* 3 + symbol */
		o->min[CLASS_DIGIT] = 1;
		o->min[CLASS_SYMBOL] = punctuation;
	}
	return settle_policy(p);
}

/* /pin/{length} and /pass/{length}: the digits after the prefix. */
static int path_length(struct parser *p)
{
	/* sic, theirs: the names their 422s used */
	const char *name = p->req->route == ROUTE_BLOG_COMPLEX
				   ? "adicional_lenght"
				   : "password_lenght";
	const char *slash = memchr(p->path_length + 1, '/',
				   p->path_length_len - 1);
	size_t start = slash != NULL ? (size_t)(slash - p->path_length) + 1
				     : p->path_length_len;

	char digits[WORD_CAP];
	bool nul;
	long len = decode(p->path_length + start, p->path_length_len - start,
			  digits, sizeof(digits), false, &nul);

	p->pw.length_given = true;
	if (len < 0 || nul || (size_t)len > sizeof(digits))
		return fail_invalid(p, name, "a decimal integer");
	return set_uint(p, name, digits, (size_t)len, BLOG_LENGTH_MIN,
			BLOG_LENGTH_MAX, &p->pw.length);
}

static int settle_compat(struct parser *p)
{
	struct gen_request *g = &p->req->gen;
	enum route route = p->req->route;

	g->shape = route == ROUTE_BLOG_PIN || route == ROUTE_BLOG_PASS ||
				   route == ROUTE_BLOG_COMPLEX
			   ? SHAPE_BLOG
			   : SHAPE_DATA;
	g->format_given = true;  /* their shape, whatever Accept says */
	if (g->shape == SHAPE_BLOG) {
		if (!(p->seen & (1u << P_QUANTITY)))
			return fail_invalid(p, "quantity", "given (it is "
					    "required on this route)");
		if (path_length(p) < 0)
			return -1;
	}
	if (route == ROUTE_BLOG_COMPLEX) {  /* the body comes later */
		p->req->blog_length = p->pw.length;
		p->req->blog_punctuation = p->compat_punctuation;
		return 0;
	}
	if (route == ROUTE_V1_PIN || route == ROUTE_BLOG_PIN) {
		g->kind = GEN_KIND_PIN;
		p->pw = (struct password_options){ .classes = GEN_CLASS_DIGITS,
						   .length = p->pw.length };
		return settle_policy(p);
	}
	return settle_compat_password(p, p->compat_punctuation);
}

int request_settle_complex(struct request *req, size_t additional_length,
			   bool punctuation, size_t quantity,
			   struct request_error *err)
{
	struct parser *p = &(struct parser){ .req = req, .err = err };
	struct gen_request *g = &req->gen;

	memset(err, 0, sizeof(*err));
	err->stage = REQUEST_STAGE_QUERY;
	g->kind = GEN_KIND_PASSWORD;
	g->quantity = quantity;
	g->shape = req->route == ROUTE_BLOG_COMPLEX ? SHAPE_BLOG : SHAPE_DATA;
	g->format = FORMAT_JSON;
	g->format_given = true;
	p->pw.length = additional_length;
	return settle_compat_password(p, punctuation);
}

bool request_takes_body(const char *target, size_t n)
{
	struct request_error err;
	enum route route;
	const char *qmark;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	if (qmark != NULL)
		n = (size_t)(qmark - target);
	return route_path(target, n, &route, NULL, &err) == 0 &&
	       route_takes_body(route);
}

/* Printable ASCII without spaces: what a Location may carry verbatim. */
static bool is_location_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	}
	return true;
}

bool request_slash_redirect(const char *target, size_t n, char *location,
			    size_t cap)
{
	struct request_error err;
	enum route route;
	const char *qmark;
	size_t path_len;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	if (path_len < 2 || target[path_len - 1] != '/' || n >= cap ||
	    !is_location_safe(target, n))
		return false;
	/* an exact route ("/v1/") is served as it is */
	for (size_t i = 0; i < COUNT(routes); i++) {
		if (strlen(routes[i].path) == path_len &&
		    memcmp(routes[i].path, target, path_len) == 0)
			return false;
	}
	if (route_path(target, path_len - 1, &route, NULL, &err) < 0 ||
	    route < ROUTE_V1_PIN)
		return false;  /* not one of the original's */
	memcpy(location, target, path_len - 1);
	memcpy(location + path_len - 1, target + path_len, n - path_len);
	location[n - 1] = '\0';
	return true;
}

const char *gen_kind_name(enum gen_kind kind)
{
	static const char *const names[GEN_KIND_COUNT] = {
		[GEN_KIND_PASSWORD] = "password",
		[GEN_KIND_PIN] = "pin",
		[GEN_KIND_PASSPHRASE] = "passphrase",
		[GEN_KIND_TOKEN] = "token",
	};

	return (unsigned)kind < GEN_KIND_COUNT ? names[kind] : "unknown";
}

int request_parse(const char *target, size_t n, size_t max_quantity,
		  struct request *req, struct request_error *err)
{
	const char *qmark;
	size_t path_len;
	struct parser *p = &(struct parser){ .req = req, .err = err,
					     .max_quantity = max_quantity };

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	memset(req, 0, sizeof(*req));
	memset(err, 0, sizeof(*err));
	if (route_path(target, path_len, &req->route, &req->gen.explain,
		       err) < 0)
		return -1;
	p->path_length = target;
	p->path_length_len = path_len;
	set_defaults(p);
	err->stage = REQUEST_STAGE_QUERY;
	if (qmark != NULL && parse_query(p, qmark + 1, n - path_len - 1) < 0)
		return -1;
	switch (req->route) {
	case ROUTE_HEALTHZ:
		return 0;
	case ROUTE_PIN:
		return settle_pin(p);
	case ROUTE_PASSPHRASE:
		return settle_passphrase(p);
	case ROUTE_TOKEN:
		return settle_token(p);
	case ROUTE_PASSWORD:
		break;
	case ROUTE_V1_HEALTH:
	case ROUTE_V1_COMPLEX:  /* the body is read later, see http.c */
		return 0;
	case ROUTE_BLOG_COMPLEX:  /* the path and query now, the body later */
		return settle_compat(p);
	default:
		return settle_compat(p);
	}
	if (req->route == ROUTE_PASSWORD && p->pw.classes == 0 &&
	    p->pw.symbol_set == NULL && p->pw.charset == NULL &&
	    p->pw.preset == PRESET_NONE)
		return request_fail(err, 400, PROBLEM_EMPTY_ALPHABET,
				    "No character class enabled",
				    p->pw.last_class_off,
				    "%s=false leaves no character class; "
				    "enable at least one of lower, upper, "
				    "digits, symbols",
				    p->pw.last_class_off);
	return settle_policy(p);
}
