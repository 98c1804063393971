/*
 * check_stats.c - live statistical tests of the generators on the real,
 * kernel-keyed stream.
 *
 * Each test is a chi-square goodness-of-fit test against the uniform
 * distribution at a fixed significance level p = 0.001; critical values are
 * chi2.ppf(0.999, df), computed once and written down here. A correct
 * generator fails a given test with probability 0.001 (so, rarely, a rerun
 * is the right response); the biased control below shows the same test does
 * reject real bias. Chi-square cannot see tiny biases: the exact mapping
 * tests in check_gen.c cover the sampler's logic.
 */
#include <string.h>

#include "gen.h"
#include "rng.h"
#include "suites.h"

/* chi2.ppf(0.999, df) */
#define CRIT_DF9 27.877
#define CRIT_DF93 140.893
#define CRIT_DF99 148.230
#define CRIT_DF1239 1398.546

static double chi_square(const unsigned long *observed, size_t cells,
			 double expected)
{
	double x = 0;

	for (size_t i = 0; i < cells; i++) {
		double d = (double)observed[i] - expected;

		x += d * d / expected;
	}
	return x;
}

static int index_of(const struct alphabet *a, char c)
{
	const char *p = memchr(a->chars, c, a->size);

	ck_assert_ptr_nonnull(p);
	return (int)(p - a->chars);
}

/* 10^6 characters of 94 (all classes): frequencies, df = 93. */
START_TEST(test_password_character_frequencies)
{
	static unsigned long counts[94];
	struct alphabet a;
	struct rng r;
	char item[20];

	alphabet_for_classes(&a, 15);
	rng_init(&r);
	for (int n = 0; n < 50000; n++) {
		gen_sample(&r, &a, item, sizeof(item));
		for (size_t i = 0; i < sizeof(item); i++)
			counts[index_of(&a, item[i])]++;
	}
	ck_assert_double_lt(chi_square(counts, 94, 1e6 / 94), CRIT_DF93);
}
END_TEST

/* Each position of the default 62-character alphabet, as one 20 x 62 table
 * against the uniform: df = 1239. Fixed positions would show here. */
START_TEST(test_password_positions)
{
	static unsigned long counts[20 * 62];
	struct alphabet a;
	struct rng r;
	char item[20];

	alphabet_for_classes(&a, GEN_CLASS_LOWER | GEN_CLASS_UPPER |
				     GEN_CLASS_DIGITS);
	rng_init(&r);
	for (int n = 0; n < 50000; n++) {
		gen_sample(&r, &a, item, sizeof(item));
		for (size_t i = 0; i < sizeof(item); i++)
			counts[i * 62 + (size_t)index_of(&a, item[i])]++;
	}
	ck_assert_double_lt(chi_square(counts, 20 * 62, 50000.0 / 62),
			    CRIT_DF1239);
}
END_TEST

/* 10^6 PIN digits, df = 9; and 600000 disjoint digit pairs, df = 99. */
START_TEST(test_pin_digits_and_pairs)
{
	static unsigned long digits[10], pairs[100];
	struct alphabet a;
	struct rng r;
	char pin[6];

	alphabet_for_classes(&a, GEN_CLASS_DIGITS);
	rng_init(&r);
	for (int n = 0; n < 200000; n++) {
		gen_sample(&r, &a, pin, sizeof(pin));
		for (size_t i = 0; i < sizeof(pin); i++)
			digits[pin[i] - '0']++;
		for (size_t i = 0; i < sizeof(pin); i += 2)
			pairs[(pin[i] - '0') * 10 + (pin[i + 1] - '0')]++;
	}
	ck_assert_double_lt(chi_square(digits, 10, 1.2e6 / 10), CRIT_DF9);
	ck_assert_double_lt(chi_square(pairs, 100, 6e5 / 100), CRIT_DF99);
}
END_TEST

/* Control: `byte % 94` without rejection is biased (the first 68 characters
 * get 3 of 256 bytes, the rest 2) and the same test must reject it. Seeded,
 * so this control is deterministic. */
START_TEST(test_biased_control_is_rejected)
{
	static const unsigned char seed[RNG_KEY_SIZE] = { 42 };
	static unsigned long counts[94];
	struct rng r;

	rng_init_seeded(&r, seed);
	for (int n = 0; n < 1000000; n++)
		counts[rng_byte(&r) % 94]++;
	ck_assert_double_gt(chi_square(counts, 94, 1e6 / 94), CRIT_DF93);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("chi-square");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_password_character_frequencies);
	tcase_add_test(tc, test_password_positions);
	tcase_add_test(tc, test_pin_digits_and_pairs);
	tcase_add_test(tc, test_biased_control_is_rejected);
	suite_add_tcase(s, tc);
	return s;
}
