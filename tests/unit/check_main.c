/*
 * check_main.c - the unit test runner: every module's suite in one SRunner.
 * Tests fork (Check's default), so a crash or a leak (under LeakSanitizer)
 * fails one test, not the run. CK_RUN_SUITE / CK_RUN_CASE select tests.
 */
#include <stdlib.h>

#include <sodium.h>

#include "suites.h"

int main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(request_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, complex_suite());
	srunner_add_suite(sr, gen_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, pwrules_suite());
	srunner_add_suite(sr, policies_suite());
	srunner_add_suite(sr, stats_suite());
	srunner_add_suite(sr, framing_suite());
	srunner_add_suite(sr, gather_suite());
	srunner_add_suite(sr, sched_suite());
	srunner_add_suite(sr, render_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, negotiate_suite());
	srunner_add_suite(sr, log_json_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, ops_suite());
	srunner_add_suite(sr, passphrase_suite());
	srunner_add_suite(sr, wordlist_suite());
	srunner_add_suite(sr, token_suite());
	srunner_add_suite(sr, pin_suite());
	srunner_add_suite(sr, web_suite());
	srunner_add_suite(sr, edge_suite());
	srunner_add_suite(sr, kinds_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
