/*
 * test_generate.c - successful GET /password, /pin and /healthz: reply shape,
 * item counts and lengths, alphabets, entropy, parameter spelling variants
 * the spec accepts, and the configured maximum quantity.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verify.h"

static void setup_default(void)
{
	fixture_start(NULL);
}

/* GET target on the fixture and verify a generation reply; returns the
 * parsed body (json_decref it). */
static json_t *get_items(const char *target, const char *kind,
			 size_t quantity, size_t length, unsigned classes)
{
	struct response r;
	json_t *doc = NULL;

	ck_assert_msg(http_get(fixture.port, target, &r) == 0, "GET %s failed",
		      target);
	EXPECT_OK(verify_items(&r, kind, quantity, length, classes, &doc));
	response_free(&r);
	return doc;
}

/* GET target: a 200 reply's parsed body (json_decref it). */
static json_t *get_doc(const char *target)
{
	struct response r;
	json_t *doc;

	ck_assert_msg(http_get(fixture.port, target, &r) == 0, "GET %s failed",
		      target);
	ck_assert_msg(r.status == 200, "GET %s: %d", target, r.status);
	doc = response_json(&r);
	response_free(&r);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static double entropy_of(const json_t *doc)
{
	return json_number_value(json_object_get(doc, "entropy_bits"));
}

/* ============================================================= /password */

START_TEST(password_defaults)
{
	json_t *doc = get_items("/password", "password", 1, 20, CLS_DEFAULT);

	/* 20 * log2(62) = 119.0839... */
	ck_assert_double_eq_tol(entropy_of(doc), 119.08, 1e-9);
	json_decref(doc);
}
END_TEST

/* max_consecutive=1: no character twice in a row, and exactly
 * 62 * 61^63 passwords of 64 (the DP's count, unit-tested against this
 * closed form); explain shows the limit, null without one; a limit at or
 * past the length changes nothing. */
START_TEST(password_max_consecutive)
{
	const char *alphabet = alphabet_of(CLS_DEFAULT);
	double bits = log2(62) + 63 * log2(61);
	json_t *doc = get_doc("/password?max_consecutive=1&length=64"
			      "&quantity=200");
	json_t *items = json_object_get(doc, "items");

	ck_assert_uint_eq(json_array_size(items), 200);
	for (size_t i = 0; i < 200; i++) {
		const char *s = json_string_value(json_array_get(items, i));

		ck_assert_uint_eq(strlen(s), 64);
		ck_assert_uint_eq(strspn(s, alphabet), 64);
		for (size_t j = 1; j < 64; j++)
			ck_assert_msg(s[j] != s[j - 1], "%s repeats at %zu", s,
				      j);
	}
	ck_assert_double_eq_tol(entropy_of(doc), round(bits * 100) / 100,
				1e-9);
	json_decref(doc);
	doc = get_items("/password?max_consecutive=20", "password", 1, 20,
			CLS_DEFAULT);
	ck_assert_double_eq_tol(entropy_of(doc), 119.08, 1e-9);
	json_decref(doc);
}
END_TEST

START_TEST(password_max_consecutive_explain)
{
	json_t *doc = get_doc("/password/explain?max_consecutive=2"
			      "&min_digits=1");
	json_t *ex = json_object_get(doc, "explain");

	ck_assert_int_eq(json_integer_value(json_object_get(
				 ex, "max_consecutive")), 2);
	json_decref(doc);
	doc = get_doc("/password/explain");
	ex = json_object_get(doc, "explain");
	ck_assert(json_is_null(json_object_get(ex, "max_consecutive")));
	json_decref(doc);
}
END_TEST

START_TEST(password_quantity_and_length)
{
	json_decref(get_items("/password?quantity=7&length=33", "password", 7,
			      33, CLS_DEFAULT));
	json_decref(get_items("/password?length=9&quantity=3", "password", 3, 9,
			      CLS_DEFAULT));
}
END_TEST

START_TEST(password_length_bounds)
{
	json_decref(get_items("/password?length=4&quantity=3", "password", 3, 4,
			      CLS_DEFAULT));
	json_decref(get_items("/password?length=1024&quantity=3", "password", 3,
			      1024, CLS_DEFAULT));
}
END_TEST

/* Loop over the 15 non-empty class sets, all four switches given. Odd
 * iterations spell the booleans 1/0, even ones true/false. 200 items of 20
 * characters are 4000 draws from at most 94 characters: every character of
 * the alphabet occurs (a given one is missing with probability < 1e-18). */
START_TEST(password_classes)
{
	static const char *const names[] = { "lower", "upper", "digits",
					     "symbols" };
	unsigned classes = (unsigned)_i + 1;
	char target[256] = "/password?quantity=200&length=20";
	json_t *doc;

	for (unsigned c = 0; c < 4; c++) {
		const char *on = _i % 2 ? "1" : "true";
		const char *off = _i % 2 ? "0" : "false";
		size_t len = strlen(target);

		snprintf(target + len, sizeof(target) - len, "&%s=%s", names[c],
			 classes & (1u << c) ? on : off);
	}
	doc = get_items(target, "password", 200, 20, classes);
	EXPECT_OK(verify_coverage(doc, alphabet_of(classes)));
	json_decref(doc);
}
END_TEST

/* Switches left out keep their defaults: lower, upper, digits on. */
START_TEST(password_class_defaults)
{
	json_t *doc = get_items("/password?quantity=200&symbols=true",
				"password", 200, 20, CLS_DEFAULT | CLS_SYMBOLS);

	EXPECT_OK(verify_coverage(doc, alphabet_of(CLS_DEFAULT | CLS_SYMBOLS)));
	/* 20 * log2(94) = 131.09... */
	ck_assert_double_eq_tol(entropy_of(doc), 131.09, 1e-9);
	json_decref(doc);
	doc = get_items("/password?quantity=200&lower=false", "password", 200,
			20, CLS_UPPER | CLS_DIGITS);
	EXPECT_OK(verify_coverage(doc, alphabet_of(CLS_UPPER | CLS_DIGITS)));
	json_decref(doc);
}
END_TEST

START_TEST(password_symbols_only_entropy)
{
	json_t *doc = get_items("/password?lower=0&upper=0&digits=0&symbols=1",
				"password", 1, 20, CLS_SYMBOLS);

	ck_assert_double_eq_tol(entropy_of(doc), 100.0, 1e-9);  /* 20 * 5 */
	json_decref(doc);
}
END_TEST

/* A whole number of bits is written with one decimal ("100.0", not
 * "100" or "1e2"), so clients typed on a float never see an integer. */
START_TEST(entropy_whole_number_text)
{
	struct response r;
	const char *at;

	ck_assert_int_eq(http_get(fixture.port, "/password?length=20&lower=0"
				  "&upper=0&digits=0&symbols=1", &r), 0);
	ck_assert_int_eq(r.status, 200);
	at = strstr(r.body, "\"entropy_bits\"");
	ck_assert_ptr_nonnull(at);
	at += strlen("\"entropy_bits\"");
	at += strspn(at, " \t\r\n:");
	ck_assert_msg(strncmp(at, "100.0", 5) == 0 &&
			      strchr(",} \t\r\n", at[5]) != NULL,
		      "entropy_bits written as %.12s", at);
	response_free(&r);
}
END_TEST

START_TEST(password_items_distinct)
{
	json_t *doc = get_items("/password?quantity=2000", "password", 2000, 20,
				CLS_DEFAULT);
	const char **items = calloc(2000, sizeof(*items));

	ck_assert_ptr_nonnull(items);
	for (size_t i = 0; i < 2000; i++)
		items[i] = json_string_value(
			json_array_get(json_object_get(doc, "items"), i));
	EXPECT_OK(verify_distinct(items, 2000));
	free(items);
	json_decref(doc);
}
END_TEST

START_TEST(password_leading_zeros)
{
	json_decref(get_items("/password?quantity=005", "password", 5, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/password?quantity=0002&length=0008",
			      "password", 2, 8, CLS_DEFAULT));
}
END_TEST

/* Leading zeros count towards the 32-character cap on values: 31 zeros and
 * a 5 are still 5; one more zero is refused rather than cut. */
START_TEST(password_leading_zeros_cap)
{
	struct response r;

	json_decref(get_items("/password?quantity=0000000000000000000000000000"
			      "0005", "password", 5, 20, CLS_DEFAULT));
	ck_assert_int_eq(http_get(fixture.port, "/password?quantity=00000000"
				  "0000000000000000000000005", &r), 0);
	EXPECT_OK(verify_problem(&r, 400, "urn:pwgend:problem:invalid-value",
				 "quantity"));
	response_free(&r);
}
END_TEST

START_TEST(password_percent_encoded)
{
	json_decref(get_items("/password?qu%61ntity=2", "password", 2, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/password?quantity=%31%32&le%6Egth=%38",
			      "password", 12, 8, CLS_DEFAULT));
	json_decref(get_items("/password?%6C%6F%77%65%72=%66alse&upper=false",
			      "password", 1, 20, CLS_DIGITS));
	/* the path is decoded too */
	json_decref(get_items("/p%61ssword?quantity=2", "password", 2, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/%70%69%6E", "pin", 1, 6, CLS_DIGITS));
}
END_TEST

START_TEST(password_trailing_ampersand)
{
	json_decref(get_items("/password?quantity=3&", "password", 3, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/password?quantity=2&&length=5", "password", 2,
			      5, CLS_DEFAULT));
	json_decref(get_items("/password?&quantity=4", "password", 4, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/password?", "password", 1, 20, CLS_DEFAULT));
	json_decref(get_items("/pin?&", "pin", 1, 6, CLS_DIGITS));
}
END_TEST

/* ================================================================== /pin */

START_TEST(pin_defaults)
{
	json_t *doc = get_items("/pin", "pin", 1, 6, CLS_DIGITS);

	ck_assert_double_eq_tol(entropy_of(doc), 19.93, 1e-9);
	json_decref(doc);
}
END_TEST

START_TEST(pin_quantity_and_length)
{
	json_t *doc = get_items("/pin?quantity=50&length=12", "pin", 50, 12,
				CLS_DIGITS);

	EXPECT_OK(verify_coverage(doc, DIGIT_CHARS));
	ck_assert_double_eq_tol(entropy_of(doc), 39.86, 1e-9);
	json_decref(doc);
}
END_TEST

START_TEST(pin_length_bounds)
{
	json_decref(get_items("/pin?length=4&quantity=2", "pin", 2, 4,
			      CLS_DIGITS));
	json_decref(get_items("/pin?length=64&quantity=2", "pin", 2, 64,
			      CLS_DIGITS));
}
END_TEST

/* ============================================================== /healthz */

static void expect_health(const char *target)
{
	struct response r;
	json_t *doc;

	ck_assert_int_eq(http_get(fixture.port, target, &r), 0);
	ck_assert_msg(r.status == 200, "%s: %d", target, r.status);
	EXPECT_OK(verify_headers(&r, "application/json", 0));
	doc = response_json(&r);
	ck_assert_msg(json_is_object(doc) && json_object_size(doc) == 1,
		      "body %s", r.body);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
			 "ok");
	json_decref(doc);
	response_free(&r);
}

/* No parameters, but an empty query is fine. */
START_TEST(healthz_ok)
{
	expect_health("/healthz");
	expect_health("/healthz?");
	expect_health("/healthz?&");
}
END_TEST

/* ========================================================= max quantity */

/* quantity = max (100000 by default): every item there, all distinct. */
START_TEST(quantity_max_default)
{
	json_t *doc = get_items("/password?quantity=100000", "password", 100000,
				20, CLS_DEFAULT);
	const json_t *items = json_object_get(doc, "items");
	const char **strs = calloc(100000, sizeof(*strs));

	ck_assert_ptr_nonnull(strs);
	for (size_t i = 0; i < 100000; i++)
		strs[i] = json_string_value(json_array_get(items, i));
	EXPECT_OK(verify_distinct(strs, 100000));
	free(strs);
	json_decref(doc);
}
END_TEST

/* The largest request there is: 100000 passwords of 1024 characters from
 * all 94 characters, about 105 MB, more than the whole default in-flight
 * budget (64 MiB), so it must run alone rather than wait forever. */
START_TEST(largest_request)
{
	json_t *doc = get_items("/password?quantity=100000&length=1024"
				"&symbols=true", "password", 100000, 1024,
				CLS_DEFAULT | CLS_SYMBOLS);

	ck_assert_double_eq_tol(entropy_of(doc), 6711.9, 1e-9);
	json_decref(doc);
}
END_TEST

static void setup_max_50(void)
{
	static const char *const flags[] = { "--max-quantity", "50", NULL };

	fixture_start(flags);
}

START_TEST(quantity_max_flag)
{
	struct response r;

	json_decref(get_items("/password?quantity=50", "password", 50, 20,
			      CLS_DEFAULT));
	json_decref(get_items("/pin?quantity=50", "pin", 50, 6, CLS_DIGITS));
	ck_assert_int_eq(http_get(fixture.port, "/password?quantity=51", &r),
			 0);
	EXPECT_OK(verify_problem(&r, 400, "urn:pwgend:problem:out-of-range",
				 "quantity"));
	response_free(&r);
	ck_assert_int_eq(http_get(fixture.port, "/pin?quantity=51", &r), 0);
	EXPECT_OK(verify_problem(&r, 400, "urn:pwgend:problem:out-of-range",
				 "quantity"));
	response_free(&r);
}
END_TEST

/* ================================================================ suite */

Suite *generate_suite(void)
{
	Suite *s = suite_create("generate");
	TCase *pw = server_case("password", setup_default, TIMEOUT_LIGHT);
	TCase *pin = server_case("pin", setup_default, TIMEOUT_LIGHT);
	TCase *max = server_case("max_quantity", setup_default, TIMEOUT_HEAVY);
	TCase *flag = server_case("max_quantity_flag", setup_max_50,
				  TIMEOUT_LIGHT);

	tcase_add_test(pw, password_defaults);
	tcase_add_test(pw, password_quantity_and_length);
	tcase_add_test(pw, password_max_consecutive);
	tcase_add_test(pw, password_max_consecutive_explain);
	tcase_add_test(pw, password_length_bounds);
	tcase_add_loop_test(pw, password_classes, 0, 15);
	tcase_add_test(pw, password_class_defaults);
	tcase_add_test(pw, password_symbols_only_entropy);
	tcase_add_test(pw, entropy_whole_number_text);
	tcase_add_test(pw, password_items_distinct);
	tcase_add_test(pw, password_leading_zeros);
	tcase_add_test(pw, password_leading_zeros_cap);
	tcase_add_test(pw, password_percent_encoded);
	tcase_add_test(pw, password_trailing_ampersand);
	tcase_add_test(pin, pin_defaults);
	tcase_add_test(pin, pin_quantity_and_length);
	tcase_add_test(pin, pin_length_bounds);
	tcase_add_test(pin, healthz_ok);
	tcase_add_test(max, quantity_max_default);
	tcase_add_test(max, largest_request);
	tcase_add_test(flag, quantity_max_flag);
	suite_add_tcase(s, pw);
	suite_add_tcase(s, pin);
	suite_add_tcase(s, max);
	suite_add_tcase(s, flag);
	return s;
}
