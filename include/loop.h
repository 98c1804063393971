/*
 * loop.h - the event loops: one thread each, owning everything its
 * requests touch (after redis's ae.c, nginx's workers and lwan's threads).
 *
 *     loop k:  epoll { libmicrohttpd's epoll fd, the listening socket
 *                     (EPOLLEXCLUSIVE), a control eventfd }
 *              forever:
 *                wait (not at all while jobs are runnable or a resumed
 *                      connection needs libmicrohttpd; 1 ms while jobs
 *                      wait for budget another loop may free)
 *                accept             one connection when woken for it (a
 *                                   busy loop: a few, every few turns)
 *                MHD_run            read, handlers: parse, first slice,
 *                                   reply or suspend; send
 *                sched_run          one slice per runnable job; finished
 *                                   ones resume their connections
 *
 * All loops accept on one listening socket (http.h). Nothing on the
 * request path crosses threads; main talks to the loops only to shut them
 * down, through the eventfd, in three steps that each return once every
 * loop has taken them.
 */
#ifndef PWGEND_LOOP_H
#define PWGEND_LOOP_H

#include <stddef.h>

struct admission;
struct http;
struct loops;
struct sched_config;

/* Create `n` loops (a scheduler and a daemon each), then start their
 * threads. NULL on failure with a reason in err; nothing is left running. */
struct loops *loops_start(struct http *http, size_t n,
			  const struct sched_config *sc, struct admission *adm,
			  char *err, size_t errlen);

/* Shutdown, in this order: */
/* 1. stop accepting connections (requests on open ones still run) */
void loops_drain(struct loops *ls);
/* 2. cancel every job: its client gets 503 draining */
void loops_cancel(struct loops *ls);
/* 3. stop the daemons, join the threads, free the loops. NULL: no-op. */
void loops_stop(struct loops *ls);

#endif
