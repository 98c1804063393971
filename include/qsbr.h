/*
 * qsbr.h - quiescent-state-based reclamation: when may a writer free an
 * object that readers on other threads may still be reading, without the
 * readers taking a lock or even writing anything per read?
 *
 * The pattern (after the Linux kernel's RCU and liburcu's QSBR flavour):
 * readers load a published pointer (an atomic) and use what it points to
 * only between two of their own quiescent points, never across one. The
 * single writer replaces the pointer, calls qsbr_synchronize(), and once
 * that returns true no reader can still hold the old object: every reader
 * has either passed a quiescent point since the replacement or been
 * offline (sleeping, holding nothing). Then the old object may be freed.
 *
 * For pwgend the readers are the event loops: a loop is online from the
 * moment epoll_wait returns until it sleeps again, and every turn of the
 * loop is a quiescent point (a request's parsing never spans two turns).
 *
 * Every operation is sequentially consistent (see qsbr.c for the proof
 * sketch); a reader's own loads of the published pointer must be too.
 * Readers call only qsbr_online/qsbr_offline on their own index; one
 * thread at a time calls qsbr_synchronize.
 */
#ifndef PWGEND_QSBR_H
#define PWGEND_QSBR_H

#include <stdbool.h>
#include <stddef.h>

struct qsbr;

/* A domain of `readers` readers (indices 0..readers-1), all offline. NULL
 * on ENOMEM. */
struct qsbr *qsbr_new(size_t readers);
void qsbr_free(struct qsbr *q);

/* Reader `r` holds nothing it loaded before this call (a quiescent point)
 * and may load the published pointer again from here on. */
void qsbr_online(struct qsbr *q, size_t r);

/* Reader `r` holds nothing and will load nothing until qsbr_online: it
 * is about to sleep, and the writer need not wait for it. */
void qsbr_offline(struct qsbr *q, size_t r);

/* After the writer has published a replacement: wait until every reader
 * has passed a quiescent point or been offline since then, polling every
 * millisecond. True when that happened within `timeout_ms` (the old
 * object may be freed), false if a reader did not (keep it). */
bool qsbr_synchronize(struct qsbr *q, long timeout_ms);

#endif
