/*
 * qsbr.c - see qsbr.h.
 *
 * Why it is safe. All operations are seq_cst, so they fall in one total
 * order S. The writer does X (exchange of the published pointer, outside
 * this module), F (epoch += 1, giving e) and then reads each reader's slot
 * until it holds OFFLINE or a value >= e. A reader going online does
 * E (load epoch) then N (store it in its slot), then loads the pointer
 * (L) as it needs it; going offline is a store of OFFLINE (O).
 *   - If the writer reads v >= e, that N read the epoch after F, so after
 *     X: every load the reader made before N (all its uses of the old
 *     object, program order) happens-before the writer's read (N is a
 *     release, the read an acquire), and every later L follows X in S and
 *     returns the new pointer.
 *   - If the writer reads OFFLINE, it read some O; every use before O
 *     happens-before the read, and the reader's next N (and so every
 *     later L) comes after the read in S, so after X: new pointer again.
 * So once synchronize returns true, no reader holds or can obtain the old
 * pointer. One writer at a time: two would need the epochs to be ordered.
 */
#include "qsbr.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

enum { QSBR_POLL_NS = 1000 * 1000 };

#define QSBR_OFFLINE UINT64_MAX

/* One cache line per reader: each loop writes its own slot every turn,
 * and a shared line would bounce between the cores on every turn. */
struct qsbr_slot {
	alignas(64) _Atomic uint64_t seen;  /* epoch at the last quiescent
					     * point, or QSBR_OFFLINE */
};

struct qsbr {
	alignas(64) _Atomic uint64_t epoch;
	size_t readers;
	struct qsbr_slot *slot;
};

struct qsbr *qsbr_new(size_t readers)
{
	/* not calloc: its 16-byte alignment is not the struct's 64 */
	struct qsbr *q = aligned_alloc(alignof(struct qsbr), sizeof(*q));

	if (q == NULL)
		return NULL;
	q->slot = aligned_alloc(64, (readers > 0 ? readers : 1) *
					    sizeof(*q->slot));
	if (q->slot == NULL) {
		free(q);
		return NULL;
	}
	atomic_init(&q->epoch, 0);
	q->readers = readers;
	for (size_t r = 0; r < readers; r++)
		atomic_init(&q->slot[r].seen, QSBR_OFFLINE);
	return q;
}

void qsbr_free(struct qsbr *q)
{
	if (q == NULL)
		return;
	free(q->slot);
	free(q);
}

void qsbr_online(struct qsbr *q, size_t r)
{
	atomic_store(&q->slot[r].seen, atomic_load(&q->epoch));
}

void qsbr_offline(struct qsbr *q, size_t r)
{
	atomic_store(&q->slot[r].seen, QSBR_OFFLINE);
}

/* Has reader r moved past epoch e? */
static bool past(struct qsbr *q, size_t r, uint64_t e)
{
	uint64_t seen = atomic_load(&q->slot[r].seen);

	return seen == QSBR_OFFLINE || seen >= e;
}

bool qsbr_synchronize(struct qsbr *q, long timeout_ms)
{
	struct timespec tick = { 0, QSBR_POLL_NS };
	uint64_t e = atomic_fetch_add(&q->epoch, 1) + 1;
	long waited = 0;

	for (size_t r = 0; r < q->readers; r++) {
		while (!past(q, r, e)) {
			if (waited++ >= timeout_ms)
				return false;
			nanosleep(&tick, NULL);
		}
	}
	return true;
}
