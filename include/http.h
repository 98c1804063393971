/*
 * http.h - the HTTP face: the only module that includes microhttpd.h.
 *
 * libmicrohttpd runs with an internal epoll thread (or a pool of them) and
 * suspend/resume. Every request is handled in three calls of the access
 * handler, as in libmicrohttpd's suspend_resume_epoll example:
 *   1. headers parsed: return MHD_YES (a reply queued on this first call
 *      costs keep-alive on 0.9.75);
 *   2. request complete: route, validate, and either reply at once (errors,
 *      /healthz and the operational routes of ops.h) or suspend the
 *      connection and submit a job to a scheduler;
 *   3. after the scheduler resumed the connection: queue the job's reply.
 * The request-completed callback logs the access line, counts the request
 * in the metrics (metrics.h) and wipes and frees everything the request
 * held, exactly once, whether or not the client is still there.
 */
#ifndef PWGEND_HTTP_H
#define PWGEND_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct http;
struct sched;

/* Start serving; jobs go round-robin to scheds[0..nsched). `ready` false
 * (the start-up self-test failed) makes GET /readyz and every generation
 * route answer 503 not-ready; liveness and the other operational routes
 * still answer. NULL on failure with a reason in err. */
struct http *http_start(const struct config *cfg, struct sched **scheds,
			size_t nsched, bool ready, char *err, size_t errlen);

/* The port actually bound (useful with --port 0). */
unsigned http_port(const struct http *h);

/* Begin draining: stop accepting connections (new ones are refused), and
 * answer requests that still arrive on open connections with 503. */
void http_quiesce(struct http *h);

/* Wait until no request is in progress, or `timeout_ms` passes. Returns the
 * number of requests still in progress. */
size_t http_wait_idle(struct http *h, long timeout_ms);

/* Stop the daemon and free everything. Every scheduler must have been
 * stopped first, so that no connection is left suspended. */
void http_stop(struct http *h);

#endif
