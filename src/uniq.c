/* uniq.c - see uniq.h. */
#include "uniq.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

static size_t capacity_for(size_t expected)
{
	size_t cap = 16;

	while (cap < 2 * expected)
		cap <<= 1;
	return cap;
}

size_t uniq_bytes(size_t expected, size_t key_len)
{
	return capacity_for(expected) * (key_len + sizeof(bool));
}

int uniq_init(struct uniq *u, size_t expected, size_t key_len)
{
	memset(u, 0, sizeof(*u));
	if (key_len == 0 || expected > SIZE_MAX / 4 / (key_len + 1))
		return -EINVAL;
	u->cap = capacity_for(expected);
	u->key_len = key_len;
	u->keys = malloc(u->cap * key_len);
	u->used = calloc(u->cap, sizeof(bool));
	if (u->keys == NULL || u->used == NULL) {
		uniq_free(u);
		return -ENOMEM;
	}
	return 0;
}

/* FNV-1a: fine for a table that only ever holds uniformly random keys. */
static size_t hash(const char *key, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

bool uniq_insert(struct uniq *u, const char *key)
{
	size_t mask = u->cap - 1;

	if (u->count + 1 > u->cap / 2)
		return false;
	for (size_t i = hash(key, u->key_len) & mask;; i = (i + 1) & mask) {
		unsigned char *slot = u->keys + i * u->key_len;

		if (!u->used[i]) {
			memcpy(slot, key, u->key_len);
			u->used[i] = true;
			u->count++;
			return true;
		}
		if (memcmp(slot, key, u->key_len) == 0)
			return false;
	}
}

void uniq_free(struct uniq *u)
{
	if (u->keys != NULL)
		secmem_free(u->keys, u->cap * u->key_len);
	free(u->used);
	memset(u, 0, sizeof(*u));
}
