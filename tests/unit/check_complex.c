/*
 * check_complex.c - POST /v1/complex_password's body parser (every field,
 * every refusal with its status and parameter) and its assembly (lengths,
 * pieces verbatim and contiguous, scrambled pieces are permutations), with
 * chi-square tests (p = 0.001, seeded stream, critical values
 * chi2.ppf(0.999, df) written down) that the layout and the scrambles are
 * uniform.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chi_square.h"
#include "complex.h"
#include "rng.h"
#include "suites.h"

#define CRIT_DF3 16.266
#define CRIT_DF5 20.515

static const unsigned char seed[RNG_KEY_SIZE] = { 'c', 'p', 'x' };

static struct complex_spec *parse_ok(const char *body)
{
	struct complex_spec *spec = NULL;
	struct request_error err;
	int rc = complex_parse(body, strlen(body), &spec, &err);

	ck_assert_msg(rc == 0, "%s: %s", body, err.detail);
	ck_assert_ptr_nonnull(spec);
	return spec;
}

START_TEST(test_parse_fields)
{
	struct complex_spec *s = parse_ok(
		"{\"additional_length\":10,\"quantity\":3,\"punctuation\":true,"
		"\"shuffle_string_inject\":true,\"char_inject\":[\"a\",\"\\u00e9\"],"
		"\"string_inject\":[\"Gab\",\"\xe6\x97\xa5\xe6\x9c\xac\"]}");

	ck_assert_uint_eq(s->additional_length, 10);
	ck_assert_uint_eq(s->quantity, 3);
	ck_assert(s->punctuation);
	ck_assert(s->shuffle_strings);
	ck_assert_uint_eq(s->n_chars, 2);
	ck_assert_uint_eq(s->n_pieces, 4);
	ck_assert_uint_eq(s->pieces[1].bytes, 2);   /* é */
	ck_assert_uint_eq(s->pieces[1].chars, 1);
	ck_assert_uint_eq(s->pieces[3].bytes, 6);   /* 日本 */
	ck_assert_uint_eq(s->pieces[3].chars, 2);
	ck_assert_mem_eq(s->text + s->pieces[2].offset, "Gab", 3);
	ck_assert_uint_eq(s->item_chars, 10 + 1 + 1 + 3 + 2);
	ck_assert_uint_eq(s->item_bytes, 10 + 1 + 2 + 3 + 6);
	complex_free(s);
}
END_TEST

START_TEST(test_parse_defaults)
{
	struct complex_spec *s = parse_ok(" {\"additional_length\": 1}\n");

	ck_assert_uint_eq(s->additional_length, 1);
	ck_assert_uint_eq(s->quantity, 1);
	ck_assert(!s->punctuation);
	ck_assert(!s->shuffle_strings);
	ck_assert_uint_eq(s->n_pieces, 0);
	ck_assert_uint_eq(s->item_bytes, 1);
	complex_free(s);
}
END_TEST

