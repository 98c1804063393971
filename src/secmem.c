/* secmem.c - see secmem.h. */
#include "secmem.h"

#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>
#include <sodium.h>

void secmem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		sodium_memzero(p, n);
}

void secmem_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	secmem_wipe(p, n);
	free(p);
}

/* jansson's free: wipe the whole block first. glibc knows its usable size,
 * which is at least what jansson asked for. */
static void free_wiped(void *p)
{
	if (p != NULL)
		secmem_free(p, malloc_usable_size(p));
}

void secmem_wipe_jansson(void)
{
	json_set_alloc_funcs(malloc, free_wiped);
}
