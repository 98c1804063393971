/*
 * test_ops.c - the operational routes on the real binary: /livez, /readyz
 * (also while draining), /healthz, /version, /metrics, /openapi.yaml and
 * /openapi.json with their statuses, headers, HEAD and 405; and the JSON
 * access log, checked over a load run never to hold a generated item or a
 * query value.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

static const struct {
	const char *target;
	const char *type;
} routes[] = {
	{ "/livez", "application/json" },
	{ "/readyz", "application/json" },
	{ "/healthz", "application/json" },
	{ "/version", "application/json" },
	{ "/metrics", "text/plain; version=0.0.4; charset=utf-8" },
	{ "/openapi.yaml", "application/yaml" },
	{ "/openapi.json", "application/json" },
};

enum { N_ROUTES = sizeof(routes) / sizeof(routes[0]) };

static void setup_default(void)
{
	fixture_start(NULL);
}

static void get(const char *target, struct response *r)
{
	ck_assert_msg(http_get(fixture.port, target, r) == 0, "GET %s",
		      target);
}

/* ================================================================ routes */

START_TEST(get_and_head)
{
	struct response r, h;

	get(routes[_i].target, &r);
	ck_assert_msg(r.status == 200, "%s: %d", routes[_i].target, r.status);
	EXPECT_OK(verify_headers(&r, routes[_i].type, 0));
	ck_assert_uint_gt(r.body_len, 0);
	ck_assert_int_eq(http_do(fixture.port, "HEAD", routes[_i].target, &h),
			 0);
	ck_assert_int_eq(h.status, 200);
	EXPECT_OK(verify_headers(&h, routes[_i].type, 1));
	/* /metrics changes between two requests; the others do not */
	if (strcmp(routes[_i].target, "/metrics") != 0)
		ck_assert_str_eq(response_header(&h, "Content-Length"),
				 response_header(&r, "Content-Length"));
	response_free(&r);
	response_free(&h);
}
END_TEST

START_TEST(other_methods_405)
{
	EXPECT_OK(verify_get_only(fixture.port, routes[_i].target));
}
END_TEST

/* No parameters, like /healthz: a name is a 400, an empty query is fine. */
START_TEST(query_refused)
{
	char target[128];
	struct response r;

	snprintf(target, sizeof(target), "%s?format=json", routes[_i].target);
	get(target, &r);
	EXPECT_OK(verify_problem(&r, 400, URN "unknown-parameter", "format"));
	response_free(&r);
	snprintf(target, sizeof(target), "%s?&", routes[_i].target);
	get(target, &r);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
}
END_TEST

static void expect_status_body(const char *target, const char *status)
{
	struct response r;
	json_t *doc;

	get(target, &r);
	doc = response_json(&r);
	ck_assert_msg(json_is_object(doc) && json_object_size(doc) == 1,
		      "%s: %s", target, r.body);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
			 status);
	json_decref(doc);
	response_free(&r);
}

START_TEST(probe_bodies)
{
	expect_status_body("/livez", "ok");
	expect_status_body("/healthz", "ok");
	expect_status_body("/readyz", "ready");
	expect_status_body("/live%7A", "ok");  /* paths are percent-decoded */
}
END_TEST

START_TEST(version_fields)
{
	static const char *const keys[] = { "name", "version", "libmicrohttpd",
		"libsodium", "jansson", "build" };
	struct response r;
	json_t *doc;

	get("/version", &r);
	doc = response_json(&r);
	ck_assert_msg(json_is_object(doc) && json_object_size(doc) == 6,
		      "%s", r.body);
	for (size_t i = 0; i < 6; i++) {
		json_t *v = json_object_get(doc, keys[i]);

		ck_assert_msg(json_is_string(v) && json_string_length(v) > 0,
			      "%s in %s", keys[i], r.body);
	}
	ck_assert_str_eq(json_string_value(json_object_get(doc, "name")),
			 "pwgend");
	ck_assert_str_eq(json_string_value(json_object_get(doc,
							   "libmicrohttpd")),
			 "0.9.75");
	json_decref(doc);
	response_free(&r);
}
END_TEST

