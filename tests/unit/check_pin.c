/*
 * check_pin.c - the weak-PIN definition and its exact counts: every PIN of
 * 4 to 6 digits enumerated against an independent naive reading of the
 * definition in pin.h, hand-worked counts for longer lengths, examples.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pin.h"
#include "suites.h"

/* Check's ck_assert_* records every passing assertion through its pipe
 * (a system call each); loops over millions of cases use this instead,
 * which costs nothing until it fails. */
#define REQUIRE(c)                                                          \
	do {                                                                 \
		if (!(c))                                                    \
			ck_abort_msg("%s:%d: %s failed (pin %.*s)", __FILE__, \
				     __LINE__, #c, (int)len, pin);           \
	} while (0)

/* The definition, read literally and slowly. */
static bool naive_periodic(const char *s, size_t len)
{
	for (size_t p = 1; p < len; p++) {
		bool same = true;

		if (len % p != 0)
			continue;
		for (size_t i = 0; i < len; i++)
			if (s[i] != s[i % p])
				same = false;
		if (same)
			return true;
	}
	return false;
}

static bool naive_run(const char *s, size_t len)
{
	bool up = true, down = true;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != s[0] + (int)i)
			up = false;
		if (s[i] != s[0] - (int)i)
			down = false;
	}
	/* digits only: s[0] + len - 1 <= '9' and s[0] - len + 1 >= '0' are
	 * implied because every s[i] is a digit */
	return len >= 2 && (up || down);
}

static bool naive_blocklisted(const char *s, size_t len)
{
	size_t n;
	const char *const *list = pin_blocklist(&n);

	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
			return true;
	return false;
}

/* Every PIN of len digits: the predicate agrees with the naive reading on
 * each one, and the count is exact. */
static void brute_force(size_t len, unsigned long want_weak)
{
	char pin[8];
	unsigned long total = 1, weak = 0;
	long double counted, allowed, all;

	for (size_t i = 0; i < len; i++)
		total *= 10;
	for (unsigned long v = 0; v < total; v++) {
		unsigned long x = v;
		bool naive;

		for (size_t i = len; i-- > 0; x /= 10)
			pin[i] = (char)('0' + x % 10);
		naive = naive_periodic(pin, len) || naive_run(pin, len) ||
			naive_blocklisted(pin, len);
		REQUIRE(pin_is_periodic(pin, len) == naive_periodic(pin, len));
		REQUIRE(pin_is_run(pin, len) == naive_run(pin, len));
		REQUIRE(pin_is_weak(pin, len) == naive);
		weak += naive;
	}
	ck_assert_uint_eq(weak, want_weak);
	ck_assert_int_eq(pin_weak_count(len, &counted), 0);
	ck_assert(counted == (long double)weak);
	ck_assert_int_eq(pin_allowed_count(len, true, &allowed), 0);
	ck_assert(allowed == (long double)(total - weak));
	ck_assert_int_eq(pin_allowed_count(len, false, &all), 0);
	ck_assert(all == (long double)total);
}

/* len 4: 100 periodic (period 1 or 2) + 14 runs + 4 blocklisted others
 * (0852 1998 2580 5683). */
START_TEST(test_brute_force_4)
{
	brute_force(4, 118);
}
END_TEST

/* len 5: 10 periodic (all same) + 12 runs; no five-digit blocklist. */
START_TEST(test_brute_force_5)
{
	brute_force(5, 22);
}
END_TEST

/* len 6: 10^6 - (10^6 - 10^3 - 10^2 + 10) = 1090 periodic + 10 runs + 3
 * blocklisted others (112233 159753 789456). */
START_TEST(test_brute_force_6)
{
	brute_force(6, 1103);
}
END_TEST

START_TEST(test_examples)
{
	static const char *const weak[] = {
		"0000", "1111", "9999", "1212", "6969", "1010", "0123", "6789",
		"9876", "3210", "4321", "1234", "2580",
		"0852", "5683", "1998", "123123", "121212", "112233", "159753",
		"789456", "654321", "123456", "000000", "12341234", "3456789",
		"0123456789", "9876543210", "77777777777777777777",
		"123123123", "1212121212121212",
	};
	static const char *const strong[] = {
		"1357", "2468", "7890", "0987", "1233", "8068", "1122", "1004",
		"11223344", "1231", "12312", "112", "01234567890",
		"98765432109", "159357", "147258", "1212121", "123412341",
		"2580258", "0852963",
	};
	char longest[PIN_MAX_LEN];

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		ck_assert_msg(pin_is_weak(weak[i], strlen(weak[i])),
			      "%s should be weak", weak[i]);
	for (size_t i = 0; i < sizeof(strong) / sizeof(strong[0]); i++)
		ck_assert_msg(!pin_is_weak(strong[i], strlen(strong[i])),
			      "%s should not be weak", strong[i]);
	memset(longest, '5', sizeof(longest));
	ck_assert(pin_is_weak(longest, sizeof(longest)));
	longest[63] = '6';
	ck_assert(!pin_is_weak(longest, sizeof(longest)));
	memcpy(longest + 32, longest, 32);  /* 55..56 55..56 */
	ck_assert(pin_is_weak(longest, sizeof(longest)));
	ck_assert(pin_is_periodic(longest, sizeof(longest)));
}
END_TEST

