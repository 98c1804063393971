/*
 * sched.c - see sched.h.
 *
 * Fields are grouped by who may touch them: `lock`-protected (any thread),
 * atomics (any thread), and scheduler-thread-only. The only blocking call on
 * the scheduler thread is poll() on the eventfd when nothing is runnable.
 */
#include "sched.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "job.h"
#include "gen.h"
#include "list.h"
#include "rng.h"
#include "task.h"

struct sched {
	struct sched_config cfg;
	pthread_t thread;
	int wake_fd;                   /* eventfd */

	/* protected by lock */
	pthread_mutex_t lock;
	struct list inbox;
	struct list resubmitted;       /* streamed jobs back for more */
	size_t n_resubmitted;
	bool stopping;
	bool sleeping;                 /* the thread is (about to be) in poll */

	/* any thread */
	atomic_size_t waiting;         /* admitted, not yet started */
	atomic_size_t inflight;        /* bytes charged by started jobs */
	atomic_uint_fast64_t jobs_done, rounds, task_steps;

	/* scheduler thread only */
	struct list waitq;             /* admitted, over budget, FIFO */
	struct list runq;              /* started, round-robin */
	size_t runnable;               /* length of runq */
	struct rng rng;
	struct class_alphabets alphabets;
	struct task_env env;
};

/* ------------------------------------------------------------ wake-ups */

