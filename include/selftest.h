/*
 * selftest.h - a start-up sanity check of the random source.
 *
 * What it can detect: libsodium not initialised, and a random source that is
 * broken outright - returning all zeros, one repeated byte, the same block
 * twice, or bits far from half ones (a stuck or heavily biased source).
 * What it cannot detect: a source that looks random but is predictable (a
 * seeded PRNG, a compromised kernel); no black-box test can. It is a smoke
 * alarm, not a certification: the statistical tests in the test suite cover
 * the generator itself.
 *
 * A failure does not stop the process (an orchestrator should see it through
 * GET /readyz rather than a crash loop), but pwgend then refuses to generate.
 */
#ifndef PWGEND_SELFTEST_H
#define PWGEND_SELFTEST_H

#include <stddef.h>

enum { SELFTEST_BLOCK = 64 };

/* The checks on two blocks drawn one after the other: NULL if they pass,
 * else why not (a static string). Pure, so tests can feed it bad blocks. */
const char *selftest_check_blocks(const unsigned char *a,
				  const unsigned char *b, size_t n);

/* Initialise libsodium (idempotent), draw two SELFTEST_BLOCK-byte blocks
 * with randombytes_buf() and check them. NULL if the test passes, else why
 * not. The blocks are wiped afterwards. */
const char *selftest_rng(void);

#endif
