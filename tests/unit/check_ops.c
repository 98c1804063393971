/*
 * check_ops.c - the operational routes' pure parts: path matching (as
 * request.c matches its own), the no-parameter rule (the same 400s as
 * /healthz), the bodies, the embedded spec against the repository's files,
 * and the RNG self-test's checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ops.h"
#include "selftest.h"
#include "spec.h"
#include "suites.h"
#include "version.h"

static bool match(const char *target, enum ops_route *route,
		  const char **query, size_t *qlen)
{
	return ops_match(target, strlen(target), route, query, qlen);
}

static const struct {
	const char *target;
	enum ops_route route;
	const char *query;             /* NULL: no '?' */
} good_targets[] = {
	{ "/livez", OPS_LIVEZ, NULL },
	{ "/readyz", OPS_READYZ, NULL },
	{ "/metrics", OPS_METRICS, NULL },
	{ "/version", OPS_VERSION, NULL },
	{ "/openapi.yaml", OPS_OPENAPI_YAML, NULL },
	{ "/openapi.json", OPS_OPENAPI_JSON, NULL },
	{ "/livez?", OPS_LIVEZ, "" },
	{ "/metrics?a=1&b", OPS_METRICS, "a=1&b" },
	{ "/live%7A", OPS_LIVEZ, NULL },              /* decoded like request.c */
	{ "/openapi%2Eyaml", OPS_OPENAPI_YAML, NULL },
	{ "http://host:8080/readyz?x", OPS_READYZ, "x" },  /* absolute-form */
	{ "HTTPS://h/version", OPS_VERSION, NULL },
};

START_TEST(test_match)
{
	enum ops_route route = (enum ops_route)-1;
	const char *query = "unset";
	size_t qlen = 99;

	ck_assert_msg(match(good_targets[_i].target, &route, &query, &qlen),
		      "%s", good_targets[_i].target);
	ck_assert_int_eq(route, good_targets[_i].route);
	if (good_targets[_i].query == NULL) {
		ck_assert_ptr_null(query);
		ck_assert_uint_eq(qlen, 0);
	} else {
		ck_assert_uint_eq(qlen, strlen(good_targets[_i].query));
		ck_assert(memcmp(query, good_targets[_i].query, qlen) == 0);
	}
}
END_TEST

/* Not ours: left to request_parse (404, or 400 for a malformed path). */
static const char *const other_targets[] = {
	"/index.html", "/livez/", "/LIVEZ", "/live", "/livezz", "/healthz",
	"/password", "/metrics%", "/metrics%zz", "/livez%00", "/openapi",
	"/openapi.yml", "/readyz#x", "//livez", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"",
};

START_TEST(test_no_match)
{
	enum ops_route route;
	const char *query;
	size_t qlen;

	ck_assert_msg(!match(other_targets[_i], &route, &query, &qlen), "%s",
		      other_targets[_i]);
}
END_TEST

START_TEST(test_empty_queries_pass)
{
	struct request_error err;

	ck_assert_int_eq(ops_check_query(NULL, 0, &err), 0);
	ck_assert_int_eq(ops_check_query("", 0, &err), 0);
	ck_assert_int_eq(ops_check_query("&&&", 3, &err), 0);
}
END_TEST

/* Whatever the query, the error is exactly /healthz's. */
static const char *const bad_queries[] = {
	"a=1", "x", "&&format=json", "%zz=1", "=5", "n%00=1", "a\x01=1",
	"quantity=5", "a=%zz",
};

START_TEST(test_queries_refused_like_healthz)
{
	const char *q = bad_queries[_i];
	struct request_error got, want;
	struct request req;
	char target[128];

	snprintf(target, sizeof(target), "/healthz?%s", q);
	ck_assert_int_eq(request_parse(target, strlen(target), 100, &req,
				       &want), -1);
	ck_assert_int_eq(ops_check_query(q, strlen(q), &got), -1);
	ck_assert_int_eq(got.status, 400);
	ck_assert_int_eq(got.status, want.status);
	ck_assert_str_eq(got.type, want.type);
	ck_assert_str_eq(got.title, want.title);
	ck_assert_str_eq(got.detail, want.detail);
	ck_assert_str_eq(got.parameter, want.parameter);
}
END_TEST

