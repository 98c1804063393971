/*
 * sched.c - see sched.h.
 *
 * Everything here belongs to the loop thread that owns the scheduler; the
 * only shared state is the admission budget (atomics, admission.h) and the
 * statistics counters, which other loops read when they render /metrics.
 */
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

#include "admission.h"
#include "counter.h"
#include "gen.h"
#include "job.h"
#include "list.h"
#include "rng.h"
#include "task.h"

/* Slices per sched_run() call: libmicrohttpd runs at least this often,
 * about every 8 x 50-100 us, however many jobs are runnable. */
enum { SLICES_PER_RUN = 8 };

struct sched {
	struct admission *adm;
	size_t slot;                   /* this loop's head in adm */
	struct list waitq;             /* over budget, FIFO */
	struct list runq;              /* started, round-robin */
	size_t runnable;               /* length of runq */
	size_t round_left;             /* jobs at the head of runq still to
					* get their slice in this round */
	bool stopping;
	struct rng rng;
	struct class_alphabets alphabets;
	struct task_env env;

	/* read by other loops at scrape time */
	counter jobs_first_slice, jobs_suspended, rounds, task_steps, queued;
};

struct sched *sched_new(const struct sched_config *cfg,
			struct admission *adm, size_t slot)
{
	struct sched *s = slot < adm->loops ? calloc(1, sizeof(*s)) : NULL;

	if (s == NULL)
		return NULL;
	s->adm = adm;
	s->slot = slot;
	list_init(&s->waitq);
	list_init(&s->runq);
	rng_init(&s->rng);
	class_alphabets_init(&s->alphabets);
	s->env = (struct task_env){ &s->rng, cfg->quantum, cfg->window,
				    &s->alphabets };
	return s;
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	rng_wipe(&s->rng);
	free(s);
}

/* ------------------------------------------------------------ slices */

/* One slice of the job's task; the result as task_step() gives it. */
static int slice(struct sched *s, struct job *job)
{
	counter_add(&s->task_steps, 1);
	return task_step(job, &s->env);
}

/* The job has a reply (or a chunk, or an error): record it. */
static void settle(struct job *job, int rc)
{
	job->status = rc < 0 ? rc : 0;
	job->partial = rc == TASK_CHUNK;
}

static void make_runnable(struct sched *s, struct job *job)
{
	list_add_tail(&s->runq, &job->node);
	s->runnable++;
}

/* Hand a job back from sched_run: its last access here. */
static void hand_back(struct sched *s, struct job *job, int rc)
{
	settle(job, rc);
	counter_sub(&s->queued, 1);
	if (!job->partial)
		counter_add(&s->jobs_suspended, 1);
	job->on_done(job);  /* the job belongs to http.c again */
}

/* Publish the ticket of this loop's oldest waiter. */
static void publish_head(struct sched *s)
{
	admission_set_head(s->adm, s->slot,
			   list_empty(&s->waitq)
				   ? ADMISSION_NO_TICKET
				   : list_entry(s->waitq.next, struct job,
						node)->ticket);
}

/* Start waiting jobs, oldest first across all loops, while they fit the
 * shared budget. */
static void admit_waiting(struct sched *s)
{
	while (!list_empty(&s->waitq)) {
		struct job *job = list_entry(s->waitq.next, struct job, node);

		if (!admission_is_oldest(s->adm, job->ticket) ||
		    !admission_try_charge(s->adm, job->cost))
			break;
		list_del(&job->node);
		admission_unqueue(s->adm);
		job->charged = true;
		make_runnable(s, job);
		publish_head(s);
	}
}

int sched_submit(struct sched *s, struct job *job)
{
	int rc;

	if (s->stopping)
		return -ECANCELED;
	/* behind jobs already waiting on any loop (first come, first
	 * served), or over budget: wait */
	if (admission_waiting(s->adm) > 0 ||
	    !admission_try_charge(s->adm, job->cost)) {
		if (!admission_queue(s->adm, &job->ticket))
			return -EBUSY;
		list_add_tail(&s->waitq, &job->node);
		publish_head(s);
		counter_add(&s->queued, 1);
		admit_waiting(s);  /* it may be the oldest, and fit */
		return SCHED_QUEUED;
	}
	job->charged = true;
	rc = slice(s, job);
	if (rc == CORO_YIELD) {
		make_runnable(s, job);
		counter_add(&s->queued, 1);
		return SCHED_QUEUED;
	}
	settle(job, rc);
	if (!job->partial)
		counter_add(&s->jobs_first_slice, 1);
	return SCHED_DONE;
}

int sched_resubmit(struct sched *s, struct job *job)
{
	if (s->stopping)
		return -ECANCELED;
	make_runnable(s, job);
	counter_add(&s->queued, 1);
	return 0;
}

void sched_release(struct sched *s, size_t cost)
{
	admission_release(s->adm, cost);
	admit_waiting(s);  /* they run in the next round */
}

/* A round gives every job that was runnable when it began one slice, in
 * queue order; jobs that join meanwhile (new, resubmitted, re-queued) sit
 * behind them and wait for the next round (the epoch rule of redis's time
 * events and sco's runners). A long round is cut into calls of at most
 * SLICES_PER_RUN slices so that libmicrohttpd runs in between. */
size_t sched_run(struct sched *s)
{
	size_t n, handed = 0;

	admit_waiting(s);
	if (s->round_left == 0) {
		s->round_left = s->runnable;
		if (s->round_left == 0)
			return 0;
		counter_add(&s->rounds, 1);
	}
	n = s->round_left < SLICES_PER_RUN ? s->round_left : SLICES_PER_RUN;
	for (size_t i = 0; i < n; i++) {
		struct job *job = list_entry(list_pop(&s->runq), struct job,
					     node);
		int rc = slice(s, job);

		s->round_left--;
		if (rc == CORO_YIELD) {
			list_add_tail(&s->runq, &job->node);
			continue;
		}
		s->runnable--;
		hand_back(s, job, rc);
		handed++;
	}
	return handed;
}

bool sched_has_work(const struct sched *s)
{
	return s->runnable > 0;
}

bool sched_has_waiting(const struct sched *s)
{
	return !list_empty(&s->waitq);
}

void sched_cancel_all(struct sched *s)
{
	struct list *node;

	s->stopping = true;
	while ((node = list_pop(&s->runq)) != NULL) {
		struct job *job = list_entry(node, struct job, node);

		task_cancel(job);
		hand_back(s, job, -ECANCELED);
	}
	s->runnable = 0;
	s->round_left = 0;
	while ((node = list_pop(&s->waitq)) != NULL) {
		admission_unqueue(s->adm);
		hand_back(s, list_entry(node, struct job, node), -ECANCELED);
	}
	publish_head(s);
}

void sched_get_stats(const struct sched *s, struct sched_stats *out)
{
	out->jobs_first_slice = counter_get(&s->jobs_first_slice);
	out->jobs_suspended = counter_get(&s->jobs_suspended);
	out->rounds = counter_get(&s->rounds);
	out->task_steps = counter_get(&s->task_steps);
	out->queued = counter_get(&s->queued);
}