static const struct refusal {
	const char *body;
	int status;
	const char *type;
	const char *parameter;     /* "" = none */
} refusals[] = {
	{ "", 400, PROBLEM_MALFORMED_BODY, "" },
	{ "{", 400, PROBLEM_MALFORMED_BODY, "" },
	{ "[1]", 400, PROBLEM_MALFORMED_BODY, "" },
	{ "{\"additional_length\":4} x", 400, PROBLEM_MALFORMED_BODY, "" },
	{ "{}", 400, PROBLEM_INVALID_VALUE, "additional_length" },
	{ "{\"additional_length\":\"4\"}", 400, PROBLEM_INVALID_VALUE,
	  "additional_length" },
	{ "{\"additional_length\":4.0}", 400, PROBLEM_INVALID_VALUE,
	  "additional_length" },
	{ "{\"additional_length\":0}", 400, PROBLEM_OUT_OF_RANGE,
	  "additional_length" },
	{ "{\"additional_length\":101}", 400, PROBLEM_OUT_OF_RANGE,
	  "additional_length" },
	{ "{\"additional_length\":-1}", 400, PROBLEM_OUT_OF_RANGE,
	  "additional_length" },
	{ "{\"additional_length\":99999999999999999999}", 400,
	  PROBLEM_OUT_OF_RANGE, "" },
	{ "{\"additional_length\":4,\"quantity\":101}", 400,
	  PROBLEM_OUT_OF_RANGE, "quantity" },
	{ "{\"additional_length\":4,\"quantity\":null}", 400,
	  PROBLEM_INVALID_VALUE, "quantity" },
	{ "{\"additional_length\":4,\"punctuation\":1}", 400,
	  PROBLEM_INVALID_VALUE, "punctuation" },
	{ "{\"additional_length\":4,\"shuffle_string_inject\":\"yes\"}", 400,
	  PROBLEM_INVALID_VALUE, "shuffle_string_inject" },
	{ "{\"additional_length\":4,\"lenght\":4}", 400,
	  PROBLEM_UNKNOWN_PARAMETER, "lenght" },
	{ "{\"additional_length\":4,\"additional_length\":5}", 400,
	  PROBLEM_DUPLICATE_PARAMETER, "additional_length" },
	{ "{\"additional_length\":4,\"shuffle_string_inject\":true,"
	  "\"shuffle_string_inject\" :false}", 400,
	  PROBLEM_DUPLICATE_PARAMETER, "shuffle_string_inject" },
	{ "{\"additional_length\":4,\"x\":1,\"x\":2}", 400,
	  PROBLEM_DUPLICATE_PARAMETER, "" },
	{ "{\"additional_length\":4,\"char_inject\":\"a\"}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject" },
	{ "{\"additional_length\":4,\"char_inject\":[\"a\",\"bc\"]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[1]" },
	{ "{\"additional_length\":4,\"char_inject\":[\"\"]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[0]" },
	{ "{\"additional_length\":4,\"char_inject\":[7]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[0]" },
	{ "{\"additional_length\":4,\"char_inject\":[\"\\n\"]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[0]" },
	{ "{\"additional_length\":4,\"char_inject\":[\"\\u0000\"]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[0]" },
	{ "{\"additional_length\":4,\"char_inject\":[\"\\u0085\"]}", 400,
	  PROBLEM_INVALID_VALUE, "char_inject[0]" },
	{ "{\"additional_length\":4,\"string_inject\":[\"a\"]}", 400,
	  PROBLEM_INVALID_VALUE, "string_inject[0]" },
	{ "{\"additional_length\":4,\"string_inject\":[\"ab\\u007f\"]}", 400,
	  PROBLEM_INVALID_VALUE, "string_inject[0]" },
	{ "{\"additional_length\":4,\"string_inject\":[\"ab\",{}]}", 400,
	  PROBLEM_INVALID_VALUE, "string_inject[1]" },
};

/* jansson's messages quote input; the detail never does. */
START_TEST(test_detail_quotes_no_input)
{
	static const char *const bodies[] = {
		"{\"additional_length\":4,\"char_inject\":[\"\\uD800x\"]}",
		"{\"additional_length\":4,\"string_inject\":[\"hunter2\" x]}",
		"{\"additional_length\":4,\"string_inject\":hunter2}",
	};

	for (size_t i = 0; i < 3; i++) {
		struct complex_spec *spec = NULL;
		struct request_error err;

		ck_assert_int_eq(complex_parse(bodies[i], strlen(bodies[i]),
					       &spec, &err), -EINVAL);
		ck_assert_str_eq(err.type, PROBLEM_MALFORMED_BODY);
		ck_assert_msg(strstr(err.detail, "hunter2") == NULL &&
				      strstr(err.detail, "D800") == NULL &&
				      strchr(err.detail, '\'') == NULL,
			      "%s", err.detail);
		ck_assert_ptr_nonnull(strstr(err.detail, "line 1"));
	}
}
END_TEST

START_TEST(test_parse_refusals)
{
	const struct refusal *r = &refusals[_i];
	struct complex_spec *spec = (struct complex_spec *)1;
	struct request_error err;
	int rc = complex_parse(r->body, strlen(r->body), &spec, &err);

	ck_assert_msg(rc == -EINVAL, "%s: accepted", r->body);
	ck_assert_ptr_null(spec);
	ck_assert_int_eq(err.status, r->status);
	ck_assert_str_eq(err.type, r->type);
	ck_assert_str_eq(err.parameter, r->parameter);
	ck_assert(err.detail[0] != '\0');
}
END_TEST

/* A list of n copies of `item`, as a body. */
static char *body_with_list(const char *field, const char *item, size_t n)
{
	size_t cap = 64 + n * (strlen(item) + 3);
	char *body = malloc(cap);
	size_t o = (size_t)snprintf(body, cap, "{\"additional_length\":4,"
				    "\"%s\":[", field);

	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, cap - o, "%s\"%s\"",
				      i > 0 ? "," : "", item);
	snprintf(body + o, cap - o, "]}");
	return body;
}

