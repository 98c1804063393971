/* gen.c - see gen.h. */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

int alphabet_init(struct alphabet *a, const char *chars, size_t n)
{
	bool seen[256] = { false };

	if (n == 0 || n > 256)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)chars[i];

		if (seen[c])
			return -EINVAL;
		seen[c] = true;
		a->chars[i] = chars[i];
	}
	a->size = (unsigned)n;
	a->limit = 256u - 256u % a->size;
	for (unsigned b = 0; b < a->limit; b++)
		a->map[b] = a->chars[b % a->size];
	return 0;
}

int alphabet_for_classes(struct alphabet *a, unsigned classes)
{
	static const struct {
		unsigned bit;
		const char *chars;
	} table[] = {
		{ GEN_CLASS_LOWER, GEN_LOWER_CHARS },
		{ GEN_CLASS_UPPER, GEN_UPPER_CHARS },
		{ GEN_CLASS_DIGITS, GEN_DIGIT_CHARS },
		{ GEN_CLASS_SYMBOLS, GEN_SYMBOL_CHARS },
	};
	char chars[256];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (classes & table[i].bit) {
			size_t len = strlen(table[i].chars);

			memcpy(chars + n, table[i].chars, len);
			n += len;
		}
	}
	return alphabet_init(a, chars, n);
}

void class_alphabets_init(struct class_alphabets *t)
{
	memset(&t->by_classes[0], 0, sizeof(t->by_classes[0]));
	for (unsigned classes = 1; classes < 16; classes++)
		alphabet_for_classes(&t->by_classes[classes], classes);
}

double alphabet_entropy_bits(const struct alphabet *a, size_t length)
{
	return (double)length * log2((double)a->size);
}

/* Works on the rng's pool in spans rather than byte by byte: one bounds
 * check per span, and the used bytes are cleared with one memset (fast key
 * erasure: nothing handed out stays in the pool). */
void gen_sample(struct rng *r, const struct alphabet *a, char *out, size_t n)
{
	size_t filled = 0;

	while (filled < n) {
		unsigned char *p, *start;
		unsigned char *end = r->buf + sizeof(r->buf);

		if (r->pos == sizeof(r->buf))
			rng_refill(r);
		start = p = r->buf + r->pos;
		while (p < end && filled < n) {
			unsigned char b = *p++;

			if (b < a->limit)
				out[filled++] = a->map[b];
		}
		memset(start, 0, (size_t)(p - start));
		r->pos = (size_t)(p - r->buf);
	}
}

enum gen_item_state {
	GEN_ITEM_START = CORO_START,
	GEN_ITEM_FILL,
	GEN_ITEM_DONE,
};

int gen_item_step(struct gen_item *it, struct rng *r, const struct alphabet *a,
		  gen_accept_fn accept, void *ctx, size_t length, char *out)
{
	size_t chunk;

	switch ((enum gen_item_state)it->co.state) {
	case GEN_ITEM_START:
		it->filled = 0;
		it->candidates++;
		it->co.state = GEN_ITEM_FILL;
		/* fallthrough */
	case GEN_ITEM_FILL:
		chunk = length - it->filled;
		if (chunk > GEN_CHUNK)
			chunk = GEN_CHUNK;
		gen_sample(r, a, out + it->filled, chunk);
		it->filled += chunk;
		if (it->filled < length)
			return CORO_YIELD;
		if (accept != NULL && !accept(ctx, out, length)) {
			it->co.state = GEN_ITEM_START;  /* draw a new one */
			return CORO_YIELD;
		}
		it->co.state = GEN_ITEM_DONE;
		return CORO_DONE;
	case GEN_ITEM_DONE:
		return CORO_DONE;
	}
	return -EINVAL;
}
