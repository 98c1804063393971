/* check_gen.c - alphabets, the unbiased sampler (exact mapping against a
 * replay of the same seeded stream), the item coroutine, and the rng. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "gen.h"
#include "rng.h"
#include "suites.h"

static const unsigned char seed_a[RNG_KEY_SIZE] = { 1, 2, 3 };
static const unsigned char seed_b[RNG_KEY_SIZE] = { 9, 8, 7 };

START_TEST(test_alphabet_rejects_bad_sets)
{
	struct alphabet a;
	char all[257];

	for (int i = 0; i < 257; i++)
		all[i] = (char)i;
	ck_assert_int_eq(alphabet_init(&a, "", 0), -EINVAL);
	ck_assert_int_eq(alphabet_init(&a, "abca", 4), -EINVAL);
	ck_assert_int_eq(alphabet_init(&a, all, 257), -EINVAL);
	ck_assert_int_eq(alphabet_init(&a, all, 256), 0);
	ck_assert_uint_eq(a.limit, 256);
	ck_assert_int_eq(alphabet_for_classes(&a, 0), -EINVAL);
}
END_TEST

START_TEST(test_rejection_limits)
{
	/* limit = 256 - 256 % k: the largest multiple of k that fits a byte */
	static const struct { unsigned k, limit; } cases[] = {
		{ 1, 256 }, { 10, 250 }, { 26, 234 }, { 62, 248 },
		{ 94, 188 }, { 128, 256 }, { 200, 200 },
	};
	char chars[256];

	for (int i = 0; i < 256; i++)
		chars[i] = (char)i;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alphabet a;

		ck_assert_int_eq(alphabet_init(&a, chars, cases[i].k), 0);
		ck_assert_uint_eq(a.limit, cases[i].limit);
		/* every accepted byte maps to chars[b % k]: each character
		 * has exactly limit / k preimages */
		for (unsigned b = 0; b < a.limit; b++)
			ck_assert_int_eq(a.map[b], chars[b % cases[i].k]);
	}
}
END_TEST

START_TEST(test_class_alphabets)
{
	static const struct { unsigned classes; const char *chars; } cases[] = {
		{ GEN_CLASS_LOWER, GEN_LOWER_CHARS },
		{ GEN_CLASS_UPPER, GEN_UPPER_CHARS },
		{ GEN_CLASS_DIGITS, GEN_DIGIT_CHARS },
		{ GEN_CLASS_SYMBOLS, GEN_SYMBOL_CHARS },
		{ GEN_CLASS_LOWER | GEN_CLASS_DIGITS,
		  GEN_LOWER_CHARS GEN_DIGIT_CHARS },
		{ 15, GEN_LOWER_CHARS GEN_UPPER_CHARS GEN_DIGIT_CHARS
		      GEN_SYMBOL_CHARS },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alphabet a;

		ck_assert_int_eq(alphabet_for_classes(&a, cases[i].classes), 0);
		ck_assert_uint_eq(a.size, strlen(cases[i].chars));
		ck_assert_int_eq(memcmp(a.chars, cases[i].chars, a.size), 0);
	}
}
END_TEST

