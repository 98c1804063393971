/*
 * test_complex.c - POST /v1/complex_password on the real binary: random
 * characters with the client's strings and characters mixed in.
 *
 * What a reply must be, item by item: exactly additional_length + the
 * injected code points long (UTF-8 aware); every injected string verbatim
 * and contiguous (with shuffle_string_inject: a contiguous permutation,
 * drawn anew per item); every injected character as often as it was listed;
 * the random part from the right alphabet with its class guarantees;
 * entropy_bits for the random part alone. The injected pieces used for the
 * exact checks are non-ASCII ("é", "ß", "日本"), which the random part can
 * never hold, so stripping every non-ASCII code point leaves exactly the
 * random part.
 *
 * What a refusal must be: the rows B of tests/BAD_INPUTS.md (status, type,
 * parameter, Allow / Accept-Post / Connection: close), each followed by a
 * request on a fresh connection that must be served; a Content-Length over
 * --max-body-bytes is answered before the body is sent (no 100 Continue),
 * a chunked body as soon as it grows past the limit.
 *
 * And where the pieces land: chi-square at p = 0.001 (critical values
 * chi2.ppf(0.999, df), as in tests/unit/check_stats.c) on the position of
 * an injected character, and on the order of a character, a string and two
 * random characters. A correct server fails one with probability 0.001.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "chi_square.h"
#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"
#define ROUTE "/v1/complex_password"
#define JSON_TYPE "Content-Type: application/json\r\n"

enum {
	MAX_BODY = 16384,              /* the default --max-body-bytes */
	SMALL_LIMIT = 1024,            /* --max-body-bytes of the flag case */
	MAX_CPS = 4260,                /* 100 + 64 + 64 * 64 code points */
	CLOSE_WITHIN_MS = 3000,
};

/* chi2.ppf(0.999, df) */
#define CRIT_DF4 18.467
#define CRIT_DF11 31.264

static void setup_default(void)
{
	fixture_start(NULL);
}

static void setup_small_limit(void)
{
	static const char *const flags[] = { "--max-body-bytes", "1024",
					     "--connection-timeout", "2",
					     NULL };

	fixture_start(flags);
}

/* ============================================================ requests */

/* One request on a fresh connection: `method target`, the extra header
 * lines `headers` (each ending in \r\n), Content-Length and the body, and
 * Connection: close. 0 or -1. */
static int send_on(unsigned port, const char *method, const char *target,
		   const char *headers, const char *body, size_t n,
		   struct response *r)
{
	struct conn c;
	char extra[512];
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(extra, sizeof(extra),
		 "%sContent-Length: %zu\r\nConnection: close\r\n",
		 headers != NULL ? headers : "", n);
	if (conn_open(&c, port) < 0)
		return -1;
	rc = conn_request(&c, method, target, extra);
	if (rc == 0 && n > 0)
		rc = conn_send(&c, body, n);
	if (rc == 0)
		rc = conn_read(&c, r, strcmp(method, "HEAD") == 0);
	conn_close(&c);
	return rc;
}

static void post(const char *json, struct response *r)
{
	ck_assert_msg(send_on(fixture.port, "POST", ROUTE, JSON_TYPE, json,
			      strlen(json), r) == 0,
		      "no reply to POST %.200s", json);
}

/* POST a body that must succeed: 200, the headers every reply carries,
 * application/json, members data, entropy_bits, entropy_note in this
 * order, `quantity` strings. Returns the parsed reply. */
static json_t *post_ok(const char *json, size_t quantity)
{
	struct response r;
	json_t *doc, *data;
	const char *why, *key;
	static const char *const members[] = { "data", "entropy_bits",
					       "entropy_note" };
	size_t i = 0;
	json_t *value;

	post(json, &r);
	ck_assert_msg(r.status == 200, "%.200s: status %d: %.300s", json,
		      r.status, r.body);
	why = verify_headers(&r, "application/json", 0);
	ck_assert_msg(why == NULL, "%.200s: %s", json, why);
	doc = response_json(&r);
	ck_assert_msg(json_is_object(doc), "%.200s: not an object: %.200s",
		      json, r.body);
	response_free(&r);
	json_object_foreach(doc, key, value) {
		ck_assert_msg(i < 3 && strcmp(key, members[i]) == 0,
			      "member %zu is %s", i, key);
		i++;
	}
	ck_assert_uint_eq(i, 3);
	data = json_object_get(doc, "data");
	ck_assert_msg(json_is_array(data) && json_array_size(data) == quantity,
		      "%.200s: %zu items, want %zu", json,
		      json_array_size(data), quantity);
	for (i = 0; i < quantity; i++)
		ck_assert(json_is_string(json_array_get(data, i)));
	ck_assert(json_is_real(json_object_get(doc, "entropy_bits")));
	ck_assert(json_is_string(json_object_get(doc, "entropy_note")));
	ck_assert_uint_gt(strlen(json_string_value(json_object_get(
				  doc, "entropy_note"))), 0);
	return doc;
}

/* A body as compact JSON, UTF-8 as is; free() it. */
static char *dump(json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	ck_assert_ptr_nonnull(s);
	json_decref(body);
	return s;
}

/* ============================================================== UTF-8 */

/* Decode s[0, n) strictly (no overlongs, surrogates or values past
 * U+10FFFF) into cp[0, cap): the number of code points, or -1. */
static long utf8_decode(const char *s, size_t n, uint32_t *cp, size_t cap)
{
	size_t i = 0, k = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		uint32_t v;

		if (c < 0x80) {
			v = c;
			len = 1;
		} else if (c >= 0xC2 && c <= 0xDF) {
			v = c & 0x1Fu;
			len = 2;
		} else if ((c & 0xF0) == 0xE0) {
			v = c & 0x0Fu;
			len = 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			v = c & 0x07u;
			len = 4;
		} else {
			return -1;
		}
		if (i + len > n)
			return -1;
		for (size_t j = 1; j < len; j++) {
			unsigned char d = (unsigned char)s[i + j];

			if ((d & 0xC0) != 0x80)
				return -1;
			v = (v << 6) | (d & 0x3Fu);
		}
		if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
		    (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
			return -1;
		if (k >= cap)
			return -1;
		cp[k++] = v;
		i += len;
	}
	return (long)k;
}

/* Item i of the reply as code points (cp must hold MAX_CPS). */
static size_t item_cps(const json_t *doc, size_t i, uint32_t *cp)
{
	const json_t *item = json_array_get(json_object_get(doc, "data"), i);
	long n = utf8_decode(json_string_value(item), json_string_length(item),
			     cp, MAX_CPS);

	ck_assert_msg(n >= 0, "item %zu is not UTF-8 (or too long): %s", i,
		      json_string_value(item));
	return (size_t)n;
}

static const char *item_str(const json_t *doc, size_t i)
{
	return json_string_value(json_array_get(json_object_get(doc, "data"),
						i));
}

static size_t count_cp(const uint32_t *cp, size_t n, uint32_t c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += cp[i] == c;
	return k;
}

/* Where the code points want[0, m) start as a contiguous run, or -1. */
static long find_run(const uint32_t *cp, size_t n, const uint32_t *want,
		     size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		if (memcmp(cp + i, want, m * sizeof(*want)) == 0)
			return (long)i;
	}
	return -1;
}

