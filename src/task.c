/* task.c - see task.h. */
#include "task.h"

#include <errno.h>
#include <string.h>

#include "complex.h"
#include "gather.h"
#include "job.h"
#include "passphrase.h"
#include "pin.h"
#include "policy.h"
#include "render.h"
#include "secmem.h"
#include "token.h"

enum task_state {
	TASK_START = CORO_START,
	TASK_GATHER,
	TASK_DONE,
};

/* Passphrases vary in length: their slot starts with the length. So does a
 * complex password's, whose slot ends with room for its random part:
 *     [ size_t len | the item (item_bytes) | random part (length) ] */
static size_t slot_size(const struct gen_request *req)
{
	if (req->complex != NULL)
		return sizeof(size_t) + req->complex->item_bytes + req->length;
	if (req->kind == GEN_KIND_PASSPHRASE)
		return sizeof(size_t) + req->length;
	return req->length;
}

static bool length_prefixed(const struct gen_request *req)
{
	return req->kind == GEN_KIND_PASSPHRASE || req->complex != NULL;
}

size_t job_stream_cost(const struct gen_request *req, size_t chunk,
		       size_t quantum)
{
	/* one step renders about `quantum` item bytes, twice that escaped */
	size_t cost = chunk + 2 * quantum + 4096;

	if (req->unique)
		cost += uniq_bytes(req->quantity, req->length);
	return cost;
}

size_t job_cost(const struct gen_request *req)
{
	size_t cost;

	if (req->explain)
		return 1024;  /* a small document, no items */
	if (req->complex != NULL)  /* '"' and '\\' escape to two bytes */
		return req->quantity * (2 * req->complex->item_bytes + 3) + 512;
	/* quotes and comma per item, ~1/16 slack for escaped symbols, and the
	 * envelope */
	cost = req->quantity * (req->length + 3 + req->length / 16) + 128;
	if (req->unique)
		cost += uniq_bytes(req->quantity, req->length);
	return cost;
}

/* ---- gather callbacks: ctx is the task, a slot holds one item */

/* gen_accept_fn for passwords and PINs: every check the request asked
 * for; the unique set is last, so it only records items that are final. */
static bool accepts(void *ctx, const char *s, size_t n)
{
	struct task *t = ctx;
	const struct gen_request *req = &t->job->req;

	if (t->policy != NULL && !policy_accepts(t->policy, s, n))
		return false;
	if (req->exclude_weak && pin_is_weak(s, n))
		return false;
	return !req->unique || uniq_insert(&t->seen, s);
}

/* A complex password: its random part like any /v1/ password, then the
 * injected pieces mixed in (complex.h); the random part is wiped once laid
 * out. */
static int complex_item_step(struct task *t, struct gen_item *child,
			     char *slot)
{
	const struct gen_request *req = &t->job->req;
	const struct complex_spec *spec = req->complex;
	char *item = slot + sizeof(size_t);
	char *random = item + spec->item_bytes;
	int rc = gen_item_step(child, t->rng, t->alphabet,
			       t->policy != NULL ? accepts : NULL, t,
			       req->length, random);

	if (rc != CORO_DONE)
		return rc;
	complex_assemble(spec, t->rng, random, item);
	secmem_wipe(random, req->length);
	memcpy(slot, &spec->item_bytes, sizeof(size_t));
	return CORO_DONE;
}

static int item_step(void *ctx, size_t index, struct coro *child, void *slot)
{
	struct task *t = ctx;
	const struct gen_request *req = &t->job->req;
	bool checks = t->policy != NULL || req->exclude_weak || req->unique;
	size_t len;

	(void)index;
	switch (req->kind) {
	case GEN_KIND_PASSPHRASE:
		len = passphrase_generate(t->rng, &req->passphrase,
					  (char *)slot + sizeof(size_t));
		memcpy(slot, &len, sizeof(len));
		return len > 0 ? CORO_DONE : -EINVAL;
	case GEN_KIND_TOKEN:
		token_generate(t->rng, req->token_bytes, req->encoding, slot);
		return CORO_DONE;
	default:
		break;
	}
	if (req->complex != NULL)
		return complex_item_step(t, (struct gen_item *)child, slot);
	return gen_item_step((struct gen_item *)child, t->rng, t->alphabet,
			     checks ? accepts : NULL, t, req->length, slot);
}

