/* check_policy.c - exact counting of constrained passwords against brute
 * force, the reference values, acceptance and the accept predicate. */
#include <math.h>
#include <string.h>

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

/* Enumerate every string of p->length over the alphabet. */
static unsigned long brute_force(const struct password_policy *p)
{
	size_t idx[8] = { 0 };
	char s[8];
	unsigned long n = 0;

	for (;;) {
		size_t i;

		for (i = 0; i < p->length; i++)
			s[i] = p->alphabet[idx[i]];
		n += policy_accepts(p, s, p->length);
		for (i = 0; i < p->length; i++) {
			if (++idx[i] < p->alphabet_len)
				break;
			idx[i] = 0;
		}
		if (i == p->length)
			return n;
	}
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
	suite_add_tcase(s, tc);
	return s;
}
