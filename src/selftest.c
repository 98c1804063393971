/* selftest.c - see selftest.h. */
#include "selftest.h"

#include <stdbool.h>
#include <string.h>

#include <sodium.h>

static bool all_bytes_equal(const unsigned char *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (p[i] != p[0])
			return false;
	}
	return true;
}

static size_t count_ones(const unsigned char *p, size_t n)
{
	size_t ones = 0;

	for (size_t i = 0; i < n; i++)
		ones += (size_t)__builtin_popcount(p[i]);
	return ones;
}

/* Monobit over both blocks: of their 16n bits a working source sets about
 * 8n, with a standard deviation of sqrt(16n / 4) = 2 sqrt(n). Refuse beyond
 * 6 deviations (12 sqrt(n): 96 of 1024 bits for 64-byte blocks), which a
 * working source does about once in 10^9 starts. */
static bool ones_plausible(const unsigned char *a, const unsigned char *b,
			   size_t n)
{
	size_t ones = count_ones(a, n) + count_ones(b, n);
	size_t mean = 8 * n, bound = 0;

	while (bound * bound < 144 * n)  /* bound = ceil(12 sqrt(n)) */
		bound++;
	return ones + bound >= mean && ones <= mean + bound;
}

const char *selftest_check_blocks(const unsigned char *a,
				  const unsigned char *b, size_t n)
{
	if (n < 16)
		return "blocks too short to test";
	if (all_bytes_equal(a, n) || all_bytes_equal(b, n))
		return "randombytes_buf returned a constant block";
	if (memcmp(a, b, n) == 0)
		return "randombytes_buf returned the same block twice";
	if (!ones_plausible(a, b, n))
		return "randombytes_buf output is heavily biased";
	return NULL;
}

const char *selftest_rng(void)
{
	unsigned char a[SELFTEST_BLOCK], b[SELFTEST_BLOCK];
	const char *why;

	if (sodium_init() < 0)
		return "sodium_init failed";
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	why = selftest_check_blocks(a, b, sizeof(a));
	sodium_memzero(a, sizeof(a));
	sodium_memzero(b, sizeof(b));
	return why;
}
