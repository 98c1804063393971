/* policy.c - see policy.h for the counting method. */
#include "policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"

enum char_class policy_class_of(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return CLASS_LOWER;
	if (c >= 'A' && c <= 'Z')
		return CLASS_UPPER;
	if (c >= '0' && c <= '9')
		return CLASS_DIGIT;
	return CLASS_SYMBOL;
}

bool policy_is_constrained(const struct password_policy *p)
{
	for (int i = 0; i < CLASS_COUNT; i++) {
		if (p->min[i] > 0)
			return true;
	}
	return p->first_letter;
}

static void class_sizes(const struct password_policy *p,
			size_t size[CLASS_COUNT])
{
	memset(size, 0, CLASS_COUNT * sizeof(size[0]));
	for (size_t i = 0; i < p->alphabet_len; i++)
		size[policy_class_of((unsigned char)p->alphabet[i])]++;
}

/*
 * Strings of length L over K characters in which every class i in `subset`
 * has fewer than min[i] characters (the other characters are free).
 */
static long double count_below(size_t L, size_t K,
			       const size_t size[CLASS_COUNT],
			       const size_t min[CLASS_COUNT], unsigned subset)
{
	/* P_S, degree <= L <= 1024; only [0, degree] is ever read, so only
	 * that much is initialised (zeroing all of it cost a quarter of a
	 * small request's time) */
	long double poly[1025];
	size_t degree = 0, rest = K;
	long double total = 0, falling = 1;

	poly[0] = 1;
	for (int i = 0; i < CLASS_COUNT; i++) {
		long double term[1025], next[1025];
		size_t m = min[i], grown;

		if (!(subset & (1u << i)))
			continue;
		rest -= size[i];
		term[0] = 1;  /* s^n / n!, for n < m */
		for (size_t n = 1; n < m && n <= L; n++)
			term[n] = term[n - 1] * (long double)size[i] / n;
		grown = degree + m - 1 < L ? degree + m - 1 : L;
		for (size_t k = 0; k <= grown; k++)
			next[k] = 0;
		for (size_t a = 0; a <= degree; a++) {
			for (size_t b = 0; b < m && a + b <= L; b++)
				next[a + b] += poly[a] * term[b];
		}
		degree = grown;
		memcpy(poly, next, (degree + 1) * sizeof(poly[0]));
	}
	/* sum_j P[j] * L!/(L-j)! * rest^(L-j) */
	for (size_t j = 0; j <= degree; j++) {
		total += poly[j] * falling * powl((long double)rest,
						  (long double)(L - j));
		falling *= (long double)(L - j);
	}
	return total;
}

/* Valid strings of length L with these minimums (first_letter ignored). */
static long double count_min(size_t L, size_t K,
			     const size_t size[CLASS_COUNT],
			     const size_t min[CLASS_COUNT])
{
	unsigned constrained = 0;
	long double total = 0;

	for (int i = 0; i < CLASS_COUNT; i++) {
		if (min[i] > L)
			return 0;
		if (min[i] > 0)
			constrained |= 1u << i;
	}
	/* inclusion-exclusion over the subsets of the constrained classes */
	for (unsigned s = 0; s < 16; s++) {
		int bits = __builtin_popcount(s);

		if ((s & ~constrained) != 0)
			continue;
		total += (bits % 2 ? -1.0L : 1.0L) *
			 count_below(L, K, size, min, s);
	}
	return total > 0 ? total : 0;
}

/* base^n by squaring: exact for the powers of two, within a few ulps
 * otherwise, and an order of magnitude cheaper than powl, which showed at
 * 2% of a quantity=1 request. */
static long double pow_n(long double base, size_t n)
{
	long double result = 1;

	for (; n > 0; n >>= 1) {
		if (n & 1)
			result *= base;
		base *= base;
	}
	return result;
}

