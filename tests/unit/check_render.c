/* check_render.c - reply bodies parse back, and the hand escaper is
 * byte-identical to jansson's compact dump. */
#include <math.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render.h"
#include "rng.h"
#include "suites.h"

/* jansson's rendering of one string, for comparison. */
static char *jansson_string(const char *s, size_t n)
{
	json_t *str = json_stringn(s, n);
	char *out;

	ck_assert_ptr_nonnull(str);
	out = json_dumps(str, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(str);
	return out;
}

static void assert_same_as_jansson(const char *s, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	char *want = jansson_string(s, n);

	ck_assert_int_eq(render_json_string(&sb, s, n), 0);
	ck_assert_uint_eq(sb.len, strlen(want));
	ck_assert_int_eq(memcmp(sb.buf, want, sb.len), 0);
	free(want);
	sbuf_release(&sb);
}

START_TEST(test_escaper_matches_jansson_for_every_ascii_byte)
{
	/* NUL included: json_stringn takes a length */
	for (int c = 0; c < 128; c++) {
		char s[3] = { 'a', (char)c, 'z' };

		assert_same_as_jansson(s, sizeof(s));
	}
}
END_TEST

START_TEST(test_escaper_matches_jansson_on_random_strings)
{
	static const unsigned char seed[RNG_KEY_SIZE] = { 5 };
	struct rng r;
	char s[64];

	rng_init_seeded(&r, seed);
	for (int n = 0; n < 5000; n++) {
		size_t len = rng_byte(&r) % sizeof(s);

		for (size_t i = 0; i < len; i++)
			s[i] = (char)(rng_byte(&r) & 0x7f);
		assert_same_as_jansson(s, len);
	}
	assert_same_as_jansson("caf\xc3\xa9 \xe2\x82\xac", 9);  /* UTF-8 */
}
END_TEST

/* The head written by hand is byte for byte what jansson printed for the
 * same fields (the head used to be built with json_pack and json_dumps):
 * whole numbers keep ".0", reals print with 10 significant digits after
 * rounding to 2 decimals. */
START_TEST(test_items_head_matches_jansson)
{
	static const double fixed[] = { 0, 1, 13.2877, 119.0865, 120,
		6087.5, 12.925, 0.004, 99.995, 1234567.891, 8192, 0.005,
		0.015, 9999999.994, 12345678.9, 1e12 };
	double bits[16 + 2000];
	unsigned char seed[RNG_KEY_SIZE] = { 3 };
	struct rng r;

	memcpy(bits, fixed, sizeof(fixed));
	rng_init_seeded(&r, seed);
	for (size_t i = 16; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint64_t v;

		rng_bytes(&r, &v, sizeof(v));
		/* hundredths and the odd thousandth, as entropies come */
		bits[i] = (double)(v % 100000000) / (i % 2 ? 100.0 : 1000.0);
	}

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		struct items_header h = { "passphrase", 100000, "words",
					  i * 7, bits[i], NULL };
		struct sbuf sb = SBUF_INIT;
		json_t *doc = json_pack("{s:s, s:I, s:I, s:f, s:[]}", "kind",
					h.kind, "quantity",
					(json_int_t)h.quantity, h.size_name,
					(json_int_t)h.size, "entropy_bits",
					round(h.entropy_bits * 100.0) / 100.0,
					"items");
		char *want = json_dumps(doc, JSON_COMPACT |
						     JSON_REAL_PRECISION(10));
		size_t n = strlen(want) - 2;  /* up to and with the '[' */

		ck_assert_int_eq(render_items_open(&sb, &h), 0);
		ck_assert_msg(sb.len == n && memcmp(sb.buf, want, n) == 0,
			      "%.*s\nwant %.*s", (int)sb.len, sb.buf, (int)n,
			      want);
		free(want);
		json_decref(doc);
		sbuf_release(&sb);
	}
}
END_TEST

/* An alphabet is clean when no item drawn from it needs escaping; clean
 * items render exactly as render_item renders them. */
START_TEST(test_clean_alphabets)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				    "OPQRSTUVWXYZ0123456789";
	static const char symbols[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;

	ck_assert(render_is_clean(alnum, sizeof(alnum) - 1));
	ck_assert(render_is_clean("!#$%&'()*+,-./:;<=>?@[]^_`{|}~", 30));
	ck_assert(!render_is_clean(symbols, sizeof(symbols) - 1));
	ck_assert(!render_is_clean("a\x01", 2));
	ck_assert(!render_is_clean("\\", 1));
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(render_item(&a, i, alnum + i * 5, 20), 0);
		ck_assert_int_eq(render_item_clean(&b, i, alnum + i * 5, 20), 0);
	}
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.buf, b.buf, a.len);
	sbuf_release(&a);
	sbuf_release(&b);
}
END_TEST