START_TEST(test_metrics_routes)
{
	ck_assert_int_eq(ops_metrics_route(OPS_LIVEZ), METRICS_ROUTE_LIVEZ);
	ck_assert_int_eq(ops_metrics_route(OPS_READYZ), METRICS_ROUTE_READYZ);
	ck_assert_int_eq(ops_metrics_route(OPS_METRICS), METRICS_ROUTE_METRICS);
	ck_assert_int_eq(ops_metrics_route(OPS_VERSION), METRICS_ROUTE_VERSION);
	ck_assert_int_eq(ops_metrics_route(OPS_OPENAPI_YAML),
			 METRICS_ROUTE_OPENAPI);
	ck_assert_int_eq(ops_metrics_route(OPS_OPENAPI_JSON),
			 METRICS_ROUTE_OPENAPI);
}
END_TEST

static void expect_body(enum ops_route route, const char *type,
			const char *body)
{
	struct ops_body out;

	ck_assert_int_eq(ops_render(route, "0.9.75", &out), 0);
	ck_assert_str_eq(out.type, type);
	ck_assert(out.owned);
	ck_assert_uint_eq(out.len, strlen(body));
	ck_assert(memcmp(out.body, body, out.len) == 0);
	free(out.body);
}

START_TEST(test_status_bodies)
{
	struct ops_body out;

	expect_body(OPS_LIVEZ, "application/json", "{\"status\":\"ok\"}");
	expect_body(OPS_READYZ, "application/json", "{\"status\":\"ready\"}");
	ck_assert_int_lt(ops_render(OPS_METRICS, "x", &out), 0);
}
END_TEST

START_TEST(test_version_body)
{
	static const char *const keys[] = { "name", "version", "libmicrohttpd",
		"libsodium", "jansson", "build" };
	struct ops_body out;
	json_error_t jerr;
	json_t *doc;
	const char *key;
	json_t *value;
	size_t i = 0;

	ck_assert_int_eq(ops_render(OPS_VERSION, "0.9.75", &out), 0);
	ck_assert_str_eq(out.type, "application/json");
	doc = json_loadb(out.body, out.len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_uint_eq(json_object_size(doc), 6);
	json_object_foreach(doc, key, value) {
		ck_assert_str_eq(key, keys[i++]);  /* in this order */
		ck_assert(json_is_string(value));
		ck_assert_uint_gt(strlen(json_string_value(value)), 0);
	}
	ck_assert_str_eq(json_string_value(json_object_get(doc, "name")),
			 "pwgend");
	ck_assert_str_eq(json_string_value(json_object_get(doc,
							   "libmicrohttpd")),
			 "0.9.75");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "libsodium")),
			 sodium_version_string());
	json_decref(doc);
	free(out.body);
}
END_TEST

/* The tests run from the repository root, next to the spec files. */
static void expect_file(const char *path, const unsigned char *got,
			size_t len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *want;
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s (run from the repository "
		      "root)", path);
	want = malloc(len + 1);
	ck_assert_ptr_nonnull(want);
	n = fread(want, 1, len + 1, f);
	fclose(f);
	ck_assert_msg(n == len, "%s: %zu bytes, embedded %zu", path, n, len);
	ck_assert_msg(memcmp(want, got, len) == 0, "%s differs", path);
	free(want);
}

/* One embedded copy, openapi.json, behind both routes: only the
 * Content-Type differs (JSON is YAML 1.2; tests/contract parses the
 * /openapi.yaml reply as YAML and compares it with openapi.yaml). */