long double policy_count(const struct password_policy *p)
{
	size_t size[CLASS_COUNT], min[CLASS_COUNT];
	long double total = 0;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024)
		return 0;
	if (!policy_is_constrained(p))  /* the common case: K^L */
		return pow_n((long double)p->alphabet_len, p->length);
	class_sizes(p, size);
	if (!p->first_letter)
		return count_min(p->length, p->alphabet_len, size, p->min);
	/* the first character is a letter of class c; the rest is free but
	 * owes one fewer c */
	for (int c = CLASS_LOWER; c <= CLASS_UPPER; c++) {
		if (size[c] == 0)
			continue;
		memcpy(min, p->min, sizeof(min));
		if (min[c] > 0)
			min[c]--;
		total += (long double)size[c] *
			 count_min(p->length - 1, p->alphabet_len, size, min);
	}
	return total;
}

void policy_measure(const struct password_policy *p, struct policy_measure *m)
{
	bool valid = p->alphabet_len > 0 && p->length > 0 &&
		     p->length <= 1024;

	m->count = policy_count(p);
	if (valid && !policy_is_constrained(p)) {  /* exactly L log2 K */
		m->entropy_bits = (double)p->length *
				  log2((double)p->alphabet_len);
		m->acceptance = 1;
		return;
	}
	m->entropy_bits = m->count >= 1 ? (double)log2l(m->count) : -1;
	m->acceptance = valid ? (double)(m->count /
					 pow_n((long double)p->alphabet_len,
					       p->length))
			      : 0;
}

double policy_entropy_bits(const struct password_policy *p)
{
	struct policy_measure m;

	policy_measure(p, &m);
	return m.entropy_bits;
}

double policy_acceptance(const struct password_policy *p)
{
	struct policy_measure m;

	policy_measure(p, &m);
	return m.acceptance;
}

bool policy_accepts(const struct password_policy *p, const char *s, size_t n)
{
	size_t have[CLASS_COUNT] = { 0 };

	if (p->first_letter &&
	    (n == 0 || policy_class_of((unsigned char)s[0]) > CLASS_UPPER))
		return false;
	for (size_t i = 0; i < n; i++)
		have[policy_class_of((unsigned char)s[i])]++;
	for (int i = 0; i < CLASS_COUNT; i++) {
		if (have[i] < p->min[i])
			return false;
	}
	return true;
}

/* ------------------------------------------------------ building a policy */

static const char *const preset_chars[] = {
	[PRESET_NONE] = "",
	[PRESET_ALNUM] = GEN_LOWER_CHARS GEN_UPPER_CHARS GEN_DIGIT_CHARS,
	[PRESET_HEX] = "0123456789abcdef",
	[PRESET_BASE32] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
	[PRESET_URL] = GEN_LOWER_CHARS GEN_UPPER_CHARS GEN_DIGIT_CHARS "-._~",
	[PRESET_SHELL] = GEN_LOWER_CHARS GEN_UPPER_CHARS GEN_DIGIT_CHARS
			 "%+,-./:=@_",
	[PRESET_ENV] = GEN_LOWER_CHARS GEN_UPPER_CHARS GEN_DIGIT_CHARS
		       "%+-./:@_",
};

__attribute__((format(printf, 4, 5)))
static int fault(struct policy_fault *f, enum policy_fault_kind kind,
		 const char *parameter, const char *fmt, ...)
{
	va_list ap;

	f->kind = kind;
	f->parameter = parameter;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Append c unless it is already there. */
static void add_char(struct password_policy *p, char c)
{
	if (memchr(p->alphabet, c, p->alphabet_len) == NULL &&
	    p->alphabet_len < sizeof(p->alphabet))
		p->alphabet[p->alphabet_len++] = c;
}

static void add_chars(struct password_policy *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_char(p, s[i]);
}

static bool all_in(const char *s, size_t n, const char *allowed)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(allowed, s[i]) == NULL)
			return false;
	}
	return true;
}

static bool all_printable(const char *s, size_t n, unsigned char lowest)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < lowest || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

/* charset, preset and the class switches (incl. symbol_set) exclude each
 * other. */
