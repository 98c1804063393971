/*
 * admission.h - the process-wide budget of reply bytes in flight.
 *
 * Each generation job costs job_cost() bytes (its reply, or one streamed
 * chunk) from the moment it starts until its reply is gone. The loops share
 * one budget so that memory stays bounded whatever the number of loops:
 *   - a job starts only if it fits (inflight + cost <= budget), or if nothing
 *     at all is in flight, so a job larger than the whole budget runs alone
 *     but does run;
 *   - a job that does not fit waits in its loop's wait queue; at most
 *     `max_queue` jobs wait across all loops, past that the request gets 503;
 *   - the waiting is first come, first served across loops: each waiting
 *     job holds a ticket, each loop publishes the ticket of its oldest
 *     waiter, only the oldest of all may start, and while any job waits a
 *     new one waits too. Without that, a loop starting small jobs the
 *     moment budget frees up starved a large job waiting on another loop
 *     (seen: a HEAD of 13000 passwords never answered).
 *
 * This is one of the two things the loops share (the other is the connection
 * count): two atomics, touched once when a job starts and once when its
 * reply is freed. Nothing else on the request path crosses threads.
 */
#ifndef PWGEND_ADMISSION_H
#define PWGEND_ADMISSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ADMISSION_MAX_LOOPS = 256 };

#define ADMISSION_NO_TICKET UINT64_MAX

struct admission {
	size_t budget;                 /* bytes */
	size_t max_queue;              /* jobs waiting for budget, all loops */
	atomic_size_t inflight;        /* bytes charged by started jobs */
	atomic_size_t waiting;         /* jobs in the loops' wait queues */
	atomic_uint_fast64_t next_ticket;
	size_t loops;                  /* heads in use: [0, loops) */
	/* per loop: the ticket of its oldest waiting job, or NO_TICKET */
	atomic_uint_fast64_t head[ADMISSION_MAX_LOOPS];
};

/* For `loops` loops (1 .. ADMISSION_MAX_LOOPS). */
void admission_init(struct admission *a, size_t budget, size_t max_queue,
		    size_t loops);

/* Charge `cost` if it fits now: true, or false (nothing charged). */
bool admission_try_charge(struct admission *a, size_t cost);

/* A charged reply is gone. */
void admission_release(struct admission *a, size_t cost);

/* Take a place in the wait queue: true and a ticket in *ticket, or false
 * when max_queue jobs already wait. admission_unqueue() gives it back. */
bool admission_queue(struct admission *a, uint64_t *ticket);
void admission_unqueue(struct admission *a);

/* Loop `slot` publishes the ticket of its oldest waiter (NO_TICKET: none). */
void admission_set_head(struct admission *a, size_t slot, uint64_t ticket);

/* May the job holding `ticket` start: is no older job waiting anywhere? */
bool admission_is_oldest(const struct admission *a, uint64_t ticket);

/* Gauges for /metrics (values may lag). */
size_t admission_inflight(const struct admission *a);
size_t admission_waiting(const struct admission *a);

#endif
