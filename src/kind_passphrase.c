/* kind_passphrase.c - GET /passphrase: words from a word list (the EFF
 * large wordlist, or one loaded at start-up: wordlist.h) (passphrase.h);
 * min_entropy picks the fewest words that reach it, max_length keeps only
 * the passphrases that fit, counted exactly, and separators draws one
 * separator per gap. Every option gives an exact count, or a 400 when the
 * output could spell two choices the same way (the EFF list's `separator`
 * keeps its documented upper bound). */
#include "kind.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "job.h"
#include "passphrase.h"
#include "wordlist.h"

enum { P_WORDS, P_SEPARATOR, P_CAPITALIZE, P_NUMBER, P_MAX_LENGTH,
       P_MIN_ENTROPY, P_WORDLIST, P_SEPARATORS };

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
	[P_WORDLIST] = { "wordlist", KIND_WORD, 0, 0, NULL, NULL,
			 WORDLIST_DEFAULT,
			 "eff, or a list loaded with --wordlist NAME=FILE" },
	[P_SEPARATORS] = { "separators", KIND_CHARS, 0, 0, NULL, NULL, NULL,
			   "distinct printable ASCII characters, one drawn "
			   "per gap; not with separator" },
};

static void defaults(struct kind_parse *kp)
{
	passphrase_opts_default(&kp->g->passphrase);
}

static bool printable_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

/* separator: up to 8 printable ASCII characters; empty joins the words. */
static int set_separator(struct kind_parse *kp, const struct kind_value *v)
{
	struct passphrase_opts *o = &kp->g->passphrase;

	if (v->n > PASSPHRASE_MAX_SEPARATOR)
		return kind_fail_invalid(kp, "separator",
					 "at most 8 characters long");
	if (!printable_ascii(v->s, v->n))
		return kind_fail_invalid(kp, "separator", "printable ASCII");
	memcpy(o->separator, v->s, v->n);
	o->separator[v->n] = '\0';
	o->separator_len = v->n;
	return 0;
}

/* separators: 1..95 distinct printable ASCII characters (a repeat would
 * be a typo or a wish for a bias; refused rather than guessed). */
static int set_separators(struct kind_parse *kp, const struct kind_value *v)
{
	struct passphrase_opts *o = &kp->g->passphrase;

	if (v->n == 0 || v->n > PASSPHRASE_MAX_SEPARATORS)
		return kind_fail_invalid(kp, "separators",
					 "1 to 95 characters");
	if (!printable_ascii(v->s, v->n))
		return kind_fail_invalid(kp, "separators", "printable ASCII");
	for (size_t i = 0; i < v->n; i++) {
		if (memchr(v->s, v->s[i], i) != NULL)
			return kind_fail_invalid(kp, "separators",
						 "distinct characters");
	}
	memcpy(o->separators, v->s, v->n);
	o->separators[v->n] = '\0';
	o->separators_len = v->n;
	return 0;
}

/* wordlist: "eff" or the name of a list loaded at start-up. */
static int set_wordlist(struct kind_parse *kp, const struct kind_value *v)
{
	char names[WORDLIST_MAX_LOADED * (WORDLIST_NAME_MAX + 2) + 8];

	kp->g->passphrase.list = wordlist_find(v->s, v->n);
	if (kp->g->passphrase.list != NULL)
		return 0;
	wordlist_names(names, sizeof(names));
	return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
			    "Invalid parameter value", "wordlist",
			    "wordlist must be one of the lists loaded: %s",
			    names);
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
	case P_WORDLIST:
		return set_wordlist(kp, v);
	case P_SEPARATORS:
		return set_separators(kp, v);
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

/* The first of separators that can occur in a word segment, or 0. */
static char separator_in_words(const struct passphrase_opts *o)
{
	for (size_t i = 0; i < o->separators_len; i++)
		if (passphrase_in_segment(o, o->separators[i]))
			return o->separators[i];
	return '\0';
}

/* Refuse what would let two choices spell the same passphrase, so that
 * entropy_bits stays exact (passphrase_choices_distinct). */
static int refuse_ambiguous(struct kind_parse *kp)
{
	const struct passphrase_opts *o = &kp->g->passphrase;
	const struct wordlist *l = passphrase_list(o);
	char c = separator_in_words(o);

	if (kp->given & (1u << P_SEPARATORS) && kp->given & (1u << P_SEPARATOR))
		return request_fail(kp->err, 400,
				    PROBLEM_CONFLICTING_PARAMETERS,
				    "Conflicting parameters", "separator",
				    "separators draws the separator of each "
				    "gap; do not give separator as well");
	if (o->words > 1 && o->number && l->digit_end)
		return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "number",
				    "number=true needs a word list with no "
				    "word ending in a digit; %s has some",
				    l->name);
	if (o->words > 1 && c != '\0')
		return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "separators",
				    "separators must not contain '%c': it can "
				    "occur in a word of %s%s", c, l->name,
				    o->number ? " or be the digit" : "");
	if (l != wordlist_eff() && !passphrase_choices_distinct(o))
		return request_fail(kp->err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "separator",
				    "separator must hold a character that "
				    "occurs in no word of %s (nor is the "
				    "digit), or passphrases could spell two "
				    "ways", l->name);
	return 0;
}

static int settle(struct kind_parse *kp)
{
	struct gen_request *g = kp->g;
	long double outputs, acceptance;

	if (kp->pw.min_entropy > 0 && words_for_entropy(kp) < 0)
		return -1;
	if (refuse_ambiguous(kp) < 0)
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

	return json_pack("{s:s, s:I, s:o, s:o, s:s, s:b, s:o, s:f}",
			 "wordlist", passphrase_list(o)->name,
			 "wordlist_size", (json_int_t)passphrase_list(o)->count,
			 "separator", o->separators_len > 0  /* not used */
					      ? json_null()
					      : json_string(o->separator),
			 "separators", o->separators_len > 0
					       ? json_string(o->separators)
					       : json_null(),
			 "capitalize", passphrase_case_name(o->capitalize),
			 "number", o->number,
			 "max_length", kind_json_limit(o->max_length),
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