/* The slot is not wiped here: the same characters now sit in the reply
 * until it is wiped, a reused slot is zeroed by gather, and gather_free()
 * scrubs every slot. A wipe per item cost ~9% of a large request. */
static int item_collect(void *ctx, size_t index, void *slot)
{
	struct task *t = ctx;
	size_t len = t->job->req.length;

	if (length_prefixed(&t->job->req)) {
		memcpy(&len, slot, sizeof(len));
		slot = (char *)slot + sizeof(size_t);
	}
	if (t->job->req.shape != SHAPE_PWGEND)
		return render_data_item(&t->job->body, index, slot, len,
					t->job->req.shape == SHAPE_BLOG);
	switch (t->job->req.format) {
	case FORMAT_TEXT:
		return render_text_item(&t->job->body, slot, len);
	case FORMAT_NDJSON:
		return render_ndjson_item(&t->job->body, slot, len);
	case FORMAT_JSON:
		break;
	}
	if (t->clean)
		return render_item_clean(&t->job->body, index, slot, len);
	return render_item(&t->job->body, index, slot, len);
}

static const struct gather_ops item_ops = {
	.step = item_step,
	.collect = item_collect,
};

/* ---- the task itself */

/* The plain class unions come from the scheduler's table; a custom alphabet
 * (charset, preset, symbol_set, exclusions) is built for the request. */
static int pick_alphabet(struct task *t, const struct gen_request *req,
			 const struct task_env *env)
{
	if (req->classes_only && req->classes > 0 && req->classes < 16) {
		t->alphabet = &env->alphabets->by_classes[req->classes];
		return 0;
	}
	t->alphabet = &t->own;
	return alphabet_init(&t->own, req->policy.alphabet,
			     req->policy.alphabet_len);
}

static struct items_header header_of(const struct gen_request *req)
{
	struct items_header h = {
		.kind = gen_kind_name(req->kind),
		.quantity = req->quantity,
		.size_name = "length",
		.size = req->length,
		.entropy_bits = req->entropy_bits,
		.note = req->kind == GEN_KIND_PIN && req->unique
				? RENDER_NOTE_DEPENDENT
				: NULL,
	};

	if (req->kind == GEN_KIND_PASSPHRASE) {
		h.size_name = "words";
		h.size = req->passphrase.words;
	} else if (req->kind == GEN_KIND_TOKEN) {
		h.size_name = "bytes";
		h.size = req->token_bytes;
	}
	return h;
}

/* explain=true: describe the request; nothing is generated. */
static int task_explain(struct job *job)
{
	const struct gen_request *req = &job->req;
	const struct password_policy *p = &req->policy;
	struct explain_info e = {
		.header = header_of(req),
		.acceptance = req->acceptance,
		.alphabet = p->alphabet,
		.alphabet_len = p->alphabet_len,
		.min = p->min,
		.first_letter = p->first_letter,
		.exclude_weak = req->exclude_weak,
		.unique = req->unique,
	};

	if (req->kind == GEN_KIND_PASSPHRASE) {
		e.wordlist_size = PASSPHRASE_WORDLIST_SIZE;
		e.separator = req->passphrase.separator;
		e.capitalize = passphrase_case_name(req->passphrase.capitalize);
		e.number = req->passphrase.number;
		e.max_length = req->passphrase.max_length;
	} else if (req->kind == GEN_KIND_TOKEN) {
		e.encoding = token_encoding_name(req->encoding);
	}
	return render_explain(&job->body, &e);
}

