/*
 * test_known_bugs.c - inputs that pwgend (on libmicrohttpd 0.9.75) accepts
 * although it should refuse them. Each test states the RFC's or the README's
 * expectation and FAILS today; the rows of tests/BAD_INPUTS.md that record
 * the current behaviour point here.
 *
 * Not part of `make integration`: check_integration.c adds this suite only
 * when PWGEND_KNOWN_BUGS=1 (`make known-bugs`, mk/reliability.mk). Once a
 * bug is fixed, move its row into test_catalogue.c with the new expectation.
 *
 *   K1, K2  a raw NUL byte in the request-target: libmicrohttpd hands the
 *           target to MHD_OPTION_URI_LOG_CALLBACK as a C string, so pwgend
 *           parses only the part before the NUL and serves it (README: a NUL
 *           byte is a 400, and bad input is never guessed at);
 *   K3      two different Content-Length fields: libmicrohttpd uses the first
 *           (RFC 9112 6.3: a 400 and close; fixed upstream in 1.0.4);
 *   K4      two Host fields (RFC 9112 3.2: a 400);
 *   K5      whitespace between a field name and its colon (RFC 9112 5.1: a
 *           400); 0.9.75 rejects it only at its *lenient* level, i.e.
 *           --strict-client 0, and accepts it at the default 2.
 */
#include <string.h>

#include "suites.h"
#include "verify.h"

struct known_bug {
	const char *id;
	const char *bytes;
	size_t len;
};

#define RAW(s) (s), sizeof(s) - 1

static const struct known_bug bugs[] = {
	{ "K1", RAW("GET /pin?quantity=2\0&bogus=1 HTTP/1.1\r\nHost: a\r\n\r\n") },
	{ "K2", RAW("GET /healthz\0/../nope HTTP/1.1\r\nHost: a\r\n\r\n") },
};

/* Formerly K3-K5, fixed (framing.c), and the request-smuggling shapes
 * (S1-S7, RFC 9112 6.1 and 6.3): always run. Each carries a second request
 * that must never be answered. */
#define SMUGGLED "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
static const struct known_bug fixed[] = {
	{ "S1", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" SMUGGLED) },
	{ "S2", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n"
		    " chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
		    SMUGGLED) },
	{ "S3", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
		    "chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n"
		    SMUGGLED) },
	{ "S4", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
		    "identity\r\n\r\n" SMUGGLED) },
	{ "S5", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
		    "xchunked\r\n\r\n" SMUGGLED) },
	{ "S6", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
		    "chunked, identity\r\n\r\n0\r\n\r\n" SMUGGLED) },
	{ "S7", RAW("POST /v1/complex_password HTTP/1.1\r\nHost: a\r\n"
		    "Content-Type: application/json\r\nContent-Length: 2\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
		    SMUGGLED) },
	{ "K3", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
		    "Content-Length: 31\r\n\r\n"
		    "GET /healthz HTTP/1.1\r\nHost: \r\n") },
	{ "K4", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") },
	{ "K5", RAW("GET /pin HTTP/1.1\r\nHost: a\r\nX-A : 1\r\n\r\n") },
};

static void setup_known_bugs(void)
{
	static const char *const flags[] = { "--connection-timeout", "2", NULL };

	fixture_start(flags);
}

/* Wanted: a 400 of any kind (pwgend's or libmicrohttpd's), never a 200. */
START_TEST(refused_with_400)
{
	const struct known_bug *b = &bugs[_i];
	struct conn c;
	struct response r;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, b->bytes, b->len), 0);
	ck_assert_msg(conn_read(&c, &r, false) == 0, "%s: no reply", b->id);
	conn_close(&c);
	ck_assert_msg(r.status == 400, "%s: status %d, want 400: %.120s",
		      b->id, r.status, r.body);
	response_free(&r);
}
END_TEST

/* A 400 malformed-request problem, and the connection closed after it (a
 * second request smuggled in a body is never answered). */
START_TEST(ambiguous_fields_refused)
{
	const struct known_bug *b = &fixed[_i];
	struct conn c;
	struct response r;
	const char *why;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, b->bytes, b->len), 0);
	ck_assert_msg(conn_read(&c, &r, false) == 0, "%s: no reply", b->id);
	why = verify_problem(&r, 400, "urn:pwgend:problem:malformed-request",
			     NULL);
	ck_assert_msg(why == NULL, "%s: %s", b->id, why);
	ck_assert_msg(r.closed, "%s: connection left open", b->id);
	response_free(&r);
	/* nothing more: the bytes after the refused request are never read
	 * as a request of their own */
	conn_set_timeout(&c, 500);
	ck_assert_msg(conn_read(&c, &r, false) != 0, "%s: a second reply "
		      "(status %d)", b->id, r.status);
	conn_close(&c);
}
END_TEST

Suite *rfc_fields_suite(void)
{
	Suite *s = suite_create("rfc_fields");
	TCase *tc = server_case("ambiguous_fields", setup_known_bugs,
				TIMEOUT_LIGHT);

	tcase_add_loop_test(tc, ambiguous_fields_refused, 0,
			    (int)(sizeof(fixed) / sizeof(fixed[0])));
	suite_add_tcase(s, tc);
	return s;
}

Suite *known_bugs_suite(void)
{
	Suite *s = suite_create("known_bugs");
	TCase *tc = server_case("rfc_violations", setup_known_bugs,
				TIMEOUT_LIGHT);

	tcase_add_loop_test(tc, refused_with_400, 0,
			    (int)(sizeof(bugs) / sizeof(bugs[0])));
	suite_add_tcase(s, tc);
	return s;
}
