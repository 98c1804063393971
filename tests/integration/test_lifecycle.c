/*
 * test_lifecycle.c - the process around the routes: command line, shutdown
 * on SIGTERM/SIGINT (drain, grace, refusing new work) and the access log
 * (one line per request, never a secret or a query value). Each test starts
 * its own server, since most of them end it.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

static void start(struct server *s, const char *const *flags)
{
	ck_assert_msg(server_start(s, flags) == 0, "cannot start %s",
		      server_binary());
}

/* Wait for the exit that `sig` (sent at `sent_ms`) causes, up to
 * `within_ms` after sending it: status 0 and "pwgend: stopped" logged. */
static void expect_exit_0(struct server *s, long sent_ms, long within_ms)
{
	long left = sent_ms + within_ms - now_ms();
	char *log;
	size_t len;

	ck_assert_msg(server_wait(s, left > 0 ? (int)left : 0) == 0,
		      "still running %ld ms after the signal", within_ms);
	log = server_log(s);
	len = strlen(log);
	/* the end of stderr says why (a sanitizer report, for one) */
	ck_assert_msg(WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0,
		      "wait status 0x%x; stderr ends: %s", s->status,
		      log + (len > 1500 ? len - 1500 : 0));
	ck_assert_msg(strstr(log, "pwgend: stopped") != NULL,
		      "no \"pwgend: stopped\" in: %s", log);
	free(log);
}

static void roundtrip(struct conn *c, const char *target, struct response *r)
{
	ck_assert_int_eq(conn_request(c, "GET", target, NULL), 0);
	ck_assert_msg(conn_read(c, r, false) == 0, "GET %s: no reply", target);
}

/* ========================================================= command line */

START_TEST(help_exits_0)
{
	static const char *const args[] = { "--help", NULL };
	static const char *const flags[] = { "--port", "--bind", "--loops",
		"--max-quantity", "--max-queue",
		"--max-inflight-bytes", "--max-url-length", "--grace",
		"--connection-timeout", "--access-log" };
	int status = 0;
	char *out, *err;

	ck_assert_int_eq(run_binary(args, 10000, &status, &out, &err), 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "wait status 0x%x", status);
	ck_assert_msg(strstr(out, "usage") != NULL ||
			      strstr(out, "Usage") != NULL,
		      "no usage on stdout: %s", out);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		ck_assert_msg(strstr(out, flags[i]) != NULL,
			      "--help does not mention %s", flags[i]);
	free(out);
	free(err);
}
END_TEST

/* Refused command lines: exit 2 with a message, never serving. */
static const char *const bad_args[][4] = {
	{ "--bogus", NULL },
	{ "--max-inflight-bytes", "65535", NULL },
	{ "--max-url-length", "63", NULL },
	{ "--loops", "abc", NULL },
	{ "--threads", "2", NULL },
	{ "--schedulers", "2", NULL },
	{ "--inline-max-bytes", "0", NULL },
	{ "--access-log", "maybe", NULL },
	{ "--grace", "-1", NULL },
	{ "--max-quantity", NULL },
	{ "stray", NULL },
};

START_TEST(bad_command_line_exits_2)
{
	int status = 0;
	char *out, *err;

	ck_assert_int_eq(run_binary(bad_args[_i], 10000, &status, &out, &err),
			 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
		      "%s: wait status 0x%x", bad_args[_i][0], status);
	ck_assert_msg(err[0] != '\0', "%s: nothing on stderr", bad_args[_i][0]);
	ck_assert_msg(strstr(out, "listening") == NULL, "%s: it served",
		      bad_args[_i][0]);
	free(out);
	free(err);
}
END_TEST

/* A second pwgend on a busy port fails at once with exit 1 and a message
 * naming the port, instead of silently sharing it (pwgend binds without
 * SO_REUSEPORT); the first one keeps serving. */
