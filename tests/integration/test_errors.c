/*
 * test_errors.c - every refusal is an application/problem+json reply with the
 * right status, type URN and faulty parameter: bad queries (400), unknown
 * routes (404), other methods (405), long targets (414), a full wait queue
 * (503). One loop iteration per table row, so each row is reported alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

struct refusal {
	const char *target;
	int status;
	const char *type;              /* after URN */
	const char *parameter;         /* NULL: none may be named;
					* PARAM_ANY: some name */
};

static const struct refusal refusals[] = {
	/* more work than --max-work (the default, 2^28 characters): a strict
	 * policy at a large quantity, and a mild one (acceptance 0.21) at the
	 * largest quantity and length */
	{ "/password?length=1024&min_digits=202&quantity=1000", 400,
	  "too-much-work", "quantity" },
	{ "/password?length=1024&min_digits=175&quantity=100000", 400,
	  "too-much-work", "quantity" },
	/* names the route does not take */
	{ "/password?lenght=5", 400, "unknown-parameter", "lenght" },
	{ "/password?quantity=2&bogus=1", 400, "unknown-parameter", "bogus" },
	{ "/pin?lower=true", 400, "unknown-parameter", "lower" },
	{ "/pin?symbols=true", 400, "unknown-parameter", "symbols" },
	{ "/healthz?x=1", 400, "unknown-parameter", "x" },
	{ "/healthz?quantity=1", 400, "unknown-parameter", "quantity" },
	/* a parameter given twice, also when spelled differently */
	{ "/password?quantity=1&quantity=2", 400, "duplicate-parameter",
	  "quantity" },
	{ "/password?length=8&quantity=1&length=8", 400, "duplicate-parameter",
	  "length" },
	{ "/pin?quantity=1&quantity=1", 400, "duplicate-parameter",
	  "quantity" },
	{ "/password?quantity=1&qu%61ntity=2", 400, "duplicate-parameter",
	  "quantity" },
	/* integers: plain decimal digits only */
	{ "/password?quantity=", 400, "invalid-value", "quantity" },
	{ "/password?quantity", 400, "invalid-value", "quantity" },
	{ "/password?quantity=abc", 400, "invalid-value", "quantity" },
	{ "/password?quantity=-1", 400, "invalid-value", "quantity" },
	{ "/password?quantity=+5", 400, "invalid-value", "quantity" },
	{ "/password?quantity=%2B5", 400, "invalid-value", "quantity" },
	{ "/password?quantity=%205", 400, "invalid-value", "quantity" },
	{ "/password?quantity=5%20", 400, "invalid-value", "quantity" },
	{ "/password?quantity=1e3", 400, "invalid-value", "quantity" },
	{ "/password?quantity=0x10", 400, "invalid-value", "quantity" },
	{ "/password?quantity=5.0", 400, "invalid-value", "quantity" },
	{ "/password?length=12a", 400, "invalid-value", "length" },
	{ "/pin?length=six", 400, "invalid-value", "length" },
	{ "/pin?quantity=", 400, "invalid-value", "quantity" },
	/* booleans: exactly true, false, 1 or 0 */
	{ "/password?lower=yes", 400, "invalid-value", "lower" },
	{ "/password?upper=TRUE", 400, "invalid-value", "upper" },
	{ "/password?digits=2", 400, "invalid-value", "digits" },
	{ "/password?symbols=", 400, "invalid-value", "symbols" },
	{ "/password?symbols", 400, "invalid-value", "symbols" },
	{ "/password?lower=01", 400, "invalid-value", "lower" },
	{ "/password?upper=False", 400, "invalid-value", "upper" },
	/* broken percent-encoding and NUL in values */
	{ "/password?quantity=%zz", 400, "invalid-value", "quantity" },
	{ "/password?quantity=%4", 400, "invalid-value", "quantity" },
	{ "/password?quantity=1%", 400, "invalid-value", "quantity" },
	{ "/password?quantity=5%00", 400, "invalid-value", "quantity" },
	{ "/password?lower=true%00", 400, "invalid-value", "lower" },
	{ "/password?qu%zzantity=1", 400, "invalid-value", PARAM_ANY },
	/* an encoded "&" or "=" is data, not syntax */
	{ "/password?quantity=1%26length=5", 400, "invalid-value", "quantity" },
	{ "/password?quantity%3D5", 400, "unknown-parameter", "quantity=5" },
	/* a name with a NUL in it is just not a known name */
	{ "/password?quantity%00=1", 400, "unknown-parameter", PARAM_ANY },
	/* "+" is a space in the query */
	{ "/password?quantity=5+", 400, "invalid-value", "quantity" },
	{ "/password?quantity+=5", 400, "unknown-parameter", PARAM_ANY },
	/* values are capped at 32 characters, never cut */
	{ "/password?length=000000000000000000000000000000020", 400,
	  "invalid-value", "length" },
	{ "/password?lower=truetruetruetruetruetruetruetruetrue", 400,
	  "invalid-value", "lower" },
	/* numbers outside the ranges, including ones that overflow 64 bits
	 * (2^64 + 1 and 2^64 + 20 would wrap to valid values) */
	{ "/password?quantity=0", 400, "out-of-range", "quantity" },
	{ "/password?quantity=100001", 400, "out-of-range", "quantity" },
	{ "/password?length=3", 400, "out-of-range", "length" },
	{ "/password?length=1025", 400, "out-of-range", "length" },
	{ "/password?quantity=99999999999999999999999999", 400, "out-of-range",
	  "quantity" },
	{ "/password?quantity=18446744073709551617", 400, "out-of-range",
	  "quantity" },
	{ "/password?length=18446744073709551636", 400, "out-of-range",
	  "length" },
	{ "/password?max_consecutive=0", 400, "out-of-range",
	  "max_consecutive" },
	{ "/password?max_consecutive=1025", 400, "out-of-range",
	  "max_consecutive" },
	/* 2 of 2^20 candidates have no repeat; a DP too large to run */
	{ "/password?charset=ab&length=20&max_consecutive=1", 400,
	  "unsatisfiable", "max_consecutive" },
	{ "/password?length=1024&min_lower=20&min_upper=20&min_digits=20"
	  "&max_consecutive=3", 400, "out-of-range", "max_consecutive" },
	/* rules=: malformed, unmeetable, or beside what it replaces */
	{ "/password?rules=required:%20uper", 400, "invalid-value", "rules" },
	{ "/password?rules=required:%20unicode", 400, "invalid-value",
	  "rules" },
	{ "/password?rules=minlength:%202000", 400, "unsatisfiable", "rules" },
	{ "/password?rules=required:%20upper&charset=abc", 400,
	  "conflicting-parameters", "rules" },
	{ "/password?rules=minlength:%208;maxlength:%2010&length=20", 400,
	  "conflicting-parameters", "length" },
	{ "/password?rules=required:%20[!];required:%20lower&exclude=!", 400,
	  "unsatisfiable", "exclude" },
	{ "/pin?length=65", 400, "out-of-range", "length" },
	{ "/pin?length=3", 400, "out-of-range", "length" },
	{ "/pin?quantity=0", 400, "out-of-range", "quantity" },
	{ "/pin?quantity=100001", 400, "out-of-range", "quantity" },
	/* nothing left to draw from */
	{ "/password?lower=false&upper=false&digits=false", 400,
	  "empty-alphabet", "digits" },
	/* naming the switch that disabled the last class */
	{ "/password?digits=0&upper=false&lower=0", 400, "empty-alphabet",
	  "lower" },
	{ "/password?symbols=1&lower=0&upper=0&digits=0&symbols=0", 400,
	  "duplicate-parameter", "symbols" },
	/* the query is checked left to right; the first fault is the reply */
	{ "/password?quantity=0&lenght=1", 400, "out-of-range", "quantity" },
	{ "/password?lenght=1&quantity=0", 400, "unknown-parameter", "lenght" },
	{ "/password?length=abc&length=5", 400, "invalid-value", "length" },
	{ "/password?lower=0&upper=0&digits=0&bogus=1", 400,
	  "unknown-parameter", "bogus" },
	/* no such route: exact, case-sensitive paths; %00 decodes to NUL */
	{ "/nope", 404, "not-found", NULL },
	{ "/nope", 404, "not-found", NULL },
	{ "/password/", 404, "not-found", NULL },
	{ "//password", 404, "not-found", NULL },
	{ "/PASSWORD", 404, "not-found", NULL },
	{ "/password%00", 404, "not-found", NULL },
	{ "/passwordx", 404, "not-found", NULL },
	{ "/pin/", 404, "not-found", NULL },
	{ "/healthz/", 404, "not-found", NULL },
	{ "/nope?quantity=1", 404, "not-found", NULL },
	{ "/nope?lenght=%zz", 404, "not-found", NULL },
	{ "/pass+word", 404, "not-found", NULL },
	{ "/pass%2Bword", 404, "not-found", NULL },
	/* a path that cannot be decoded */
	{ "/pass%zzword", 400, "malformed-target", NULL },
	{ "/password%4", 400, "malformed-target", NULL },
	{ "/nope%zz", 400, "malformed-target", NULL },
	{ "/password%?quantity=1", 400, "malformed-target", NULL },
};

