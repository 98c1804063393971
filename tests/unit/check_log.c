/* check_log.c - the access line: names but never values, escaped bytes. */
#include <string.h>

#include "log.h"
#include "suites.h"

static const char *format(const char *method, const char *target, int status)
{
	static char line[512];
	struct access_record r = { method, target, strlen(target), status, 42,
				   7, 0, NULL, NULL, NULL };

	log_format_access(line, sizeof(line), &r);
	return line;
}

START_TEST(test_names_without_values)
{
	const char *line = format("GET", "/password?quantity=7&length=33", 200);
	const char *after_time = strchr(line, ' ');  /* the clock may say 33 */

	ck_assert_ptr_nonnull(strstr(line, " GET /password?quantity&length 200 42 7us\n"));
	ck_assert_ptr_null(strstr(after_time, "33"));
	ck_assert_ptr_null(strstr(after_time, "=7"));
}
END_TEST

START_TEST(test_control_bytes_are_escaped)
{
	const char *line = format("GET", "/x%0d%0a\r\nFAKE 200?a\x01=1", 404);

	/* one line, raw CR/LF/control bytes shown as \xNN */
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_ptr_null(strchr(line, '\r'));
	ck_assert_ptr_nonnull(strstr(line, "/x%0d%0a\\x0D\\x0AFAKE\\x20200?a\\x01 404"));
}
END_TEST

START_TEST(test_long_lines_are_cut_but_terminated)
{
	char target[3000];
	char line[256];
	struct access_record r = { "GET", target, sizeof(target), 200, 1, 1,
				   0, NULL, NULL, NULL };
	size_t n;

	memset(target, 'a', sizeof(target));
	n = log_format_access(line, sizeof(line), &r);
	ck_assert_uint_lt(n, sizeof(line));
	ck_assert_int_eq(line[n - 1], '\n');
	ck_assert_int_eq(line[n], '\0');
}
END_TEST

START_TEST(test_aborted_marker)
{
	char line[256];
	struct access_record r = { "GET", "/pin", 4, 200, 10, 5, 1,
				   NULL, NULL, NULL };

	log_format_access(line, sizeof(line), &r);
	ck_assert_ptr_nonnull(strstr(line, "GET /pin 200 10 5us aborted\n"));
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("access");

	tcase_add_test(tc, test_names_without_values);
	tcase_add_test(tc, test_control_bytes_are_escaped);
	tcase_add_test(tc, test_long_lines_are_cut_but_terminated);
	tcase_add_test(tc, test_aborted_marker);
	suite_add_tcase(s, tc);
	return s;
}
