/*
 * genreq.h - a generation request as the parser leaves it: the route, the
 * reply's shape and format, the fixed limits, and every field the kinds
 * (kind.h), the task and the HTTP layer read. Types only: request.h
 * fills it, kind modules settle it, task.c runs it.
 */
#ifndef PWGEND_GENREQ_H
#define PWGEND_GENREQ_H

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
	struct pwrules rules;          /* rules= as parsed, for explain */
	bool has_rules;
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

#endif
