/* check_negotiate.c - Accept header negotiation (RFC 9110 12.5.1). */
#include "negotiate.h"
#include "suites.h"

static const struct {
	const char *accept;
	int ok;
	enum reply_format format;
} cases[] = {
	{ NULL, 1, FORMAT_JSON },
	{ "", 1, FORMAT_JSON },
	{ "   ", 1, FORMAT_JSON },
	{ "*/*", 1, FORMAT_JSON },
	{ "application/json", 1, FORMAT_JSON },
	{ "text/plain", 1, FORMAT_TEXT },
	{ "TEXT/Plain", 1, FORMAT_TEXT },
	{ "application/x-ndjson", 1, FORMAT_NDJSON },
	{ "text/*", 1, FORMAT_TEXT },
	{ "application/*", 1, FORMAT_JSON },
	{ "text/plain; charset=utf-8", 1, FORMAT_TEXT },
	{ "text/plain;q=0.5, application/json", 1, FORMAT_JSON },
	{ "application/json;q=0.1, text/plain;q=0.9", 1, FORMAT_TEXT },
	{ "text/html, text/plain;q=0.8, */*;q=0.1", 1, FORMAT_TEXT },
	{ "*/*;q=0.5, application/json;q=0", 1, FORMAT_TEXT },
	{ "text/plain, application/json", 1, FORMAT_JSON },  /* tie */
	{ "image/png", 0, FORMAT_JSON },
	{ "text/html", 0, FORMAT_JSON },
	{ "application/json;q=0", 0, FORMAT_JSON },
	{ "*/*;q=0", 0, FORMAT_JSON },
	{ "garbage", 0, FORMAT_JSON },
	{ "text/plain;q=abc", 1, FORMAT_TEXT },  /* malformed q counts as 1 */
};

START_TEST(test_negotiate)
{
	enum reply_format f = FORMAT_NDJSON;
	int rc = negotiate_format(cases[_i].accept, &f);

	ck_assert_msg((rc == 0) == cases[_i].ok, "%s: rc %d",
		      cases[_i].accept ? cases[_i].accept : "(null)", rc);
	if (cases[_i].ok)
		ck_assert_msg(f == cases[_i].format, "%s: format %d",
			      cases[_i].accept ? cases[_i].accept : "(null)",
			      (int)f);
}
END_TEST

Suite *negotiate_suite(void)
{
	Suite *s = suite_create("negotiate");
	TCase *tc = tcase_create("accept");

	tcase_add_loop_test(tc, test_negotiate, 0,
			    sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return s;
}
