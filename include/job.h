/*
 * job.h - one generation request as its loop's scheduler sees it.
 *
 * A job lives inside its HTTP exchange and never leaves its loop's thread.
 * Ownership still moves, so that exactly one party touches it at a time:
 *
 *   1. http.c fills `req`, `cost`, `on_done` and calls sched_submit(),
 *      which runs the first slice at once. A job finished within it is
 *      answered in the same handler call and never changes hands;
 *   2. otherwise the scheduler owns it (the connection is suspended): it
 *      runs the job's task a slice at a time between libmicrohttpd runs,
 *      sets `status` and `body`, and calls on_done(job) as its very last
 *      access;
 *   3. on_done resumes the connection: http.c owns the job again, queues
 *      the reply and finally wipes and frees everything in its
 *      request-completed callback.
 *
 * A streamed job (stream_chunk > 0) makes the round trip once per chunk:
 * when its body holds stream_chunk bytes it is handed back with `partial`
 * set (step 3); http.c sends the chunk, suspends the connection again and
 * gives the job back with sched_resubmit() (step 2), until a hand-back with
 * `partial` clear carries the last bytes.
 *
 * A client that disconnects while its job runs is noticed only after the
 * resume, when libmicrohttpd fails to write; the job is then freed exactly
 * once, in the request-completed callback.
 */
#ifndef PWGEND_JOB_H
#define PWGEND_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "genreq.h"
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
	struct list node;              /* wait queue or run queue */
	struct task task;
	bool charged;                  /* cost counted in the budget */
	uint64_t ticket;               /* its place while it waits */

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
