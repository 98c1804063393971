/*
 * secmem.h - memory that held secrets.
 *
 * Generated items pass through several buffers (rng pool, gather slots, the
 * response body). glibc's free() does not scrub, so every such buffer is wiped
 * with sodium_memzero (which the compiler may not elide) before it is freed.
 */
#ifndef PWGEND_SECMEM_H
#define PWGEND_SECMEM_H

#include <stddef.h>

/* Overwrite n bytes with zeros in a way the optimiser cannot remove. */
void secmem_wipe(void *p, size_t n);

/* Wipe n bytes, then free(p). NULL is a no-op. */
void secmem_free(void *p, size_t n);

/* Make jansson wipe every block it frees. POST /v1/complex_password's body
 * passes through jansson's lexer and strings, which would otherwise leave
 * the client's secrets in freed memory. Process-wide: called once, first
 * thing in main(), before any other jansson call. */
void secmem_wipe_jansson(void);

#endif
