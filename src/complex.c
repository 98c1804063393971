/* complex.c - see complex.h. */
#include "complex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "names.h"
#include "secmem.h"

/* What a body may hold, by route. */
struct dialect {
	const char *const *fields;     /* NULL-terminated */
	const char *known;             /* the same, for messages */
	const char *shuffle;           /* the shuffle flag's name */
	bool lists_required;
	size_t string_min_chars;       /* of each string_inject item */
};

static const char *const v1_fields[] = {
	"additional_length", "quantity", "punctuation",
	"shuffle_string_inject", "char_inject", "string_inject", NULL,
};

/* The blog-era body: the flag misspelt as they spelt it, both lists
 * required, and string_inject valid when any item has 2 characters. */
static const char *const blog_fields[] = {
	"suffle_string_inject", "char_inject", "string_inject", NULL,
};

static const struct dialect v1 = {
	v1_fields,
	"additional_length, quantity, punctuation, shuffle_string_inject, "
	"char_inject, string_inject",
	"shuffle_string_inject", false, COMPLEX_STRING_MIN_CHARS,
};

static const struct dialect blog = {
	blog_fields, "suffle_string_inject, char_inject, string_inject",
	"suffle_string_inject", true, 1,
};

static int fail_invalid(struct request_error *err, const char *param,
			const char *what)
{
	return request_fail(err, 400, PROBLEM_INVALID_VALUE,
			    "Invalid parameter value", param, "%s must be %s",
			    param, what);
}

static const char *known_field(const struct dialect *d, const char *s,
			       size_t n)
{
	int i = NAMES_INDEX(d->fields, SIZE_MAX, s, n);

	return i >= 0 ? d->fields[i] : NULL;
}

/* A duplicated key: jansson stops just past it, so body[pos - 1] is its
 * closing quote (its message quotes the key only when it is short). Named
 * when it is one of ours. */
static const char *duplicate_name(const struct dialect *d, const char *body,
				  size_t n, size_t pos)
{
	size_t open;

	if (pos < 2 || pos > n || body[pos - 1] != '"')
		return NULL;
	for (open = pos - 1; open > 0 && body[open - 1] != '"'; open--)
		;
	if (open == 0)
		return NULL;
	return known_field(d, body + open, pos - 1 - open);
}

/* The length of a jansson message without what it quotes: up to its
 * first quote, less a trailing " near". */
static int message_len(const char *text)
{
	size_t len = strcspn(text, "'");

	while (len > 0 && text[len - 1] == ' ')
		len--;
	if (len >= 5 && memcmp(text + len - 5, " near", 5) == 0)
		len -= 5;
	return (int)len;
}

/*
 * jansson's messages may quote what they stopped at ("... near 'xyz'",
 * "invalid Unicode '\uD800'"), which may be a secret the client meant to
 * inject: the detail keeps the message up to the first quote, and the
 * position.
 */
static int fail_json(const struct dialect *d, struct request_error *err,
		     const json_error_t *je, const char *body, size_t n)
{
	int len = message_len(je->text);
	const char *name;

	if (json_error_code(je) == json_error_numeric_overflow)
		return request_fail(err, 400, PROBLEM_OUT_OF_RANGE,
				    "Parameter out of range", NULL,
				    "a number in the body does not fit 64 bits "
				    "(line %d, column %d)", je->line,
				    je->column);
	if (json_error_code(je) == json_error_duplicate_key) {
		name = duplicate_name(d, body, n, (size_t)je->position);
		return request_fail(err, 400, PROBLEM_DUPLICATE_PARAMETER,
				    "Duplicate parameter", name,
				    "%s appears more than once in the body",
				    name != NULL ? name : "a field");
	}
	return request_fail(err, 400, PROBLEM_MALFORMED_BODY,
			    "Malformed request body", NULL,
			    "the body must be one JSON object: %.*s at "
			    "line %d, column %d", len, je->text, je->line,
			    je->column);
}

