/* kinds.c - see kinds.h: the table of kinds and their paths, and lookups
 * over it. */
#include "kinds.h"

#include <string.h>

#include "kind.h"
#include "names.h"

/* Each kind's paths, from its line in KINDS (the contract test reads
 * them there). */
static const struct kind_route {
	const struct kind *kind;
	const char *path;          /* GET /<name>; NULL: none of its own */
	const char *explain;       /* GET /<name>/explain */
} kind_table[] = {
#define KIND_PATHS_ROUTED(name) "/" #name, "/" #name "/explain"
#define KIND_PATHS_UNROUTED(name) NULL, NULL
#define KIND_ROUTE_(ID, name, routes) \
	[GEN_KIND_##ID] = { &kind_##name, KIND_PATHS_##routes(name) },
	KINDS(KIND_ROUTE_)
#undef KIND_ROUTE_
#undef KIND_PATHS_ROUTED
#undef KIND_PATHS_UNROUTED
};

const struct kind *kinds_get(enum gen_kind k)
{
	return (unsigned)k < KINDS_COUNT ? kind_table[k].kind : NULL;
}

bool kinds_has_route(enum gen_kind k)
{
	return (unsigned)k < KINDS_COUNT && kind_table[k].path != NULL;
}

int kinds_find_route(const char *path, size_t n, bool *explain)
{
	for (size_t k = 0; k < KINDS_COUNT; k++) {
		const struct kind_route *r = &kind_table[k];

		if (r->path == NULL)
			continue;
		if (names_equal(r->path, path, n))
			return (int)k;
		if (names_equal(r->explain, path, n)) {
			*explain = true;
			return (int)k;
		}
	}
	return -1;
}

const char *gen_kind_name(enum gen_kind k)
{
	return (unsigned)k < KINDS_COUNT ? kind_table[k].kind->name
					 : "unknown";
}

const char *kinds_label(enum gen_kind k)
{
	const struct kind *kind = kinds_get(k);

	if (kind == NULL)
		return "unknown";
	return kind->label != NULL ? kind->label : kind->name;
}

enum gen_kind kinds_items_index(enum gen_kind k)
{
	const char *label = kinds_label(k);

	if (kinds_get(k) == NULL || kinds_get(k)->label == NULL)
		return k;  /* its own label: every reply of a kind's route */
	for (size_t i = 0; i < KINDS_COUNT; i++) {
		if (strcmp(kinds_label((enum gen_kind)i), label) == 0)
			return (enum gen_kind)i;
	}
	return k;
}
