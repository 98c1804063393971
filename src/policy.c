/* policy.c - see policy.h for the counting method. */
#include "policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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
	return p->n_needs > 0 || p->first_letter || run_limited(p);
}

static void class_sizes(const struct password_policy *p,
			size_t size[CLASS_COUNT])
{
	memset(size, 0, CLASS_COUNT * sizeof(size[0]));
	for (size_t i = 0; i < p->alphabet_len; i++)
		size[policy_class_of((unsigned char)p->alphabet[i])]++;
}

/* ------------------------------------------------------- the counted sets
 *
 * What a count tracks: the sets the password needs characters of (each
 * class with a minimum, each rules= required set), every one up to its
 * minimum, and "the first character is a letter". Characters that belong
 * to the same counted sets (and are letters or not, under first_letter)
 * are interchangeable: one group each. */

enum { SETS_MAX = CLASS_COUNT + POLICY_NEEDS_MAX, GROUPS_MAX = 96 };

struct groups {
	size_t n;                      /* G */
	size_t size[GROUPS_MAX];       /* characters in group g */
	unsigned sets[GROUPS_MAX];     /* bit i: its characters count for
					* set i */
	bool first_ok[GROUPS_MAX];     /* may start the password */
	size_t nsets;
	size_t cap[SETS_MAX];          /* set i's minimum */
	size_t stride[SETS_MAX];       /* of its count in a state's index */
	size_t counts;                 /* P = prod (cap + 1) */
	size_t run;                    /* R: max_run, or 0: no limit */
};

/* The counted sets character c belongs to (bits: the classes with a
 * minimum first, then the needs). */
static unsigned sets_of(const struct password_policy *p, const size_t *bit,
			unsigned char c)
{
	enum char_class cls = policy_class_of(c);
	unsigned sets = (unsigned)p->needs_of[c & 127] << bit[CLASS_COUNT];

	if (p->min[cls] > 0)
		sets |= 1u << bit[cls];
	return sets;
}

/* false if no password is valid (a minimum more than the length). */
static bool make_groups(const struct password_policy *p, struct groups *d)
{
	size_t bit[CLASS_COUNT + 1];

	memset(d, 0, sizeof(*d));
	d->counts = 1;
	for (int c = 0; c < CLASS_COUNT; c++) {
		bit[c] = d->nsets;
		if (p->min[c] > 0)
			d->cap[d->nsets++] = p->min[c];
	}
	bit[CLASS_COUNT] = d->nsets;
	for (size_t i = 0; i < p->n_needs; i++)
		d->cap[d->nsets++] = 1;
	for (size_t i = 0; i < d->nsets; i++) {
		if (d->cap[i] > p->length)
			return false;
		d->stride[i] = d->counts;
		d->counts *= d->cap[i] + 1;
	}
	for (size_t i = 0; i < p->alphabet_len; i++) {
		unsigned char c = (unsigned char)p->alphabet[i];
		unsigned sets = sets_of(p, bit, c);
		bool ok = !p->first_letter || policy_class_of(c) <= CLASS_UPPER;
		size_t g = 0;

		while (g < d->n && (d->sets[g] != sets || d->first_ok[g] != ok))
			g++;
		if (g == d->n) {
			d->sets[d->n] = sets;
			d->first_ok[d->n++] = ok;
		}
		d->size[g]++;
	}
	d->run = run_limited(p) ? p->max_run : 0;
	return true;
}

/* State v (capped counts) after one more character of group g. */
static size_t bump(const struct groups *d, size_t g, size_t v)
{
	for (unsigned sets = d->sets[g]; sets != 0; sets &= sets - 1) {
		size_t i = (size_t)__builtin_ctz(sets);

		if ((v / d->stride[i]) % (d->cap[i] + 1) < d->cap[i])
			v += d->stride[i];
	}
	return v;
}

/* The state where every counted set has reached its minimum. */
static size_t full_state(const struct groups *d)
{
	size_t full = 0;

	for (size_t i = 0; i < d->nsets; i++)
		full += d->cap[i] * d->stride[i];
	return full;
}

