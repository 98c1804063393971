/* rng.c - see rng.h: fast-key-erasure ChaCha20 stream keyed by the kernel. */
#include "rng.h"

#include <string.h>

#include <sodium.h>

#include "secmem.h"

static void rekey_from_output(struct rng *r)
{
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	crypto_stream_chacha20(r->buf, sizeof(r->buf), nonce, r->key);
	memcpy(r->key, r->buf, RNG_KEY_SIZE);
	secmem_wipe(r->buf, RNG_KEY_SIZE);
	r->pos = RNG_KEY_SIZE;
}

static void reseed(struct rng *r)
{
	unsigned char fresh[RNG_KEY_SIZE];

	randombytes_buf(fresh, sizeof(fresh));
	for (size_t i = 0; i < RNG_KEY_SIZE; i++)
		r->key[i] ^= fresh[i];
	secmem_wipe(fresh, sizeof(fresh));
	r->since_reseed = 0;
}

void rng_init(struct rng *r)
{
	memset(r, 0, sizeof(*r));
	randombytes_buf(r->key, sizeof(r->key));
	rekey_from_output(r);
}

void rng_init_seeded(struct rng *r, const unsigned char seed[RNG_KEY_SIZE])
{
	memset(r, 0, sizeof(*r));
	memcpy(r->key, seed, RNG_KEY_SIZE);
	r->deterministic = 1;
	rekey_from_output(r);
}

void rng_refill(struct rng *r)
{
	r->since_reseed += RNG_POOL_SIZE;
	if (!r->deterministic && r->since_reseed >= RNG_RESEED_BYTES)
		reseed(r);
	rekey_from_output(r);
}

void rng_bytes(struct rng *r, void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		size_t take;

		if (r->pos == sizeof(r->buf))
			rng_refill(r);
		take = sizeof(r->buf) - r->pos;
		if (take > n)
			take = n;
		memcpy(p, r->buf + r->pos, take);
		secmem_wipe(r->buf + r->pos, take);
		r->pos += take;
		p += take;
		n -= take;
	}
}

void rng_wipe(struct rng *r)
{
	secmem_wipe(r, sizeof(*r));
}

unsigned rng_below(struct rng *r, unsigned k)
{
	unsigned limit = 256u - 256u % k;

	for (;;) {
		unsigned b = rng_byte(r);

		if (b < limit)
			return b % k;
	}
}