/* Both routes serve openapi.json's bytes: the one embedded copy (spec.h). */
START_TEST(spec_served_byte_for_byte)
{
	static const char *const targets[] = { "/openapi.yaml",
					       "/openapi.json" };
	struct response r;
	json_t *doc;
	size_t len;
	char *want = read_file("openapi.json", &len);

	ck_assert_msg(want != NULL, "cannot read openapi.json");
	for (size_t i = 0; i < 2; i++) {
		get(targets[i], &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_uint_eq(r.body_len, len);
		ck_assert_msg(memcmp(r.body, want, len) == 0,
			      "%s differs from openapi.json", targets[i]);
		response_free(&r);
	}
	free(want);
	get("/openapi.json", &r);
	doc = response_json(&r);
	ck_assert_msg(json_is_object(doc), "/openapi.json is not JSON");
	json_decref(doc);
	response_free(&r);
}
END_TEST

/* ================================================================ metrics */

static char *scrape(void)
{
	struct response r;
	char *text;

	get("/metrics", &r);
	ck_assert_int_eq(r.status, 200);
	text = strdup(r.body);
	response_free(&r);
	return text;
}

/* A request is counted when libmicrohttpd reports it completed, which may
 * come a moment after its client has read the whole reply, and a scrape may
 * be served by another loop meanwhile: scrape until `series` reaches `want`
 * (at most 2 s), then return that scrape. */
static char *scrape_until(const char *series, double want)
{
	char *text = scrape();

	for (int tries = 0; tries < 200 && metrics_sample(text, series) < want;
	     tries++) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };

		free(text);
		nanosleep(&tick, NULL);
		text = scrape();
	}
	return text;
}

static void expect_histogram_consistent(const char *text, const char *route)
{
	char series[160];
	double inf, count;

	snprintf(series, sizeof(series), "pwgend_request_duration_seconds_"
		 "bucket{route=\"%s\",le=\"+Inf\"}", route);
	inf = metrics_sample(text, series);
	snprintf(series, sizeof(series), "pwgend_request_duration_seconds_"
		 "count{route=\"%s\"}", route);
	count = metrics_sample(text, series);
	ck_assert_msg(inf >= 0 && inf == count, "%s: +Inf %g, count %g", route,
		      inf, count);
}

START_TEST(metrics_count_requests)
{
	static const char *const ok = "pwgend_requests_total{route=\"password\","
				      "code=\"200\"}";
	static const char *const bad = "pwgend_requests_total{route="
				       "\"password\",code=\"400\"}";
	static const char *const items = "pwgend_items_generated_total{kind="
					 "\"password\"}";
	char *before = scrape(), *after;
	double ok0 = metrics_sample(before, ok), bad0 = metrics_sample(before, bad);
	struct response r;

	for (int i = 0; i < 3; i++) {
		get("/password?quantity=10", &r);
		ck_assert_int_eq(r.status, 200);
		response_free(&r);
	}
	get("/password?quantity=0", &r);
	ck_assert_int_eq(r.status, 400);
	response_free(&r);
	/* a reply is counted once libmicrohttpd reports it complete, which
	 * can be just after the client has it: wait for the last one */
	after = scrape_until(bad, (bad0 < 0 ? 0 : bad0) + 1);
	ck_assert_double_eq(metrics_sample(after, ok), (ok0 < 0 ? 0 : ok0) + 3);
	ck_assert_double_eq(metrics_sample(after, bad), (bad0 < 0 ? 0 : bad0) + 1);
	ck_assert_double_ge(metrics_sample(after, items),
			    (metrics_sample(before, items) < 0 ? 0
						       : metrics_sample(before, items)) +
				    30);
	ck_assert_double_ge(metrics_sample(after, "pwgend_requests_total{route="
				   "\"metrics\",code=\"200\"}"), 1);
	ck_assert_double_ge(metrics_sample(after, "pwgend_inflight_requests"), 1);
	ck_assert_double_ge(metrics_sample(after, "pwgend_scheduler_queue_depth"), 0);
	ck_assert_ptr_nonnull(strstr(after, "pwgend_build_info{version=\""));
	for (size_t i = 0; i < 3; i++)
		expect_histogram_consistent(after, i == 0 ? "password"
					    : i == 1 ? "metrics" : "other");
	free(before);
	free(after);
}
END_TEST

/* Every job counts once: a small one as finished in its first slice, one
 * of many slices as suspended. The scrape may land on another loop than
 * the requests: the sum covers every loop. */
static double jobs(const char *text, const char *finished)
{
	char series[80];

	snprintf(series, sizeof(series),
		 "pwgend_jobs_total{finished=\"%s\"}", finished);
	return metrics_sample(text, series);
}

