/* kind_token.c - GET /token: `bytes` random bytes in one encoding
 * (token.h); every output is possible, so entropy is 8 bits a byte. */
#include "kind.h"

#include "job.h"
#include "token.h"

enum { P_BYTES, P_ENCODING };

static const struct kind_param params[] = {
	[P_BYTES] = { "bytes", KIND_UINT, TOKEN_MIN_BYTES, TOKEN_MAX_BYTES,
		      NULL, NULL, "32", "random bytes per token" },
	[P_ENCODING] = { "encoding", KIND_WORD, 0, 0, NULL,
			 "hex, base64url or base32", "hex",
			 "how the bytes are written" },
};

static void defaults(struct kind_parse *kp)
{
	kp->g->token_bytes = TOKEN_DEFAULT_BYTES;
	kp->g->encoding = TOKEN_HEX;
}

static int set(struct kind_parse *kp, size_t i, const struct kind_value *v)
{
	if (i == P_BYTES) {
		kp->g->token_bytes = v->u;
		return 0;
	}
	if (token_encoding_parse(v->s, v->n, &kp->g->encoding) == 0)
		return 0;
	return kind_fail_invalid(kp, "encoding", params[i].expect);
}

static int settle(struct kind_parse *kp)
{
	struct gen_request *g = kp->g;

	g->entropy_bits = token_entropy_bits(g->token_bytes);
	g->acceptance = 1;
	g->length = token_encoded_len(g->token_bytes, g->encoding);
	return 0;
}

static size_t slot_size(const struct gen_request *g)
{
	return g->length;
}

static int item_step(struct task *t, struct coro *child, void *slot)
{
	const struct gen_request *req = &t->job->req;

	(void)child;
	token_generate(t->rng, req->token_bytes, req->encoding, slot);
	return CORO_DONE;
}

static void describe(const struct gen_request *g, struct items_header *h)
{
	h->size_name = "bytes";
	h->size = g->token_bytes;
}

static json_t *explain(const struct gen_request *g)
{
	return json_pack("{s:s}", "encoding", token_encoding_name(g->encoding));
}

static const struct kind_query query =
	KIND_QUERY(params, defaults, set, settle);

const struct kind kind_token = {
	.name = "token",
	.query = &query,
	.slot_size = slot_size,
	.item_step = item_step,
	.describe = describe,
	.explain = explain,
};
