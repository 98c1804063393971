/*
 * cors.h - cross-origin requests from browsers (--cors-origins).
 *
 * The original service allowed every origin; pwgend allows none unless
 * told: `*` (any origin, like the original but never with credentials:
 * pwgend uses no cookies or auth headers) or a comma-separated list of
 * exact origins ("https://a.example,https://b.example"), compared byte for
 * byte as browsers send them (scheme://host[:port], no trailing slash).
 *
 * An allowed request gets Access-Control-Allow-Origin (the origin itself,
 * and Vary: Origin, for a list; `*` for any) on every reply, errors
 * included, so a page can read a 400's problem+json. A preflight (OPTIONS
 * with Origin and Access-Control-Request-Method) from an allowed origin
 * gets 204 with the methods and request headers pwgend accepts; from any
 * other origin it gets what an OPTIONS always got, a 405.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef PWGEND_CORS_H
#define PWGEND_CORS_H

#include <stdbool.h>

/* The methods and request headers a preflight is told. */
#define CORS_ALLOW_METHODS "GET, HEAD, POST"
#define CORS_ALLOW_HEADERS "Accept, Content-Type, X-Request-Id"
/* Response headers a page may read besides the safelisted ones. */
#define CORS_EXPOSE_HEADERS \
	"X-Request-Id, X-Entropy-Bits, X-Entropy-Note, Retry-After, Location"
#define CORS_MAX_AGE "600"

/* The Access-Control-Allow-Origin value for a request from `origin`
 * (NULL: no Origin header) under `allowed` (--cors-origins): "*", origin
 * itself, or NULL when the origin is not allowed. */
const char *cors_allow_origin(const char *allowed, const char *origin);

#endif
