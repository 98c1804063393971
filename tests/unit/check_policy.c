/* check_policy.c - exact counting of constrained passwords against brute
 * force, the reference values, acceptance and the accept predicate. */
#include <math.h>
#include <string.h>

#include "gen.h"
#include "genreq.h"
#include "policy.h"
#include "suites.h"

static struct password_policy make(const char *alphabet, size_t length)
{
	struct password_policy p;

	memset(&p, 0, sizeof(p));
	p.alphabet_len = strlen(alphabet);
	memcpy(p.alphabet, alphabet, p.alphabet_len);
	p.length = length;
	return p;
}

/* Call fn on every string of p->length (<= 10) over the alphabet. */
static void each_string(const struct password_policy *p,
			void (*fn)(const struct password_policy *p,
				   const char *s, void *ctx), void *ctx)
{
	size_t idx[10] = { 0 };
	char s[10];

	for (;;) {
		size_t i;

		for (i = 0; i < p->length; i++)
			s[i] = p->alphabet[idx[i]];
		fn(p, s, ctx);
		for (i = 0; i < p->length; i++) {
			if (++idx[i] < p->alphabet_len)
				break;
			idx[i] = 0;
		}
		if (i == p->length)
			return;
	}
}

static void count_valid(const struct password_policy *p, const char *s,
			void *ctx)
{
	*(unsigned long *)ctx += policy_accepts(p, s, p->length);
}

/* Enumerate every string of p->length over the alphabet. */
static unsigned long brute_force(const struct password_policy *p)
{
	unsigned long n = 0;

	each_string(p, count_valid, &n);
	return n;
}

START_TEST(test_counts_match_brute_force)
{
	static const char *alphabets[] = { "aB1!", "abC12", "ab1!?", "xyz" };
	static const size_t mins[][4] = {
		{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 1, 1 },
		{ 2, 0, 1, 0 }, { 0, 0, 3, 0 }, { 2, 2, 2, 0 }, { 0, 0, 0, 2 },
	};
	int checked = 0;

	for (size_t a = 0; a < 4; a++)
		for (size_t len = 1; len <= 6; len++)
			for (size_t m = 0; m < 8; m++)
				for (int first = 0; first < 2; first++) {
					struct password_policy p =
						make(alphabets[a], len);

					memcpy(p.min, mins[m], sizeof(p.min));
					p.first_letter = first;
					ck_assert_msg(
						llroundl(policy_count(&p)) ==
							(long long)brute_force(&p),
						"%s len %zu mins %zu first %d: "
						"%Lf vs %lu", alphabets[a], len,
						m, first, policy_count(&p),
						brute_force(&p));
					checked++;
				}
	ck_assert_int_eq(checked, 4 * 6 * 8 * 2);
}
END_TEST

