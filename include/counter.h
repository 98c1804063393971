/*
 * counter.h - a statistics counter with one writer and any number of readers.
 *
 * Each loop thread keeps its own counters (its metrics shard, its scheduler's
 * stats) and a scrape on any loop reads them all. With a single writer an
 * increment needs no read-modify-write instruction: a relaxed load and a
 * relaxed store compile to plain moves, yet every access is atomic, so a
 * reader sees some recent value and ThreadSanitizer sees no race. Never bump
 * one counter from two threads.
 */
#ifndef PWGEND_COUNTER_H
#define PWGEND_COUNTER_H

#include <stdatomic.h>
#include <stdint.h>

typedef atomic_uint_fast64_t counter;

static inline void counter_add(counter *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* Gauges go down too: add the two's complement. */
static inline void counter_sub(counter *c, uint64_t n)
{
	counter_add(c, (uint64_t)0 - n);
}

static inline uint64_t counter_get(const counter *c)
{
	/* C11 atomic_load takes a non-const pointer before C17 (DR 459) */
	return atomic_load_explicit((counter *)c, memory_order_relaxed);
}

#endif
