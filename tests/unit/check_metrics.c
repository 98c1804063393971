/*
 * check_metrics.c - the counters and their text exposition: a strict little
 * parser of format 0.0.4 checks that every sample belongs to a family
 * announced by HELP and TYPE, histogram buckets are cumulative with _count
 * equal to the +Inf bucket, and values are what was recorded, also when
 * several loops record into their own shards while another scrapes.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "suites.h"

static const struct versions test_versions = {
	"pwgend", "1.2.3", "0.9.75", "1.0.18", "2.14", "cc",
};

static const struct metrics_gauges test_gauges = {
	.loops = 2,
	.inflight_requests = 3,
	.inflight_bytes = 4096,
	.scheduler_queue_depth = 2,
	.jobs_first_slice = 39,
	.jobs_suspended = 40,
	.scheduler_rounds = 41,
	.inflight_bytes_limit = 65536,
	.open_connections = 5,
	.connection_limit = 1000,
	.process = { .known = true, .cpu_seconds = 1.5,
		     .resident_bytes = 7340032, .virtual_bytes = 8388608,
		     .open_fds = 12, .max_fds = 1024,
		     .start_time_seconds = 1796449683.25 },
};

static char *render(const struct metrics *m)
{
	size_t len = 0;
	char *text = metrics_render(&m, 1, &test_gauges, &test_versions, &len);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

/* The value of the sample line that starts with `series` + ' ', or -1. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');

		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
		line = end != NULL ? end + 1 : line + strlen(line);
	}
	return -1;
}

static bool valid_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') ||
			  (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' &&
						     c <= '9');
		if (!ok)
			return false;
	}
	return n > 0;
}

/* The sample's family: its name less a histogram suffix when `type` is
 * histogram. */
static bool in_family(const char *name, size_t n, const char *family,
		      const char *type)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	size_t f = strlen(family);

	if (n == f && strncmp(name, family, n) == 0)
		return strcmp(type, "histogram") != 0;
	if (strcmp(type, "histogram") != 0 || n <= f ||
	    strncmp(name, family, f) != 0)
		return false;
	for (size_t i = 0; i < 3; i++) {
		if (n - f == strlen(suffixes[i]) &&
		    strncmp(name + f, suffixes[i], n - f) == 0)
			return true;
	}
	return false;
}

/* Labels: {name="value",...} with \\ \" \n the only escapes. Returns the
 * offset past '}' or 0 if malformed. */
