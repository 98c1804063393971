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

/* Does max_run forbid anything at this length? */
static bool run_limited(const struct password_policy *p)
{
	return p->max_run > 0 && p->max_run < p->length;
}

bool policy_is_constrained(const struct password_policy *p)
{
	for (int i = 0; i < CLASS_COUNT; i++) {
		if (p->min[i] > 0)
			return true;
	}
	return p->first_letter || run_limited(p);
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

/* ------------------------------------------- the dynamic programme (DP) */

/* The DP's groups of interchangeable characters (policy.h). */
struct dp_groups {
	size_t n;                      /* G */
	size_t size[CLASS_COUNT];      /* characters in group g */
	size_t cap[CLASS_COUNT];       /* its minimum; 0: not counted */
	size_t stride[CLASS_COUNT];    /* of its count in the index of v */
	bool first_ok[CLASS_COUNT];    /* may start the password */
	size_t counts;                 /* P = prod(cap + 1) */
	size_t run;                    /* R, at most the length */
};

/* false if no password is valid (a minimum with no character, or more
 * than the length). */
static bool dp_groups(const struct password_policy *p, struct dp_groups *d)
{
	size_t size[CLASS_COUNT], other = 0;

	memset(d, 0, sizeof(*d));
	class_sizes(p, size);
	d->counts = 1;
	for (int c = 0; c < CLASS_COUNT; c++) {
		bool letter = c == CLASS_LOWER || c == CLASS_UPPER;
		size_t g;

		if (p->min[c] == 0 && !(p->first_letter && letter)) {
			other += size[c];
			continue;
		}
		if (p->min[c] > p->length || (p->min[c] > 0 && size[c] == 0))
			return false;
		if (size[c] == 0)
			continue;
		g = d->n++;
		d->size[g] = size[c];
		d->cap[g] = p->min[c];
		d->stride[g] = d->counts;
		d->first_ok[g] = letter || !p->first_letter;
		d->counts *= p->min[c] + 1;
	}
	if (other > 0) {
		d->size[d->n] = other;
		d->first_ok[d->n] = !p->first_letter;
		d->n++;
	}
	d->run = run_limited(p) ? p->max_run : p->length;
	return true;
}

bool policy_dp_fits(const struct password_policy *p)
{
	struct dp_groups d;
	size_t states;

	if (!run_limited(p) || p->length > 1024 || !dp_groups(p, &d))
		return true;
	states = d.n * d.run * d.counts;
	return states <= POLICY_DP_STATES &&
	       p->length * states * (d.n + 1) <= (size_t)POLICY_DP_WORK;
}

/* v with one more character of group g (capped at its minimum). */
static size_t dp_bump(const struct dp_groups *d, size_t g, size_t v)
{
	if (d->cap[g] == 0 || (v / d->stride[g]) % (d->cap[g] + 1) == d->cap[g])
		return v;
	return v + d->stride[g];
}

/* cur, next and the per-(group, counts) totals; see policy.h */
static _Thread_local long double dp_buf[3][POLICY_DP_STATES];

long double policy_count_dp(const struct password_policy *p)
{
	struct dp_groups d;
	long double *cur = dp_buf[0], *next = dp_buf[1], *tot = dp_buf[2];
	long double total = 0;
	size_t G, R, P, full = 0;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024 ||
	    !dp_groups(p, &d))
		return 0;
	G = d.n;
	R = d.run;
	P = d.counts;
	if (G * R * P > POLICY_DP_STATES)
		return -1;
#define AT(g, j, v) (((g) * R + (j) - 1) * P + (v))
	memset(cur, 0, G * R * P * sizeof(cur[0]));
	for (size_t g = 0; g < G; g++) {
		if (d.first_ok[g])
			cur[AT(g, 1, dp_bump(&d, g, 0))] = (long double)d.size[g];
		full += d.cap[g] * d.stride[g];
	}
	for (size_t pos = 1; pos < p->length; pos++) {
		long double *swap;

		memset(next, 0, G * R * P * sizeof(next[0]));
		memset(tot, 0, G * P * sizeof(tot[0]));
		for (size_t g = 0; g < G; g++)
			for (size_t j = 1; j <= R; j++)
				for (size_t v = 0; v < P; v++) {
					long double x = cur[AT(g, j, v)];

					if (x == 0)
						continue;
					tot[g * P + v] += x;
					if (j < R)  /* the same character */
						next[AT(g, j + 1,
							dp_bump(&d, g, v))] += x;
				}
		for (size_t v = 0; v < P; v++)
			for (size_t h = 0; h < G; h++) {
				long double in = 0;  /* another character */

				for (size_t g = 0; g < G; g++)
					in += tot[g * P + v] *
					      (long double)(d.size[h] - (g == h));
				if (in != 0)
					next[AT(h, 1, dp_bump(&d, h, v))] += in;
			}
		swap = cur;
		cur = next;
		next = swap;
	}
	for (size_t g = 0; g < G; g++)
		for (size_t j = 1; j <= R; j++)
			total += cur[AT(g, j, full)];
#undef AT
	return total;
}

