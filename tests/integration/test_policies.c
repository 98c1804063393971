/* test_policies.c - named policies against the real binary: policy= on the
 * routes, GET /policies (and its metrics label), a bad file refusing the
 * start naming its line, and SIGHUP reloads under load with not one
 * failed request. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

/* Write `text` to `path` as a ConfigMap update does: a new file renamed
 * over the old, so the server never reads half of it. */
static void write_policies(const char *path, const char *text)
{
	char tmp[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static void temp_path(char *path, size_t cap, const char *name)
{
	snprintf(path, cap, "%s/pwgend-%d-%s", getenv("TMPDIR") != NULL
		 ? getenv("TMPDIR") : "/tmp", (int)getpid(), name);
}

static void start_with(struct server *s, const char *path, const char *loops)
{
	const char *const flags[] = { "--policies", path, "--loops", loops,
				      "--access-log", "off", NULL };

	ck_assert_int_eq(server_start(s, flags), 0);
}

/* The length of the one text item of a 200, or -1. */
static long item_length(const struct response *r)
{
	if (r->status != 200 || r->body_len == 0 ||
	    r->body[r->body_len - 1] != '\n')
		return -1;
	return (long)r->body_len - 1;
}

static const char two_policies[] =
	"pg: {kind: password, length: 32, preset: url}\n"
	"door:\n  kind: pin\n  length: 8\n";

START_TEST(policy_on_the_routes)
{
	char path[256];
	struct server s;
	struct response r;
	json_t *doc;

	temp_path(path, sizeof(path), "routes.yaml");
	write_policies(path, two_policies);
	start_with(&s, path, "2");
	ck_assert_int_eq(http_get(s.port, "/password?policy=pg&format=text",
				  &r), 0);
	ck_assert_int_eq(item_length(&r), 32);
	response_free(&r);
	ck_assert_int_eq(http_get(s.port, "/pin/explain?policy=door", &r), 0);
	doc = response_json(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "length")), 8);
	json_decref(doc);
	response_free(&r);
	/* another route's policy, and an explicit parameter beside one */
	ck_assert_int_eq(http_get(s.port, "/pin?policy=pg", &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "\"parameter\":\"policy\""));
	response_free(&r);
	ck_assert_int_eq(http_get(s.port, "/password?policy=pg&length=8", &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "conflicting-parameters"));
	ck_assert_ptr_nonnull(strstr(r.body, "\"parameter\":\"length\""));
	response_free(&r);
	server_stop(&s);
	unlink(path);
}
END_TEST

START_TEST(get_policies)
{
	char path[256];
	struct server s;
	struct response r;
	json_t *doc, *list;

	temp_path(path, sizeof(path), "list.yaml");
	write_policies(path, two_policies);
	start_with(&s, path, "1");
	ck_assert_int_eq(http_get(s.port, "/policies", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(response_header(&r, "Cache-Control"), "no-store");
	doc = response_json(&r);
	list = json_object_get(doc, "policies");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(list, 1), "name")), "pg");
	json_decref(doc);
	response_free(&r);
	ck_assert_int_eq(http_get(s.port, "/policies?x=1", &r), 0);
	ck_assert_int_eq(r.status, 400);
	response_free(&r);
	ck_assert_int_eq(http_get(s.port, "/metrics", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "route=\"policies\",code=\"200\""));
	response_free(&r);
	server_stop(&s);
	unlink(path);
	/* without --policies: none, still a 200 */
	ck_assert_int_eq(server_start(&s, NULL), 0);
	ck_assert_int_eq(http_get(s.port, "/policies", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"policies\":[]}");
	response_free(&r);
	server_stop(&s);
}
END_TEST

