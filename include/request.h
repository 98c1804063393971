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

#include "kinds.h"
#include "passphrase.h"
#include "policy.h"
#include "token.h"

/* A kind's own route (GET /<name>) has the kind's index as its id
 * (kinds.h); the named ones below are kept for the code and tests that
 * name them. */
enum route {
	ROUTE_PASSWORD = GEN_KIND_PASSWORD,
	ROUTE_PIN = GEN_KIND_PIN,
	ROUTE_PASSPHRASE = GEN_KIND_PASSPHRASE,
	ROUTE_TOKEN = GEN_KIND_TOKEN,
	ROUTE_HEALTHZ = KINDS_COUNT,
	/* the original service's routes (see docs/COMPAT.md) */
	ROUTE_V1_PIN,              /* GET /v1/pin */
	ROUTE_V1_PASSWORD,         /* GET /v1/ (and /v1) */
	ROUTE_V1_HEALTH,           /* GET /v1/health */
	ROUTE_BLOG_PIN,            /* GET /pin/{length} */
	ROUTE_BLOG_PASS,           /* GET /pass/{length} */
	ROUTE_V1_COMPLEX,          /* POST /v1/complex_password */
	ROUTE_BLOG_COMPLEX,        /* POST /complex_password/{length} */
};

/* Is this route a kind's own (GET /<name>)? */
static inline bool route_is_kind(enum route route)
{
	return (unsigned)route < KINDS_COUNT;
}

/* The routes that take a JSON body (POST only): the complex passwords. */
static inline bool route_takes_body(enum route route)
{
	return route == ROUTE_V1_COMPLEX || route == ROUTE_BLOG_COMPLEX;
}

/* The JSON document a generation reply is written as. */
enum reply_shape {
	SHAPE_PWGEND,              /* {"kind",...,"items":[...]} */
	SHAPE_DATA,                /* {"data":[...]}: /v1 */
	SHAPE_BLOG,                /* {"message":"Success","data":[{"1º pin":
				    * ...}]}: the blog-era routes */
};

/* How a reply lists its items (format=, or the Accept header). */
enum reply_format {
	FORMAT_JSON,                   /* the JSON document */
	FORMAT_TEXT,                   /* one item per line */
	FORMAT_NDJSON,                 /* one JSON string per line */
};

/* Fixed limits (the maximum quantity is configurable, see config.h). */
enum {
	PASSWORD_LENGTH_DEFAULT = 20,
	PASSWORD_LENGTH_MIN = 4,
	PASSWORD_LENGTH_MAX = 1024,
	PIN_LENGTH_DEFAULT = 6,
	PIN_LENGTH_MIN = 4,
	PIN_LENGTH_MAX = 64,
	QUANTITY_DEFAULT = 1,
	PASSWORD_MIN_COUNT_MAX = 256,  /* largest min_lower ... accepted */
	/* the original service's limits: /v1 lengths 3..200, blog-era path
	 * lengths 1..100, quantity 1..100 everywhere */
	V1_LENGTH_MIN = 3,
	V1_LENGTH_MAX = 200,
	V1_LENGTH_DEFAULT = 12,
	BLOG_LENGTH_MIN = 1,
	BLOG_LENGTH_MAX = 100,
	COMPAT_QUANTITY_MAX = 100,
	MIN_ENTROPY_MAX = 8192,        /* bits; past any 1024-char password */
};

struct complex_spec;

struct gen_request {
	enum gen_kind kind;
	size_t quantity;
	size_t length;             /* characters of one item (the longest
				    * possible one for passphrases) */
	unsigned classes;          /* enum gen_class bits (gen.h) */
	bool classes_only;         /* the alphabet is exactly `classes` */
	bool explain;              /* describe the request, generate nothing */
	enum reply_format format;
	bool format_given;         /* format= present: Accept is not asked */
	enum reply_shape shape;
	struct password_policy policy; /* alphabet, minimums, first letter */
	double entropy_bits;       /* of one item, exact (policy.h) */
	double acceptance;         /* of one candidate, for rejection */
	/* /pin */
	bool exclude_weak;         /* redraw weak PINs (pin.h) */
	bool unique;               /* no PIN twice in one reply */
	/* /passphrase */
	struct passphrase_opts passphrase;
	/* /token */
	size_t token_bytes;
	enum token_encoding encoding;
	/* POST /v1/complex_password: the pieces to mix in (complex.h), owned
	 * by the HTTP exchange; NULL for every other route */
	const struct complex_spec *complex;
};

struct request {
	enum route route;
	struct gen_request gen;    /* valid for ROUTE_PASSWORD and ROUTE_PIN */
	/* POST /complex_password/{length}: the path's length and the
	 * query's ponctuation, for the body to come (gen.quantity holds the
	 * query's quantity) */
	size_t blog_length;
	bool blog_punctuation;
};

/* Why a target was refused; http.c turns this into a problem+json reply. */
/* Which part of the target was at fault: the path is checked before the
 * method (404 beats 405), the query after it (405 beats 400). */
enum request_stage {
	REQUEST_STAGE_PATH,
	REQUEST_STAGE_QUERY,
};

struct request_error {
	enum request_stage stage;
	int status;                /* 400 or 404 */
	const char *type;          /* problem type URI */
	const char *title;
	char detail[192];
	char parameter[80];        /* printable form of the name; "" if none */
};

/* Problem type URIs, also used by http.c for its own errors. */
#define PROBLEM_UNKNOWN_PARAMETER "urn:pwgend:problem:unknown-parameter"
#define PROBLEM_DUPLICATE_PARAMETER "urn:pwgend:problem:duplicate-parameter"
#define PROBLEM_INVALID_VALUE "urn:pwgend:problem:invalid-value"
#define PROBLEM_OUT_OF_RANGE "urn:pwgend:problem:out-of-range"
#define PROBLEM_EMPTY_ALPHABET "urn:pwgend:problem:empty-alphabet"
#define PROBLEM_CONFLICTING_PARAMETERS "urn:pwgend:problem:conflicting-parameters"
#define PROBLEM_UNSATISFIABLE "urn:pwgend:problem:unsatisfiable"
#define PROBLEM_MALFORMED_TARGET "urn:pwgend:problem:malformed-target"
#define PROBLEM_NOT_FOUND "urn:pwgend:problem:not-found"
#define PROBLEM_TOO_MUCH_WORK "urn:pwgend:problem:too-much-work"
/* the HTTP layer's own (http.c, admin.c) */
#define PROBLEM_METHOD_NOT_ALLOWED "urn:pwgend:problem:method-not-allowed"
#define PROBLEM_NOT_READY "urn:pwgend:problem:not-ready"
#define PROBLEM_DRAINING "urn:pwgend:problem:draining"

/* Fill *err (status, type, title, `param` or "" if NULL, and the detail
 * from fmt) and return -1; shared with complex.c's body errors. */
__attribute__((format(printf, 6, 7)))
int request_fail(struct request_error *err, int status, const char *type,
		 const char *title, const char *param, const char *fmt, ...);

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
