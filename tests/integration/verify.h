/*
 * verify.h - checks of pwgend replies against the spec, shared by the suites.
 *
 * Each returns NULL when the reply is right, or a message saying what is
 * wrong (in a thread-local buffer, valid until the next call on the same
 * thread). They use no Check assertions, so that worker threads of the
 * concurrency tests can call them; the main thread asserts with EXPECT_OK.
 */
#ifndef PWGEND_TEST_VERIFY_H
#define PWGEND_TEST_VERIFY_H

#include <stddef.h>

#include <jansson.h>

#include "harness.h"

/* Password character classes, as the tests name them. */
enum {
	CLS_LOWER = 1u << 0,
	CLS_UPPER = 1u << 1,
	CLS_DIGITS = 1u << 2,
	CLS_SYMBOLS = 1u << 3,
	CLS_DEFAULT = CLS_LOWER | CLS_UPPER | CLS_DIGITS,
};

#define LOWER_CHARS "abcdefghijklmnopqrstuvwxyz"
#define UPPER_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT_CHARS "0123456789"
#define SYMBOL_CHARS "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

/* Fail the current Check test with the message unless `expr` is NULL. */
#define EXPECT_OK(expr)                                                   \
	do {                                                              \
		const char *why_ = (expr);                                \
		ck_assert_msg(why_ == NULL, "%s", why_);                  \
	} while (0)

/* The characters of the enabled classes, in a static string. */
const char *alphabet_of(unsigned classes);

/* round(length * log2(k) * 100) / 100, the spec's entropy_bits. */
double expected_entropy(size_t length, size_t k);

/* Cache-Control: no-store, X-Content-Type-Options: nosniff, the given
 * Content-Type, and a Content-Length equal to the body's length. For a
 * reply to HEAD (`head` true) the body must be empty instead. */
const char *verify_headers(const struct response *r, const char *type,
			   int head);

/* A 200 generation reply: kind ("password"/"pin"), quantity, length,
 * entropy_bits, exactly `quantity` items of `length` characters, each from
 * the classes' alphabet (pins: CLS_DIGITS). If `doc` is not NULL the parsed
 * body is stored there (json_decref it). */
const char *verify_items(const struct response *r, const char *kind,
			 size_t quantity, size_t length, unsigned classes,
			 json_t **doc);

/* Every character of `alphabet` occurs somewhere in the items of `doc`. */
const char *verify_coverage(const json_t *doc, const char *alphabet);

/* No two of the n strings are equal. Reorders `items`. */
const char *verify_distinct(const char **items, size_t n);

/* For verify_problem: a parameter must be named, whatever its spelling. */
extern const char PARAM_ANY[];

/* An RFC 9457 problem reply: status, problem+json headers, members type,
 * title, status (== HTTP status), detail and maybe parameter, in this order
 * and nothing else. `parameter` NULL means the member must be absent. */
const char *verify_problem(const struct response *r, int status,
			   const char *type, const char *parameter);

/* In a Prometheus text exposition, the value of the sample line that
 * starts with `series` (name and labels) and a space; -1 if none. */
double metrics_sample(const char *text, const char *series);

/* POST, PUT, DELETE and OPTIONS on `target` are each a 405 problem with
 * `Allow: GET, HEAD` (a route that answers GET and HEAD only). */
const char *verify_get_only(unsigned port, const char *target);

#endif