/* ====================================================== the random part */

static bool in(const char *set, uint32_t c)
{
	return c != 0 && c < 0x80 && strchr(set, (int)c) != NULL;
}

/* The ASCII code points of an item are its random part (every injected
 * piece in these tests is non-ASCII): exactly `length` of them, from the
 * alphabet, with the classes GET /v1/ guarantees at that length. */
static void check_random_part(const uint32_t *cp, size_t n, size_t length,
			      bool punct, const char *item)
{
	size_t got = 0;
	bool lower = false, upper = false, digit = false, symbol = false;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];

		if (c >= 0x80)
			continue;
		got++;
		lower |= in(LOWER_CHARS, c);
		upper |= in(UPPER_CHARS, c);
		digit |= in(DIGIT_CHARS, c);
		symbol |= in(SYMBOL_CHARS, c);
		ck_assert_msg(in(LOWER_CHARS, c) || in(UPPER_CHARS, c) ||
			      in(DIGIT_CHARS, c) ||
			      (punct && in(SYMBOL_CHARS, c)),
			      "%s: 0x%02X is not in the alphabet", item,
			      (unsigned)c);
	}
	ck_assert_msg(got == length, "%s: %zu random characters, want %zu",
		      item, got, length);
	if (length < 3)
		return;  /* 1 or 2 characters: drawn freely */
	ck_assert_msg(lower, "%s: no lower-case letter", item);
	ck_assert_msg(digit, "%s: no digit", item);
	if (!punct || length >= 4)
		ck_assert_msg(upper, "%s: no upper-case letter", item);
	if (punct)
		ck_assert_msg(symbol, "%s: no symbol", item);
}

/* log2 of the number of random parts /v1/ allows, two decimals:
 * inclusion-exclusion over the required classes. */
static double complex_entropy(size_t length, bool punct)
{
	int sizes[4], k = punct ? 94 : 62;
	size_t need = 0;
	long double count = 0;

	if (length >= 3) {
		sizes[need++] = 26;                     /* lower */
		if (!punct || length >= 4)
			sizes[need++] = 26;             /* upper */
		sizes[need++] = 10;                     /* digits */
		if (punct)
			sizes[need++] = 32;             /* symbols */
	}
	for (unsigned m = 0; m < (1u << need); m++) {
		int left = k;
		unsigned bits = 0;
		long double t;

		for (size_t c = 0; c < need; c++) {
			if (m & (1u << c)) {
				left -= sizes[c];
				bits++;
			}
		}
		t = powl((long double)left, (long double)length);
		count += (bits & 1u) ? -t : t;
	}
	return round((double)log2l(count) * 100.0) / 100.0;
}

static double entropy_of(const json_t *doc)
{
	return json_real_value(json_object_get(doc, "entropy_bits"));
}

/* ============================================================== shapes */

START_TEST(reply_shape)
{
	json_t *doc = post_ok("{\"additional_length\":12}", 1);
	const char *s = item_str(doc, 0);

	ck_assert_uint_eq(strlen(s), 12);
	for (const char *c = s; *c != '\0'; c++)
		ck_assert(strchr(LOWER_CHARS UPPER_CHARS DIGIT_CHARS, *c));
	ck_assert_ptr_nonnull(strpbrk(s, LOWER_CHARS));
	ck_assert_ptr_nonnull(strpbrk(s, UPPER_CHARS));
	ck_assert_ptr_nonnull(strpbrk(s, DIGIT_CHARS));
	ck_assert_double_eq_tol(entropy_of(doc), 71.26, 1e-9);
	json_decref(doc);
}
END_TEST

/* Lengths are code points: additional_length + injected characters. */
START_TEST(lengths_in_code_points)
{
	static const struct {
		const char *body;
		size_t quantity, cps;
	} cases[] = {
		{ "{\"additional_length\":1}", 1, 1 },
		{ "{\"additional_length\":1,\"string_inject\":[\"Gab\"]}", 1,
		  4 },  /* the original gave 6 */
		{ "{\"additional_length\":100,\"quantity\":100}", 100, 100 },
		{ "{\"additional_length\":10,\"quantity\":3,\"char_inject\":"
		  "[\"a\",\"b\",\"0\"],\"string_inject\":[\"Gab\",\"tao\","
		  "\"2018\"]}", 3, 23 },
		{ "{\"additional_length\":5,\"quantity\":7,\"char_inject\":"
		  "[\"\xc3\xa9\",\"\xe6\x97\xa5\",\"\xf0\x9f\x98\x80\"],"
		  "\"string_inject\":[\"\xc3\x9f\xc3\xbc\",\"\xe6\x97\xa5"
		  "\xe6\x9c\xac\xe8\xaa\x9e\"]}", 7, 13 },
		/* the same pieces \u-escaped, surrogate pair included */
		{ "{\"additional_length\":5,\"quantity\":2,\"char_inject\":"
		  "[\"\\u00e9\",\"\\ud83d\\ude00\"],\"string_inject\":"
		  "[\"\\u65e5\\u672c\"]}", 2, 9 },
		{ "{\"additional_length\":4,\"punctuation\":true,\"string_inject\":"
		  "[\"\\\"\\\\\"]}", 1, 6 },
	};
	static uint32_t cp[MAX_CPS];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_t *doc = post_ok(cases[k].body, cases[k].quantity);

		for (size_t i = 0; i < cases[k].quantity; i++)
			ck_assert_msg(item_cps(doc, i, cp) == cases[k].cps,
				      "%s: item %s is not %zu code points",
				      cases[k].body, item_str(doc, i),
				      cases[k].cps);
		json_decref(doc);
	}
}
END_TEST

/* Everything at its maximum: 100 items of 100 random characters, 64
 * characters and 64 strings of 64 characters each: 4260 code points. */
START_TEST(maxima)
{
	json_t *chars = json_array(), *strings = json_array();
	static uint32_t cp[MAX_CPS];
	char s64[64 * 2 + 1] = "";
	char *body;
	json_t *doc;

	for (int i = 0; i < 64; i++)
		strcat(s64, "\xc3\xbc");  /* ü */
	for (int i = 0; i < 64; i++) {
		json_array_append_new(chars, json_string("\xe2\x82\xac"));
		json_array_append_new(strings, json_string(s64));
	}
	body = dump(json_pack("{s:i, s:i, s:b, s:o, s:o}", "additional_length",
			      100, "quantity", 100, "punctuation", 1,
			      "char_inject", chars, "string_inject", strings));
	ck_assert_uint_lt(strlen(body), MAX_BODY);
	doc = post_ok(body, 100);
	for (size_t i = 0; i < 100; i++) {
		size_t n = item_cps(doc, i, cp);

		ck_assert_uint_eq(n, MAX_CPS);
		ck_assert_uint_eq(count_cp(cp, n, 0x20AC), 64);
		ck_assert_uint_eq(count_cp(cp, n, 0xFC), 64 * 64);
		check_random_part(cp, n, 100, true, "maxima");
	}
	ck_assert_double_eq_tol(entropy_of(doc), 655.46, 1e-9);
	json_decref(doc);
	free(body);
}
END_TEST

