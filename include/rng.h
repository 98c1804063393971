/*
 * rng.h - a fast, forward-secure CSPRNG byte stream, one per scheduler thread.
 *
 * Why not randombytes_uniform()/randombytes_buf() per item? On Debian's
 * libsodium 1.0.18 the default implementation is "sysrandom": every call is a
 * getrandom(2) syscall (measured 19-60x slower than drawing blocks, see
 * docs/ARCHITECTURE.md, "Randomness"). So each scheduler keeps its own stream instead:
 *
 *   - the key comes from randombytes_buf() (the kernel's CSPRNG);
 *   - each refill runs libsodium's ChaCha20 (crypto_stream_chacha20) under the
 *     current key; the first 32 bytes of the output become the next key and the
 *     rest is the pool handed out. This is the "fast key erasure" construction
 *     (D. J. Bernstein, 2017): a compromise of the state never reveals bytes
 *     already handed out, and each key is used for exactly one block, so the
 *     constant nonce is safe;
 *   - every RNG_RESEED_BYTES the key is XORed with fresh kernel randomness.
 *
 * A struct rng belongs to exactly one thread; there is no locking. The service
 * never forks, so there is no fork-safety concern. rng_init_seeded() gives a
 * reproducible stream for unit tests; the service only uses rng_init().
 */
#ifndef PWGEND_RNG_H
#define PWGEND_RNG_H

#include <stddef.h>
#include <stdint.h>

enum {
	RNG_KEY_SIZE = 32,
	RNG_POOL_SIZE = 1024,          /* bytes handed out per ChaCha20 call */
	RNG_RESEED_BYTES = 1 << 20,    /* mix in kernel randomness this often */
};

struct rng {
	unsigned char key[RNG_KEY_SIZE];
	/* buf[0, RNG_KEY_SIZE) is the next key (wiped once copied), the rest
	 * is the pool; pos indexes buf. */
	unsigned char buf[RNG_KEY_SIZE + RNG_POOL_SIZE];
	size_t pos;
	uint64_t since_reseed;         /* bytes produced since the last reseed */
	int deterministic;             /* seeded for tests: never reseeds */
};

/* Key the stream from the kernel. */
void rng_init(struct rng *r);

/* Key the stream from `seed`: the same seed gives the same bytes (tests). */
void rng_init_seeded(struct rng *r, const unsigned char seed[RNG_KEY_SIZE]);

/* Produce a fresh pool (called by rng_byte when the pool is exhausted). */
void rng_refill(struct rng *r);

/* Fill out[0, n) with random bytes. */
void rng_bytes(struct rng *r, void *out, size_t n);

/* Uniform on [0, k) for 1 <= k <= 256: a byte, redrawn while it is
 * >= 256 - 256 % k, so no residue is favoured (no modulo bias). */
unsigned rng_below(struct rng *r, unsigned k);

/* Wipe all key material. */
void rng_wipe(struct rng *r);

/* One byte. The pool byte is cleared as it is handed out (fast key erasure:
 * nothing already used stays in memory). */
static inline unsigned char rng_byte(struct rng *r)
{
	unsigned char b;

	if (r->pos == sizeof(r->buf))
		rng_refill(r);
	b = r->buf[r->pos];
	r->buf[r->pos++] = 0;
	return b;
}

#endif
