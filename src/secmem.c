/* secmem.c - see secmem.h. */
#include "secmem.h"

#include <stdlib.h>

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