static int get_integer(json_t *v, const char *name, long long lo,
		       long long hi, size_t *out, struct request_error *err)
{
	json_int_t x;

	if (!json_is_integer(v))
		return fail_invalid(err, name, "an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return request_fail(err, 400, PROBLEM_OUT_OF_RANGE,
				    "Parameter out of range", name,
				    "%s must be an integer from %lld to %lld",
				    name, lo, hi);
	*out = (size_t)x;
	return 0;
}

static int get_bool(json_t *v, const char *name, bool *out,
		    struct request_error *err)
{
	if (!json_is_boolean(v))
		return fail_invalid(err, name, "true or false");
	*out = json_is_true(v);
	return 0;
}

/* Code points of valid UTF-8 (jansson has validated it), or -1 if one is a
 * control character: C0, DEL or C1 (U+0080..U+009F is C2 80..C2 9F). */
static long count_chars(const unsigned char *s, size_t n)
{
	long chars = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return -1;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] < 0xa0)
			return -1;
		chars += (s[i] & 0xc0) != 0x80;
	}
	return chars;
}

/* One list of injected strings, appended to spec->pieces and spec->text.
 * char_inject items are 1 character; string_inject items min_chars..64. */
static int get_pieces(json_t *list, const char *name, bool single,
		      size_t min_chars, struct complex_spec *spec,
		      struct request_error *err)
{
	char item[80];
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return fail_invalid(err, name, "an array of strings");
	if (json_array_size(list) > COMPLEX_MAX_ITEMS)
		return request_fail(err, 413, PROBLEM_CONTENT_TOO_LARGE,
				    "Content Too Large", name,
				    "%s holds at most %d strings", name,
				    COMPLEX_MAX_ITEMS);
	json_array_foreach(list, i, v) {
		struct complex_piece *p = &spec->pieces[spec->n_pieces];
		size_t bytes = json_string_length(v);
		long chars;

		snprintf(item, sizeof(item), "%s[%zu]", name, i);
		if (!json_is_string(v))
			return fail_invalid(err, item, "a string");
		chars = count_chars((const unsigned char *)json_string_value(v),
				    bytes);
		if (chars < 0)
			return fail_invalid(err, item, "free of control "
					    "characters");
		if (!single && chars > COMPLEX_STRING_MAX_CHARS)
			return request_fail(err, 413, PROBLEM_CONTENT_TOO_LARGE,
					    "Content Too Large", item,
					    "%s is longer than %d characters",
					    item, COMPLEX_STRING_MAX_CHARS);
		if (single ? chars != 1 : (size_t)chars < min_chars)
			return fail_invalid(err, item, single
					    ? "exactly one character"
					    : min_chars > 1
						      ? "at least 2 characters"
						      : "at least 1 character");
		p->offset = p > spec->pieces ? (uint16_t)(p[-1].offset +
							  p[-1].bytes)
					     : 0;
		/* cannot happen (decoded text is never longer than its
		 * JSON, nor than COMPLEX_TEXT_MAX); checked because it
		 * guards a copy */
		if (p->offset + bytes > spec->text_cap)
			return fail_invalid(err, item, "shorter");
		p->bytes = (uint16_t)bytes;
		p->chars = (uint16_t)chars;
		memcpy(spec->text + p->offset, json_string_value(v), bytes);
		spec->item_bytes += bytes;
		spec->item_chars += (size_t)chars;
		spec->n_pieces++;
	}
	return 0;
}

static int check_fields(const struct dialect *d, json_t *doc,
			struct request_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v) {
		if (known_field(d, key, strlen(key)) == NULL) {
			char name[64];

			/* printable, and short enough to quote */
			snprintf(name, sizeof(name), "%s", key);
			for (char *c = name; *c != '\0'; c++)
				if ((unsigned char)*c < 0x20 ||
				    (unsigned char)*c >= 0x7f)
					*c = '?';
			return request_fail(err, 400, PROBLEM_UNKNOWN_PARAMETER,
					    "Unknown parameter", name,
					    "%s is not a field of this body; "
					    "known: %s", name, d->known);
		}
	}
	return 0;
}

