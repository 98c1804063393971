/*
 * suites.h - the integration suites (one file each) and the fixture they
 * share: a pwgend started once per TCase in an unchecked fixture, i.e. in the
 * runner process before the tests fork, so all tests of the TCase talk to the
 * same server and a crashing test cannot leave it behind.
 */
#ifndef PWGEND_TEST_SUITES_H
#define PWGEND_TEST_SUITES_H

#include <check.h>

#include "harness.h"

Suite *generate_suite(void);
Suite *errors_suite(void);
Suite *http_suite(void);
Suite *load_suite(void);
Suite *lifecycle_suite(void);
Suite *ops_suite(void);
Suite *kinds_suite(void);
Suite *catalogue_suite(void);
Suite *faults_suite(void);
Suite *rfc_fields_suite(void);
Suite *web_suite(void);
Suite *edge_suite(void);
Suite *cli_suite(void);
Suite *complex_suite(void);
Suite *stream_suite(void);
Suite *policies_suite(void);
Suite *wordlists_suite(void);
Suite *known_bugs_suite(void);          /* only with PWGEND_KNOWN_BUGS=1 */

/* The running TCase's server (valid between fixture_start and _stop). */
extern struct server fixture;

/* Start `fixture` with the flags (NULL-terminated, or NULL); a failure to
 * start fails the TCase. */
void fixture_start(const char *const *flags);

/* Kill and reap `fixture`. */
void fixture_stop(void);

/* A TCase whose tests share one server started by `setup` (which calls
 * fixture_start), stopped by fixture_stop, with the given timeout. */
TCase *server_case(const char *name, void (*setup)(void), double timeout);

/* Typical per-TCase timeouts, in seconds (scaled by CK_TIMEOUT_MULTIPLIER);
 * generous because `make asan` runs a sanitized server. */
enum { TIMEOUT_LIGHT = 30, TIMEOUT_HEAVY = 60 };

#endif