/* Cell updates of the position DP on a policy of length L. */
static double dp_work(const struct groups *d, size_t L)
{
	double states = (double)d->counts * (d->run ? (double)(d->n * d->run)
						    : 1.0);

	return (double)L * states * (double)(d->n + 1);
}

/* Do the counted sets share no character? Then, without a run limit, the
 * count factorises by set (count_by_sets). */
static bool disjoint_sets(const struct groups *d)
{
	for (size_t g = 0; g < d->n; g++) {
		if (d->sets[g] & (d->sets[g] - 1))
			return false;
	}
	return d->run == 0;
}

/* -------------------------------------------- the position DP (the count)
 *
 * cur[] holds, for each state, the strings of the current length that end
 * in it. Without a run limit the state is v, the capped counts; with one
 * it is (group g of the last character, its run length j, v). */

static _Thread_local long double dp_buf[3][POLICY_DP_STATES];
/* next[g * P + v] = bump(g, v): the states after a character of each
 * group, worked out once per count (a division per counted set, else in
 * every cell update) when they fit */
enum { DP_NEXT_MAX = 1 << 16 };
static _Thread_local uint16_t dp_next[DP_NEXT_MAX];

/* The table of bump(), or NULL if it does not fit (bump() then). */
static const uint16_t *bump_table(const struct groups *d)
{
	if (d->n * d->counts > DP_NEXT_MAX)
		return NULL;
	for (size_t g = 0; g < d->n; g++)
		for (size_t v = 0; v < d->counts; v++)
			dp_next[g * d->counts + v] = (uint16_t)bump(d, g, v);
	return dp_next;
}

#define BUMP(tab, d, g, v) \
	((tab) != NULL ? (size_t)(tab)[(g) * (d)->counts + (v)] \
		       : bump((d), (g), (v)))

static long double dp_free_runs(const struct groups *d, size_t L)
{
	long double *cur = dp_buf[0], *next = dp_buf[1], *swap;
	const uint16_t *tab = bump_table(d);
	size_t P = d->counts;

	memset(cur, 0, P * sizeof(cur[0]));
	for (size_t g = 0; g < d->n; g++) {
		if (d->first_ok[g])
			cur[bump(d, g, 0)] += (long double)d->size[g];
	}
	for (size_t pos = 1; pos < L; pos++) {
		memset(next, 0, P * sizeof(next[0]));
		for (size_t v = 0; v < P; v++) {
			if (cur[v] == 0)
				continue;
			for (size_t h = 0; h < d->n; h++)
				next[BUMP(tab, d, h, v)] +=
					cur[v] * (long double)d->size[h];
		}
		swap = cur;
		cur = next;
		next = swap;
	}
	return cur[full_state(d)];
}