static size_t skip_labels(const char *s)
{
	size_t i = 1;

	if (s[0] != '{')
		return 0;
	while (s[i] != '}') {
		size_t name = strspn(s + i, "abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		if (name == 0 || s[i + name] != '=' || s[i + name + 1] != '"')
			return 0;
		i += name + 2;
		while (s[i] != '"') {
			if (s[i] == '\0' || s[i] == '\n')
				return 0;
			if (s[i] == '\\' && strchr("\\\"n", s[i + 1]) == NULL)
				return 0;
			i += s[i] == '\\' ? 2 : 1;
		}
		i++;
		if (s[i] == ',')
			i++;
		else if (s[i] != '}')
			return 0;
	}
	return i + 1;
}

/* Every line is HELP, TYPE (right after its HELP) or a sample of the
 * current family with a number as value; the text ends with a newline. */
static void check_format(const char *text)
{
	char family[128] = "", type[32] = "";
	bool help_seen = false;
	size_t families = 0;

	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	for (const char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		char copy[1024];

		ck_assert_uint_lt(len, sizeof(copy));
		memcpy(copy, line, len);
		copy[len] = '\0';
		if (strncmp(copy, "# HELP ", 7) == 0) {
			ck_assert_int_eq(sscanf(copy + 7, "%127s", family), 1);
			ck_assert(valid_name(family, strlen(family)));
			help_seen = true;
			type[0] = '\0';
			families++;
		} else if (strncmp(copy, "# TYPE ", 7) == 0) {
			char name[128];

			ck_assert(help_seen);
			ck_assert_int_eq(sscanf(copy + 7, "%127s %31s", name,
						type), 2);
			ck_assert_str_eq(name, family);
			ck_assert(strcmp(type, "counter") == 0 ||
				  strcmp(type, "gauge") == 0 ||
				  strcmp(type, "histogram") == 0);
			help_seen = false;
		} else {
			size_t n = strcspn(copy, "{ ");
			size_t at = n;
			char *end;

			ck_assert_msg(type[0] != '\0', "sample before TYPE: %s",
				      copy);
			ck_assert(valid_name(copy, n));
			ck_assert_msg(in_family(copy, n, family, type),
				      "%s outside family %s", copy, family);
			if (copy[at] == '{') {
				size_t skip = skip_labels(copy + at);

				ck_assert_msg(skip > 0, "bad labels: %s", copy);
				at += skip;
			}
			ck_assert_int_eq(copy[at], ' ');
			strtod(copy + at + 1, &end);
			ck_assert_msg(end != copy + at + 1 && *end == '\0',
				      "bad value: %s", copy);
		}
		line += len + (line[len] == '\n');
	}
	ck_assert_uint_ge(families, 10);
}

/* For one route: buckets non-decreasing, in the documented order, +Inf
 * last, and _count equal to it. Returns _count. */
static double check_histogram(const char *text, const char *route)
{
	static const char *const le[] = { "0.0005", "0.001", "0.0025", "0.005",
		"0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
		"+Inf" };
	char series[160];
	double prev = 0, v;

	for (size_t i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		snprintf(series, sizeof(series), "pwgend_request_duration_"
			 "seconds_bucket{route=\"%s\",le=\"%s\"}", route, le[i]);
		v = sample(text, series);
		ck_assert_msg(v >= prev, "%s: %g after %g", series, v, prev);
		prev = v;
	}
	snprintf(series, sizeof(series), "pwgend_request_duration_seconds_"
		 "count{route=\"%s\"}", route);
	ck_assert_double_eq(sample(text, series), prev);
	return prev;
}

START_TEST(test_empty_exposition_is_valid)
{
	struct metrics *m = metrics_new();
	char *text = render(m);

	check_format(text);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE pwgend_requests_total "
					   "counter\n"));
	ck_assert_double_eq(check_histogram(text, "password"), 0);
	ck_assert_double_eq(sample(text, "pwgend_inflight_requests"), 3);
	ck_assert_double_eq(sample(text, "pwgend_scheduler_queue_depth"), 2);
	ck_assert_double_eq(sample(text, "pwgend_jobs_total{finished="
				   "\"suspended\"}"), 40);
	ck_assert_double_eq(sample(text, "pwgend_scheduler_rounds_total"), 41);
	/* it mirrored the scheduler rounds: gone */
	ck_assert_ptr_null(strstr(text, "coroutine_steps"));
	ck_assert_double_eq(sample(text, "pwgend_inflight_bytes_limit"), 65536);
	ck_assert_double_eq(sample(text, "pwgend_open_connections"), 5);
	ck_assert_double_eq(sample(text, "pwgend_connection_limit"), 1000);
	ck_assert_double_eq(sample(text, "process_cpu_seconds_total"), 1.5);
	ck_assert_double_eq(sample(text, "process_resident_memory_bytes"),
			    7340032);
	ck_assert_double_eq(sample(text, "process_virtual_memory_bytes"),
			    8388608);
	ck_assert_double_eq(sample(text, "process_open_fds"), 12);
	ck_assert_double_eq(sample(text, "process_max_fds"), 1024);
	ck_assert_double_eq(sample(text, "process_start_time_seconds"),
			    1796449683.25);
	ck_assert_double_eq(sample(text, "pwgend_admission_rejections_total"),
			    0);
	ck_assert_double_eq(sample(text, "pwgend_build_info{version=\"1.2.3\","
				   "libmicrohttpd=\"0.9.75\",libsodium="
				   "\"1.0.18\",jansson=\"2.14\"}"), 1);
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(test_requests_by_route_and_status)
{
	struct metrics *m = metrics_new();
	char *text;

	metrics_observe(m, METRICS_ROUTE_PASSWORD, 200, 10);
	metrics_observe(m, METRICS_ROUTE_PASSWORD, 200, 10);
	metrics_observe(m, METRICS_ROUTE_PASSWORD, 400, 10);
	metrics_observe(m, METRICS_ROUTE_NOT_FOUND, 404, 10);
	metrics_observe(m, METRICS_ROUTE_METRICS, 0, 10);     /* no reply */
	metrics_observe(m, METRICS_ROUTE_PIN, 999, 10);       /* -> 0 */
	metrics_observe(m, (enum metrics_route)77, 200, 10);  /* -> other */
	metrics_count_items(m, GEN_KIND_PASSWORD, 7);
	metrics_count_items(m, GEN_KIND_PIN, 100000);
	metrics_count_rejection(m);
	text = render(m);
	check_format(text);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"password\",code=\"200\"}"), 2);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"password\",code=\"400\"}"), 1);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"not_found\",code=\"404\"}"), 1);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"other\",code=\"200\"}"), 1);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"metrics\",code=\"0\"}"), 1);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"pin\",code=\"0\"}"), 1);
	/* only statuses that happened are listed */
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"pin\",code=\"200\"}"), -1);
	ck_assert_double_eq(sample(text, "pwgend_items_generated_total{kind="
				   "\"password\"}"), 7);
	ck_assert_double_eq(sample(text, "pwgend_items_generated_total{kind="
				   "\"pin\"}"), 100000);
	ck_assert_double_eq(sample(text, "pwgend_admission_rejections_total"),
			    1);
	ck_assert_double_eq(sample(text, "pwgend_jobs_total{finished="
				   "\"first_slice\"}"), 39);
	ck_assert_double_eq(sample(text, "pwgend_jobs_total{finished="
				   "\"suspended\"}"), 40);
	ck_assert_double_eq(sample(text, "pwgend_inflight_bytes"), 4096);
	ck_assert_double_eq(sample(text, "pwgend_loops"), 2);
	ck_assert_double_eq(check_histogram(text, "password"), 3);
	free(text);
	metrics_free(m);
}
END_TEST

