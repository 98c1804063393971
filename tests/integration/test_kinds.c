/*
 * test_kinds.c - /passphrase, /token and the /pin options on the real
 * binary: shapes, sizes, alphabets, entropy, the options' effects, and their
 * refusals.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

static void setup_default(void)
{
	fixture_start(NULL);
}

/* GET target, expect 200 JSON of `kind`; returns the parsed document. */
static json_t *get_ok(const char *target, const char *kind)
{
	struct response r;
	json_t *doc;
	const char *why;

	ck_assert_msg(http_get(fixture.port, target, &r) == 0, "GET %s",
		      target);
	ck_assert_msg(r.status == 200, "%s: status %d", target, r.status);
	why = verify_headers(&r, "application/json", 0);
	ck_assert_msg(why == NULL, "%s: %s", target, why);
	doc = response_json(&r);
	response_free(&r);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
			 kind);
	return doc;
}

static void expect_problem(const char *target, const char *type,
			   const char *parameter)
{
	struct response r;
	const char *why;

	ck_assert_int_eq(http_get(fixture.port, target, &r), 0);
	why = verify_problem(&r, 400, type, parameter);
	ck_assert_msg(why == NULL, "%s: %s", target, why);
	response_free(&r);
}

static const char *item(json_t *doc, size_t i)
{
	return json_string_value(json_array_get(json_object_get(doc, "items"),
						i));
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

START_TEST(passphrase_defaults)
{
	json_t *doc = get_ok("/passphrase?quantity=50", "passphrase");

	ck_assert_int_eq(json_integer_value(json_object_get(doc, "words")), 6);
	ck_assert_double_eq_tol(json_real_value(json_object_get(
					doc, "entropy_bits")), 77.55, 0.001);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 50);
	for (size_t i = 0; i < 50; i++) {
		const char *p = item(doc, i);

		/* 6 words, 5 separators (a few EFF words hold a '-' too) */
		ck_assert_uint_ge(count_char(p, '-'), 5);
		for (const char *c = p; *c != '\0'; c++)
			ck_assert(islower((unsigned char)*c) || *c == '-');
	}
	json_decref(doc);
}
END_TEST

START_TEST(passphrase_options)
{
	json_t *doc = get_ok("/passphrase?quantity=30&words=4&separator=%20&"
			     "capitalize=first&number=true", "passphrase");

	for (size_t i = 0; i < 30; i++) {
		const char *p = item(doc, i);
		size_t digits = 0;

		ck_assert_uint_eq(count_char(p, ' '), 3);
		ck_assert(isupper((unsigned char)p[0]));
		for (const char *c = p; *c != '\0'; c++)
			digits += isdigit((unsigned char)*c) != 0;
		ck_assert_uint_eq(digits, 1);
	}
	json_decref(doc);
	doc = get_ok("/passphrase?quantity=200&words=5&max_length=40",
		     "passphrase");
	for (size_t i = 0; i < 200; i++)
		ck_assert_uint_le(strlen(item(doc, i)), 40);
	ck_assert_double_eq_tol(json_real_value(json_object_get(
					doc, "entropy_bits")), 64.02, 0.01);
	json_decref(doc);
	doc = get_ok("/passphrase?words=3&separator=&capitalize=all",
		     "passphrase");
	for (const char *c = item(doc, 0); *c != '\0'; c++)
		ck_assert(isupper((unsigned char)*c) || *c == '-');
	json_decref(doc);
}
END_TEST