static void wake(struct sched *s)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already non-zero: a wake is pending. */
	while (write(s->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Called with lock held: wake the thread if it is going to sleep. */
static void wake_if_sleeping_locked(struct sched *s)
{
	if (s->sleeping) {
		s->sleeping = false;
		wake(s);
	}
}

static void wait_for_wake(struct sched *s)
{
	struct pollfd pfd = { .fd = s->wake_fd, .events = POLLIN };
	uint64_t count;

	if (poll(&pfd, 1, -1) > 0)
		(void)!read(s->wake_fd, &count, sizeof(count));
}

/* ------------------------------------------------------------ admission */

int sched_admit(struct sched *s)
{
	size_t n = atomic_load(&s->waiting);

	do {
		if (n >= s->cfg.max_queue)
			return -EBUSY;
	} while (!atomic_compare_exchange_weak(&s->waiting, &n, n + 1));
	return 0;
}

int sched_submit(struct sched *s, struct job *job)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		atomic_fetch_sub(&s->waiting, 1);
		return -ECANCELED;
	}
	list_add_tail(&s->inbox, &job->node);
	wake_if_sleeping_locked(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int sched_resubmit(struct sched *s, struct job *job)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return -ECANCELED;
	}
	list_add_tail(&s->resubmitted, &job->node);
	s->n_resubmitted++;
	wake_if_sleeping_locked(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void sched_release(struct sched *s, size_t cost)
{
	atomic_fetch_sub(&s->inflight, cost);
	pthread_mutex_lock(&s->lock);
	wake_if_sleeping_locked(s);  /* a waiting job may fit now */
	pthread_mutex_unlock(&s->lock);
}

/* Does `job` fit the budget now? A job bigger than the whole budget fits only
 * when nothing else is in flight, so it runs alone but does run. Only this
 * thread adds to `inflight`, so the answer cannot go stale to our harm. */
static bool fits(struct sched *s, const struct job *job)
{
	size_t inflight = atomic_load(&s->inflight);

	if (inflight == 0)
		return true;
	return inflight <= s->cfg.budget &&
	       job->cost <= s->cfg.budget - inflight;
}

/* Move waiting jobs to the run queue in FIFO order while they fit. */
static void admit_waiting(struct sched *s)
{
	while (!list_empty(&s->waitq)) {
		struct job *job = list_entry(s->waitq.next, struct job, node);

		if (!fits(s, job))
			break;
		list_del(&job->node);
		atomic_fetch_add(&s->inflight, job->cost);
		atomic_fetch_sub(&s->waiting, 1);
		job->charged = true;
		list_add_tail(&s->runq, &job->node);
		s->runnable++;
	}
}

/* ------------------------------------------------------------ the loop */

static void finish(struct sched *s, struct job *job, int status)
{
	job->status = status < 0 ? status : 0;
	job->partial = status == TASK_CHUNK;
	if (!job->partial)
		atomic_fetch_add(&s->jobs_done, 1);
	job->on_done(job);  /* last access: the job belongs to http.c again */
}

static void run_round(struct sched *s)
{
	size_t n = s->runnable;

	atomic_fetch_add(&s->rounds, 1);
	for (size_t i = 0; i < n; i++) {
		struct job *job = list_entry(list_pop(&s->runq), struct job,
					     node);
		int rc = task_step(job, &s->env);

		atomic_fetch_add(&s->task_steps, 1);
		if (rc == CORO_YIELD) {
			list_add_tail(&s->runq, &job->node);
			continue;
		}
		s->runnable--;
		finish(s, job, rc);
	}
}

static void cancel_list(struct sched *s, struct list *head, bool started)
{
	struct list *node;

	while ((node = list_pop(head)) != NULL) {
		struct job *job = list_entry(node, struct job, node);

		if (started)
			task_cancel(job);
		else
			atomic_fetch_sub(&s->waiting, 1);
		finish(s, job, -ECANCELED);
	}
}

/* Take the inbox; returns whether we are stopping. Marks the thread as
 * sleeping, under the lock, when it has nothing to run: a submit or release
 * after this point will then write the eventfd, so no wake-up is lost.
 * Resubmitted jobs were admitted long ago: they go straight to the run
 * queue. */
static bool take_inbox(struct sched *s)
{
	bool stopping;

	pthread_mutex_lock(&s->lock);
	list_splice_tail(&s->waitq, &s->inbox);
	list_splice_tail(&s->runq, &s->resubmitted);
	s->runnable += s->n_resubmitted;
	s->n_resubmitted = 0;
	stopping = s->stopping;
	s->sleeping = s->runnable == 0;
	pthread_mutex_unlock(&s->lock);
	return stopping;
}

static void *sched_main(void *arg)
{
	struct sched *s = arg;

	for (;;) {
		bool stopping = take_inbox(s);

		admit_waiting(s);
		if (stopping)
			break;
		if (s->runnable == 0) {
			wait_for_wake(s);
			continue;
		}
		run_round(s);
	}
	cancel_list(s, &s->runq, true);
	s->runnable = 0;
	cancel_list(s, &s->waitq, false);
	return NULL;
}

/* ------------------------------------------------------ the calling thread */

/* What sched_run_here() lends a task: one per thread that calls it (the
 * HTTP threads), created on first use and wiped by the key's destructor
 * when the thread exits. */
struct local_env {
	struct rng rng;
	struct class_alphabets alphabets;
	struct task_env env;
};

static pthread_key_t local_key;
static pthread_once_t local_once = PTHREAD_ONCE_INIT;

static void local_env_free(void *p)
{
	struct local_env *l = p;

	rng_wipe(&l->rng);
	free(l);
}

static void local_key_create(void)
{
	pthread_key_create(&local_key, local_env_free);
}

static struct task_env *local_env(void)
{
	struct local_env *l;

	pthread_once(&local_once, local_key_create);
	l = pthread_getspecific(local_key);
	if (l != NULL)
		return &l->env;
	l = malloc(sizeof(*l));
	if (l == NULL)
		return NULL;
	rng_init(&l->rng);
	class_alphabets_init(&l->alphabets);
	/* one slice per step is irrelevant here: run_here loops to the end */
	l->env = (struct task_env){ &l->rng, SIZE_MAX, 64, &l->alphabets };
	if (pthread_setspecific(local_key, l) != 0) {
		local_env_free(l);
		return NULL;
	}
	return &l->env;
}

void sched_run_here(struct job *job)
{
	const struct task_env *env = local_env();
	int rc;

	if (env == NULL) {
		job->status = -ENOMEM;
		return;
	}
	while ((rc = task_step(job, env)) == CORO_YIELD)
		;
	job->status = rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ lifecycle */

struct sched *sched_start(const struct sched_config *cfg)
{
	struct sched *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0)
		goto out_free;
	pthread_mutex_init(&s->lock, NULL);
	list_init(&s->inbox);
	list_init(&s->resubmitted);
	list_init(&s->waitq);
	list_init(&s->runq);
	rng_init(&s->rng);
	class_alphabets_init(&s->alphabets);
	s->env = (struct task_env){ &s->rng, cfg->quantum, cfg->window,
				    &s->alphabets };
	rc = pthread_create(&s->thread, NULL, sched_main, s);
	if (rc == 0)
		return s;
	errno = rc;
	pthread_mutex_destroy(&s->lock);
	close(s->wake_fd);
out_free:
	rng_wipe(&s->rng);
	free(s);
	return NULL;
}

void sched_stop(struct sched *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	wake(s);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	close(s->wake_fd);
	rng_wipe(&s->rng);
	free(s);
}

void sched_get_stats(struct sched *s, struct sched_stats *out)
{
	out->jobs_done = atomic_load(&s->jobs_done);
	out->rounds = atomic_load(&s->rounds);
	out->task_steps = atomic_load(&s->task_steps);
}
