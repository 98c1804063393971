/* sbuf.c - see sbuf.h. */
#include "sbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

int sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t want, cap;
	char *grown;

	if (extra > SIZE_MAX - sb->len)
		return -ENOMEM;
	want = sb->len + extra;
	if (want <= sb->cap)
		return 0;
	cap = sb->cap > 0 ? sb->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	/* malloc + copy + wipe instead of realloc: realloc may move the
	 * block and leave the old contents in freed memory. */
	grown = malloc(cap);
	if (grown == NULL)
		return -ENOMEM;
	if (sb->len > 0)
		memcpy(grown, sb->buf, sb->len);
	secmem_free(sb->buf, sb->cap);
	sb->buf = grown;
	sb->cap = cap;
	return 0;
}

int sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
	int rc = sbuf_reserve(sb, n);

	if (rc < 0)
		return rc;
	if (n > 0)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	return 0;
}

int sbuf_adds(struct sbuf *sb, const char *s)
{
	return sbuf_add(sb, s, strlen(s));
}

int sbuf_add_encoded(struct sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || memchr("-._~", c, 4);

		if ((plain ? sbuf_add(sb, &c, 1) : sbuf_add(sb, esc, 3)) < 0)
			return -ENOMEM;
	}
	return 0;
}

void sbuf_clear(struct sbuf *sb)
{
	secmem_wipe(sb->buf, sb->len);
	sb->len = 0;
}

void sbuf_release(struct sbuf *sb)
{
	secmem_free(sb->buf, sb->cap);
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}