#define N_REFUSALS (int)(sizeof(refusals) / sizeof(refusals[0]))

static void setup_default(void)
{
	fixture_start(NULL);
}

/* Send `method target` on a fresh connection and check the problem reply. */
static void expect_problem(const char *method, const char *target,
			   int status, const char *type, const char *parameter)
{
	struct response r;
	const char *why;
	char urn[128];

	snprintf(urn, sizeof(urn), URN "%s", type);
	ck_assert_msg(http_do(fixture.port, method, target, &r) == 0,
		      "%s %s: no reply", method, target);
	why = verify_problem(&r, status, urn, parameter);
	ck_assert_msg(why == NULL, "%s %.80s: %s", method, target, why);
	response_free(&r);
}

/* No refusal wedges the server: the next request, on a fresh connection,
 * is served. */
static void expect_still_serving(const char *after)
{
	struct response r;

	ck_assert_msg(http_get(fixture.port, "/healthz", &r) == 0,
		      "no reply to /healthz after %.80s", after);
	ck_assert_msg(r.status == 200, "/healthz %d after %.80s", r.status,
		      after);
	response_free(&r);
}

START_TEST(refused)
{
	const struct refusal *t = &refusals[_i];

	expect_problem("GET", t->target, t->status, t->type, t->parameter);
	expect_still_serving(t->target);
}
END_TEST

