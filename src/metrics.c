/*
 * metrics.c - see metrics.h. Counters are plain arrays of single-writer
 * counters (counter.h): nothing orders one counter against another, and a
 * scrape only needs each value to be some recent one.
 */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>

#include "counter.h"

/* Statuses are counted exactly; 0 means no reply was sent. */
enum { STATUS_SLOTS = 600 };

struct histogram {
	counter bucket[METRICS_FINITE_BUCKETS + 1];  /* not cumulative; last
						      * is +Inf */
	counter sum_us;
};

struct metrics {
	counter requests[METRICS_ROUTE_COUNT][STATUS_SLOTS];
	struct histogram duration[METRICS_ROUTE_COUNT];
	counter items[KINDS_COUNT];                   /* by enum gen_kind */
	counter rejections;
};

const long metrics_bucket_us[METRICS_FINITE_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000,
};

/* The same bounds as Prometheus prints them (le="..."). */
static const char *const bucket_le[METRICS_FINITE_BUCKETS + 1] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "+Inf",
};

/* The kinds' labels are their names (kinds.h); these follow them. */
static const char *const route_names[METRICS_ROUTE_COUNT] = {
	[METRICS_ROUTE_HEALTHZ] = "healthz",
	[METRICS_ROUTE_LIVEZ] = "livez",
	[METRICS_ROUTE_READYZ] = "readyz",
	[METRICS_ROUTE_METRICS] = "metrics",
	[METRICS_ROUTE_VERSION] = "version",
	[METRICS_ROUTE_OPENAPI] = "openapi",
	[METRICS_ROUTE_POLICIES] = "policies",
	[METRICS_ROUTE_ORIGINAL] = "original",
	[METRICS_ROUTE_PAGE] = "page",
	[METRICS_ROUTE_DOCS] = "docs",
	[METRICS_ROUTE_NOT_FOUND] = "not_found",
	[METRICS_ROUTE_OTHER] = "other",
};

const char *metrics_route_name(enum metrics_route route)
{
	if ((unsigned)route < KINDS_COUNT)
		return gen_kind_name((enum gen_kind)route);
	return (unsigned)route < METRICS_ROUTE_COUNT ? route_names[route]
						     : "other";
}

/* Is label `r` one a request can be counted under? A kind without a route
 * of its own has none. */
static bool route_label_used(size_t r)
{
	return r >= KINDS_COUNT || kinds_has_route((enum gen_kind)r);
}

static void bump(counter *c, uint64_t n)
{
	counter_add(c, n);
}

static uint64_t get(const counter *c)
{
	return counter_get(c);
}

struct metrics *metrics_new(void)
{
	/* all-zero bytes are zero counters: atomics have no other state on
	 * the platforms we build for (lock-free 64-bit) */
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	free(m);
}

static size_t bucket_of(long us)
{
	size_t i = 0;

	while (i < METRICS_FINITE_BUCKETS && us > metrics_bucket_us[i])
		i++;
	return i;
}

void metrics_observe(struct metrics *m, enum metrics_route route, int status,
		     long duration_us)
{
	struct histogram *h;

	if ((unsigned)route >= METRICS_ROUTE_COUNT)
		route = METRICS_ROUTE_OTHER;
	if (status < 0 || status >= STATUS_SLOTS)
		status = 0;
	if (duration_us < 0)
		duration_us = 0;
	h = &m->duration[route];
	bump(&m->requests[route][status], 1);
	bump(&h->bucket[bucket_of(duration_us)], 1);
	bump(&h->sum_us, (uint64_t)duration_us);
}

void metrics_count_items(struct metrics *m, enum gen_kind kind, size_t n)
{
	if ((unsigned)kind < KINDS_COUNT)
		bump(&m->items[kind], n);
}

void metrics_count_rejection(struct metrics *m)
{
	bump(&m->rejections, 1);
}

/* Add every counter of `shard` into `sum` (the scrape's own copy). */
static void add_shard(struct metrics *sum, const struct metrics *shard)
{
	const counter *from = (const counter *)shard;
	counter *to = (counter *)sum;

	/* struct metrics is nothing but counters */
	for (size_t i = 0; i < sizeof(*sum) / sizeof(counter); i++)
		bump(&to[i], get(&from[i]));
}

/* ============================================================ exposition */

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped (format
 * 0.0.4); other bytes pass through (our values are ASCII). */
static void label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void render_requests(FILE *f, const struct metrics *m)
{
	family(f, "pwgend_requests_total", "counter",
	       "Requests answered, by route and HTTP status code (0: no "
	       "reply was sent).");
	for (size_t r = 0; r < METRICS_ROUTE_COUNT; r++) {
		for (size_t s = 0; s < STATUS_SLOTS; s++) {
			uint64_t n = get(&m->requests[r][s]);

			if (n != 0)
				fprintf(f, "pwgend_requests_total{route=\"%s\","
					"code=\"%zu\"} %ju\n",
					metrics_route_name(r), s,
					(uintmax_t)n);
		}
	}
}

static void render_histogram(FILE *f, const char *route,
			     const struct histogram *h)
{
	uint64_t cumulative = 0;

	for (size_t i = 0; i <= METRICS_FINITE_BUCKETS; i++) {
		cumulative += get(&h->bucket[i]);
		fprintf(f, "pwgend_request_duration_seconds_bucket{route=\"%s\","
			"le=\"%s\"} %ju\n", route, bucket_le[i],
			(uintmax_t)cumulative);
	}
	fprintf(f, "pwgend_request_duration_seconds_sum{route=\"%s\"} "
		"%.6f\n", route, (double)get(&h->sum_us) / 1e6);
	fprintf(f, "pwgend_request_duration_seconds_count{route=\"%s\"} "
		"%ju\n", route, (uintmax_t)cumulative);
}

