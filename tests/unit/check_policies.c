/* check_policies.c - named policies: the file parser (YAML and JSON, errors
 * naming the line, limits, the GET /policies listing), policy= in
 * request_parse (applied, conflicts, unknown, wrong kind) and the
 * reclamation that lets a reload free the old set (qsbr). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policyfile.h"
#include "qsbr.h"
#include "request.h"
#include "suites.h"

static const struct policyfile_limits lim = { 100000 };

static struct policies *parse(const char *text, char *err, size_t errlen)
{
	return policyfile_parse(text, strlen(text), "f", &lim, err, errlen);
}

static struct policies *parse_ok(const char *text)
{
	char err[512] = "";
	struct policies *set = parse(text, err, sizeof(err));

	ck_assert_msg(set != NULL, "%s: %s", text, err);
	return set;
}

static const char yaml[] =
	"# comments are fine\n"
	"postgres: {kind: password, length: 32, preset: url}\n"
	"door:\n"
	"  kind: pin\n"
	"  length: 8\n"
	"phrase: {kind: passphrase, words: 4, separator: \"\"}\n"
	"api: {kind: token, bytes: 16, encoding: hex}\n";

START_TEST(test_yaml_file)
{
	struct policies *set = parse_ok(yaml);

	ck_assert_uint_eq(set->count, 4);
	/* sorted by name */
	ck_assert_str_eq(set->items[0].name, "api");
	ck_assert_str_eq(set->items[1].name, "door");
	ck_assert_str_eq(set->items[2].name, "phrase");
	ck_assert_str_eq(set->items[3].name, "postgres");
	ck_assert_int_eq(set->items[1].kind, GEN_KIND_PIN);
	ck_assert_str_eq(set->items[1].query, "length=8");
	ck_assert_str_eq(set->items[2].query, "words=4&separator=");
	ck_assert_str_eq(set->items[3].query, "length=32&preset=url");
	ck_assert_ptr_eq(policies_find(set, "door", 4), &set->items[1]);
	ck_assert_ptr_null(policies_find(set, "doo", 3));
	ck_assert_ptr_null(policies_find(set, "doors", 5));
	ck_assert_ptr_null(policies_find(NULL, "door", 4));
	policies_free(set);
}
END_TEST

/* JSON is YAML's flow style: tabs as white space and CRLF line ends. */
START_TEST(test_json_tabs_crlf)
{
	struct policies *set = parse_ok(
		"{\r\n\t\"pg\": {\r\n\t\t\"kind\": \"password\",\r\n"
		"\t\t\"length\": 24,\t\"symbols\": true,\r\n"
		"\t\t\"symbol_set\": \"#&=\"\r\n\t},\r\n"
		"\t\"pin\":\t{\"kind\": \"pin\"}\r\n}\r\n");
	char err[512] = "";

	ck_assert_uint_eq(set->count, 2);
	ck_assert_str_eq(set->items[0].query,
			 "length=24&symbols=true&symbol_set=%23%26%3D");
	ck_assert_str_eq(set->items[1].query, "");
	policies_free(set);
	/* and its errors name the line too */
	ck_assert_ptr_null(parse("{\r\n\t\"pg\": {\"kind\": \"password\",\r\n"
				 "\t\t\"length\": 2}\r\n}\r\n", err,
				 sizeof(err)));
	ck_assert_str_eq(err, "f:3: policy pg, parameter length: length must "
			 "be an integer from 4 to 1024");
}
END_TEST

