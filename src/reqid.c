/* reqid.c - see reqid.h. */
#include "reqid.h"

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

/* Lower-case hex of v, `digits` of them (0: as many as it takes). */
static char *put_hex(char *p, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (n < 16 && (v != 0 || n < digits));
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Every request makes one: by hand, as printf cost more than the rest of
 * the id's work together. */
void reqid_make(struct reqid_source *src, char *out)
{
	char *p = put_hex(out, src->prefix, 16);

	*p++ = '-';
	p = put_hex(p, src->next++, 0);
	*p = '\0';
}
