/*
 * check_edge.c - what every reply and scrape carries besides its body: the
 * request id (reqid.h), CORS decisions (cors.h), GET /'s HTML-or-JSON
 * choice (negotiate.h), the process_* sample (procstat.h) and the flags
 * that turn them on.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "cors.h"
#include "negotiate.h"
#include "procstat.h"
#include "reqid.h"
#include "suites.h"

START_TEST(test_reqid_keeps_valid_ids)
{
	static const char *const good[] = {
		"abc", "0f8fad5b-d9cb-469f-a165-70867728950e",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"a/b+c=d_e.f:g@h",
	};
	char out[REQID_MAX + 1];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(reqid_take(good[i], out), "%s", good[i]);
		ck_assert_str_eq(out, good[i]);
	}
}
END_TEST

/* Anything a header or a log line could be abused with is replaced. */
START_TEST(test_reqid_refuses_the_rest)
{
	char long_id[REQID_MAX + 2];
	static const char *const bad[] = {
		"", "a b", "a\r\nX-Evil: 1", "caf\xc3\xa9", "a\"b", "<script>",
		"a,b", "a;b", "a\\b",
	};
	char out[REQID_MAX + 1] = "untouched";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!reqid_take(bad[i], out), "%s", bad[i]);
	ck_assert(!reqid_take(NULL, out));
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	ck_assert(!reqid_take(long_id, out));       /* REQID_MAX + 1 bytes */
	long_id[REQID_MAX] = '\0';
	ck_assert(reqid_take(long_id, out));        /* REQID_MAX: kept */
	ck_assert_uint_eq(strlen(out), REQID_MAX);
}
END_TEST

/* Made ids are valid ids, distinct, and differ between two sources. */
START_TEST(test_reqid_made_are_unique)
{
	struct reqid_source a, b;
	char first[REQID_MAX + 1], id[REQID_MAX + 1], copy[REQID_MAX + 1];

	ck_assert_int_ge(sodium_init(), 0);
	reqid_source_init(&a);
	reqid_source_init(&b);
	ck_assert(a.prefix != b.prefix);
	reqid_make(&a, first);
	ck_assert(reqid_take(first, copy));
	for (int i = 0; i < 1000; i++) {
		reqid_make(&a, id);
		ck_assert_str_ne(id, first);
	}
	reqid_make(&b, id);
	ck_assert_str_ne(id, first);
	ck_assert_uint_eq(strlen(first), 16 + 1 + 1);   /* "<16 hex>-0" */
}
END_TEST

START_TEST(test_cors_origins)
{
	const char *list = "https://a.example, https://b.example:8443";

	ck_assert_ptr_null(cors_allow_origin("", "https://a.example"));
	ck_assert_ptr_null(cors_allow_origin("*", NULL));
	ck_assert_str_eq(cors_allow_origin("*", "https://x.example"), "*");
	ck_assert_str_eq(cors_allow_origin(list, "https://a.example"),
			 "https://a.example");
	ck_assert_str_eq(cors_allow_origin(list, "https://b.example:8443"),
			 "https://b.example:8443");
	/* exact: no prefix, suffix, scheme or port games */
	ck_assert_ptr_null(cors_allow_origin(list, "https://a.example.evil"));
	ck_assert_ptr_null(cors_allow_origin(list, "http://a.example"));
	ck_assert_ptr_null(cors_allow_origin(list, "https://b.example"));
	ck_assert_ptr_null(cors_allow_origin(list, "https://a.exampl"));
	ck_assert_ptr_null(cors_allow_origin(list, ""));
	ck_assert_ptr_null(cors_allow_origin("a,,b", ""));
}
END_TEST