/* Each bad file, and the start of the message it gets. */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "a: {kind: password}\nb:\n  kind: password\n  length: 3\n",
	  "f:4: policy b, parameter length: length must be an integer from 4 "
	  "to 1024" },
	{ "x: {kind: pin, lenght: 5}\n",
	  "f:1: policy x, parameter lenght: lenght is not a parameter" },
	{ "x:\n  kind: password\n  charset: abcdef\n  preset: hex\n",
	  "f:4: policy x, parameter preset: " },
	{ "x:\n  kind: password\n  symbols: yes\n",
	  "f:3: policy x, parameter symbols: symbols must be true, false" },
	{ "x: {kind: password}\ny: {length: 8}\n", "f:2: policy y has no kind" },
	{ "x: {kind: complex}\n", "f:1: policy x: kind complex is not a route" },
	{ "x:\n  kind: pin\n  quantity: 5\n",
	  "f:3: policy x, parameter quantity: quantity is the client's" },
	{ "x:\n  kind: pin\n  format: text\n", "f:3: policy x, parameter "
	  "format:" },
	{ "x:\n  kind: pin\n  length: [4, 5]\n", "f:3: policy x, parameter "
	  "length: the value must be a single value" },
	{ "x:\n  kind: pin\n  length:\n", "f:3: policy x, parameter length: "
	  "the value must be" },
	{ "a: {kind: pin}\nb: {kind: pin}\na: {kind: token}\n",
	  "f:3: policy a is defined twice (also on line 1)" },
	{ "\"a b\": {kind: pin}\n", "f:1: a policy's name must be" },
	{ "x: {kind: pin\ny: 2\n", "f:2: column " },
	{ "", "f: the file is empty" },
	{ "- kind: pin\n", "f:1: the file must be a mapping" },
	{ "x: {kind: pin}\n---\ny: {kind: pin}\n", "f:2: a second document" },
	{ "x: pin\n", "f:1: policy x must be a mapping" },
	{ "x: {kind: password, length: 20, min_digits: 18}\n",
	  "f:1: policy x, parameter min_digits: only 7.4e-13 of random" },
	/* a second kind used to lose silently to the first */
	{ "x:\n  kind: password\n  kind: pin\n",
	  "f:3: policy x: kind is given twice (also on line 2)" },
	/* a quoted key holding a NUL is not `kind` */
	{ "x: {kind: pin, \"kind\\0x\": password}\n",
	  "f:1: policy x, parameter kind\\x00x: kind\\x00x is not a "
	  "parameter" },
};

START_TEST(test_errors_name_the_line)
{
	char err[512] = "";

	ck_assert_msg(parse(bad[_i].text, err, sizeof(err)) == NULL,
		      "accepted: %s", bad[_i].text);
	ck_assert_msg(strncmp(err, bad[_i].want, strlen(bad[_i].want)) == 0,
		      "%s: got \"%s\", want \"%s...\"", bad[_i].text, err,
		      bad[_i].want);
}
END_TEST

START_TEST(test_limits)
{
	size_t cap = POLICIES_MAX_BYTES + 2;
	char *text = malloc(cap), err[512] = "";
	size_t o = 0;

	/* one policy over the count, on line 257 */
	for (int i = 0; i <= POLICIES_MAX; i++)
		o += (size_t)snprintf(text + o, cap - o, "p%d: {kind: pin}\n",
				      i);
	ck_assert_ptr_null(parse(text, err, sizeof(err)));
	ck_assert_str_eq(err, "f:257: more than 256 policies");
	/* exactly the count is fine */
	*strstr(text, "p256:") = '\0';
	policies_free(parse_ok(text));
	/* one byte over the size, whatever it holds */
	memset(text, ' ', cap - 1);
	memcpy(text, "{}", 2);
	text[cap - 1] = '\0';
	ck_assert_ptr_null(parse(text, err, sizeof(err)));
	ck_assert_str_eq(err, "f: larger than 65536 bytes");
	text[cap - 2] = '\0';
	policies_free(parse_ok(text));
	free(text);
}
END_TEST

START_TEST(test_listing)
{
	struct policies *set =
		parse_ok("pg: {kind: password, length: 32, first: letter}\n"
			 "d: {kind: pin, exclude_weak: true}\n");
	json_t *doc, *list, *pg;

	doc = json_loadb(set->listing, set->listing_len, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	list = json_object_get(doc, "policies");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(list, 0), "name")), "d");
	ck_assert(json_is_true(json_object_get(json_object_get(
		json_array_get(list, 0), "parameters"), "exclude_weak")));
	pg = json_array_get(list, 1);
	ck_assert_str_eq(json_string_value(json_object_get(pg, "kind")),
			 "password");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
				 pg, "parameters"), "length")), 32);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
				 pg, "parameters"), "first")), "letter");
	/* GET /password/explain?policy=pg's document */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
				 pg, "explain"), "length")), 32);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_object_get(
				 pg, "explain"), "explain"), "alphabet"));
	json_decref(doc);
	policies_free(set);
	set = parse_ok("{}");
	ck_assert_str_eq(set->listing, "{\"policies\":[]}");
	policies_free(set);
}
END_TEST

/* ------------------------------------------------------------ policy= */

static struct policies *fixture(void)
{
	return parse_ok("pg: {kind: password, length: 32, preset: url}\n"
			"door: {kind: pin, length: 8}\n");
}

static int request(const struct policies *set, const char *target,
		   struct request *req, struct request_error *err)
{
	return request_parse_policies(target, strlen(target), 100000, set, req,
				      err);
}

