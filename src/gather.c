/*
 * gather.c - see gather.h for the contract.
 *
 * Children [collected, spawned) occupy window slots; done[] marks those whose
 * result waits for its turn to be collected. One pass steps every live child
 * once, in index order, then collects the completed prefix and tops the window
 * up again, so a slow child delays collection but never other children.
 */
#include "gather.h"

#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

struct gather {
	const struct gather_ops *ops;
	void *ctx;
	size_t n;
	size_t window;     /* at most this many children in flight */
	size_t mask;       /* slots - 1; slots is window rounded up to 2^k */
	size_t child_size;
	size_t slot_size;
	size_t spawned;    /* children [0, spawned) have been started */
	size_t collected;  /* results [0, collected) have been collected */
	size_t steps;
	int error;         /* first error, 0 while healthy */
	bool *done;        /* per window slot: finished, awaiting collection */
	unsigned char *children;
	unsigned char *slots;
};

static struct coro *child_at(struct gather *g, size_t index)
{
	return (struct coro *)(g->children + (index & g->mask) * g->child_size);
}

static void *slot_at(struct gather *g, size_t index)
{
	return g->slots + (index & g->mask) * g->slot_size;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* Bytes of one allocation: header, then the children, the slots and the done
 * flags. The header size and child stride are multiples of max_align_t, so
 * every child is suitably aligned for any struct that embeds struct coro. */
static size_t alloc_size(size_t slots, size_t child_size, size_t slot_size)
{
	return round_up(sizeof(struct gather), alignof(max_align_t)) +
	       slots * (child_size + slot_size + sizeof(bool));
}

/* Slots are a power of two so that "child i lives in slot i mod slots" is a
 * mask, not a division: gather_run touches the slot index several times per
 * child and a 64-bit division costs tens of cycles. */
static size_t slots_for(size_t window)
{
	size_t slots = 1;

	while (slots < window)
		slots <<= 1;
	return slots;
}

struct gather *gather_new(size_t n, size_t window, size_t child_size,
			  size_t slot_size, const struct gather_ops *ops,
			  void *ctx)
{
	struct gather *g;
	size_t header = round_up(sizeof(struct gather), alignof(max_align_t));
	size_t slots;

	if (window == 0 || child_size < sizeof(struct coro) || ops == NULL ||
	    ops->step == NULL)
		return NULL;
	if (window > n && n > 0)
		window = n;  /* never allocate more slots than needed */
	if (window > SIZE_MAX / 8)
		return NULL;
	slots = slots_for(window);
	child_size = round_up(child_size, alignof(max_align_t));
	if (slot_size > SIZE_MAX / 4 ||
	    slots > (SIZE_MAX / 2 - header) / (child_size + slot_size + 1))
		return NULL;
	g = calloc(1, alloc_size(slots, child_size, slot_size));
	if (g == NULL)
		return NULL;
	g->ops = ops;
	g->ctx = ctx;
	g->n = n;
	g->window = window;
	g->mask = slots - 1;
	g->child_size = child_size;
	g->slot_size = slot_size;
	g->children = (unsigned char *)g + header;
	g->slots = g->children + slots * child_size;
	g->done = (bool *)(g->slots + slots * slot_size);
	return g;
}

/* Start children while the window has room. */
static void spawn(struct gather *g)
{
	while (g->spawned < g->n && g->spawned - g->collected < g->window) {
		memset(child_at(g, g->spawned), 0, g->child_size);
		memset(slot_at(g, g->spawned), 0, g->slot_size);
		g->done[g->spawned & g->mask] = false;
		g->spawned++;
	}
}

/* Hand finished results to the caller, in index order. */
static int collect_prefix(struct gather *g)
{
	while (g->collected < g->spawned && g->done[g->collected & g->mask]) {
		size_t index = g->collected++;

		if (g->ops->collect != NULL) {
			int rc = g->ops->collect(g->ctx, index, slot_at(g, index));

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Stop every child that has not been collected; nothing is started again. */
static void cancel_rest(struct gather *g, int error)
{
	for (size_t i = g->collected; i < g->spawned; i++) {
		if (g->ops->cancel != NULL)
			g->ops->cancel(g->ctx, i, child_at(g, i), slot_at(g, i));
	}
	g->error = error;
}

/* One pass over the live children; returns the first error or 0. */
static int step_live(struct gather *g, size_t *budget)
{
	for (size_t i = g->collected; i < g->spawned && *budget > 0; i++) {
		int rc;

		if (g->done[i & g->mask])
			continue;
		rc = g->ops->step(g->ctx, i, child_at(g, i), slot_at(g, i));
		g->steps++;
		(*budget)--;
		if (rc < 0)
			return rc;
		if (rc == CORO_DONE)
			g->done[i & g->mask] = true;
	}
	return 0;
}

int gather_run(struct gather *g, size_t max_steps)
{
	size_t budget = max_steps > 0 ? max_steps : 1;

	if (g->error != 0)
		return g->error;
	for (;;) {
		int rc;

		spawn(g);
		if (g->collected == g->n)
			return GATHER_DONE;
		if (budget == 0)
			return GATHER_PENDING;
		rc = step_live(g, &budget);
		if (rc == 0)
			rc = collect_prefix(g);
		if (rc < 0) {
			cancel_rest(g, rc);
			return rc;
		}
	}
}

void gather_cancel(struct gather *g, int error)
{
	if (g->error != 0 || g->collected == g->n)
		return;
	cancel_rest(g, error < 0 ? error : -ECANCELED);
}

size_t gather_collected(const struct gather *g)
{
	return g->collected;
}

size_t gather_steps(const struct gather *g)
{
	return g->steps;
}

void gather_free(struct gather *g)
{
	if (g == NULL)
		return;
	if (g->error == 0 && g->collected < g->n)
		cancel_rest(g, -ECANCELED);
	/* Slots held results (secrets, for our generators): scrub them. */
	secmem_free(g, alloc_size(g->mask + 1, g->child_size, g->slot_size));
}
