/*
 * loop.c - see loop.h.
 *
 * A loop's thread reads its own fields freely; main writes only `want`
 * (then the eventfd) and reads only `done`, both atomics.
 */
#include "loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "sched.h"

/* The shutdown steps, in order; a loop takes them one after another. */
enum loop_phase {
	LOOP_SERVE,
	LOOP_DRAIN,
	LOOP_CANCEL,
	LOOP_EXIT,
};

/* While jobs wait for budget that only another loop can free, look again
 * this often (freeing budget sends no wake-up across threads); while a loop
 * may not accept (out of descriptors), this often. */
enum { WAITING_POLL_MS = 1, PAUSED_POLL_MS = 100 };

/*
 * Who accepts. An idle loop sleeps in epoll_wait on the listening socket
 * with EPOLLEXCLUSIVE, so the kernel wakes one idle loop per new
 * connection (not all of them), and it takes ACCEPT_IDLE. A loop with
 * runnable jobs does not sleep, so it sees the socket only when it looks:
 * every ACCEPT_EVERY_BUSY turns it takes up to ACCEPT_BUSY. New clients go
 * to idle loops first and still get in when every loop is busy. (Left to
 * libmicrohttpd, the first loop to wake accepted up to ten at once: with
 * two loops, every connection of a burst landed on the same one.)
 */
enum { ACCEPT_IDLE = 1, ACCEPT_BUSY = 4, ACCEPT_EVERY_BUSY = 4 };

struct loop {
	pthread_t thread;
	bool started;
	int epfd;
	int ctl_fd;                    /* eventfd: main -> loop */
	int listen_fd;                 /* shared by every loop */
	bool watching;                 /* listen_fd is in epfd */
	bool listen_ready;             /* epoll said so this turn */
	unsigned busy_turns;
	struct sched *sched;
	struct http_daemon *daemon;
	enum loop_phase phase;         /* the loop thread's own view */
	atomic_int want;               /* set by main */
	atomic_int done;               /* the last phase the loop entered */
};

struct loops {
	size_t n;
	struct loop loop[];
};

/* ------------------------------------------------------ the loop thread */

static void enter(struct loop *l, enum loop_phase phase)
{
	switch (phase) {
	case LOOP_SERVE:
		break;
	case LOOP_DRAIN:
		http_daemon_quiesce(l->daemon);
		break;
	case LOOP_CANCEL:
		sched_cancel_all(l->sched);  /* resumes their connections */
		break;
	case LOOP_EXIT:
		break;
	}
	l->phase = phase;
	atomic_store(&l->done, (int)phase);
}

/* Take every step main has asked for; true if any was taken. */
static bool follow_main(struct loop *l)
{
	enum loop_phase want = (enum loop_phase)atomic_load(&l->want);
	bool moved = false;

	while (l->phase < want) {
		enter(l, (enum loop_phase)(l->phase + 1));
		moved = true;
	}
	return moved;
}

static int at_most(int ms, int cap)
{
	return ms < 0 || ms > cap ? cap : ms;
}

/* How long the loop may sleep: not at all with work at hand. */
static int sleep_ms(struct loop *l, bool again)
{
	int ms;

	if (again || sched_has_work(l->sched))
		return 0;
	ms = http_daemon_timeout_ms(l->daemon);
	if (sched_has_waiting(l->sched))
		ms = at_most(ms, WAITING_POLL_MS);
	if (!l->watching && l->phase == LOOP_SERVE)
		ms = at_most(ms, PAUSED_POLL_MS);
	return ms;
}

static void wait_events(struct loop *l, int ms)
{
	struct epoll_event ev[3];
	int n = epoll_wait(l->epfd, ev, 3, ms);

	for (int i = 0; i < n; i++) {
		uint64_t count;

		if (ev[i].data.fd == l->ctl_fd)
			(void)!read(l->ctl_fd, &count, sizeof(count));
		else if (ev[i].data.fd == l->listen_fd)
			l->listen_ready = true;
	}
}

/* Watch the listening socket exactly while the daemon takes connections
 * (not at its share of the limit, not out of descriptors, not draining). */
static void watch_listener(struct loop *l)
{
	bool want = http_daemon_wants_connections(l->daemon);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE,
				  .data.fd = l->listen_fd };

	if (want == l->watching)
		return;
	if (epoll_ctl(l->epfd, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		      l->listen_fd, &ev) == 0)
		l->watching = want;
}

static void accept_new(struct loop *l, bool busy)
{
	if (l->listen_ready)
		http_daemon_accept(l->daemon, ACCEPT_IDLE);
	else if (busy && ++l->busy_turns % ACCEPT_EVERY_BUSY == 0)
		http_daemon_accept(l->daemon, ACCEPT_BUSY);
}

