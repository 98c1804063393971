/* kind_complex.c - the original's complex password (POST
 * /v1/complex_password, POST /complex_password/{length}): a /v1/ password
 * with the body's pieces mixed in (complex.h). No route of its own and no
 * query: the original's routes (routes.h) parse it; it counts as a
 * password. */
#include "kind.h"
#include "kind_chars.h"

#include <string.h>

#include "complex.h"
#include "job.h"
#include "secmem.h"

/* A slot: [ size_t len | the item (item_bytes) | random part (length) ] */
static size_t slot_size(const struct gen_request *g)
{
	return sizeof(size_t) + g->complex->item_bytes + g->length;
}

/* Any alphabet: the injected pieces may need escaping. */
static int begin(struct task *t, const struct task_env *env)
{
	int rc = kind_chars_begin(t, env);

	t->clean = false;
	return rc;
}

/* The random part like any /v1/ password, then the pieces mixed in; the
 * random part is wiped once laid out. */
static int item_step(struct task *t, struct coro *child, void *slot)
{
	const struct gen_request *req = &t->job->req;
	const struct complex_spec *spec = req->complex;
	char *item = (char *)slot + sizeof(size_t);
	char *random = item + spec->item_bytes;
	int rc = gen_item_step((struct gen_item *)child, t->rng, t->alphabet,
			       t->policy != NULL ? kind_chars_accepts : NULL,
			       t, req->length, random);

	if (rc != CORO_DONE)
		return rc;
	complex_assemble(spec, t->rng, random, item);
	secmem_wipe(random, req->length);
	memcpy(slot, &spec->item_bytes, sizeof(size_t));
	return CORO_DONE;
}

/* '"' and '\\' escape to two bytes. */
static size_t cost(const struct gen_request *g)
{
	return g->quantity * (2 * g->complex->item_bytes + 3) + 512;
}

const struct kind kind_complex = {
	.name = "complex",
	.label = "password",
	.slot_size = slot_size,
	.length_prefixed = true,
	.begin = begin,
	.item_step = item_step,
	.cost = cost,
	.data_entropy_note = COMPLEX_ENTROPY_NOTE,
};
