/*
 * test_cli.c - `pwgend password|pin|passphrase|token ...`: the server's
 * engine on the command line. Items and their classes, formats, the same
 * errors as HTTP (exit 2, naming the parameter), the same explain and
 * entropy figures as the server for the same parameters, bounded memory
 * and a quiet end on a closed pipe.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "verify.h"

/* Run `pwgend args...`; its exit status, stdout in *out (free it). */
static int cli(const char *const *args, char **out, char **err)
{
	int status = -1;
	char *e = NULL;

	ck_assert_int_eq(run_binary(args, 20000, &status, out, &e), 0);
	ck_assert_msg(WIFEXITED(status), "killed by a signal");
	if (err != NULL)
		*err = e;
	else
		free(e);
	return WEXITSTATUS(status);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void setup_default(void)
{
	fixture_start(NULL);
}

/* Text by default: one item a line, of the asked length and alphabet. */
START_TEST(cli_prints_items)
{
	const char *pw[] = { "password", "--quantity", "7", "--length", "24",
			     "--symbols", NULL };
	const char *pin[] = { "pin", "--quantity=5", "--length=8", NULL };
	char *out;

	ck_assert_int_eq(cli(pw, &out, NULL), 0);
	ck_assert_uint_eq(count_lines(out), 7);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		ck_assert_uint_eq(strlen(line), 24);
		for (char *c = line; *c; c++)
			ck_assert(isgraph((unsigned char)*c));
	}
	free(out);
	ck_assert_int_eq(cli(pin, &out, NULL), 0);
	ck_assert_uint_eq(count_lines(out), 5);
	ck_assert_uint_eq(strspn(out, "0123456789\n"), strlen(out));
	free(out);
}
END_TEST

/* --format json is the HTTP reply's document; values reach the parser
 * percent-encoded, so '#', '&' and '=' arrive as given. */
START_TEST(cli_json_and_awkward_values)
{
	const char *args[] = { "password", "--format", "json", "--quantity",
			       "20", "--length", "16", "--charset", "#&=%+",
			       NULL };
	json_t *doc;
	char *out;

	ck_assert_int_eq(cli(args, &out, NULL), 0);
	doc = json_loads(out, 0, NULL);
	ck_assert_msg(doc != NULL, "%s", out);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 20);
	for (size_t i = 0; i < 20; i++) {
		const char *item = json_string_value(json_array_get(
			json_object_get(doc, "items"), i));

		ck_assert_uint_eq(strspn(item, "#&=%+"), 16);
	}
	json_decref(doc);
	free(out);
}
END_TEST

/* The server's refusals, in words, exit 2, nothing on stdout. */
START_TEST(cli_errors_name_the_parameter)
{
	static const struct {
		const char *args[6];
		const char *says;
	} bad[] = {
		{ { "password", "--length", "3", NULL }, "parameter length" },
		{ { "pin", "--quantity", "0", NULL }, "parameter quantity" },
		{ { "password", "--charset", "ab", "--preset", "hex", NULL },
		  "onflict" },
		{ { "token", "--bogus", "1", NULL }, "parameter bogus" },
		{ { "passphrase", "words", NULL }, "unexpected argument" },
	};
	char *out, *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cli(bad[i].args, &out, &err), 2);
		ck_assert_str_eq(out, "");
		ck_assert_msg(strstr(err, bad[i].says) != NULL,
			      "%zu: %s", i, err);
		free(out);
		free(err);
	}
}
END_TEST

/* The same parameters give the same explain document and the same
 * entropy_bits through the CLI as through HTTP: one engine. */
