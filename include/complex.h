/*
 * complex.h - the original's POST /v1/complex_password: random characters
 * with strings and characters of the client's own choosing mixed in.
 *
 * The body is one JSON object:
 *
 *   field                  type             default  rule
 *   additional_length      integer          required 1..100
 *   quantity               integer          1        1..100
 *   punctuation            boolean          false
 *   shuffle_string_inject  boolean          false
 *   char_inject            [string]         []       one character each
 *   string_inject          [string]         []       2..64 characters each
 *
 * ("character" = one Unicode code point, as the original's Python len();
 * control characters are refused, they have no place in a password). Each
 * list holds at most COMPLEX_MAX_ITEMS strings; the original had no limit,
 * so a 1 MB body could ask for a 100 MB reply.
 *
 * An item is `additional_length` random characters (the /v1/ password
 * policy, see request.c), every injected string as one unit and every
 * injected character, laid out in an order drawn uniformly by a CSPRNG
 * Fisher-Yates shuffle (the original used Mersenne Twister). With
 * shuffle_string_inject each string's characters are permuted too, afresh
 * for every item (the original scrambled the request's shared list in
 * place, so later items saw scrambles of scrambles).
 *
 * Entropy: the client knows what it injected, so injected pieces count as
 * zero bits, and so, conservatively, do their positions: entropy_bits is
 * that of the random characters alone.
 *
 * The parsed pieces are secret material: complex_free() wipes them.
 */
#ifndef PWGEND_COMPLEX_H
#define PWGEND_COMPLEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "genreq.h"
#include "problem.h"
#include "rng.h"

enum {
	COMPLEX_LENGTH_MIN = 1,
	COMPLEX_LENGTH_MAX = 100,
	COMPLEX_MAX_ITEMS = 64,        /* per list; more is a 413 */
	COMPLEX_STRING_MIN_CHARS = 2,
	COMPLEX_STRING_MAX_CHARS = 64, /* longer is a 413 */
	/* the most UTF-8 the pieces can hold: 4 bytes per character */
	COMPLEX_TEXT_MAX = 4 * COMPLEX_MAX_ITEMS * (1 + COMPLEX_STRING_MAX_CHARS),
};

#define COMPLEX_ENTROPY_NOTE                                                  \
	"entropy_bits counts only the additional_length random characters: "  \
	"injected strings and characters are chosen by the client and add "    \
	"no entropy"

#define PROBLEM_MALFORMED_BODY "urn:pwgend:problem:malformed-body"
#define PROBLEM_CONTENT_TOO_LARGE "urn:pwgend:problem:content-too-large"

struct complex_piece {
	uint16_t offset;               /* into complex_spec.text; the text
					* is at most COMPLEX_TEXT_MAX bytes */
	uint16_t bytes;                /* UTF-8 bytes */
	uint16_t chars;                /* code points */
};

struct complex_spec {
	size_t additional_length;
	size_t quantity;
	bool punctuation;
	bool shuffle_strings;          /* shuffle_string_inject */
	size_t n_chars;                /* pieces[0, n_chars): char_inject */
	size_t n_pieces;               /* then string_inject up to n_pieces */
	struct complex_piece pieces[2 * COMPLEX_MAX_ITEMS];
	size_t item_bytes;             /* of one finished item */
	size_t item_chars;             /* code points of one finished item */
	size_t text_cap;
	char text[];                   /* the pieces' bytes, back to back */
};

/* Parse and validate a request body. Returns 0 and a malloc'd *out,
 * -EINVAL with a 400 or 413 in *err (naming the field, e.g.
 * "char_inject[2]"), or -ENOMEM. */
int complex_parse(const char *body, size_t n, struct complex_spec **out,
		  struct request_error *err);

/*
 * POST /complex_password/{length}, the blog-era route: the body holds
 *
 *   suffle_string_inject   boolean   false     (sic, as they spelt it)
 *   char_inject            [string]  required  one character each
 *   string_inject          [string]  required  1..64 characters each, and
 *                                              some item of 2 or more
 *
 * and the rest comes from the path and the query. The random part is
 * max(length, 3) characters, the original's rule. The same bounds, wiping
 * and CSPRNG layout as the /v1 route.
 */
struct complex_blog {
	size_t length;                 /* the path's adicional_lenght */
	size_t quantity;               /* the query's, required */
	bool punctuation;              /* the query's ponctuation */
};

int complex_parse_blog(const char *body, size_t n,
		       const struct complex_blog *args,
		       struct complex_spec **out, struct request_error *err);

/* Wipe and free. NULL is a no-op. */
void complex_free(struct complex_spec *spec);

/* Lay one item out into out[0, spec->item_bytes): the random characters
 * base[0, additional_length) and every piece, in a uniformly drawn order. */
void complex_assemble(const struct complex_spec *spec, struct rng *r,
		      const char *base, char *out);

#endif