START_TEST(test_symbols_are_ascii_punctuation)
{
	/* the 32 characters C's ispunct() accepts in the C locale */
	const char *s = GEN_SYMBOL_CHARS;
	int n = 0;

	for (int c = 0; c < 128; c++) {
		if ((c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
		    (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e)) {
			ck_assert_ptr_nonnull(strchr(s, c));
			n++;
		}
	}
	ck_assert_int_eq(n, 32);
	ck_assert_uint_eq(strlen(s), 32);
}
END_TEST

START_TEST(test_entropy)
{
	struct alphabet a;

	alphabet_for_classes(&a, GEN_CLASS_LOWER | GEN_CLASS_UPPER |
				     GEN_CLASS_DIGITS);
	ck_assert_double_eq_tol(alphabet_entropy_bits(&a, 20), 119.0839, 1e-3);
	alphabet_for_classes(&a, GEN_CLASS_DIGITS);
	ck_assert_double_eq_tol(alphabet_entropy_bits(&a, 6), 19.9316, 1e-3);
}
END_TEST

/* The sampler must equal "take the stream's bytes, drop b >= limit, map
 * the rest": replay the same seeded stream by hand and compare exactly. */
START_TEST(test_sampler_is_exact_rejection)
{
	struct rng r1, r2;
	struct alphabet a;
	char got[4000], want[4000];
	size_t n = 0, rejected = 0;

	alphabet_for_classes(&a, 15);  /* 94 characters: limit 188 */
	rng_init_seeded(&r1, seed_a);
	rng_init_seeded(&r2, seed_a);
	gen_sample(&r1, &a, got, sizeof(got));
	while (n < sizeof(want)) {
		unsigned char b = rng_byte(&r2);

		if (b >= 188) {
			rejected++;
			continue;
		}
		want[n++] = a.chars[b % 94];
	}
	ck_assert_int_eq(memcmp(got, want, sizeof(got)), 0);
	ck_assert_uint_gt(rejected, 0);  /* the boundary was exercised */
	/* both streams are at the same point afterwards */
	ck_assert_uint_eq(rng_byte(&r1), rng_byte(&r2));
}
END_TEST

START_TEST(test_seeded_streams)
{
	struct rng r1, r2, r3;
	unsigned char x[3000], y[3000], z[3000];

	rng_init_seeded(&r1, seed_a);
	rng_init_seeded(&r2, seed_a);
	rng_init_seeded(&r3, seed_b);
	rng_bytes(&r1, x, sizeof(x));  /* spans several refills */
	for (size_t i = 0; i < sizeof(y); i++)
		y[i] = rng_byte(&r2);
	rng_bytes(&r3, z, sizeof(z));
	ck_assert_int_eq(memcmp(x, y, sizeof(x)), 0);
	ck_assert_int_ne(memcmp(x, z, sizeof(x)), 0);
}
END_TEST

START_TEST(test_kernel_keyed_streams_differ)
{
	struct rng r1, r2;
	unsigned char x[64], y[64];

	rng_init(&r1);
	rng_init(&r2);
	rng_bytes(&r1, x, sizeof(x));
	rng_bytes(&r2, y, sizeof(y));
	ck_assert_int_ne(memcmp(x, y, sizeof(x)), 0);
	rng_wipe(&r1);
	for (size_t i = 0; i < sizeof(r1.key); i++)
		ck_assert_uint_eq(r1.key[i], 0);
}
END_TEST

START_TEST(test_handed_out_bytes_are_erased)
{
	struct rng r;

	rng_init_seeded(&r, seed_a);
	for (int i = 0; i < 100; i++)
		(void)rng_byte(&r);
	/* fast key erasure: the next key slot and used pool bytes are 0 */
	for (size_t i = 0; i < RNG_KEY_SIZE + 100; i++)
		ck_assert_uint_eq(r.buf[i], 0);
}
END_TEST

START_TEST(test_item_coroutine_chunks)
{
	struct gen_item it = { 0 };
	struct alphabet a;
	struct rng r;
	char out[1024];
	int steps = 0, rc;

	alphabet_for_classes(&a, GEN_CLASS_DIGITS);
	rng_init_seeded(&r, seed_a);
	memset(out, 'x', sizeof(out));
	do {
		rc = gen_item_step(&it, &r, &a, NULL, NULL, sizeof(out), out);
		steps++;
	} while (rc == CORO_YIELD);
	ck_assert_int_eq(rc, CORO_DONE);
	ck_assert_int_eq(steps, 1024 / GEN_CHUNK);
	for (size_t i = 0; i < sizeof(out); i++)
		ck_assert(out[i] >= '0' && out[i] <= '9');
	/* a finished item stays finished */
	ck_assert_int_eq(gen_item_step(&it, &r, &a, NULL, NULL, sizeof(out), out),
			 CORO_DONE);
	memset(&it, 0, sizeof(it));
	ck_assert_int_eq(gen_item_step(&it, &r, &a, NULL, NULL, 20, out), CORO_DONE);
}
END_TEST

Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("gen");

	tcase_add_test(tc, test_alphabet_rejects_bad_sets);
	tcase_add_test(tc, test_rejection_limits);
	tcase_add_test(tc, test_class_alphabets);
	tcase_add_test(tc, test_symbols_are_ascii_punctuation);
	tcase_add_test(tc, test_entropy);
	tcase_add_test(tc, test_sampler_is_exact_rejection);
	tcase_add_test(tc, test_seeded_streams);
	tcase_add_test(tc, test_kernel_keyed_streams_differ);
	tcase_add_test(tc, test_handed_out_bytes_are_erased);
	tcase_add_test(tc, test_item_coroutine_chunks);
	suite_add_tcase(s, tc);
	return s;
}
