/*
 * test_wordlists.c - --wordlist NAME=FILE against the real binary: words
 * come from the file, wordlist= names it (unknown: 400), separators= draws
 * from its characters, explain shows the list, a bad or too small file
 * stops start-up naming the file (and the line), and the CLI loads a list
 * the same way.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "verify.h"

enum { WORDS = 1100 };

static char list_path[64], spec[96];

/* Word i of the test list: "w" and three letters. */
static void word(size_t i, char out[5])
{
	snprintf(out, 5, "w%c%c%c", 'a' + (int)(i / 676),
		 'a' + (int)(i / 26 % 26), 'a' + (int)(i % 26));
}

/* Is s[0, n) a word of the list? */
static bool in_list(const char *s, size_t n)
{
	if (n != 4 || s[0] != 'w')
		return false;
	for (size_t i = 1; i < 4; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return (size_t)(s[1] - 'a') * 676 + (size_t)(s[2] - 'a') * 26 +
		       (size_t)(s[3] - 'a') < WORDS;
}

static void write_file(const char *path, size_t n, const char *tail)
{
	FILE *f = fopen(path, "w");
	char w[5];

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++) {
		word(i, w);
		fprintf(f, "%s\r\n", w);  /* CRLF: trimmed */
	}
	fputs(tail, f);
	fclose(f);
}

static void setup_list(void)
{
	const char *flags[] = { "--wordlist", spec, NULL };

	snprintf(list_path, sizeof(list_path), "/tmp/pwgend-wl-%d.txt",
		 (int)getpid());
	snprintf(spec, sizeof(spec), "tl=%s", list_path);
	write_file(list_path, WORDS, "");
	fixture_start(flags);
}

static void teardown_list(void)
{
	fixture_stop();
	unlink(list_path);
}

START_TEST(words_come_from_the_list)
{
	struct response r;
	size_t lines = 0;
	bool seen[2] = { false, false };

	ck_assert_int_eq(http_get(fixture.port, "/passphrase?wordlist=tl"
				  "&words=4&separators=._&quantity=50"
				  "&format=text", &r), 0);
	ck_assert_int_eq(r.status, 200);
	for (char *line = strtok(r.body, "\n"); line;
	     line = strtok(NULL, "\n"), lines++) {
		ck_assert_uint_eq(strlen(line), 4 * 4 + 3);
		for (size_t w = 0; w < 4; w++) {
			ck_assert_msg(in_list(line + 5 * w, 4), "%s", line);
			if (w < 3) {
				char c = line[5 * w + 4];

				ck_assert(c == '.' || c == '_');
				seen[c == '_'] = true;
			}
		}
	}
	ck_assert_uint_eq(lines, 50);
	ck_assert(seen[0] && seen[1]);
	response_free(&r);
}
END_TEST

START_TEST(explain_names_the_list)
{
	struct response r;
	json_t *doc, *ex;

	ck_assert_int_eq(http_get(fixture.port, "/passphrase/explain?"
				  "wordlist=tl&words=4&separators=._", &r), 0);
	ck_assert_int_eq(r.status, 200);
	doc = response_json(&r);
	ex = json_object_get(doc, "explain");
	ck_assert_str_eq(json_string_value(json_object_get(ex, "wordlist")),
			 "tl");
	ck_assert_int_eq(json_integer_value(json_object_get(ex,
						"wordlist_size")), WORDS);
	ck_assert_str_eq(json_string_value(json_object_get(ex, "separators")),
			 "._");
	/* 4 words of 1100 and 3 gaps of 2: rounded to 2 decimals */
	ck_assert_double_eq_tol(json_real_value(json_object_get(doc,
						"entropy_bits")),
				4 * log2(WORDS) + 3, 0.006);
	json_decref(doc);
	response_free(&r);
}
END_TEST

START_TEST(unknown_list_is_400)
{
	struct response r;
	json_t *doc;

	ck_assert_int_eq(http_get(fixture.port, "/passphrase?wordlist=fr",
				  &r), 0);
	ck_assert_int_eq(r.status, 400);
	doc = response_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "parameter")),
			 "wordlist");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
				      doc, "detail")), "eff, tl"));
	json_decref(doc);
	response_free(&r);
}
END_TEST

/* `pwgend --port 0 --wordlist NAME=FILE` must not start: exit 2, stderr
 * naming the file and saying why. */
static void refused_at_start(const char *tail, size_t n, const char *why)
{
	char path[64], arg[96];
	const char *args[] = { "--port", "0", "--bind", "127.0.0.1",
			       "--wordlist", arg, NULL };
	char *out = NULL, *err = NULL;
	int status = -1;

	snprintf(path, sizeof(path), "/tmp/pwgend-wlbad-%d.txt", (int)getpid());
	snprintf(arg, sizeof(arg), "bad=%s", path);
	write_file(path, n, tail);
	ck_assert_int_eq(run_binary(args, 10000, &status, &out, &err), 0);
	unlink(path);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, why) != NULL,
		      "%s", err);
	free(out);
	free(err);
}

START_TEST(bad_files_stop_start_up)
{
	refused_at_start("ok\nbad\xff\n", 1100, "line 1102: invalid UTF-8");
	refused_at_start("a\x1b[31m\n", 1100, "line 1101: a control character");
	refused_at_start("", 1023, "1023 distinct words");
	refused_at_start("WAAA\nwaab\n", 1022, "1022 distinct words");
}
END_TEST

START_TEST(cli_loads_a_list)
{
	char arg[96];
	const char *args[] = { "passphrase", "--wordlist", arg, "--words", "3",
			       "--separators", ":", "--quantity", "5", NULL };
	char *out = NULL, *err = NULL;
	int status = -1;
	size_t lines = 0;

	snprintf(arg, sizeof(arg), "c=%s", list_path);
	ck_assert_int_eq(run_binary(args, 10000, &status, &out, &err), 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s",
		      err);
	for (char *line = strtok(out, "\n"); line;
	     line = strtok(NULL, "\n"), lines++) {
		ck_assert_uint_eq(strlen(line), 14);
		ck_assert(in_list(line, 4) && in_list(line + 5, 4) &&
			  in_list(line + 10, 4));
		ck_assert(line[4] == ':' && line[9] == ':');
	}
	ck_assert_uint_eq(lines, 5);
	free(out);
	free(err);
}
END_TEST

Suite *wordlists_suite(void)
{
	Suite *s = suite_create("wordlists");
	TCase *tc = tcase_create("list");
	TCase *start = tcase_create("start-up");

	tcase_add_unchecked_fixture(tc, setup_list, teardown_list);
	tcase_add_test(tc, words_come_from_the_list);
	tcase_add_test(tc, explain_names_the_list);
	tcase_add_test(tc, unknown_list_is_400);
	tcase_add_test(tc, cli_loads_a_list);
	tcase_add_test(start, bad_files_stop_start_up);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, start);
	return s;
}
