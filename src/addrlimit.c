/* addrlimit.c - see addrlimit.h. Chained hash, one node per address with
 * open connections; a node goes when its count reaches zero, so the table
 * never holds more nodes than there are connections. */
#include "addrlimit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BUCKETS = 4096 };

struct node {
	struct node *next;
	struct addr_key key;
	size_t count;
};

struct addr_limit {
	pthread_mutex_t lock;
	size_t max;
	struct node *bucket[BUCKETS];
};

struct addr_limit *addr_limit_new(size_t max)
{
	struct addr_limit *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	l->max = max;
	return l;
}

void addr_limit_free(struct addr_limit *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		while (l->bucket[i] != NULL) {
			struct node *n = l->bucket[i];

			l->bucket[i] = n->next;
			free(n);
		}
	}
	pthread_mutex_destroy(&l->lock);
	free(l);
}

struct addr_key addr_key_of(const struct sockaddr *sa, socklen_t len)
{
	struct addr_key k = { .len = 0 };

	if (sa == NULL)
		return k;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(k.bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		k.len = 4;
	} else if (sa->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		memcpy(k.bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
		k.len = 16;
	}
	return k;
}

/* FNV-1a: the keys are client addresses, which a client chooses only
 * within its own prefix; a collision costs a longer chain, nothing more. */
static size_t bucket_of(const struct addr_key *k)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < k->len; i++)
		h = (h ^ k->bytes[i]) * 16777619u;
	return h % BUCKETS;
}

static struct node **find(struct addr_limit *l, const struct addr_key *k)
{
	struct node **p = &l->bucket[bucket_of(k)];

	while (*p != NULL && ((*p)->key.len != k->len ||
			      memcmp((*p)->key.bytes, k->bytes, k->len) != 0))
		p = &(*p)->next;
	return p;
}

bool addr_limit_take(struct addr_limit *l, const struct addr_key *key)
{
	struct node **p, *n;
	bool ok = true;

	if (key->len == 0)
		return true;
	pthread_mutex_lock(&l->lock);
	p = find(l, key);
	if (*p != NULL) {
		ok = (*p)->count < l->max;
		if (ok)
			(*p)->count++;
	} else if ((n = calloc(1, sizeof(*n))) != NULL) {
		n->key = *key;
		n->count = 1;
		*p = n;
	} else {
		ok = false;  /* out of memory: refuse rather than not count */
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

void addr_limit_give(struct addr_limit *l, const struct addr_key *key)
{
	struct node **p;

	if (key->len == 0)
		return;
	pthread_mutex_lock(&l->lock);
	p = find(l, key);
	if (*p != NULL && --(*p)->count == 0) {
		struct node *n = *p;

		*p = n->next;
		free(n);
	}
	pthread_mutex_unlock(&l->lock);
}
