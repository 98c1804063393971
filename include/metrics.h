/*
 * metrics.h - request counters and their Prometheus text exposition
 * (format 0.0.4, served by GET /metrics).
 *
 * Each event loop records into its own shard, a `struct metrics` that only
 * its thread writes: increments are plain single-writer counters
 * (counter.h) into fixed arrays indexed by route, exact status and latency
 * bucket, with no shared cache line between loops. A scrape, on any loop,
 * sums every shard into its own copy without stopping the others; a counter
 * may move between two reads, but each histogram's _count is computed from
 * the very bucket values printed, so _count always equals its +Inf bucket.
 *
 * The shards are owned by the http module, one per loop's daemon;
 * scheduler-side values (queue, jobs, steps) are read at scrape time and
 * passed in as struct metrics_gauges.
 */
#ifndef PWGEND_METRICS_H
#define PWGEND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"
#include "version.h"

/* The `route` label. A kind's own route is labelled with the kind's name
 * and counted at the kind's index (kinds.h): the first KINDS_COUNT labels
 * are the kinds' (a kind without a route of its own has none); the named
 * ones are kept for the code and tests that name them. */
enum metrics_route {
	METRICS_ROUTE_PASSWORD = GEN_KIND_PASSWORD,
	METRICS_ROUTE_PIN = GEN_KIND_PIN,
	METRICS_ROUTE_PASSPHRASE = GEN_KIND_PASSPHRASE,
	METRICS_ROUTE_TOKEN = GEN_KIND_TOKEN,
	METRICS_ROUTE_HEALTHZ = KINDS_COUNT,
	METRICS_ROUTE_LIVEZ,
	METRICS_ROUTE_READYZ,
	METRICS_ROUTE_METRICS,
	METRICS_ROUTE_VERSION,
	METRICS_ROUTE_OPENAPI,          /* /openapi.yaml and /openapi.json */
	METRICS_ROUTE_POLICIES,         /* GET /policies */
	METRICS_ROUTE_ORIGINAL,         /* the original service's routes */
	METRICS_ROUTE_PAGE,             /* the page at / and its files */
	METRICS_ROUTE_DOCS,             /* /docs and its files */
	METRICS_ROUTE_NOT_FOUND,        /* 404: no such route */
	METRICS_ROUTE_OTHER,            /* refused before routing: 400
					 * malformed, 413, 414, ... */
	METRICS_ROUTE_COUNT,
};

/* The label value, e.g. "password". */
const char *metrics_route_name(enum metrics_route route);

/* Upper bounds of the latency histogram's finite buckets, in microseconds
 * (0.5 ms .. 2.5 s); a +Inf bucket follows. */
enum { METRICS_FINITE_BUCKETS = 12 };
extern const long metrics_bucket_us[METRICS_FINITE_BUCKETS];

struct metrics;

/* A zeroed set of counters, NULL on ENOMEM. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* A finished request: its route, the status sent (0 if none was: the
 * client went away first) and how long it took from request line to last
 * byte. Statuses outside 0..599 count as 0. */
void metrics_observe(struct metrics *m, enum metrics_route route, int status,
		     long duration_us);

/* `n` items of `kind` were generated and sent (200 replies); a kind
 * counted under another's label passes that one (kinds_items_index). */
void metrics_count_items(struct metrics *m, enum gen_kind kind, size_t n);

/* A 503 overloaded: the scheduler's wait queue was full. */
void metrics_count_rejection(struct metrics *m);

/* What the process uses (procstat.h), as Prometheus' process_* metrics
 * name it; `known` false when /proc could not be read (then none is
 * printed). */
struct metrics_process {
	bool known;
	double cpu_seconds;             /* user + system */
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	uint64_t open_fds;
	uint64_t max_fds;
	double start_time_seconds;      /* since the Unix epoch */
};

/* Values owned elsewhere, sampled at scrape time. */
struct metrics_gauges {
	size_t loops;
	size_t inflight_requests;       /* seen by the handler, not completed */
	size_t inflight_bytes;          /* charged to the admission budget */
	size_t inflight_bytes_limit;    /* --max-inflight-bytes */
	size_t open_connections;        /* all loops */
	size_t connection_limit;        /* --connection-limit, settled */
	size_t scheduler_queue_depth;   /* suspended in a scheduler, not done */
	uint64_t jobs_first_slice;      /* sched_stats, summed over loops */
	uint64_t jobs_suspended;
	uint64_t scheduler_rounds;      /* sched_stats.rounds, summed */
	struct metrics_process process;
};

/* The whole exposition of the sum of `n` shards as a malloc'd text (length
 * in *len), NULL on ENOMEM. `v` gives pwgend_build_info's labels. */
char *metrics_render(const struct metrics *const *shards, size_t n,
		     const struct metrics_gauges *g, const struct versions *v,
		     size_t *len);

/* The Content-Type of that text. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