/* additional_length, quantity, punctuation: from a /v1 body. */
static int read_v1_numbers(json_t *doc, struct complex_spec *spec,
			   struct request_error *err)
{
	json_t *v = json_object_get(doc, "additional_length");

	if (v == NULL)
		return fail_invalid(err, "additional_length",
				    "given (it is required)");
	if (get_integer(v, "additional_length", COMPLEX_LENGTH_MIN,
			COMPLEX_LENGTH_MAX, &spec->additional_length, err) < 0)
		return -1;
	spec->quantity = QUANTITY_DEFAULT;
	if ((v = json_object_get(doc, "quantity")) != NULL &&
	    get_integer(v, "quantity", 1, COMPAT_QUANTITY_MAX,
			&spec->quantity, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "punctuation")) != NULL &&
	    get_bool(v, "punctuation", &spec->punctuation, err) < 0)
		return -1;
	return 0;
}

static int get_list(const struct dialect *d, json_t *doc, const char *name,
		    bool single, struct complex_spec *spec,
		    struct request_error *err)
{
	json_t *v = json_object_get(doc, name);

	if (v == NULL)
		return d->lists_required
			       ? fail_invalid(err, name, "given (it is "
					      "required on this route)")
			       : 0;
	return get_pieces(v, name, single, d->string_min_chars, spec, err);
}

/* The blog-era rule for string_inject: some item of 2 characters or more
 * (so an empty list is refused, as it was). */
static int check_blog_strings(const struct complex_spec *spec,
			      struct request_error *err)
{
	for (size_t i = spec->n_chars; i < spec->n_pieces; i++) {
		if (spec->pieces[i].chars >= COMPLEX_STRING_MIN_CHARS)
			return 0;
	}
	return fail_invalid(err, "string_inject", "a list holding a string "
			    "of at least 2 characters");
}

static int read_spec(const struct dialect *d, json_t *doc,
		     const struct complex_blog *args,
		     struct complex_spec *spec, struct request_error *err)
{
	json_t *v;

	if (check_fields(d, doc, err) < 0)
		return -1;
	if (args == NULL && read_v1_numbers(doc, spec, err) < 0)
		return -1;
	if (args != NULL) {
		/* the original's rule: at least 3 random characters */
		spec->additional_length = args->length < 3 ? 3 : args->length;
		spec->quantity = args->quantity;
		spec->punctuation = args->punctuation;
	}
	if ((v = json_object_get(doc, d->shuffle)) != NULL &&
	    get_bool(v, d->shuffle, &spec->shuffle_strings, err) < 0)
		return -1;
	if (get_list(d, doc, "char_inject", true, spec, err) < 0)
		return -1;
	spec->n_chars = spec->n_pieces;
	if (get_list(d, doc, "string_inject", false, spec, err) < 0)
		return -1;
	if (args != NULL && check_blog_strings(spec, err) < 0)
		return -1;
	spec->item_bytes += spec->additional_length;
	spec->item_chars += spec->additional_length;
	return 0;
}

/* The strings jansson decoded are copies of the client's secrets: wipe
 * them before jansson frees them (its allocator does not scrub). */
static void wipe_strings(json_t *doc)
{
	static const char *const lists[] = { "char_inject", "string_inject" };

	for (size_t l = 0; l < 2; l++) {
		json_t *list = json_object_get(doc, lists[l]);
		json_t *v;
		size_t i;

		json_array_foreach(list, i, v) {
			if (json_is_string(v))
				secmem_wipe((char *)json_string_value(v),
					    json_string_length(v));
		}
	}
}

