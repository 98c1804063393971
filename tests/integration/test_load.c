/*
 * test_load.c - many clients at once: concurrent requests of mixed sizes all
 * get complete, correct and distinct replies; clients that vanish mid-request
 * (while queued, generating, while the reply is being sent, or after it was
 * sent but before it was read) leave the server healthy, answering, and
 * able to shut down cleanly.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "suites.h"
#include "verify.h"

/* ========================================================= concurrency */

enum { N_WORKERS = 48 };

/* One client's request and what it should get back. */
struct job {
	char target[96];
	const char *kind;              /* NULL: expect a 400/404 problem */
	size_t quantity, length;
	unsigned classes;
	int status;                    /* for problems */
};

struct worker {
	pthread_t thread;
	pthread_barrier_t *start;
	unsigned port;
	struct job job;
	char error[512];               /* empty when the reply was right */
	json_t *doc;                   /* kept for the distinctness check */
};

/* Worker i's request: mixed routes, sizes from 1 to 10000, some errors. */
static void make_job(size_t i, struct job *j)
{
	static const size_t sizes[] = { 1, 10000, 7, 2500, 100, 5000, 1000,
					3, 10000, 50 };
	size_t q = sizes[i % 10];

	memset(j, 0, sizeof(*j));
	j->quantity = q;
	j->length = 20;
	j->kind = "password";
	j->classes = CLS_DEFAULT;
	switch (i % 6) {
	case 0:
		snprintf(j->target, sizeof(j->target), "/password?quantity=%zu",
			 q);
		break;
	case 1:
		j->kind = "pin";
		j->length = 8;
		j->classes = CLS_DIGITS;
		snprintf(j->target, sizeof(j->target),
			 "/pin?quantity=%zu&length=8", q);
		break;
	case 2:
		j->classes = CLS_DEFAULT | CLS_SYMBOLS;
		snprintf(j->target, sizeof(j->target),
			 "/password?symbols=true&quantity=%zu", q);
		break;
	case 3:
		j->kind = NULL;
		j->status = i % 12 == 3 ? 400 : 404;
		snprintf(j->target, sizeof(j->target), "%s",
			 j->status == 400 ? "/password?quantity=0" : "/nope");
		break;
	case 4:
		j->classes = CLS_UPPER | CLS_DIGITS;
		snprintf(j->target, sizeof(j->target),
			 "/password?lower=0&quantity=%zu&length=20", q);
		break;
	default:
		j->length = 64;
		snprintf(j->target, sizeof(j->target),
			 "/password?length=64&quantity=%zu", q);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct response r;
	const char *why;

	pthread_barrier_wait(w->start);  /* all requests at once */
	if (http_get(w->port, w->job.target, &r) < 0) {
		snprintf(w->error, sizeof(w->error), "no reply");
		return NULL;
	}
	if (w->job.kind != NULL)
		why = verify_items(&r, w->job.kind, w->job.quantity,
				   w->job.length, w->job.classes, &w->doc);
	else
		why = r.status == w->job.status
			      ? verify_headers(&r, "application/problem+json",
					       0)
			      : "wrong status";
	if (why != NULL)
		snprintf(w->error, sizeof(w->error), "%s", why);
	response_free(&r);
	return NULL;
}

static bool is_password_of_20(const struct job *j)
{
	return j->kind != NULL && strcmp(j->kind, "password") == 0 &&
	       j->length == 20;
}

/* The items of every password reply of length 20, for distinctness. */
static const char **collect_passwords(struct worker *w, size_t n,
				      size_t *count)
{
	size_t total = 0, k = 0;
	const char **all;

	for (size_t i = 0; i < n; i++) {
		if (is_password_of_20(&w[i].job))
			total += w[i].job.quantity;
	}
	all = calloc(total + 1, sizeof(*all));
	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < n; i++) {
		const json_t *items = json_object_get(w[i].doc, "items");

		if (!is_password_of_20(&w[i].job))
			continue;
		for (size_t j = 0; j < json_array_size(items) && k < total;
		     j++)
			all[k++] = json_string_value(json_array_get(items, j));
	}
	*count = k;
	return all;
}

