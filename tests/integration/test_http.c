/*
 * test_http.c - HTTP behaviour around the routes: the common headers, HEAD,
 * request bodies on GET, keep-alive and pipelining on one connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verify.h"

static void setup_default(void)
{
	fixture_start(NULL);
}

/* Send one request on an open connection and read its reply. */
static void roundtrip(struct conn *c, const char *method, const char *target,
		      const char *extra, struct response *r)
{
	ck_assert_msg(conn_request(c, method, target, extra) == 0,
		      "%s %s: send failed", method, target);
	ck_assert_msg(conn_read(c, r, strcmp(method, "HEAD") == 0) == 0,
		      "%s %s: no complete reply", method, target);
}

static void expect_same_header(const struct response *a,
			       const struct response *b, const char *name)
{
	const char *va = response_header(a, name);
	const char *vb = response_header(b, name);

	ck_assert_msg(va != NULL && vb != NULL && strcmp(va, vb) == 0,
		      "%s differs: %s vs %s", name, va ? va : "(absent)",
		      vb ? vb : "(absent)");
}

static void expect_health_body(const struct response *r)
{
	json_t *doc = response_json(r);

	ck_assert_msg(json_is_object(doc) && json_object_size(doc) == 1,
		      "body %s", r->body);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
			 "ok");
	json_decref(doc);
}

/* ============================================================== headers */

START_TEST(common_headers_on_success)
{
	static const char *const targets[] = { "/password", "/pin",
					       "/healthz" };

	for (size_t i = 0; i < 3; i++) {
		struct response r;
		const char *why;

		ck_assert_int_eq(http_get(fixture.port, targets[i], &r), 0);
		ck_assert_int_eq(r.status, 200);
		why = verify_headers(&r, "application/json", 0);
		ck_assert_msg(why == NULL, "%s: %s", targets[i], why);
		response_free(&r);
	}
}
END_TEST

/* ================================================================= HEAD */

/* HEAD then GET of the same target on one connection: same status and
 * headers, no body on HEAD (else the GET reply would not parse), and the
 * Content-Length the GET has (the targets have fixed-size replies). */
static void expect_head_like_get(const char *target)
{
	static const char *const same[] = { "Content-Type", "Content-Length",
					    "Cache-Control",
					    "X-Content-Type-Options" };
	struct conn c;
	struct response head, get;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	roundtrip(&c, "HEAD", target, NULL, &head);
	roundtrip(&c, "GET", target, NULL, &get);
	conn_close(&c);
	ck_assert_msg(head.status == get.status, "%s: HEAD %d, GET %d", target,
		      head.status, get.status);
	ck_assert_uint_eq(head.body_len, 0);
	ck_assert_uint_gt(get.body_len, 0);
	for (size_t i = 0; i < 4; i++)
		expect_same_header(&head, &get, same[i]);
	response_free(&head);
	response_free(&get);
}

START_TEST(head_healthz)
{
	expect_head_like_get("/healthz");
}
END_TEST

/* Without symbols nothing needs escaping, so the size is fixed. */
START_TEST(head_generation)
{
	expect_head_like_get("/password?quantity=3");
	expect_head_like_get("/pin?quantity=4&length=9");
}
END_TEST

START_TEST(head_errors)
{
	expect_head_like_get("/nope");
	expect_head_like_get("/password?lenght=5");
	expect_head_like_get("/pin?length=65");
	expect_head_like_get("/pass%zzword");
}
END_TEST

/* ============================================================ GET body */

/* A body on GET is read and dropped: the reply is the usual one, and the
 * body is not mistaken for the next request (it looks like one here). */
