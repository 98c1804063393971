/*
 * addrlimit.h - connections per client address, counted across all loops.
 *
 * libmicrohttpd's own per-IP limit counts per daemon, so with N loops a
 * client could hold N times the limit. This table is shared instead: a
 * mutex-protected hash of address -> open connections, touched when a
 * connection is accepted and when it closes, never per request (keep-alive
 * requests do not see it). Only IPv4 and IPv6 addresses are counted.
 */
#ifndef PWGEND_ADDRLIMIT_H
#define PWGEND_ADDRLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* An address as the table keys it. */
struct addr_key {
	unsigned char bytes[16];       /* IPv4 in the first 4 */
	unsigned char len;             /* 4, 16, or 0: not counted */
};

struct addr_limit;

/* A table allowing `max` connections per address (max > 0). NULL on
 * ENOMEM. */
struct addr_limit *addr_limit_new(size_t max);
void addr_limit_free(struct addr_limit *l);

/* The key of a peer address (len 0 for other families). */
struct addr_key addr_key_of(const struct sockaddr *sa, socklen_t len);

/* Count one more connection from `key`: true, or false when it already
 * has `max` (nothing counted). Keys of len 0 always pass. */
bool addr_limit_take(struct addr_limit *l, const struct addr_key *key);

/* One connection from `key` closed. */
void addr_limit_give(struct addr_limit *l, const struct addr_key *key);

#endif
