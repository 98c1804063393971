/* check_sched.c - a loop's scheduler with real jobs: the first slice, the
 * round-robin after it, the shared admission budget, cancellation, streamed
 * chunks, and the work bound of one slice. Single-threaded, as in a loop:
 * the test is the loop, calling sched_submit and sched_run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admission.h"
#include "gen.h"
#include "job.h"
#include "request.h"
#include "sched.h"
#include "suites.h"

enum { QUANTUM = 16384 };

/* A job plus what the test observes of its hand-backs. */
struct test_job {
	struct job job;
	int handed_back;
	int finish_order;
};

static int finished;

static void on_done(struct job *job)
{
	struct test_job *t = (struct test_job *)job;

	t->handed_back++;
	t->finish_order = ++finished;
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

/* A job from a real request-target, as http.c builds it. */
static struct test_job *parsed_job(const char *target)
{
	struct test_job *t = calloc(1, sizeof(*t));
	struct request req;
	struct request_error err;

	ck_assert_msg(request_parse(target, strlen(target), 100000, &req,
				    &err) == 0, "%s: %s", target, err.detail);
	t->job.req = req.gen;
	t->job.cost = job_cost(&t->job.req);
	t->job.on_done = on_done;
	return t;
}

static void free_job(struct sched *s, struct test_job *t)
{
	if (t->job.charged)
		sched_release(s, t->job.cost);
	sbuf_release(&t->job.body);
	free(t);
}

static struct admission adm;

static struct sched *start(size_t budget, size_t max_queue)
{
	struct sched_config cfg = { .quantum = QUANTUM, .window = 64 };
	struct sched *s;

	admission_init(&adm, budget, max_queue, 2);
	s = sched_new(&cfg, &adm, 0);
	ck_assert_ptr_nonnull(s);
	finished = 0;
	return s;
}

/* Run rounds until `t` is handed back (bounded: a stuck job fails). */
static size_t run_until_back(struct sched *s, struct test_job *t)
{
	size_t rounds = 0;

	while (t->handed_back == 0) {
		ck_assert_msg(rounds < 1000000, "job never handed back");
		sched_run(s);
		rounds++;
	}
	return rounds;
}

static json_t *body_json(const struct test_job *t)
{
	json_error_t jerr;
	json_t *doc = json_loadb(t->job.body.buf, t->job.body.len, 0, &jerr);

	ck_assert_msg(doc != NULL, "%s", jerr.text);
	return doc;
}

/* A small job is done within its first slice: answered by submit itself,
 * never handed back through on_done. */
START_TEST(test_small_job_done_in_first_slice)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PIN, 500, 8);
	struct sched_stats st;
	json_t *doc, *items;

	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_DONE);
	ck_assert_int_eq(t->job.status, 0);
	ck_assert_int_eq(t->handed_back, 0);
	ck_assert(t->job.charged);
	ck_assert(!sched_has_work(s));
	doc = body_json(t);
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
	sched_get_stats(s, &st);
	ck_assert_uint_eq(st.jobs_first_slice, 1);
	ck_assert_uint_eq(st.jobs_suspended, 0);
	free_job(s, t);
	ck_assert_uint_eq(admission_inflight(&adm), 0);
	sched_free(s);
}
END_TEST

/* A job of many slices is queued, runs between rounds and is handed back
 * exactly once, complete. */
START_TEST(test_big_job_handed_back_once)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PASSWORD, 20000, 20);
	struct sched_stats st;
	json_t *doc;

	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_QUEUED);
	ck_assert(sched_has_work(s));
	ck_assert_uint_gt(run_until_back(s, t), 10);
	ck_assert_int_eq(t->handed_back, 1);
	ck_assert_int_eq(t->job.status, 0);
	ck_assert(!t->job.partial);
	ck_assert(!sched_has_work(s));
	sched_run(s);
	ck_assert_int_eq(t->handed_back, 1);
	doc = body_json(t);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")),
			  20000);
	json_decref(doc);
	sched_get_stats(s, &st);
	ck_assert_uint_eq(st.jobs_suspended, 1);
	ck_assert_uint_eq(st.queued, 0);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* Round-robin: a job of a few slices submitted after a huge one finishes
 * first. */
START_TEST(test_small_job_overtakes_huge_job)
{
	struct sched *s = start((size_t)1 << 30, 16);
	struct test_job *huge = new_job(GEN_KIND_PASSWORD, 100000, 64);
	struct test_job *small = new_job(GEN_KIND_PASSWORD, 2000, 20);

	ck_assert_int_eq(sched_submit(s, &huge->job), SCHED_QUEUED);
	ck_assert_int_eq(sched_submit(s, &small->job), SCHED_QUEUED);
	run_until_back(s, small);
	ck_assert_int_eq(huge->handed_back, 0);
	run_until_back(s, huge);
	ck_assert_int_eq(small->finish_order, 1);
	ck_assert_int_eq(huge->finish_order, 2);
	ck_assert_int_eq(huge->job.status, 0);
	free_job(s, huge);
	free_job(s, small);
	sched_free(s);
}
END_TEST

