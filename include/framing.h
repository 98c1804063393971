/*
 * framing.h - where one request ends: the header fields that decide it,
 * checked before libmicrohttpd reads a body (RFC 9112 sections 3.2, 5.1,
 * 5.2, 6.1 and 6.3).
 *
 * Two parsers that disagree on where a request ends let a client smuggle a
 * second request past a proxy. libmicrohttpd 0.9.75 accepts every shape
 * below and reads it its own way, so pwgend refuses them all with a 400
 * and a closed connection:
 *   - more than one Host field;
 *   - Content-Length fields that disagree;
 *   - Content-Length together with Transfer-Encoding;
 *   - more than one Transfer-Encoding field, or one that is not exactly
 *     "chunked" (identity, "chunked, identity", gzip, xchunked ...);
 *   - whitespace between a field name and its colon;
 *   - a framing field folded onto a continuation line (obs-fold):
 *     libmicrohttpd 0.9.75 glues the continuation onto the field *name*
 *     ("Transfer-Encoding:\r\n chunked" arrives as a field named
 *     "Transfer-Encodingchunked"), so a name that starts with a framing
 *     field's name and goes on is one. A fold in any other field cannot be
 *     told from a real name and does not change the framing.
 *
 * Pure: fed the fields one by one, no I/O.
 */
#ifndef PWGEND_FRAMING_H
#define PWGEND_FRAMING_H

#include <stdbool.h>

struct framing {
	unsigned hosts;
	unsigned lengths;
	unsigned encodings;
	const char *length;            /* the first Content-Length value */
	const char *why;               /* the first fault found, or NULL */
};

#define FRAMING_INIT { 0, 0, 0, NULL, NULL }

/* One header field as the parser saw it (value may be NULL). */
void framing_add(struct framing *f, const char *name, const char *value);

/* NULL when the request's framing is unambiguous, else why it is not (a
 * short phrase for the problem's detail). */
const char *framing_verdict(const struct framing *f);

#endif
