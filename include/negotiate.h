/*
 * negotiate.h - choose a reply format from an HTTP Accept header.
 *
 * RFC 9110 12.5.1, for the three formats pwgend writes (application/json,
 * text/plain, application/x-ndjson): each format gets the q of the most
 * specific media range that matches it (exact type, then type/star, then
 * star/star), the highest q above 0 wins, and ties go to JSON, then text,
 * then NDJSON. An absent or empty header accepts anything (JSON). Media-type
 * parameters other than q are ignored; a malformed q counts as 1.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef PWGEND_NEGOTIATE_H
#define PWGEND_NEGOTIATE_H

#include <stdbool.h>

#include "request.h"

/* 0 and *out, or -1 when the header accepts none of the three. */
int negotiate_format(const char *accept, enum reply_format *out);

/* GET /: true when the client asks for the HTML page rather than the
 * original service's JSON, i.e. when text/html (exactly, or text/star)
 * has a q above 0 and at least application/json's. A bare star/star, no
 * header or an empty one mean JSON: browsers name text/html, scripts do
 * not. */
bool negotiate_wants_html(const char *accept);

#endif