/* Over budget, jobs wait; past max_queue waiting ones, -EBUSY (503). */
START_TEST(test_wait_queue_is_bounded)
{
	struct test_job *a = new_job(GEN_KIND_PIN, 500, 10);
	struct test_job *b = new_job(GEN_KIND_PIN, 500, 10);
	struct test_job *c = new_job(GEN_KIND_PIN, 500, 10);
	struct sched *s = start(a->job.cost + a->job.cost / 2, 1);

	ck_assert_int_eq(sched_submit(s, &a->job), SCHED_DONE);
	ck_assert_int_eq(sched_submit(s, &b->job), SCHED_QUEUED);
	ck_assert(!b->job.charged);
	ck_assert_int_eq(sched_submit(s, &c->job), -EBUSY);
	ck_assert(!c->job.charged);
	ck_assert_uint_eq(admission_waiting(&adm), 1);
	free_job(s, c);
	sched_cancel_all(s);
	ck_assert_int_eq(b->handed_back, 1);
	ck_assert_int_eq(b->job.status, -ECANCELED);
	ck_assert_uint_eq(admission_waiting(&adm), 0);
	free_job(s, b);
	free_job(s, a);
	sched_free(s);
}
END_TEST

/* A waiting job runs once a reply is released, and not before. */
START_TEST(test_budget_makes_jobs_wait)
{
	struct test_job *a = new_job(GEN_KIND_PIN, 500, 10);
	struct test_job *b = new_job(GEN_KIND_PIN, 500, 10);
	struct sched *s = start(a->job.cost + a->job.cost / 2, 16);

	ck_assert_int_eq(sched_submit(s, &a->job), SCHED_DONE);
	ck_assert_int_eq(sched_submit(s, &b->job), SCHED_QUEUED);
	ck_assert(sched_has_waiting(s));
	for (int i = 0; i < 100; i++)
		sched_run(s);
	ck_assert_int_eq(b->handed_back, 0);  /* a's reply holds budget */
	free_job(s, a);                       /* releases it */
	ck_assert(!sched_has_waiting(s));
	run_until_back(s, b);
	ck_assert_int_eq(b->job.status, 0);
	free_job(s, b);
	sched_free(s);
}
END_TEST

/* The budget is shared: a reply held on one loop makes a job on another
 * wait, and its release there lets the job run here. */
START_TEST(test_budget_is_shared_by_loops)
{
	struct test_job *a = new_job(GEN_KIND_PIN, 500, 10);
	struct test_job *b = new_job(GEN_KIND_PIN, 500, 10);
	struct sched *one = start(a->job.cost + a->job.cost / 2, 16);
	struct sched_config cfg = { .quantum = QUANTUM, .window = 64 };
	struct sched *two = sched_new(&cfg, &adm, 1);

	ck_assert_int_eq(sched_submit(one, &a->job), SCHED_DONE);
	ck_assert_int_eq(sched_submit(two, &b->job), SCHED_QUEUED);
	sched_run(two);
	ck_assert_int_eq(b->handed_back, 0);
	free_job(one, a);
	ck_assert(sched_has_waiting(two));  /* no cross-thread wake-up... */
	run_until_back(two, b);             /* ...its next round admits it */
	ck_assert_int_eq(b->job.status, 0);
	free_job(two, b);
	ck_assert_uint_eq(admission_inflight(&adm), 0);
	sched_free(one);
	sched_free(two);
}
END_TEST

/* However many jobs are runnable, one sched_run call runs only a few
 * slices, so libmicrohttpd runs between them; the round still gives every
 * job its slice before any gets a second. */
START_TEST(test_run_is_bounded_and_rounds_are_fair)
{
	enum { N = 20 };
	struct test_job *jobs[N];
	struct sched *s = start((size_t)1 << 30, N);
	struct sched_stats before, after;
	size_t calls = 0;

	for (int i = 0; i < N; i++) {
		jobs[i] = new_job(GEN_KIND_PASSWORD, 50000, 32);
		ck_assert_int_eq(sched_submit(s, &jobs[i]->job),
				 SCHED_QUEUED);
	}
	sched_get_stats(s, &before);
	do {
		sched_get_stats(s, &after);
		sched_run(s);
		calls++;
		sched_get_stats(s, &after);
		ck_assert_uint_le(after.task_steps - before.task_steps,
				  calls * 8);
	} while (after.rounds - before.rounds < 2);
	/* the second round began only once all 20 had their slice */
	ck_assert_uint_ge(after.task_steps - before.task_steps, N + 1);
	ck_assert_uint_ge(calls, (N + 7) / 8 + 1);
	sched_cancel_all(s);
	for (int i = 0; i < N; i++)
		free_job(s, jobs[i]);
	sched_free(s);
}
END_TEST

