/* names.c - see names.h. */
#include "names.h"

#include <string.h>

bool names_equal(const char *want, const char *s, size_t n)
{
	return strlen(want) == n && memcmp(want, s, n) == 0;
}

int names_lookup(const void *table, size_t count, size_t stride,
		 size_t offset, const char *s, size_t n)
{
	const char *entry = table;

	for (size_t i = 0; i < count; i++, entry += stride) {
		const char *name;

		memcpy(&name, entry + offset, sizeof(name));
		if (name == NULL)
			break;
		if (names_equal(name, s, n))
			return (int)i;
	}
	return -1;
}
