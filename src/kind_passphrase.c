/* kind_passphrase.c - GET /passphrase: words from the EFF large wordlist
 * (passphrase.h); min_entropy picks the fewest words that reach it, and
 * max_length keeps only the passphrases that fit, counted exactly. */
#include "kind.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "job.h"
#include "passphrase.h"

enum { P_WORDS, P_SEPARATOR, P_CAPITALIZE, P_NUMBER, P_MAX_LENGTH,
       P_MIN_ENTROPY };

static const struct kind_param params[] = {
	[P_WORDS] = { "words", KIND_UINT, PASSPHRASE_MIN_WORDS,
		      PASSPHRASE_MAX_WORDS, NULL, NULL, "6",
		      "words per passphrase" },
	[P_SEPARATOR] = { "separator", KIND_TEXT, 0, 0, NULL, NULL, "-",
			  "between words: up to 8 printable ASCII "
			  "characters, or empty" },
	[P_CAPITALIZE] = { "capitalize", KIND_WORD, 0, 0, NULL,
			   "first, all or none", "none",
			   "first letter of each word, all letters, or none" },
	[P_NUMBER] = { "number", KIND_BOOL, 0, 0, NULL, NULL, "false",
		       "append one digit to one word" },
	[P_MAX_LENGTH] = { "max_length", KIND_UINT, 1, PASSPHRASE_MAX_ITEM_LEN,
			   NULL, NULL, NULL,
			   "only passphrases of at most this many characters" },
	[P_MIN_ENTROPY] = { "min_entropy", KIND_UINT, 1, MIN_ENTROPY_MAX,
			    NULL, NULL, NULL,
			    "bits: the fewest words that reach them" },
};

static void defaults(struct kind_parse *kp)
{
	passphrase_opts_default(&kp->g->passphrase);
}

/* separator: up to 8 printable ASCII characters; empty joins the words. */
static int set_separator(struct kind_parse *kp, const struct kind_value *v)
{
	struct passphrase_opts *o = &kp->g->passphrase;

	if (v->n > PASSPHRASE_MAX_SEPARATOR)
		return kind_fail_invalid(kp, "separator",
					 "at most 8 characters long");
	for (size_t i = 0; i < v->n; i++) {
		if ((unsigned char)v->s[i] < 0x20 ||
		    (unsigned char)v->s[i] > 0x7e)
			return kind_fail_invalid(kp, "separator",
						 "printable ASCII");
	}
	memcpy(o->separator, v->s, v->n);
	o->separator[v->n] = '\0';
	o->separator_len = v->n;
	return 0;
}

static int set(struct kind_parse *kp, size_t i, const struct kind_value *v)
{
	struct passphrase_opts *o = &kp->g->passphrase;

	switch (i) {
	case P_WORDS:
		o->words = v->u;
		return 0;
	case P_SEPARATOR:
		return set_separator(kp, v);
	case P_CAPITALIZE:
		if (passphrase_case_parse(v->s, v->n, &o->capitalize) == 0)
			return 0;
		return kind_fail_invalid(kp, "capitalize", params[i].expect);
	case P_NUMBER:
		o->number = v->b;
		return 0;
	case P_MAX_LENGTH:
		o->max_length = v->u;
		return 0;
	default:
		kp->pw.min_entropy = v->u;
		return 0;
	}
}

/* Enough passphrases fit max_length, and (with min_entropy) enough bits. */
static bool fits(const struct passphrase_opts *o, size_t bits,
		 long double *outputs, long double *acceptance)
{
	return passphrase_count(o, outputs, acceptance) == 0 &&
	       (double)*acceptance >= POLICY_MIN_ACCEPTANCE &&
	       (double)log2l(*outputs) >= (double)bits;
}

/* min_entropy: the fewest words that reach it (more words only add bits;
 * with max_length they can also stop fitting, so every word count is tried
 * in turn, at most 20). */
static int words_for_entropy(struct kind_parse *kp)
{
	struct passphrase_opts *o = &kp->g->passphrase;
	long double outputs, acceptance;

	if (kp->given & (1u << P_WORDS))
		return request_fail(kp->err, 400,
				    PROBLEM_CONFLICTING_PARAMETERS,
				    "Conflicting parameters", "min_entropy",
				    "min_entropy chooses the number of words; "
				    "do not give words as well");
	for (size_t w = PASSPHRASE_MIN_WORDS; w <= PASSPHRASE_MAX_WORDS; w++) {
		o->words = w;
		if (fits(o, kp->pw.min_entropy, &outputs, &acceptance))
			return 0;
	}
	return request_fail(kp->err, 400, PROBLEM_OUT_OF_RANGE,
			    "Parameter out of range", "min_entropy",
			    "%zu bits are out of reach within %d words "
			    "with these options", kp->pw.min_entropy,
			    PASSPHRASE_MAX_WORDS);
}

static int settle(struct kind_parse *kp)
{
	struct gen_request *g = kp->g;
	long double outputs, acceptance;

	if (kp->pw.min_entropy > 0 && words_for_entropy(kp) < 0)
		return -1;
	if (passphrase_count(&g->passphrase, &outputs, &acceptance) < 0 ||
	    (double)acceptance < POLICY_MIN_ACCEPTANCE)
		return request_fail(kp->err, 400, PROBLEM_UNSATISFIABLE,
				    "Constraints cannot be met", "max_length",
				    "too few passphrases of %zu words fit in "
				    "%zu characters (at least 1 candidate in "
				    "1000 must)",
				    g->passphrase.words,
				    g->passphrase.max_length);
	g->entropy_bits = (double)log2l(outputs);
	g->acceptance = (double)acceptance;
	g->length = passphrase_max_item_len(&g->passphrase);
	return 0;
}

/* Passphrases vary in length: a slot starts with the item's length. */
static size_t slot_size(const struct gen_request *g)
{
	return sizeof(size_t) + g->length;
}

static int item_step(struct task *t, struct coro *child, void *slot)
{
	size_t len = passphrase_generate(t->rng, &t->job->req.passphrase,
					 (char *)slot + sizeof(size_t));

	(void)child;
	memcpy(slot, &len, sizeof(len));
	return len > 0 ? CORO_DONE : -EINVAL;
}

static void describe(const struct gen_request *g, struct items_header *h)
{
	h->size_name = "words";
	h->size = g->passphrase.words;
}

static json_t *explain(const struct gen_request *g)
{
	const struct passphrase_opts *o = &g->passphrase;

	return json_pack("{s:I, s:s, s:s, s:b, s:o, s:f}",
			 "wordlist_size", (json_int_t)PASSPHRASE_WORDLIST_SIZE,
			 "separator", o->separator,
			 "capitalize", passphrase_case_name(o->capitalize),
			 "number", o->number,
			 "max_length",
			 o->max_length > 0 ? json_integer((json_int_t)o->max_length)
					   : json_null(),
			 "acceptance_probability", g->acceptance);
}

static const struct kind_query query =
	KIND_QUERY(params, defaults, set, settle);

const struct kind kind_passphrase = {
	.name = "passphrase",
	.query = &query,
	.slot_size = slot_size,
	.length_prefixed = true,
	.item_step = item_step,
	.describe = describe,
	.explain = explain,
};
