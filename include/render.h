/*
 * render.h - response bodies: generated items as JSON, errors as
 * application/problem+json (RFC 9457), small status documents.
 *
 * jansson renders every document except the items array, the hot path of a
 * large reply: there render_item() escapes each string itself, producing bytes
 * identical to jansson's json_dumps(JSON_COMPACT) for the same string (proved
 * by a unit test over every ASCII byte). A 100000-item reply is rendered in
 * slices as the gather collects results, never as one jansson tree.
 */
#ifndef PWGEND_RENDER_H
#define PWGEND_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "sbuf.h"

struct items_header {
	const char *kind;       /* "password", "pin", "passphrase", "token" */
	size_t quantity;
	const char *size_name;  /* "length", "words" or "bytes" */
	size_t size;
	double entropy_bits;    /* per item; rendered with 2 decimals */
	const char *note;       /* "entropy_note" after it, or NULL: plain
				 * ASCII needing no escape */
};

/* The note of a reply whose items are drawn without repetition (a PIN
 * with unique=true): entropy_bits is each item's, and the items of one
 * reply are not independent. */
#define RENDER_NOTE_DEPENDENT                                                 \
	"items are distinct (unique=true), so not independent: entropy_bits " \
	"is per item, and the reply as a whole holds less than quantity x "   \
	"entropy_bits"

/* entropy_bits as the JSON reply writes it ("19.93", "256.0"), without
 * printf, into out (cap >= 32; NUL-terminated): its length, 0 if it does
 * not fit. For X-Entropy-Bits, so the header and the body agree. */
size_t render_bits(char *out, size_t cap, double bits);

/* Append `{"kind":...,"entropy_bits":...,"items":[`. 0 or -ENOMEM. */
int render_items_open(struct sbuf *out, const struct items_header *h);

/* Append item `index` (0-based) as a JSON string, comma-separated. */
int render_item(struct sbuf *out, size_t index, const char *s, size_t n);

/* Do these bytes never need escaping in a JSON string (no '"', '\\', no
 * control character)? An alphabet that passes makes every item drawn from
 * it clean, so its items can skip the check (render_item_clean). */
bool render_is_clean(const char *s, size_t n);

/* render_item for an item known to need no escaping. */
int render_item_clean(struct sbuf *out, size_t index, const char *s,
		      size_t n);

/* Append `]}`. */
int render_items_close(struct sbuf *out);

/* The original service's documents (request.h enum reply_shape):
 * {"data":[ ... ]} and {"message":"Success","data":[{"1º pin":...}]}. */
int render_data_open(struct sbuf *out, int blog);
int render_data_item(struct sbuf *out, size_t index, const char *s, size_t n,
		     int blog);
int render_data_close(struct sbuf *out);

/* POST /v1/complex_password closes {"data":[...] with its entropy and a note
 * on what that entropy counts: `],"entropy_bits":59.54,"entropy_note":...}`. */
int render_data_close_entropy(struct sbuf *out, double entropy_bits,
			      const char *note);

/* {"status":"ok","timestamp":"<RFC 3339, microseconds, +00:00>"}, as the
 * original's /v1/health. malloc'd, or NULL on ENOMEM. */
char *render_v1_health(size_t *len);

/* format=text: the item and a newline (items never hold a newline). */
int render_text_item(struct sbuf *out, const char *s, size_t n);

/* format=ndjson: the item as a JSON string and a newline. */
int render_ndjson_item(struct sbuf *out, const char *s, size_t n);

/* The explain document: `h`'s fields and, under "explain", `details`,
 * the kind's own description of what it would draw (kind.h's explain();
 * no secret, only the shape of the request). Takes `details` (NULL:
 * -ENOMEM). 0 or -ENOMEM. */
int render_explain(struct sbuf *out, const struct items_header *h,
		   json_t *details);

/* Append s[0, n) as a JSON string literal (quotes included), escaped exactly
 * as jansson's compact dump does: \" \\ \b \f \n \r \t, other bytes < 0x20 as
 * \u00XX, everything else verbatim. */
int render_json_string(struct sbuf *out, const char *s, size_t n);

/* A problem+json document. `parameter` may be NULL. Returns a malloc'd,
 * NUL-terminated body (length in *len), or NULL on ENOMEM. */
char *render_problem(int status, const char *type, const char *title,
		     const char *detail, const char *parameter, size_t *len);

/* {"status":"<status>"} as a malloc'd body, or NULL on ENOMEM. */
char *render_status(const char *status, size_t *len);

#endif
