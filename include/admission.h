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
 *     `max_queue` jobs wait across all loops, past that the request gets 503.
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

struct admission {
	size_t budget;                 /* bytes */
	size_t max_queue;              /* jobs waiting for budget, all loops */
	atomic_size_t inflight;        /* bytes charged by started jobs */
	atomic_size_t waiting;         /* jobs in the loops' wait queues */
};

void admission_init(struct admission *a, size_t budget, size_t max_queue);

/* Charge `cost` if it fits now: true, or false (nothing charged). */
bool admission_try_charge(struct admission *a, size_t cost);

/* A charged reply is gone. */
void admission_release(struct admission *a, size_t cost);

/* Take a place in the wait queue: true, or false when max_queue jobs
 * already wait. admission_unqueue() gives it back. */
bool admission_queue(struct admission *a);
void admission_unqueue(struct admission *a);

/* Gauges for /metrics (values may lag). */
size_t admission_inflight(const struct admission *a);
size_t admission_waiting(const struct admission *a);

#endif