long double policy_count(const struct password_policy *p)
{
	size_t size[CLASS_COUNT], min[CLASS_COUNT];
	long double total = 0;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024)
		return 0;
	if (!policy_is_constrained(p))  /* the common case: K^L */
		return pow_n((long double)p->alphabet_len, p->length);
	if (run_limited(p))
		return policy_count_dp(p);
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
	if (p->max_run > 0) {
		size_t run = 1;

		for (size_t i = 1; i < n; i++) {
			run = s[i] == s[i - 1] ? run + 1 : 1;
			if (run > p->max_run)
				return false;
		}
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

/* Is p->length long enough: `bits` reached (max_run counted), and the
 * minimums met often enough? Both only improve with the length (appending
 * any character to a valid password keeps its minimums, and one other than
 * its last keeps its runs too), so a binary search over it is exact. */
static bool long_enough(const struct password_policy *p, size_t bits)
{
	struct password_policy mins = *p;
	struct policy_measure m;

	policy_measure(p, &m);
	if (m.entropy_bits < (double)bits)
		return false;
	/* max_run's acceptance falls with the length: measure_and_check
	 * refuses the shortest length if it is too low */
	if (run_limited(p)) {
		mins.max_run = 0;
		policy_measure(&mins, &m);
	}
	return m.acceptance >= POLICY_MIN_ACCEPTANCE;
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
	struct password_policy mins = *p;
	struct policy_measure mm;

	policy_measure(p, m);
	if (m->count >= 1 && m->acceptance >= POLICY_MIN_ACCEPTANCE)
		return 0;
	mins.max_run = 0;
	if (run_limited(p)) {  /* the minimums alone, or max_consecutive? */
		policy_measure(&mins, &mm);
		if (mm.count >= 1 && mm.acceptance >= POLICY_MIN_ACCEPTANCE)
			return fault(f, POLICY_FAULT_UNSATISFIABLE,
				     "max_consecutive", "only %.2g of random "
				     "candidates of length %zu have no run "
				     "longer than %zu (the floor is %g): raise "
				     "max_consecutive or make the password "
				     "shorter", m->acceptance, p->length,
				     p->max_run, POLICY_MIN_ACCEPTANCE);
		*m = mm;
	}
	if (m->count < 1)
		return fault(f, POLICY_FAULT_UNSATISFIABLE, culprit,
			     "no password of length %zu meets the minimums",
			     p->length);
	return fault(f, POLICY_FAULT_UNSATISFIABLE, culprit,
		     "only %.2g of random candidates meet the "
		     "minimums (the floor is %g): lower them or make "
		     "the password longer", m->acceptance,
		     POLICY_MIN_ACCEPTANCE);
}

/* Refuse max_consecutive where its exact count would cost too much (at
 * the length the request may reach). */
static int check_countable(const struct password_options *o,
			   const struct password_policy *p,
			   struct policy_fault *f)
{
	struct password_policy at = *p;

	at.length = o->min_entropy > 0 ? 1024 : o->length;
	if (policy_dp_fits(&at))
		return 0;
	return fault(f, POLICY_FAULT_UNREACHABLE, "max_consecutive",
		     "counting max_consecutive=%zu exactly with these "
		     "minimums takes too long (over %d states or %ld steps): "
		     "lower the minimums or max_consecutive",
		     o->max_consecutive, POLICY_DP_STATES, POLICY_DP_WORK);
}

int policy_build(const struct password_options *o, struct password_policy *p,
		 struct policy_measure *m, struct policy_fault *f)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->min, o->min, sizeof(p->min));
	p->first_letter = o->first_letter;
	p->max_run = o->max_consecutive;
	if (check_conflicts(o, f) < 0 || build_alphabet(o, p, f) < 0 ||
	    apply_exclusions(o, p, f) < 0 || check_classes(o, p, f) < 0 ||
	    check_countable(o, p, f) < 0 || settle_length(o, p, f) < 0 ||
	    measure_and_check(o, p, m, f) < 0)
		return -1;
	return 0;
}
