/*
 * main.c - process wiring only: configuration, process hardening, library
 * initialisation (before any thread starts), the listening socket and the
 * event loops, then wait for a signal and shut down in the one safe order:
 *
 *   every loop stops accepting -> in-flight requests finish, up to --grace
 *   seconds -> every loop cancels what is left (its connections are resumed
 *   with a 503) -> every loop stops its daemon -> close the socket.
 *
 * libmicrohttpd aborts if stopped while a connection is suspended;
 * cancelling every job first guarantees each suspended connection was
 * resumed.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "admin.h"
#include "admission.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "policyfile.h"
#include "probe.h"
#include "sched.h"
#include "secmem.h"
#include "selftest.h"
#include "tls.h"
#include "wordlist.h"

/* Each loop has a place in the admission's table of waiting heads. */
_Static_assert((int)CONFIG_MAX_LOOPS <= (int)ADMISSION_MAX_LOOPS,
	       "more loops than admission has heads for");

/* Every connection is a descriptor: take all the hard limit allows (the
 * soft limit is often 1024 where the hard one is 512 K), so that the
 * default --connection-limit can follow it. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* No core dumps: a core file would hold generated secrets. */
static void harden_process(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Replies of 256 KiB and more get their own mapping, returned to the kernel
 * when freed. glibc's default threshold adapts upwards after the first large
 * free, after which multi-megabyte replies came from a heap that fragments
 * and never shrinks: peak RSS under 256 concurrent 100000-item requests was
 * 133 MiB with the default and 70 MiB with this (bench/RESULTS.md). */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* One arena for every thread. glibc gives each thread its own arena,
	 * each reserving 64 MiB of address space; under an address-space
	 * limit (ulimit -v 100000) that reservation fails and every malloc
	 * takes a slow path: 579 req/s at quantity=1 against 58k with one
	 * arena. The per-thread tcache serves the small allocations of a
	 * request without the arena lock, so one arena costs nothing
	 * measurable (wrk, 2 loops, interleaved: 46-54k vs 49-55k req/s). */
	mallopt(M_ARENA_MAX, 1);
}

/* Block the signals main handles in every thread (they inherit this mask),
 * so that only sigwaitinfo() in main receives them. SIGHUP, whose default
 * action would kill the process on the spot, is among them. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Check the random source before serving. A failure is logged and served
 * as "not ready" (GET /readyz 503, generation refused) rather than a crash
 * loop, so an orchestrator sees why; see selftest.h for what it can and
 * cannot detect. */
static bool rng_selftest(void)
{
	const char *why = selftest_rng();

	if (why != NULL)
		log_error("RNG self-test failed: %s; not ready, refusing to "
			 "generate", why);
	return why == NULL;
}

/* Log the address actually served: tests and scripts read this line. */
static void announce(const struct config *cfg, const struct http *http,
		     const struct admin *admin)
{
	bool v6 = strchr(cfg->bind, ':') != NULL;
	char url[128];

	snprintf(url, sizeof(url), "%s://%s%s%s:%u",
		 tls_enabled() ? "https" : "http", v6 ? "[" : "", cfg->bind,
		 v6 ? "]" : "", http_port(http));
	if (admin != NULL)
		log_info("admin listener (/metrics /version /livez /readyz) on "
			 "http://%s%s%s:%u", strchr(cfg->admin_bind, ':') ? "["
									  : "",
			 cfg->admin_bind,
			 strchr(cfg->admin_bind, ':') ? "]" : "",
			 admin_port(admin));
	log_listening(url, cfg->bind, http_port(http));
}

/* SIGTERM: stop accepting, let in-flight requests finish within --grace,
 * cancel what is left (503 draining), give those replies a moment, stop. */
/* The whole drain fits in --grace: in-flight requests get all of it but
 * the last fifth (at most 1 s), which is left for the 503s of what is then
 * cancelled to go out. */
static void drain(const struct config *cfg, struct http *http,
		  struct loops *loops, int sig)
{
	long grace_ms = (long)cfg->grace * 1000;
	long flush_ms = grace_ms / 5 < 1000 ? grace_ms / 5 : 1000;

	log_info("%s received, draining (grace %zus)", strsignal(sig),
		 cfg->grace);
	http_begin_drain(http);
	loops_drain(loops);
	http_close_listener(http);
	if (http_wait_idle(http, grace_ms - flush_ms) > 0)
		log_info("grace period over, cancelling what is left");
	loops_cancel(loops);
	http_wait_idle(http, flush_ms);
}

/* The named policies of --policies: a new set, or NULL with why in err. */
static struct policies *load_policies(const struct config *cfg, char *err,
				      size_t errlen)
{
	struct policyfile_limits lim = { cfg->max_quantity };

	return policyfile_load(cfg->policies, &lim, err, errlen);
}

/* SIGHUP, --policies: read the file again and swap the set in whole; a
 * bad file keeps the old set (and says why, naming the line). */
