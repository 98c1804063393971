/*
 * main.c - process wiring only: configuration, process hardening, library
 * initialisation (before any thread starts), the schedulers and the HTTP
 * daemon, then wait for a signal and shut down in the one safe order:
 *
 *   quiesce HTTP (refuse new work) -> let in-flight requests finish, up to
 *   --grace seconds -> stop the schedulers (anything left is cancelled and
 *   its connection resumed with a 503) -> stop the HTTP daemon.
 *
 * libmicrohttpd aborts if stopped while a connection is suspended; stopping
 * every scheduler first guarantees each suspended connection was resumed.
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

#include <jansson.h>
#include <sodium.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "probe.h"
#include "sched.h"
#include "secmem.h"
#include "selftest.h"

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
}

/* Block the shutdown signals in every thread (they inherit this mask), so
 * that only sigwaitinfo() in main receives them. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int start_schedulers(const struct config *cfg, struct sched **scheds)
{
	struct sched_config sc = {
		.quantum = cfg->quantum,
		.window = cfg->window,
		.budget = cfg->max_inflight_bytes / cfg->schedulers,
		.max_queue = cfg->max_queue,
	};

	for (size_t i = 0; i < cfg->schedulers; i++) {
		scheds[i] = sched_start(&sc);
		if (scheds[i] == NULL)
			return -1;
	}
	return 0;
}

static void stop_schedulers(struct sched **scheds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (scheds[i] != NULL)
			sched_stop(scheds[i]);
	}
}

static void free_schedulers(struct sched **scheds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sched_free(scheds[i]);
	free(scheds);
}

/* Check the random source before serving. A failure is logged and served
 * as "not ready" (GET /readyz 503, generation refused) rather than a crash
 * loop, so an orchestrator sees why; see selftest.h for what it can and
 * cannot detect. */
static bool rng_selftest(void)
{
	const char *why = selftest_rng();

	if (why != NULL)
		log_info("RNG self-test failed: %s; not ready, refusing to "
			 "generate", why);
	return why == NULL;
}

static int serve(const struct config *cfg, const sigset_t *signals)
{
	struct sched **scheds = calloc(cfg->schedulers, sizeof(*scheds));
	struct http *http = NULL;
	bool ready = rng_selftest();
	char err[256];
	int sig = 0;

	if (scheds == NULL || start_schedulers(cfg, scheds) < 0) {
		log_info("cannot start schedulers: %s", strerror(errno));
		goto out;
	}
	http = http_start(cfg, scheds, cfg->schedulers, ready, err,
			  sizeof(err));
	if (http == NULL) {
		log_info("%s", err);
		goto out;
	}
	printf("pwgend listening on http://%s%s%s:%u\n",
	       strchr(cfg->bind, ':') ? "[" : "", cfg->bind,
	       strchr(cfg->bind, ':') ? "]" : "", http_port(http));
	fflush(stdout);
	while ((sig = sigwaitinfo(signals, NULL)) < 0 && errno == EINTR)
		;
	log_info("%s received, draining (grace %zus)", strsignal(sig),
		 cfg->grace);
	http_quiesce(http);
	if (http_wait_idle(http, (long)cfg->grace * 1000) > 0)
		log_info("grace period over, cancelling what is left");
out:
	if (scheds != NULL)
		stop_schedulers(scheds, cfg->schedulers);
	/* Cancelled jobs were resumed with a 503; give those replies a moment
	 * to go out before the daemon closes every connection. */
	if (http != NULL)
		http_wait_idle(http, 1000);
	http_stop(http);
	if (scheds != NULL)
		free_schedulers(scheds, cfg->schedulers);
	if (sig > 0)
		log_info("stopped");
	return sig > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct config cfg;
	sigset_t signals;
	char err[256];

	switch (config_load(&cfg, argc, argv, err, sizeof(err))) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "pwgend: %s\n", err);
		return 2;
	case CONFIG_OK:
		break;
	}
	if (cfg.healthcheck)
		return probe_healthz((unsigned)cfg.port,
				     strchr(cfg.bind, ':') != NULL, 2000) == 200
			       ? 0
			       : 1;
	secmem_wipe_jansson();
	harden_process();
	tune_malloc();
	block_signals(&signals);
	if (sodium_init() < 0) {
		log_info("sodium_init failed: refusing to start");
		return 1;
	}
	json_object_seed(0);
	return serve(&cfg, &signals);
}
