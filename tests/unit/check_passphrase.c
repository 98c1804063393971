/*
 * check_passphrase.c - the embedded EFF wordlist, passphrase shape under
 * every option, exact counts against brute force, and uniformity.
 *
 * Statistical tests are chi-square goodness-of-fit at p = 0.001 on a SEEDED
 * stream (so they are reproducible: a given build passes or fails every
 * time). Critical values chi2.ppf(0.999, df), computed once and written here.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passphrase.h"
#include "rng.h"
#include "suites.h"

/* chi2.ppf(0.999, df) */
#define CRIT_DF14 36.123
#define CRIT_DF39 72.055
#define CRIT_DF80 124.839

static const unsigned char seed[RNG_KEY_SIZE] = { 'p', 'a', 's', 's' };

static double chi_square(const unsigned long *observed,
			 const double *expected, size_t cells)
{
	double x = 0;

	for (size_t i = 0; i < cells; i++) {
		double d = (double)observed[i] - expected[i];

		x += d * d / expected[i];
	}
	return x;
}

/* Check's ck_assert_* records every passing assertion through its pipe
 * (a system call each); per-item checks in long loops use this instead,
 * which costs nothing until it fails. */
#define REQUIRE(c)                                                          \
	do {                                                                 \
		if (!(c))                                                    \
			ck_abort_msg("%s:%d: %s failed", __FILE__, __LINE__, \
				     #c);                                    \
	} while (0)

/* Index of a lower-case word of n bytes, or -1 (binary search: the list is
 * sorted, which test_wordlist_shape checks). */
static long word_index(const char *w, size_t n)
{
	char buf[PASSPHRASE_WORD_STRIDE];
	size_t lo = 0, hi = PASSPHRASE_WORDLIST_SIZE;

	if (n == 0 || n > PASSPHRASE_WORD_MAX_LEN)
		return -1;
	memcpy(buf, w, n);
	buf[n] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(buf, passphrase_word(mid));

		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

START_TEST(test_wordlist_shape)
{
	static const unsigned hist[PASSPHRASE_WORD_MAX_LEN + 1] = {
		0, 0, 0, 82, 467, 928, 1372, 1591, 1779, 1557,
	};
	unsigned seen[PASSPHRASE_WORD_MAX_LEN + 1] = { 0 };
	size_t hyphens = 0;

	ck_assert_uint_eq(PASSPHRASE_WORDLIST_SIZE, 7776);
	ck_assert_str_eq(passphrase_word(0), "abacus");
	ck_assert_str_eq(passphrase_word(1), "abdomen");
	ck_assert_str_eq(passphrase_word(7775), "zoom");
	ck_assert_ptr_null(passphrase_word(7776));
	ck_assert_uint_eq(passphrase_word_len(7776), 0);
	for (size_t i = 0; i < PASSPHRASE_WORDLIST_SIZE; i++) {
		const char *w = passphrase_word(i);
		size_t n = strlen(w);

		REQUIRE(passphrase_word_len(i) == n);
		REQUIRE(n >= 3 && n <= 9);
		REQUIRE(w[0] >= 'a' && w[0] <= 'z');
		for (size_t j = 0; j < n; j++)
			REQUIRE((w[j] >= 'a' && w[j] <= 'z') || w[j] == '-');
		if (strchr(w, '-'))
			hyphens++;
		/* strictly increasing: sorted and no duplicates */
		if (i > 0)
			REQUIRE(strcmp(passphrase_word(i - 1), w) < 0);
		seen[n]++;
	}
	ck_assert_uint_eq(hyphens, 4);
	ck_assert_int_ge(word_index("drop-down", 9), 0);
	ck_assert_int_ge(word_index("felt-tip", 8), 0);
	ck_assert_int_ge(word_index("t-shirt", 7), 0);
	ck_assert_int_ge(word_index("yo-yo", 5), 0);
	for (size_t l = 0; l <= PASSPHRASE_WORD_MAX_LEN; l++) {
		ck_assert_uint_eq(seen[l], hist[l]);
		ck_assert_uint_eq(passphrase_wordlist_hist[l], hist[l]);
	}
}
END_TEST

START_TEST(test_opts_check_and_sizes)
{
	struct passphrase_opts o;

	passphrase_opts_default(&o);
	ck_assert_uint_eq(o.words, 6);
	ck_assert_uint_eq(o.separator_len, 1);
	ck_assert_int_eq(o.separator[0], '-');
	ck_assert_int_eq(o.capitalize, PASSPHRASE_CASE_NONE);
	ck_assert(!o.number);
	ck_assert_uint_eq(o.max_length, 0);
	ck_assert_int_eq(passphrase_opts_check(&o), 0);
	ck_assert_uint_eq(passphrase_max_item_len(&o), 6 * 9 + 5);
	o.number = true;
	ck_assert_uint_eq(passphrase_max_item_len(&o), 6 * 9 + 5 + 1);
	o.max_length = 30;
	ck_assert_uint_eq(passphrase_max_item_len(&o), 30);
	o.max_length = 1000;
	ck_assert_uint_eq(passphrase_max_item_len(&o), 60);

	o.words = 20;
	o.separator_len = 8;
	o.max_length = 0;
	/* the EFF list's longest; a loaded list's words may be 32 bytes */
	ck_assert_uint_eq(passphrase_max_item_len(&o), 333);
	ck_assert_uint_eq(PASSPHRASE_MAX_ITEM_LEN, 20 * 32 + 19 * 8 + 1);

	o.words = 0;
	ck_assert_int_eq(passphrase_opts_check(&o), -EINVAL);
	ck_assert_uint_eq(passphrase_max_item_len(&o), 0);
	ck_assert_int_eq(passphrase_count(&o, NULL, NULL), -EINVAL);
	o.words = 21;
	ck_assert_int_eq(passphrase_opts_check(&o), -EINVAL);
	o.words = 1;
	o.separator_len = 9;
	ck_assert_int_eq(passphrase_opts_check(&o), -EINVAL);
	o.separator_len = 0;
	o.capitalize = (enum passphrase_case)7;
	ck_assert_int_eq(passphrase_opts_check(&o), -EINVAL);
}
END_TEST

/* Split a passphrase generated with a separator that words cannot contain
 * (not "-": drop-down), and check every part: a list word (after undoing the case), the case
 * mode, and the digit. */
static void check_item(const struct passphrase_opts *o, const char *s,
		       size_t n, size_t *digit_word, int *digit)
{
	size_t start = 0, w = 0, digits = 0;

	REQUIRE(n <= passphrase_max_item_len(o));
	if (o->max_length)
		REQUIRE(n <= o->max_length);
	for (;;) {
		const char *end = NULL;
		size_t len;
		char word[PASSPHRASE_WORD_STRIDE + 1];

		for (size_t i = start; i + o->separator_len <= n; i++)
			if (memcmp(s + i, o->separator, o->separator_len) == 0) {
				end = s + i;
				break;
			}
		len = end ? (size_t)(end - s) - start : n - start;
		REQUIRE(len <= PASSPHRASE_WORD_MAX_LEN + 1);
		memcpy(word, s + start, len);
		if (len > 0 && word[len - 1] >= '0' && word[len - 1] <= '9') {
			REQUIRE(o->number);
			*digit_word = w;
			*digit = word[len - 1] - '0';
			digits++;
			len--;
		}
		for (size_t i = 0; i < len; i++) {
			char c = word[i];
			bool up = c >= 'A' && c <= 'Z';
			bool want_up = c != '-' &&
				(o->capitalize == PASSPHRASE_CASE_ALL ||
				 (o->capitalize == PASSPHRASE_CASE_FIRST &&
				  i == 0));

			REQUIRE(up == want_up);
			if (up)
				word[i] = (char)(c - 'A' + 'a');
		}
		REQUIRE(word_index(word, len) >= 0);
		w++;
		if (!end)
			break;
		start = (size_t)(end - s) + o->separator_len;
	}
	REQUIRE(w == o->words);
	REQUIRE(digits == (o->number ? 1u : 0u));
}

START_TEST(test_generate_shape)
{
	static const char *const seps[] = { " ", ".", "::", "+_+", "12" };
	struct rng r;
	char out[PASSPHRASE_MAX_ITEM_LEN + 1];

	rng_init_seeded(&r, seed);
	for (size_t s = 0; s < sizeof(seps) / sizeof(seps[0]); s++)
		for (int c = 0; c < 3; c++)
			for (int num = 0; num < 2; num++)
				for (size_t words = 1; words <= 20;
				     words += 3) {
					struct passphrase_opts o;

					passphrase_opts_default(&o);
					o.words = words;
					o.separator_len = strlen(seps[s]);
					memcpy(o.separator, seps[s],
					       o.separator_len);
					o.capitalize = (enum passphrase_case)c;
					o.number = num;
					for (int k = 0; k < 50; k++) {
						size_t d = 99;
						int digit = -1;
						size_t n = passphrase_generate(
							&r, &o, out);

						REQUIRE(n > 0);
						check_item(&o, out, n, &d,
							   &digit);
					}
				}
	rng_wipe(&r);
}
END_TEST

/* Examples the header promises, and the exact output of a seeded stream
 * is reproducible. */
START_TEST(test_generate_cases_and_reproducible)
{
	struct passphrase_opts o;
	struct rng a, b;
	char x[PASSPHRASE_MAX_ITEM_LEN], y[PASSPHRASE_MAX_ITEM_LEN];
	size_t nx, ny;

	passphrase_opts_default(&o);
	o.separator_len = 0;   /* joined: "abacusabdomen..." */
	o.capitalize = PASSPHRASE_CASE_FIRST;
	rng_init_seeded(&a, seed);
	rng_init_seeded(&b, seed);
	for (int k = 0; k < 100; k++) {
		size_t caps = 0;

		nx = passphrase_generate(&a, &o, x);
		ny = passphrase_generate(&b, &o, y);
		REQUIRE(nx == ny && memcmp(x, y, nx) == 0);
		REQUIRE(nx >= 18 && nx <= 54);
		for (size_t i = 0; i < nx; i++)
			caps += x[i] >= 'A' && x[i] <= 'Z';
		REQUIRE(caps == 6);
		REQUIRE(x[0] >= 'A' && x[0] <= 'Z');
	}
	rng_wipe(&a);
	rng_wipe(&b);
}
END_TEST

START_TEST(test_max_length_respected)
{
	struct passphrase_opts o;
	struct rng r;
	char out[PASSPHRASE_MAX_ITEM_LEN];
	size_t shortest = SIZE_MAX, longest = 0;

	passphrase_opts_default(&o);
	o.words = 4;
	o.separator[0] = ' ';
	o.number = true;
	o.max_length = 25;    /* 3 separators + digit: 21 letters of 4..36 */
	rng_init_seeded(&r, seed);
	for (int k = 0; k < 20000; k++) {
		size_t d = 99, n = passphrase_generate(&r, &o, out);
		int digit = -1;

		check_item(&o, out, n, &d, &digit);
		if (n < shortest)
			shortest = n;
		if (n > longest)
			longest = n;
	}
	ck_assert_uint_eq(longest, 25);  /* the limit is reached... */
	ck_assert_uint_lt(shortest, 20); /* ...and not only the limit */

	/* the smallest limit that fits: two 3-letter words (acceptance
	 * (82/7776)^2, about 1e-4: the caller's floor would refuse this) */
	o.words = 2;
	o.max_length = 3 * 2 + 1 + 1;
	for (int k = 0; k < 5; k++)
		ck_assert_uint_eq(passphrase_generate(&r, &o, out), 8);
	/* one byte less: nothing fits, and generate does not loop */
	o.max_length--;
	ck_assert_uint_eq(passphrase_generate(&r, &o, out), 0);
	ck_assert_int_eq(passphrase_count(&o, NULL, NULL), -EINVAL);
	o.max_length = 1;     /* below the separator and digit alone */
	ck_assert_uint_eq(passphrase_generate(&r, &o, out), 0);
	ck_assert_int_eq(passphrase_count(&o, NULL, NULL), -EINVAL);
	o.words = 0;
	ck_assert_uint_eq(passphrase_generate(&r, &o, out), 0);
	rng_wipe(&r);
}
END_TEST

/* Brute force: every tuple of an explicit small list of word lengths. */
static long double brute_tuples(const size_t *lens, size_t nlens,
				size_t words, size_t budget)
{
	size_t idx[8] = { 0 };
	long double n = 0;

	for (;;) {
		size_t total = 0, w;

		for (w = 0; w < words; w++)
			total += lens[idx[w]];
		if (total <= budget)
			n++;
		for (w = 0; w < words; w++) {
			if (++idx[w] < nlens)
				break;
			idx[w] = 0;
		}
		if (w == words)
			return n;
	}
}

START_TEST(test_count_hist_brute_force)
{
	static const unsigned hists[][6] = {
		{ 0, 2, 0, 3, 1, 0 },
		{ 1, 1, 1, 1, 1, 1 },   /* includes an empty word */
		{ 0, 0, 0, 4, 0, 2 },
		{ 0, 3, 0, 0, 0, 0 },
		{ 0, 0, 1, 2, 3, 1 },
	};

	for (size_t h = 0; h < sizeof(hists) / sizeof(hists[0]); h++) {
		size_t lens[16], nlens = 0;

		for (size_t l = 0; l < 6; l++)
			for (unsigned k = 0; k < hists[h][l]; k++)
				lens[nlens++] = l;
		for (size_t words = 1; words <= 5; words++)
			for (size_t budget = 0; budget <= 5 * words + 1;
			     budget++) {
				long double dp = -1;

				ck_assert_int_eq(passphrase_count_hist(
					hists[h], 5, words, budget, &dp), 0);
				REQUIRE(dp == brute_tuples(lens, nlens,
							   words, budget));
			}
	}
	{
		long double t;

		ck_assert_int_eq(passphrase_count_hist(hists[0], 5, 205, 10,
						       &t), -EINVAL);
		ck_assert_int_eq(passphrase_count_hist(hists[0], 5, 0, 10,
						       &t), 0);
		ck_assert(t == 1);  /* the empty tuple */
	}
}
END_TEST

/* On the real list, pairs by prefix sums (a different algorithm than the
 * DP), for every budget. */
START_TEST(test_count_pairs_real_list)
{
	unsigned long cum[PASSPHRASE_WORD_MAX_LEN * 2 + 2] = { 0 };

	for (size_t b = 0; b < sizeof(cum) / sizeof(cum[0]); b++)
		for (size_t l = 0; l <= PASSPHRASE_WORD_MAX_LEN && l <= b; l++)
			cum[b] += passphrase_wordlist_hist[l];
	for (size_t budget = 0; budget <= 2 * PASSPHRASE_WORD_MAX_LEN + 1;
	     budget++) {
		long double want = 0, got = -1;

		for (size_t i = 0; i < PASSPHRASE_WORDLIST_SIZE; i++) {
			size_t li = passphrase_word_len(i);

			if (li <= budget)
				want += (long double)cum[budget - li];
		}
		ck_assert_int_eq(passphrase_count_hist(passphrase_wordlist_hist,
						       PASSPHRASE_WORD_MAX_LEN,
						       2, budget, &got), 0);
		ck_assert(got == want);
	}
}
END_TEST

/* Exact: integer powers by repeated multiplication (all below 2^64 here). */
static long double ipow(unsigned b, unsigned e)
{
	long double v = 1;

	while (e-- > 0)
		v *= b;
	return v;
}

START_TEST(test_count_values)
{
	struct passphrase_opts o;
	long double outputs, acc;

	passphrase_opts_default(&o);
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == ipow(7776, 6));
	ck_assert(acc == 1);
	ck_assert_double_eq_tol((double)log2l(outputs), 77.549, 0.001);
	ck_assert_double_eq_tol((double)log2l(outputs) / 6, 12.925, 0.001);

	o.number = true;      /* x 6 positions x 10 digits */
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == ipow(7776, 6) * 60);
	ck_assert_double_eq_tol((double)log2l(outputs), 83.456, 0.001);

	/* one word of at most 3 letters: the 82 three-letter words */
	o.words = 1;
	o.number = false;
	o.max_length = 3;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == 82);
	ck_assert(acc == 82.0L / 7776);
	o.number = true;
	o.max_length = 4;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == 820);

	/* three 3-letter words and two spaces */
	o.words = 3;
	o.number = false;
	o.separator[0] = ' ';
	o.max_length = 11;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == 82.0L * 82 * 82);
	o.max_length = 10;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), -EINVAL);

	/* the limit at the longest passphrase is no limit; one less is */
	o.max_length = 3 * 9 + 2;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(acc == 1);
	o.max_length--;
	ck_assert_int_eq(passphrase_count(&o, &outputs, &acc), 0);
	ck_assert(outputs == ipow(7776, 3) - ipow(1557, 3));
	ck_assert(acc < 1);

	/* NULL outputs are allowed; 20 words of 8-byte separators work */
	o.words = 20;
	o.separator_len = 8;
	memcpy(o.separator, "<=>=<=>=", 8);
	o.max_length = 250;
	ck_assert_int_eq(passphrase_count(&o, NULL, &acc), 0);
	ck_assert(acc > 0 && acc < 1);
}
END_TEST

