/* check_gather.c - gather() on synthetic children: order, errors,
 * cancellation, 0/1/many, the window bound, slot reuse, bounded slices and
 * fairness between a huge and a small gather. Knows nothing of passwords. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "suites.h"

enum { MAX_CHILDREN = 20000 };

/* A child needs (index % 3) + 1 steps, so children finish out of order
 * whenever the window holds more than one; it writes index * 10 into its
 * slot. fail_at makes that child return -EIO on its first step. */
struct child {
	struct coro co;
	int steps_left;
};

struct world {
	size_t fail_at;                /* SIZE_MAX: nobody fails */
	int collect_error_at;          /* -1: collect never fails */
	size_t max_in_window;          /* max of index + 1 - collected */
	size_t collected[MAX_CHILDREN];
	size_t n_collected;
	bool cancelled[MAX_CHILDREN];
	size_t n_cancelled;
	bool started[MAX_CHILDREN];
	void *slot_of[MAX_CHILDREN];
};

static int child_step(void *ctx, size_t index, struct coro *co, void *slot)
{
	struct world *w = ctx;
	struct child *c = (struct child *)co;

	if (co->state == CORO_START) {
		ck_assert_int_eq(*(int *)slot, 0);  /* fresh slot */
		w->started[index] = true;
		w->slot_of[index] = slot;
		if (index + 1 - w->n_collected > w->max_in_window)
			w->max_in_window = index + 1 - w->n_collected;
		if (index == w->fail_at)
			return -EIO;
		c->steps_left = (int)(index % 3) + 1;
		co->state = 1;
	}
	if (--c->steps_left > 0)
		return CORO_YIELD;
	*(int *)slot = (int)index * 10;
	return CORO_DONE;
}

static int child_collect(void *ctx, size_t index, void *slot)
{
	struct world *w = ctx;

	ck_assert_int_eq(*(int *)slot, (int)index * 10);
	if ((int)index == w->collect_error_at)
		return -ENOSPC;
	w->collected[w->n_collected++] = index;
	return 0;
}

static void child_cancel(void *ctx, size_t index, struct coro *co, void *slot)
{
	struct world *w = ctx;

	(void)co;
	(void)slot;
	ck_assert(!w->cancelled[index]);  /* at most once */
	w->cancelled[index] = true;
	w->n_cancelled++;
}

static const struct gather_ops ops = { child_step, child_collect,
				       child_cancel };

static struct world *new_world(void)
{
	struct world *w = calloc(1, sizeof(*w));

	w->fail_at = SIZE_MAX;
	w->collect_error_at = -1;
	return w;
}

static int run_to_end(struct gather *g, size_t slice)
{
	int rc;

	while ((rc = gather_run(g, slice)) == GATHER_PENDING)
		;
	return rc;
}

static void check_in_order(const struct world *w, size_t n)
{
	ck_assert_uint_eq(w->n_collected, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(w->collected[i], i);
}

START_TEST(test_zero_children)
{
	struct world *w = new_world();
	struct gather *g = gather_new(0, 8, sizeof(struct child), sizeof(int),
				      &ops, w);

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gather_run(g, 1), GATHER_DONE);
	ck_assert_uint_eq(w->n_collected, 0);
	ck_assert_uint_eq(gather_steps(g), 0);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_one_and_many_in_order)
{
	static const size_t sizes[] = { 1, 2, 7, 64, 1000, MAX_CHILDREN };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct world *w = new_world();
		struct gather *g = gather_new(sizes[k], 7, sizeof(struct child),
					      sizeof(int), &ops, w);

		ck_assert_int_eq(run_to_end(g, 5), GATHER_DONE);
		check_in_order(w, sizes[k]);
		ck_assert_uint_eq(gather_collected(g), sizes[k]);
		ck_assert_uint_eq(w->n_cancelled, 0);
		/* finished: more calls change nothing */
		ck_assert_int_eq(gather_run(g, 5), GATHER_DONE);
		gather_free(g);
		free(w);
	}
}
END_TEST

