/*
 * names.h - find a name in a table: the one lookup every table of names
 * uses (routes, parameters, word-valued choices, body fields).
 *
 * Names are compared exactly (case and length); the key need not be
 * NUL-terminated, so a decoded query value is looked up where it lies.
 */
#ifndef PWGEND_NAMES_H
#define PWGEND_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Is s[0, n) exactly the NUL-terminated `want`? */
bool names_equal(const char *want, const char *s, size_t n);

/* The index of s[0, n) among `count` entries of `table`, `stride` bytes
 * apart, whose name is the `const char *` at byte `offset` of each entry;
 * -1 if none. A NULL name ends the table early. */
int names_lookup(const void *table, size_t count, size_t stride,
		 size_t offset, const char *s, size_t n);

/* names_lookup over an array of structs by its `field`, or over an array
 * of names (NAMES_INDEX). */
#define NAMES_FIND(array, count, field, s, n)                                \
	names_lookup((array), (count), sizeof((array)[0]),                   \
		     (size_t)((const char *)&(array)[0].field -              \
			      (const char *)&(array)[0]),                    \
		     (s), (n))
#define NAMES_INDEX(array, count, s, n)                                      \
	names_lookup((array), (count), sizeof((array)[0]), 0, (s), (n))

#endif