START_TEST(get_body_ignored)
{
	static const char body[] = "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
	char extra[128];
	struct conn c;
	struct response r;

	snprintf(extra, sizeof(extra),
		 "Content-Type: text/plain\r\nContent-Length: %zu\r\n",
		 sizeof(body) - 1);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_request(&c, "GET", "/password?quantity=2",
				      extra), 0);
	ck_assert_int_eq(conn_send(&c, body, sizeof(body) - 1), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_items(&r, "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	roundtrip(&c, "GET", "/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	conn_close(&c);
}
END_TEST

START_TEST(get_chunked_body_ignored)
{
	static const char body[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
	struct conn c;
	struct response r;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_request(&c, "GET", "/pin?quantity=3",
				      "Transfer-Encoding: chunked\r\n"), 0);
	ck_assert_int_eq(conn_send(&c, body, sizeof(body) - 1), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_items(&r, "pin", 3, 6, CLS_DIGITS, NULL));
	response_free(&r);
	roundtrip(&c, "GET", "/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	conn_close(&c);
}
END_TEST

/* ========================================================== keep-alive */

/* Several requests on one connection, errors among them: all answered, and
 * the server keeps the connection open throughout. */
START_TEST(keep_alive)
{
	struct conn c;
	struct response r;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	for (int round = 0; round < 3; round++) {
		roundtrip(&c, "GET", "/healthz", NULL, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert(!r.closed);
		response_free(&r);
		roundtrip(&c, "GET", "/password?lenght=5", NULL, &r);
		EXPECT_OK(verify_problem(&r, 400,
					 "urn:pwgend:problem:unknown-parameter",
					 "lenght"));
		ck_assert(!r.closed);
		response_free(&r);
		roundtrip(&c, "GET", "/password?quantity=3", NULL, &r);
		EXPECT_OK(verify_items(&r, "password", 3, 20, CLS_DEFAULT,
				       NULL));
		ck_assert(!r.closed);
		response_free(&r);
		roundtrip(&c, "GET", "/nope", NULL, &r);
		EXPECT_OK(verify_problem(&r, 404, "urn:pwgend:problem:not-found",
					 NULL));
		ck_assert(!r.closed);
		response_free(&r);
		roundtrip(&c, "POST", "/pin", "Content-Length: 0\r\n", &r);
		ck_assert_int_eq(r.status, 405);
		response_free(&r);
		roundtrip(&c, "GET", "/pin?length=8", NULL, &r);
		EXPECT_OK(verify_items(&r, "pin", 1, 8, CLS_DIGITS, NULL));
		ck_assert(!r.closed);
		response_free(&r);
	}
	conn_close(&c);
}
END_TEST

/* ========================================================== pipelining */

/* Requests written back to back in one send are answered in order, even
 * when an early one is much bigger than the ones after it. */
START_TEST(pipelined_in_order)
{
	static const char reqs[] =
		"GET /password?quantity=20000 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /pin?length=4 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /password?quantity=2&length=8 HTTP/1.1\r\nHost: a\r\n\r\n"
		"HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
	struct conn c;
	struct response r;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, reqs, sizeof(reqs) - 1), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_items(&r, "password", 20000, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_items(&r, "pin", 1, 4, CLS_DIGITS, NULL));
	response_free(&r);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_problem(&r, 404, "urn:pwgend:problem:not-found", NULL));
	response_free(&r);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_items(&r, "password", 2, 8, CLS_DEFAULT, NULL));
	response_free(&r);
	ck_assert_int_eq(conn_read(&c, &r, true), 0);
	ck_assert_int_eq(r.status, 200);
	EXPECT_OK(verify_headers(&r, "application/json", 1));
	response_free(&r);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_int_eq(r.status, 200);
	expect_health_body(&r);
	response_free(&r);
	conn_close(&c);
}
END_TEST

/* ================================================================ suite */

Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = server_case("protocol", setup_default, TIMEOUT_LIGHT);

	tcase_add_test(tc, common_headers_on_success);
	tcase_add_test(tc, head_healthz);
	tcase_add_test(tc, head_generation);
	tcase_add_test(tc, head_errors);
	tcase_add_test(tc, get_body_ignored);
	tcase_add_test(tc, get_chunked_body_ignored);
	tcase_add_test(tc, keep_alive);
	tcase_add_test(tc, pipelined_in_order);
	suite_add_tcase(s, tc);
	return s;
}