START_TEST(metrics_jobs_counted)
{
	char *before = scrape(), *after;
	struct response r;

	get("/pin?quantity=5", &r);     /* one slice */
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	get("/pin?quantity=5000", &r);  /* 35 KB: several slices */
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	after = scrape_until("pwgend_items_generated_total{kind=\"pin\"}",
			     metrics_sample(before, "pwgend_items_generated_"
					    "total{kind=\"pin\"}") + 5005);
	ck_assert_double_eq(jobs(after, "first_slice"),
			    jobs(before, "first_slice") + 1);
	ck_assert_double_eq(jobs(after, "suspended"),
			    jobs(before, "suspended") + 1);
	ck_assert_double_gt(metrics_sample(after, "pwgend_scheduler_rounds_total"),
			    metrics_sample(before, "pwgend_scheduler_rounds_total"));
	ck_assert_double_ge(metrics_sample(after, "pwgend_items_generated_total{kind="
				   "\"pin\"}"), 5000);
	free(before);
	free(after);
}
END_TEST

/* 503 overloaded replies are admission rejections. */
START_TEST(metrics_count_rejections)
{
	struct response r;
	struct conn held;
	char *text;

	ck_assert_int_eq(conn_hold_budget(&held, fixture.port), 0);
	get("/password?quantity=5000", &r);
	ck_assert_int_eq(r.status, 503);
	response_free(&r);
	text = scrape_until("pwgend_requests_total{route=\"password\","
			    "code=\"503\"}", 1);
	ck_assert_double_eq(metrics_sample(text, "pwgend_admission_rejections_total"),
			    1);
	ck_assert_double_eq(metrics_sample(text, "pwgend_requests_total{route="
				   "\"password\",code=\"503\"}"), 1);
	free(text);
	conn_close(&held);
}
END_TEST

static void setup_queue_0(void)
{
	static const char *const flags[] = { "--max-queue", "0",
					     HOLD_BUDGET_FLAGS, NULL };

	fixture_start(flags);
}

/* ================================================================ drain */

/* While a big reply is in flight after SIGTERM, /readyz on an open
 * keep-alive connection says 503 draining (new connections are refused). */
START_TEST(readyz_503_while_draining)
{
	struct server s;
	struct conn idle, big;
	struct response r;
	const char *retry;

	ck_assert_int_eq(server_start(&s, NULL), 0);
	ck_assert_int_eq(conn_open(&idle, s.port), 0);
	ck_assert_int_eq(conn_request(&idle, "GET", "/readyz", NULL), 0);
	ck_assert_int_eq(conn_read(&idle, &r, false), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(conn_open(&big, s.port), 0);
	ck_assert_int_eq(conn_request(&big, "GET", "/password?quantity=100000"
				      "&length=256", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&big, 20000), 0);
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	sleep_ms(200);
	ck_assert_int_eq(conn_request(&idle, "GET", "/readyz", NULL), 0);
	ck_assert_int_eq(conn_read(&idle, &r, false), 0);
	EXPECT_OK(verify_problem(&r, 503, URN "draining", NULL));
	retry = response_header(&r, "Retry-After");
	ck_assert_msg(retry != NULL && strcmp(retry, "1") == 0, "Retry-After");
	response_free(&r);
	conn_close(&idle);
	ck_assert_msg(conn_read(&big, &r, false) == 0, "in-flight reply cut");
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	conn_close(&big);
	ck_assert_int_eq(server_wait(&s, 7000), 0);
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	server_stop(&s);
}
END_TEST

/* ============================================================= selftest */

/* $(BUILD)/zero_rng.so, next to the binary under test (mk/ops.mk). */
static void zero_rng_path(char *buf, size_t cap)
{
	const char *bin = server_binary();
	const char *slash = strrchr(bin, '/');
	int dir = slash != NULL ? (int)(slash - bin) : 1;

	snprintf(buf, cap, "%.*s/zero_rng.so", dir, slash != NULL ? bin : ".");
	ck_assert_msg(access(buf, R_OK) == 0, "%s missing: build it with "
		      "`make integration`", buf);
}

/* Start with randombytes_buf() returning zeros. The environment is this
 * forked test's own; an ASan build must accept a preload before its
 * runtime. */
static void start_with_broken_rng(struct server *s)
{
	char path[4096], asan[1024];
	const char *old = getenv("ASAN_OPTIONS");

	zero_rng_path(path, sizeof(path));
	snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0",
		 old != NULL ? old : "", old != NULL && *old ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	setenv("LD_PRELOAD", path, 1);
	ck_assert_int_eq(server_start(s, NULL), 0);
	unsetenv("LD_PRELOAD");
}

/* A broken random source is caught at start-up: the process lives (liveness
 * 200) but is not ready and generates nothing; the log says why. */
/* `pwgend --healthcheck[=PROBE] --port PORT`: its exit status. */
static int probe_exit(unsigned port, const char *probe)
{
	char flag[32], portarg[16];
	const char *args[] = { flag, "--port", portarg, NULL };
	int status;

	snprintf(flag, sizeof(flag), "--healthcheck%s%s", probe ? "=" : "",
		 probe ? probe : "");
	snprintf(portarg, sizeof(portarg), "%u", port);
	status = run_binary_status(args);
	ck_assert_int_ge(status, 0);
	return status;
}

/* On a healthy server every probe passes; on a closed port none does. */
START_TEST(healthcheck_probes)
{
	ck_assert_int_eq(probe_exit(fixture.port, NULL), 0);
	ck_assert_int_eq(probe_exit(fixture.port, "ready"), 0);
	ck_assert_int_eq(probe_exit(fixture.port, "live"), 0);
	ck_assert_int_eq(probe_exit(fixture.port, "on"), 0);
	ck_assert_int_eq(probe_exit(1, NULL), 1);
}
END_TEST

START_TEST(selftest_failure_not_ready)
{
	static const char *const refused[] = { "/readyz", "/password",
					       "/pin?quantity=5000" };
	struct server s;
	struct response r;
	char *log;

	start_with_broken_rng(&s);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(http_get(s.port, refused[i], &r), 0);
		EXPECT_OK(verify_problem(&r, 503, URN "not-ready", NULL));
		ck_assert_ptr_nonnull(response_header(&r, "Retry-After"));
		ck_assert_ptr_null(strstr(r.body, "items"));
		response_free(&r);
	}
	for (size_t i = 0; i < 3; i++) {
		static const char *const alive[] = { "/livez", "/healthz",
						     "/metrics" };

		ck_assert_int_eq(http_get(s.port, alive[i], &r), 0);
		ck_assert_int_eq(r.status, 200);
		response_free(&r);
	}
	/* the probes tell the two apart: not ready, but alive */
	ck_assert_int_eq(probe_exit(s.port, NULL), 1);
	ck_assert_int_eq(probe_exit(s.port, "ready"), 1);
	ck_assert_int_eq(probe_exit(s.port, "live"), 0);
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	ck_assert_int_eq(server_wait(&s, 7000), 0);
	log = server_log(&s);
	ck_assert_msg(strstr(log, "RNG self-test failed") != NULL, "%s", log);
	free(log);
	server_stop(&s);
}
END_TEST

