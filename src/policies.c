/* policies.c - see policies.h: the lookup a request makes, and freeing. */
#include "policies.h"

#include <stdlib.h>
#include <string.h>

/* Names are sorted by strcmp (policyfile.c): compare the same way, with a
 * name that is not NUL-terminated. */
static int compare(const char *name, size_t n, const char *entry)
{
	int c = strncmp(name, entry, n);

	if (c != 0)
		return c;
	return entry[n] == '\0' ? 0 : -1;  /* a shorter name sorts first */
}

const struct named_policy *policies_find(const struct policies *set,
					 const char *name, size_t n)
{
	size_t lo = 0, hi;

	if (set == NULL || n > POLICIES_NAME_MAX || memchr(name, '\0', n))
		return NULL;
	hi = set->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare(name, n, set->items[mid].name);

		if (c == 0)
			return &set->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void policies_free(struct policies *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->count; i++)
		free(set->items[i].query);
	free(set->items);
	free(set->listing);
	free(set);
}
