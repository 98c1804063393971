/*
 * check_kinds.c - the registry of kinds (kinds.h) against the contract:
 * every generation route of openapi.json (the JSON form of openapi.yaml,
 * which `make spec-check` keeps equal; embedded at build time) lists
 * exactly the parameters that pwgend parses on it, and every kind's own
 * route is in the spec.
 */
#include <string.h>

#include <jansson.h>

#include "kind.h"
#include "request.h"
#include "spec.h"
#include "suites.h"

static json_t *load_spec(void)
{
	size_t len = 0;
	const unsigned char *text = spec_json(&len);
	json_t *spec = json_loadb((const char *)text, len, 0, NULL);

	ck_assert_ptr_nonnull(spec);
	return spec;
}

/* A parameter object, following a local "$ref". */
static json_t *resolve(json_t *spec, json_t *param)
{
	const char *ref = json_string_value(json_object_get(param, "$ref"));
	const char *name = ref != NULL ? strrchr(ref, '/') : NULL;

	if (ref == NULL)
		return param;
	return json_object_get(json_object_get(json_object_get(
				       spec, "components"), "parameters"),
			       name != NULL ? name + 1 : ref);
}

/* names[0, n) sorted, as one comma-separated list. */
static void join_sorted(const char **names, size_t n, char *out, size_t cap)
{
	for (size_t i = 1; i < n; i++)  /* insertion sort: a few names */
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			 i > 0 ? "," : "", names[i]);
}

/* The query parameters of a path item, path- and operation-level, as one
 * sorted, comma-separated list. */
static void spec_names(json_t *spec, json_t *item, char *out, size_t cap)
{
	const char *names[64];
	size_t n = 0;
	const char *key;
	json_t *value;

	json_object_foreach(item, key, value) {
		json_t *list = strcmp(key, "parameters") == 0
				       ? value
				       : json_object_get(value, "parameters");

		for (size_t i = 0; i < json_array_size(list) && n < 64; i++) {
			json_t *p = resolve(spec, json_array_get(list, i));
			const char *in = json_string_value(
				json_object_get(p, "in"));

			if (in != NULL && strcmp(in, "query") == 0)
				names[n++] = json_string_value(
					json_object_get(p, "name"));
		}
	}
	join_sorted(names, n, out, cap);
}

/* The same list from the registry, for the route a spec path names;
 * false if the path is no generation route of pwgend's. */
static bool registry_names(const char *path, char *out, size_t cap)
{
	const struct kind_param *params[64];
	const char *names[64];
	const struct kind_query *q = NULL;
	bool explain;
	size_t n;

	if (!request_route_query(path, strlen(path), &q, &explain))
		return false;
	n = kind_route_params(q, explain, params, 64);
	for (size_t i = 0; i < n; i++)
		names[i] = params[i]->name;
	join_sorted(names, n, out, cap);
	return true;
}

START_TEST(test_spec_lists_the_registry_parameters)
{
	json_t *spec = load_spec(), *item;
	const char *path;
	size_t checked = 0;

	json_object_foreach(json_object_get(spec, "paths"), path, item) {
		char want[1024], have[1024];

		if (!registry_names(path, want, sizeof(want)))
			continue;
		spec_names(spec, item, have, sizeof(have));
		ck_assert_msg(strcmp(want, have) == 0,
			      "%s: openapi.yaml lists [%s], pwgend parses [%s]",
			      path, have, want);
		checked++;
	}
	ck_assert_uint_ge(checked, 2 * 4);
	json_decref(spec);
}
END_TEST

START_TEST(test_every_kind_route_is_in_the_spec)
{
	json_t *spec = load_spec();
	json_t *paths = json_object_get(spec, "paths");

	for (size_t k = 0; k < KINDS_COUNT; k++) {
		char path[64];

		if (!kinds_has_route((enum gen_kind)k))
			continue;
		snprintf(path, sizeof(path), "/%s", gen_kind_name(k));
		ck_assert_msg(json_object_get(paths, path) != NULL,
			      "%s is not in openapi.yaml", path);
		snprintf(path, sizeof(path), "/%s/explain", gen_kind_name(k));
		ck_assert_msg(json_object_get(paths, path) != NULL,
			      "%s is not in openapi.yaml", path);
	}
	json_decref(spec);
}
END_TEST

START_TEST(test_registry_names_and_labels)
{
	bool explain = false;

	ck_assert_str_eq(gen_kind_name(GEN_KIND_TOKEN), "token");
	ck_assert_str_eq(kinds_label(GEN_KIND_COMPLEX), "password");
	ck_assert_int_eq(kinds_items_index(GEN_KIND_COMPLEX),
			 GEN_KIND_PASSWORD);
	ck_assert_int_eq(kinds_items_index(GEN_KIND_PIN), GEN_KIND_PIN);
	ck_assert_int_eq(kinds_find_route("/pin", 4, &explain), GEN_KIND_PIN);
	ck_assert(!explain);
	ck_assert_int_eq(kinds_find_route("/pin/explain", 12, &explain),
			 GEN_KIND_PIN);
	ck_assert(explain);
	ck_assert_int_eq(kinds_find_route("/complex", 8, &explain), -1);
	ck_assert_ptr_null(kinds_get(GEN_KIND_COUNT));
}
END_TEST

Suite *kinds_suite(void)
{
	Suite *s = suite_create("kinds");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_spec_lists_the_registry_parameters);
	tcase_add_test(tc, test_every_kind_route_is_in_the_spec);
	tcase_add_test(tc, test_registry_names_and_labels);
	suite_add_tcase(s, tc);
	return s;
}
