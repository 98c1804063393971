/* reqid.c - see reqid.h. */
#include "reqid.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

void reqid_source_init(struct reqid_source *src)
{
	randombytes_buf(&src->prefix, sizeof(src->prefix));
	src->next = 0;
}

static bool id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c != '\0' && strchr("-_.:/+=@", c));
}

bool reqid_take(const char *incoming, char *out)
{
	size_t n = 0;

	if (incoming == NULL)
		return false;
	while (n <= REQID_MAX && id_char((unsigned char)incoming[n]))
		n++;
	if (n == 0 || n > REQID_MAX || incoming[n] != '\0')
		return false;
	memcpy(out, incoming, n + 1);
	return true;
}

void reqid_make(struct reqid_source *src, char *out)
{
	snprintf(out, REQID_MAX + 1, "%016llx-%llx",
		 (unsigned long long)src->prefix,
		 (unsigned long long)src->next++);
}
