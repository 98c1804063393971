/*
 * task.h - the request task: the coroutine the scheduler runs for one job.
 *
 *     START  -> pick the alphabet, open the JSON reply, create the gather
 *     GATHER -> gather() over `quantity` generator coroutines, one per item;
 *               each collected item is rendered into the reply at once, in
 *               order, and its slot wiped
 *     DONE   -> reply closed
 *
 * Each task_step() call does at most about `quantum` bytes of work (bytes
 * drawn, rejected candidates included, plus bytes rendered), so the
 * scheduler can round-robin between requests of any size and policy.
 */
#ifndef PWGEND_TASK_H
#define PWGEND_TASK_H

#include <stddef.h>

#include "coro.h"
#include "gen.h"
#include "render.h"
#include "genreq.h"
#include "rng.h"
#include "uniq.h"

struct gather;
struct job;
struct kind;

/* What a scheduler lends its tasks. */
struct task_env {
	struct rng *rng;
	size_t quantum;                /* bytes drawn + rendered per step */
	size_t window;                 /* gather window */
	const struct class_alphabets *alphabets;
};

struct task {
	struct coro co;
	struct gather *gather;
	const struct alphabet *alphabet;  /* task_env's table, or `own` */
	const struct password_policy *policy; /* NULL: nothing to reject */
	struct alphabet own;           /* a custom alphabet (charset ...) */
	bool clean;                    /* no item can need JSON escaping */
	struct uniq seen;              /* unique=true: the PINs handed out */
	struct job *job;
	struct rng *rng;
	const struct kind *kind;       /* the job's kind (kind.h) */
};

/* A streamed job's body holds a chunk to send (job.h): task_step() returns
 * it besides CORO_YIELD and CORO_DONE. */
enum { TASK_CHUNK = 2 };

/* Advance the job's task: CORO_YIELD, TASK_CHUNK, CORO_DONE (job->body
 * holds the reply, or its last chunk) or -errno (job->body released). */
int task_step(struct job *job, const struct task_env *env);

/* The reply header of a request: its kind's name, quantity, size field
 * and entropy, and the note when its items are not independent. */
struct items_header task_header(const struct gen_request *req);

/* Stop the task early (the server is stopping): frees what it holds and
 * releases the partial reply. Safe at any state, and after completion. */
void task_cancel(struct job *job);

#endif
