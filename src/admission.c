/* admission.c - see admission.h. */
#include "admission.h"

void admission_init(struct admission *a, size_t budget, size_t max_queue,
		    size_t loops)
{
	a->budget = budget;
	a->max_queue = max_queue;
	a->loops = loops < ADMISSION_MAX_LOOPS ? loops : ADMISSION_MAX_LOOPS;
	atomic_init(&a->inflight, 0);
	atomic_init(&a->waiting, 0);
	atomic_init(&a->next_ticket, 0);
	for (size_t i = 0; i < ADMISSION_MAX_LOOPS; i++)
		atomic_init(&a->head[i], ADMISSION_NO_TICKET);
}

static bool fits(const struct admission *a, size_t inflight, size_t cost)
{
	if (inflight == 0)
		return true;  /* alone: even a job over the whole budget */
	return inflight <= a->budget && cost <= a->budget - inflight;
}

bool admission_try_charge(struct admission *a, size_t cost)
{
	size_t n = atomic_load(&a->inflight);

	do {
		if (!fits(a, n, cost))
			return false;
	} while (!atomic_compare_exchange_weak(&a->inflight, &n, n + cost));
	return true;
}

void admission_release(struct admission *a, size_t cost)
{
	atomic_fetch_sub(&a->inflight, cost);
}

bool admission_queue(struct admission *a, uint64_t *ticket)
{
	size_t n = atomic_load(&a->waiting);

	do {
		if (n >= a->max_queue)
			return false;
	} while (!atomic_compare_exchange_weak(&a->waiting, &n, n + 1));
	*ticket = atomic_fetch_add(&a->next_ticket, 1);
	return true;
}

void admission_set_head(struct admission *a, size_t slot, uint64_t ticket)
{
	atomic_store(&a->head[slot], ticket);
}

/* Only on the waiting path: a scan of the loops' heads. */
bool admission_is_oldest(const struct admission *a, uint64_t ticket)
{
	for (size_t i = 0; i < a->loops; i++) {
		if (atomic_load((atomic_uint_fast64_t *)&a->head[i]) < ticket)
			return false;
	}
	return true;
}

void admission_unqueue(struct admission *a)
{
	atomic_fetch_sub(&a->waiting, 1);
}

size_t admission_inflight(const struct admission *a)
{
	return atomic_load((atomic_size_t *)&a->inflight);
}

size_t admission_waiting(const struct admission *a)
{
	return atomic_load((atomic_size_t *)&a->waiting);
}
