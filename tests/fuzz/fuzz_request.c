/*
 * fuzz_request.c - libFuzzer target for the request-target parser and
 * router (request_parse): every input must either parse into a request that
 * respects every limit, or be refused with a well-formed error. Built with
 * clang -fsanitize=fuzzer,address,undefined by `make fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "request.h"

enum { MAX_QUANTITY = 100000 };

static void check_printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s > 0x7e)
			abort();
	}
}

static void check_request(const struct request *req)
{
	const struct gen_request *g = &req->gen;

	if (req->route == ROUTE_HEALTHZ)
		return;
	if (g->quantity < 1 || g->quantity > MAX_QUANTITY)
		abort();
	if (req->route == ROUTE_PASSPHRASE &&
	    (g->passphrase.words < PASSPHRASE_MIN_WORDS ||
	     g->passphrase.words > PASSPHRASE_MAX_WORDS ||
	     g->length > PASSPHRASE_MAX_ITEM_LEN || !(g->entropy_bits > 0)))
		abort();
	if (req->route == ROUTE_TOKEN &&
	    (g->token_bytes < TOKEN_MIN_BYTES ||
	     g->token_bytes > TOKEN_MAX_BYTES ||
	     g->length != token_encoded_len(g->token_bytes, g->encoding)))
		abort();
	if (req->route == ROUTE_PASSPHRASE || req->route == ROUTE_TOKEN)
		return;
	if (req->route == ROUTE_PIN &&
	    (g->length < PIN_LENGTH_MIN || g->length > PIN_LENGTH_MAX ||
	     g->classes != GEN_CLASS_DIGITS))
		abort();
	if (req->route == ROUTE_PASSWORD &&
	    (g->length < PASSWORD_LENGTH_MIN ||
	     g->length > PASSWORD_LENGTH_MAX || g->classes == 0 ||
	     g->classes > 15))
		abort();
}

static void check_error(const struct request_error *err)
{
	if (err->status != 400 && err->status != 404)
		abort();
	if (err->type == NULL || err->title == NULL || err->detail[0] == '\0')
		abort();
	if (strnlen(err->detail, sizeof(err->detail)) == sizeof(err->detail) ||
	    strnlen(err->parameter, sizeof(err->parameter)) ==
		    sizeof(err->parameter))
		abort();  /* not NUL-terminated */
	check_printable(err->parameter);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct request_error err;
	/* a copy of exactly `size` bytes, so ASan catches any over-read */
	char *target = malloc(size > 0 ? size : 1);

	if (target == NULL)
		return 0;
	if (size > 0)
		memcpy(target, data, size);
	if (request_parse(target, size, MAX_QUANTITY, &req, &err) == 0)
		check_request(&req);
	else
		check_error(&err);
	free(target);
	return 0;
}