START_TEST(test_choices_distinct)
{
	struct passphrase_opts o;

	passphrase_opts_default(&o);
	ck_assert(!passphrase_choices_distinct(&o));   /* "-": yo-yo */
	o.separator[0] = ' ';
	ck_assert(passphrase_choices_distinct(&o));
	o.separator[0] = '7';
	ck_assert(passphrase_choices_distinct(&o));
	o.number = true;
	ck_assert(!passphrase_choices_distinct(&o));
	o.separator_len = 2;
	memcpy(o.separator, "7.", 2);
	ck_assert(passphrase_choices_distinct(&o));
	o.separator_len = 0;
	ck_assert(!passphrase_choices_distinct(&o));
	o.words = 1;
	ck_assert(passphrase_choices_distinct(&o));
	o.words = 2;
	o.separator_len = 3;
	memcpy(o.separator, "aB-", 3);
	/* EFF words are lower case: 'B' occurs only once capitalised */
	ck_assert(passphrase_choices_distinct(&o));
	o.capitalize = PASSPHRASE_CASE_FIRST;
	ck_assert(!passphrase_choices_distinct(&o));
}
END_TEST

/* 120000 words, bucketed by index / 96 into 81 cells of equal size (7776 =
 * 81 x 96): df = 80. */
START_TEST(test_word_uniformity)
{
	static unsigned long counts[81];
	double expected[81];
	struct passphrase_opts o;
	struct rng r;
	char out[PASSPHRASE_MAX_ITEM_LEN];
	size_t total = 0;

	passphrase_opts_default(&o);
	o.separator[0] = ' ';
	rng_init_seeded(&r, seed);
	for (int k = 0; k < 20000; k++) {
		size_t n = passphrase_generate(&r, &o, out), start = 0;

		for (size_t i = 0; i <= n; i++) {
			if (i == n || out[i] == ' ') {
				long idx = word_index(out + start, i - start);

				REQUIRE(idx >= 0);
				counts[idx / 96]++;
				total++;
				start = i + 1;
			}
		}
	}
	ck_assert_uint_eq(total, 120000);
	for (size_t i = 0; i < 81; i++)
		expected[i] = 120000.0 / 81;
	ck_assert_double_lt(chi_square(counts, expected, 81), CRIT_DF80);
	rng_wipe(&r);
}
END_TEST

