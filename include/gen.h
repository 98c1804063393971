/*
 * gen.h - password and PIN generation: alphabets, the unbiased sampler and the
 * per-item generator coroutine that gather() runs.
 *
 * Uniform choice from an alphabet of k characters without modulo bias: draw a
 * byte b from the CSPRNG stream, reject it when b >= 256 - 256 % k, otherwise
 * emit chars[b % k]. Each accepted byte is equally likely to be any of the k
 * characters (every residue class has exactly (256 - 256 % k) / k members), so
 * every string of a given length is equally likely. The b % k is precomputed
 * into a 256-entry map, so the hot loop is a load and a compare.
 *
 * No I/O, no locking; the rng is the caller's (one per scheduler).
 */
#ifndef PWGEND_GEN_H
#define PWGEND_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "coro.h"
#include "rng.h"

/* The four password classes. Symbols are the 32 ASCII punctuation characters,
 * i.e. C's ispunct() in the C locale and Python's string.punctuation. */
#define GEN_LOWER_CHARS "abcdefghijklmnopqrstuvwxyz"
#define GEN_UPPER_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define GEN_DIGIT_CHARS "0123456789"
#define GEN_SYMBOL_CHARS "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

enum gen_class {
	GEN_CLASS_LOWER = 1u << 0,
	GEN_CLASS_UPPER = 1u << 1,
	GEN_CLASS_DIGITS = 1u << 2,
	GEN_CLASS_SYMBOLS = 1u << 3,
};

struct alphabet {
	unsigned size;       /* distinct characters, 1..256 */
	unsigned limit;      /* bytes >= limit are rejected: 256 - 256 % size */
	char chars[256];     /* the characters, in the order given */
	char map[256];       /* byte b < limit -> chars[b % size] */
};

/* Build an alphabet from n distinct bytes (1 <= n <= 256).
 * Returns 0, or -EINVAL for an empty, oversized or repeating set. */
int alphabet_init(struct alphabet *a, const char *chars, size_t n);

/* The password alphabet for a set of enum gen_class bits, classes in the order
 * lower, upper, digits, symbols. -EINVAL when no class is set. */
int alphabet_for_classes(struct alphabet *a, unsigned classes);

/* The alphabet of every combination of enum gen_class bits, built once (a
 * scheduler keeps one) so that requests do not rebuild 512-byte tables.
 * by_classes[0] is unused: no class is not an alphabet. */
struct class_alphabets {
	struct alphabet by_classes[16];
};

void class_alphabets_init(struct class_alphabets *t);

/* log2 of the number of distinct strings of `length` characters. */
double alphabet_entropy_bits(const struct alphabet *a, size_t length);

/* Fill out[0, n) with characters drawn uniformly and independently. */
void gen_sample(struct rng *r, const struct alphabet *a, char *out, size_t n);

/*
 * One generated item as a stackless coroutine: each step writes at most
 * GEN_CHUNK characters, so a 1024-character password yields between chunks
 * and the scheduler's slices stay short.
 */
enum { GEN_CHUNK = 256 };

struct gen_item {
	struct coro co;
	size_t filled;      /* characters written so far */
	size_t candidates;  /* drawn so far (rejection sampling) */
};

/* Does a finished candidate s[0, n) qualify? (policy, weak PIN, unique) */
typedef bool (*gen_accept_fn)(void *ctx, const char *s, size_t n);

/* Advance the item writing into out[0, length): CORO_YIELD until the last
 * chunk, then CORO_DONE. A zeroed struct gen_item is a fresh item.
 * With `accept` (may be NULL), a finished candidate it refuses is thrown away
 * whole and drawn again (yielding in between), so the result is uniform over
 * the strings it accepts. */
int gen_item_step(struct gen_item *it, struct rng *r, const struct alphabet *a,
		  gen_accept_fn accept, void *ctx, size_t length, char *out);

#endif
