/*
 * sbuf.h - a growable byte buffer for secrets (after git's strbuf).
 *
 * Invariants: `buf` is NULL only while cap == 0; len <= cap. Contents are
 * bytes, not necessarily NUL-terminated. Growing never leaves a copy behind:
 * the old block is wiped before it is freed, and sbuf_release() wipes too.
 *
 * Ownership: the struct owns `buf` until sbuf_release(); sbuf_detach() hands
 * the block to the caller, who must secmem_free() it with the returned cap.
 */
#ifndef PWGEND_SBUF_H
#define PWGEND_SBUF_H

#include <stddef.h>

struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

/* Grow the block (the slow path of sbuf_reserve). */
int sbuf_grow(struct sbuf *sb, size_t extra);

/* Make room for `extra` more bytes. 0 or -ENOMEM (buffer unchanged).
 * Inline because the JSON renderer calls it once per item. */
static inline int sbuf_reserve(struct sbuf *sb, size_t extra)
{
	if (extra <= sb->cap - sb->len)
		return 0;
	return sbuf_grow(sb, extra);
}

/* Append n bytes. 0 or -ENOMEM (buffer unchanged). */
int sbuf_add(struct sbuf *sb, const void *data, size_t n);

/* Append a NUL-terminated string. */
int sbuf_adds(struct sbuf *sb, const char *s);

/* Append s[0, n) percent-encoded: every byte but RFC 3986's unreserved
 * ones (letters, digits, -._~) as %XX, so that any value reaches the query
 * parser (request.h) as given. 0 or -ENOMEM (partly appended). */
int sbuf_add_encoded(struct sbuf *sb, const char *s, size_t n);

/* Wipe the contents and empty the buffer, keeping its block for reuse. */
void sbuf_clear(struct sbuf *sb);

/* Wipe and free; the buffer is empty and reusable afterwards. */
void sbuf_release(struct sbuf *sb);

#endif