static const char all94[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

START_TEST(test_reference_values)
{
	struct password_policy p = make(all94, 16);

	p.min[CLASS_LOWER] = p.min[CLASS_UPPER] = 1;
	p.min[CLASS_DIGIT] = p.min[CLASS_SYMBOL] = 1;
	ck_assert_double_eq_tol(policy_entropy_bits(&p), 104.59, 0.005);
	p.length = 20;
	ck_assert_double_eq_tol(policy_entropy_bits(&p), 130.93, 0.005);
	/* no constraint: exactly L log2 K */
	memset(p.min, 0, sizeof(p.min));
	ck_assert_double_eq_tol(policy_entropy_bits(&p), 20 * log2(94), 1e-9);
	ck_assert_double_eq_tol(policy_acceptance(&p), 1.0, 1e-12);
}
END_TEST

START_TEST(test_longest_passwords_stay_finite)
{
	struct password_policy p = make(all94, 1024);

	p.min[CLASS_DIGIT] = 100;
	p.min[CLASS_SYMBOL] = 300;
	p.first_letter = true;
	ck_assert(isfinite(policy_entropy_bits(&p)));
	ck_assert_double_gt(policy_entropy_bits(&p), 6600);
	ck_assert_double_le(policy_entropy_bits(&p), 1024 * log2(94));
	ck_assert_double_gt(policy_acceptance(&p), 0.3);
}
END_TEST

START_TEST(test_impossible_and_unlikely)
{
	struct password_policy p = make("abc", 8);

	p.min[CLASS_DIGIT] = 1;  /* no digit in the alphabet */
	ck_assert(policy_count(&p) == 0);
	ck_assert_double_eq(policy_entropy_bits(&p), -1);
	p = make(all94, 8);
	p.min[CLASS_DIGIT] = 5;
	p.min[CLASS_SYMBOL] = 4;  /* more minimums than characters */
	ck_assert(policy_count(&p) == 0);
	p = make(all94, 16);
	p.min[CLASS_DIGIT] = 12;  /* possible but ~1e-8 likely */
	ck_assert_double_lt(policy_acceptance(&p), POLICY_MIN_ACCEPTANCE);
	ck_assert_double_gt(policy_acceptance(&p), 0);
}
END_TEST

START_TEST(test_accepts)
{
	struct password_policy p = make(all94, 6);

	p.min[CLASS_DIGIT] = 2;
	p.first_letter = true;
	ck_assert(policy_accepts(&p, "a1b2cd", 6));
	ck_assert(!policy_accepts(&p, "1ab2cd", 6));  /* first not a letter */
	ck_assert(!policy_accepts(&p, "a1bccd", 6));  /* one digit */
	ck_assert_int_eq(policy_class_of('~'), CLASS_SYMBOL);
	ck_assert_int_eq(policy_class_of('Z'), CLASS_UPPER);
	ck_assert(policy_is_constrained(&p));
}
END_TEST

/*
 * max_consecutive: the DP against brute force. Every string of length
 * 1..10 over alphabets of 2..4 characters (of one class or several) is
 * enumerated once per set of minimums and first=letter; the histogram of
 * its longest run among those meeting the minimums gives the exact count
 * for every max_run at once. Counts stay below 4^10, so the DP's long
 * doubles hold them exactly and the comparison is ==.
 */
static size_t longest_run(const char *s, size_t n)
{
	size_t run = 1, longest = 1;

	for (size_t i = 1; i < n; i++) {
		run = s[i] == s[i - 1] ? run + 1 : 1;
		if (run > longest)
			longest = run;
	}
	return longest;
}

static void count_run(const struct password_policy *p, const char *s,
		      void *ctx)
{
	unsigned long *hist = ctx;

	if (policy_accepts(p, s, p->length))
		hist[longest_run(s, p->length)]++;
}

/* hist[r]: strings meeting the minimums and first whose longest run is r */
static void run_histogram(const struct password_policy *p,
			  unsigned long hist[11])
{
	memset(hist, 0, 11 * sizeof(hist[0]));
	each_string(p, count_run, hist);
}

START_TEST(test_max_run_matches_brute_force)
{
	static const char *alphabets[] = { "ab", "a1", "abc", "aB1",
					   "aB1!", "abC1" };
	static const size_t mins[][4] = {
		{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 2, 0 },
		{ 1, 1, 1, 0 }, { 2, 1, 0, 1 },
	};
	int checked = 0;

	for (size_t a = 0; a < 6; a++)
		for (size_t len = 1; len <= 10; len++)
			for (size_t m = 0; m < 5; m++)
				for (int first = 0; first < 2; first++) {
					struct password_policy p =
						make(alphabets[a], len);
					unsigned long hist[11], sum = 0;

					memcpy(p.min, mins[m], sizeof(p.min));
					p.first_letter = first;
					run_histogram(&p, hist);
					for (size_t r = 1; r <= len; r++) {
						sum += hist[r];
						p.max_run = r;
						ck_assert_msg(
							policy_count_dp(&p) ==
							(long double)sum &&
							policy_count(&p) ==
							(long double)sum,
							"%s len %zu mins %zu "
							"first %d max %zu: %Lf "
							"vs %lu", alphabets[a],
							len, m, first, r,
							policy_count_dp(&p),
							sum);
						checked++;
					}
					p.max_run = 0;  /* none: the same */
					ck_assert(policy_count_dp(&p) ==
						  (long double)sum);
				}
	ck_assert_int_eq(checked, 6 * 55 * 5 * 2);
}
END_TEST

/* Without a run limit the two evaluations of the count, the DP and its
 * factorisation by set, agree to a few ulps, at lengths up to the
 * largest, with and without first=letter. */
START_TEST(test_dp_agrees_with_factorised)
{
	static const struct { size_t length, min[CLASS_COUNT]; bool first; }
	cases[] = {
		{ 64, { 1, 1, 1, 1 }, true },
		{ 80, { 0, 0, 9, 2 }, false },
		{ 1024, { 1, 1, 1, 1 }, true },
		{ 1024, { 3, 0, 40, 0 }, false },
		{ 300, { 5, 5, 5, 5 }, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct password_policy p = make(all94, cases[i].length);
		long double dp, sets;

		memcpy(p.min, cases[i].min, sizeof(p.min));
		p.first_letter = cases[i].first;
		dp = policy_count_dp(&p);
		sets = policy_count_by_sets(&p);
		ck_assert_msg(dp > 0 && fabsl(dp / sets - 1) < 1e-15L,
			      "case %zu: %Lg vs %Lg", i, dp, sets);
		ck_assert(policy_count(&p) == dp || policy_count(&p) == sets);
	}
}
END_TEST

/* Closed forms: max_run = 1 leaves K (K-1)^(L-1) strings, at the longest
 * length too (about 6700 bits, past 2^64 and past double's range as a
 * count); a limit at or past the length changes nothing. */
START_TEST(test_max_run_closed_forms)
{
	struct password_policy p = make(all94, 1024);
	double bits = log2(94) + 1023 * log2(93);

	p.max_run = 1;
	ck_assert(policy_countable(&p));
	ck_assert_double_eq_tol(policy_entropy_bits(&p), bits, 1e-9);
	ck_assert_double_eq_tol(policy_acceptance(&p),
				exp(1023 * log(93.0 / 94)), 1e-15);
	p = make("ab", 20);
	p.max_run = 1;
	ck_assert(policy_count(&p) == 2);
	p.max_run = 20;
	ck_assert(!policy_is_constrained(&p));
	ck_assert_double_eq_tol(policy_entropy_bits(&p), 20, 1e-12);
	p.max_run = 2;  /* Fibonacci: 2 F(21) */
	ck_assert(policy_count(&p) == 2 * 10946);
}
END_TEST

static struct password_options options(size_t length)
{
	struct password_options o;

	memset(&o, 0, sizeof(o));
	o.classes = GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS;
	o.length = length;
	return o;
}

START_TEST(test_max_consecutive_policies)
{
	struct password_options o = options(64);
	struct password_policy p;
	struct policy_measure m;
	struct policy_fault f;

	o.max_consecutive = 1;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_double_eq_tol(m.entropy_bits, log2(62) + 63 * log2(61),
				1e-9);
	ck_assert(!policy_accepts(&p, "aab", 3));
	ck_assert(policy_accepts(&p, "aba", 3));
	/* at or past the length: nothing imposed, the same numbers */
	o.max_consecutive = 64;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_double_eq_tol(m.entropy_bits, 64 * log2(62), 1e-9);
	ck_assert_double_eq(m.acceptance, 1);
	/* two characters, no repeat: two passwords out of 2^20 */
	o.charset = "ab";
	o.n_charset = 2;
	o.classes = 0;
	o.length = 20;
	o.max_consecutive = 1;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_int_eq(f.kind, POLICY_FAULT_UNSATISFIABLE);
	ck_assert_str_eq(f.parameter, "max_consecutive");
	/* the minimums alone fail: they are blamed */
	o = options(8);
	o.min[CLASS_DIGIT] = 5;
	o.min[CLASS_UPPER] = 3;
	o.last_min = "min_upper";
	o.max_consecutive = 2;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_str_eq(f.parameter, "min_upper");
	/* too many DP states: refused, naming max_consecutive */
	o = options(1024);
	o.min[CLASS_LOWER] = o.min[CLASS_UPPER] = o.min[CLASS_DIGIT] = 20;
	o.max_consecutive = 3;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_int_eq(f.kind, POLICY_FAULT_UNREACHABLE);
	ck_assert_str_eq(f.parameter, "max_consecutive");
	/* min_entropy counts the runs: 62 * 61^(L-1) >= 2^128 at L = 22 */
	o = options(0);
	o.min_entropy = 128;
	o.max_consecutive = 1;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_eq(p.length, 22);
	ck_assert_double_ge(m.entropy_bits, 128);
}
END_TEST

/* ------------------------------------------------ rules= required sets */

/* The test's own predicate: the character sets given as strings, each
 * needed once; the class minimums; first=letter; the runs. */
struct oracle {
	const char *needs[3];
	size_t n_needs;
};

static bool oracle_accepts(const struct password_policy *p,
			   const struct oracle *o, const char *s)
{
	size_t have[CLASS_COUNT] = { 0 }, run = 1;

	for (size_t i = 0; i < o->n_needs; i++) {
		bool met = false;

		for (size_t k = 0; k < p->length; k++)
			met = met || strchr(o->needs[i], s[k]) != NULL;
		if (!met)
			return false;
	}
	for (size_t k = 0; k < p->length; k++) {
		have[policy_class_of((unsigned char)s[k])]++;
		run = k > 0 && s[k] == s[k - 1] ? run + 1 : 1;
		if (p->max_run > 0 && run > p->max_run)
			return false;
	}
	for (int c = 0; c < CLASS_COUNT; c++) {
		if (have[c] < p->min[c])
			return false;
	}
	return !p->first_letter ||
	       policy_class_of((unsigned char)s[0]) <= CLASS_UPPER;
}

struct oracle_run {
	const struct oracle *o;
	unsigned long valid, accepted;
};

static void oracle_count(const struct password_policy *p, const char *s,
			 void *ctx)
{
	struct oracle_run *r = ctx;

	r->valid += oracle_accepts(p, r->o, s);
	r->accepted += policy_accepts(p, s, p->length);
}

/* Needs set i to the characters of set. */
static void add_need(struct password_policy *p, const char *set)
{
	for (const char *c = set; *c != '\0'; c++)
		p->needs_of[(unsigned char)*c] |= (unsigned char)(1u << p->n_needs);
	p->n_needs++;
}

/* Overlapping and disjoint required sets, with class minimums, first and
 * run limits: the count (either evaluation) and the accept predicate equal
 * an independent enumeration. */
START_TEST(test_needs_match_brute_force)
{
	static const struct { const char *alphabet; struct oracle o; } cases[] = {
		{ "aB1!", { { "B1", "!" }, 2 } },
		{ "aB1!", { { "aB", "B1" }, 2 } },        /* overlapping */
		{ "abC12", { { "C", "12", "aC" }, 3 } },
		{ "ab1", { { "1" }, 1 } },
		{ "ab1!?", { { "!?", "1!", "b" }, 3 } },
	};
	static const size_t mins[][4] = {
		{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 2, 0 }, { 1, 1, 0, 0 },
	};
	int checked = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (size_t len = 1; len <= 6; len++)
			for (size_t m = 0; m < 4; m++)
				for (int first = 0; first < 2; first++)
					for (size_t run = 0; run <= 2; run++) {
						struct password_policy p =
							make(cases[c].alphabet,
							     len);
						struct oracle_run r = {
							&cases[c].o, 0, 0 };

						memcpy(p.min, mins[m],
						       sizeof(p.min));
						p.first_letter = first;
						p.max_run = run;
						for (size_t i = 0;
						     i < cases[c].o.n_needs; i++)
							add_need(&p,
								 cases[c].o.needs[i]);
						each_string(&p, oracle_count, &r);
						ck_assert_msg(
							policy_count(&p) ==
							(long double)r.valid &&
							r.accepted == r.valid,
							"case %zu len %zu mins "
							"%zu first %d run %zu: "
							"%Lf, accepted %lu, "
							"valid %lu", c, len, m,
							first, run,
							policy_count(&p),
							r.accepted, r.valid);
						checked++;
					}
	ck_assert_int_eq(checked, 5 * 6 * 4 * 2 * 3);
}
END_TEST

/* Disjoint needs without a run limit: the factorised count applies and
 * agrees with the DP; overlapping ones: only the DP. */
START_TEST(test_needs_factorise_when_disjoint)
{
	struct password_policy p = make(all94, 200);

	add_need(&p, "ABC");
	add_need(&p, "!@#$");
	p.min[CLASS_DIGIT] = 3;
	ck_assert(fabsl(policy_count_dp(&p) / policy_count_by_sets(&p) - 1) <
		  1e-15L);
	add_need(&p, "C!");
	ck_assert(policy_count_by_sets(&p) == -1);
	ck_assert(policy_count(&p) > 0);
	p.max_run = 2;
	ck_assert(policy_count_by_sets(&p) == -1);
}
END_TEST

/* first=letter in the factorised count: every set's first character at
 * once (the letters of 8 needs, of a set with a minimum, of none), as the
 * DP counts it. */
START_TEST(test_factorised_first_letter)
{
	static const char *const letters[] = { "a", "b", "c", "d", "e", "f",
					       "g", "h" };
	struct password_policy p = make(all94, 60);

	for (size_t i = 0; i < 8; i++)
		add_need(&p, letters[i]);
	p.min[CLASS_UPPER] = 2;
	p.min[CLASS_DIGIT] = 1;
	p.first_letter = true;
	ck_assert(policy_count_dp(&p) > 0);
	ck_assert(fabsl(policy_count_dp(&p) / policy_count_by_sets(&p) - 1) <
		  1e-15L);
	p.length = 11;  /* a..h, 2 uppers, a digit: no room to spare */
	ck_assert(fabsl(policy_count_dp(&p) / policy_count_by_sets(&p) - 1) <
		  1e-15L);
}
END_TEST

static struct pwrules rules_of(const char *text)
{
	struct pwrules r;
	struct pwrules_error e;

	ck_assert_int_eq(pwrules_parse(text, strlen(text), &r, &e), 0);
	return r;
}

/* rules= through policy_build: the alphabet, the needs (a set holding
 * another dropped), the length range, max-consecutive and the refusals. */
START_TEST(test_rules_policies)
{
	struct pwrules r = rules_of("required: lower; required: lower, digit; "
				    "required: [-!]; minlength: 8; "
				    "maxlength: 12; max-consecutive: 2");
	struct password_options o = options(PASSWORD_LENGTH_DEFAULT);
	struct password_policy p;
	struct policy_measure m;
	struct policy_fault f;

	o.classes = 0;
	o.rules = &r;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_eq(p.alphabet_len, 26 + 10 + 2);
	ck_assert_uint_eq(p.n_needs, 2);            /* lower, digit: implied */
	ck_assert_uint_eq(p.length, 12);            /* 20, into 8..12 */
	ck_assert_uint_eq(p.max_run, 2);
	ck_assert(!policy_accepts(&p, "abcdefgh1234", 12));  /* no - or ! */
	ck_assert(policy_accepts(&p, "abcdefgh123!", 12));
	ck_assert(!policy_accepts(&p, "1234567890!!", 12)); /* no lower */
	o.length = 10;
	o.length_given = true;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_eq(p.length, 10);
	o.length = 13;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_str_eq(f.parameter, "length");
	/* the smaller max-consecutive wins */
	o = options(PASSWORD_LENGTH_DEFAULT);
	o.classes = 0;
	o.rules = &r;
	o.max_consecutive = 1;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_eq(p.max_run, 1);
	/* min_entropy searches within the rules' lengths */
	o.max_consecutive = 0;
	o.min_entropy = 40;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_ge(p.length, 8);
	o.min_entropy = 200;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_str_eq(f.parameter, "min_entropy");
	/* excluding a required set's last characters */
	o = options(PASSWORD_LENGTH_DEFAULT);
	o.classes = 0;
	o.rules = &r;
	o.exclude = "-!";
	o.n_exclude = 2;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_str_eq(f.parameter, "exclude");
	/* rules sets the characters: no class switch or charset with it */
	o = options(PASSWORD_LENGTH_DEFAULT);
	o.classes_given = GEN_CLASS_SYMBOLS;
	o.rules = &r;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_int_eq(f.kind, POLICY_FAULT_CONFLICT);
	ck_assert_str_eq(f.parameter, "rules");
	/* without rules= the length is taken as given (the original's
	 * complex passwords have 1 to 3 random characters) */
	o = options(3);
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), 0);
	ck_assert_uint_eq(p.length, 3);
	/* no length the rules allow */
	r = rules_of("minlength: 2000");
	o = options(PASSWORD_LENGTH_DEFAULT);
	o.classes = 0;
	o.rules = &r;
	ck_assert_int_eq(policy_build(&o, &p, &m, &f), -1);
	ck_assert_str_eq(f.parameter, "rules");
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("count");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_counts_match_brute_force);
	tcase_add_test(tc, test_reference_values);
	tcase_add_test(tc, test_longest_passwords_stay_finite);
	tcase_add_test(tc, test_impossible_and_unlikely);
	tcase_add_test(tc, test_accepts);
	tcase_add_test(tc, test_max_run_matches_brute_force);
	tcase_add_test(tc, test_dp_agrees_with_factorised);
	tcase_add_test(tc, test_max_run_closed_forms);
	tcase_add_test(tc, test_max_consecutive_policies);
	tcase_add_test(tc, test_needs_match_brute_force);
	tcase_add_test(tc, test_needs_factorise_when_disjoint);
	tcase_add_test(tc, test_factorised_first_letter);
	tcase_add_test(tc, test_rules_policies);
	suite_add_tcase(s, tc);
	return s;
}
