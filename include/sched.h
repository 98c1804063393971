/*
 * sched.h - a loop's scheduler: the run queue of its generation jobs.
 *
 * One scheduler per loop (loop.h), used only by that loop's thread: no
 * locks, no wake-ups, no hand-off between threads. The loop calls it from
 * two places:
 *   - the access handler: sched_submit() runs the job's first slice at
 *     once; a job done within it is answered in the same call, without
 *     suspending (this is how small requests stay fast);
 *   - between libmicrohttpd runs: sched_run() gives every runnable job one
 *     slice, round-robin, and hands finished jobs (and streamed chunks)
 *     back through job->on_done, which resumes their connections.
 *
 * A slice is bounded by work, not by reply size: task_step() draws and
 * renders at most about `quantum` bytes, rejected candidates included, so
 * no job holds its loop longer than one quantum whatever its policy's
 * acceptance (tests/unit/check_sched.c proves it at acceptance 0.002).
 *
 * Admission (admission.h) is global: a job starts only when it fits the
 * shared budget, else it waits in this scheduler's FIFO wait queue, which
 * is re-checked on every sched_run() (a reply freed on another loop frees
 * budget for this one: the loop polls while jobs wait, see loop.c).
 */
#ifndef PWGEND_SCHED_H
#define PWGEND_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct admission;
struct job;
struct sched;

struct sched_config {
	size_t quantum;                /* bytes of work per slice */
	size_t window;                 /* gather window */
};

struct sched_stats {
	uint64_t jobs_first_slice;     /* answered by sched_submit itself */
	uint64_t jobs_suspended;       /* finished later, by sched_run */
	uint64_t rounds;
	uint64_t task_steps;
	uint64_t queued;               /* gauge: waiting or runnable now */
};

/* A scheduler with its own generation stream, loop `slot` of the shared
 * admission (0 <= slot < adm->loops). NULL on ENOMEM or a bad slot. */
struct sched *sched_new(const struct sched_config *cfg,
			struct admission *adm, size_t slot);

/* What sched_submit() did with the job. */
enum sched_outcome {
	SCHED_DONE = 0,     /* finished in its first slice: job->status and
			     * job->body are set, the caller still owns the
			     * job, on_done is not called */
	SCHED_QUEUED = 1,   /* the scheduler owns the job until it calls
			     * job->on_done from sched_run(); the caller
			     * suspends the connection before returning */
};

/* Take a new job (job->cost and job->on_done set): SCHED_DONE,
 * SCHED_QUEUED, -EBUSY (over budget and the wait queues are full: 503) or
 * -ECANCELED (the scheduler is stopping). On an error the caller keeps the
 * job and nothing was charged. */
int sched_submit(struct sched *s, struct job *job);

/* Give back a streamed job that was handed back with job->partial set,
 * once its chunk is sent. It keeps its budget and runs in the next round.
 * 0, or -ECANCELED when the scheduler is stopping (the caller keeps it). */
int sched_resubmit(struct sched *s, struct job *job);

/* A charged job's reply is gone: give its cost back. */
void sched_release(struct sched *s, size_t cost);

/* Continue the round: every job runnable when the round began gets one
 * slice, in order, at most a few per call so that libmicrohttpd runs in
 * between; finished jobs and ready chunks go back through on_done. Returns
 * how many were handed back (their connections were resumed and need
 * libmicrohttpd to run). */
size_t sched_run(struct sched *s);

/* Jobs ready for a slice: the loop must not sleep. */
bool sched_has_work(const struct sched *s);

/* Jobs waiting for budget that another loop may free. */
bool sched_has_waiting(const struct sched *s);

/* Stopping: every job is handed back with status -ECANCELED, and later
 * submits and resubmits are refused. */
void sched_cancel_all(struct sched *s);

/* Free a scheduler (after sched_cancel_all, or with no jobs). NULL: no-op. */
void sched_free(struct sched *s);

/* A snapshot of the counters: any thread, values may lag. */
void sched_get_stats(const struct sched *s, struct sched_stats *out);

#endif