/* number=true: which of 4 words got the digit, and the digit, as one 4 x 10
 * table: df = 39. */
START_TEST(test_number_uniformity)
{
	static unsigned long counts[40];
	double expected[40];
	struct passphrase_opts o;
	struct rng r;
	char out[PASSPHRASE_MAX_ITEM_LEN];

	passphrase_opts_default(&o);
	o.words = 4;
	o.separator[0] = ' ';
	o.number = true;
	rng_init_seeded(&r, seed);
	for (int k = 0; k < 40000; k++) {
		size_t d = 99, n = passphrase_generate(&r, &o, out);
		int digit = -1;

		check_item(&o, out, n, &d, &digit);
		counts[d * 10 + (size_t)digit]++;
	}
	for (size_t i = 0; i < 40; i++)
		expected[i] = 1000;
	ck_assert_double_lt(chi_square(counts, expected, 40), CRIT_DF39);
	rng_wipe(&r);
}
END_TEST

/* Uniform among the choices that fit, not merely "short": 2 words, " ",
 * max_length 11 leaves 10 letters. The pair of word lengths (l1, l2) with
 * l1 + l2 <= 10 has probability hist[l1] hist[l2] / count: 15 cells,
 * df = 14. Truncating or fixing up long candidates would skew this. */
START_TEST(test_max_length_uniformity)
{
	static unsigned long counts[10][10];
	unsigned long obs[15];
	double expected[15];
	const unsigned *h = passphrase_wordlist_hist;
	struct passphrase_opts o;
	struct rng r;
	char out[PASSPHRASE_MAX_ITEM_LEN];
	long double count, acc;
	size_t cells = 0;
	const int samples = 60000;

	passphrase_opts_default(&o);
	o.words = 2;
	o.separator[0] = ' ';
	o.max_length = 11;
	ck_assert_int_eq(passphrase_count(&o, &count, &acc), 0);
	rng_init_seeded(&r, seed);
	for (int k = 0; k < samples; k++) {
		size_t n = passphrase_generate(&r, &o, out);
		const char *sp = memchr(out, ' ', n);
		size_t l1;

		REQUIRE(sp != NULL);
		l1 = (size_t)(sp - out);
		REQUIRE(word_index(out, l1) >= 0);
		REQUIRE(word_index(sp + 1, n - l1 - 1) >= 0);
		counts[l1][n - l1 - 1]++;
	}
	for (size_t l1 = 3; l1 <= 9; l1++)
		for (size_t l2 = 3; l1 + l2 <= 10; l2++) {
			obs[cells] = counts[l1][l2];
			expected[cells] = samples * (double)h[l1] *
					  (double)h[l2] / (double)count;
			cells++;
		}
	ck_assert_uint_eq(cells, 15);
	ck_assert_double_lt(chi_square(obs, expected, cells), CRIT_DF14);
	rng_wipe(&r);
}
END_TEST

