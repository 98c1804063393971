/*
 * uniq.h - a set of fixed-length byte strings, for unique=true replies.
 *
 * Open addressing with linear probing in a power-of-two table sized for the
 * expected number of keys (load factor <= 1/2), so an insert is O(1) and the
 * set never grows. The keys are secrets (they are generated items): the
 * table is wiped before it is freed. One thread; no locking.
 */
#ifndef PWGEND_UNIQ_H
#define PWGEND_UNIQ_H

#include <stdbool.h>
#include <stddef.h>

struct uniq {
	unsigned char *keys;           /* cap keys of key_len bytes */
	bool *used;
	size_t cap;                    /* a power of two */
	size_t key_len;
	size_t count;
};

/* Bytes uniq_init would allocate for `expected` keys of key_len bytes. */
size_t uniq_bytes(size_t expected, size_t key_len);

/* 0, or -ENOMEM / -EINVAL. */
int uniq_init(struct uniq *u, size_t expected, size_t key_len);

/* Insert key[0, key_len): true if it was new, false if already there (or
 * the set is full, which the sizing rules out). */
bool uniq_insert(struct uniq *u, const char *key);

/* Wipe and free; the struct is zeroed. Safe on a zeroed struct. */
void uniq_free(struct uniq *u);

#endif
