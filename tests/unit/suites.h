/* suites.h - one Check suite per module; check_main.c runs them all. */
#ifndef PWGEND_TEST_SUITES_H
#define PWGEND_TEST_SUITES_H

#include <check.h>

Suite *complex_suite(void);
Suite *config_suite(void);
Suite *edge_suite(void);
Suite *framing_suite(void);
Suite *gather_suite(void);
Suite *gen_suite(void);
Suite *kinds_suite(void);
Suite *log_suite(void);
Suite *negotiate_suite(void);
Suite *log_json_suite(void);
Suite *metrics_suite(void);
Suite *ops_suite(void);
Suite *passphrase_suite(void);
Suite *pin_suite(void);
Suite *policy_suite(void);
Suite *policies_suite(void);
Suite *pwrules_suite(void);
Suite *render_suite(void);
Suite *request_suite(void);
Suite *sched_suite(void);
Suite *stats_suite(void);
Suite *token_suite(void);
Suite *web_suite(void);
Suite *wordlist_suite(void);

#endif
