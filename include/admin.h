/*
 * admin.h - the optional admin listener (--admin-port): /metrics, /version,
 * /livez and /readyz on a second socket, so that they need not pass
 * through the public port, its proxy or its load balancer.
 *
 * It is libmicrohttpd's own thread (internal polling, epoll), not a loop:
 * its requests are a scrape every few seconds and the probes, none of them
 * touches a scheduler, and a busy loop must not delay a liveness probe.
 * Plain HTTP even when the public port serves HTTPS (probes and scrapers
 * inside the cluster; keep it off the public network). While draining,
 * /readyz answers 503 and the rest still answer, so a scrape sees the
 * drain. Every reply carries Cache-Control: no-store; the requests are
 * counted in the metrics (an admin shard of their own) but not in the
 * access log, which probes every few seconds would drown.
 */
#ifndef PWGEND_ADMIN_H
#define PWGEND_ADMIN_H

#include <stddef.h>

#include "config.h"

struct admin;
struct http;

/* Bind cfg->admin_bind:cfg->admin_port and start serving. NULL on failure
 * with a reason in err. */
struct admin *admin_start(const struct config *cfg, struct http *http,
			  char *err, size_t errlen);

/* The port actually bound. */
unsigned admin_port(const struct admin *a);

/* Stop the thread, close the socket, free everything. NULL: no-op. */
void admin_stop(struct admin *a);

#endif
