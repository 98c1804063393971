/* check_sched.c - the scheduler hand-off with real jobs and a real thread:
 * results, fairness, admission, budget and stop with work in flight. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gen.h"
#include "job.h"
#include "sched.h"
#include "suites.h"

/* A job plus what the test observes of its completion. */
struct test_job {
	struct job job;
	int done;
	int finish_order;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int finished;

static void on_done(struct job *job)
{
	struct test_job *t = (struct test_job *)job;

	pthread_mutex_lock(&lock);
	t->done = 1;
	t->finish_order = ++finished;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static struct test_job *new_job(enum gen_kind kind, size_t quantity,
				size_t length)
{
	struct test_job *t = calloc(1, sizeof(*t));

	t->job.req.kind = kind;
	t->job.req.quantity = quantity;
	t->job.req.length = length;
	t->job.req.classes = kind == GEN_KIND_PIN
				     ? GEN_CLASS_DIGITS
				     : GEN_CLASS_LOWER | GEN_CLASS_UPPER |
					       GEN_CLASS_DIGITS;
	t->job.req.classes_only = true;
	t->job.cost = job_cost(&t->job.req);
	t->job.on_done = on_done;
	return t;
}

static void wait_done(struct test_job *t)
{
	pthread_mutex_lock(&lock);
	while (!t->done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static int is_done(struct test_job *t)
{
	int d;

	pthread_mutex_lock(&lock);
	d = t->done;
	pthread_mutex_unlock(&lock);
	return d;
}

static void free_job(struct sched *s, struct test_job *t)
{
	if (t->job.charged)
		sched_release(s, t->job.cost);
	sbuf_release(&t->job.body);
	free(t);
}

static struct sched *start(size_t budget, size_t max_queue)
{
	struct sched_config cfg = { .quantum = 16384, .window = 64,
				    .budget = budget, .max_queue = max_queue };
	struct sched *s = sched_start(&cfg);

	ck_assert_ptr_nonnull(s);
	finished = 0;
	return s;
}

static void submit(struct sched *s, struct test_job *t)
{
	ck_assert_int_eq(sched_admit(s), 0);
	ck_assert_int_eq(sched_submit(s, &t->job), 0);
}

START_TEST(test_job_result_is_the_reply)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PIN, 500, 8);
	json_error_t jerr;
	json_t *doc, *items;

	submit(s, t);
	wait_done(t);
	ck_assert_int_eq(t->job.status, 0);
	doc = json_loadb(t->job.body.buf, t->job.body.len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
			 "pin");
	items = json_object_get(doc, "items");
	ck_assert_uint_eq(json_array_size(items), 500);
	for (size_t i = 0; i < 500; i++) {
		const char *pin = json_string_value(json_array_get(items, i));

		ck_assert_uint_eq(strlen(pin), 8);
		ck_assert_uint_eq(strspn(pin, GEN_DIGIT_CHARS), 8);
	}
	json_decref(doc);
	sched_stop(s);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* A small job submitted after a huge one finishes first. */
START_TEST(test_small_job_overtakes_huge_job)
{
	struct sched *s = start((size_t)1 << 30, 16);
	struct test_job *huge = new_job(GEN_KIND_PASSWORD, 100000, 64);
	struct test_job *small = new_job(GEN_KIND_PIN, 1, 6);

	submit(s, huge);
	submit(s, small);
	wait_done(small);
	wait_done(huge);
	ck_assert_int_eq(small->finish_order, 1);
	ck_assert_int_eq(huge->finish_order, 2);
	ck_assert_int_eq(huge->job.status, 0);
	sched_stop(s);
	free_job(s, huge);
	free_job(s, small);
	sched_free(s);
}
END_TEST

START_TEST(test_admission_queue_is_bounded)
{
	struct sched *s = start(1 << 26, 2);

	ck_assert_int_eq(sched_admit(s), 0);
	ck_assert_int_eq(sched_admit(s), 0);
	ck_assert_int_eq(sched_admit(s), -EBUSY);
	/* a refused submit (stopping) gives its place back */
	sched_stop(s);
	{
		struct test_job *t = new_job(GEN_KIND_PIN, 1, 6);

		ck_assert_int_eq(sched_submit(s, &t->job), -ECANCELED);
		ck_assert_int_eq(t->done, 0);  /* not taken, not completed */
		free(t);
	}
	sched_free(s);
}
END_TEST

/* Over budget, a job waits until a reply is released. */
START_TEST(test_budget_makes_jobs_wait)
{
	struct test_job *a = new_job(GEN_KIND_PIN, 1000, 10);
	struct test_job *b = new_job(GEN_KIND_PIN, 1000, 10);
	struct sched *s = start(a->job.cost + a->job.cost / 2, 16);
	struct timespec pause = { 0, 50 * 1000 * 1000 };

	submit(s, a);
	wait_done(a);
	submit(s, b);
	nanosleep(&pause, NULL);
	ck_assert_int_eq(is_done(b), 0);  /* a's reply still holds budget */
	free_job(s, a);                   /* releases it */
	wait_done(b);
	ck_assert_int_eq(b->job.status, 0);
	sched_stop(s);
	free_job(s, b);
	sched_free(s);
}
END_TEST

/* A job bigger than the whole budget still runs (alone). */
START_TEST(test_oversized_job_runs_alone)
{
	struct sched *s = start(65536, 16);
	struct test_job *t = new_job(GEN_KIND_PASSWORD, 20000, 20);

	ck_assert_uint_gt(t->job.cost, 65536);
	submit(s, t);
	wait_done(t);
	ck_assert_int_eq(t->job.status, 0);
	sched_stop(s);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* Stop with jobs running and waiting: every job completes exactly once,
 * finished or cancelled, and nothing leaks (LeakSanitizer under make asan). */
START_TEST(test_stop_with_jobs_in_flight)
{
	enum { N = 20 };
	struct test_job *jobs[N];
	struct sched *s = start(1 << 20, N);

	for (int i = 0; i < N; i++) {
		jobs[i] = new_job(GEN_KIND_PASSWORD, 50000, 32);
		submit(s, jobs[i]);
	}
	sched_stop(s);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(jobs[i]->done, 1);
		ck_assert(jobs[i]->job.status == 0 ||
			  jobs[i]->job.status == -ECANCELED);
		if (jobs[i]->job.status == -ECANCELED)
			ck_assert_uint_eq(jobs[i]->job.body.len, 0);
		free_job(s, jobs[i]);
	}
	ck_assert_int_eq(finished, N);
	sched_free(s);
}
END_TEST

/* A streamed job, driven the way http.c drives it: wait for the hand-back,
 * take the chunk, give the job back; the chunks make the whole reply. */
static void take_chunk(struct test_job *t, struct sbuf *all, size_t *chunks)
{
	wait_done(t);
	ck_assert_int_eq(t->job.status, 0);
	ck_assert_int_eq(sbuf_add(all, t->job.body.buf, t->job.body.len), 0);
	(*chunks)++;
	pthread_mutex_lock(&lock);
	t->done = 0;
	pthread_mutex_unlock(&lock);
}

START_TEST(test_streamed_job_comes_back_per_chunk)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PIN, 20000, 10);
	struct sbuf all = SBUF_INIT;
	size_t chunks = 0;
	json_error_t jerr;
	json_t *doc;

	t->job.stream_chunk = 8192;
	t->job.cost = job_stream_cost(&t->job.req, 8192, 16384);
	submit(s, t);
	for (;;) {
		take_chunk(t, &all, &chunks);
		/* a chunk never exceeds the mark by more than one step */
		ck_assert_uint_le(t->job.body.len, 8192 + 2 * 16384);
		if (!t->job.partial)
			break;
		sbuf_clear(&t->job.body);
		ck_assert_int_eq(sched_resubmit(s, &t->job), 0);
	}
	/* 20000 PINs of 13 JSON bytes: ~260 KB, each chunk at most one
	 * quantum-sized step past the 8 KiB mark */
	ck_assert_uint_ge(chunks, all.len / (8192 + 2 * 16384));
	ck_assert_uint_ge(chunks, 5);
	doc = json_loadb(all.buf, all.len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")),
			  20000);
	json_decref(doc);
	sbuf_release(&all);
	sched_stop(s);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* A stopping scheduler refuses a streamed job's return: the caller keeps
 * it (and cancels it, as http.c does). */
START_TEST(test_resubmit_after_stop_is_refused)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PASSWORD, 50000, 20);
	struct sbuf all = SBUF_INIT;
	size_t chunks = 0;

