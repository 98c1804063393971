/*
 * check_integration.c - runs every integration suite against the binary named
 * by $PWGEND_BIN (see harness.h). CK_RUN_SUITE / CK_RUN_CASE select a subset,
 * as usual with Check. PWGEND_KNOWN_BUGS=1 adds the known_bugs suite, whose
 * tests fail until the bugs they describe are fixed. Exits non-zero if any
 * test failed.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"

struct server fixture = { .out_fd = -1, .log_fd = -1 };

void fixture_start(const char *const *flags)
{
	ck_assert_msg(server_start(&fixture, flags) == 0,
		      "cannot start %s", server_binary());
}

void fixture_stop(void)
{
	server_stop(&fixture);
}

TCase *server_case(const char *name, void (*setup)(void), double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, fixture_stop);
	tcase_set_timeout(tc, timeout);
	return tc;
}

int main(void)
{
	SRunner *sr = srunner_create(generate_suite());
	int failed;

	srunner_add_suite(sr, errors_suite());
	srunner_add_suite(sr, http_suite());
	srunner_add_suite(sr, load_suite());
	srunner_add_suite(sr, lifecycle_suite());
	srunner_add_suite(sr, ops_suite());
	srunner_add_suite(sr, kinds_suite());
	srunner_add_suite(sr, catalogue_suite());
	srunner_add_suite(sr, faults_suite());
	srunner_add_suite(sr, rfc_fields_suite());
	srunner_add_suite(sr, web_suite());
	srunner_add_suite(sr, edge_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, complex_suite());
	srunner_add_suite(sr, stream_suite());
	srunner_add_suite(sr, policies_suite());
	srunner_add_suite(sr, wordlists_suite());
	if (getenv("PWGEND_KNOWN_BUGS") != NULL &&
	    strcmp(getenv("PWGEND_KNOWN_BUGS"), "1") == 0)
		srunner_add_suite(sr, known_bugs_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