/* ============================================================= pieces */

/* Non-ASCII pieces: exact counts, strings contiguous, and what is left is
 * the random part, whole. A character listed twice is there twice. */
START_TEST(pieces_exact)
{
	/* é é ß, 日本, ÄÖÜ */
	static const char body[] =
		"{\"additional_length\":12,\"quantity\":100,\"char_inject\":"
		"[\"\xc3\xa9\",\"\xc3\xa9\",\"\xc3\x9f\"],\"string_inject\":"
		"[\"\xe6\x97\xa5\xe6\x9c\xac\",\"\xc3\x84\xc3\x96\xc3\x9c\"]}";
	static const uint32_t nihon[] = { 0x65E5, 0x672C };
	static const uint32_t umlauts[] = { 0xC4, 0xD6, 0xDC };
	static uint32_t cp[MAX_CPS];
	json_t *doc = post_ok(body, 100);

	for (size_t i = 0; i < 100; i++) {
		const char *s = item_str(doc, i);
		size_t n = item_cps(doc, i, cp);

		ck_assert_msg(n == 12 + 3 + 2 + 3, "%s: %zu code points", s, n);
		ck_assert_msg(count_cp(cp, n, 0xE9) == 2, "%s: not two é", s);
		ck_assert_msg(count_cp(cp, n, 0xDF) == 1, "%s: not one ß", s);
		ck_assert_msg(count_cp(cp, n, 0x65E5) == 1 &&
			      count_cp(cp, n, 0x672C) == 1 &&
			      count_cp(cp, n, 0xC4) == 1 &&
			      count_cp(cp, n, 0xD6) == 1 &&
			      count_cp(cp, n, 0xDC) == 1,
			      "%s: a string's character is repeated or lost", s);
		ck_assert_msg(find_run(cp, n, nihon, 2) >= 0,
			      "%s: 日本 is not contiguous", s);
		ck_assert_msg(find_run(cp, n, umlauts, 3) >= 0,
			      "%s: ÄÖÜ is not contiguous", s);
		check_random_part(cp, n, 12, false, s);
	}
	json_decref(doc);
}
END_TEST

/* ASCII pieces (the original's own test): present, contiguous, and each
 * character at least as often as it was injected; ["a","a"] adds two. */
START_TEST(pieces_ascii)
{
	json_t *doc = post_ok("{\"additional_length\":10,\"quantity\":100,"
			      "\"char_inject\":[\"a\",\"b\",\"0\"],"
			      "\"string_inject\":[\"Gab\",\"tao\",\"2018\"]}",
			      100);

	for (size_t i = 0; i < 100; i++) {
		const char *s = item_str(doc, i);
		size_t a = 0, b = 0, zero = 0;

		ck_assert_uint_eq(strlen(s), 23);
		ck_assert_msg(strstr(s, "Gab") && strstr(s, "tao") &&
			      strstr(s, "2018"), "%s: a string is missing", s);
		for (const char *c = s; *c != '\0'; c++) {
			a += *c == 'a';
			b += *c == 'b';
			zero += *c == '0';
		}
		/* a: injected + Gab + tao; b: injected + Gab; 0: + 2018 */
		ck_assert_msg(a >= 3 && b >= 2 && zero >= 2,
			      "%s: a %zu, b %zu, 0 %zu", s, a, b, zero);
	}
	json_decref(doc);

	doc = post_ok("{\"additional_length\":3,\"quantity\":100,"
		      "\"char_inject\":[\"a\",\"a\"]}", 100);
	for (size_t i = 0; i < 100; i++) {
		const char *s = item_str(doc, i);
		size_t a = 0;

		ck_assert_uint_eq(strlen(s), 5);
		for (const char *c = s; *c != '\0'; c++)
			a += *c == 'a';
		ck_assert_msg(a >= 2, "%s: %zu a, want at least 2", s, a);
	}
	json_decref(doc);
}
END_TEST

/* shuffle_string_inject: each string is a contiguous permutation of its
 * characters, drawn anew for every item; without it, verbatim. */
START_TEST(shuffled_strings)
{
	/* 日本語ÄÖ (5 distinct code points) and éèêë (4 others) */
	static const uint32_t s1[] = { 0x65E5, 0x672C, 0x8A9E, 0xC4, 0xD6 };
	static const uint32_t s2[] = { 0xE9, 0xE8, 0xEA, 0xEB };
	static const char body_fmt[] =
		"{\"additional_length\":6,\"quantity\":100,"
		"\"shuffle_string_inject\":%s,\"string_inject\":"
		"[\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xc3\x84\xc3\x96\","
		"\"\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\"]}";
	static uint32_t cp[MAX_CPS];
	char body[256];
	unsigned char seen[5 * 5 * 5 * 5 * 5] = { 0 };
	size_t distinct = 0, verbatim = 0;
	json_t *doc;

	snprintf(body, sizeof(body), body_fmt, "true");
	doc = post_ok(body, 100);
	for (size_t i = 0; i < 100; i++) {
		const char *s = item_str(doc, i);
		size_t n = item_cps(doc, i, cp);
		size_t pos[5], lo = SIZE_MAX, hi = 0, code = 0;

		ck_assert_uint_eq(n, 6 + 5 + 4);
		for (size_t k = 0; k < 5; k++) {
			ck_assert_msg(count_cp(cp, n, s1[k]) == 1,
				      "%s: U+%04X not exactly once", s,
				      (unsigned)s1[k]);
			for (pos[k] = 0; cp[pos[k]] != s1[k]; pos[k]++)
				;
			lo = pos[k] < lo ? pos[k] : lo;
			hi = pos[k] > hi ? pos[k] : hi;
		}
		ck_assert_msg(hi - lo == 4, "%s: 日本語ÄÖ's characters are not "
			      "contiguous", s);
		for (size_t k = 0; k < 5; k++)
			code = code * 5 + (pos[k] - lo);
		distinct += seen[code] == 0;
		seen[code] = 1;
		verbatim += find_run(cp, n, s1, 5) >= 0;
		/* the other string: its own contiguous run */
		lo = SIZE_MAX;
		hi = 0;
		for (size_t k = 0; k < 4; k++) {
			size_t p;

			ck_assert_uint_eq(count_cp(cp, n, s2[k]), 1);
			for (p = 0; cp[p] != s2[k]; p++)
				;
			lo = p < lo ? p : lo;
			hi = p > hi ? p : hi;
		}
		ck_assert_msg(hi - lo == 3, "%s: éèêë not contiguous", s);
		check_random_part(cp, n, 6, false, s);
	}
	/* 120 orders, 100 draws: about 68 distinct; one shared scramble (the
	 * original's bug) would give 1 */
	ck_assert_msg(distinct >= 30, "only %zu distinct orders in 100 items",
		      distinct);
	ck_assert_msg(verbatim < 20, "%zu of 100 items kept the order",
		      verbatim);
	json_decref(doc);

	snprintf(body, sizeof(body), body_fmt, "false");
	doc = post_ok(body, 100);
	for (size_t i = 0; i < 100; i++) {
		size_t n = item_cps(doc, i, cp);

		ck_assert_msg(find_run(cp, n, s1, 5) >= 0 &&
			      find_run(cp, n, s2, 4) >= 0,
			      "%s: a string is not verbatim", item_str(doc, i));
	}
	json_decref(doc);

	/* ASCII: some window is a permutation of "abcdef" */
	doc = post_ok("{\"additional_length\":8,\"quantity\":50,"
		      "\"shuffle_string_inject\":true,"
		      "\"string_inject\":[\"abcdef\"]}", 50);
	for (size_t i = 0; i < 50; i++) {
		const char *s = item_str(doc, i);
		bool found = false;

		ck_assert_uint_eq(strlen(s), 14);
		for (size_t at = 0; at + 6 <= 14 && !found; at++) {
			char w[7];

			memcpy(w, s + at, 6);
			w[6] = '\0';
			found = strspn(w, "abcdef") == 6 && strchr(w, 'a') &&
				strchr(w, 'b') && strchr(w, 'c') &&
				strchr(w, 'd') && strchr(w, 'e') &&
				strchr(w, 'f');
		}
		ck_assert_msg(found, "%s: no run that is a permutation of "
			      "abcdef", s);
	}
	json_decref(doc);
}
END_TEST