/* ============================================================ 405 / 404 */

static const char *const methods[] = { "POST", "PUT", "DELETE", "OPTIONS",
				       "PATCH" };
static const char *const routes[] = { "/password", "/pin", "/healthz",
				      "/password?quantity=5" };

/* Each other method on each route: 405 and Allow: GET, HEAD. */
START_TEST(method_not_allowed)
{
	const char *method = methods[_i % 5];
	const char *target = routes[_i / 5];
	struct conn c;
	struct response r;
	const char *allow;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_request(&c, method, target,
				      "Content-Length: 0\r\n"), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	conn_close(&c);
	EXPECT_OK(verify_problem(&r, 405, URN "method-not-allowed", NULL));
	allow = response_header(&r, "Allow");
	ck_assert_msg(allow != NULL && strcmp(allow, "GET, HEAD") == 0,
		      "%s %s: Allow is %s", method, target,
		      allow ? allow : "(absent)");
	response_free(&r);
}
END_TEST

/* The order of the checks: path before method, method before query. */
START_TEST(check_order)
{
	expect_problem("POST", "/nope", 404, "not-found", NULL);
	expect_problem("DELETE", "/passwords", 404, "not-found", NULL);
	expect_problem("POST", "/pass%zzword", 400, "malformed-target", NULL);
	expect_problem("POST", "/password?lenght=1", 405, "method-not-allowed",
		       NULL);
	expect_problem("PUT", "/healthz?quantity=%zz", 405,
		       "method-not-allowed", NULL);
}
END_TEST

/* ================================================================== 414 */

/* prefix padded with `pad` to exactly n characters. */
static char *padded(const char *prefix, char pad, size_t n)
{
	char *t = malloc(n + 1);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_le(strlen(prefix), n);
	memset(t, pad, n);
	memcpy(t, prefix, strlen(prefix));
	t[n] = '\0';
	return t;
}

/* A target of exactly `limit` characters is routed as usual (404 for an
 * unknown path), one character more is refused with 414 before routing. */