/* Waiting is first come, first served across loops: a large job waiting
 * on one loop is not overtaken by smaller jobs on another, which wait
 * behind it even though they would fit. (Before, the other loop started
 * them whenever budget freed up, and the large job never ran.) */
START_TEST(test_waiting_is_fifo_across_loops)
{
	struct test_job *held = new_job(GEN_KIND_PIN, 500, 10);
	struct test_job *big = new_job(GEN_KIND_PASSWORD, 2000, 20);
	struct test_job *small = new_job(GEN_KIND_PIN, 10, 6);
	struct sched *one = start(big->job.cost + held->job.cost / 2, 16);
	struct sched_config cfg = { .quantum = QUANTUM, .window = 64 };
	struct sched *two = sched_new(&cfg, &adm, 1);

	ck_assert_int_eq(sched_submit(one, &held->job), SCHED_DONE);
	/* the big job does not fit beside the held reply: it waits */
	ck_assert_int_eq(sched_submit(one, &big->job), SCHED_QUEUED);
	ck_assert(sched_has_waiting(one));
	/* the small one would fit, but waits behind it */
	ck_assert_int_eq(sched_submit(two, &small->job), SCHED_QUEUED);
	ck_assert(sched_has_waiting(two));
	for (int i = 0; i < 10; i++) {
		sched_run(two);
		sched_run(one);
	}
	ck_assert(!small->job.charged);
	ck_assert(!big->job.charged);
	free_job(one, held);  /* the budget is free: the big job goes first */
	ck_assert(big->job.charged);
	run_until_back(one, big);
	ck_assert_int_eq(big->job.status, 0);
	run_until_back(two, small);
	ck_assert_int_eq(small->job.status, 0);
	ck_assert_int_lt(big->finish_order, small->finish_order);
	free_job(one, big);
	free_job(two, small);
	ck_assert_uint_eq(admission_waiting(&adm), 0);
	sched_free(one);
	sched_free(two);
}
END_TEST

/* A job bigger than the whole budget still runs (alone). */
START_TEST(test_oversized_job_runs_alone)
{
	struct sched *s = start(65536, 16);
	struct test_job *t = new_job(GEN_KIND_PASSWORD, 20000, 20);

	ck_assert_uint_gt(t->job.cost, 65536);
	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_QUEUED);
	run_until_back(s, t);
	ck_assert_int_eq(t->job.status, 0);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* Cancel with jobs running and waiting: every job is handed back exactly
 * once, cancelled with nothing kept, and later submits are refused. Nothing
 * leaks (LeakSanitizer under make asan). */
START_TEST(test_cancel_with_jobs_in_flight)
{
	enum { N = 20 };
	struct test_job *jobs[N], *late;
	struct sched *s = start(1 << 20, N);

	for (int i = 0; i < N; i++) {
		jobs[i] = new_job(GEN_KIND_PASSWORD, 50000, 32);
		ck_assert_int_eq(sched_submit(s, &jobs[i]->job),
				 SCHED_QUEUED);
	}
	sched_run(s);
	sched_cancel_all(s);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(jobs[i]->handed_back, 1);
		ck_assert_int_eq(jobs[i]->job.status, -ECANCELED);
		ck_assert_uint_eq(jobs[i]->job.body.len, 0);
		free_job(s, jobs[i]);
	}
	ck_assert_int_eq(finished, N);
	ck_assert_uint_eq(admission_inflight(&adm), 0);
	ck_assert_uint_eq(admission_waiting(&adm), 0);
	late = new_job(GEN_KIND_PIN, 1, 6);
	ck_assert_int_eq(sched_submit(s, &late->job), -ECANCELED);
	ck_assert(!late->job.charged);
	free_job(s, late);
	sched_free(s);
}
END_TEST

/* A streamed job, driven the way http.c drives it: take each chunk as it
 * is handed back, give the job back; the chunks make the whole reply. */