START_TEST(test_spec_embedded_byte_for_byte)
{
	struct ops_body out;
	size_t len = 0;
	const unsigned char *json = spec_json(&len);

	expect_file("openapi.json", json, len);
	ck_assert_int_eq(ops_render(OPS_OPENAPI_YAML, "x", &out), 0);
	ck_assert_str_eq(out.type, "application/yaml");
	ck_assert(!out.owned);
	ck_assert_ptr_eq(out.body, json);
	ck_assert_uint_eq(out.len, len);
	ck_assert_int_eq(ops_render(OPS_OPENAPI_JSON, "x", &out), 0);
	ck_assert_str_eq(out.type, "application/json");
	ck_assert(!out.owned);
	ck_assert_ptr_eq(out.body, json);
	ck_assert_uint_eq(out.len, len);
}
END_TEST

START_TEST(test_openapi_json_is_json)
{
	size_t len;
	const unsigned char *json = spec_json(&len);
	json_error_t jerr;
	json_t *doc = json_loadb((const char *)json, len, 0, &jerr);

	ck_assert_msg(doc != NULL, "openapi.json: %s", jerr.text);
	ck_assert_ptr_nonnull(json_object_get(doc, "openapi"));
	ck_assert_ptr_nonnull(json_object_get(json_object_get(doc, "paths"),
					      "/password"));
	json_decref(doc);
}
END_TEST

/* ------------------------------------------------------------- selftest */

START_TEST(test_selftest_passes)
{
	unsigned char a[SELFTEST_BLOCK], b[SELFTEST_BLOCK];

	ck_assert_ptr_null(selftest_rng());
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	ck_assert_ptr_null(selftest_check_blocks(a, b, sizeof(a)));
}
END_TEST

START_TEST(test_selftest_catches_broken_sources)
{
	unsigned char a[SELFTEST_BLOCK], b[SELFTEST_BLOCK];

	randombytes_buf(b, sizeof(b));
	memset(a, 0, sizeof(a));
	ck_assert_ptr_nonnull(selftest_check_blocks(a, b, sizeof(a)));
	memset(a, 0xA5, sizeof(a));
	ck_assert_ptr_nonnull(selftest_check_blocks(a, b, sizeof(a)));
	ck_assert_ptr_nonnull(selftest_check_blocks(b, a, sizeof(a)));
	memcpy(a, b, sizeof(a));
	ck_assert_ptr_nonnull(selftest_check_blocks(a, b, sizeof(a)));
	/* varying bytes, but 7 of 8 bits set: far past 6 deviations */
	for (size_t i = 0; i < sizeof(a); i++) {
		a[i] = (unsigned char)(0xFF ^ (1u << (i % 8)));
		b[i] = (unsigned char)(0xFF ^ (1u << ((i + 3) % 8)));
	}
	ck_assert_ptr_nonnull(selftest_check_blocks(a, b, sizeof(a)));
	ck_assert_ptr_nonnull(selftest_check_blocks(a, b, 8));  /* too short */
}
END_TEST

Suite *ops_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *routes = tcase_create("routes");
	TCase *bodies = tcase_create("bodies");
	TCase *selftest = tcase_create("selftest");

	tcase_add_loop_test(routes, test_match, 0,
			    sizeof(good_targets) / sizeof(good_targets[0]));
	tcase_add_loop_test(routes, test_no_match, 0,
			    sizeof(other_targets) / sizeof(other_targets[0]));
	tcase_add_test(routes, test_empty_queries_pass);
	tcase_add_loop_test(routes, test_queries_refused_like_healthz, 0,
			    sizeof(bad_queries) / sizeof(bad_queries[0]));
	tcase_add_test(routes, test_metrics_routes);
	tcase_add_test(bodies, test_status_bodies);
	tcase_add_test(bodies, test_version_body);
	tcase_add_test(bodies, test_spec_embedded_byte_for_byte);
	tcase_add_test(bodies, test_openapi_json_is_json);
	tcase_add_test(selftest, test_selftest_passes);
	tcase_add_test(selftest, test_selftest_catches_broken_sources);
	suite_add_tcase(s, routes);
	suite_add_tcase(s, bodies);
	suite_add_tcase(s, selftest);
	return s;
}