static int parse_status(const char *body, char *parameter, size_t cap)
{
	struct complex_spec *spec = NULL;
	struct request_error err;
	int rc = complex_parse(body, strlen(body), &spec, &err);

	complex_free(spec);
	snprintf(parameter, cap, "%s", rc == 0 ? "" : err.parameter);
	return rc == 0 ? 200 : err.status;
}

START_TEST(test_parse_limits)
{
	char long_string[COMPLEX_STRING_MAX_CHARS + 2];
	char param[80];
	char *body;

	body = body_with_list("char_inject", "x", COMPLEX_MAX_ITEMS);
	ck_assert_int_eq(parse_status(body, param, sizeof(param)), 200);
	free(body);
	body = body_with_list("char_inject", "x", COMPLEX_MAX_ITEMS + 1);
	ck_assert_int_eq(parse_status(body, param, sizeof(param)), 413);
	ck_assert_str_eq(param, "char_inject");
	free(body);
	body = body_with_list("string_inject", "xy", COMPLEX_MAX_ITEMS + 1);
	ck_assert_int_eq(parse_status(body, param, sizeof(param)), 413);
	ck_assert_str_eq(param, "string_inject");
	free(body);

	memset(long_string, 'z', COMPLEX_STRING_MAX_CHARS);
	long_string[COMPLEX_STRING_MAX_CHARS] = '\0';
	body = body_with_list("string_inject", long_string, COMPLEX_MAX_ITEMS);
	ck_assert_int_eq(parse_status(body, param, sizeof(param)), 200);
	free(body);
	long_string[COMPLEX_STRING_MAX_CHARS] = 'z';
	long_string[COMPLEX_STRING_MAX_CHARS + 1] = '\0';
	body = body_with_list("string_inject", long_string, 1);
	ck_assert_int_eq(parse_status(body, param, sizeof(param)), 413);
	ck_assert_str_eq(param, "string_inject[0]");
	free(body);
}
END_TEST

/* The largest body's pieces, 4-byte characters everywhere: the text fits. */
START_TEST(test_parse_largest_text)
{
	char four[4 * COMPLEX_STRING_MAX_CHARS + 1] = "";
	char *body, *chars;
	struct complex_spec *s;

	for (size_t i = 0; i < COMPLEX_STRING_MAX_CHARS; i++)
		strcat(four, "\xf0\x9f\x94\x91");  /* U+1F511 KEY */
	body = body_with_list("string_inject", four, COMPLEX_MAX_ITEMS);
	chars = body_with_list("char_inject", "\xf0\x9f\x94\x91",
			       COMPLEX_MAX_ITEMS);
	/* splice: {"additional_length":4,"string_inject":[...],"char_inject":[...]} */
	body[strlen(body) - 1] = ',';
	body = realloc(body, strlen(body) + strlen(chars) + 1);
	strcat(body, strchr(chars, ',') + 1);
	s = parse_ok(body);
	ck_assert_uint_eq(s->n_pieces, 2 * COMPLEX_MAX_ITEMS);
	ck_assert_uint_eq(s->item_bytes, 4 + COMPLEX_TEXT_MAX);
	ck_assert_uint_eq(s->item_chars, 4 + COMPLEX_MAX_ITEMS *
						 (1 + COMPLEX_STRING_MAX_CHARS));
	complex_free(s);
	free(body);
	free(chars);
}
END_TEST

/* Remove the first occurrence of needle from hay (in place); 0 if absent. */
static int cut(char *hay, size_t *n, const char *needle, size_t len)
{
	for (size_t i = 0; i + len <= *n; i++) {
		if (memcmp(hay + i, needle, len) == 0) {
			memmove(hay + i, hay + i + len, *n - i - len);
			*n -= len;
			return 1;
		}
	}
	return 0;
}

