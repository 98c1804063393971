/* check_config.c - defaults, environment, flags, and refusals. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "suites.h"

static enum config_result load(struct config *cfg, char **argv, char *err)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return config_load(cfg, argc, argv, err, 256);
}

START_TEST(test_defaults)
{
	char *argv[] = { "pwgend", NULL };
	struct config cfg;
	char err[256];

	unsetenv("PORT");
	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert_uint_eq(cfg.port, 8080);
	ck_assert_str_eq(cfg.bind, "0.0.0.0");
	ck_assert_uint_eq(cfg.threads, 1);
	ck_assert_uint_eq(cfg.schedulers, 1);
	ck_assert_uint_eq(cfg.max_quantity, 100000);
	ck_assert(cfg.access_log);
}
END_TEST

START_TEST(test_env_then_flags)
{
	char *argv[] = { "pwgend", "--port", "9000", "--schedulers=2",
			 "--access-log", "off", NULL };
	struct config cfg;
	char err[256];

	setenv("PORT", "7000", 1);
	setenv("PWGEND_MAX_QUANTITY", "50", 1);
	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert_uint_eq(cfg.port, 9000);            /* flag wins */
	ck_assert_uint_eq(cfg.max_quantity, 50);      /* from env */
	ck_assert_uint_eq(cfg.schedulers, 2);
	ck_assert(!cfg.access_log);
	unsetenv("PORT");
	unsetenv("PWGEND_MAX_QUANTITY");
}
END_TEST

START_TEST(test_refusals)
{
	static char *bad[][3] = {
		{ "pwgend", "--port=70000", NULL },
		{ "pwgend", "--port=-1", NULL },
		{ "pwgend", "--threads=0", NULL },
		{ "pwgend", "--max-quantity=abc", NULL },
		{ "pwgend", "--nope=1", NULL },
		{ "pwgend", "--port", NULL },
		{ "pwgend", "stray", NULL },
		{ "pwgend", "--access-log=maybe", NULL },
	};
	struct config cfg;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(load(&cfg, bad[i], err), CONFIG_ERROR);
		ck_assert(err[0] != '\0');
	}
	setenv("PWGEND_THREADS", "lots", 1);
	{
		char *argv[] = { "pwgend", NULL };

		ck_assert_int_eq(load(&cfg, argv, err), CONFIG_ERROR);
		ck_assert_ptr_nonnull(strstr(err, "PWGEND_THREADS"));
	}
	unsetenv("PWGEND_THREADS");
}
END_TEST

START_TEST(test_bare_boolean_flag)
{
	char *argv[] = { "pwgend", "--healthcheck", "--port", "9", NULL };
	char *argv2[] = { "pwgend", "--port", "9", "--healthcheck", NULL };
	struct config cfg;
	char err[256];

	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert(cfg.healthcheck);
	ck_assert_uint_eq(cfg.port, 9);
	ck_assert_int_eq(load(&cfg, argv2, err), CONFIG_OK);
	ck_assert(cfg.healthcheck);
}
END_TEST

START_TEST(test_help)
{
	char *argv[] = { "pwgend", "--help", NULL };
	struct config cfg;
	char err[256];

	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_HELP);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_env_then_flags);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_bare_boolean_flag);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	return s;
}