START_TEST(bad_file_refuses_to_start)
{
	char path[256];
	const char *args[] = { "--port", "0", "--policies", path, NULL };
	char *out = NULL, *err = NULL, want[400];
	int status = 0;

	temp_path(path, sizeof(path), "bad.yaml");
	write_policies(path, "ok: {kind: pin}\nx:\n  kind: password\n"
		       "  length: 3\n");
	ck_assert_int_eq(run_binary(args, 5000, &status, &out, &err), 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	snprintf(want, sizeof(want), "%s:4: policy x, parameter length: "
		 "length must be an integer from 4 to 1024", path);
	ck_assert_msg(strstr(err, want) != NULL, "stderr: %s", err);
	free(out);
	free(err);
	unlink(path);
}
END_TEST

/* ------------------------------------------------ reload under load */

enum { CLIENTS = 4 };

struct load {
	unsigned port;
	atomic_bool stop;
	atomic_long requests;
	atomic_long failures;          /* anything but a 200 with one item */
	atomic_long last_length;       /* of the latest reply, any client */
};

/* One keep-alive client asking for policy=pg until told to stop. */
static void *client(void *arg)
{
	struct load *l = arg;
	struct conn c;

	if (conn_open(&c, l->port) < 0) {
		atomic_fetch_add(&l->failures, 1);
		return NULL;
	}
	while (!atomic_load(&l->stop)) {
		struct response r;
		long len;

		if (conn_request(&c, "GET", "/password?policy=pg&format=text",
				 NULL) < 0 || conn_read(&c, &r, false) < 0) {
			atomic_fetch_add(&l->failures, 1);
			break;
		}
		len = item_length(&r);
		if (len < 0 || r.closed)
			atomic_fetch_add(&l->failures, 1);
		else
			atomic_store(&l->last_length, len);
		atomic_fetch_add(&l->requests, 1);
		response_free(&r);
	}
	conn_close(&c);
	return NULL;
}

/* A fresh request's length: the set the loops serve now. */
static long served_length(unsigned port)
{
	struct response r;
	long len;

	ck_assert_int_eq(http_get(port, "/password?policy=pg&format=text", &r),
			 0);
	len = item_length(&r);
	response_free(&r);
	return len;
}

/* After a reload: every loop answers with the new length within 2 s. */
static void expect_length(unsigned port, long want)
{
	long start = now_ms();
	int in_a_row = 0;

	while (in_a_row < 8) {  /* enough fresh connections to reach both
				 * loops */
		in_a_row = served_length(port) == want ? in_a_row + 1 : 0;
		ck_assert_msg(now_ms() - start < 2000, "still not length %ld",
			      want);
	}
}

START_TEST(reload_under_load)
{
	static const long lengths[] = { 10, 11, 0, 12, 13 };  /* 0: bad */
	char path[256], text[128], *log;
	struct load l = { 0 };
	pthread_t t[CLIENTS];
	struct server s;
	long current = 32;

	temp_path(path, sizeof(path), "reload.yaml");
	write_policies(path, two_policies);
	start_with(&s, path, "2");
	l.port = s.port;
	for (int i = 0; i < CLIENTS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, client, &l), 0);
	sleep_ms(100);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		if (lengths[i] > 0)
			snprintf(text, sizeof(text), "pg: {kind: password, "
				 "length: %ld}\n", lengths[i]);
		else  /* a typo: the whole file is refused */
			snprintf(text, sizeof(text), "pg: {kind: password, "
				 "lenght: 12}\n");
		write_policies(path, text);
		ck_assert_int_eq(server_signal(&s, SIGHUP), 0);
		if (lengths[i] > 0)
			current = lengths[i];
		else
			sleep_ms(200);  /* the old set must stay */
		expect_length(s.port, current);
		sleep_ms(100);  /* load on the new set for a while */
	}
	atomic_store(&l.stop, true);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&l.failures), 0);
	ck_assert_int_gt(atomic_load(&l.requests), 100);
	ck_assert_int_eq(atomic_load(&l.last_length), 13);
	log = server_log(&s);
	ck_assert_msg(strstr(log, "policies reload failed, keeping the old "
			     "set") != NULL && strstr(log, ":1: policy pg, "
			     "parameter lenght") != NULL, "log: %s", log);
	free(log);
	server_stop(&s);
	unlink(path);
}
END_TEST

Suite *policies_suite(void)
{
	Suite *s = suite_create("policies");
	TCase *tc = tcase_create("policies");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, policy_on_the_routes);
	tcase_add_test(tc, get_policies);
	tcase_add_test(tc, bad_file_refuses_to_start);
	tcase_add_test(tc, reload_under_load);
	suite_add_tcase(s, tc);
	return s;
}