START_TEST(test_blocklist)
{
	size_t n, extra4 = 0, extra6 = 0;
	const char *const *list = pin_blocklist(&n);

	ck_assert_uint_eq(n, 21);  /* 5 + 6 + 10, see pin.h */
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list[i]);

		ck_assert(len == 4 || len == 6);
		for (size_t j = 0; j < len; j++)
			ck_assert(list[i][j] >= '0' && list[i][j] <= '9');
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(list[i], list[j]);
		ck_assert(pin_is_blocklisted(list[i], len));
		ck_assert(pin_is_weak(list[i], len));
		if (!pin_is_periodic(list[i], len) &&
		    !pin_is_run(list[i], len)) {
			if (len == 4)
				extra4++;
			else
				extra6++;
		}
	}
	ck_assert_uint_eq(extra4, 4);  /* 0852 1998 2580 5683 */
	ck_assert_uint_eq(extra6, 3);
	ck_assert(!pin_is_blocklisted("1234", 3));
	ck_assert(!pin_is_blocklisted("12345", 5));
}
END_TEST

/* Longer lengths, worked by hand from the Moebius formula. */
START_TEST(test_counts_long)
{
	static const struct {
		size_t len;
		long double weak;
	} cases[] = {
		/* prime: all-same only, + 2 (11 - 7) runs */
		{ 7, 10 + 8 },
		/* 2: 10^4; 4: mu = 0; 8: mu = 0; + 2 (11 - 8) runs */
		{ 8, 10000 + 6 },
		/* 3: 10^3; 9: mu = 0; + 4 runs */
		{ 9, 1000 + 4 },
		/* 2: 10^5; 5: 10^2; 10: -10; + 2 runs */
		{ 10, 100000 + 100 - 10 + 2 },
		/* prime, no runs: all-same only */
		{ 11, 10 },
		/* 2: 10^6; 3: 10^4; 6: -10^2 */
		{ 12, 1000000 + 10000 - 100 },
		/* 2: 10^15, 3: 10^10, 5: 10^6, 6: -10^5, 10: -10^3,
		 * 15: -10^2, 30: +10 */
		{ 30, 1000000000000000.0L + 10000000000.0L + 1000000 -
			      100000 - 1000 - 100 + 10 },
		/* 2: 10^19, 19: 10^2, 38: -10; below 2^64, so exact */
		{ 38, 10000000000000000090.0L },
		/* 3: 10^13, 13: 10^3, 39: -10 */
		{ 39, 10000000000000.0L + 1000 - 10 },
	};
	long double w, a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(pin_weak_count(cases[i].len, &w), 0);
		ck_assert_msg(w == cases[i].weak, "len %zu: %.0Lf != %.0Lf",
			      cases[i].len, w, cases[i].weak);
	}
	/* 64 = 2^6: only d = 2 has mu != 0: 10^32 (rounded to 64 bits) */
	ck_assert_int_eq(pin_weak_count(64, &w), 0);
	ck_assert(fabsl(w / 1e32L - 1) < 1e-18L);
	ck_assert_int_eq(pin_allowed_count(64, true, &a), 0);
	ck_assert(fabsl(a / 1e64L - 1) < 1e-18L);
	ck_assert_int_eq(pin_allowed_count(64, false, &a), 0);
	ck_assert(fabsl(a / 1e64L - 1) < 1e-18L);
	ck_assert_int_eq(pin_allowed_count(19, true, &a), 0);
	/* 19 prime: 10 periodic, no runs: exactly 10^19 - 10 */
	ck_assert(a == 9999999999999999990.0L);
	/* every length works and is sane */
	for (size_t len = PIN_MIN_LEN; len <= PIN_MAX_LEN; len++) {
		long double all;

		ck_assert_int_eq(pin_weak_count(len, &w), 0);
		ck_assert_int_eq(pin_allowed_count(len, true, &a), 0);
		ck_assert_int_eq(pin_allowed_count(len, false, &all), 0);
		ck_assert(w >= 10 && a > 0 && a <= all);
		ck_assert(w / all <= 0.0123L);
	}
	ck_assert_int_eq(pin_weak_count(3, &w), -EINVAL);
	ck_assert_int_eq(pin_weak_count(65, &w), -EINVAL);
	ck_assert_int_eq(pin_allowed_count(3, false, &a), -EINVAL);
	ck_assert_int_eq(pin_allowed_count(65, true, &a), -EINVAL);
	/* entropy of the default and the smallest request */
	ck_assert_int_eq(pin_allowed_count(6, true, &a), 0);
	ck_assert_double_eq_tol((double)log2l(a), 19.92998, 0.00001);
	ck_assert_int_eq(pin_allowed_count(4, true, &a), 0);
	ck_assert_double_eq_tol((double)log2l(a), 13.27059, 0.00001);
}
END_TEST

Suite *pin_suite(void)
{
	Suite *s = suite_create("pin");
	TCase *tc = tcase_create("weak");
	TCase *tb = tcase_create("brute-force");

	tcase_add_test(tc, test_examples);
	tcase_add_test(tc, test_blocklist);
	tcase_add_test(tc, test_counts_long);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tb, 120);
	tcase_add_test(tb, test_brute_force_4);
	tcase_add_test(tb, test_brute_force_5);
	tcase_add_test(tb, test_brute_force_6);
	suite_add_tcase(s, tb);
	return s;
}