/* The random part at every interesting length, with and without
 * punctuation: alphabet, length and the classes of GET /v1/. */
START_TEST(random_part_guarantees)
{
	static const size_t lengths[] = { 1, 2, 3, 4, 5, 8, 20, 100 };
	static uint32_t cp[MAX_CPS];

	for (int punct = 0; punct <= 1; punct++) {
		for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]);
		     k++) {
			char body[256];
			size_t letters = 0, digits = 0, symbols = 0;
			json_t *doc;

			snprintf(body, sizeof(body),
				 "{\"additional_length\":%zu,\"quantity\":100,"
				 "\"punctuation\":%s,\"char_inject\":"
				 "[\"\xc3\xa9\"],\"string_inject\":"
				 "[\"\xe6\x97\xa5\xe6\x9c\xac\"]}",
				 lengths[k], punct ? "true" : "false");
			doc = post_ok(body, 100);
			for (size_t i = 0; i < 100; i++) {
				size_t n = item_cps(doc, i, cp);

				ck_assert_uint_eq(n, lengths[k] + 3);
				check_random_part(cp, n, lengths[k], punct,
						  item_str(doc, i));
				for (size_t j = 0; j < n; j++) {
					letters += in(LOWER_CHARS UPPER_CHARS,
						      cp[j]);
					digits += in(DIGIT_CHARS, cp[j]);
					symbols += in(SYMBOL_CHARS, cp[j]);
				}
			}
			/* short parts draw from the whole alphabet too */
			ck_assert_msg(letters > 0 && digits > 0,
				      "%s: letters %zu digits %zu", body,
				      letters, digits);
			if (punct)
				ck_assert_msg(symbols > 0, "%s: no symbol",
					      body);
			json_decref(doc);
		}
	}
}
END_TEST

/* ============================================================ entropy */

/* GET /password's entropy_bits for the same policy (length >= 4). */
static double password_entropy(size_t length, bool punct)
{
	char target[160];
	struct response r;
	json_t *doc;
	double bits;

	snprintf(target, sizeof(target),
		 "/password?length=%zu&min_lower=1&min_upper=1&min_digits=1%s",
		 length, punct ? "&symbols=true&min_symbols=1" : "");
	ck_assert_int_eq(http_get(fixture.port, target, &r), 0);
	ck_assert_msg(r.status == 200, "%s: %d", target, r.status);
	doc = response_json(&r);
	response_free(&r);
	bits = entropy_of(doc);
	json_decref(doc);
	return bits;
}

/* entropy_bits: the random part only, exactly (inclusion-exclusion, and
 * GET /password for the same policy), whatever is injected. */
START_TEST(entropy)
{
	static const size_t lengths[] = { 1, 2, 3, 4, 10, 12, 20, 100 };
	static const char *const injections[] = {
		"",
		",\"char_inject\":[\"a\",\"\xc3\xa9\"]",
		(",\"string_inject\":[\"Gab\",\"tao\",\"2018\"],"
		 "\"shuffle_string_inject\":true"),
	};

	for (int punct = 0; punct <= 1; punct++) {
		for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]);
		     k++) {
			double want = complex_entropy(lengths[k], punct);

			if (lengths[k] >= 4)
				ck_assert_msg(fabs(password_entropy(lengths[k],
								    punct) -
						   want) < 1e-9,
					      "GET /password disagrees at %zu",
					      lengths[k]);
			for (size_t j = 0; j < 3; j++) {
				char body[256];
				json_t *doc;

				snprintf(body, sizeof(body),
					 "{\"additional_length\":%zu,"
					 "\"punctuation\":%s%s}", lengths[k],
					 punct ? "true" : "false",
					 injections[j]);
				doc = post_ok(body, 1);
				ck_assert_msg(fabs(entropy_of(doc) - want) < 1e-9,
					      "%s: entropy_bits %.4f, want %.2f",
					      body, entropy_of(doc), want);
				json_decref(doc);
			}
		}
	}
}
END_TEST

/* quantity items, all different; quantity 1 by default. */
START_TEST(quantity_honoured)
{
	static const size_t quantities[] = { 1, 2, 7, 99, 100 };

	for (size_t k = 0; k < sizeof(quantities) / sizeof(quantities[0]);
	     k++) {
		char body[128];
		json_t *doc;
		const char *items[100];

		snprintf(body, sizeof(body),
			 "{\"quantity\":%zu,\"additional_length\":20,"
			 "\"string_inject\":[\"same\"]}", quantities[k]);
		doc = post_ok(body, quantities[k]);
		for (size_t i = 0; i < quantities[k]; i++)
			items[i] = item_str(doc, i);
		EXPECT_OK(verify_distinct(items, quantities[k]));
		json_decref(doc);
	}
}
END_TEST

/* The media types a body may be declared as: none, application/json in
 * any case and with parameters, application/<x>+json. */
START_TEST(media_types)
{
	static const char *const headers[] = {
		NULL,
		"Content-Type: application/json; charset=utf-8\r\n",
		"Content-Type: Application/JSON\r\n",
		"Content-Type: application/vnd.api+json\r\n",
		"Content-Type: application/merge-patch+json; charset=UTF-8\r\n",
	};
	static const char body[] = "{\"additional_length\":7}";

	for (size_t k = 0; k < sizeof(headers) / sizeof(headers[0]); k++) {
		struct response r;

		ck_assert_int_eq(send_on(fixture.port, "POST", ROUTE,
					 headers[k], body, sizeof(body) - 1,
					 &r), 0);
		ck_assert_msg(r.status == 200, "%s: %d",
			      headers[k] ? headers[k] : "(none)", r.status);
		EXPECT_OK(verify_headers(&r, "application/json", 0));
		response_free(&r);
	}
}
END_TEST