/* A note goes right after entropy_bits, as a string member. */
START_TEST(test_items_document_with_note)
{
	struct sbuf sb = SBUF_INIT;
	struct items_header h = { "pin", 2, "length", 6, 19.93,
				  RENDER_NOTE_DEPENDENT };
	static const char head[] = "{\"kind\":\"pin\",\"quantity\":2,"
				   "\"length\":6,\"entropy_bits\":19.93,"
				   "\"entropy_note\":\"items are distinct";
	json_error_t err;
	json_t *doc;

	ck_assert_int_eq(render_items_open(&sb, &h), 0);
	ck_assert_int_eq(render_item(&sb, 0, "123456", 6), 0);
	ck_assert_int_eq(render_item(&sb, 1, "654321", 6), 0);
	ck_assert_int_eq(render_items_close(&sb), 0);
	ck_assert_int_eq(memcmp(sb.buf, head, sizeof(head) - 1), 0);
	doc = json_loadb(sb.buf, sb.len, 0, &err);
	ck_assert_msg(doc != NULL, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc,
							   "entropy_note")),
			 RENDER_NOTE_DEPENDENT);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 2);
	json_decref(doc);
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_items_document)
{
	struct sbuf sb = SBUF_INIT;
	struct items_header h = { "password", 3, "length", 4, 23.8196, NULL };
	static const char *items[] = { "ab\"c", "d\\ef", "g/hi" };
	json_error_t err;
	json_t *doc;

	ck_assert_int_eq(render_items_open(&sb, &h), 0);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(render_item(&sb, i, items[i], 4), 0);
	ck_assert_int_eq(render_items_close(&sb), 0);
	doc = json_loadb(sb.buf, sb.len, 0, &err);
	ck_assert_msg(doc != NULL, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
			 "password");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "quantity")),
			 3);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "length")), 4);
	ck_assert_double_eq(json_real_value(json_object_get(doc,
							    "entropy_bits")),
			    23.82);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(json_string_value(json_array_get(
					 json_object_get(doc, "items"), i)),
				 items[i]);
	/* the exact bytes, including the rounding of entropy_bits */
	ck_assert_int_eq(memcmp(sb.buf, "{\"kind\":\"password\",\"quantity\":3,"
				"\"length\":4,\"entropy_bits\":23.82,\"items\":"
				"[\"ab\\\"c\"", 76), 0);
	json_decref(doc);
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_problem_document)
{
	size_t len = 0;
	char *body = render_problem(400, "urn:x", "Bad", "quantity \"x\"",
				    "quantity", &len);
	json_t *doc = json_loads(body, 0, NULL);

	ck_assert_uint_eq(len, strlen(body));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "type")),
			 "urn:x");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "title")),
			 "Bad");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "status")),
			 400);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "detail")),
			 "quantity \"x\"");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "parameter")),
			 "quantity");
	json_decref(doc);
	free(body);
	body = render_problem(404, "urn:y", "Not Found", "no", NULL, &len);
	doc = json_loads(body, 0, NULL);
	ck_assert_ptr_null(json_object_get(doc, "parameter"));
	json_decref(doc);
	free(body);
}
END_TEST

START_TEST(test_status_document)
{
	size_t len = 0;
	char *body = render_status("ok", &len);

	ck_assert_str_eq(body, "{\"status\":\"ok\"}");
	ck_assert_uint_eq(len, 15);
	free(body);
}
END_TEST

START_TEST(test_sbuf_growth_keeps_contents)
{
	struct sbuf sb = SBUF_INIT;

	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(sbuf_add(&sb, "0123456789", 10), 0);
	ck_assert_uint_eq(sb.len, 100000);
	ck_assert_uint_ge(sb.cap, sb.len);
	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(memcmp(sb.buf + i * 10, "0123456789", 10), 0);
	sbuf_release(&sb);
	ck_assert_ptr_null(sb.buf);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_int_eq(sbuf_reserve(&sb, SIZE_MAX), -ENOMEM);
}
END_TEST

Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_escaper_matches_jansson_for_every_ascii_byte);
	tcase_add_test(tc, test_escaper_matches_jansson_on_random_strings);
	tcase_add_test(tc, test_items_document);
	tcase_add_test(tc, test_items_document_with_note);
	tcase_add_test(tc, test_items_head_matches_jansson);
	tcase_add_test(tc, test_clean_alphabets);
	tcase_add_test(tc, test_problem_document);
	tcase_add_test(tc, test_status_document);
	tcase_add_test(tc, test_sbuf_growth_keeps_contents);
	suite_add_tcase(s, tc);
	return s;
}
