/* task.c - see task.h. */
#include "task.h"

#include <errno.h>
#include <string.h>

#include "gather.h"
#include "job.h"
#include "kind.h"
#include "render.h"

enum task_state {
	TASK_START = CORO_START,
	TASK_GATHER,
	TASK_DONE,
};

/* The kind's per-job state besides the reply. */
static size_t held_bytes(const struct gen_request *req)
{
	const struct kind *kind = kinds_get(req->kind);

	return kind->held_bytes != NULL ? kind->held_bytes(req) : 0;
}

size_t job_stream_cost(const struct gen_request *req, size_t chunk,
		       size_t quantum)
{
	/* one step renders about `quantum` item bytes, twice that escaped */
	return chunk + 2 * quantum + 4096 + held_bytes(req);
}

size_t job_cost(const struct gen_request *req)
{
	const struct kind *kind = kinds_get(req->kind);
	size_t cost;

	if (req->explain)
		return 1024;  /* a small document, no items */
	if (kind->cost != NULL)
		return kind->cost(req);
	/* quotes and comma per item, ~1/16 slack for escaped symbols, and the
	 * envelope */
	cost = req->quantity * (req->length + 3 + req->length / 16) + 128;
	return cost + held_bytes(req);
}

/* ---- gather callbacks: ctx is the task, a slot holds one item */

/* Each kind draws its own items (kind.h). */
static int item_step(void *ctx, size_t index, struct coro *child, void *slot)
{
	struct task *t = ctx;

	(void)index;
	return t->kind->item_step(t, child, slot);
}

/* The slot is not wiped here: the same characters now sit in the reply
 * until it is wiped, a reused slot is zeroed by gather, and gather_free()
 * scrubs every slot. A wipe per item cost ~9% of a large request. */
static int item_collect(void *ctx, size_t index, void *slot)
{
	struct task *t = ctx;
	size_t len = t->job->req.length;

	if (t->kind->length_prefixed) {
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

struct items_header task_header(const struct gen_request *req)
{
	const struct kind *kind = kinds_get(req->kind);
	struct items_header h = {
		.kind = kind->name,
		.quantity = req->quantity,
		.size_name = "length",
		.size = req->length,
		.entropy_bits = req->entropy_bits,
	};
	if (kind->describe != NULL)
		kind->describe(req, &h);
	return h;
}

/* GET /<kind>/explain: describe the request; nothing is generated. */
static int task_explain(struct job *job)
{
	const struct kind *kind = kinds_get(job->req.kind);
	struct items_header h = task_header(&job->req);

	if (kind->explain == NULL)
		return -EINVAL;  /* the parser routes no explain here */
	return render_explain(&job->body, &h, kind->explain(&job->req));
}

static int task_begin(struct job *job, const struct task_env *env)
{
	struct task *t = &job->task;
	const struct gen_request *req = &job->req;
	struct items_header header = task_header(req);
	int rc = 0;

	t->kind = kinds_get(req->kind);
	t->job = job;
	t->rng = env->rng;
	if (t->kind->begin != NULL)
		rc = t->kind->begin(t, env);
	if (rc == 0)
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
			       sizeof(struct gen_item), t->kind->slot_size(req),
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
		if (rc == GATHER_DONE && t->kind->data_entropy_note != NULL &&
		    job->req.shape == SHAPE_DATA)
			rc = render_data_close_entropy(
				&job->body, job->req.entropy_bits,
				t->kind->data_entropy_note);
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