static void render_durations(FILE *f, const struct metrics *m)
{
	family(f, "pwgend_request_duration_seconds", "histogram",
	       "Time from request line to last byte sent, by route.");
	for (size_t r = 0; r < METRICS_ROUTE_COUNT; r++) {
		if (route_label_used(r))
			render_histogram(f, metrics_route_name(r),
					 &m->duration[r]);
	}
}

static void render_counter(FILE *f, const char *name, const char *help,
			   uint64_t value)
{
	family(f, name, "counter", help);
	fprintf(f, "%s %ju\n", name, (uintmax_t)value);
}

static void render_gauge(FILE *f, const char *name, const char *help,
			 uint64_t value)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %ju\n", name, (uintmax_t)value);
}

static void render_work(FILE *f, const struct metrics *m,
			const struct metrics_gauges *g)
{
	family(f, "pwgend_items_generated_total", "counter",
	       "Items sent in 200 replies, by kind.");
	for (size_t k = 0; k < KINDS_COUNT; k++) {
		if (kinds_items_index((enum gen_kind)k) == k)  /* own label */
			fprintf(f, "pwgend_items_generated_total{kind=\"%s\"} "
				"%ju\n", kinds_label((enum gen_kind)k),
				(uintmax_t)get(&m->items[k]));
	}
	family(f, "pwgend_jobs_total", "counter",
	       "Generation jobs finished, by when: within the first slice, "
	       "answered without suspending the connection, or later, "
	       "suspended between slices.");
	fprintf(f, "pwgend_jobs_total{finished=\"first_slice\"} %ju\n",
		(uintmax_t)g->jobs_first_slice);
	fprintf(f, "pwgend_jobs_total{finished=\"suspended\"} %ju\n",
		(uintmax_t)g->jobs_suspended);
	render_counter(f, "pwgend_scheduler_rounds_total",
		       "Round-robin rounds run by the schedulers.",
		       g->scheduler_rounds);
	render_counter(f, "pwgend_admission_rejections_total",
		       "Requests refused with 503 overloaded because the "
		       "reply budget was spent and --max-queue jobs waited.",
		       get(&m->rejections));
	render_gauge(f, "pwgend_inflight_requests",
		     "Requests being handled (seen by the handler, not yet "
		     "completed).", g->inflight_requests);
	render_gauge(f, "pwgend_scheduler_queue_depth",
		     "Jobs suspended in a scheduler and not finished yet "
		     "(waiting for budget or being generated).",
		     g->scheduler_queue_depth);
	render_gauge(f, "pwgend_inflight_bytes",
		     "Reply bytes charged to the admission budget "
		     "(--max-inflight-bytes).", g->inflight_bytes);
	render_gauge(f, "pwgend_inflight_bytes_limit",
		     "The admission budget (--max-inflight-bytes): at "
		     "pwgend_inflight_bytes, requests wait and then get 503.",
		     g->inflight_bytes_limit);
	render_gauge(f, "pwgend_open_connections",
		     "Client connections open on the public port.",
		     g->open_connections);
	render_gauge(f, "pwgend_connection_limit",
		     "Connections the public port accepts at once "
		     "(--connection-limit, or what the descriptor limit "
		     "allows).", g->connection_limit);
	render_gauge(f, "pwgend_loops",
		     "Event loops serving (--loops).", g->loops);
}

/* Prometheus' standard process metrics (client libraries' names and
 * units), so that the usual dashboards work unchanged. */
static void render_process(FILE *f, const struct metrics_process *p)
{
	if (!p->known)
		return;
	family(f, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	fprintf(f, "process_cpu_seconds_total %.2f\n", p->cpu_seconds);
	render_gauge(f, "process_resident_memory_bytes",
		     "Resident memory size in bytes.", p->resident_bytes);
	render_gauge(f, "process_virtual_memory_bytes",
		     "Virtual memory size in bytes.", p->virtual_bytes);
	render_gauge(f, "process_open_fds", "Number of open file descriptors.",
		     p->open_fds);
	render_gauge(f, "process_max_fds",
		     "Maximum number of open file descriptors.", p->max_fds);
	family(f, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	fprintf(f, "process_start_time_seconds %.2f\n",
		p->start_time_seconds);
}

static void render_build_info(FILE *f, const struct versions *v)
{
	family(f, "pwgend_build_info", "gauge",
	       "Always 1; the labels say what is running.");
	fputs("pwgend_build_info{version=\"", f);
	label_value(f, v->version);
	fputs("\",libmicrohttpd=\"", f);
	label_value(f, v->libmicrohttpd);
	fputs("\",libsodium=\"", f);
	label_value(f, v->libsodium);
	fputs("\",jansson=\"", f);
	label_value(f, v->jansson);
	fputs("\"} 1\n", f);
}

char *metrics_render(const struct metrics *const *shards, size_t n,
		     const struct metrics_gauges *g, const struct versions *v,
		     size_t *len)
{
	struct metrics *m = metrics_new();
	char *text = NULL;
	size_t size = 0;
	FILE *f;
	int failed;

	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		add_shard(m, shards[i]);
	f = open_memstream(&text, &size);
	if (f == NULL) {
		metrics_free(m);
		return NULL;
	}
	render_requests(f, m);
	render_durations(f, m);
	render_work(f, m, g);
	render_process(f, &g->process);
	render_build_info(f, v);
	failed = ferror(f);
	metrics_free(m);
	if (fclose(f) != 0 || failed) {
		free(text);
		return NULL;
	}
	*len = size;
	return text;
}