/* ============================================================= JSON log */

/* Every line is one JSON object with time, level and message; access
 * lines carry the OpenTelemetry fields, and generation ones kind and
 * quantity. Counts access lines of /password and the service messages
 * that must be there. */
struct json_log_seen {
	size_t gen_lines, listening, draining, stopped;
};

static void check_access_line(json_t *doc, struct json_log_seen *seen)
{
	static const char *const keys[] = { "http.request.method", "url.path",
		"pwgend.params", "http.response.status_code",
		"http.response.body.size", "http.server.request.duration",
		"pwgend.aborted", "request.id", "client.address" };
	json_t *params = json_object_get(doc, "pwgend.params");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_object_get(doc, keys[i]) != NULL, "no %s",
			      keys[i]);
	ck_assert(json_is_integer(json_object_get(doc,
						  "http.response.status_code")));
	ck_assert(json_is_number(json_object_get(
		doc, "http.server.request.duration")));
	ck_assert_str_eq(json_string_value(json_object_get(doc,
							   "client.address")),
			 "127.0.0.1");
	ck_assert(json_is_array(params));
	if (strcmp(json_string_value(json_object_get(doc, "url.path")),
		   "/password") != 0) {
		ck_assert_ptr_null(json_object_get(doc, "pwgend.kind"));
		return;
	}
	ck_assert_str_eq(json_string_value(json_object_get(doc,
							   "pwgend.kind")),
			 "password");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 doc, "pwgend.quantity")), 10);
	ck_assert_uint_eq(json_array_size(params), 2);
	ck_assert_str_eq(json_string_value(json_array_get(params, 0)),
			 "quantity");
	ck_assert_str_eq(json_string_value(json_array_get(params, 1)),
			 "length");
	seen->gen_lines++;
}

static void check_json_line(const char *line, size_t n,
			    struct json_log_seen *seen)
{
	json_error_t err;
	json_t *doc = json_loadb(line, n, 0, &err);
	const char *message;

