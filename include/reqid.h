/*
 * reqid.h - the request id: one per request, echoed in X-Request-Id and
 * written in the access log, so one request can be followed from a client
 * or a proxy into pwgend's logs.
 *
 * An incoming X-Request-Id (a proxy's, a client's) is kept when it is
 * 1..REQID_MAX bytes of [A-Za-z0-9] and "-_.:/+=@" (UUIDs, W3C trace ids,
 * base64, ...); anything else is replaced, never echoed, so a client
 * cannot put bytes of its choosing into a header or a log line. A made id
 * is a random prefix per loop plus a counter: unique within the process and
 * unlikely to collide across replicas, at the cost of an increment (no
 * system call per request). Ids are not secrets and carry none.
 */
#ifndef PWGEND_REQID_H
#define PWGEND_REQID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { REQID_MAX = 128 };

/* One loop's source of made ids. */
struct reqid_source {
	uint64_t prefix;               /* random, drawn once */
	uint64_t next;
};

/* A fresh source with a random prefix (libsodium). */
void reqid_source_init(struct reqid_source *src);

/* `incoming` (NULL: none) copied into out[REQID_MAX + 1] when it is a valid
 * id: true; false and out untouched otherwise. */
bool reqid_take(const char *incoming, char *out);

/* A made id, "<16 hex>-<counter in hex>", into out[REQID_MAX + 1]. */
void reqid_make(struct reqid_source *src, char *out);

#endif