START_TEST(test_assemble_pieces_verbatim)
{
	struct complex_spec *s = parse_ok(
		"{\"additional_length\":6,\"char_inject\":[\"\\u00e9\",\"\\u00e9\"],"
		"\"string_inject\":[\"\xc3\x9f\xc3\x9f\xc3\x9f\",\"\xe6\x97\xa5"
		"\xe6\x9c\xac\"]}");
	const char base[] = "aB3dE6";
	struct rng r;

	rng_init_seeded(&r, seed);
	for (int round = 0; round < 200; round++) {
		char out[64];
		size_t n = s->item_bytes;

		complex_assemble(s, &r, base, out);
		ck_assert(cut(out, &n, "\xc3\x9f\xc3\x9f\xc3\x9f", 6));
		ck_assert(cut(out, &n, "\xe6\x97\xa5\xe6\x9c\xac", 6));
		ck_assert(cut(out, &n, "\xc3\xa9", 2));
		ck_assert(cut(out, &n, "\xc3\xa9", 2));
		/* what is left is the random part (its characters move too) */
		ck_assert_uint_eq(n, 6);
		for (size_t k = 0; k < 6; k++)
			ck_assert(cut(out, &n, base + k, 1));
	}
	complex_free(s);
}
END_TEST

/* shuffle_string_inject: each string stays one run, its characters a
 * permutation of the original's. */
START_TEST(test_assemble_scrambles_within_a_run)
{
	struct complex_spec *s = parse_ok(
		"{\"additional_length\":2,\"shuffle_string_inject\":true,"
		"\"string_inject\":[\"\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\"]}");
	struct rng r;
	int changed = 0;

	rng_init_seeded(&r, seed);
	for (int round = 0; round < 200; round++) {
		char out[16];
		const char *run;
		size_t counts[4] = { 0 };

		complex_assemble(s, &r, "xy", out);
		run = out[0] == 'x' || out[0] == 'y' ? out + 1 : out;
		if (run == out + 1 && (out[1] == 'x' || out[1] == 'y'))
			run = out + 2;
		for (int k = 0; k < 4; k++) {
			unsigned c = (unsigned char)run[2 * k + 1];

			/* è é ê ë are C3 A8 .. C3 AB */
			ck_assert_int_eq((unsigned char)run[2 * k], 0xc3);
			ck_assert(c >= 0xa8 && c <= 0xab);
			counts[c - 0xa8]++;
		}
		for (int k = 0; k < 4; k++)
			ck_assert_uint_eq(counts[k], 1);
		changed += memcmp(run, "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab", 8) != 0;
	}
	ck_assert_int_gt(changed, 100);
	complex_free(s);
}
END_TEST

/* Where the injected character lands among 4 units: each place 1/4. */
START_TEST(test_layout_uniform)
{
	struct complex_spec *s = parse_ok(
		"{\"additional_length\":3,\"char_inject\":[\"#\"]}");
	unsigned long counts[4] = { 0 };
	const unsigned rounds = 40000;
	struct rng r;

	rng_init_seeded(&r, seed);
	for (unsigned i = 0; i < rounds; i++) {
		char out[4];

		complex_assemble(s, &r, "abc", out);
		counts[(const char *)memchr(out, '#', 4) - out]++;
	}
	ck_assert_double_lt(chi_square(counts, 4, rounds / 4.0), CRIT_DF3);
	complex_free(s);
}
END_TEST

/* A scrambled 3-character string: each of the 6 orders 1/6. */
START_TEST(test_scramble_uniform)
{
	static const char *const orders[] = { "abc", "acb", "bac",
					      "bca", "cab", "cba" };
	struct complex_spec *s = parse_ok(
		"{\"additional_length\":1,\"shuffle_string_inject\":true,"
		"\"string_inject\":[\"abc\"]}");
	unsigned long counts[6] = { 0 };
	const unsigned rounds = 60000;
	struct rng r;

	rng_init_seeded(&r, seed);
	for (unsigned i = 0; i < rounds; i++) {
		char out[4];
		const char *run;

		complex_assemble(s, &r, "Z", out);
		run = out[0] == 'Z' ? out + 1 : out;
		for (size_t k = 0; k < 6; k++)
			counts[k] += memcmp(run, orders[k], 3) == 0;
	}
	ck_assert_uint_eq(counts[0] + counts[1] + counts[2] + counts[3] +
				  counts[4] + counts[5], rounds);
	ck_assert_double_lt(chi_square(counts, 6, rounds / 6.0), CRIT_DF5);
	complex_free(s);
}
END_TEST

START_TEST(test_rng_below_range)
{
	struct rng r;
	unsigned seen[7] = { 0 };

	rng_init_seeded(&r, seed);
	for (int i = 0; i < 7000; i++)
		seen[rng_below(&r, 7)]++;
	for (int k = 0; k < 7; k++)
		ck_assert_uint_gt(seen[k], 0);
	for (int i = 0; i < 100; i++) {
		ck_assert_uint_eq(rng_below(&r, 1), 0);
		ck_assert_uint_lt(rng_below(&r, 256), 256);
	}
}
END_TEST