	t->job.stream_chunk = 4096;
	submit(s, t);
	take_chunk(t, &all, &chunks);
	ck_assert(t->job.partial);
	sched_stop(s);
	ck_assert_int_eq(sched_resubmit(s, &t->job), -ECANCELED);
	task_cancel(&t->job);
	sbuf_release(&all);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* sched_run_here: the same task, on the calling thread, no hand-off. */
static void *run_here_thread(void *arg)
{
	struct test_job *t = arg;

	sched_run_here(&t->job);
	return NULL;
}

START_TEST(test_run_here_on_two_threads)
{
	struct test_job *a = new_job(GEN_KIND_PASSWORD, 300, 20);
	struct test_job *b = new_job(GEN_KIND_PASSWORD, 300, 20);
	pthread_t ta, tb;
	json_t *da, *db;

	pthread_create(&ta, NULL, run_here_thread, a);
	pthread_create(&tb, NULL, run_here_thread, b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ck_assert_int_eq(a->job.status, 0);
	ck_assert_int_eq(b->job.status, 0);
	ck_assert_int_eq(a->done, 0);  /* no hand-off, so no on_done */
	da = json_loadb(a->job.body.buf, a->job.body.len, 0, NULL);
	db = json_loadb(b->job.body.buf, b->job.body.len, 0, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(da, "items")), 300);
	/* each thread has its own stream: the replies differ */
	ck_assert_str_ne(json_string_value(json_array_get(
				 json_object_get(da, "items"), 0)),
			 json_string_value(json_array_get(
				 json_object_get(db, "items"), 0)));
	json_decref(da);
	json_decref(db);
	sbuf_release(&a->job.body);
	sbuf_release(&b->job.body);
	free(a);
	free(b);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_job_result_is_the_reply);
	tcase_add_test(tc, test_small_job_overtakes_huge_job);
	tcase_add_test(tc, test_admission_queue_is_bounded);
	tcase_add_test(tc, test_budget_makes_jobs_wait);
	tcase_add_test(tc, test_oversized_job_runs_alone);
	tcase_add_test(tc, test_stop_with_jobs_in_flight);
	tcase_add_test(tc, test_streamed_job_comes_back_per_chunk);
	tcase_add_test(tc, test_resubmit_after_stop_is_refused);
	tcase_add_test(tc, test_run_here_on_two_threads);
	suite_add_tcase(s, tc);
	return s;
}
