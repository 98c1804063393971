/*
 * check_log_json.c - the JSON access line (--log-format json): every field
 * with its type, names but never values, hostile bytes escaped, bounded
 * size; and the --log-format flag itself.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "log.h"
#include "suites.h"

/* The line as parsed JSON; it must be one line ending in one newline. */
static json_t *line_of(const struct access_record *r,
		       const struct access_gen *gen, char **text)
{
	size_t len = 0;
	char *line = log_format_access_json(r, gen, &len);
	json_error_t err;
	json_t *doc;

	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(strlen(line), len);
	ck_assert_ptr_eq(strchr(line, '\n'), line + len - 1);
	doc = json_loadb(line, len, 0, &err);
	ck_assert_msg(doc != NULL, "%s: %s", err.text, line);
	if (text != NULL)
		*text = line;
	else
		free(line);
	return doc;
}

static const char *str(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

START_TEST(test_generation_line)
{
	static const char *const keys[] = { "time", "level", "message",
		"http.request.method", "url.path", "pwgend.params",
		"http.response.status_code", "http.response.body.size",
		"http.server.request.duration", "pwgend.aborted", "request.id",
		"client.address", "user_agent.original", "pwgend.kind",
		"pwgend.quantity" };
	const char *target = "/password?quantity=10&length=33&symbols=true";
	struct access_record r = { "GET", target, strlen(target), 200, 4242,
				   77, 0, "req-1", "10.0.0.7", "curl/8.0 (x)" };
	struct access_gen gen = { "password", 10 };
	char *text;
	json_t *doc = line_of(&r, &gen, &text), *params;
	regex_t ts;
	const char *key;
	json_t *value;
	size_t i = 0;

	json_object_foreach(doc, key, value)
		ck_assert_str_eq(key, keys[i++]);
	ck_assert_uint_eq(i, 15);
	ck_assert_int_eq(regcomp(&ts, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
				 "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
				 REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&ts, str(doc, "time"), 0, NULL, 0), 0);
	regfree(&ts);
	ck_assert_str_eq(str(doc, "level"), "info");
	ck_assert_str_eq(str(doc, "message"), "GET /password 200");
	ck_assert_str_eq(str(doc, "http.request.method"), "GET");
	ck_assert_str_eq(str(doc, "url.path"), "/password");
	params = json_object_get(doc, "pwgend.params");
	ck_assert_uint_eq(json_array_size(params), 3);
	ck_assert_str_eq(json_string_value(json_array_get(params, 0)),
			 "quantity");
	ck_assert_str_eq(json_string_value(json_array_get(params, 2)),
			 "symbols");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 doc, "http.response.status_code")), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 doc, "http.response.body.size")), 4242);
	ck_assert_double_eq_tol(json_real_value(json_object_get(
					doc, "http.server.request.duration")),
				77e-6, 1e-9);
	ck_assert_str_eq(str(doc, "request.id"), "req-1");
	ck_assert_str_eq(str(doc, "client.address"), "10.0.0.7");
	ck_assert_str_eq(str(doc, "user_agent.original"), "curl/8.0 (x)");
	ck_assert_str_eq(str(doc, "pwgend.kind"), "password");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 doc, "pwgend.quantity")), 10);
	ck_assert(json_is_false(json_object_get(doc, "pwgend.aborted")));
	/* values never appear (after "time", whose digits may hold a 33) */
	ck_assert_ptr_null(strstr(strstr(text, "\"level\""), "33"));
	ck_assert_ptr_null(strstr(text, "true"));
	json_decref(doc);
	free(text);
}
END_TEST

/* Not a generation request, nothing known about the client: those
 * members are left out, not null. */
START_TEST(test_other_line_leaves_out_unknowns)
{
	struct access_record r = { "HEAD", "/livez", 6, 200, 15, 3, 1,
				   NULL, "", NULL };
	json_t *doc = line_of(&r, NULL, NULL);
	static const char *const absent[] = { "pwgend.kind", "pwgend.quantity",
		"request.id", "client.address", "user_agent.original",
		"pwgend.truncated" };

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		ck_assert_msg(json_object_get(doc, absent[i]) == NULL, "%s",
			      absent[i]);
	ck_assert(json_is_true(json_object_get(doc, "pwgend.aborted")));
	ck_assert_uint_eq(json_array_size(json_object_get(doc,
							  "pwgend.params")),
			  0);
	json_decref(doc);
}
END_TEST

/* CR, LF, quotes, backslashes, control and non-ASCII bytes (invalid UTF-8
 * included) from the request all come out as \xNN text inside valid
 * JSON: nothing can end the line or the string early. */