/* The access log has the request, never the body or an item. */
START_TEST(log_holds_no_secret)
{
	static const char marker[] = "QzX7-injected-secret";
	char body[160];
	json_t *doc;
	char *log;

	snprintf(body, sizeof(body),
		 "{\"additional_length\":16,\"quantity\":5,"
		 "\"string_inject\":[\"%s\"],\"char_inject\":[\"\xd0\x96\"]}",
		 marker);
	doc = post_ok(body, 5);
	sleep_ms(100);  /* the access line is written after the reply */
	log = server_log(&fixture);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "POST /v1/complex_password") != NULL,
		      "no access line for the POST: %.500s", log);
	ck_assert_msg(strstr(log, marker) == NULL, "the log holds the body");
	ck_assert_msg(strstr(log, "\xd0\x96") == NULL &&
		      strstr(log, "\\xD0\\x96") == NULL,
		      "the log holds an injected character");
	for (size_t i = 0; i < 5; i++)
		ck_assert_msg(strstr(log, item_str(doc, i)) == NULL,
			      "the log holds an item");
	free(log);
	json_decref(doc);
}
END_TEST

/* ========================================================== refusals */

enum {
	F_CLOSE = 1u << 0,             /* Connection: close, then closed */
	F_ACCEPT_POST = 1u << 1,       /* Accept-Post: application/json */
	F_ALLOW_POST = 1u << 2,        /* Allow: POST */
	F_ALLOW_GET = 1u << 3,         /* Allow: GET, HEAD */
	F_NO_TYPE = 1u << 4,           /* send no Content-Type */
};

struct body_row {
	const char *id;                /* as in tests/BAD_INPUTS.md */
	const char *method;            /* NULL: POST */
	const char *target;            /* NULL: ROUTE */
	const char *headers;           /* NULL: Content-Type: application/json */
	const char *body;
	size_t len;
	void (*build)(FILE *out);      /* a large body, instead of `body` */
	int status;
	const char *type;              /* after URN */
	const char *parameter;         /* NULL: none may be named */
	unsigned flags;
};

#define BODY(s) .body = (s), .len = sizeof(s) - 1
#define BAD(st, ty, pa) .status = (st), .type = (ty), .parameter = (pa)

static void items_of(FILE *out, const char *field, const char *item,
		     int n)
{
	fprintf(out, "{\"additional_length\":5,\"%s\":[", field);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", item);
	fputs("]}", out);
}

static void chars_65(FILE *out)
{
	items_of(out, "char_inject", "a", 65);
}

static void strings_65(FILE *out)
{
	items_of(out, "string_inject", "ab", 65);
}

static void string_of_65(FILE *out)
{
	fputs("{\"additional_length\":5,\"string_inject\":[\"", out);
	for (int i = 0; i < 65; i++)
		fputs("\xc3\xa9", out);  /* é: 65 characters, 130 bytes */
	fputs("\"]}", out);
}

/* A valid object padded with spaces to one byte over the limit. */
static void body_over_limit(FILE *out)
{
	static const char obj[] = "{\"additional_length\":5}";

	fputs(obj, out);
	for (size_t i = sizeof(obj) - 1; i < MAX_BODY + 1; i++)
		fputc(' ', out);
}

static const struct body_row rows[] = {
	/* not one JSON object */
	{ "B01", BODY(""), BAD(400, "malformed-body", NULL) },
	{ "B02", BODY("{"), BAD(400, "malformed-body", NULL) },
	{ "B03", BODY("[]"), BAD(400, "malformed-body", NULL) },
	{ "B04", BODY("\"additional_length\""),
	  BAD(400, "malformed-body", NULL) },
	{ "B05", BODY("null"), BAD(400, "malformed-body", NULL) },
	{ "B06", BODY("{\"additional_length\":5} x"),
	  BAD(400, "malformed-body", NULL) },
	{ "B07", BODY("{\"additional_length\":5}{}"),
	  BAD(400, "malformed-body", NULL) },
	{ "B08", BODY("{\"additional_length\":5,}"),
	  BAD(400, "malformed-body", NULL) },
	{ "B09", BODY("{\"additional_length\":5,\"string_inject\":"
		      "[\"\xff\xfe\"]}"),
	  BAD(400, "malformed-body", NULL) },
	/* names */
	{ "B10", BODY("{\"additional_length\":5,\"lenght\":5}"),
	  BAD(400, "unknown-parameter", "lenght") },
	{ "B11", .target = ROUTE "?quantity=2",
	  BODY("{\"additional_length\":5}"),
	  BAD(400, "unknown-parameter", "quantity") },
	{ "B12", BODY("{\"additional_length\":5,\"additional_length\":6}"),
	  BAD(400, "duplicate-parameter", "additional_length") },
	/* types */
	{ "B13", BODY("{}"), BAD(400, "invalid-value", "additional_length") },
	{ "B14", BODY("{\"additional_length\":\"10\"}"),
	  BAD(400, "invalid-value", "additional_length") },
	{ "B15", BODY("{\"additional_length\":10.5}"),
	  BAD(400, "invalid-value", "additional_length") },
	{ "B16", BODY("{\"additional_length\":true}"),
	  BAD(400, "invalid-value", "additional_length") },
	{ "B17", BODY("{\"additional_length\":5,\"punctuation\":1}"),
	  BAD(400, "invalid-value", "punctuation") },
	{ "B18", BODY("{\"additional_length\":5,\"char_inject\":\"a\"}"),
	  BAD(400, "invalid-value", "char_inject") },
	{ "B19", BODY("{\"additional_length\":5,\"string_inject\":"
		      "[\"ab\",5]}"),
	  BAD(400, "invalid-value", "string_inject[1]") },
	/* ranges */
	{ "B20", BODY("{\"additional_length\":0}"),
	  BAD(400, "out-of-range", "additional_length") },
	{ "B21", BODY("{\"additional_length\":101}"),
	  BAD(400, "out-of-range", "additional_length") },
	{ "B22", BODY("{\"additional_length\":-1}"),
	  BAD(400, "out-of-range", "additional_length") },
	/* jansson stops at the number before any field is known */
	{ "B23", BODY("{\"additional_length\":99999999999999999999999}"),
	  BAD(400, "out-of-range", NULL) },
	{ "B24", BODY("{\"additional_length\":5,\"quantity\":101}"),
	  BAD(400, "out-of-range", "quantity") },
	/* list items */
	{ "B25", BODY("{\"additional_length\":5,\"char_inject\":"
		      "[\"a\",\"bc\"]}"),
	  BAD(400, "invalid-value", "char_inject[1]") },
	{ "B26", BODY("{\"additional_length\":5,\"char_inject\":[\"\"]}"),
	  BAD(400, "invalid-value", "char_inject[0]") },
	{ "B27", BODY("{\"additional_length\":5,\"char_inject\":[\"\\n\"]}"),
	  BAD(400, "invalid-value", "char_inject[0]") },
	{ "B28", BODY("{\"additional_length\":5,\"char_inject\":"
		      "[\"\\u0000\"]}"),
	  BAD(400, "invalid-value", "char_inject[0]") },
	{ "B29", BODY("{\"additional_length\":5,\"char_inject\":"
		      "[\"\xc2\x85\"]}"),
	  BAD(400, "invalid-value", "char_inject[0]") },
	{ "B30", BODY("{\"additional_length\":5,\"char_inject\":"
		      "[\"e\xcc\x81\"]}"),
	  BAD(400, "invalid-value", "char_inject[0]") },
	{ "B31", BODY("{\"additional_length\":5,\"string_inject\":[\"a\"]}"),
	  BAD(400, "invalid-value", "string_inject[0]") },
	{ "B32", BODY("{\"additional_length\":5,\"string_inject\":"
		      "[\"ab\",\"a\\u001bb\"]}"),
	  BAD(400, "invalid-value", "string_inject[1]") },
	/* sizes */
	{ "B33", .build = chars_65,
	  BAD(413, "content-too-large", "char_inject") },
	{ "B34", .build = strings_65,
	  BAD(413, "content-too-large", "string_inject") },
	{ "B35", .build = string_of_65,
	  BAD(413, "content-too-large", "string_inject[0]") },
	{ "B36", .build = body_over_limit,
	  BAD(413, "content-too-large", NULL), .flags = F_CLOSE },
	/* media types */
	{ "B37", .headers = "Content-Type: text/plain\r\n",
	  BODY("{\"additional_length\":5}"),
	  BAD(415, "unsupported-media-type", NULL), .flags = F_ACCEPT_POST },
	{ "B38", .headers = "Content-Type: application/x-www-form-urlencoded"
			    "\r\n",
	  BODY("additional_length=5"),
	  BAD(415, "unsupported-media-type", NULL), .flags = F_ACCEPT_POST },
	/* methods */
	{ "B39", .method = "GET", BODY(""),
	  BAD(405, "method-not-allowed", NULL), .flags = F_ALLOW_POST },
	{ "B40", .method = "HEAD", BODY(""),
	  BAD(405, "method-not-allowed", NULL), .flags = F_ALLOW_POST },
	{ "B41", .method = "PUT", BODY("{\"additional_length\":5}"),
	  BAD(405, "method-not-allowed", NULL), .flags = F_ALLOW_POST },
	{ "B42", .target = "/v1/", BODY("{\"additional_length\":5}"),
	  BAD(405, "method-not-allowed", NULL), .flags = F_ALLOW_GET },
};