START_TEST(cli_explain_matches_http)
{
	static const char *const cases[][8] = {
		{ "password", "--length", "17", "--min_digits", "3",
		  "--symbols", NULL },
		{ "pin", "--length", "6", "--exclude_weak", NULL },
		{ "passphrase", "--words", "5", "--max_length", "30", NULL },
		{ "token", "--bytes", "20", "--encoding", "base32", NULL },
		{ "password", "--length", "12", "--max-consecutive", "1",
		  "--min_digits", "2", NULL },
	};
	static const char *const targets[] = {
		"/password/explain?length=17&min_digits=3&symbols=true",
		"/pin/explain?length=6&exclude_weak=true",
		"/passphrase/explain?words=5&max_length=30",
		"/token/explain?bytes=20&encoding=base32",
		"/password/explain?length=12&max_consecutive=1&min_digits=2",
	};

	for (size_t i = 0; i < 5; i++) {
		const char *args[10] = { 0 };
		struct response r;
		json_t *a, *b;
		char *out;
		size_t n = 0;

		while (cases[i][n] != NULL) {
			args[n] = cases[i][n];
			n++;
		}
		args[n] = "--explain";
		ck_assert_int_eq(cli(args, &out, NULL), 0);
		ck_assert_int_eq(http_get(fixture.port, targets[i], &r), 0);
		ck_assert_int_eq(r.status, 200);
		a = json_loads(out, 0, NULL);
		b = response_json(&r);
		ck_assert_msg(a != NULL && json_equal(a, b), "%s\nvs %s", out,
			      r.body);
		ck_assert_double_gt(json_real_value(json_object_get(
					    a, "entropy_bits")), 0);
		json_decref(a);
		json_decref(b);
		response_free(&r);
		free(out);
	}
}
END_TEST

/* `| head -1`: the closed pipe ends it quietly, exit 0 and no message;
 * `bash -c` gives the pipeline's first status (PIPESTATUS). */
START_TEST(cli_closed_pipe_is_quiet)
{
	char cmd[1024], line[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "bash -c '%s token --quantity 100000 --bytes 64 2>&1 "
		 "| head -1 >/dev/null; echo \"${PIPESTATUS[0]}\"' 2>&1",
		 server_binary());
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(line, "0\n");  /* status 0, nothing said before */
}
END_TEST

/* Peak RSS (KiB) of `pwgend password --quantity q --length 256` with its
 * output thrown away, measured in a child of its own so that
 * RUSAGE_CHILDREN sees that one process only. */
static long peak_rss_kib(const char *quantity)
{
	int fds[2];
	long kb = -1;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *args[] = { "password", "--quantity", quantity,
				       "--length", "256", NULL };
		struct rusage ru;
		int status = -1;
		char *out = NULL, *err = NULL;

		close(fds[0]);
		if (run_binary(args, 60000, &status, &out, &err) == 0 &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		    getrusage(RUSAGE_CHILDREN, &ru) == 0)
			kb = ru.ru_maxrss;
		if (write(fds[1], &kb, sizeof(kb)) != sizeof(kb))
			_exit(1);
		free(out);
		free(err);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &kb, sizeof(kb)), sizeof(kb));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return kb;
}

/* 100000 passwords of 256 characters (25 MB out) need no more memory
 * than 100 of them, give or take a few chunks. */
START_TEST(cli_streams_in_bounded_memory)
{
	long small = peak_rss_kib("100"), big = peak_rss_kib("100000");

	ck_assert_msg(small > 0 && big > 0, "%ld %ld", small, big);
	ck_assert_msg(big - small < 4 * 1024, "peak RSS %ld KiB for 100000, "
		      "%ld KiB for 100", big, small);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = server_case("cli", setup_default, TIMEOUT_HEAVY);

	tcase_add_test(tc, cli_prints_items);
	tcase_add_test(tc, cli_json_and_awkward_values);
	tcase_add_test(tc, cli_errors_name_the_parameter);
	tcase_add_test(tc, cli_explain_matches_http);
	tcase_add_test(tc, cli_closed_pipe_is_quiet);
	tcase_add_test(tc, cli_streams_in_bounded_memory);
	suite_add_tcase(s, tc);
	return s;
}
