/*
 * check_wordlist.c - word lists loaded from files (wordlist.h) and
 * passphrases over them: the loading rules, exact counts of every option
 * against brute-force enumeration of tiny lists, the refusals that keep
 * entropy exact, and the uniformity of separators (chi-square at
 * p = 0.001 on a seeded stream, so a build passes or fails every time).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chi_square.h"
#include "passphrase.h"
#include "request.h"
#include "rng.h"
#include "suites.h"
#include "wordlist.h"

/* chi2.ppf(0.999, df) */
#define CRIT_DF19 43.820
#define CRIT_DF24 51.179

static const unsigned char seed[RNG_KEY_SIZE] = { 's', 'e', 'p', 's' };

static struct wordlist *build(const char *text, char *err)
{
	return wordlist_build("t", text, strlen(text), err, 256);
}

/* ------------------------------------------------------------- loading */

START_TEST(test_build_trims_and_dedupes)
{
	char err[256] = "";
	/* BOM, CRLF, blanks, trailing spaces and tabs, case twins */
	struct wordlist *w = build("\xef\xbb\xbf" "apple\r\n\n  pear \t\r\n"
				   "Apple\nAPPLE\n\r\nPEAR\nplum", err);

	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_uint_eq(w->count, 3);     /* apple, pear, plum */
	ck_assert_str_eq(w->words, "apple");  /* the first one is kept */
	ck_assert_str_eq(w->words + w->stride, "pear");
	ck_assert_str_eq(w->words + 2 * w->stride, "plum");
	ck_assert_uint_eq(w->hist[4], 2);
	ck_assert_uint_eq(w->hist[5], 1);
	ck_assert_str_eq(w->ascii, "aelmpru");
	ck_assert(!w->digit_end);
	wordlist_free(w);
}
END_TEST

START_TEST(test_build_utf8)
{
	char err[256] = "";
	/* é (2 bytes), € (3), 𝄞 (4); "Été" and "été" differ beyond ASCII
	 * case, so both stay */
	struct wordlist *w = build("caf\xc3\xa9\n\xe2\x82\xac\n\xf0\x9d\x84\x9e"
				   "x9\n\xc3\x89t\xc3\xa9\n\xc3\xa9t\xc3\xa9\n",
				   err);

	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_uint_eq(w->count, 5);
	ck_assert_uint_eq(w->bytes[0], 5);
	ck_assert_uint_eq(w->chars[0], 4);
	ck_assert_uint_eq(w->chars[1], 1);
	ck_assert_uint_eq(w->chars[2], 3);   /* clef, x, 9 */
	ck_assert_uint_eq(w->max_char_bytes, 4);
	ck_assert_uint_eq(w->max_chars, 4);
	ck_assert_uint_eq(w->max_bytes, 6);
	ck_assert(w->digit_end);
	wordlist_free(w);
}
END_TEST

START_TEST(test_build_refusals)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "ok\n\xc0\xafx\n", "line 2: invalid UTF-8" },   /* overlong */
		{ "ok\nok2\n\xed\xa0\x80\n", "line 3: invalid UTF-8" },
		{ "\xf4\x90\x80\x80", "line 1: invalid UTF-8" },  /* > 10FFFF */
		{ "ab\xe2\x82", "line 1: invalid UTF-8" },        /* cut */
		{ "a\tb", "line 1: a control character" },
		{ "a\x7f", "line 1: a control character" },
		{ "\n\na\xc2\x85", "line 3: a control character" }, /* C1 */
		{ "two words", "line 1: a space inside a word" },
		/* no-break space, zero-width space, right-to-left override */
		{ "a\xc2\xa0" "b", "line 1: an invisible character" },
		{ "ok\na\xe2\x80\x8b" "b", "line 2: an invisible character" },
		{ "a\xe2\x80\xae", "line 1: an invisible character" },
		{ "0123456789012345678901234567890123",
		  "line 1: a word of more than 32 bytes" },
		{ "\n \r\n", "no words" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		struct wordlist *w = build(bad[i].text, err);

		ck_assert_msg(w == NULL, "case %zu loaded", i);
		ck_assert_msg(strncmp(err, bad[i].why, strlen(bad[i].why)) == 0,
			      "case %zu: %s", i, err);
	}
}
END_TEST

