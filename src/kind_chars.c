/* kind_chars.c - see kind_chars.h. */
#include "kind_chars.h"

#include "gen.h"
#include "job.h"
#include "pin.h"

static const char *const fault_types[] = {
	[POLICY_FAULT_CONFLICT] = PROBLEM_CONFLICTING_PARAMETERS,
	[POLICY_FAULT_INVALID] = PROBLEM_INVALID_VALUE,
	[POLICY_FAULT_EMPTY] = PROBLEM_EMPTY_ALPHABET,
	[POLICY_FAULT_UNSATISFIABLE] = PROBLEM_UNSATISFIABLE,
	[POLICY_FAULT_UNREACHABLE] = PROBLEM_OUT_OF_RANGE,
};

static const char *const fault_titles[] = {
	[POLICY_FAULT_CONFLICT] = "Conflicting parameters",
	[POLICY_FAULT_INVALID] = "Invalid parameter value",
	[POLICY_FAULT_EMPTY] = "No character left",
	[POLICY_FAULT_UNSATISFIABLE] = "Constraints cannot be met",
	[POLICY_FAULT_UNREACHABLE] = "Parameter out of range",
};

int kind_chars_settle(struct kind_parse *kp)
{
	struct gen_request *g = kp->g;
	const struct password_options *o = &kp->pw;
	struct policy_fault f;
	struct policy_measure m;

	if (policy_build(o, &g->policy, &m, &f) < 0)
		return request_fail(kp->err, 400, fault_types[f.kind],
				    fault_titles[f.kind], f.parameter, "%s",
				    f.detail);
	g->length = g->policy.length;
	g->classes = o->classes;
	g->classes_only = o->charset == NULL && o->symbol_set == NULL &&
			  o->preset == PRESET_NONE && o->exclude == NULL &&
			  !o->exclude_ambiguous && o->rules == NULL;
	g->entropy_bits = m.entropy_bits;
	g->acceptance = m.acceptance;
	return 0;
}

int kind_chars_begin(struct task *t, const struct task_env *env)
{
	const struct gen_request *req = &t->job->req;
	int rc = 0;

	if (req->classes_only && req->classes > 0 && req->classes < 16) {
		t->alphabet = &env->alphabets->by_classes[req->classes];
	} else {
		t->alphabet = &t->own;
		rc = alphabet_init(&t->own, req->policy.alphabet,
				   req->policy.alphabet_len);
	}
	if (rc == 0 && req->unique)
		rc = uniq_init(&t->seen, req->quantity, req->length);
	if (rc < 0)
		return rc;
	t->policy = policy_is_constrained(&req->policy) ? &req->policy : NULL;
	/* an alphabet without '"', '\\' or controls makes every item clean */
	t->clean = render_is_clean(t->alphabet->chars, t->alphabet->size);
	return 0;
}

bool kind_chars_accepts(void *ctx, const char *s, size_t n)
{
	struct task *t = ctx;
	const struct gen_request *req = &t->job->req;

	if (t->policy != NULL && !policy_accepts(t->policy, s, n))
		return false;
	if (req->exclude_weak && pin_is_weak(s, n))
		return false;
	return !req->unique || uniq_insert(&t->seen, s);
}

int kind_chars_step(struct task *t, struct coro *child, void *slot)
{
	const struct gen_request *req = &t->job->req;
	bool checks = t->policy != NULL || req->exclude_weak || req->unique;

	return gen_item_step((struct gen_item *)child, t->rng, t->alphabet,
			     checks ? kind_chars_accepts : NULL, t,
			     req->length, slot);
}

size_t kind_chars_slot(const struct gen_request *g)
{
	return g->length;
}