START_TEST(test_policy_applies)
{
	struct policies *set = fixture();
	struct request req;
	struct request_error err;

	ck_assert_int_eq(request(set, "/password?policy=pg&quantity=3&format="
				 "text", &req, &err), 0);
	ck_assert_uint_eq(req.gen.length, 32);
	ck_assert_uint_eq(req.gen.quantity, 3);
	ck_assert_int_eq(req.gen.format, FORMAT_TEXT);
	ck_assert_uint_eq(req.gen.policy.alphabet_len, 66);  /* url */
	ck_assert_int_eq(request(set, "/pin/explain?policy=door", &req, &err),
			 0);
	ck_assert(req.gen.explain);
	ck_assert_uint_eq(req.gen.length, 8);
	policies_free(set);
}
END_TEST

static void assert_refused(const struct policies *set, const char *target,
			   const char *type, const char *param)
{
	struct request req;
	struct request_error err;

	ck_assert_msg(request(set, target, &req, &err) < 0, "%s", target);
	ck_assert_int_eq(err.status, 400);
	ck_assert_msg(strcmp(err.type, type) == 0, "%s: %s", target, err.type);
	ck_assert_msg(strcmp(err.parameter, param) == 0, "%s: parameter %s",
		      target, err.parameter);
}

START_TEST(test_policy_refusals)
{
	struct policies *set = fixture();

	/* a parameter the policy sets, or any other: in either order */
	assert_refused(set, "/password?policy=pg&length=16",
		       PROBLEM_CONFLICTING_PARAMETERS, "length");
	assert_refused(set, "/password?length=16&policy=pg",
		       PROBLEM_CONFLICTING_PARAMETERS, "length");
	assert_refused(set, "/password?symbols=true&policy=pg",
		       PROBLEM_CONFLICTING_PARAMETERS, "symbols");
	assert_refused(set, "/password?policy=nope", PROBLEM_INVALID_VALUE,
		       "policy");
	assert_refused(NULL, "/password?policy=pg", PROBLEM_INVALID_VALUE,
		       "policy");
	assert_refused(set, "/pin?policy=pg", PROBLEM_INVALID_VALUE, "policy");
	assert_refused(set, "/password?policy=pg&policy=pg",
		       PROBLEM_DUPLICATE_PARAMETER, "policy");
	assert_refused(set, "/password?policy=", PROBLEM_INVALID_VALUE,
		       "policy");
	/* the original's routes take no policy */
	assert_refused(set, "/v1/?policy=pg", PROBLEM_UNKNOWN_PARAMETER,
		       "policy");
	policies_free(set);
}
END_TEST

/* -------------------------------------------------------------- qsbr */

START_TEST(test_qsbr_single_thread)
{
	struct qsbr *q = qsbr_new(2);

	/* both offline: nothing to wait for */
	ck_assert(qsbr_synchronize(q, 0));
	/* reader 0 online since before the swap: it may hold the old one */
	qsbr_online(q, 0);
	ck_assert(!qsbr_synchronize(q, 2));
	/* and a quiescent point before a swap does not count for it */
	qsbr_online(q, 0);
	ck_assert(!qsbr_synchronize(q, 0));
	qsbr_offline(q, 0);
	ck_assert(qsbr_synchronize(q, 0));
	qsbr_free(q);
}
END_TEST

struct spinner {
	struct qsbr *q;
	atomic_bool stop;
};

/* A loop: a quiescent point every turn. */
static void *spin(void *arg)
{
	struct spinner *s = arg;

	while (!atomic_load(&s->stop))
		qsbr_online(s->q, 0);
	qsbr_offline(s->q, 0);
	return NULL;
}

START_TEST(test_qsbr_waits_for_a_turn)
{
	struct spinner s = { qsbr_new(1), false };
	pthread_t t;

	qsbr_online(s.q, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, spin, &s), 0);
	for (int i = 0; i < 100; i++)
		ck_assert(qsbr_synchronize(s.q, 1000));
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);
	qsbr_free(s.q);
}
END_TEST

Suite *policies_suite(void)
{
	Suite *s = suite_create("policies");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_yaml_file);
	tcase_add_test(tc, test_json_tabs_crlf);
	tcase_add_loop_test(tc, test_errors_name_the_line, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_listing);
	tcase_add_test(tc, test_policy_applies);
	tcase_add_test(tc, test_policy_refusals);
	tcase_add_test(tc, test_qsbr_single_thread);
	tcase_add_test(tc, test_qsbr_waits_for_a_turn);
	suite_add_tcase(s, tc);
	return s;
}
