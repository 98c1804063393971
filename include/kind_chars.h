/*
 * kind_chars.h - what the kinds that are strings over an alphabet share
 * (password, pin, complex): the policy settled from the query's options,
 * and the run that draws each item with the unbiased sampler (gen.h),
 * rejecting candidates the policy, weak-PIN or unique checks refuse.
 */
#ifndef PWGEND_KIND_CHARS_H
#define PWGEND_KIND_CHARS_H

#include "kind.h"

/* kp->pw into the request's policy, length, classes, exact entropy and
 * acceptance; a policy fault becomes the matching 400. */
int kind_chars_settle(struct kind_parse *kp);

/* The plain class unions come from the scheduler's table; a custom
 * alphabet (charset, preset, symbol_set, exclusions) is built for the job;
 * the unique set is made when asked for. 0 or -errno. */
int kind_chars_begin(struct task *t, const struct task_env *env);

/* One item into slot[0, length). */
int kind_chars_step(struct task *t, struct coro *child, void *slot);

/* gen_accept_fn: every check the request asked for; the unique set is
 * last, so it only records items that are final. */
bool kind_chars_accepts(void *ctx, const char *s, size_t n);

/* A slot holds the item, length characters. */
size_t kind_chars_slot(const struct gen_request *g);

#endif