START_TEST(test_streamed_job_comes_back_per_chunk)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PIN, 20000, 10);
	struct sbuf all = SBUF_INIT;
	size_t chunks = 0;
	json_error_t jerr;
	json_t *doc;

	t->job.stream_chunk = 8192;
	t->job.cost = job_stream_cost(&t->job.req, 8192, QUANTUM);
	/* the first slice already fills a chunk: it is handed back at once */
	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_DONE);
	ck_assert(t->job.partial);
	for (;;) {
		if (chunks > 0)
			run_until_back(s, t);
		t->handed_back = 0;
		ck_assert_int_eq(t->job.status, 0);
		/* a chunk never exceeds the mark by more than one step */
		ck_assert_uint_le(t->job.body.len, 8192 + 2 * QUANTUM);
		ck_assert_int_eq(sbuf_add(&all, t->job.body.buf,
					  t->job.body.len), 0);
		chunks++;
		if (!t->job.partial)
			break;
		sbuf_clear(&t->job.body);
		ck_assert_int_eq(sched_resubmit(s, &t->job), 0);
	}
	/* 20000 PINs of 13 JSON bytes: ~260 KB */
	ck_assert_uint_ge(chunks, 5);
	doc = json_loadb(all.buf, all.len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")),
			  20000);
	json_decref(doc);
	sbuf_release(&all);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/* A cancelled scheduler refuses a streamed job's return: the caller keeps
 * it (and cancels it, as http.c does). */
START_TEST(test_resubmit_after_cancel_is_refused)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t = new_job(GEN_KIND_PASSWORD, 50000, 20);

	t->job.stream_chunk = 4096;
	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_DONE);
	ck_assert(t->job.partial);
	sbuf_clear(&t->job.body);
	ck_assert_int_eq(sched_resubmit(s, &t->job), 0);
	run_until_back(s, t);
	ck_assert(t->job.partial);
	sched_cancel_all(s);
	ck_assert_int_eq(sched_resubmit(s, &t->job), -ECANCELED);
	task_cancel(&t->job);
	free_job(s, t);
	sched_free(s);
}
END_TEST

/*
 * The work bound of a slice, at acceptance 0.002: length 20 with at least 9
 * digits (the stall: ~75 ms of CPU per request when run whole).
 * Each task_step draws at most `quantum` bytes, rejected candidates
 * included, and yields; the deterministic stream never reseeds, so
 * since_reseed counts every byte drawn (in 1 KiB pools).
 */
START_TEST(test_strict_policy_yields_within_one_quantum)
{
	struct test_job *t =
		parsed_job("/password?length=20&min_digits=9&quantity=677");
	unsigned char seed[RNG_KEY_SIZE] = { 7 };
	struct class_alphabets alphabets;
	struct rng rng;
	struct task_env env = { &rng, QUANTUM, 64, &alphabets };
	size_t slices = 0;
	int rc;

	ck_assert_double_lt(t->job.req.acceptance, 0.003);
	class_alphabets_init(&alphabets);
	rng_init_seeded(&rng, seed);
	do {
		uint64_t before = rng.since_reseed;

		rc = task_step(&t->job, &env);
		ck_assert_int_ge(rc, 0);
		ck_assert_msg(rng.since_reseed - before <=
				      QUANTUM + RNG_POOL_SIZE,
			      "slice %zu drew %ju bytes", slices,
			      (uintmax_t)(rng.since_reseed - before));
		slices++;
	} while (rc == CORO_YIELD);
	/* 677 items at ~450 candidates of 20 bytes each: ~6 MB drawn, so
	 * hundreds of slices, none over the bound */
	ck_assert_uint_gt(slices, 100);
	rng_wipe(&rng);
	sbuf_release(&t->job.body);
	free(t);
}
END_TEST

/* Through the scheduler: the same job is not finished by its first slice,
 * so the handler suspends instead of holding the loop. */
START_TEST(test_strict_policy_is_suspended_not_run_whole)
{
	struct sched *s = start(1 << 26, 16);
	struct test_job *t =
		parsed_job("/password?length=20&min_digits=9&quantity=677");

	ck_assert_int_eq(sched_submit(s, &t->job), SCHED_QUEUED);
	ck_assert_uint_gt(run_until_back(s, t), 100);
	ck_assert_int_eq(t->job.status, 0);
	free_job(s, t);
	sched_free(s);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_small_job_done_in_first_slice);
	tcase_add_test(tc, test_big_job_handed_back_once);
	tcase_add_test(tc, test_small_job_overtakes_huge_job);
	tcase_add_test(tc, test_wait_queue_is_bounded);
	tcase_add_test(tc, test_budget_makes_jobs_wait);
	tcase_add_test(tc, test_budget_is_shared_by_loops);
	tcase_add_test(tc, test_waiting_is_fifo_across_loops);
	tcase_add_test(tc, test_run_is_bounded_and_rounds_are_fair);
	tcase_add_test(tc, test_oversized_job_runs_alone);
	tcase_add_test(tc, test_cancel_with_jobs_in_flight);
	tcase_add_test(tc, test_streamed_job_comes_back_per_chunk);
	tcase_add_test(tc, test_resubmit_after_cancel_is_refused);
	tcase_add_test(tc, test_strict_policy_yields_within_one_quantum);
	tcase_add_test(tc, test_strict_policy_is_suspended_not_run_whole);
	suite_add_tcase(s, tc);
	return s;
}