static void *loop_main(void *arg)
{
	struct loop *l = arg;
	bool again = true;

	while (l->phase != LOOP_EXIT) {
		int ms = sleep_ms(l, again);

		/* with work at hand libmicrohttpd polls its own set anyway:
		 * skip the outer epoll_wait, a syscall per slice */
		l->listen_ready = false;
		if (ms != 0) {
			/* asleep, it reads nothing: a policy reload need
			 * not wait for it (qsbr.h) */
			http_daemon_offline(l->daemon);
			wait_events(l, ms);
		}
		/* a quiescent point: no request is being parsed */
		http_daemon_online(l->daemon);
		again = follow_main(l);
		if (l->phase == LOOP_EXIT)
			break;
		accept_new(l, ms == 0);
		http_daemon_run(l->daemon);
		again |= sched_run(l->sched) > 0;
		watch_listener(l);
	}
	http_daemon_stop(l->daemon);
	return NULL;
}

/* -------------------------------------------------------------- main */

static int loop_init(struct loop *l, struct http *http, size_t index,
		     size_t n, const struct sched_config *sc,
		     struct admission *adm, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };

	atomic_init(&l->want, LOOP_SERVE);
	atomic_init(&l->done, LOOP_SERVE);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->sched = sched_new(sc, adm, index);
	if (l->epfd < 0 || l->ctl_fd < 0 || l->sched == NULL) {
		snprintf(err, errlen, "cannot create loop %zu: %s", index,
			 strerror(errno));
		return -1;
	}
	l->daemon = http_daemon_start(http, index, n, l->sched, err, errlen);
	if (l->daemon == NULL)
		return -1;
	l->listen_fd = http_listen_fd(http);
	ev.data.fd = l->ctl_fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->ctl_fd, &ev) < 0)
		goto fail;
	ev.data.fd = http_daemon_fd(l->daemon);
	if (ev.data.fd < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		goto fail;
	watch_listener(l);
	if (!l->watching)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot watch loop %zu: %s", index,
		 strerror(errno));
	return -1;
}

static void ask(struct loops *ls, enum loop_phase phase)
{
	struct timespec tick = { 0, 1000 * 1000 };
	uint64_t one = 1;

	for (size_t i = 0; i < ls->n; i++) {
		atomic_store(&ls->loop[i].want, (int)phase);
		(void)!write(ls->loop[i].ctl_fd, &one, sizeof(one));
	}
	for (size_t i = 0; i < ls->n; i++) {
		while (ls->loop[i].started &&
		       atomic_load(&ls->loop[i].done) < (int)phase)
			nanosleep(&tick, NULL);
	}
}

struct loops *loops_start(struct http *http, size_t n,
			  const struct sched_config *sc, struct admission *adm,
			  char *err, size_t errlen)
{
	struct loops *ls = calloc(1, sizeof(*ls) + n * sizeof(ls->loop[0]));

	if (ls == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		ls->loop[i].epfd = ls->loop[i].ctl_fd = -1;
		ls->n = i + 1;
		if (loop_init(&ls->loop[i], http, i, n, sc, adm, err,
			      errlen) < 0)
			goto fail;
	}
	/* every daemon exists before any thread runs: a /metrics scrape on
	 * one loop reads them all */
	for (size_t i = 0; i < n; i++) {
		int rc = pthread_create(&ls->loop[i].thread, NULL, loop_main,
					&ls->loop[i]);

		if (rc != 0) {
			snprintf(err, errlen, "cannot start loop %zu: %s", i,
				 strerror(rc));
			goto fail;
		}
		ls->loop[i].started = true;
	}
	return ls;
fail:
	loops_stop(ls);
	return NULL;
}

void loops_drain(struct loops *ls)
{
	ask(ls, LOOP_DRAIN);
}

void loops_cancel(struct loops *ls)
{
	ask(ls, LOOP_CANCEL);
}

void loops_stop(struct loops *ls)
{
	if (ls == NULL)
		return;
	/* the phases are taken in order: an unstarted loop has no jobs */
	ask(ls, LOOP_EXIT);
	for (size_t i = 0; i < ls->n; i++) {
		struct loop *l = &ls->loop[i];

		if (l->started)
			pthread_join(l->thread, NULL);
		else
			http_daemon_stop(l->daemon);
	}
	for (size_t i = 0; i < ls->n; i++) {
		struct loop *l = &ls->loop[i];

		if (l->epfd >= 0)
			close(l->epfd);
		if (l->ctl_fd >= 0)
			close(l->ctl_fd);
		/* http_free frees the daemon: other loops may have read its
		 * shard until they stopped too */
		sched_free(l->sched);
	}
	free(ls);
}
