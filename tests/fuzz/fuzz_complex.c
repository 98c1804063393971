/*
 * fuzz_complex.c - libFuzzer target for POST /v1/complex_password's body
 * parser and assembly: every input must either parse into a spec that
 * respects every limit and lays out into exactly item_bytes bytes of
 * exactly item_chars characters, or be refused with a well-formed 400 or
 * 413. Built with clang -fsanitize=fuzzer,address,undefined by `make fuzz`.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "complex.h"
#include "rng.h"

static const unsigned char seed[RNG_KEY_SIZE] = { 'f', 'z' };

static void check_error(const struct request_error *err)
{
	if (err->status != 400 && err->status != 413)
		abort();
	if (err->type == NULL || err->title == NULL || err->detail[0] == '\0')
		abort();
	if (strnlen(err->detail, sizeof(err->detail)) == sizeof(err->detail))
		abort();
	for (const char *p = err->parameter; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			abort();
	}
}

static size_t code_points(const char *s, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	return chars;
}

/* min_chars: of a string_inject item, 2 on /v1, 1 on the blog route */
static void check_spec(const struct complex_spec *s, unsigned min_chars)
{
	size_t bytes = s->additional_length, chars = s->additional_length;
	char base[COMPLEX_LENGTH_MAX];
	struct rng r;
	char *out;

	if (s->additional_length < COMPLEX_LENGTH_MIN ||
	    s->additional_length > COMPLEX_LENGTH_MAX || s->quantity < 1 ||
	    s->quantity > COMPAT_QUANTITY_MAX ||
	    s->n_chars > COMPLEX_MAX_ITEMS ||
	    s->n_pieces - s->n_chars > COMPLEX_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < s->n_pieces; i++) {
		const struct complex_piece *p = &s->pieces[i];

		if (p->offset + p->bytes > s->text_cap ||
		    code_points(s->text + p->offset, p->bytes) != p->chars ||
		    (i < s->n_chars ? p->chars != 1
				    : p->chars < min_chars ||
					      p->chars >
						      COMPLEX_STRING_MAX_CHARS))
			abort();
		bytes += p->bytes;
		chars += p->chars;
	}
	if (bytes != s->item_bytes || chars != s->item_chars)
		abort();
	/* exactly item_bytes, so ASan catches any overrun */
	out = malloc(s->item_bytes);
	if (out == NULL)
		return;
	memset(base, 'x', sizeof(base));
	rng_init_seeded(&r, seed);
	complex_assemble(s, &r, base, out);
	if (code_points(out, s->item_bytes) != s->item_chars)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct complex_spec *spec;
	struct request_error err;
	char *body = malloc(size > 0 ? size : 1);
	int rc;

	if (body == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	rc = complex_parse(body, size, &spec, &err);
	if (rc == 0)
		check_spec(spec, COMPLEX_STRING_MIN_CHARS);
	else if (rc == -EINVAL)
		check_error(&err);
	complex_free(spec);
	/* the same bytes as the blog-era route's body */
	{
		const struct complex_blog args = { size % 100 + 1, 3,
						   size % 2 == 0 };

		rc = complex_parse_blog(body, size, &args, &spec, &err);
		if (rc == 0)
			check_spec(spec, 1);
		else if (rc == -EINVAL)
			check_error(&err);
		complex_free(spec);
	}
	free(body);
	return 0;
}