static long double dp_limited_runs(const struct groups *d, size_t L)
{
	long double *cur = dp_buf[0], *next = dp_buf[1], *tot = dp_buf[2];
	long double total = 0, *swap;
	const uint16_t *tab = bump_table(d);
	size_t G = d->n, R = d->run, P = d->counts, full = full_state(d);

#define AT(g, j, v) (((g) * R + (j) - 1) * P + (v))
	memset(cur, 0, G * R * P * sizeof(cur[0]));
	for (size_t g = 0; g < G; g++) {
		if (d->first_ok[g])
			cur[AT(g, 1, bump(d, g, 0))] = (long double)d->size[g];
	}
	for (size_t pos = 1; pos < L; pos++) {
		memset(next, 0, G * R * P * sizeof(next[0]));
		memset(tot, 0, (G + 1) * P * sizeof(tot[0]));
		for (size_t g = 0; g < G; g++)
			for (size_t j = 1; j <= R; j++)
				for (size_t v = 0; v < P; v++) {
					long double x = cur[AT(g, j, v)];

					if (x == 0)
						continue;
					tot[g * P + v] += x;
					tot[G * P + v] += x;
					if (j < R)  /* the same character */
						next[AT(g, j + 1,
							BUMP(tab, d, g, v))] += x;
				}
		/* another character of group h: any of its size[h] after a
		 * character of another group, one fewer after its own */
		for (size_t v = 0; v < P; v++)
			for (size_t h = 0; h < G; h++) {
				long double in = tot[G * P + v] *
						 (long double)d->size[h] -
						 tot[h * P + v];

				if (in != 0)
					next[AT(h, 1, BUMP(tab, d, h, v))] += in;
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

static bool dp_fits(const struct groups *d, size_t L)
{
	size_t states = d->counts * (d->run ? d->n * d->run : 1);

	return states <= POLICY_DP_STATES &&
	       (d->run == 0 || states + d->counts <= POLICY_DP_STATES) &&
	       dp_work(d, L) <= (double)POLICY_DP_WORK;
}

/* The DP on groups d at length L; -1 if it does not fit. */
static long double count_dp(const struct groups *d, size_t L)
{
	if (!dp_fits(d, L))
		return -1;
	return d->run ? dp_limited_runs(d, L) : dp_free_runs(d, L);
}

long double policy_count_dp(const struct password_policy *p)
{
	struct groups d;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024 ||
	    !make_groups(p, &d))
		return 0;
	return count_dp(&d, p->length);
}

/* ------------------------------------ the same count, factorised by set
 *
 * Without a run limit and with counted sets that share no character, the
 * DP's step is a sum of independent steps, one per set (a Kronecker sum),
 * so its L-th power factorises by set into exponential generating
 * functions: the count is
 *     L! [x^L] e^(f x) prod_i E_i(x),   E_i(x) = sum_{n >= m_i} (s_i x)^n / n!
 * (s_i the set's characters, m_i its minimum, f the characters of no
 * set), a product of polynomials, each coefficient a sum of non-negative
 * terms as in the DP. It costs about (sets - 1) L^2 / 2 updates whatever
 * the minimums are, where the DP's states grow as their product: it
 * serves when those do not fit. (Not exact as integers, for the 1/n!: the
 * DP serves the small counts.) */

static _Thread_local long double poly_buf[6][1025];

/* E(x) for s characters and minimum m, up to x^L, into e[]. */
static void set_series(long double *e, size_t L, size_t s, size_t m)
{
	long double term = 1;

	for (size_t n = 0; n <= L; n++) {
		if (n > 0)
			term = term * (long double)s / (long double)n;
		e[n] = n >= m ? term : 0;
	}
}

/* Strings of length L, each set meeting its minimum. */
static long double count_sets(const struct groups *d, size_t L)
{
	const size_t *owe = d->cap;
	long double *prod = poly_buf[0], *e = poly_buf[1], *tmp = poly_buf[2];
	long double total = 0;
	size_t set_size[SETS_MAX] = { 0 }, free_chars = 0;

	for (size_t g = 0; g < d->n; g++) {
		if (d->sets[g] == 0)
			free_chars += d->size[g];
		else
			set_size[__builtin_ctz(d->sets[g])] += d->size[g];
	}
	set_series(prod, L, free_chars, 0);  /* e^(f x) */
	for (size_t i = 0; i < d->nsets; i++) {
		set_series(e, L, set_size[i], owe[i]);
		for (size_t k = owe[i]; k <= L; k++) {
			long double x = 0;

			for (size_t n = owe[i]; n <= k; n++)
				x += e[n] * prod[k - n];
			tmp[k] = x;
		}
		memset(tmp, 0, (owe[i] < L + 1 ? owe[i] : L + 1) *
			       sizeof(tmp[0]));
		memcpy(prod, tmp, (L + 1) * sizeof(prod[0]));
	}
	total = prod[L];
	for (size_t n = 2; n <= L; n++)
		total *= (long double)n;
	return total;
}

/* Under first=letter: a first character of set i (a_i of them may start)
 * leaves the other L characters owing one fewer of set i, so the count is
 *     L! [x^L] ( a_0 F + sum_i a_i F with E_i -> E_i' ),
 * F = e^(f x) prod_i E_i, E_i' the series with minimum m_i - 1 (a_0: the
 * letters of no set). The sum is the e-coefficient of prod_i (E_i + e a_i
 * E_i') with e^2 = 0: one pass over the sets (3 convolutions each), where
 * a count per starting group cost as many passes as there are groups. */
static long double count_sets_first(const struct groups *d, size_t L)
{
	long double *p0 = poly_buf[0], *p1 = poly_buf[1], *e = poly_buf[2],
		    *e1 = poly_buf[3], *t0 = poly_buf[4], *t1 = poly_buf[5];
	long double total;
	size_t set_size[SETS_MAX] = { 0 }, starts[SETS_MAX] = { 0 };
	size_t free_chars = 0, free_starts = 0;

	for (size_t g = 0; g < d->n; g++) {
		size_t i = (size_t)__builtin_ctz(d->sets[g] | 1u << 31);

		if (d->sets[g] == 0) {
			free_chars += d->size[g];
			free_starts += d->first_ok[g] ? d->size[g] : 0;
		} else {
			set_size[i] += d->size[g];
			starts[i] += d->first_ok[g] ? d->size[g] : 0;
		}
	}
	set_series(p0, L, free_chars, 0);  /* e^(f x) */
	for (size_t k = 0; k <= L; k++)
		p1[k] = (long double)free_starts * p0[k];
	for (size_t i = 0; i < d->nsets; i++) {
		set_series(e, L, set_size[i], d->cap[i]);
		set_series(e1, L, set_size[i], d->cap[i] - 1);
		for (size_t k = 0; k <= L; k++) {
			long double x0 = 0, x1 = 0;

			for (size_t n = 0; n <= k; n++) {
				x0 += e[n] * p0[k - n];
				x1 += e[n] * p1[k - n] + (long double)starts[i] *
					e1[n] * p0[k - n];
			}
			t0[k] = x0;
			t1[k] = x1;
		}
		memcpy(p0, t0, (L + 1) * sizeof(p0[0]));
		memcpy(p1, t1, (L + 1) * sizeof(p1[0]));
	}
	total = p1[L];
	for (size_t n = 2; n <= L; n++)
		total *= (long double)n;
	return total;
}

/* The factorised count on groups d at length L; -1 if it does not
 * apply. */
static long double count_by_sets(const struct groups *d, size_t L,
				 bool first_letter)
{
	if (!disjoint_sets(d))
		return -1;
	return first_letter ? count_sets_first(d, L - 1) : count_sets(d, L);
}

long double policy_count_by_sets(const struct password_policy *p)
{
	struct groups d;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024 ||
	    !make_groups(p, &d))
		return 0;
	return count_by_sets(&d, p->length, p->first_letter);
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

bool policy_countable(const struct password_policy *p)
{
	struct groups d;

	if (!policy_is_constrained(p) || p->length > 1024 ||
	    !make_groups(p, &d))
		return true;
	return dp_fits(&d, p->length) || disjoint_sets(&d);
}

long double policy_count(const struct password_policy *p)
{
	struct groups d;

	if (p->length == 0 || p->alphabet_len == 0 || p->length > 1024)
		return 0;
	if (!policy_is_constrained(p))  /* the common case: K^L */
		return pow_n((long double)p->alphabet_len, p->length);
	if (!make_groups(p, &d))
		return 0;
	if (!dp_fits(&d, p->length) && disjoint_sets(&d))
		return count_by_sets(&d, p->length, p->first_letter);
	return count_dp(&d, p->length);
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
	unsigned needs = 0;

	if (p->first_letter &&
	    (n == 0 || policy_class_of((unsigned char)s[0]) > CLASS_UPPER))
		return false;
	for (size_t i = 0; i < n; i++) {
		have[policy_class_of((unsigned char)s[i])]++;
		needs |= p->needs_of[(unsigned char)s[i] & 127];
	}
	if (needs != (1u << p->n_needs) - 1)
		return false;
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

	if (o->rules != NULL && (classes || o->charset != NULL ||
				 o->preset != PRESET_NONE))
		return fault(f, POLICY_FAULT_CONFLICT, "rules",
			     "rules sets the characters; do not combine it "
			     "with charset, preset, symbol_set or the class "
			     "switches");
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
	if (o->rules != NULL) {
		char chars[96];

		add_chars(p, chars, pwrules_set_chars(&o->rules->allowed,
						      chars));
	} else if (o->charset != NULL) {
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
		     : o->rules != NULL ? "rules"
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

/* Is need set a (its characters in the alphabet) within set b? */
static bool need_within(const struct password_policy *p, unsigned a,
			unsigned b)
{
	for (size_t i = 0; i < p->alphabet_len; i++) {
		unsigned char c = (unsigned char)p->alphabet[i];

		if ((p->needs_of[c] >> a & 1) && !(p->needs_of[c] >> b & 1))
			return false;
	}
	return true;
}

/* Drop need `gone`: the higher ones move down a bit. */
static void drop_need(struct password_policy *p, unsigned gone)
{
	unsigned low = (1u << gone) - 1;

	for (size_t c = 0; c < sizeof(p->needs_of); c++)
		p->needs_of[c] = (unsigned char)((p->needs_of[c] & low) |
						 (p->needs_of[c] >> 1 & ~low));
	p->n_needs--;
}

/* rules= required sets, within the alphabet, as needs; one that holds
 * another is met whenever that one is, so it is dropped (fewer states to
 * count, the same passwords). */
static int apply_needs(const struct password_options *o,
		       struct password_policy *p, struct policy_fault *f)
{
	const struct pwrules *r = o->rules;

	for (size_t i = 0; r != NULL && i < r->n_required; i++) {
		bool any = false;

		for (size_t k = 0; k < p->alphabet_len; k++) {
			unsigned char c = (unsigned char)p->alphabet[k];

			if (pwrules_set_has(&r->required[i], c)) {
				p->needs_of[c] |= (unsigned char)(1u << i);
				any = true;
			}
		}
		if (!any)
			return fault(f, POLICY_FAULT_UNSATISFIABLE,
				     o->exclude != NULL ? "exclude"
				     : "exclude_ambiguous",
				     "required set %zu of rules has no "
				     "character left after the exclusions",
				     i + 1);
		p->n_needs++;
	}
	for (unsigned a = 0; a < p->n_needs; a++)
		for (unsigned b = 0; b < p->n_needs; b++) {
			if (a != b && need_within(p, a, b)) {
				drop_need(p, b);
				a = 0;
				b = (unsigned)-1;
			}
		}
	return 0;
}

/* The lengths rules= allows, [*lo, *hi]; 4..1024 without it. */
static int rules_lengths(const struct password_options *o, size_t *lo,
			 size_t *hi, struct policy_fault *f)
{
	const struct pwrules *r = o->rules;

	*lo = 4;
	*hi = 1024;
	if (r == NULL)
		return 0;
	if (r->minlength > *lo)
		*lo = r->minlength;
	if (r->maxlength > 0 && r->maxlength < *hi)
		*hi = r->maxlength;
	if (*lo > *hi)
		return fault(f, POLICY_FAULT_UNSATISFIABLE, "rules",
			     "the rules allow no length pwgend makes "
			     "(minlength %zu, maxlength %zu; it makes 4 to "
			     "1024)", r->minlength, r->maxlength);
	if (o->length_given && (o->length < *lo || o->length > *hi))
		return fault(f, POLICY_FAULT_CONFLICT, "length",
			     "length=%zu is outside the rules' %zu..%zu",
			     o->length, *lo, *hi);
	return 0;
}

/* Is p->length long enough: `bits` reached (max_run counted), and the
 * minimums met often enough? Both only improve with the length (appending
 * any character to a valid password keeps its minimums, and one other than
 * its last keeps its runs too), so searching over it is exact. */
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

/* Shortest length in [lo, hi] that is long enough; 0 if none. No length
 * below bits / log2(K) is (K^L strings at most), so the search starts
 * there, one below for rounding: most requests are answered by the first
 * count or two. From there it gallops up (+1, +2, +4, ...) and halves the
 * last step: a count costs about its length, so it stays near the
 * answer instead of counting at hi. */
static size_t length_for_entropy(struct password_policy *p, size_t bits,
				 size_t lo, size_t hi)
{
	double floor_len = (double)bits / log2((double)p->alphabet_len) - 1;
	size_t step = 1;

	if (floor_len > (double)hi)
		floor_len = (double)hi;
	if (floor_len > (double)lo)
		lo = (size_t)floor_len;

	for (p->length = lo; !long_enough(p, bits); p->length += step, step *= 2) {
		if (p->length == hi)
			return 0;
		lo = p->length + 1;  /* every length up to here is too short */
		if (p->length + step > hi)
			step = hi - p->length;
	}
	hi = p->length;
	while (lo < hi) {
		p->length = lo + (hi - lo) / 2;
		if (long_enough(p, bits))
			hi = p->length;
		else
			lo = p->length + 1;
	}
	return lo;
}

/* The length asked for; without one, under rules=, the default moved
 * into the rules' range [lo, hi]. */
static size_t default_length(const struct password_options *o, size_t lo,
			     size_t hi)
{
	if (o->rules == NULL || o->length_given)
		return o->length;
	return o->length < lo ? lo : o->length > hi ? hi : o->length;
}

static int settle_length(const struct password_options *o,
			 struct password_policy *p, size_t lo, size_t hi,
			 struct policy_fault *f)
{
	if (o->min_entropy == 0) {
		p->length = default_length(o, lo, hi);
		return 0;
	}
	p->length = length_for_entropy(p, o->min_entropy, lo, hi);
	if (p->length > 0)
		return 0;
	return fault(f, POLICY_FAULT_UNREACHABLE, "min_entropy",
		     "%zu bits are out of reach within %zu characters of "
		     "this alphabet and these minimums", o->min_entropy, hi);
}

/* The parameter that set max_run: max_consecutive, or rules= when its
 * max-consecutive is the smaller. */
static const char *run_parameter(const struct password_options *o)
{
	size_t ruled = o->rules != NULL ? o->rules->max_consecutive : 0;

	return ruled > 0 && (o->max_consecutive == 0 ||
			     ruled < o->max_consecutive) ? "rules"
							 : "max_consecutive";
}

/* Measure the finished policy, and refuse one that is impossible or too
 * unlikely to meet (an unconstrained policy always has acceptance 1). */
static int measure_and_check(const struct password_options *o,
			     const struct password_policy *p,
			     struct policy_measure *m, struct policy_fault *f)
{
	const char *culprit = o->last_min != NULL ? o->last_min
			      : p->n_needs > 0 ? "rules" : "first";
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
				     run_parameter(o), "only %.2g of random "
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

/* Refuse a policy whose exact count would cost too much at the longest
 * length the request may reach (policy_countable). */
static int check_countable(const struct password_options *o,
			   const struct password_policy *p, size_t lo,
			   size_t hi, struct policy_fault *f)
{
	struct password_policy at = *p;

	at.length = o->min_entropy > 0 ? hi : default_length(o, lo, hi);
	if (policy_countable(&at))
		return 0;
	if (run_limited(&at))
		return fault(f, POLICY_FAULT_UNREACHABLE, run_parameter(o),
			     "counting max_consecutive=%zu exactly with "
			     "these minimums takes too long (over %d states "
			     "or %ld steps): lower the minimums or "
			     "max_consecutive", p->max_run, POLICY_DP_STATES,
			     POLICY_DP_WORK);
	return fault(f, POLICY_FAULT_UNREACHABLE, "rules",
		     "counting these overlapping required sets exactly with "
		     "these minimums takes too long (over %d states or %ld "
		     "steps): lower the minimums", POLICY_DP_STATES,
		     POLICY_DP_WORK);
}

static size_t smaller_limit(size_t a, size_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

int policy_build(const struct password_options *o, struct password_policy *p,
		 struct policy_measure *m, struct policy_fault *f)
{
	size_t lo, hi;

	memset(p, 0, sizeof(*p));
	memcpy(p->min, o->min, sizeof(p->min));
	p->first_letter = o->first_letter;
	p->max_run = smaller_limit(o->max_consecutive,
				   o->rules ? o->rules->max_consecutive : 0);
	if (check_conflicts(o, f) < 0 || build_alphabet(o, p, f) < 0 ||
	    apply_exclusions(o, p, f) < 0 || check_classes(o, p, f) < 0 ||
	    apply_needs(o, p, f) < 0 || rules_lengths(o, &lo, &hi, f) < 0 ||
	    check_countable(o, p, lo, hi, f) < 0 ||
	    settle_length(o, p, lo, hi, f) < 0 ||
	    measure_and_check(o, p, m, f) < 0)
		return -1;
	return 0;
}