#define N_ROWS (int)(sizeof(rows) / sizeof(rows[0]))

/* The server is still there and serves a valid POST on a fresh
 * connection. */
static void expect_still_serving(const char *after)
{
	struct response r;

	ck_assert_msg(kill(fixture.pid, 0) == 0, "server gone after %s", after);
	static const char ok[] = "{\"additional_length\":8}";

	ck_assert_msg(send_on(fixture.port, "POST", ROUTE, JSON_TYPE, ok,
			      sizeof(ok) - 1, &r) == 0,
		      "no reply to a valid POST after %s", after);
	ck_assert_msg(r.status == 200, "a valid POST got %d after %s",
		      r.status, after);
	response_free(&r);
}

/* The connection is closed (EOF or reset) within CLOSE_WITHIN_MS, and
 * nothing more arrives before. */
static bool closes(struct conn *c)
{
	char buf[256];
	ssize_t n;

	if (c->len > 0)
		return false;
	conn_set_timeout(c, CLOSE_WITHIN_MS);
	do
		n = recv(c->fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void check_headers_of(const struct body_row *t,
			     const struct response *r)
{
	const char *allow = response_header(r, "Allow");
	const char *accept = response_header(r, "Accept-Post");
	const char *conn = response_header(r, "Connection");

	if (t->flags & (F_ALLOW_POST | F_ALLOW_GET))
		ck_assert_msg(allow != NULL &&
			      strcmp(allow, (t->flags & F_ALLOW_POST)
						    ? "POST" : "GET, HEAD") == 0,
			      "%s: Allow is %s", t->id, allow ? allow : "absent");
	if (t->flags & F_ACCEPT_POST)
		ck_assert_msg(accept != NULL &&
			      strcmp(accept, "application/json") == 0,
			      "%s: Accept-Post is %s", t->id,
			      accept ? accept : "absent");
	if (t->flags & F_CLOSE)
		ck_assert_msg(conn != NULL && strcasecmp(conn, "close") == 0,
			      "%s: Connection is %s", t->id,
			      conn ? conn : "absent");
}

/* One row B on a fresh connection, then a fresh one must be served. */
START_TEST(row)
{
	const struct body_row *t = &rows[_i];
	const char *method = t->method != NULL ? t->method : "POST";
	bool head = strcmp(method, "HEAD") == 0;
	char *built = NULL, urn[96];
	size_t len = t->len;
	const char *body = t->body;
	struct response r;
	struct conn c;
	char extra[256];
	int rc;

	if (t->build != NULL) {
		FILE *out = open_memstream(&built, &len);

		ck_assert_ptr_nonnull(out);
		t->build(out);
		fclose(out);
		body = built;
	}
	snprintf(extra, sizeof(extra), "%sContent-Length: %zu\r\n",
		 t->headers != NULL ? t->headers
				    : (t->flags & F_NO_TYPE) ? "" : JSON_TYPE,
		 len);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	rc = conn_request(&c, method, t->target != NULL ? t->target : ROUTE,
			  extra);
	if (rc == 0 && len > 0)
		rc = conn_send(&c, body, len);
	ck_assert_msg(rc == 0 || (t->flags & F_CLOSE), "%s: send: %s", t->id,
		      strerror(errno));
	ck_assert_msg(conn_read(&c, &r, head) == 0, "%s: no reply", t->id);
	snprintf(urn, sizeof(urn), URN "%s", t->type);
	if (head) {
		ck_assert_msg(r.status == t->status, "%s: status %d", t->id,
			      r.status);
		EXPECT_OK(verify_headers(&r, "application/problem+json", 1));
	} else {
		const char *why = verify_problem(&r, t->status, urn,
						 t->parameter);

		ck_assert_msg(why == NULL, "%s: %s", t->id, why);
	}
	check_headers_of(t, &r);
	response_free(&r);
	if (t->flags & F_CLOSE)
		ck_assert_msg(closes(&c), "%s: the connection stays open",
			      t->id);
	conn_close(&c);
	free(built);
	expect_still_serving(t->id);
}
END_TEST

/* ====================================================== body framing */

static const char big_head[] =
	"POST " ROUTE " HTTP/1.1\r\nHost: a\r\n" JSON_TYPE
	"Content-Length: 1000000000\r\n";

static void expect_close_header(const struct response *r)
{
	const char *conn = response_header(r, "Connection");

	ck_assert_msg(conn != NULL && strcasecmp(conn, "close") == 0,
		      "Connection is %s, want close", conn ? conn : "absent");
}

/* B43: a declared length over the limit, with Expect: 100-continue: the
 * 413 comes at once, never a 100 Continue, and the connection closes. */
START_TEST(declared_too_large_expect)
{
	char req[256];
	struct conn c;
	struct response r;

	snprintf(req, sizeof(req), "%sExpect: 100-continue\r\n\r\n", big_head);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	conn_set_timeout(&c, CLOSE_WITHIN_MS);
	ck_assert_int_eq(conn_send(&c, req, strlen(req)), 0);
	ck_assert_msg(conn_read(&c, &r, false) == 0,
		      "no reply to a 1 GB Content-Length");
	ck_assert_msg(r.status != 100, "100 Continue for a body over the "
		      "limit");
	EXPECT_OK(verify_problem(&r, 413, URN "content-too-large", NULL));
	expect_close_header(&r);
	response_free(&r);
	ck_assert_msg(closes(&c), "the connection stays open after the 413");
	conn_close(&c);
	expect_still_serving("B43");
}
END_TEST

/* B44: the same without Expect, the body under way: answered without
 * waiting for the 10^9 bytes; and the largest declared length there is. */
START_TEST(declared_too_large_sending)
{
	static const char *const lengths[] = { "1000000000", "16385",
					       "18446744073709551615" };
	char chunk[4096];

	memset(chunk, ' ', sizeof(chunk));
	for (size_t k = 0; k < 3; k++) {
		char req[256];
		struct conn c;
		struct response r;
		long sent;

		snprintf(req, sizeof(req),
			 "POST " ROUTE " HTTP/1.1\r\nHost: a\r\n" JSON_TYPE
			 "Content-Length: %s\r\n\r\n{\"additional_length\":5",
			 lengths[k]);
		ck_assert_int_eq(conn_open(&c, fixture.port), 0);
		conn_set_timeout(&c, CLOSE_WITHIN_MS);
		ck_assert_int_eq(conn_send(&c, req, strlen(req)), 0);
		(void)conn_send(&c, chunk, sizeof(chunk));  /* may be reset */
		sent = now_ms();
		ck_assert_msg(conn_read(&c, &r, false) == 0,
			      "Content-Length %s: no reply", lengths[k]);
		ck_assert_msg(now_ms() - sent < CLOSE_WITHIN_MS,
			      "Content-Length %s: the reply waited",
			      lengths[k]);
		EXPECT_OK(verify_problem(&r, 413, URN "content-too-large",
					 NULL));
		response_free(&r);
		ck_assert_msg(closes(&c), "Content-Length %s: still open",
			      lengths[k]);
		conn_close(&c);
		expect_still_serving("B44");
	}
}
END_TEST

/* The limit itself is fine, and Expect: 100-continue then gets its 100
 * (the control for B43: the 100 is withheld only over the limit). */
START_TEST(declared_at_limit)
{
	static const char obj[] = "{\"additional_length\":9}";
	char head[256], *body = malloc(MAX_BODY);
	struct conn c;
	struct response r;

	ck_assert_ptr_nonnull(body);
	memset(body, ' ', MAX_BODY);
	memcpy(body, obj, sizeof(obj) - 1);
	snprintf(head, sizeof(head),
		 "POST " ROUTE " HTTP/1.1\r\nHost: a\r\n" JSON_TYPE
		 "Content-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		 MAX_BODY);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, head, strlen(head)), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_msg(r.status == 100, "status %d before the body, want 100",
		      r.status);
	response_free(&r);
	ck_assert_int_eq(conn_send(&c, body, MAX_BODY), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_msg(r.status == 200, "a body of exactly the limit: %d %s",
		      r.status, r.body);
	EXPECT_OK(verify_headers(&r, "application/json", 0));
	response_free(&r);
	conn_close(&c);
	free(body);
}
END_TEST

static void send_chunk(struct conn *c, const char *data, size_t n)
{
	char size[32];

	snprintf(size, sizeof(size), "%zx\r\n", n);
	(void)conn_send(c, size, strlen(size));
	(void)conn_send(c, data, n);
	(void)conn_send(c, "\r\n", 2);
}

static const char chunked_head[] =
	"POST " ROUTE " HTTP/1.1\r\nHost: a\r\n" JSON_TYPE
	"Transfer-Encoding: chunked\r\n\r\n";

/* B45: a chunked body that grows past the limit is dropped to its end
 * (libmicrohttpd 0.9.75 cannot reply mid-body), then refused with a 413
 * and a close. */
START_TEST(chunked_too_large)
{
	static const char obj[] = "{\"additional_length\":5";
	char pad[4096];
	struct conn c;
	struct response r;

	memset(pad, ' ', sizeof(pad));
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	conn_set_timeout(&c, CLOSE_WITHIN_MS);
	ck_assert_int_eq(conn_send(&c, chunked_head, sizeof(chunked_head) - 1),
			 0);
	send_chunk(&c, obj, sizeof(obj) - 1);
	for (int i = 0; i < 5; i++)  /* 20 KiB: past 16 KiB */
		send_chunk(&c, pad, sizeof(pad));
	send_chunk(&c, "}", 1);
	ck_assert_int_eq(conn_send(&c, "0\r\n\r\n", 5), 0);
	ck_assert_msg(conn_read(&c, &r, false) == 0,
		      "no reply to a chunked body past the limit");
	EXPECT_OK(verify_problem(&r, 413, URN "content-too-large", NULL));
	expect_close_header(&r);
	response_free(&r);
	ck_assert_msg(closes(&c), "the connection stays open after the 413");
	conn_close(&c);
	expect_still_serving("B45");
}
END_TEST

/* B46: a chunked body that goes on for a mebibyte past the limit is not a
 * body but a stream: the connection is closed without a reply, and the
 * client cannot hold it by sending more. */
START_TEST(chunked_endless)
{
	char pad[16384];
	struct conn c;
	bool closed = false;

	memset(pad, ' ', sizeof(pad));
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	conn_set_timeout(&c, CLOSE_WITHIN_MS);
	ck_assert_int_eq(conn_send(&c, chunked_head, sizeof(chunked_head) - 1),
			 0);
	/* 16 MiB at most: the server must have closed long before */
	for (int i = 0; i < 1024 && !closed; i++) {
		char size[16];

		snprintf(size, sizeof(size), "%zx\r\n", sizeof(pad));
		closed = conn_send(&c, size, strlen(size)) < 0 ||
			 conn_send(&c, pad, sizeof(pad)) < 0 ||
			 conn_send(&c, "\r\n", 2) < 0;
	}
	ck_assert_msg(closed || closes(&c), "an endless chunked body is "
		      "still being read");
	conn_close(&c);
	expect_still_serving("B46");
}
END_TEST

/* The control: a chunked body within the limit is read whole and served. */
START_TEST(chunked_within_limit)
{
	static const char a[] = "{\"additional_length\":6,";
	static const char b[] = "\"char_inject\":[\"\xc3\xa9\"]}";
	char pad[4096];
	static uint32_t cp[MAX_CPS];
	struct conn c;
	struct response r;
	json_t *doc;

	memset(pad, ' ', sizeof(pad));
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, chunked_head, sizeof(chunked_head) - 1),
			 0);
	send_chunk(&c, a, sizeof(a) - 1);
	send_chunk(&c, pad, sizeof(pad));
	send_chunk(&c, b, sizeof(b) - 1);
	ck_assert_int_eq(conn_send(&c, "0\r\n\r\n", 5), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_msg(r.status == 200, "chunked body: %d %s", r.status,
		      r.body);
	doc = response_json(&r);
	response_free(&r);
	ck_assert_uint_eq(item_cps(doc, 0, cp), 7);
	ck_assert_uint_eq(count_cp(cp, 7, 0xE9), 1);
	json_decref(doc);
	conn_close(&c);
}
END_TEST

/* --max-body-bytes: 1024 bytes pass, 1025 do not (Content-Length, and a
 * whole chunked body). */
START_TEST(limit_flag)
{
	static const char obj[] = "{\"additional_length\":5}";
	char body[SMALL_LIMIT + 1], pad[600];
	struct response r;
	struct conn c;

	memset(body, ' ', sizeof(body));
	memcpy(body, obj, sizeof(obj) - 1);
	ck_assert_int_eq(send_on(fixture.port, "POST", ROUTE, JSON_TYPE, body,
				 SMALL_LIMIT, &r), 0);
	ck_assert_msg(r.status == 200, "1024 bytes: %d", r.status);
	response_free(&r);
	ck_assert_int_eq(send_on(fixture.port, "POST", ROUTE, JSON_TYPE, body,
				 SMALL_LIMIT + 1, &r), 0);
	EXPECT_OK(verify_problem(&r, 413, URN "content-too-large", NULL));
	response_free(&r);

	memset(pad, ' ', sizeof(pad));
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	conn_set_timeout(&c, CLOSE_WITHIN_MS);
	ck_assert_int_eq(conn_send(&c, chunked_head, sizeof(chunked_head) - 1),
			 0);
	send_chunk(&c, "{\"additional_length\":5", 22);
	send_chunk(&c, pad, sizeof(pad));
	send_chunk(&c, pad, sizeof(pad));
	/* whole: chunked_endless covers one that never ends */
	send_chunk(&c, "}", 1);
	(void)conn_send(&c, "0\r\n\r\n", 5);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	EXPECT_OK(verify_problem(&r, 413, URN "content-too-large", NULL));
	response_free(&r);
	conn_close(&c);
	expect_still_serving("the --max-body-bytes cases");
}
END_TEST

/* ========================================================= positions */

/*
 * The live server's stream is keyed by the kernel, so a correct server
 * fails a p = 0.001 test one run in a thousand, and these run in every
 * integration pass. A statistic over the critical value is therefore
 * checked on a second, independent sample: a false alarm then needs both,
 * one run in a million, while a real bias fails both.
 */

/* A sample's chi-square statistic, and a second sample's when the first is
 * at or over `critical` (see above). */
static double chi2_checked_twice(double (*sample)(unsigned long *counts),
				 unsigned long *counts, double critical)
{
	double x = sample(counts);

	return x < critical ? x : sample(counts);
}

/* With 4 random characters and char_inject ["é"], é is at each of the 5
 * places equally often: 2000 items, df 4. */
static double char_position_chi2(unsigned long *counts)
{
	static uint32_t cp[MAX_CPS];

	memset(counts, 0, 5 * sizeof(counts[0]));
	for (int req = 0; req < 20; req++) {
		json_t *doc = post_ok("{\"additional_length\":4,\"quantity\":"
				      "100,\"char_inject\":[\"\xc3\xa9\"]}",
				      100);

		for (size_t i = 0; i < 100; i++) {
			size_t n = item_cps(doc, i, cp), at;

			ck_assert_uint_eq(n, 5);
			ck_assert_uint_eq(count_cp(cp, n, 0xE9), 1);
			for (at = 0; cp[at] != 0xE9; at++)
				;
			counts[at]++;
		}
		json_decref(doc);
	}
	return chi_square(counts, 5, 2000.0 / 5);
}

START_TEST(char_position_uniform)
{
	unsigned long counts[5];
	double x = chi2_checked_twice(char_position_chi2, counts, CRIT_DF4);

	ck_assert_msg(x < CRIT_DF4,
		      "é by place: %lu %lu %lu %lu %lu (chi2 %.2f >= %.3f, "
		      "twice)", counts[0], counts[1], counts[2], counts[3],
		      counts[4], x, CRIT_DF4);
}
END_TEST

/* Two random characters, char_inject ["é"] and string_inject ["日本"]:
 * 4 units, 12 orders of (é, 日本) among them, each equally likely (the
 * string is one unit, not two characters): 2400 items, df 11. */
static double unit_order_chi2(unsigned long *counts)
{
	static uint32_t cp[MAX_CPS];

	memset(counts, 0, 12 * sizeof(counts[0]));
	for (int req = 0; req < 24; req++) {
		json_t *doc = post_ok("{\"additional_length\":2,\"quantity\":"
				      "100,\"char_inject\":[\"\xc3\xa9\"],"
				      "\"string_inject\":[\"\xe6\x97\xa5\xe6"
				      "\x9c\xac\"]}", 100);

		for (size_t i = 0; i < 100; i++) {
			size_t n = item_cps(doc, i, cp), unit = 0;
			int at_char = -1, at_string = -1;

			ck_assert_uint_eq(n, 5);
			for (size_t j = 0; j < n; j++, unit++) {
				if (cp[j] == 0xE9) {
					at_char = (int)unit;
				} else if (cp[j] == 0x65E5) {
					ck_assert(j + 1 < n &&
						  cp[j + 1] == 0x672C);
					at_string = (int)unit;
					j++;  /* 日本 is one unit */
				} else {
					ck_assert_uint_lt(cp[j], 0x80);
				}
			}
			ck_assert(unit == 4 && at_char >= 0 && at_string >= 0);
			/* (é, string) as one of the 12 ordered pairs */
			counts[at_char * 3 + (at_string - (at_string > at_char))]++;
		}
		json_decref(doc);
	}
	return chi_square(counts, 12, 2400.0 / 12);
}

START_TEST(unit_order_uniform)
{
	unsigned long counts[12];
	double x = chi2_checked_twice(unit_order_chi2, counts, CRIT_DF11);

	ck_assert_msg(x < CRIT_DF11,
		      "unit orders: chi2 %.2f >= %.3f, twice (first cells %lu "
		      "%lu %lu)", x, CRIT_DF11, counts[0], counts[1],
		      counts[2]);
}
END_TEST

/* ================================================================ suite */

Suite *complex_suite(void)
{
	Suite *s = suite_create("complex");
	TCase *tc = server_case("complex", setup_default, TIMEOUT_HEAVY);
	TCase *limit = server_case("body_limit_flag", setup_small_limit,
				   TIMEOUT_LIGHT);

	tcase_add_test(tc, reply_shape);
	tcase_add_test(tc, lengths_in_code_points);
	tcase_add_test(tc, maxima);
	tcase_add_test(tc, pieces_exact);
	tcase_add_test(tc, pieces_ascii);
	tcase_add_test(tc, shuffled_strings);
	tcase_add_test(tc, random_part_guarantees);
	tcase_add_test(tc, entropy);
	tcase_add_test(tc, quantity_honoured);
	tcase_add_test(tc, media_types);
	tcase_add_test(tc, log_holds_no_secret);
	tcase_add_loop_test(tc, row, 0, N_ROWS);
	tcase_add_test(tc, declared_too_large_expect);
	tcase_add_test(tc, declared_too_large_sending);
	tcase_add_test(tc, declared_at_limit);
	tcase_add_test(tc, chunked_too_large);
	tcase_add_test(tc, chunked_endless);
	tcase_add_test(tc, chunked_within_limit);
	tcase_add_test(tc, char_position_uniform);
	tcase_add_test(tc, unit_order_uniform);
	suite_add_tcase(s, tc);
	tcase_add_test(limit, limit_flag);
	suite_add_tcase(s, limit);
	return s;
}