/* The blog-era body: the misspelt flag, both lists required, the length
 * rule max(n, 3), and string_inject valid when some item has 2 chars. */
static int parse_blog(const char *body, size_t length,
		      struct complex_spec **spec, struct request_error *err)
{
	const struct complex_blog args = { length, 3, false };

	return complex_parse_blog(body, strlen(body), &args, spec, err);
}

START_TEST(test_parse_blog)
{
	struct complex_spec *s = NULL;
	struct request_error err;

	ck_assert_int_eq(parse_blog("{\"suffle_string_inject\":true,"
				    "\"char_inject\":[\"a\",\"b\",\"0\"],"
				    "\"string_inject\":[\"Gab\",\"tao\","
				    "\"2018\"]}", 10, &s, &err), 0);
	ck_assert_uint_eq(s->additional_length, 10);
	ck_assert_uint_eq(s->quantity, 3);
	ck_assert(s->shuffle_strings);
	ck_assert_uint_eq(s->item_chars, 10 + 3 + 10);  /* their 23 */
	complex_free(s);
	/* 1 and 2 give 3 random characters, their rule */
	ck_assert_int_eq(parse_blog("{\"char_inject\":[],\"string_inject\":"
				    "[\"x\",\"yz\"]}", 1, &s, &err), 0);
	ck_assert_uint_eq(s->additional_length, 3);
	ck_assert_uint_eq(s->item_chars, 3 + 1 + 2);
	complex_free(s);
}
END_TEST

START_TEST(test_parse_blog_refusals)
{
	static const struct {
		const char *body;
		const char *parameter;
	} bad[] = {
		{ "{\"string_inject\":[\"ab\"]}", "char_inject" },
		{ "{\"char_inject\":[\"a\"]}", "string_inject" },
		{ "{\"char_inject\":[],\"string_inject\":[]}",
		  "string_inject" },
		{ "{\"char_inject\":[],\"string_inject\":[\"a\",\"b\"]}",
		  "string_inject" },
		{ "{\"char_inject\":[\"ab\"],\"string_inject\":[\"ab\"]}",
		  "char_inject[0]" },
		/* the /v1 spelling is not theirs */
		{ "{\"shuffle_string_inject\":true,\"char_inject\":[],"
		  "\"string_inject\":[\"ab\"]}", "shuffle_string_inject" },
		{ "{\"additional_length\":5,\"char_inject\":[],"
		  "\"string_inject\":[\"ab\"]}", "additional_length" },
		{ "{\"suffle_string_inject\":1,\"char_inject\":[],"
		  "\"string_inject\":[\"ab\"]}", "suffle_string_inject" },
	};
	struct complex_spec *s = NULL;
	struct request_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse_blog(bad[i].body, 10, &s, &err),
				 -EINVAL);
		ck_assert_ptr_null(s);
		ck_assert_int_eq(err.status, 400);
		ck_assert_msg(strcmp(err.parameter, bad[i].parameter) == 0,
			      "%s: parameter %s, want %s", bad[i].body,
			      err.parameter, bad[i].parameter);
	}
}
END_TEST

Suite *complex_suite(void)
{
	Suite *s = suite_create("complex");
	TCase *tp = tcase_create("parse");
	TCase *ta = tcase_create("assemble");
	TCase *tu = tcase_create("chi-square");

	tcase_add_test(tp, test_parse_fields);
	tcase_add_test(tp, test_parse_defaults);
	tcase_add_loop_test(tp, test_parse_refusals, 0,
			    sizeof(refusals) / sizeof(refusals[0]));
	tcase_add_test(tp, test_parse_limits);
	tcase_add_test(tp, test_detail_quotes_no_input);
	tcase_add_test(tp, test_parse_largest_text);
	tcase_add_test(tp, test_parse_blog);
	tcase_add_test(tp, test_parse_blog_refusals);
	suite_add_tcase(s, tp);
	tcase_add_test(ta, test_assemble_pieces_verbatim);
	tcase_add_test(ta, test_assemble_scrambles_within_a_run);
	tcase_add_test(ta, test_rng_below_range);
	suite_add_tcase(s, ta);
	tcase_set_timeout(tu, 60);
	tcase_add_test(tu, test_layout_uniform);
	tcase_add_test(tu, test_scramble_uniform);
	suite_add_tcase(s, tu);
	return s;
}