/* n distinct words "w<i>" (i in base 26 letters) into a temporary file. */
static void write_list(const char *path, size_t n, const char *extra)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "w%c%c%c\n", 'a' + (int)(i / 676),
			'a' + (int)(i / 26 % 26), 'a' + (int)(i % 26));
	fputs(extra, f);
	fclose(f);
}

START_TEST(test_load_specs)
{
	char path[] = "/tmp/pwgend-wl-XXXXXX", spec[128], err[512];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	/* 1023 distinct (the case twin does not count): too few */
	write_list(path, 1023, "WAAA\n");
	snprintf(spec, sizeof(spec), "small=%s", path);
	ck_assert_int_eq(wordlist_load_specs(spec, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "1023 distinct words") != NULL, "%s", err);
	ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	ck_assert_ptr_null(wordlist_find("small", 5));
	write_list(path, 1024, "");
	snprintf(spec, sizeof(spec), "eff=%s", path);
	ck_assert_int_eq(wordlist_load_specs(spec, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "built-in") != NULL, "%s", err);
	snprintf(spec, sizeof(spec), "Big=%s", path);
	ck_assert_int_eq(wordlist_load_specs(spec, err, sizeof(err)), -1);
	ck_assert_int_eq(wordlist_load_specs("x=/nonexistent/list", err,
					     sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/list") != NULL, "%s", err);
	snprintf(spec, sizeof(spec), "unit-big=%s\nunit-big=%s", path, path);
	ck_assert_int_eq(wordlist_load_specs(spec, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "twice") != NULL, "%s", err);
	ck_assert_ptr_nonnull(wordlist_find("unit-big", 8));
	ck_assert_uint_eq(wordlist_find("unit-big", 8)->count, 1024);
	ck_assert_ptr_eq(wordlist_find("eff", 3), wordlist_eff());
	unlink(path);
}
END_TEST

START_TEST(test_eff_ascii)
{
	const struct wordlist *e = wordlist_eff();
	bool in[128] = { false };
	char seen[128];
	size_t k = 0;

	for (size_t i = 0; i < e->count; i++)
		for (const char *p = e->words + i * e->stride; *p; p++)
			in[(unsigned char)*p] = true;
	for (int c = 1; c < 128; c++)
		if (in[c])
			seen[k++] = (char)c;
	seen[k] = '\0';
	ck_assert_str_eq(e->ascii, seen);
	ck_assert_uint_eq(e->count, 7776);
}
END_TEST

/* ------------------------------------------ exact counts, brute force */

enum { REC = 64, MAXREC = 20000 };

static size_t utf8_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* Choice number c (mixed radix: words, then gaps, then digit word and
 * digit) spelled as this test reads the format; its length. */
static size_t spell(const struct passphrase_opts *o, const struct wordlist *l,
		    size_t c, char *out)
{
	size_t k = o->separators_len, n = 0, idx[3], gap[3] = { 0 }, dw = 0,
	       d = 0;

	for (size_t w = 0; w < o->words; w++, c /= l->count)
		idx[w] = c % l->count;
	for (size_t w = 1; w < o->words && k > 0; w++, c /= k)
		gap[w] = c % k;
	if (o->number) {
		dw = c % o->words;
		d = c / o->words;
	}
	for (size_t w = 0; w < o->words; w++) {
		const char *s = l->words + idx[w] * l->stride;

		if (w > 0 && k > 0)
			out[n++] = o->separators[gap[w]];
		else if (w > 0)
			for (size_t i = 0; i < o->separator_len; i++)
				out[n++] = o->separator[i];
		for (size_t i = 0; i < l->bytes[idx[w]]; i++) {
			char ch = s[i];

			if (o->capitalize == PASSPHRASE_CASE_ALL ||
			    (o->capitalize == PASSPHRASE_CASE_FIRST && i == 0))
				ch = ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
			out[n++] = ch;
		}
		if (o->number && w == dw)
			out[n++] = (char)('0' + d);
	}
	return n;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every choice that fits, spelled, sorted, into recs; their count. */
static size_t enumerate(const struct passphrase_opts *o,
			const struct wordlist *l, char (*recs)[REC])
{
	size_t total = 1, fit = 0;

	for (size_t w = 0; w < o->words; w++)
		total *= l->count;
	for (size_t w = 1; w < o->words && o->separators_len > 0; w++)
		total *= o->separators_len;
	total *= o->number ? 10 * o->words : 1;
	for (size_t c = 0; c < total; c++) {
		size_t n = spell(o, l, c, recs[fit]);

		ck_assert_uint_lt(n, REC);
		recs[fit][n] = '\0';
		if (o->max_length == 0 || utf8_chars(recs[fit], n) <=
						  o->max_length)
			fit++;
		ck_assert_uint_lt(fit, MAXREC);
	}
	qsort(recs, fit, REC, by_string);
	return fit;
}

static size_t distinct(char (*recs)[REC], size_t n)
{
	size_t d = n > 0;

	for (size_t i = 1; i < n; i++)
		d += strcmp(recs[i - 1], recs[i]) != 0;
	return d;
}

/* The generator's items are among the enumerated strings. */
static void check_generated(const struct passphrase_opts *o,
			    char (*recs)[REC], size_t n)
{
	char out[PASSPHRASE_MAX_ITEM_LEN + 1];
	struct rng r;

	rng_init_seeded(&r, seed);
	for (int i = 0; i < 50; i++) {
		size_t len = passphrase_generate(&r, o, out);

		out[len] = '\0';
		ck_assert_uint_le(len, passphrase_max_item_len(o));
		ck_assert_msg(bsearch(out, recs, n, REC, by_string) != NULL,
			      "%s is not a choice", out);
	}
	rng_wipe(&r);
}

/* One configuration: the count and entropy equal the enumeration; when
 * the options are called unambiguous, every choice is a distinct string. */
static void check_config(const struct passphrase_opts *o,
			 const struct wordlist *l, char (*recs)[REC])
{
	size_t fit = enumerate(o, l, recs);
	long double outputs = 0, acc = 0;
	int rc = passphrase_count(o, &outputs, &acc);

	if (fit == 0) {
		ck_assert_int_eq(rc, -EINVAL);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(outputs == (long double)fit, "words %zu k %zu number %d "
		      "max %zu: %Lg counted, %zu enumerated", o->words,
		      o->separators_len, o->number, o->max_length, outputs,
		      fit);
	if (passphrase_choices_distinct(o))
		ck_assert_uint_eq(distinct(recs, fit), fit);
	check_generated(o, recs, fit);
}

START_TEST(test_custom_counts_brute_force)
{
	static char recs[MAXREC][REC];
	static const char *const seps[] = { "", ".", ".:", ".:_" };
	static const size_t maxlen[] = { 0, 3, 6, 9 };
	char err[256] = "";
	/* 1, 2, 3 and 3 characters; "Été" is 5 bytes; AB is ab's twin */
	struct wordlist *l = build("ab\n\xc3\x89t\xc3\xa9\nxyz\nq\nAB\n", err);
	struct passphrase_opts o;
	size_t configs = 0;

	ck_assert_msg(l != NULL, "%s", err);
	ck_assert_uint_eq(l->count, 4);
	for (size_t w = 1; w <= 3; w++)
	for (size_t s = 0; s < 4; s++)
	for (int num = 0; num <= 1; num++)
	for (int cap = 0; cap <= 2; cap++)
	for (size_t m = 0; m < 4; m++) {
		passphrase_opts_default(&o);
		o.list = l;
		o.words = w;
		o.separators_len = strlen(seps[s]);
		memcpy(o.separators, seps[s], o.separators_len + 1);
		o.number = num;
		o.capitalize = (enum passphrase_case)cap;
		o.max_length = maxlen[m];
		check_config(&o, l, recs);
		configs++;
	}
	ck_assert_uint_eq(configs, 288);
	wordlist_free(l);
}
END_TEST

/* The fixed separator, empty or not, over the same tiny list. */
START_TEST(test_custom_separator_brute_force)
{
	static char recs[MAXREC][REC];
	static const char *const seps[] = { "", "-", "~~" };
	char err[256] = "";
	struct wordlist *l = build("ab\n\xc3\x89t\xc3\xa9\nxyz\nq\n", err);
	struct passphrase_opts o;

	ck_assert_ptr_nonnull(l);
	for (size_t w = 1; w <= 3; w++)
	for (size_t s = 0; s < 3; s++)
	for (size_t m = 0; m <= 8; m += 4) {
		passphrase_opts_default(&o);
		o.list = l;
		o.words = w;
		o.separator_len = strlen(seps[s]);
		memcpy(o.separator, seps[s], o.separator_len + 1);
		o.number = m == 4;
		o.max_length = m;
		check_config(&o, l, recs);
	}
	/* "" joins "ab"+"q" ... no two words concatenate to another here,
	 * yet an empty separator is still called ambiguous: refused */
	o.words = 2;
	o.separator_len = 0;
	ck_assert(!passphrase_choices_distinct(&o));
	wordlist_free(l);
}
END_TEST

/* A word ending in a digit with number=true: choices collide, as the
 * refusal says (a1+b vs a+"1",b1... enumerated). */
START_TEST(test_digit_end_collides)
{
	static char recs[MAXREC][REC];
	char err[256] = "";
	struct wordlist *l = build("a\na1\nb\nb1\n", err);
	struct passphrase_opts o;
	size_t fit;

	ck_assert_ptr_nonnull(l);
	passphrase_opts_default(&o);
	o.list = l;
	o.words = 2;
	o.number = true;
	fit = enumerate(&o, l, recs);
	ck_assert(!passphrase_choices_distinct(&o));
	ck_assert_uint_lt(distinct(recs, fit), fit);
	o.number = false;
	ck_assert(passphrase_choices_distinct(&o));
	fit = enumerate(&o, l, recs);
	ck_assert_uint_eq(distinct(recs, fit), fit);
	wordlist_free(l);
}
END_TEST

/* ------------------------------------------------- separators' draws */

/* 5 separators over 4 gaps: (gap, separator) as 20 cells, df 19, and the
 * pairs of gaps 1 and 2 as 25 cells, df 24 (independence). */
START_TEST(test_separators_uniformity)
{
	static const char seps[] = ".:_+=";
	unsigned long cells[20] = { 0 }, pairs[25] = { 0 };
	char out[PASSPHRASE_MAX_ITEM_LEN];
	struct passphrase_opts o;
	struct rng r;
	const int items = 20000;

	passphrase_opts_default(&o);
	o.words = 5;
	memcpy(o.separators, seps, sizeof(seps));
	o.separators_len = 5;
	rng_init_seeded(&r, seed);
	for (int i = 0; i < items; i++) {
		size_t n = passphrase_generate(&r, &o, out), g = 0;
		size_t at[4];

		for (size_t j = 0; j < n; j++) {
			const char *p = memchr(seps, out[j], 5);

			if (p != NULL && out[j] != '\0') {
				at[g] = (size_t)(p - seps);
				cells[g * 5 + at[g]]++;
				g++;
			}
		}
		ck_assert_uint_eq(g, 4);
		pairs[at[1] * 5 + at[2]]++;
	}
	ck_assert_double_lt(chi_square(cells, 20, items / 5.0), CRIT_DF19);
	ck_assert_double_lt(chi_square(pairs, 25, items / 25.0), CRIT_DF24);
	rng_wipe(&r);
}
END_TEST

/* ------------------------------------------- the query over a list */

static int parse(const char *target, struct request_error *err,
		 struct request *req)
{
	return request_parse(target, strlen(target), 100, req, err);
}

static void refused(const char *target, const char *param)
{
	struct request_error err;
	struct request req;

	ck_assert_msg(parse(target, &err, &req) < 0, "%s accepted", target);
	ck_assert_int_eq(err.status, 400);
	ck_assert_msg(strcmp(err.parameter, param) == 0, "%s: %s (%s)", target,
		      err.parameter, err.detail);
}

START_TEST(test_query_refusals)
{
	char path[] = "/tmp/pwgend-wl-XXXXXX", spec[128], err[512];
	struct request_error e;
	struct request req;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_list(path, 1024, "x-ray\nr2d2\n");
	snprintf(spec, sizeof(spec), "qtest=%s", path);
	ck_assert_msg(wordlist_load_specs(spec, err, sizeof(err)) == 0, "%s",
		      err);
	unlink(path);
	refused("/passphrase?wordlist=nope", "wordlist");
	refused("/passphrase?wordlist=EFF", "wordlist");
	refused("/passphrase?separators=.&separator=.", "separator");
	refused("/passphrase?separators=..", "separators");
	refused("/passphrase?separators=", "separators");
	refused("/passphrase?separators=%C3%A9", "separators");
	refused("/passphrase?separators=.a", "separators");      /* eff */
	refused("/passphrase?separators=.-", "separators");      /* yo-yo */
	refused("/passphrase?separators=.A&capitalize=first", "separators");
	refused("/passphrase?separators=.7&number=true", "separators");
	/* qtest has "x-ray" and ends a word in a digit */
	refused("/passphrase?wordlist=qtest", "separator");
	refused("/passphrase?wordlist=qtest&separator=_&number=true",
		"number");
	refused("/passphrase?wordlist=qtest&separators=_-", "separators");
	ck_assert_int_eq(parse("/passphrase?wordlist=qtest&separator=_", &e,
			       &req), 0);
	ck_assert_ptr_eq(req.gen.passphrase.list, wordlist_find("qtest", 5));
	/* 1026 words, 6 of them: exactly 6 log2(1026) bits */
	ck_assert_double_eq_tol(req.gen.entropy_bits, 6 * log2(1026), 1e-9);
	ck_assert_int_eq(parse("/passphrase?separators=.A&words=3", &e, &req),
			 0);
	ck_assert_double_eq_tol(req.gen.entropy_bits,
				3 * log2(7776) + 2 * log2(2), 1e-9);
	ck_assert_int_eq(parse("/passphrase?wordlist=qtest&separators=._"
			       "&min_entropy=80", &e, &req), 0);
	ck_assert_uint_eq(req.gen.passphrase.words, 8);  /* 8 x 11.0 bits */
	ck_assert_int_eq(parse("/passphrase?wordlist=qtest&words=1", &e, &req),
			 0);  /* one word: no gap, nothing ambiguous */
}
END_TEST

Suite *wordlist_suite(void)
{
	Suite *s = suite_create("wordlists");
	TCase *load = tcase_create("load");
	TCase *count = tcase_create("count");
	TCase *query = tcase_create("query");

	tcase_add_test(load, test_build_trims_and_dedupes);
	tcase_add_test(load, test_build_utf8);
	tcase_add_test(load, test_build_refusals);
	tcase_add_test(load, test_load_specs);
	tcase_add_test(load, test_eff_ascii);
	tcase_add_test(count, test_custom_counts_brute_force);
	tcase_add_test(count, test_custom_separator_brute_force);
	tcase_add_test(count, test_digit_end_collides);
	tcase_add_test(count, test_separators_uniformity);
	tcase_add_test(query, test_query_refusals);
	suite_add_tcase(s, load);
	suite_add_tcase(s, count);
	suite_add_tcase(s, query);
	return s;
}
