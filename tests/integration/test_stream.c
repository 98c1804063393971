/*
 * test_stream.c - large replies streamed with chunked encoding: framing
 * (chunked, no Content-Length; HTTP/1.0 gets a close-delimited body; HEAD
 * keeps its Content-Length), completeness (every item, in order, each
 * valid and distinct), keep-alive and pipelining after a stream, the
 * threshold flag, a stalled reader not blocking other clients, clients
 * that leave mid-stream, and what /metrics counts for them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verify.h"

static void setup_default(void)
{
	static const char *const flags[] = { "--max-quantity", "1000000",
					     NULL };

	fixture_start(flags);
}

static void setup_never_stream(void)
{
	static const char *const flags[] = { "--stream-min-bytes",
					     "1000000000", NULL };

	fixture_start(flags);
}

/* The index of the first item that is not a fresh password of `length`
 * alphanumerics, or `quantity` when all are. (Checked in plain C and
 * asserted once: each passing ck_assert costs a message to Check's parent
 * process, and there are millions of characters here.) */
static size_t first_bad_password(json_t *items, size_t quantity,
				 size_t length)
{
	json_t *seen = json_object();
	size_t i;

	for (i = 0; i < quantity; i++) {
		const char *s = json_string_value(json_array_get(items, i));
		size_t k = 0;

		while (s != NULL && k < length && isalnum((unsigned char)s[k]))
			k++;
		if (s == NULL || k != length || s[k] != '\0' ||
		    json_object_get(seen, s) != NULL)
			break;
		json_object_set_new(seen, s, json_true());
	}
	json_decref(seen);
	return i;
}

/* `quantity` distinct passwords of `length` alphanumerics. */
static void expect_password_items(json_t *doc, size_t quantity,
				  size_t length)
{
	json_t *items = json_object_get(doc, "items");
	size_t bad;

	ck_assert_uint_eq(json_array_size(items), quantity);
	bad = first_bad_password(items, quantity, length);
	ck_assert_msg(bad == quantity, "item %zu: %s", bad,
		      json_string_value(json_array_get(items, bad)));
}

START_TEST(large_reply_is_chunked_and_complete)
{
	struct response r;
	json_t *doc;
	const char *why;

	ck_assert_int_eq(http_get(fixture.port,
				  "/password?quantity=100000&length=20", &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(r.chunked);
	ck_assert_str_eq(response_header(&r, "Transfer-Encoding"), "chunked");
	why = verify_headers(&r, "application/json", 0);
	ck_assert_msg(why == NULL, "%s", why);
	doc = response_json(&r);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "quantity")),
			 100000);
	expect_password_items(doc, 100000, 20);
	json_decref(doc);
	response_free(&r);
}
END_TEST

/* Far past the admission budget: 1,000,000 items (~35 MB) stream through
 * one chunk at a time. */
START_TEST(million_items_stream)
{
	struct response r;
	size_t lines = 0;

	ck_assert_int_eq(http_get(fixture.port, "/pin?quantity=1000000&"
				  "length=12&format=text", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(r.chunked);
	ck_assert_uint_eq(r.body_len, 1000000 * 13);
	for (size_t i = 0; i < r.body_len; i += 13) {
		size_t k = 0;

		while (k < 12 && isdigit((unsigned char)r.body[i + k]))
			k++;
		if (k < 12 || r.body[i + 12] != '\n')
			break;
		lines++;
	}
	ck_assert_uint_eq(lines, 1000000);
	response_free(&r);
}
END_TEST

START_TEST(ndjson_streams_line_by_line)
{
	struct response r;
	char *line, *save = NULL;
	size_t n = 0;

	ck_assert_int_eq(http_get(fixture.port, "/passphrase?quantity=40000&"
				  "format=ndjson", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(r.chunked);
	ck_assert_str_eq(response_header(&r, "Content-Type"),
			 "application/x-ndjson");
	ck_assert_int_eq(r.body[r.body_len - 1], '\n');
	for (line = strtok_r(r.body, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), n++) {
		json_t *s = json_loads(line, JSON_DECODE_ANY, NULL);

		bool ok = json_is_string(s) && json_string_length(s) > 0;

		json_decref(s);
		if (!ok)
			break;
	}
	ck_assert_uint_eq(n, 40000);
	response_free(&r);
}
END_TEST

/* HEAD is not streamed: same headers as a built reply, no body. */
START_TEST(head_keeps_content_length)
{
	struct response r;
	const char *why;

	ck_assert_int_eq(http_do(fixture.port, "HEAD",
				 "/password?quantity=100000", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!r.chunked);
	why = verify_headers(&r, "application/json", 1);
	ck_assert_msg(why == NULL, "%s", why);
	ck_assert_int_gt(atol(response_header(&r, "Content-Length")), 2000000);
	response_free(&r);
}
END_TEST

/* HTTP/1.0 has no chunked encoding: the body ends when the server closes. */
START_TEST(http10_gets_close_delimited_body)
{
	static const char req[] = "GET /password?quantity=100000 HTTP/1.0\r\n"
				  "\r\n";
	struct conn c;
	struct response r;
	json_t *doc;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, req, sizeof(req) - 1), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!r.chunked);
	ck_assert_ptr_null(response_header(&r, "Transfer-Encoding"));
	ck_assert(r.closed);
	doc = response_json(&r);
	ck_assert_ptr_nonnull(doc);
	expect_password_items(doc, 100000, 20);
	json_decref(doc);
	response_free(&r);
	conn_close(&c);
}
END_TEST

/* A stream, then a small request, pipelined on one connection: both come
 * back whole and in order, and the connection stays open. */
START_TEST(pipelined_after_stream)
{
	static const char req[] =
		"GET /password?quantity=60000 HTTP/1.1\r\nHost: t\r\n\r\n"
		"GET /pin?quantity=2 HTTP/1.1\r\nHost: t\r\n\r\n";
	struct conn c;
	struct response a, b;
	json_t *doc;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, req, sizeof(req) - 1), 0);
	ck_assert_int_eq(conn_read(&c, &a, false), 0);
	ck_assert_int_eq(conn_read(&c, &b, false), 0);
	ck_assert(a.chunked);
	ck_assert(!a.closed);
	doc = response_json(&a);
	expect_password_items(doc, 60000, 20);
	json_decref(doc);
	ck_assert_int_eq(b.status, 200);
	doc = response_json(&b);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
			 "pin");
	json_decref(doc);
	response_free(&a);
	response_free(&b);
	conn_close(&c);
}
END_TEST

