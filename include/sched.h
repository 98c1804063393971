/*
 * sched.h - a single-threaded scheduler for generation jobs.
 *
 * Each scheduler is one thread that owns all of its coroutine state. Threads
 * meet at two points only:
 *   - the inbox: a mutex-protected intrusive list plus an eventfd wake-up
 *     (libuv's uv_async pattern), written by sched_submit() from HTTP threads
 *     and spliced out whole once per round;
 *   - job->on_done(), called on the scheduler thread as its last access to a
 *     finished job (see job.h for the ownership rules).
 *
 * The loop (after redis's ae.c and the neco/sco "epoch" idea):
 *   1. splice the inbox; admit jobs in FIFO order while they fit the budget;
 *   2. run one round: every runnable job gets one task_step() of `quantum`
 *      bytes, in order; unfinished jobs go to the back, jobs admitted during
 *      the round wait for the next one;
 *   3. sleep on the eventfd only when nothing is runnable.
 *
 * Admission by cost: a job costs job_cost() bytes (its reply) from the moment
 * it starts until http.c frees the reply and calls sched_release(). Jobs that
 * do not fit wait in a FIFO; a job larger than the whole budget runs alone.
 * At most `max_queue` jobs wait (inbox + wait queue); sched_admit() refuses
 * more, which http.c answers with 503 + Retry-After.
 */
#ifndef PWGEND_SCHED_H
#define PWGEND_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct job;
struct sched;

struct sched_config {
	size_t quantum;                /* bytes per task step */
	size_t window;                 /* gather window */
	size_t budget;                 /* bytes in flight before jobs wait */
	size_t max_queue;              /* waiting jobs before sched_admit fails */
};

struct sched_stats {
	uint64_t jobs_done;
	uint64_t rounds;
	uint64_t task_steps;
};

/* Start a scheduler thread. NULL on failure (errno set). */
struct sched *sched_start(const struct sched_config *cfg);

/* Reserve a place in the queue before suspending a connection: 0, or -EBUSY
 * when max_queue jobs already wait. Every successful admit must be followed
 * by exactly one sched_submit(). */
int sched_admit(struct sched *s);

/* Hand a job over (after sched_admit). 0: the scheduler owns it and will call
 * job->on_done. -ECANCELED: the scheduler is stopping and did not take it;
 * the caller still owns the job and its admission place is returned. */
int sched_submit(struct sched *s, struct job *job);

/* Give back a streamed job that was handed back with job->partial set, once
 * its chunk is sent (the caller has suspended the connection first, as for
 * sched_submit). It keeps its place in the budget and runs in the next round.
 * 0, or -ECANCELED when the scheduler is stopping (the caller keeps it). */
int sched_resubmit(struct sched *s, struct job *job);

/* A charged job's reply is gone: give its cost back. Any thread. */
void sched_release(struct sched *s, size_t cost);

/* Cancel every job (on_done with status -ECANCELED) and join the thread.
 * sched_submit() refuses jobs from the moment this is called. */
void sched_stop(struct sched *s);

/* Run a job to completion on the calling thread, without a hand-off, and
 * set job->status and job->body. For jobs of at most one quantum: such a job
 * is one slice of work wherever it runs, so running it here is as fair as
 * queueing it, and saves the suspend/resume and two thread wake-ups that
 * otherwise cost more than generating a few passwords. Each calling thread
 * gets its own generation stream on first use (wiped when the thread ends). */
void sched_run_here(struct job *job);

/* Free a stopped scheduler. NULL is a no-op. */
void sched_free(struct sched *s);

/* A snapshot of the counters (any thread; values may lag). */
void sched_get_stats(struct sched *s, struct sched_stats *out);

#endif