static int check_conflicts(const struct password_options *o,
			   struct policy_fault *f)
{
	bool classes = o->classes_given != 0 || o->symbol_set != NULL;

	if (o->charset != NULL && o->preset != PRESET_NONE)
		return fault(f, POLICY_FAULT_CONFLICT, "preset",
			     "charset and preset cannot be combined");
	if ((o->charset != NULL || o->preset != PRESET_NONE) && classes)
		return fault(f, POLICY_FAULT_CONFLICT,
			     o->charset != NULL ? "charset" : "preset",
			     "%s replaces lower, upper, digits, symbols and "
			     "symbol_set; do not combine them",
			     o->charset != NULL ? "charset" : "preset");
	if (o->symbol_set != NULL && (o->classes_given & GEN_CLASS_SYMBOLS) &&
	    !(o->classes & GEN_CLASS_SYMBOLS))
		return fault(f, POLICY_FAULT_CONFLICT, "symbol_set",
			     "symbol_set contradicts symbols=false");
	if (o->min_entropy > 0 && o->length_given)
		return fault(f, POLICY_FAULT_CONFLICT, "min_entropy",
			     "min_entropy chooses the length; do not give "
			     "length as well");
	return 0;
}

static int build_alphabet(const struct password_options *o,
			  struct password_policy *p, struct policy_fault *f)
{
	if (o->charset != NULL) {
		if (!all_printable(o->charset, o->n_charset, 0x21))
			return fault(f, POLICY_FAULT_INVALID, "charset",
				     "charset must be printable ASCII "
				     "without spaces");
		add_chars(p, o->charset, o->n_charset);
	} else if (o->preset != PRESET_NONE) {
		add_chars(p, preset_chars[o->preset],
			  strlen(preset_chars[o->preset]));
	} else {
		unsigned classes = o->classes |
				   (o->symbol_set ? GEN_CLASS_SYMBOLS : 0);

		if (o->symbol_set != NULL &&
		    !all_in(o->symbol_set, o->n_symbol_set, GEN_SYMBOL_CHARS))
			return fault(f, POLICY_FAULT_INVALID, "symbol_set",
				     "symbol_set may only hold ASCII "
				     "punctuation: %s", GEN_SYMBOL_CHARS);
		if (classes & GEN_CLASS_LOWER)
			add_chars(p, GEN_LOWER_CHARS, 26);
		if (classes & GEN_CLASS_UPPER)
			add_chars(p, GEN_UPPER_CHARS, 26);
		if (classes & GEN_CLASS_DIGITS)
			add_chars(p, GEN_DIGIT_CHARS, 10);
		if (o->symbol_set != NULL)
			add_chars(p, o->symbol_set, o->n_symbol_set);
		else if (classes & GEN_CLASS_SYMBOLS)
			add_chars(p, GEN_SYMBOL_CHARS, 32);
	}
	return 0;
}

static void remove_chars(struct password_policy *p, const char *s, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->alphabet_len; i++) {
		if (memchr(s, p->alphabet[i], n) == NULL)
			p->alphabet[kept++] = p->alphabet[i];
	}
	p->alphabet_len = kept;
}

static int apply_exclusions(const struct password_options *o,
			    struct password_policy *p, struct policy_fault *f)
{
	if (o->exclude != NULL) {
		if (!all_printable(o->exclude, o->n_exclude, 0x20))
			return fault(f, POLICY_FAULT_INVALID, "exclude",
				     "exclude must be printable ASCII");
		remove_chars(p, o->exclude, o->n_exclude);
	}
	if (o->exclude_ambiguous)
		remove_chars(p, POLICY_AMBIGUOUS, strlen(POLICY_AMBIGUOUS));
	if (p->alphabet_len >= 2)
		return 0;
	/* one character would make every password the same: 0 bits */
	return fault(f, POLICY_FAULT_EMPTY,
		     o->exclude != NULL ? "exclude"
		     : o->exclude_ambiguous ? "exclude_ambiguous"
		     : o->charset != NULL ? "charset"
		     : o->symbol_set != NULL ? "symbol_set"
		     : o->last_class_off,
		     "%s left to draw from (at least 2 are needed)",
		     p->alphabet_len == 0 ? "no character is"
					  : "only one character is");
}

