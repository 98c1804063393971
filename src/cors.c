/* cors.c - see cors.h. */
#include "cors.h"

#include <string.h>

/* Trim spaces around one list entry [s, e). */
static bool entry_is(const char *s, const char *e, const char *origin)
{
	size_t n;

	while (s < e && *s == ' ')
		s++;
	while (e > s && e[-1] == ' ')
		e--;
	n = (size_t)(e - s);
	return n > 0 && strlen(origin) == n && memcmp(s, origin, n) == 0;
}

const char *cors_allow_origin(const char *allowed, const char *origin)
{
	if (allowed == NULL || allowed[0] == '\0' || origin == NULL)
		return NULL;
	if (strcmp(allowed, "*") == 0)
		return "*";
	for (const char *s = allowed;;) {
		const char *comma = strchr(s, ',');
		const char *e = comma != NULL ? comma : s + strlen(s);

		if (entry_is(s, e, origin))
			return origin;
		if (comma == NULL)
			return NULL;
		s = comma + 1;
	}
}