START_TEST(tokens)
{
	static const struct {
		const char *target;
		size_t len;
		const char *alphabet;
	} cases[] = {
		{ "/token?quantity=20", 64, "0123456789abcdef" },
		{ "/token?quantity=20&bytes=16&encoding=base64url", 22,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789-_" },
		{ "/token?quantity=20&bytes=20&encoding=base32", 32,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" },
		{ "/token?quantity=20&bytes=1&encoding=hex", 2,
		  "0123456789abcdef" },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_t *doc = get_ok(cases[k].target, "token");
		const char *items[20];

		for (size_t i = 0; i < 20; i++) {
			items[i] = item(doc, i);
			ck_assert_uint_eq(strlen(items[i]), cases[k].len);
			ck_assert_uint_eq(strspn(items[i], cases[k].alphabet),
					  cases[k].len);
		}
		if (cases[k].len > 2)
			ck_assert_ptr_null(verify_distinct(items, 20));
		json_decref(doc);
	}
}
END_TEST

START_TEST(pins_without_weak_ones)
{
	json_t *doc = get_ok("/pin?quantity=3000&length=4&exclude_weak=true",
			     "pin");
	static const char *const never[] = { "0000", "1234", "1212", "4321",
					     "2580", "1998", "7777" };

	ck_assert_double_eq_tol(json_real_value(json_object_get(
					doc, "entropy_bits")), 13.27, 0.001);
	for (size_t i = 0; i < 3000; i++) {
		const char *p = item(doc, i);

		for (size_t j = 0; j < sizeof(never) / sizeof(never[0]); j++)
			ck_assert_str_ne(p, never[j]);
		ck_assert(!(p[0] == p[2] && p[1] == p[3]));  /* periodic */
	}
	json_decref(doc);
}
END_TEST

/* unique=true with quantity = every PIN there is: all 10000 appear. */
START_TEST(unique_pins_cover_the_set)
{
	json_t *doc = get_ok("/pin?quantity=10000&length=4&unique=true", "pin");
	static unsigned char seen[10000];
	size_t distinct = 0;

	for (size_t i = 0; i < 10000; i++) {
		int v = atoi(item(doc, i));

		distinct += seen[v] == 0;
		seen[v] = 1;
	}
	ck_assert_uint_eq(distinct, 10000);
	json_decref(doc);
}
END_TEST

START_TEST(refusals)
{
	expect_problem("/passphrase?words=0", URN "out-of-range", "words");
	expect_problem("/passphrase?words=21", URN "out-of-range", "words");
	expect_problem("/passphrase?separator=123456789", URN "invalid-value",
		       "separator");
	expect_problem("/passphrase?capitalize=yes", URN "invalid-value",
		       "capitalize");
	expect_problem("/passphrase?max_length=20", URN "unsatisfiable",
		       "max_length");
	expect_problem("/passphrase?length=5", URN "unknown-parameter",
		       "length");
	expect_problem("/token?bytes=0", URN "out-of-range", "bytes");
	expect_problem("/token?bytes=1025", URN "out-of-range", "bytes");
	expect_problem("/token?encoding=base64", URN "invalid-value",
		       "encoding");
	expect_problem("/pin?quantity=10001&length=4&unique=true",
		       URN "unsatisfiable", "quantity");
	expect_problem("/pin?exclude_weak=maybe", URN "invalid-value",
		       "exclude_weak");
}
END_TEST

START_TEST(explain_generates_nothing)
{
	json_t *doc = get_ok("/passphrase/explain?number=1", "passphrase");
	json_t *ex = json_object_get(doc, "explain");

	ck_assert_ptr_null(json_object_get(doc, "items"));
	ck_assert_int_eq(json_integer_value(json_object_get(ex,
							    "wordlist_size")),
			 7776);
	json_decref(doc);
	doc = get_ok("/token/explain?encoding=base32", "token");
	ck_assert_ptr_null(json_object_get(doc, "items"));
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(doc, "explain"), "encoding")),
			 "base32");
	json_decref(doc);
}
END_TEST

/* GET with one extra header line ("Name: value\r\n"). */
static void get_with(const char *target, const char *header,
		     struct response *r)
{
	struct conn c;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_request(&c, "GET", target, header), 0);
	ck_assert_int_eq(conn_read(&c, r, false), 0);
	conn_close(&c);
}