START_TEST(busy_port_exits_1)
{
	char port[16];
	const char *const args[] = { "--port", port, "--bind", "127.0.0.1",
				     NULL };
	struct server s;
	struct response r;
	int status = 0;
	char *out, *err;

	start(&s, NULL);
	snprintf(port, sizeof(port), "%u", s.port);
	ck_assert_int_eq(run_binary(args, 10000, &status, &out, &err), 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		      "wait status 0x%x", status);
	ck_assert_msg(strstr(out, "listening") == NULL, "it served: %s", out);
	ck_assert_msg(strstr(err, port) != NULL &&
			      strstr(err, "in use") != NULL,
		      "unclear message: %s", err);
	ck_assert_int_eq(http_get(s.port, "/healthz", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	free(out);
	free(err);
	server_stop(&s);
}
END_TEST

/* The smallest values the flags allow do start a working server. */
START_TEST(minimum_flag_values_start)
{
	static const char *const flags[] = { "--max-inflight-bytes", "65536",
		"--max-url-length", "64", "--max-quantity", "1",
		"--max-queue", "1", "--grace", "0", NULL };
	struct server s;
	struct response r;

	start(&s, flags);
	ck_assert_int_eq(http_get(s.port, "/pin", &r), 0);
	EXPECT_OK(verify_items(&r, "pin", 1, 6, CLS_DIGITS, NULL));
	response_free(&r);
	server_stop(&s);
}
END_TEST

/* ============================================================= shutdown */

/* 503 draining, Retry-After: 1, and the server closes the connection. */
static void expect_draining(const struct response *r)
{
	const char *retry = response_header(r, "Retry-After");

	EXPECT_OK(verify_problem(r, 503, URN "draining", NULL));
	ck_assert_msg(retry != NULL && strcmp(retry, "1") == 0,
		      "Retry-After %s", retry ? retry : "(absent)");
	ck_assert_msg(r->closed, "no Connection: close on draining");
}

/* After SIGTERM a new connection is refused, or answered 503 draining. */
static void expect_no_new_work(unsigned port)
{
	struct conn late;
	struct response r;

	if (conn_open(&late, port) < 0) {
		ck_assert_msg(errno == ECONNREFUSED, "connect: %s",
			      strerror(errno));
		return;
	}
	ck_assert_int_eq(conn_request(&late, "GET", "/healthz", NULL), 0);
	ck_assert_msg(conn_read(&late, &r, false) == 0,
		      "new connection accepted but not answered");
	expect_draining(&r);
	response_free(&r);
	conn_close(&late);
}

/* Idle: SIGTERM and SIGINT end the server at once, not after the grace. */
START_TEST(signal_idle_exits_0)
{
	static const char *const flags[] = { "--grace", "10", NULL };
	int sig = _i == 0 ? SIGTERM : SIGINT;
	struct server s;
	struct response r;
	long sent;

	start(&s, flags);
	ck_assert_int_eq(http_get(s.port, "/password", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, sig), 0);
	expect_exit_0(&s, sent, 3000);
	server_stop(&s);
}
END_TEST

/* Requests that libmicrohttpd may refuse itself, before pwgend's handler
 * runs: a head far too large, and a target at the longest allowed length
 * made of 16000 empty pairs. Nothing of them may stay "in flight": SIGTERM
 * still ends the server at once (not after the grace) and, under ASan,
 * without leaks. */
START_TEST(signal_after_library_refusal)
{
	static const char *const flags[] = { "--grace", "10",
		"--max-url-length", "16384", "--connection-timeout", "1", NULL };
	static char target[16021] = "/password?quantity=1";
	static char big_header[300000];
	struct server s;
	struct conn c;
	struct response r;
	long sent;

	memset(target + strlen(target), '&', 16020 - strlen(target));
	memcpy(big_header, "X-Big: ", 7);
	memset(big_header + 7, 'a', sizeof(big_header) - 10);
	memcpy(big_header + sizeof(big_header) - 3, "\r\n", 3);
	start(&s, flags);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(conn_open(&c, s.port), 0);
		if (i == 0)
			ck_assert_int_eq(conn_request(&c, "GET", target, NULL),
					 0);
		else  /* the server may close before reading it all */
			(void)conn_request(&c, "GET", "/healthz", big_header);
		if (conn_read(&c, &r, false) == 0)  /* whatever it is, if any */
			response_free(&r);
		conn_close(&c);
	}
	sleep_ms(200);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	expect_exit_0(&s, sent, 3000);
	server_stop(&s);
}
END_TEST

/* A request in flight at SIGTERM completes in full; meanwhile a request on
 * an open keep-alive connection gets 503 draining, new connections are
 * refused (or get 503), and the server exits 0 within grace + 2 s. Iteration 0 signals 100 ms
 * after sending (likely mid-generation), 1 and 2 once the reply has started
 * (mid-send: 25 MB do not fit the socket buffers); 2 with four loops. */
START_TEST(sigterm_drains_in_flight)
{
	static const char *const pools[] = { "--loops", "4", NULL };
	static const char big_then_small[] =
		"GET /password?quantity=100000&length=256 HTTP/1.1\r\n"
		"Host: a\r\n\r\n"
		"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
	struct server s;
	struct conn big, idle;
	struct response r;
	long sent;

	start(&s, _i == 2 ? pools : NULL);
	ck_assert_int_eq(conn_open(&idle, s.port), 0);
	roundtrip(&idle, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(conn_open(&big, s.port), 0);
	ck_assert_int_eq(conn_send(&big, big_then_small,
				   sizeof(big_then_small) - 1), 0);
	if (_i == 0)
		sleep_ms(100);
	else
		ck_assert_int_eq(conn_wait_readable(&big, 20000), 0);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	sleep_ms(200);

	expect_no_new_work(s.port);
	roundtrip(&idle, "/healthz", &r);
	expect_draining(&r);
	response_free(&r);
	conn_close(&idle);

	ck_assert_msg(conn_read(&big, &r, false) == 0,
		      "in-flight reply cut short");
	EXPECT_OK(verify_items(&r, "password", 100000, 256, CLS_DEFAULT, NULL));
	response_free(&r);
	/* The request pipelined behind it was sent before the signal: it gets
	 * 503 draining, or (when the drain ends before the server has read
	 * it) the connection closes unanswered, which RFC 9112 9.3.2 allows:
	 * the client retries it. Anything else is wrong. */
	if (conn_read(&big, &r, false) == 0) {
		expect_draining(&r);
		response_free(&r);
	}
	conn_close(&big);
	expect_exit_0(&s, sent, 5000 + 2000);
	server_stop(&s);
}
END_TEST

/* Jobs still waiting in the queue at SIGTERM are in flight too. With a
 * 64 KiB budget, a big reply that is not being read keeps the budget spent,
 * so the two jobs sent after it are still queued when the signal comes; all
 * three complete. */
START_TEST(sigterm_drains_queued)
{
	static const char *const flags[] = { "--max-inflight-bytes", "65536",
					     NULL };
	struct server s;
	struct conn c[3];
	struct response r;
	long sent;

	start(&s, flags);
	ck_assert_int_eq(conn_open(&c[0], s.port), 0);
	ck_assert_int_eq(conn_request(&c[0], "GET", "/password?quantity=100000"
				      "&length=256", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&c[0], 20000), 0);
	for (size_t i = 1; i < 3; i++) {
		ck_assert_int_eq(conn_open(&c[i], s.port), 0);
		ck_assert_int_eq(conn_request(&c[i], "GET", "/password?quantity="
					      "5000&length=64", NULL), 0);
	}
	sleep_ms(50);  /* let the server queue them */
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	ck_assert_msg(conn_read(&c[0], &r, false) == 0, "reply 0 cut short");
	EXPECT_OK(verify_items(&r, "password", 100000, 256, CLS_DEFAULT, NULL));
	response_free(&r);
	for (size_t i = 1; i < 3; i++) {
		ck_assert_msg(conn_read(&c[i], &r, false) == 0,
			      "queued reply %zu cut short", i);
		EXPECT_OK(verify_items(&r, "password", 5000, 64, CLS_DEFAULT,
				       NULL));
		response_free(&r);
	}
	for (size_t i = 0; i < 3; i++)
		conn_close(&c[i]);
	expect_exit_0(&s, sent, 5000 + 2000);
	server_stop(&s);
}
END_TEST

/* A client that never reads its reply cannot hold the server past the
 * grace period. */
START_TEST(sigterm_grace_expires)
{
	static const char *const flags[] = { "--grace", "1", NULL };
	struct server s;
	struct conn stuck;
	long sent;

	start(&s, flags);
	ck_assert_int_eq(conn_open(&stuck, s.port), 0);
	ck_assert_int_eq(conn_request(&stuck, "GET", "/password?quantity=100000"
				      "&length=256", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&stuck, 20000), 0);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	/* the whole drain fits in the grace (plus scheduling slack) */
	expect_exit_0(&s, sent, 1000 + 500);
	conn_close(&stuck);
	server_stop(&s);
}
END_TEST

/* SIGHUP (a reload request, or a closed terminal) neither kills nor drains
 * the server: it says so in the log and goes on serving. */
START_TEST(sighup_keeps_serving)
{
	struct server s;
	struct response r;
	char *log;
	long sent;

	start(&s, NULL);
	ck_assert_int_eq(server_signal(&s, SIGHUP), 0);
	sleep_ms(200);
	ck_assert(server_alive(&s));
	ck_assert_int_eq(http_get(s.port, "/password?quantity=2", &r), 0);
	EXPECT_OK(verify_items(&r, "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	log = server_log(&s);
	ck_assert_msg(strstr(log, "SIGHUP received") != NULL, "log: %s", log);
	free(log);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	expect_exit_0(&s, sent, 5000 + 2000);
	server_stop(&s);
}
END_TEST

/* When the grace period runs out with work still queued (a 64 KiB budget
 * makes 12 big jobs run one at a time), what is left is cancelled and the
 * server still exits 0 in time. A client gets a complete 200, a 503, or a
 * cut connection, never anything else. */
START_TEST(sigterm_grace_cancels_queued)
{
	static const char *const flags[] = { "--grace", "1",
		"--max-inflight-bytes", "65536", "--loops", "3", NULL };
	enum { N = 12 };
	struct server s;
	struct conn c[N];
	long sent;

	start(&s, flags);
	for (size_t i = 0; i < N; i++) {
		ck_assert_int_eq(conn_open(&c[i], s.port), 0);
		ck_assert_int_eq(conn_request(&c[i], "GET", "/password?quantity="
					      "100000&length=256", NULL), 0);
	}
	/* whichever job the server started first: its reply is not read */
	ck_assert_int_ge(conn_wait_any(c, N, 20000), 0);
	sent = now_ms();
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	expect_exit_0(&s, sent, 1000 + 2000);
	for (size_t i = 0; i < N; i++) {
		struct response r;

		if (conn_read(&c[i], &r, false) == 0) {
			ck_assert_msg(r.status == 200 || r.status == 503,
				      "status %d", r.status);
			response_free(&r);
		}
		conn_close(&c[i]);
	}
	server_stop(&s);
}
END_TEST

/* =========================================================== access log */

/* SIGTERM, wait for the exit, return the whole stderr: every line is in. */
static char *final_log(struct server *s)
{
	long sent = now_ms();

	ck_assert_int_eq(server_signal(s, SIGTERM), 0);
	expect_exit_0(s, sent, 7000);
	return server_log(s);
}

/* The access line that has these method and status tokens and a target
 * token starting with `path` (a copy; free it), NULL if there is none. */
static char *find_line(const char *log, const char *method, const char *path,
		       const char *status)
{
	for (const char *line = log; *line != '\0';) {
		size_t n = strcspn(line, "\n");
		char *copy = strndup(line, n), *save = NULL;
		bool m = false, p = false, st = false;

		ck_assert_ptr_nonnull(copy);
		for (char *tok = strtok_r(copy, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save)) {
			m = m || strcmp(tok, method) == 0;
			p = p || strncmp(tok, path, strlen(path)) == 0;
			st = st || strcmp(tok, status) == 0;
		}
		free(copy);
		if (m && p && st)
			return strndup(line, n);
		line += n + (line[n] == '\n');
	}
	return NULL;
}

static void expect_line(const char *log, const char *method, const char *path,
			const char *status)
{
	char *line = find_line(log, method, path, status);

	ck_assert_msg(line != NULL, "no access line with %s %s %s in:\n%s",
		      method, path, status, log);
	free(line);
}

START_TEST(access_log_lines)
{
	static const char secret[] = "Sup3rS3cretValue";
	char target[96];
	struct server s;
	struct response r;
	struct conn c;
	char *log, *line;

	start(&s, NULL);
	ck_assert_int_eq(http_get(s.port, "/password?quantity=7&length=33", &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(http_do(s.port, "HEAD", "/healthz", &r), 0);
	response_free(&r);
	ck_assert_int_eq(conn_open(&c, s.port), 0);
	ck_assert_int_eq(conn_request(&c, "POST", "/pin", "Content-Length: 0\r\n"),
			 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	response_free(&r);
	conn_close(&c);
	ck_assert_int_eq(http_get(s.port, "/nope", &r), 0);
	response_free(&r);
	snprintf(target, sizeof(target), "/password?lenght=%s", secret);
	ck_assert_int_eq(http_get(s.port, target, &r), 0);
	response_free(&r);

	log = final_log(&s);
	expect_line(log, "HEAD", "/healthz", "200");
	expect_line(log, "POST", "/pin", "405");
	expect_line(log, "GET", "/nope", "404");
	expect_line(log, "GET", "/password?lenght", "400");
	ck_assert_msg(strstr(log, secret) == NULL, "a query value is logged");
	/* parameter names, never values */
	line = find_line(log, "GET", "/password?quantity", "200");
	ck_assert_msg(line != NULL, "no line for the 200 in:\n%s", log);
	ck_assert_ptr_nonnull(strstr(line, "quantity"));
	ck_assert_ptr_nonnull(strstr(line, "length"));
	ck_assert_msg(strstr(line, "=7") == NULL && strstr(line, "=33") == NULL,
		      "values logged: %s", line);
	ck_assert_msg(strstr(line, "/password?quantity&length ") != NULL,
		      "target not logged as names only: %s", line);
	free(line);
	free(log);
	server_stop(&s);
}
END_TEST

/* 300 requests of 10 passwords: 300 access lines, and none of the 3000
 * passwords anywhere in the log. */
START_TEST(access_log_has_no_secrets)
{
	struct server s;
	struct conn c;
	const char **items = calloc(3000, sizeof(*items));
	json_t *docs[300];
	size_t lines = 0;
	char *log;

	ck_assert_ptr_nonnull(items);
	start(&s, NULL);
	ck_assert_int_eq(conn_open(&c, s.port), 0);
	for (size_t i = 0; i < 300; i++) {
		struct response r;
		const json_t *arr;

		roundtrip(&c, "/password?quantity=10", &r);
		EXPECT_OK(verify_items(&r, "password", 10, 20, CLS_DEFAULT,
				       &docs[i]));
		response_free(&r);
		arr = json_object_get(docs[i], "items");
		for (size_t j = 0; j < 10; j++)
			items[i * 10 + j] =
				json_string_value(json_array_get(arr, j));
	}
	conn_close(&c);
	log = final_log(&s);
	for (const char *p = log; (p = strstr(p, "/password?")) != NULL; p++)
		lines++;
	ck_assert_uint_eq(lines, 300);
	for (size_t i = 0; i < 3000; i++)
		ck_assert_msg(strstr(log, items[i]) == NULL,
			      "item %s is in the log", items[i]);
	free(log);
	for (size_t i = 0; i < 300; i++)
		json_decref(docs[i]);
	free(items);
	server_stop(&s);
}
END_TEST

START_TEST(access_log_off)
{
	static const char *const flags[] = { "--access-log", "off", NULL };
	struct server s;
	struct response r;
	char *log;

	start(&s, flags);
	ck_assert_int_eq(http_get(s.port, "/password?quantity=2", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(http_get(s.port, "/nope", &r), 0);
	response_free(&r);
	log = final_log(&s);
	ck_assert_msg(strstr(log, "/password") == NULL &&
			      strstr(log, "/nope") == NULL,
		      "access lines with --access-log off:\n%s", log);
	free(log);
	server_stop(&s);
}
END_TEST

/* ================================================================ suite */

Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *cli = tcase_create("command_line");
	TCase *stop = tcase_create("shutdown");
	TCase *log = tcase_create("access_log");
	int n_bad = (int)(sizeof(bad_args) / sizeof(bad_args[0]));

	tcase_set_timeout(cli, TIMEOUT_LIGHT);
	tcase_set_timeout(stop, TIMEOUT_HEAVY);
	tcase_set_timeout(log, TIMEOUT_HEAVY);
	tcase_add_test(cli, help_exits_0);
	tcase_add_loop_test(cli, bad_command_line_exits_2, 0, n_bad);
	tcase_add_test(cli, minimum_flag_values_start);
	tcase_add_test(cli, busy_port_exits_1);
	tcase_add_loop_test(stop, signal_idle_exits_0, 0, 2);
	tcase_add_test(stop, signal_after_library_refusal);
	tcase_add_loop_test(stop, sigterm_drains_in_flight, 0, 3);
	tcase_add_test(stop, sigterm_drains_queued);
	tcase_add_test(stop, sigterm_grace_expires);
	tcase_add_test(stop, sighup_keeps_serving);
	tcase_add_test(stop, sigterm_grace_cancels_queued);
	tcase_add_test(log, access_log_lines);
	tcase_add_test(log, access_log_has_no_secrets);
	tcase_add_test(log, access_log_off);
	suite_add_tcase(s, cli);
	suite_add_tcase(s, stop);
	suite_add_tcase(s, log);
	return s;
}
