/* kind_pin.c - GET /pin: digits; exclude_weak redraws weak PINs (pin.h)
 * and unique draws no PIN twice in one reply; entropy counts only the PINs
 * that can come out. */
#include "kind.h"
#include "kind_chars.h"

#include <math.h>

#include "gen.h"
#include "pin.h"

enum { P_LENGTH, P_EXCLUDE_WEAK, P_UNIQUE };

static const struct kind_param params[] = {
	[P_LENGTH] = { "length", KIND_UINT, PIN_LENGTH_MIN, PIN_LENGTH_MAX,
		       NULL, NULL, "6", "digits per PIN" },
	[P_EXCLUDE_WEAK] = { "exclude_weak", KIND_BOOL, 0, 0, NULL, NULL,
			     "false", "never a weak PIN (repeats, runs, the "
			     "blocklist)" },
	[P_UNIQUE] = { "unique", KIND_BOOL, 0, 0, NULL, NULL, "false",
		       "no PIN twice in one reply" },
};

static void defaults(struct kind_parse *kp)
{
	kp->pw.length = PIN_LENGTH_DEFAULT;
}

static int set(struct kind_parse *kp, size_t i, const struct kind_value *v)
{
	if (i == P_LENGTH) {
		kp->pw.length_given = true;
		kp->pw.length = v->u;
	} else if (i == P_EXCLUDE_WEAK) {
		kp->g->exclude_weak = v->b;
	} else {
		kp->g->unique = v->b;
	}
	return 0;
}

/* The policy is digits; exclude_weak and unique shrink the set. */
static int settle(struct kind_parse *kp)
{
	struct gen_request *g = kp->g;
	long double allowed;

	kp->pw = (struct password_options){ .classes = GEN_CLASS_DIGITS,
					    .length = kp->pw.length };
	if (kind_chars_settle(kp) < 0)
		return -1;
	if (pin_allowed_count(g->length, g->exclude_weak, &allowed) < 0)
		return kind_fail_invalid(kp, "length",
					 "a supported PIN length");
	g->entropy_bits = (double)log2l(allowed);
	g->acceptance = (double)(allowed / powl(10.0L, (long double)g->length));
	if (g->unique && (long double)g->quantity > allowed)
		return request_fail(kp->err, 400, PROBLEM_UNSATISFIABLE,
				    "Constraints cannot be met", "quantity",
				    "unique=true: only %.0Lf distinct PINs of "
				    "length %zu exist", allowed, g->length);
	return 0;
}

/* Distinct PINs are not independent: the reply says so. */
static void describe(const struct gen_request *g, struct items_header *h)
{
	if (g->unique)
		h->note = RENDER_NOTE_DEPENDENT;
}

/* unique=true: the set of PINs drawn so far (uniq.h). */
static size_t held_bytes(const struct gen_request *g)
{
	return g->unique ? uniq_bytes(g->quantity, g->length) : 0;
}

static json_t *explain(const struct gen_request *g)
{
	const struct password_policy *p = &g->policy;

	return json_pack("{s:s%, s:I, s:b, s:b, s:f}",
			 "alphabet", p->alphabet, p->alphabet_len,
			 "alphabet_size", (json_int_t)p->alphabet_len,
			 "exclude_weak", g->exclude_weak,
			 "unique", g->unique,
			 "acceptance_probability", g->acceptance);
}

static const struct kind_query query =
	KIND_QUERY(params, defaults, set, settle);

const struct kind kind_pin = {
	.name = "pin",
	.query = &query,
	.slot_size = kind_chars_slot,
	.begin = kind_chars_begin,
	.item_step = kind_chars_step,
	.describe = describe,
	.explain = explain,
	.held_bytes = held_bytes,
};
