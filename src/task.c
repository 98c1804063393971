/* task.c - see task.h. */
#include "task.h"

#include <errno.h>

#include "gather.h"
#include "job.h"
#include "render.h"

enum task_state {
	TASK_START = CORO_START,
	TASK_GATHER,
	TASK_DONE,
};

size_t job_cost(const struct gen_request *req)
{
	if (req->explain)
		return 1024;  /* a small document, no items */
	/* quotes and comma per item, ~1/16 slack for escaped symbols, and the
	 * envelope */
	return req->quantity * (req->length + 3 + req->length / 16) + 128;
}

/* ---- gather callbacks: ctx is the task, a slot holds one item's chars */

static int item_step(void *ctx, size_t index, struct coro *child, void *slot)
{
	struct task *t = ctx;

	(void)index;
	return gen_item_step((struct gen_item *)child, t->rng, t->alphabet,
			     t->policy, t->job->req.length, slot);
}

/* The slot is not wiped here: the same characters now sit in the reply
 * until it is wiped, a reused slot is zeroed by gather, and gather_free()
 * scrubs every slot. A wipe per item cost ~9% of a large request. */
static int item_collect(void *ctx, size_t index, void *slot)
{
	struct task *t = ctx;

	return render_item(&t->job->body, index, slot, t->job->req.length);
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
	return (struct items_header){
		.kind = req->kind == GEN_KIND_PIN ? "pin" : "password",
		.quantity = req->quantity,
		.length = req->length,
		.entropy_bits = req->entropy_bits,
	};
}

/* explain=true: describe the request; nothing is generated. */
static int task_explain(struct job *job)
{
	const struct password_policy *p = &job->req.policy;
	struct explain_info e = {
		.header = header_of(&job->req),
		.alphabet = p->alphabet,
		.alphabet_len = p->alphabet_len,
		.min = p->min,
		.first_letter = p->first_letter,
		.acceptance = job->req.acceptance,
	};

	return render_explain(&job->body, &e);
}

static int task_begin(struct job *job, const struct task_env *env)
{
	struct task *t = &job->task;
	const struct gen_request *req = &job->req;
	struct items_header header = header_of(req);
	int rc = pick_alphabet(t, req, env);

	if (rc < 0)
		return rc;
	t->policy = policy_is_constrained(&req->policy) ? &req->policy : NULL;
	t->job = job;
	t->rng = env->rng;
	rc = sbuf_reserve(&job->body, job_cost(req));
	if (rc == 0)
		rc = render_items_open(&job->body, &header);
	if (rc < 0)
		return rc;
	t->gather = gather_new(req->quantity, env->window,
			       sizeof(struct gen_item), req->length, &item_ops,
			       t);
	return t->gather != NULL ? 0 : -ENOMEM;
}

static size_t steps_per_quantum(const struct job *job, size_t quantum)
{
	size_t per_step = job->req.length < GEN_CHUNK ? job->req.length
						      : GEN_CHUNK;
	size_t steps = quantum / (per_step > 0 ? per_step : 1);

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
			return CORO_YIELD;
		if (rc == GATHER_DONE)
			rc = render_items_close(&job->body);
		if (rc < 0)
			return task_fail(job, rc);
		gather_free(t->gather);
		t->gather = NULL;
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
	sbuf_release(&job->body);
	t->co.state = TASK_DONE;
}