/* A duration on a bucket's bound belongs to it (le is <=), one
 * microsecond more to the next; the sum is in seconds. */
START_TEST(test_histogram_bounds)
{
	struct metrics *m = metrics_new();
	char *text;

	metrics_observe(m, METRICS_ROUTE_PIN, 200, 0);
	metrics_observe(m, METRICS_ROUTE_PIN, 200, 500);
	metrics_observe(m, METRICS_ROUTE_PIN, 200, 501);
	metrics_observe(m, METRICS_ROUTE_PIN, 200, 2500000);
	metrics_observe(m, METRICS_ROUTE_PIN, 200, 2500001);
	metrics_observe(m, METRICS_ROUTE_PIN, 200, -5);  /* clock step */
	text = render(m);
	check_format(text);
#define PIN_BUCKET(le) "pwgend_request_duration_seconds_bucket{route=" \
		       "\"pin\",le=\"" le "\"}"
	ck_assert_double_eq(sample(text, PIN_BUCKET("0.0005")), 3);
	ck_assert_double_eq(sample(text, PIN_BUCKET("0.001")), 4);
	ck_assert_double_eq(sample(text, PIN_BUCKET("1")), 4);
	ck_assert_double_eq(sample(text, PIN_BUCKET("2.5")), 5);
	ck_assert_double_eq(sample(text, PIN_BUCKET("+Inf")), 6);
#undef PIN_BUCKET
	ck_assert_double_eq_tol(sample(text, "pwgend_request_duration_"
				       "seconds_sum{route=\"pin\"}"),
				5.001002, 1e-9);
	ck_assert_double_eq(check_histogram(text, "pin"), 6);
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(test_label_values_escaped)
{
	struct metrics *m = metrics_new();
	struct versions v = test_versions;
	size_t len;
	char *text;

	v.version = "1\"2\\3\n4";
	text = metrics_render((const struct metrics *const *)&m, 1,
			      &test_gauges, &v, &len);
	ck_assert_ptr_nonnull(text);
	check_format(text);
	ck_assert_ptr_nonnull(strstr(text, "version=\"1\\\"2\\\\3\\n4\""));
	free(text);
	metrics_free(m);
}
END_TEST

enum { THREADS = 4, PER_THREAD = 20000 };

/* A loop: it records into its own shard only. */
static void *hammer(void *arg)
{
	struct metrics *m = arg;

	for (long i = 0; i < PER_THREAD; i++) {
		metrics_observe(m, METRICS_ROUTE_PASSWORD, 200, i % 3000);
		metrics_count_items(m, GEN_KIND_PASSWORD, 2);
	}
	return NULL;
}

static char *render_shards(struct metrics *const *shards, size_t n)
{
	size_t len = 0;
	char *text = metrics_render((const struct metrics *const *)shards, n,
				    &test_gauges, &test_versions, &len);

	ck_assert_ptr_nonnull(text);
	return text;
}

/* Loops record into their shards while a scrape sums them (TSan checks the
 * sharing under make tsan); afterwards the sum is exact. */
START_TEST(test_concurrent_recording)
{
	struct metrics *shards[THREADS];
	pthread_t t[THREADS];
	char *text;

	for (size_t i = 0; i < THREADS; i++) {
		shards[i] = metrics_new();
		ck_assert_ptr_nonnull(shards[i]);
	}
	for (size_t i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer,
						shards[i]), 0);
	for (int i = 0; i < 20; i++) {  /* scrapes in the middle */
		text = render_shards(shards, THREADS);
		check_format(text);
		free(text);
	}
	for (size_t i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	text = render_shards(shards, THREADS);
	ck_assert_double_eq(sample(text, "pwgend_requests_total{route="
				   "\"password\",code=\"200\"}"),
			    THREADS * PER_THREAD);
	ck_assert_double_eq(sample(text, "pwgend_items_generated_total{kind="
				   "\"password\"}"), 2.0 * THREADS * PER_THREAD);
	ck_assert_double_eq(check_histogram(text, "password"),
			    THREADS * PER_THREAD);
	free(text);
	for (size_t i = 0; i < THREADS; i++)
		metrics_free(shards[i]);
}
END_TEST

START_TEST(test_route_names)
{
	ck_assert_str_eq(metrics_route_name(METRICS_ROUTE_OPENAPI), "openapi");
	ck_assert_str_eq(metrics_route_name(METRICS_ROUTE_LIVEZ), "livez");
	ck_assert_str_eq(metrics_route_name((enum metrics_route)99), "other");
	for (int r = 0; r < METRICS_ROUTE_COUNT; r++)
		ck_assert_ptr_nonnull(metrics_route_name(r));
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("exposition");

	tcase_add_test(tc, test_empty_exposition_is_valid);
	tcase_add_test(tc, test_requests_by_route_and_status);
	tcase_add_test(tc, test_histogram_bounds);
	tcase_add_test(tc, test_label_values_escaped);
	tcase_add_test(tc, test_concurrent_recording);
	tcase_add_test(tc, test_route_names);
	suite_add_tcase(s, tc);
	return s;
}