static void reload_policies(const struct config *cfg, struct http *http)
{
	char err[512];
	struct policies *set = load_policies(cfg, err, sizeof(err));
	size_t count = set != NULL ? set->count : 0;

	if (set == NULL)
		log_info("SIGHUP received: policies reload failed, keeping the "
			 "old set: %s", err);
	else if (!http_set_policies(http, set))
		log_info("SIGHUP received: %zu policies loaded from %s (the "
			 "old set is kept until a later reload: a loop was "
			 "busy)", count,
			 cfg->policies);
	else
		log_info("SIGHUP received: %zu policies loaded from %s", count,
			 cfg->policies);
}

/* SIGHUP: load the TLS certificate and key again, and the policies; a bad
 * file keeps the old one (and says why). */
static void reload(const struct config *cfg, struct http *http)
{
	char err[512];

	if (cfg->policies[0] != '\0')
		reload_policies(cfg, http);
	if (!tls_enabled() && cfg->policies[0] == '\0')
		log_info("SIGHUP received: nothing to reload, serving on");
	else if (!tls_enabled())
		return;
	else if (tls_reload(err, sizeof(err)) < 0)
		log_info("SIGHUP received: TLS reload failed, keeping the old "
			 "certificate: %s", err);
	else
		log_info("SIGHUP received: TLS certificate reloaded");
}

/* Wait for a signal that stops the server, reloading on SIGHUP. */
static int wait_for_stop(const sigset_t *signals, const struct config *cfg,
			 struct http *http)
{
	for (;;) {
		int sig = sigwaitinfo(signals, NULL);

		if (sig == SIGHUP)
			reload(cfg, http);
		else if (sig > 0)
			return sig;
	}
}

/* --healthcheck: the admin listener when there is one (plain HTTP, where
 * an orchestrator's probes go), else the public port. Exit status 0 on
 * 200. */
static int healthcheck(const struct config *cfg)
{
	const char *path = cfg->healthcheck == CONFIG_PROBE_LIVE ? "/livez"
								 : "/readyz";
	bool admin = cfg->admin_port != 0;
	const char *bind = admin ? cfg->admin_bind : cfg->bind;
	unsigned port = (unsigned)(admin ? cfg->admin_port : cfg->port);
	bool tls = !admin && cfg->tls_cert[0] != '\0';

	return probe_healthz(port, strchr(bind, ':') != NULL, tls, path,
			     2000) == 200
		       ? 0
		       : 1;
}

static int serve(const struct config *cfg, const sigset_t *signals)
{
	struct sched_config sc = { .quantum = cfg->quantum,
				   .window = cfg->window };
	struct admission adm;
	struct admin *admin = NULL;
	struct policies *policies = NULL;
	struct http *http;
	struct loops *loops;
	char err[1024];
	int sig = 0;

	admission_init(&adm, cfg->max_inflight_bytes, cfg->max_queue,
		       cfg->loops);
	if (cfg->tls_cert[0] != '\0' &&
	    tls_load(cfg->tls_cert, cfg->tls_key, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	if (cfg->policies[0] != '\0' &&
	    (policies = load_policies(cfg, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return 1;
	}
	http = http_new(cfg, cfg->loops, rng_selftest(), &adm, err,
			sizeof(err));
	if (http == NULL) {
		log_error("%s", err);
		policies_free(policies);
		return 1;
	}
	http_set_policies(http, policies);  /* no loop runs yet */
	loops = loops_start(http, cfg->loops, &sc, &adm, err, sizeof(err));
	if (loops == NULL) {
		log_error("%s", err);
		http_free(http);
		return 1;
	}
	if (cfg->admin_port != 0 &&
	    (admin = admin_start(cfg, http, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		loops_stop(loops);
		http_free(http);
		return 1;
	}
	announce(cfg, http, admin);
	sig = wait_for_stop(signals, cfg, http);
	drain(cfg, http, loops, sig);
	/* the admin thread reads the loops' schedulers: it goes first */
	admin_stop(admin);
	loops_stop(loops);
	http_free(http);
	tls_shutdown();
	log_info("stopped");
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	sigset_t signals;
	char err[512];

	if (argc > 1 && cli_is_command(argv[1])) {
		harden_process();
		if (sodium_init() < 0) {
			log_error("sodium_init failed");
			return 1;
		}
		return cli_run(argc, argv, STDOUT_FILENO);
	}
	raise_fd_limit();  /* `pwgend [serve] --flags`: config_load skips it */
	switch (config_load(&cfg, argc, argv, err, sizeof(err))) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_ERROR:
		/* in JSON if the format was read before the error */
		log_set_format((enum log_format)cfg.log_format);
		log_error("%s", err);
		return 2;
	case CONFIG_OK:
		break;
	}
	log_set_format((enum log_format)cfg.log_format);
	if (cfg.healthcheck != CONFIG_PROBE_OFF)
		return healthcheck(&cfg);
	/* before any thread: the lists are read-only from here on */
	if (wordlist_load_specs(cfg.wordlists, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 2;
	}
	secmem_wipe_jansson();
	harden_process();
	tune_malloc();
	block_signals(&signals);
	if (sodium_init() < 0) {
		log_error("sodium_init failed: refusing to start");
		return 1;
	}
	json_object_seed(0);
	return serve(&cfg, &signals);
}
