/*
 * original.h - the original service's routes (docs/COMPAT.md): their
 * queries, with the original's parameter names and limits, answered by the
 * password and pin kinds (and the complex kind for its POST routes). The
 * route table that maps their paths to these is request.c's.
 */
#ifndef PWGEND_ORIGINAL_H
#define PWGEND_ORIGINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kind.h"

/* GET /v1/pin, GET /v1/ (and /v1): password_length, has_punctuation. */
extern const struct kind_query original_v1_pin;
extern const struct kind_query original_v1_password;
/* GET /pin/{length}, GET /pass/{length}, POST /complex_password/{length}:
 * the length in the path, a required quantity, ponctuation (sic). */
extern const struct kind_query original_blog_pin;
extern const struct kind_query original_blog_pass;

/* POST /v1/complex_password and /complex_password/{length}, once the body
 * is parsed (complex.h): the random part is the /v1/ password policy for
 * `additional_length`. 0, or -1 with a 400 in *err. */
int original_settle_complex(struct request *req, size_t additional_length,
			    bool punctuation, size_t quantity,
			    struct request_error *err);

#endif