static int task_begin(struct job *job, const struct task_env *env)
{
	struct task *t = &job->task;
	const struct gen_request *req = &job->req;
	struct items_header header = header_of(req);
	bool chars = req->kind == GEN_KIND_PASSWORD || req->kind == GEN_KIND_PIN;
	int rc = chars ? pick_alphabet(t, req, env) : 0;

	if (rc == 0 && req->unique)
		rc = uniq_init(&t->seen, req->quantity, req->length);
	if (rc < 0)
		return rc;
	t->policy = chars && policy_is_constrained(&req->policy) ? &req->policy
								 : NULL;
	/* passwords and PINs are strings over their alphabet: an alphabet
	 * without '"', '\\' or controls makes every item clean */
	t->clean = chars && req->complex == NULL &&
		   render_is_clean(t->alphabet->chars, t->alphabet->size);
	t->job = job;
	t->rng = env->rng;
	rc = sbuf_reserve(&job->body, job->stream_chunk > 0
					      ? job->stream_chunk + 2 * env->quantum
					      : job_cost(req));
	if (rc == 0 && req->shape != SHAPE_PWGEND)
		rc = render_data_open(&job->body, req->shape == SHAPE_BLOG);
	else if (rc == 0 && req->format == FORMAT_JSON)
		rc = render_items_open(&job->body, &header);
	if (rc < 0)
		return rc;
	t->gather = gather_new(req->quantity, env->window,
			       sizeof(struct gen_item), slot_size(req),
			       &item_ops, t);
	return t->gather != NULL ? 0 : -ENOMEM;
}

/*
 * How many child steps make one slice of `quantum` bytes of work. A step
 * draws at most min(length, GEN_CHUNK) characters, and an accepted item is
 * rendered once more (its length again, a little more when escaped), so a
 * step costs at most twice that. A rejected candidate costs its draw and
 * counts as a step all the same: a policy that accepts one candidate in 500
 * yields as often as one that accepts all, and no slice runs longer than one
 * quantum whatever the acceptance.
 */
static size_t steps_per_quantum(const struct job *job, size_t quantum)
{
	size_t per_step = job->req.length < GEN_CHUNK ? job->req.length
						      : GEN_CHUNK;
	size_t steps = quantum / (2 * (per_step > 0 ? per_step : 1));

	return steps > 0 ? steps : 1;
}

static int task_fail(struct job *job, int rc)
{
	task_cancel(job);
	return rc;
}

int task_step(struct job *job, const struct task_env *env)
{
	struct task *t = &job->task;
	int rc;

	switch ((enum task_state)t->co.state) {
	case TASK_START:
		if (job->req.explain) {
			rc = task_explain(job);
			if (rc < 0)
				return task_fail(job, rc);
			t->co.state = TASK_DONE;
			return CORO_DONE;
		}
		rc = task_begin(job, env);
		if (rc < 0)
			return task_fail(job, rc);
		t->co.state = TASK_GATHER;
		/* fallthrough */
	case TASK_GATHER:
		rc = gather_run(t->gather,
				steps_per_quantum(job, env->quantum));
		if (rc == GATHER_PENDING)
			return job->stream_chunk > 0 &&
					       job->body.len >= job->stream_chunk
				       ? TASK_CHUNK
				       : CORO_YIELD;
		if (rc == GATHER_DONE && job->req.complex != NULL &&
		    job->req.shape == SHAPE_DATA)
			rc = render_data_close_entropy(&job->body,
						       job->req.entropy_bits,
						       COMPLEX_ENTROPY_NOTE);
		else if (rc == GATHER_DONE && job->req.shape != SHAPE_PWGEND)
			rc = render_data_close(&job->body);
		else if (rc == GATHER_DONE && job->req.format == FORMAT_JSON)
			rc = render_items_close(&job->body);
		if (rc < 0)
			return task_fail(job, rc);
		gather_free(t->gather);
		t->gather = NULL;
		uniq_free(&t->seen);
		t->co.state = TASK_DONE;
		return CORO_DONE;
	case TASK_DONE:
		return CORO_DONE;
	}
	return task_fail(job, -EINVAL);
}

void task_cancel(struct job *job)
{
	struct task *t = &job->task;

	gather_free(t->gather);
	t->gather = NULL;
	uniq_free(&t->seen);
	sbuf_release(&job->body);
	t->co.state = TASK_DONE;
}