static void expect_length_limit(size_t limit)
{
	char *at = padded("/nope", 'x', limit);
	char *over = padded("/nope", 'x', limit + 1);
	char *over_valid = padded("/password?quantity=1&pad=", 'x', limit + 1);

	expect_problem("GET", at, 404, "not-found", NULL);
	expect_problem("GET", over, 414, "uri-too-long", NULL);
	expect_problem("GET", over_valid, 414, "uri-too-long", NULL);
	expect_problem("POST", over_valid, 414, "uri-too-long", NULL);
	free(at);
	free(over);
	free(over_valid);
}

START_TEST(uri_too_long_default)
{
	expect_length_limit(2048);
}
END_TEST

static void setup_url_256(void)
{
	static const char *const flags[] = { "--max-url-length", "256", NULL };

	fixture_start(flags);
}

START_TEST(uri_too_long_flag)
{
	char *t300 = padded("/password?quantity=1", '&', 300);
	char *t256 = padded("/password?quantity=2", '&', 256);
	struct response r;

	expect_problem("GET", t300, 414, "uri-too-long", NULL);
	/* a trailing run of "&" is fine: exactly at the limit, it is served */
	ck_assert_int_eq(http_get(fixture.port, t256, &r), 0);
	EXPECT_OK(verify_items(&r, "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	free(t300);
	free(t256);
	expect_length_limit(256);
}
END_TEST

/* A short idle timeout, so that a connection the server leaves hanging
 * fails the test in 2 s rather than 10. */
static void setup_short_timeout(void)
{
	/* and 160 KiB per connection: a 2048-byte target of ~1000 pairs needs
	 * that much of libmicrohttpd's memory (docs/CONFIGURATION.md, --connection-memory-
	 * limit) */
	static const char *const flags[] = { "--connection-timeout", "2",
					     "--connection-memory-limit",
					     "163840", NULL };

	fixture_start(flags);
}

/* Targets within --max-url-length (2048 by default) but with many pairs:
 * each pair is an empty (skipped) or unknown parameter, so pwgend itself must
 * answer 200 or 400 problem+json, not libmicrohttpd's 431 text/html, nor
 * close the connection without a reply. */
START_TEST(many_pairs_within_limit)
{
	char *empties = padded("/password?quantity=2", '&', 2000);
	char *unknown = malloc(2001);
	struct response r;

	ck_assert_ptr_nonnull(unknown);
	strcpy(unknown, "/password?quantity=2");
	while (strlen(unknown) + 4 <= 2000)
		strcat(unknown, "&x=1");
	ck_assert_msg(http_get(fixture.port, empties, &r) == 0,
		      "no reply to a %zu-character target of 1980 \"&\"",
		      strlen(empties));
	EXPECT_OK(verify_items(&r, "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	expect_problem("GET", unknown, 400, "unknown-parameter", "x");
	free(empties);
	free(unknown);
}
END_TEST

/* The same at the longest --max-url-length there is: 16000 empty pairs in a
 * 16020-character target are still pwgend's to answer. */
START_TEST(many_pairs_at_longest_limit)
{
	static const char *const flags[] = { "--max-url-length", "16384",
					     "--connection-timeout", "2",
					     "--connection-memory-limit",
					     "1081344", NULL };
	char *empties = padded("/password?quantity=2", '&', 16020);
	struct server s;
	struct response r;

	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_msg(http_get(s.port, empties, &r) == 0,
		      "no reply to a 16020-character target of 16000 \"&\"");
	EXPECT_OK(verify_items(&r, "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r);
	free(empties);
	server_stop(&s);
}
END_TEST

/* ================================================================== 503 */

static void setup_queue_0(void)
{
	static const char *const flags[] = { "--max-queue", "0",
					     HOLD_BUDGET_FLAGS, NULL };

	fixture_start(flags);
}

/* With the budget spent and no room to wait, every generation request is
 * shed with 503 and Retry-After: 1, quantity=1 included, on a connection
 * that stays open (the client may retry on it), while health checks and
 * validation still answer. */
START_TEST(overloaded)
{
	static const char *const targets[] = { "/password", "/pin?quantity=1",
					       "/password?quantity=100000" };
	struct conn c, held;
	struct response r;

	ck_assert_int_eq(conn_hold_budget(&held, fixture.port), 0);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	for (size_t i = 0; i < 3; i++) {
		const char *retry;

		ck_assert_int_eq(conn_request(&c, "GET", targets[i], NULL), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		EXPECT_OK(verify_problem(&r, 503, URN "overloaded", NULL));
		retry = response_header(&r, "Retry-After");
		ck_assert_msg(retry != NULL && strcmp(retry, "1") == 0,
			      "Retry-After is %s", retry ? retry : "(absent)");
		ck_assert_msg(!r.closed, "overloaded reply closes");
		response_free(&r);
	}
	ck_assert_int_eq(conn_request(&c, "GET", "/healthz", NULL), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	conn_close(&c);
	expect_problem("GET", "/password?lenght=1", 400, "unknown-parameter",
		       "lenght");
	expect_problem("GET", "/nope", 404, "not-found", NULL);
	conn_close(&held);
}
END_TEST

/* The queue really fills up: with a 64 KiB budget and room for one waiting
 * job, a reply that is not being read keeps the budget spent, so of two more
 * jobs one waits and the other is shed with 503 (normally the later one; the
 * test does not depend on which). Once the first reply is read, the waiting
 * job completes and the server takes new work again. */
START_TEST(overloaded_when_queue_full)
{
	static const char *const flags[] = { "--max-inflight-bytes", "65536",
					     "--max-queue", "1", NULL };
	struct server s;
	struct conn held, c[2];
	struct response r[2];

	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(conn_open(&held, s.port), 0);
	ck_assert_int_eq(conn_request(&held, "GET", "/password?quantity=100000"
				      "&length=256", NULL), 0);
	ck_assert_int_eq(conn_wait_readable(&held, 20000), 0);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(conn_open(&c[i], s.port), 0);
		ck_assert_int_eq(conn_request(&c[i], "GET", "/pin?quantity="
					      "20000", NULL), 0);
		sleep_ms(100);  /* let the server queue the first one */
	}
	ck_assert_int_eq(conn_read(&held, &r[0], false), 0);
	EXPECT_OK(verify_items(&r[0], "password", 100000, 256, CLS_DEFAULT,
			       NULL));
	response_free(&r[0]);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(conn_read(&c[i], &r[i], false), 0);
		conn_close(&c[i]);
	}
	ck_assert_msg(r[0].status == 503 || r[1].status == 503,
		      "nothing shed: %d, %d", r[0].status, r[1].status);
	EXPECT_OK(verify_problem(&r[r[1].status == 503], 503, URN "overloaded",
				 NULL));
	EXPECT_OK(verify_items(&r[r[1].status != 503], "pin", 20000, 6,
			       CLS_DIGITS, NULL));
	response_free(&r[0]);
	response_free(&r[1]);
	ck_assert_int_eq(http_get(s.port, "/password?quantity=2", &r[0]), 0);
	EXPECT_OK(verify_items(&r[0], "password", 2, 20, CLS_DEFAULT, NULL));
	response_free(&r[0]);
	conn_close(&held);
	server_stop(&s);
}
END_TEST

/* ================================================================ suite */

Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *query = server_case("refusals", setup_default, TIMEOUT_LIGHT);
	TCase *methods_tc = server_case("methods", setup_default,
					TIMEOUT_LIGHT);
	TCase *url = server_case("uri_too_long", setup_url_256, TIMEOUT_LIGHT);
	TCase *over = server_case("overloaded", setup_queue_0, TIMEOUT_LIGHT);
	TCase *limits = server_case("target_limits", setup_short_timeout,
				    TIMEOUT_LIGHT);

	tcase_add_loop_test(query, refused, 0, N_REFUSALS);
	tcase_add_test(query, uri_too_long_default);
	tcase_add_loop_test(methods_tc, method_not_allowed, 0, 20);
	tcase_add_test(methods_tc, check_order);
	tcase_add_test(url, uri_too_long_flag);
	tcase_add_test(limits, many_pairs_within_limit);
	tcase_add_test(limits, many_pairs_at_longest_limit);
	tcase_add_test(over, overloaded);
	tcase_add_test(over, overloaded_when_queue_full);
	suite_add_tcase(s, query);
	suite_add_tcase(s, methods_tc);
	suite_add_tcase(s, url);
	suite_add_tcase(s, over);
	suite_add_tcase(s, limits);
	return s;
}
