/*
 * chi_square.h - Pearson's statistic for the tests' uniformity checks
 * (unit, integration and the `make stats` tool): observed counts against
 * the same expected count in every cell. Each caller compares it with
 * chi2.ppf(0.999, cells - 1), written down beside the test.
 */
#ifndef PWGEND_TEST_CHI_SQUARE_H
#define PWGEND_TEST_CHI_SQUARE_H

#include <stddef.h>

static inline double chi_square(const unsigned long *observed, size_t cells,
				double expected)
{
	double x = 0;

	for (size_t i = 0; i < cells; i++) {
		double d = (double)observed[i] - expected;

		x += d * d / expected;
	}
	return x;
}

#endif
