/*
 * gather.h - await N child coroutines, asyncio.gather() style, in C.
 *
 * gather() runs N children concurrently on the calling (scheduler) thread and
 * completes when all of them have stopped:
 *   - results are handed to ops->collect strictly in index order, 0..N-1, as
 *     soon as the completed prefix grows (children may finish out of order);
 *   - the first child error fails the whole gather: children not yet started
 *     are never started and live ones are cancelled (ops->cancel), so the
 *     gather completes only when every child has stopped. This is TaskGroup /
 *     libdill-bundle semantics, a deliberate divergence from asyncio.gather,
 *     whose losers keep running: in C nothing would collect those orphans;
 *   - at most `window` children are in flight; child i uses slot i mod S,
 *     S being `window` rounded up to a power of two, and a slot is reused
 *     only after its result was collected.
 *     Memory is O(window), never O(N): one allocation per gather;
 *   - gather_run() does a bounded slice of work and returns, so the scheduler
 *     can round-robin between requests: a gather of 100000 cannot starve a
 *     gather of 1.
 *
 * Children are stackless coroutines (see coro.h): each child's state is
 * `child_size` bytes beginning with a struct coro, zeroed before its first
 * step; each has a `slot_size` result slot, also zeroed before its first step.
 *
 * Threading: a gather belongs to one thread; no locking inside.
 */
#ifndef PWGEND_GATHER_H
#define PWGEND_GATHER_H

#include <stddef.h>

#include "coro.h"

struct gather_ops {
	/* Advance child `index` by one step: CORO_DONE, CORO_YIELD or -errno. */
	int (*step)(void *ctx, size_t index, struct coro *child, void *slot);
	/* Take the result of child `index` (called in index order). Returning
	 * -errno fails the gather like a child error. */
	int (*collect)(void *ctx, size_t index, void *slot);
	/* Optional: child `index` will never run again (cancelled or its result
	 * discarded); release or wipe what it holds. */
	void (*cancel)(void *ctx, size_t index, struct coro *child, void *slot);
};

enum gather_status {
	GATHER_DONE = 0,     /* every result collected */
	GATHER_PENDING = 1,  /* slice used up; call gather_run again */
};

struct gather;

/* Allocate a gather over `n` children (n may be 0). Returns NULL on ENOMEM or
 * when window, child_size or ops->step is zero/NULL, or child_size is smaller
 * than struct coro. */
struct gather *gather_new(size_t n, size_t window, size_t child_size,
			  size_t slot_size, const struct gather_ops *ops,
			  void *ctx);

/* Run at most `max_steps` child steps (at least one when work remains).
 * Returns GATHER_DONE, GATHER_PENDING, or the first error (negative); after an
 * error or GATHER_DONE further calls return the same value and do nothing. */
int gather_run(struct gather *g, size_t max_steps);

/* Cancel everything still running (e.g. the server is stopping). Afterwards
 * gather_run returns `error` (a negative errno). No-op once complete. */
void gather_cancel(struct gather *g, int error);

/* Results collected so far (== n once GATHER_DONE; frozen by an error). */
size_t gather_collected(const struct gather *g);

/* Total child steps run, for metrics and tests. */
size_t gather_steps(const struct gather *g);

/* Free the gather; children still live are cancelled first. NULL is a no-op. */
void gather_free(struct gather *g);

#endif
