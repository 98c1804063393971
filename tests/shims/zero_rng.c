/*
 * zero_rng.c - an LD_PRELOAD shim for tests/integration/test_ops.c:
 * libsodium's randombytes_buf() replaced by one that returns zeros, i.e. a
 * broken random source. pwgend's start-up self-test must catch it: /readyz and
 * generation answer 503 not-ready. Built without sanitizers on purpose
 * (it is loaded into whichever pwgend is under test).
 */
#include <stddef.h>
#include <string.h>

void randombytes_buf(void *buf, size_t size);

void randombytes_buf(void *buf, size_t size)
{
	memset(buf, 0, size);
}