START_TEST(test_wants_html)
{
	/* browsers */
	ck_assert(negotiate_wants_html("text/html,application/xhtml+xml,"
				       "application/xml;q=0.9,*/*;q=0.8"));
	ck_assert(negotiate_wants_html("text/*"));
	ck_assert(negotiate_wants_html("text/html, application/json"));
	/* scripts and JSON clients */
	ck_assert(!negotiate_wants_html(NULL));
	ck_assert(!negotiate_wants_html(""));
	ck_assert(!negotiate_wants_html("*/*"));
	ck_assert(!negotiate_wants_html("application/json"));
	ck_assert(!negotiate_wants_html("application/json, text/html;q=0.5"));
	ck_assert(!negotiate_wants_html("text/html;q=0"));
}
END_TEST

START_TEST(test_procstat_sample)
{
	struct metrics_process p;
	void *held = malloc(1 << 20);

	procstat_sample(&p);
	ck_assert(p.known);
	ck_assert_uint_gt(p.resident_bytes, 0);
	ck_assert_uint_ge(p.virtual_bytes, p.resident_bytes);
	ck_assert_uint_ge(p.open_fds, 3);           /* stdin, out, err */
	ck_assert_uint_ge(p.max_fds, p.open_fds);
	ck_assert(p.cpu_seconds >= 0);
	/* started in the last day, not in the future */
	ck_assert(p.start_time_seconds > (double)time(NULL) - 86400);
	ck_assert(p.start_time_seconds <= (double)time(NULL) + 1);
	free(held);
}
END_TEST

static enum config_result load(char **argv, struct config *cfg)
{
	char err[256];
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return config_load(cfg, argc, argv, err, sizeof(err));
}

START_TEST(test_edge_flags)
{
	char *def[] = { "pwgend", NULL };
	char *on[] = { "pwgend", "--admin-port", "9090", "--admin-bind",
		       "127.0.0.1", "--web", "off", "--cors-origins", "*",
		       NULL };
	char *same[] = { "pwgend", "--port", "9090", "--admin-port", "9090",
			 NULL };
	struct config cfg;

	ck_assert_int_eq(load(def, &cfg), CONFIG_OK);
	ck_assert_uint_eq(cfg.admin_port, 0);
	ck_assert_str_eq(cfg.admin_bind, cfg.bind);  /* follows --bind */
	ck_assert(cfg.web);
	ck_assert_str_eq(cfg.cors_origins, "");
	ck_assert_int_eq(load(on, &cfg), CONFIG_OK);
	ck_assert_uint_eq(cfg.admin_port, 9090);
	ck_assert_str_eq(cfg.admin_bind, "127.0.0.1");
	ck_assert(!cfg.web);
	ck_assert_str_eq(cfg.cors_origins, "*");
	ck_assert_int_eq(load(same, &cfg), CONFIG_ERROR);
}
END_TEST

/* `pwgend serve --flags` is the server: the word is skipped, where it
 * comes first only (it is what PID 1's arguments start with when a
 * container runs `pwgend serve`, which --healthcheck reads). */
START_TEST(test_serve_word)
{
	char *serve[] = { "pwgend", "serve", "--port", "9000", NULL };
	char *late[] = { "pwgend", "--port", "9000", "serve", NULL };
	struct config cfg;

	ck_assert_int_eq(load(serve, &cfg), CONFIG_OK);
	ck_assert_uint_eq(cfg.port, 9000);
	ck_assert_int_eq(load(late, &cfg), CONFIG_ERROR);
}
END_TEST

Suite *edge_suite(void)
{
	Suite *s = suite_create("edge");
	TCase *tc = tcase_create("edge");

	tcase_add_test(tc, test_reqid_keeps_valid_ids);
	tcase_add_test(tc, test_reqid_refuses_the_rest);
	tcase_add_test(tc, test_reqid_made_are_unique);
	tcase_add_test(tc, test_cors_origins);
	tcase_add_test(tc, test_wants_html);
	tcase_add_test(tc, test_procstat_sample);
	tcase_add_test(tc, test_edge_flags);
	tcase_add_test(tc, test_serve_word);
	suite_add_tcase(s, tc);
	return s;
}