static int parse(const struct dialect *d, const char *body, size_t n,
		 const struct complex_blog *args, struct complex_spec **out,
		 struct request_error *err)
{
	json_error_t je;
	json_t *doc;
	struct complex_spec *spec;
	size_t cap = n < COMPLEX_TEXT_MAX ? n : COMPLEX_TEXT_MAX;
	int rc;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	err->stage = REQUEST_STAGE_QUERY;  /* the body comes after the query */
	/* NUL is let through to be refused as a control character, by name */
	doc = json_loadb(body, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			 &je);
	if (doc == NULL) {
		fail_json(d, err, &je, body, n);
		secmem_wipe(&je, sizeof(je));  /* it may quote the body */
		return -EINVAL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		request_fail(err, 400, PROBLEM_MALFORMED_BODY,
			     "Malformed request body", NULL,
			     "the body must be a JSON object");
		return -EINVAL;
	}
	spec = calloc(1, sizeof(*spec) + cap);
	if (spec == NULL) {
		wipe_strings(doc);
		json_decref(doc);
		return -ENOMEM;
	}
	spec->text_cap = cap;
	rc = read_spec(d, doc, args, spec, err);
	wipe_strings(doc);
	json_decref(doc);
	if (rc < 0) {
		complex_free(spec);
		return -EINVAL;
	}
	*out = spec;
	return 0;
}

int complex_parse(const char *body, size_t n, struct complex_spec **out,
		  struct request_error *err)
{
	return parse(&v1, body, n, NULL, out, err);
}

int complex_parse_blog(const char *body, size_t n,
		       const struct complex_blog *args,
		       struct complex_spec **out, struct request_error *err)
{
	return parse(&blog, body, n, args, out, err);
}

void complex_free(struct complex_spec *spec)
{
	if (spec != NULL)
		secmem_free(spec, sizeof(*spec) + spec->text_cap);
}

/* ------------------------------------------------------------ assembling */

/* Fisher-Yates: order[0, n) becomes a uniformly drawn permutation. */
static void shuffle(struct rng *r, uint8_t *order, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		unsigned j = rng_below(r, (unsigned)i);
		uint8_t t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* Copy a piece; with `scramble`, its code points in a uniform order. */
static char *put_piece(const struct complex_spec *spec,
		       const struct complex_piece *p, bool scramble,
		       struct rng *r, char *out)
{
	const char *s = spec->text + p->offset;
	uint16_t start[COMPLEX_STRING_MAX_CHARS + 1];
	uint8_t order[COMPLEX_STRING_MAX_CHARS];
	size_t n = 0;

	if (!scramble || p->chars < 2) {
		memcpy(out, s, p->bytes);
		return out + p->bytes;
	}
	for (size_t i = 0; i < p->bytes; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			order[n] = (uint8_t)n;
			start[n++] = (uint16_t)i;
		}
	}
	start[n] = p->bytes;
	shuffle(r, order, n);
	for (size_t k = 0; k < n; k++) {
		size_t len = (size_t)(start[order[k] + 1] - start[order[k]]);

		memcpy(out, s + start[order[k]], len);
		out += len;
	}
	secmem_wipe(order, sizeof(order));
	return out;
}

void complex_assemble(const struct complex_spec *spec, struct rng *r,
		      const char *base, char *out)
{
	/* units: the random characters 0..L-1, then the pieces */
	uint8_t order[COMPLEX_LENGTH_MAX + 2 * COMPLEX_MAX_ITEMS];
	size_t len = spec->additional_length;
	size_t units = len + spec->n_pieces;

	for (size_t i = 0; i < units; i++)
		order[i] = (uint8_t)i;
	shuffle(r, order, units);
	for (size_t i = 0; i < units; i++) {
		size_t u = order[i], piece;

		if (u < len) {
			*out++ = base[u];
			continue;
		}
		piece = u - len;
		out = put_piece(spec, &spec->pieces[piece],
				spec->shuffle_strings && piece >= spec->n_chars,
				r, out);
	}
	secmem_wipe(order, sizeof(order));
}
