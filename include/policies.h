/*
 * policies.h - named policies: an operator's named parameter sets
 * (`--policies FILE`, policyfile.h), applied with `policy=NAME` on a
 * generation route (request.h) and listed by GET /policies.
 *
 * Not to be confused with policy.h, a password's *character* policy
 * (alphabet, minimums). A named policy is only a route's query, stored
 * percent-encoded ("length=32&preset=url") and parsed by request_parse
 * exactly as if the client had sent it.
 *
 * A set is immutable once built: the loops read it without locks while
 * the main thread may publish a replacement (http.h, qsbr.h). Lookups
 * are pure and allocation-free.
 */
#ifndef PWGEND_POLICIES_H
#define PWGEND_POLICIES_H

#include <stddef.h>

#include "kinds.h"

/* Limits of a policy file (documented in docs/CONFIGURATION.md). A name
 * is at most 32 characters, the longest word a query value may be. */
enum {
	POLICIES_MAX_BYTES = 64 * 1024,
	POLICIES_MAX = 256,
	POLICIES_NAME_MAX = 32,
};

struct named_policy {
	char name[POLICIES_NAME_MAX + 1];
	enum gen_kind kind;            /* the only route it applies to */
	char *query;                   /* percent-encoded, NUL-terminated */
	size_t query_len;
};

struct policies {
	size_t count;
	struct named_policy *items;    /* [count], sorted by name */
	char *listing;                 /* GET /policies' body (JSON) */
	size_t listing_len;
	struct policies *retired_next; /* the owner's list of retired sets */
};

/* The policy called name[0, n) in `set` (NULL: none), or NULL. */
const struct named_policy *policies_find(const struct policies *set,
					 const char *name, size_t n);

/* Free a set and everything it owns; NULL is ignored. */
void policies_free(struct policies *set);

#endif