START_TEST(test_hostile_bytes_escaped)
{
	const char target[] = "/x\r\n{\"a\":1}\\\xff\xc3?na\"me\n=v&\x01\x80=2";
	struct access_record r = { "G\"ET", target, sizeof(target) - 1, 404,
				   1, 1, 0, NULL, NULL, NULL };
	char *text;
	json_t *doc = line_of(&r, NULL, &text), *params;

	for (const char *p = text; *p != '\n'; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x",
			      (unsigned char)*p);
	ck_assert_str_eq(str(doc, "url.path"),
			 "/x\\x0D\\x0A{\"a\":1}\\x5C\\xFF\\xC3");
	ck_assert_str_eq(str(doc, "http.request.method"), "G\"ET");
	params = json_object_get(doc, "pwgend.params");
	ck_assert_uint_eq(json_array_size(params), 2);
	ck_assert_str_eq(json_string_value(json_array_get(params, 0)),
			 "na\"me\\x0A");
	ck_assert_str_eq(json_string_value(json_array_get(params, 1)),
			 "\\x01\\x80");
	json_decref(doc);
	free(text);
}
END_TEST

/* Empty pairs are not parameters; a name without '=' is. */
START_TEST(test_param_names)
{
	const char *target = "/pin?&&quantity&=5&length=8&";
	struct access_record r = { "GET", target, strlen(target), 400, 1, 1,
				   0, NULL, NULL, NULL };
	json_t *doc = line_of(&r, NULL, NULL), *params;

	params = json_object_get(doc, "pwgend.params");
	ck_assert_uint_eq(json_array_size(params), 3);
	ck_assert_str_eq(json_string_value(json_array_get(params, 0)),
			 "quantity");
	ck_assert_str_eq(json_string_value(json_array_get(params, 1)), "");
	ck_assert_str_eq(json_string_value(json_array_get(params, 2)),
			 "length");
	json_decref(doc);
}
END_TEST

/* A 16 KiB target of hostile bytes still makes a bounded line, marked. */
START_TEST(test_long_target_truncated)
{
	static char target[16384];
	struct access_record r = { "GET", target, sizeof(target), 414, 1, 1,
				   0, NULL, NULL, NULL };
	char *text;
	json_t *doc;

	memset(target, '\x7f', 400);
	target[400] = '?';
	for (size_t i = 401; i < sizeof(target); i++)
		target[i] = i % 80 == 0 ? '&' : '\x01';
	doc = line_of(&r, NULL, &text);
	ck_assert_uint_lt(strlen(text), 4096);
	ck_assert(json_is_true(json_object_get(doc, "pwgend.truncated")));
	ck_assert_uint_eq(json_array_size(json_object_get(doc,
							  "pwgend.params")),
			  16);
	ck_assert_uint_eq(strlen(str(doc, "url.path")), 4 * 200);
	ck_assert_uint_eq(strlen(json_string_value(json_array_get(
				  json_object_get(doc, "pwgend.params"), 0))),
			  4 * 32);
	json_decref(doc);
	free(text);
}
END_TEST

/* ---------------------------------------------------------------- flag */

static enum config_result load(char **argv, struct config *cfg, char *err)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return config_load(cfg, argc, argv, err, 256);
}

START_TEST(test_log_format_flag)
{
	char *def[] = { "pwgend", NULL };
	char *json[] = { "pwgend", "--log-format", "json", NULL };
	char *text[] = { "pwgend", "--log-format=text", NULL };
	char *bad[] = { "pwgend", "--log-format", "xml", NULL };
	struct config cfg;
	char err[256];

	unsetenv("PWGEND_LOG_FORMAT");
	ck_assert_int_eq(load(def, &cfg, err), CONFIG_OK);
	ck_assert_int_eq(cfg.log_format, LOG_FORMAT_TEXT);
	ck_assert_int_eq(load(json, &cfg, err), CONFIG_OK);
	ck_assert_int_eq(cfg.log_format, LOG_FORMAT_JSON);
	setenv("PWGEND_LOG_FORMAT", "json", 1);
	ck_assert_int_eq(load(def, &cfg, err), CONFIG_OK);
	ck_assert_int_eq(cfg.log_format, LOG_FORMAT_JSON);
	ck_assert_int_eq(load(text, &cfg, err), CONFIG_OK);  /* flag wins */
	ck_assert_int_eq(cfg.log_format, LOG_FORMAT_TEXT);
	ck_assert_int_eq(load(bad, &cfg, err), CONFIG_ERROR);
	ck_assert_str_eq(err, "--log-format: expected text or json, got "
			 "\"xml\"");
	setenv("PWGEND_LOG_FORMAT", "JSON", 1);
	ck_assert_int_eq(load(def, &cfg, err), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "PWGEND_LOG_FORMAT"));
	unsetenv("PWGEND_LOG_FORMAT");
}
END_TEST

Suite *log_json_suite(void)
{
	Suite *s = suite_create("log_json");
	TCase *tc = tcase_create("json");
	TCase *flag = tcase_create("flag");

	tcase_add_test(tc, test_generation_line);
	tcase_add_test(tc, test_other_line_leaves_out_unknowns);
	tcase_add_test(tc, test_hostile_bytes_escaped);
	tcase_add_test(tc, test_param_names);
	tcase_add_test(tc, test_long_target_truncated);
	tcase_add_test(flag, test_log_format_flag);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, flag);
	return s;
}