/* Case names both ways; nothing else parses. */
START_TEST(test_case_names)
{
	static const char *const names[] = { "none", "first", "all" };
	enum passphrase_case c;

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(passphrase_case_parse(names[i],
						       strlen(names[i]), &c),
				 0);
		ck_assert_int_eq(c, i);
		ck_assert_str_eq(passphrase_case_name(c), names[i]);
	}
	ck_assert_int_eq(passphrase_case_parse("First", 5, &c), -EINVAL);
	ck_assert_int_eq(passphrase_case_parse("al", 2, &c), -EINVAL);
	ck_assert_int_eq(passphrase_case_parse("", 0, &c), -EINVAL);
	ck_assert_ptr_null(passphrase_case_name((enum passphrase_case)3));
}
END_TEST

Suite *passphrase_suite(void)
{
	Suite *s = suite_create("passphrase");
	TCase *tc = tcase_create("wordlist");
	TCase *tg = tcase_create("generate");
	TCase *tn = tcase_create("count");
	TCase *tu = tcase_create("chi-square");

	tcase_add_test(tc, test_wordlist_shape);
	tcase_add_test(tc, test_opts_check_and_sizes);
	tcase_add_test(tc, test_case_names);
	suite_add_tcase(s, tc);
	tcase_add_test(tg, test_generate_shape);
	tcase_add_test(tg, test_generate_cases_and_reproducible);
	tcase_add_test(tg, test_max_length_respected);
	suite_add_tcase(s, tg);
	tcase_add_test(tn, test_count_hist_brute_force);
	tcase_add_test(tn, test_count_pairs_real_list);
	tcase_add_test(tn, test_count_values);
	tcase_add_test(tn, test_choices_distinct);
	suite_add_tcase(s, tn);
	tcase_set_timeout(tu, 60);
	tcase_add_test(tu, test_word_uniformity);
	tcase_add_test(tu, test_number_uniformity);
	tcase_add_test(tu, test_max_length_uniformity);
	suite_add_tcase(s, tu);
	return s;
}