	ck_assert_msg(json_is_object(doc), "not JSON (%s): %.*s", err.text,
		      (int)n, line);
	ck_assert(json_is_string(json_object_get(doc, "time")));
	ck_assert(json_is_string(json_object_get(doc, "level")));
	message = json_string_value(json_object_get(doc, "message"));
	ck_assert_ptr_nonnull(message);
	if (json_object_get(doc, "http.request.method") != NULL)
		check_access_line(doc, seen);
	else if (strncmp(message, "pwgend listening on", 19) == 0)
		seen->listening += json_is_integer(json_object_get(
			doc, "server.port"));
	else if (strstr(message, "draining") != NULL)
		seen->draining++;
	else if (strcmp(message, "stopped") == 0)
		seen->stopped++;
	json_decref(doc);
}

enum { LOAD_REQUESTS = 200, LOAD_QUANTITY = 10 };

/* 200 requests of 10 passwords of 33 characters on one keep-alive
 * connection; then no item and no query value is anywhere in the log,
 * and every line, start-up and shutdown messages included, is one JSON
 * object with the documented fields (nothing on stdout). */
START_TEST(json_log_never_holds_secrets)
{
	static const char *const flags[] = { "--log-format", "json", NULL };
	char **items = calloc(LOAD_REQUESTS * LOAD_QUANTITY, sizeof(char *));
	size_t n_items = 0;
	struct json_log_seen seen = { 0 };
	struct server s;
	struct conn c;
	char *log;

	ck_assert_ptr_nonnull(items);
	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(conn_open(&c, s.port), 0);
	for (int i = 0; i < LOAD_REQUESTS; i++) {
		struct response r;
		json_t *doc;

		ck_assert_int_eq(conn_request(&c, "GET", "/password?quantity=10"
					      "&length=33", NULL), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		EXPECT_OK(verify_items(&r, "password", LOAD_QUANTITY, 33,
				       CLS_DEFAULT, &doc));
		for (size_t k = 0; k < LOAD_QUANTITY; k++)
			items[n_items++] = strdup(json_string_value(
				json_array_get(json_object_get(doc, "items"),
					       k)));
		json_decref(doc);
		response_free(&r);
	}
	conn_close(&c);
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	ck_assert_int_eq(server_wait(&s, 7000), 0);
	{
		char byte;  /* stdout stayed empty: one stream */

		ck_assert_int_eq(read(s.out_fd, &byte, 1), 0);
	}
	log = server_log(&s);
	for (size_t i = 0; i < n_items; i++) {
		ck_assert_msg(strstr(log, items[i]) == NULL,
			      "generated item %s is in the log", items[i]);
		free(items[i]);
	}
	free(items);
	ck_assert_ptr_null(strstr(log, "=33"));
	ck_assert_ptr_null(strstr(log, "\"33\""));
	ck_assert_ptr_null(strstr(log, "=10"));
	for (const char *line = log; *line != '\0';) {
		size_t n = strcspn(line, "\n");

		check_json_line(line, n, &seen);
		line += n + (line[n] == '\n');
	}
	ck_assert_uint_eq(seen.gen_lines, LOAD_REQUESTS);
	ck_assert_uint_eq(seen.listening, 1);
	ck_assert_uint_eq(seen.draining, 1);
	ck_assert_uint_eq(seen.stopped, 1);
	free(log);
	server_stop(&s);
}
END_TEST

Suite *ops_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *routes_tc = server_case("routes", setup_default, TIMEOUT_LIGHT);
	TCase *metrics = server_case("metrics", setup_default, TIMEOUT_LIGHT);
	TCase *rejections = server_case("metrics_rejections", setup_queue_0,
					TIMEOUT_LIGHT);
	TCase *process = tcase_create("process");

	tcase_add_loop_test(routes_tc, get_and_head, 0, N_ROUTES);
	tcase_add_loop_test(routes_tc, other_methods_405, 0, N_ROUTES);
	tcase_add_loop_test(routes_tc, query_refused, 0, N_ROUTES);
	tcase_add_test(routes_tc, probe_bodies);
	tcase_add_test(routes_tc, version_fields);
	tcase_add_test(routes_tc, healthcheck_probes);
	tcase_add_test(routes_tc, spec_served_byte_for_byte);
	tcase_add_test(metrics, metrics_count_requests);
	tcase_add_test(metrics, metrics_jobs_counted);
	tcase_add_test(rejections, metrics_count_rejections);
	tcase_set_timeout(process, TIMEOUT_HEAVY);
	tcase_add_test(process, readyz_503_while_draining);
	tcase_add_test(process, json_log_never_holds_secrets);
	tcase_add_test(process, selftest_failure_not_ready);
	suite_add_tcase(s, routes_tc);
	suite_add_tcase(s, metrics);
	suite_add_tcase(s, rejections);
	suite_add_tcase(s, process);
	return s;
}
