/* check_config.c - defaults, environment, flags, and refusals. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpus.h"
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
	ck_assert_uint_ge(cfg.loops, 1);  /* 0 means the usable CPUs */
	ck_assert_uint_eq(cfg.max_quantity, 100000);
	ck_assert(cfg.access_log);
}
END_TEST

START_TEST(test_env_then_flags)
{
	char *argv[] = { "pwgend", "--port", "9000", "--loops=3",
			 "--access-log", "off", NULL };
	struct config cfg;
	char err[256];

	setenv("PORT", "7000", 1);
	setenv("PWGEND_MAX_QUANTITY", "50", 1);
	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert_uint_eq(cfg.port, 9000);            /* flag wins */
	ck_assert_uint_eq(cfg.max_quantity, 50);      /* from env */
	ck_assert_uint_eq(cfg.loops, 3);
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
		{ "pwgend", "--loops=257", NULL },
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
	setenv("PWGEND_LOOPS", "lots", 1);
	{
		char *argv[] = { "pwgend", NULL };

		ck_assert_int_eq(load(&cfg, argv, err), CONFIG_ERROR);
		ck_assert_ptr_nonnull(strstr(err, "PWGEND_LOOPS"));
	}
	unsetenv("PWGEND_LOOPS");
}
END_TEST

/* The settings the loop design replaced are refused by name, flag or
 * environment, with a message that names --loops. */
START_TEST(test_retired_settings_name_loops)
{
	static char *flags[][3] = {
		{ "pwgend", "--threads=4", NULL },
		{ "pwgend", "--schedulers", "2" },
		{ "pwgend", "--inline-max-bytes=0", NULL },
	};
	static const char *const envs[] = { "PWGEND_THREADS",
		"PWGEND_SCHEDULERS", "PWGEND_INLINE_MAX_BYTES" };
	char *none[] = { "pwgend", NULL };
	struct config cfg;
	char err[256];

	for (size_t i = 0; i < 3; i++) {
		char *argv[4] = { flags[i][0], flags[i][1], flags[i][2], NULL };

		ck_assert_int_eq(load(&cfg, argv, err), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "--loops") != NULL, "%s", err);
		setenv(envs[i], "1", 1);
		ck_assert_int_eq(load(&cfg, none, err), CONFIG_ERROR);
		ck_assert_msg(strstr(err, envs[i]) != NULL &&
				      strstr(err, "--loops") != NULL, "%s", err);
		unsetenv(envs[i]);
	}
}
END_TEST

/* cpu.max: a quota rounds up to whole loops; "max" is no limit. */
START_TEST(test_cpu_max_quota)
{
	ck_assert_uint_eq(cpus_from_cpu_max("max 100000\n"), 0);
	ck_assert_uint_eq(cpus_from_cpu_max("200000 100000\n"), 2);
	ck_assert_uint_eq(cpus_from_cpu_max("150000 100000"), 2);
	ck_assert_uint_eq(cpus_from_cpu_max("50000 100000"), 1);
	ck_assert_uint_eq(cpus_from_cpu_max("400000 100000"), 4);
	ck_assert_uint_eq(cpus_from_cpu_max("100000 0"), 0);
	ck_assert_uint_eq(cpus_from_cpu_max(""), 0);
	ck_assert_uint_ge(cpus_usable(CONFIG_MAX_LOOPS), 1);
	ck_assert_uint_eq(cpus_usable(1), 1);
}
END_TEST

/* The default connection limit follows the descriptor limit, keeping a
 * reserve, and stops at CONFIG_AUTO_CONNECTIONS. */
START_TEST(test_connection_limit_from_fds)
{
	char *argv[] = { "pwgend", NULL };
	char *given[] = { "pwgend", "--connection-limit=7", NULL };
	struct config cfg;
	char err[256];

	ck_assert_uint_eq(config_connections_for_fds(64, 2), 50);
	ck_assert_uint_eq(config_connections_for_fds(1024, 2), 954);
	ck_assert_uint_eq(config_connections_for_fds(1024, 32), 864);
	ck_assert_uint_eq(config_connections_for_fds(8192, 2), 8122);
	ck_assert_uint_eq(config_connections_for_fds(1 << 20, 256),
			  CONFIG_AUTO_CONNECTIONS);
	ck_assert_uint_eq(config_connections_for_fds(4, 1), 1);
	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert_uint_ge(cfg.connection_limit, 1);
	ck_assert_uint_le(cfg.connection_limit, CONFIG_AUTO_CONNECTIONS);
	ck_assert_int_eq(load(&cfg, given, err), CONFIG_OK);
	ck_assert_uint_eq(cfg.connection_limit, 7);
}
END_TEST

/* TLS takes both files or neither; strings may be empty only where the
 * default is empty. */
START_TEST(test_tls_files_go_together)
{
	char *both[] = { "pwgend", "--tls-cert=/c.pem", "--tls-key=/k.pem",
			 NULL };
	char *cert_only[] = { "pwgend", "--tls-cert=/c.pem", NULL };
	char *key_only[] = { "pwgend", "--tls-key", "/k.pem", NULL };
	char *empty_bind[] = { "pwgend", "--bind=", NULL };
	char *none[] = { "pwgend", NULL };
	struct config cfg;
	char err[256];

	ck_assert_int_eq(load(&cfg, none, err), CONFIG_OK);
	ck_assert_str_eq(cfg.tls_cert, "");
	ck_assert_int_eq(load(&cfg, both, err), CONFIG_OK);
	ck_assert_str_eq(cfg.tls_cert, "/c.pem");
	ck_assert_str_eq(cfg.tls_key, "/k.pem");
	ck_assert_int_eq(load(&cfg, cert_only, err), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--tls-key"));
	ck_assert_int_eq(load(&cfg, key_only, err), CONFIG_ERROR);
	ck_assert_int_eq(load(&cfg, empty_bind, err), CONFIG_ERROR);
}
END_TEST

START_TEST(test_bare_boolean_flag)
{
	char *argv[] = { "pwgend", "--healthcheck", "--port", "9", NULL };
	char *argv2[] = { "pwgend", "--port", "9", "--healthcheck", NULL };
	struct config cfg;
	char err[256];

	ck_assert_int_eq(load(&cfg, argv, err), CONFIG_OK);
	ck_assert_int_eq(cfg.healthcheck, CONFIG_PROBE_READY);
	ck_assert_uint_eq(cfg.port, 9);
	ck_assert_int_eq(load(&cfg, argv2, err), CONFIG_OK);
	ck_assert_int_eq(cfg.healthcheck, CONFIG_PROBE_READY);
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
	tcase_add_test(tc, test_retired_settings_name_loops);
	tcase_add_test(tc, test_cpu_max_quota);
	tcase_add_test(tc, test_connection_limit_from_fds);
	tcase_add_test(tc, test_tls_files_go_together);
	tcase_add_test(tc, test_bare_boolean_flag);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	return s;
}