/* format=text / ndjson, and Accept when format is absent. */
START_TEST(formats)
{
	struct response r;
	const char *why;
	size_t lines = 0;

	ck_assert_int_eq(http_get(fixture.port, "/password?quantity=5&"
				  "format=text&symbols=1", &r), 0);
	ck_assert_int_eq(r.status, 200);
	why = verify_headers(&r, "text/plain; charset=utf-8", 0);
	ck_assert_msg(why == NULL, "%s", why);
	for (size_t i = 0; i < r.body_len; i++)
		lines += r.body[i] == '\n';
	ck_assert_uint_eq(lines, 5);
	ck_assert_uint_eq(r.body_len, 5 * 21);  /* 20 characters + newline */
	response_free(&r);

	ck_assert_int_eq(http_get(fixture.port,
				  "/pin?quantity=3&format=ndjson", &r), 0);
	why = verify_headers(&r, "application/x-ndjson", 0);
	ck_assert_msg(why == NULL, "%s", why);
	ck_assert_uint_eq(r.body_len, 3 * 9);  /* "123456" + newline */
	ck_assert_int_eq(r.body[0], '"');
	response_free(&r);

	get_with("/token?quantity=2", "Accept: text/plain\r\n", &r);
	why = verify_headers(&r, "text/plain; charset=utf-8", 0);
	ck_assert_msg(why == NULL, "%s", why);
	ck_assert_uint_eq(r.body_len, 2 * 65);
	response_free(&r);

	get_with("/token", "Accept: image/png\r\n", &r);
	why = verify_problem(&r, 406, URN "not-acceptable", NULL);
	ck_assert_msg(why == NULL, "%s", why);
	response_free(&r);
}
END_TEST

/* The original service's clients get the shapes they always got. */
START_TEST(original_routes)
{
	json_t *doc;
	struct response r;
	const char *why;

	ck_assert_int_eq(http_get(fixture.port, "/v1/pin?password_length=4&"
				  "quantity=5", &r), 0);
	ck_assert_int_eq(r.status, 200);
	why = verify_headers(&r, "application/json", 0);
	ck_assert_msg(why == NULL, "%s", why);
	doc = response_json(&r);
	response_free(&r);
	ck_assert_uint_eq(json_object_size(doc), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "data")), 5);
	for (size_t i = 0; i < 5; i++) {
		const char *pin = json_string_value(json_array_get(
			json_object_get(doc, "data"), i));

		ck_assert_uint_eq(strlen(pin), 4);
		ck_assert_uint_eq(strspn(pin, "0123456789"), 4);
	}
	json_decref(doc);

	/* length 3 with punctuation: exact, never a hang */
	ck_assert_int_eq(http_get(fixture.port, "/v1/?password_length=3&"
				  "quantity=100", &r), 0);
	doc = response_json(&r);
	response_free(&r);
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(strlen(json_string_value(json_array_get(
					  json_object_get(doc, "data"), i))),
				  3);
	json_decref(doc);

	/* the blog era: {"message":"Success","data":[{"1º pin":"..."}]} */
	ck_assert_int_eq(http_get(fixture.port, "/pin/6?quantity=2", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "{\"message\":\"Success\","
					     "\"data\":[{\"1\xc2\xba pin\":"));
	doc = response_json(&r);
	response_free(&r);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(
				  json_array_get(json_object_get(doc, "data"), 1),
				  "2\xc2\xba pin"))), 6);
	json_decref(doc);

	ck_assert_int_eq(http_get(fixture.port, "/v1/health", &r), 0);
	doc = response_json(&r);
	response_free(&r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
			 "ok");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
					     doc, "timestamp")), "+00:00"));
	json_decref(doc);
}
END_TEST

Suite *kinds_suite(void)
{
	Suite *s = suite_create("kinds");
	TCase *tc = tcase_create("kinds");

	tcase_add_unchecked_fixture(tc, setup_default, fixture_stop);
	tcase_set_timeout(tc, TIMEOUT_HEAVY);
	tcase_add_test(tc, passphrase_defaults);
	tcase_add_test(tc, passphrase_options);
	tcase_add_test(tc, tokens);
	tcase_add_test(tc, pins_without_weak_ones);
	tcase_add_test(tc, unique_pins_cover_the_set);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, explain_generates_nothing);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, original_routes);
	suite_add_tcase(s, tc);
	return s;
}