/* A client that asks for a large reply and stops reading holds one chunk
 * on the server, not the reply, and nobody else waits for it. */
START_TEST(stalled_reader_blocks_nobody)
{
	struct conn stalled;
	struct response r;
	long start;

	ck_assert_int_eq(conn_open(&stalled, fixture.port), 0);
	ck_assert_int_eq(conn_request(&stalled, "GET", "/password?quantity="
				      "1000000&length=64", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&stalled, 10000), 0);
	for (int i = 0; i < 20; i++) {
		start = now_ms();
		ck_assert_int_eq(http_get(fixture.port, "/password?quantity=50",
					  &r), 0);
		ck_assert_int_eq(r.status, 200);
		response_free(&r);
		ck_assert_int_lt(now_ms() - start, 5000);
	}
	conn_close(&stalled);
}
END_TEST

static double metric(const char *series)
{
	struct response r;
	double v;

	ck_assert_int_eq(http_get(fixture.port, "/metrics", &r), 0);
	v = metrics_sample(r.body, series);
	response_free(&r);
	return v;
}

/* Clients that leave mid-stream (FIN or RST): the server carries on, frees
 * the job (in-flight goes back to the /metrics request alone) and does not
 * count their items as generated. */
START_TEST(leaving_mid_stream)
{
	static const char *const items = "pwgend_items_generated_total{kind="
					 "\"password\"}";
	double before = metric(items);
	struct response r;

	for (int i = 0; i < 6; i++) {
		struct conn c;

		ck_assert_int_eq(conn_open(&c, fixture.port), 0);
		ck_assert_int_eq(conn_request(&c, "GET", "/password?quantity="
					      "1000000&length=32", NULL), 0);
		for (ssize_t got = 0; got < 300000;) {
			ssize_t n = conn_read_some(&c, 4096);

			ck_assert_int_gt(n, 0);
			got += n;
		}
		if (i % 2)
			conn_abort(&c);
		else
			conn_close(&c);
	}
	for (int tries = 0; metric("pwgend_inflight_requests") != 1; tries++) {
		ck_assert_int_lt(tries, 500);
		sleep_ms(10);
	}
	ck_assert_double_eq(metric(items), before);
	ck_assert_int_eq(http_get(fixture.port, "/password?quantity=100000",
				  &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_double_eq(metric(items), before + 100000);
}
END_TEST

/* --stream-min-bytes past the reply: built whole, with Content-Length. */
START_TEST(threshold_flag_turns_streaming_off)
{
	struct response r;
	const char *why;

	ck_assert_int_eq(http_get(fixture.port, "/password?quantity=100000",
				  &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!r.chunked);
	why = verify_headers(&r, "application/json", 0);
	ck_assert_msg(why == NULL, "%s", why);
	response_free(&r);
}
END_TEST

Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = server_case("stream", setup_default, TIMEOUT_HEAVY);
	TCase *off = server_case("stream_off", setup_never_stream,
				 TIMEOUT_LIGHT);

	tcase_add_test(tc, large_reply_is_chunked_and_complete);
	tcase_add_test(tc, million_items_stream);
	tcase_add_test(tc, ndjson_streams_line_by_line);
	tcase_add_test(tc, head_keeps_content_length);
	tcase_add_test(tc, http10_gets_close_delimited_body);
	tcase_add_test(tc, pipelined_after_stream);
	tcase_add_test(tc, stalled_reader_blocks_nobody);
	tcase_add_test(tc, leaving_mid_stream);
	suite_add_tcase(s, tc);
	tcase_add_test(off, threshold_flag_turns_streaming_off);
	suite_add_tcase(s, off);
	return s;
}