static int check_classes(const struct password_options *o,
			 const struct password_policy *p,
			 struct policy_fault *f)
{
	static const char *const min_names[CLASS_COUNT] = {
		"min_lower", "min_upper", "min_digits", "min_symbols" };
	size_t size[CLASS_COUNT];

	class_sizes(p, size);
	for (int i = 0; i < CLASS_COUNT; i++) {
		if (o->min[i] > 0 && size[i] == 0)
			return fault(f, POLICY_FAULT_UNSATISFIABLE,
				     min_names[i], "%s needs characters of "
				     "that class in the alphabet",
				     min_names[i]);
	}
	if (o->first_letter && size[CLASS_LOWER] + size[CLASS_UPPER] == 0)
		return fault(f, POLICY_FAULT_UNSATISFIABLE, "first",
			     "first=letter needs a letter in the alphabet");
	return 0;
}

/* Is p->length long enough: `bits` reached, and minimums met often enough?
 * Both only improve with the length (appending any character to a valid
 * password keeps it valid), so a binary search over it is exact. */
static bool long_enough(const struct password_policy *p, size_t bits)
{
	struct policy_measure m;

	policy_measure(p, &m);
	return m.entropy_bits >= (double)bits &&
	       m.acceptance >= POLICY_MIN_ACCEPTANCE;
}

/* Shortest length in [lo, hi] that is long enough; 0 if none. */
static size_t length_for_entropy(struct password_policy *p, size_t bits,
				 size_t lo, size_t hi)
{
	p->length = hi;
	if (!long_enough(p, bits))
		return 0;
	while (lo < hi) {
		p->length = lo + (hi - lo) / 2;
		if (long_enough(p, bits))
			hi = p->length;
		else
			lo = p->length + 1;
	}
	return lo;
}

static int settle_length(const struct password_options *o,
			 struct password_policy *p, struct policy_fault *f)
{
	if (o->min_entropy == 0) {
		p->length = o->length;
		return 0;
	}
	p->length = length_for_entropy(p, o->min_entropy, 4, 1024);
	if (p->length > 0)
		return 0;
	return fault(f, POLICY_FAULT_UNREACHABLE, "min_entropy",
		     "%zu bits are out of reach within 1024 characters of "
		     "this alphabet and these minimums", o->min_entropy);
}

/* Measure the finished policy, and refuse one that is impossible or too
 * unlikely to meet (an unconstrained policy always has acceptance 1). */
static int measure_and_check(const struct password_options *o,
			     const struct password_policy *p,
			     struct policy_measure *m, struct policy_fault *f)
{
	const char *culprit = o->last_min != NULL ? o->last_min : "first";

	policy_measure(p, m);
	if (m->count < 1)
		return fault(f, POLICY_FAULT_UNSATISFIABLE, culprit,
			     "no password of length %zu meets the minimums",
			     p->length);
	if (m->acceptance < POLICY_MIN_ACCEPTANCE)
		return fault(f, POLICY_FAULT_UNSATISFIABLE, culprit,
			     "only %.2g of random candidates meet the "
			     "minimums (the floor is %g): lower them or make "
			     "the password longer", m->acceptance,
			     POLICY_MIN_ACCEPTANCE);
	return 0;
}

int policy_build(const struct password_options *o, struct password_policy *p,
		 struct policy_measure *m, struct policy_fault *f)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->min, o->min, sizeof(p->min));
	p->first_letter = o->first_letter;
	if (check_conflicts(o, f) < 0 || build_alphabet(o, p, f) < 0 ||
	    apply_exclusions(o, p, f) < 0 || check_classes(o, p, f) < 0 ||
	    settle_length(o, p, f) < 0 || measure_and_check(o, p, m, f) < 0)
		return -1;
	return 0;
}