START_TEST(concurrent_mixed)
{
	struct worker *w = calloc(N_WORKERS, sizeof(*w));
	pthread_barrier_t start;
	const char **passwords;
	size_t n = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, N_WORKERS), 0);
	for (size_t i = 0; i < N_WORKERS; i++) {
		w[i].start = &start;
		w[i].port = fixture.port;
		make_job(i, &w[i].job);
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, worker_main,
						&w[i]), 0);
	}
	for (size_t i = 0; i < N_WORKERS; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start);
	for (size_t i = 0; i < N_WORKERS; i++)
		ck_assert_msg(w[i].error[0] == '\0', "GET %s: %s",
			      w[i].job.target, w[i].error);
	passwords = collect_passwords(w, N_WORKERS, &n);
	ck_assert_uint_gt(n, 30000);
	EXPECT_OK(verify_distinct(passwords, n));
	free(passwords);
	for (size_t i = 0; i < N_WORKERS; i++)
		json_decref(w[i].doc);
	free(w);
}
END_TEST

static void setup_default(void)
{
	fixture_start(NULL);
}

static void setup_pool(void)
{
	static const char *const flags[] = { "--loops", "4", NULL };

	fixture_start(flags);
}

/* ========================================================= disconnects */

/* The server answers health checks and a real request correctly. */
static void expect_healthy(unsigned port)
{
	struct response r;

	ck_assert_int_eq(http_get(port, "/healthz", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(http_get(port, "/password?quantity=3&length=12", &r),
			 0);
	EXPECT_OK(verify_items(&r, "password", 3, 12, CLS_DEFAULT, NULL));
	response_free(&r);
}

/* SIGTERM: exit 0 within grace (5 s by default) + 2 s, "stopped" logged. */
static void expect_clean_exit(struct server *s)
{
	char *log;

	ck_assert_int_eq(server_signal(s, SIGTERM), 0);
	ck_assert_msg(server_wait(s, 7000) == 0, "still running 7 s after "
		      "SIGTERM");
	ck_assert_msg(WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0,
		      "wait status 0x%x", s->status);
	log = server_log(s);
	ck_assert_ptr_nonnull(strstr(log, "pwgend: stopped"));
	free(log);
}

/* Leave in one of four ways: FIN at once, RST at once, FIN or RST after
 * the first bytes of the reply (or after 300 ms without them). */
static void leave(struct conn *c, size_t how)
{
	/* Not for long: under a small budget this reply may wait behind one
	 * that holds the budget until its own client reads, and this client
	 * reads its connections one by one. */
	conn_set_timeout(c, 300);
	if (how >= 2)
		conn_read_some(c, 16);
	if (how % 2 == 0)
		conn_close(c);
	else
		conn_abort(c);
}

/* `n` clients in batches of `batch`: each sends its request, then all of the
 * batch leave together, so that their jobs are running or queued then. */
static void storm(unsigned port, size_t n, size_t batch,
		  const char *const *targets, size_t n_targets)
{
	struct conn *c = calloc(batch, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	for (size_t done = 0; done < n; done += batch) {
		for (size_t i = 0; i < batch; i++) {
			ck_assert_int_eq(conn_open(&c[i], port), 0);
			ck_assert_int_eq(conn_request(&c[i], "GET",
						      targets[(done + i) %
							      n_targets],
						      NULL), 0);
		}
		for (size_t i = 0; i < batch; i++)
			leave(&c[i], (done + i) % 4);
	}
	free(c);
}

START_TEST(disconnect_storm)
{
	static const char *const targets[] = { "/password?quantity=100000",
					       "/password?quantity=20000",
					       "/pin?quantity=20000",
					       "/password?quantity=20000" };
	struct server s;

	ck_assert_int_eq(server_start(&s, NULL), 0);
	storm(s.port, 200, 50, targets, 4);
	expect_healthy(s.port);
	ck_assert(server_alive(&s));
	expect_clean_exit(&s);
	server_stop(&s);
}
END_TEST

/* The second storm of disconnect_while_queued, on its own thread. */
struct storm_args {
	unsigned port;
	const char *const *targets;
};

static void *storm_main(void *arg)
{
	const struct storm_args *a = arg;

	storm(a->port, 20, 20, a->targets, 2);
	return NULL;
}

/* A budget of 64 KiB makes every job of 20000 passwords run alone: the rest
 * wait in the queue when their clients leave. The one client that stays, in
 * the middle of the queue, still gets its complete reply. It reads while
 * the second storm runs (on another thread): its 480 KB reply is larger
 * than the socket buffers, so its job holds the budget until it is read,
 * and the storm's clients that wait for their first bytes would otherwise
 * wait for it. */
START_TEST(disconnect_while_queued)
{
	static const char *const flags[] = { "--max-inflight-bytes", "65536",
					     NULL };
	static const char *const targets[] = { "/password?quantity=20000",
					       "/pin?quantity=30000&length=10" };
	struct storm_args args = { 0, targets };
	struct server s;
	struct conn last;
	struct response r;
	pthread_t second;

	ck_assert_int_eq(server_start(&s, flags), 0);
	args.port = s.port;
	storm(s.port, 80, 40, targets, 2);
	ck_assert_int_eq(conn_open(&last, s.port), 0);
	ck_assert_int_eq(conn_request(&last, "GET", "/password?quantity=20000",
				      NULL), 0);
	ck_assert_int_eq(pthread_create(&second, NULL, storm_main, &args), 0);
	ck_assert_int_eq(conn_read(&last, &r, false), 0);
	EXPECT_OK(verify_items(&r, "password", 20000, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	conn_close(&last);
	pthread_join(second, NULL);
	expect_healthy(s.port);
	ck_assert(server_alive(&s));
	expect_clean_exit(&s);
	server_stop(&s);
}
END_TEST

/* ================================================== disconnect phases */

enum { QUEUED_N = 65, RUNNING_N = 65, SENDING_N = 10, SENT_N = 60 };

/* Send `target` on n fresh connections. */
static void open_all(struct conn *c, size_t n, unsigned port,
		     const char *target)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(conn_open(&c[i], port), 0);
		ck_assert_int_eq(conn_request(&c[i], "GET", target, NULL), 0);
	}
}

/* As each connection's reply starts to arrive (in whatever order the
 * server answers), leave it by leave(c, how); those replies that cannot be
 * answered before others are gone wait their turn. */
static void leave_when_answered(struct conn *c, size_t n, size_t how)
{
	while (n > 0) {
		int i = conn_wait_any(c, n, 20000);

		ck_assert_msg(i >= 0, "%zu replies never started", n);
		leave(&c[i], how + (size_t)i % 2);
		c[i] = c[--n];
	}
}

/*
 * 200 clients leave at each stage of their job's life, on one server whose
 * 4 MiB budget makes jobs wait:
 *   queued    65 jobs wait behind a 6.7 MB reply that is not being read
 *             (larger than the budget, it runs alone and holds it all);
 *   running   65 jobs of 230 KB whose clients leave 0..65 ms after asking
 *             (some still queued, some generating, some being sent);
 *   sending   10 replies of 5 MB, more than the socket buffers hold (about
 *             4 MB on loopback), left after their first 16 bytes with an
 *             RST or a FIN while the rest is still to be written;
 *   sent      60 replies that arrived whole but were never read (RST).
 * Then the server answers correctly and exits 0 (under make asan: with no
 * leak and no error report).
 */
START_TEST(disconnect_every_phase)
{
	static const char *const flags[] = { "--max-inflight-bytes", "4194304",
					     NULL };
	static struct conn c[QUEUED_N];
	struct server s;
	struct conn held;
	struct response r;

	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(conn_open(&held, s.port), 0);
	ck_assert_int_eq(conn_request(&held, "GET", "/password?quantity=100000"
				      "&length=64", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&held, 30000), 0);
	open_all(c, QUEUED_N, s.port, "/password?quantity=5000");
	sleep_ms(100);  /* all of them queued by now */
	for (size_t i = 0; i < QUEUED_N; i++)
		leave(&c[i], i % 2);
	ck_assert_int_eq(conn_read(&held, &r, false), 0);
	EXPECT_OK(verify_items(&r, "password", 100000, 64, CLS_DEFAULT, NULL));
	response_free(&r);
	conn_close(&held);

	open_all(c, RUNNING_N, s.port, "/password?quantity=10000");
	for (size_t i = 0; i < RUNNING_N; i++) {
		sleep_ms(1);
		leave(&c[i], i % 2);
	}

	open_all(c, SENDING_N, s.port, "/password?quantity=50000&length=100");
	leave_when_answered(c, SENDING_N, 2);

	open_all(c, SENT_N, s.port, "/pin?quantity=5000&length=20");
	leave_when_answered(c, SENT_N, 0);

	expect_healthy(s.port);
	ck_assert(server_alive(&s));
	expect_clean_exit(&s);
	server_stop(&s);
}
END_TEST

/* ================================================================ suite */

Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *one = server_case("concurrency", setup_default, TIMEOUT_HEAVY);
	TCase *pool = server_case("concurrency_pool", setup_pool,
				  TIMEOUT_HEAVY);
	TCase *gone = tcase_create("disconnects");

	tcase_add_test(one, concurrent_mixed);
	tcase_add_test(pool, concurrent_mixed);
	tcase_set_timeout(gone, TIMEOUT_HEAVY);
	tcase_add_test(gone, disconnect_storm);
	tcase_add_test(gone, disconnect_while_queued);
	tcase_add_test(gone, disconnect_every_phase);
	suite_add_tcase(s, one);
	suite_add_tcase(s, pool);
	suite_add_tcase(s, gone);
	return s;
}
