/*
 * request.h - turn a raw HTTP request-target into a validated request.
 *
 * Pure and self-contained: no I/O, no allocation, no libmicrohttpd types, so
 * it is unit-tested exhaustively and is the fuzz target for the parser.
 *
 * We parse the raw target ourselves instead of libmicrohttpd's decoded
 * argument table because MHD silently keeps `%zz`, cuts values at `%00` in its
 * C-string API, maps a key without `=` to NULL and returns only the first of
 * duplicated keys; here every one of those is a precise 400 instead.
 *
 * Grammar (application/x-www-form-urlencoded, strict):
 *   target  = path [ "?" query ]
 *   query   = pair *( "&" pair )        empty pairs ("a=1&&b=2", a trailing
 *                                       "&") are skipped
 *   pair    = name [ "=" value ]        a missing or empty value is a 400
 *   path, name and value are percent-decoded; "+" in a name or value means a
 *   space; "%" must be followed by two hex digits; a decoded NUL is a 400.
 *   Integers are plain decimal digits (leading zeros allowed; no sign, space,
 *   hex, exponent or fraction). Booleans are exactly true, false, 1 or 0.
 */
#ifndef PWGEND_REQUEST_H
#define PWGEND_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "genreq.h"
#include "problem.h"


/* Helpers shared with ops.c, which routes its own paths the same way. */

/* RFC 9112 3.2.2: a server must accept the absolute-form
 * ("http://host:port/path?query"); advance *target past scheme and
 * authority so that only the path and query are left. */
void request_skip_absolute_form(const char **target, size_t *n);

/* Percent-decode a path into dst[0, cap) ('+' stays '+'): its length, or -1
 * if it is malformed, decodes to a NUL, or does not fit. */
long request_decode_path(const char *src, size_t n, char *dst, size_t cap);

/* Parse `target` (n bytes, not necessarily NUL-terminated). Returns 0 and
 * fills *req, or -1 and fills *err. `max_quantity` bounds `quantity`. */
int request_parse(const char *target, size_t n, size_t max_quantity,
		  struct request *req, struct request_error *err);

/* The same, where policy=NAME names a policy of `policies` (policies.h;
 * NULL: none): its parameters are parsed after the client's, as if sent
 * with them, and the client may add only quantity and format (any other
 * is a 400 conflicting-parameters naming it). An unknown policy, or one
 * of another route, is a 400 naming policy. `policies` is only read
 * during the call. */
struct policies;
int request_parse_policies(const char *target, size_t n, size_t max_quantity,
			   const struct policies *policies,
			   struct request *req, struct request_error *err);

/* The characters a request is expected to draw: quantity x length /
 * acceptance (rejected candidates included). */
double request_expected_work(const struct gen_request *g);

/* Refuse a request expected to draw more than `max_work` characters: 0, or
 * -1 with a 400 too-much-work naming quantity in *err. */
int request_check_work(const struct gen_request *g, size_t max_work,
		       struct request_error *err);

/* The original's routes answered a path with a trailing slash with a 307
 * to the same path without it (Starlette's redirect_slashes), query kept;
 * pwgend does the same for them (its own routes stay exact). True, with
 * the Location in location[0, cap), when `target` is such a path. */
bool request_slash_redirect(const char *target, size_t n, char *location,
			    size_t cap);

/* The route a decoded path names (a template such as /pin/{length} names
 * its prefix's): its query (kind.h; NULL if it takes no parameter) and
 * whether it is an explain route. False if no route has that path. For
 * the parameter lists derived from the registry (CLI help, spec check). */
struct kind_query;
bool request_route_query(const char *path, size_t n,
			 const struct kind_query **query, bool *explain);

/* Does the target's path name a route that reads a request body? (http.c
 * collects bodies only for those.) */
bool request_takes_body(const char *target, size_t n);

#endif