START_TEST(test_window_bounds_live_children)
{
	struct world *w = new_world();
	struct gather *g = gather_new(1000, 5, sizeof(struct child),
				      sizeof(int), &ops, w);

	ck_assert_int_eq(run_to_end(g, 1000), GATHER_DONE);
	/* child i starts only when i - collected < window, and the window
	 * does fill up */
	ck_assert_uint_eq(w->max_in_window, 5);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_slots_are_reused_and_zeroed)
{
	struct world *w = new_world();
	struct gather *g = gather_new(12, 3, sizeof(struct child), sizeof(int),
				      &ops, w);

	ck_assert_int_eq(run_to_end(g, 100), GATHER_DONE);
	/* window 3 rounds up to 4 slots: child i runs in slot i % 4, and
	 * child_step asserts that each slot is zeroed for its new child */
	for (size_t i = 4; i < 12; i++)
		ck_assert_ptr_eq(w->slot_of[i], w->slot_of[i - 4]);
	for (size_t i = 1; i < 4; i++)
		ck_assert_ptr_ne(w->slot_of[0], w->slot_of[i]);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_slice_is_bounded)
{
	struct world *w = new_world();
	struct gather *g = gather_new(10000, 64, sizeof(struct child),
				      sizeof(int), &ops, w);
	size_t before = 0;
	int rc;

	do {
		rc = gather_run(g, 10);
		ck_assert_uint_le(gather_steps(g) - before, 10);
		ck_assert_uint_gt(gather_steps(g), before);  /* progress */
		before = gather_steps(g);
	} while (rc == GATHER_PENDING);
	ck_assert_int_eq(rc, GATHER_DONE);
	/* (i % 3) + 1 steps each */
	ck_assert_uint_eq(gather_steps(g), 3334 * 1 + 3333 * 2 + 3333 * 3);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_first_error_cancels_the_rest)
{
	struct world *w = new_world();
	struct gather *g = gather_new(100, 8, sizeof(struct child),
				      sizeof(int), &ops, w);
	size_t steps;

	w->fail_at = 20;
	ck_assert_int_eq(run_to_end(g, 4), -EIO);
	/* everything before the failure was collected, in order */
	ck_assert_uint_le(w->n_collected, 20);
	check_in_order(w, w->n_collected);
	/* nothing beyond the window was ever started */
	for (size_t i = 28; i < 100; i++)
		ck_assert(!w->started[i]);
	/* every started, uncollected child was cancelled (exactly once:
	 * child_cancel asserts), and only children inside the window */
	for (size_t i = w->n_collected; i < 100; i++) {
		if (w->started[i])
			ck_assert(w->cancelled[i]);
		if (w->cancelled[i])
			ck_assert_uint_lt(i, w->n_collected + 8);
	}
	ck_assert_uint_gt(w->n_cancelled, 0);
	/* the error is sticky and nothing runs any more */
	steps = gather_steps(g);
	ck_assert_int_eq(gather_run(g, 100), -EIO);
	ck_assert_uint_eq(gather_steps(g), steps);
	gather_free(g);  /* must not cancel again (child_cancel asserts) */
	free(w);
}
END_TEST

START_TEST(test_collect_error_fails_the_gather)
{
	struct world *w = new_world();
	struct gather *g = gather_new(50, 4, sizeof(struct child),
				      sizeof(int), &ops, w);

	w->collect_error_at = 10;
	ck_assert_int_eq(run_to_end(g, 3), -ENOSPC);
	check_in_order(w, 10);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_external_cancel)
{
	struct world *w = new_world();
	struct gather *g = gather_new(1000, 16, sizeof(struct child),
				      sizeof(int), &ops, w);

	ck_assert_int_eq(gather_run(g, 40), GATHER_PENDING);
	gather_cancel(g, -ECANCELED);
	ck_assert_int_eq(gather_run(g, 40), -ECANCELED);
	ck_assert_uint_gt(w->n_cancelled, 0);
	ck_assert_uint_le(w->n_cancelled, 16);
	gather_cancel(g, -EIO);  /* once complete, a no-op */
	ck_assert_int_eq(gather_run(g, 1), -ECANCELED);
	gather_free(g);
	free(w);
}
END_TEST

START_TEST(test_free_while_running_cancels)
{
	struct world *w = new_world();
	struct gather *g = gather_new(1000, 16, sizeof(struct child),
				      sizeof(int), &ops, w);

	ck_assert_int_eq(gather_run(g, 40), GATHER_PENDING);
	gather_free(g);
	ck_assert_uint_gt(w->n_cancelled, 0);
	free(w);
}
END_TEST

START_TEST(test_rejects_bad_arguments)
{
	struct gather_ops no_step = { NULL, NULL, NULL };

	ck_assert_ptr_null(gather_new(1, 0, sizeof(struct child), 4, &ops,
				      NULL));
	ck_assert_ptr_null(gather_new(1, 1, 1, 4, &ops, NULL));
	ck_assert_ptr_null(gather_new(1, 1, sizeof(struct child), 4, &no_step,
				      NULL));
	ck_assert_ptr_null(gather_new(1, SIZE_MAX / 2, sizeof(struct child),
				      SIZE_MAX / 8, &ops, NULL));
}
END_TEST

/* Round-robin two gathers with equal slices, as the scheduler does: the
 * small one finishes within a few turns although the huge one is far from
 * done. */
START_TEST(test_small_gather_is_not_starved)
{
	struct world *big_w = new_world(), *small_w = new_world();
	struct gather *big = gather_new(MAX_CHILDREN, 64, sizeof(struct child),
					sizeof(int), &ops, big_w);
	struct gather *small = gather_new(10, 64, sizeof(struct child),
					  sizeof(int), &ops, small_w);
	int turns = 0;

	while (gather_run(small, 16) == GATHER_PENDING) {
		ck_assert_int_eq(gather_run(big, 16), GATHER_PENDING);
		turns++;
	}
	ck_assert_int_le(turns, 2);  /* 10 children, 20 steps, 16 per turn */
	check_in_order(small_w, 10);
	ck_assert_uint_lt(big_w->n_collected, 100);
	gather_free(big);
	gather_free(small);
	free(big_w);
	free(small_w);
}
END_TEST

Suite *gather_suite(void)
{
	Suite *s = suite_create("gather");
	TCase *tc = tcase_create("gather");

	tcase_add_test(tc, test_zero_children);
	tcase_add_test(tc, test_one_and_many_in_order);
	tcase_add_test(tc, test_window_bounds_live_children);
	tcase_add_test(tc, test_slots_are_reused_and_zeroed);
	tcase_add_test(tc, test_slice_is_bounded);
	tcase_add_test(tc, test_first_error_cancels_the_rest);
	tcase_add_test(tc, test_collect_error_fails_the_gather);
	tcase_add_test(tc, test_external_cancel);
	tcase_add_test(tc, test_free_while_running_cancels);
	tcase_add_test(tc, test_rejects_bad_arguments);
	tcase_add_test(tc, test_small_gather_is_not_starved);
	suite_add_tcase(s, tc);
	return s;
}
