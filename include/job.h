/*
 * job.h - the record handed between an HTTP thread and a scheduler thread.
 *
 * Ownership moves, it is never shared:
 *
 *   1. http.c fills `req`, `cost`, `on_done`, suspends the connection and
 *      calls sched_submit(): from here the scheduler owns the job;
 *   2. the scheduler runs the job's task, sets `status` and `body`, and calls
 *      on_done(job) as its very last access;
 *   3. on_done resumes the connection: http.c owns the job again, queues the
 *      reply and finally wipes and frees everything in its request-completed
 *      callback.
 *
 * A streamed job (stream_chunk > 0) makes the round trip once per chunk:
 * when its body holds stream_chunk bytes the scheduler hands it back with
 * `partial` set (step 3); http.c sends the chunk, suspends the connection
 * again and gives the job back with sched_resubmit() (step 1, without a new
 * admission), until a hand-back with `partial` clear carries the last bytes.
 * The job still has exactly one owner at any moment.
 *
 * The hand-offs are ordered by the scheduler's inbox mutex (1) and by
 * libmicrohttpd's resume mutex (3), so no field needs atomics. A client that
 * disconnects while its job is queued or running is noticed only after the
 * resume, when libmicrohttpd fails to write; the job is then freed exactly
 * once, in the request-completed callback.
 */
#ifndef PWGEND_JOB_H
#define PWGEND_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "list.h"
#include "request.h"
#include "sbuf.h"
#include "task.h"

struct job {
	/* set by http.c before submit; read-only afterwards */
	struct gen_request req;
	size_t cost;                   /* admission bytes, see job_cost() */
	size_t stream_chunk;           /* hand back every this many bytes;
					* 0 = the whole reply at once */
	void (*on_done)(struct job *job);

	/* owned by the scheduler between submit and on_done */
	struct list node;              /* inbox, wait queue or run queue */
	struct task task;
	bool charged;                  /* cost counted in the budget */

	/* the result, valid once on_done is called */
	int status;                    /* 0, or -errno (-ECANCELED: stopping) */
	struct sbuf body;              /* the reply (or its next chunk) when
					* status == 0 */
	bool partial;                  /* a chunk: more follows */
};

/* Upper bound on the reply's size: what admission charges for the job. */
size_t job_cost(const struct gen_request *req);

/* What a job streamed in `chunk`-byte pieces holds at most: a chunk, the
 * step that overshoots it, and any per-request state (unique PINs). */
size_t job_stream_cost(const struct gen_request *req, size_t chunk,
		       size_t quantum);

#endif
