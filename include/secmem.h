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

#endif
