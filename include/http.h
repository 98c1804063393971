/*
 * http.h - the HTTP face: the only module that includes microhttpd.h.
 *
 * One listening socket, bound here, and one libmicrohttpd daemon per event
 * loop (loop.h), each in external-event-loop mode with epoll and
 * suspend/resume. The loops accept on that socket themselves and hand each
 * connection to their own daemon (MHD_add_connection), so that a loop busy
 * generating leaves new connections to idle ones (libmicrohttpd would
 * accept up to ten at a time on whichever loop woke first). A daemon is
 * driven only by its loop's thread, and a request never leaves it. Every
 * request is
 * handled in up to three calls of the access handler, as in
 * libmicrohttpd's suspend_resume_epoll example:
 *   1. headers parsed: return MHD_YES (a reply queued on this first call
 *      costs keep-alive on 0.9.75);
 *   2. request complete: route, validate, and either reply at once (errors,
 *      /healthz and the operational routes of ops.h) or give the job to the
 *      loop's scheduler, which runs its first slice at once: finished, the
 *      reply is queued in this call; not, the connection is suspended;
 *   3. after the scheduler resumed the connection: queue the job's reply.
 * The request-completed callback logs the access line, counts the request
 * in the loop's metrics shard (metrics.h) and wipes and frees everything
 * the request held, exactly once, whether or not the client is still there.
 */
#ifndef PWGEND_HTTP_H
#define PWGEND_HTTP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

struct admission;
struct http;
struct http_daemon;
struct metrics;
struct sched;

/* An IPv4 or IPv6 address and port to listen on. */
struct http_address {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	};
	socklen_t len;
	int family;                    /* AF_INET or AF_INET6 */
};

/* `ip` (an IPv4 or IPv6 literal) and `port` into *out: 0, or -1 when ip is
 * not an address. */
int http_address_parse(const char *ip, size_t port, struct http_address *out);

/* Bind the listening socket (no SO_REUSEPORT: a busy port fails) for a
 * server of `nloops` loops. `ready` false (the start-up self-test failed)
 * makes GET /readyz and every generation route answer 503 not-ready;
 * liveness and the other operational routes still answer. NULL on failure
 * with a reason in err. */
struct http *http_new(const struct config *cfg, size_t nloops, bool ready,
		      struct admission *adm, char *err, size_t errlen);

/* The port actually bound (useful with --port 0). */
unsigned http_port(const struct http *h);

/* Start loop `index`'s daemon (0 <= index < nloops), whose jobs go to
 * `sched`. Called for every loop before any loop thread starts. NULL on
 * failure with a reason in err. */
struct http_daemon *http_daemon_start(struct http *h, size_t index,
				      size_t nloops, struct sched *sched,
				      char *err, size_t errlen);

/* Publish `set` (policies.h; NULL: none) as the named policies every
 * loop applies from its next turn, taking ownership of it. The set it
 * replaces is freed once no loop can still be reading it (qsbr.h): true;
 * false if a loop did not pass a quiescent point in time, in which case
 * that set is kept until a later call's wait succeeds (or http_free).
 * Called by one thread (main). */
struct policies;
bool http_set_policies(struct http *h, struct policies *set);

/* --- the rest of the daemon's calls are the loop thread's only --- */

/* The loop may read the published policies from here on, and holds
 * nothing it read before (a quiescent point; every turn of the loop). */
void http_daemon_online(struct http_daemon *d);

/* The loop holds nothing and is about to sleep (qsbr.h). */
void http_daemon_offline(struct http_daemon *d);

/* The descriptors to wait on: libmicrohttpd's epoll set, and the shared
 * listening socket. */
int http_daemon_fd(const struct http_daemon *d);
int http_listen_fd(const struct http *h);

/* Below its share of the connection limit, not quiesced and not out of
 * descriptors: the loop should watch the listening socket. */
bool http_daemon_wants_connections(const struct http_daemon *d);

/* Accept up to `max` waiting connections into this daemon (fewer when
 * another loop took them, or wants_connections turns false): how many. */
size_t http_daemon_accept(struct http_daemon *d, size_t max);

/* Milliseconds until libmicrohttpd has timers due, -1 for none. */
int http_daemon_timeout_ms(const struct http_daemon *d);

/* Let libmicrohttpd do what is ready, without blocking. */
void http_daemon_run(struct http_daemon *d);

/* Accept no more connections on this loop (the socket stays open). */
void http_daemon_quiesce(struct http_daemon *d);

/* Stop the daemon and close its connections; none may be suspended. */
void http_daemon_stop(struct http_daemon *d);

/* --- any thread --- */

/* Begin draining: requests that still arrive on open connections get 503
 * draining. */
void http_begin_drain(struct http *h);

/* Once every daemon is quiesced: refuse new connections at once. */
void http_close_listener(struct http *h);

/* Ready to serve: the start-up self-test passed and not draining. */
bool http_ready(const struct http *h);
bool http_draining(const struct http *h);

/* The metrics exposition of the whole process (every loop's shard, and
 * `extra` when not NULL: the admin listener's), malloc'd, length in *len;
 * NULL on ENOMEM. */
char *http_metrics_text(const struct http *h, const struct metrics *extra,
			size_t *len);

/* Requests in progress on all loops. */
size_t http_active(const struct http *h);

/* Wait until no request is in progress, or `timeout_ms` passes. Returns the
 * number of requests still in progress. */
size_t http_wait_idle(const struct http *h, long timeout_ms);

/* Stop what is left and free everything, once every loop thread has
 * stopped. NULL is a no-op. */
void http_free(struct http *h);

#endif
