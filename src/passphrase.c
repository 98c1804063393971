/* passphrase.c - see passphrase.h. */
#include "passphrase.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "names.h"
#include "secmem.h"

/* Two bytes give v in [0, 65536); values below 8 * 7776 are accepted. */
#define WORD_DRAW_LIMIT (8u * PASSPHRASE_WORDLIST_SIZE)

void passphrase_opts_default(struct passphrase_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->words = PASSPHRASE_DEFAULT_WORDS;
	o->separator_len = strlen(PASSPHRASE_DEFAULT_SEPARATOR);
	memcpy(o->separator, PASSPHRASE_DEFAULT_SEPARATOR, o->separator_len);
	o->capitalize = PASSPHRASE_CASE_NONE;
}

int passphrase_opts_check(const struct passphrase_opts *o)
{
	if (o->words < PASSPHRASE_MIN_WORDS || o->words > PASSPHRASE_MAX_WORDS)
		return -EINVAL;
	if (o->separator_len > PASSPHRASE_MAX_SEPARATOR)
		return -EINVAL;
	switch (o->capitalize) {
	case PASSPHRASE_CASE_NONE:
	case PASSPHRASE_CASE_FIRST:
	case PASSPHRASE_CASE_ALL:
		return 0;
	}
	return -EINVAL;
}

/* Bytes that are not word letters: separators and the digit. */
static size_t fixed_len(const struct passphrase_opts *o)
{
	return (o->words - 1) * o->separator_len + (o->number ? 1 : 0);
}

static size_t min_word_len(void)
{
	for (size_t l = 0; l <= PASSPHRASE_WORD_MAX_LEN; l++)
		if (passphrase_wordlist_hist[l] != 0)
			return l;
	return 0;
}

size_t passphrase_max_item_len(const struct passphrase_opts *o)
{
	size_t n;

	if (passphrase_opts_check(o) != 0)
		return 0;
	n = o->words * PASSPHRASE_WORD_MAX_LEN + fixed_len(o);
	if (o->max_length != 0 && o->max_length < n)
		n = o->max_length;
	return n;
}

int passphrase_count_hist(const unsigned *hist, size_t max_word_len,
			  size_t words, size_t budget, long double *tuples)
{
	/* ways[t]: tuples of the words placed so far with exactly t letters */
	long double ways[PASSPHRASE_DP_MAX_LETTERS + 1];
	long double next[PASSPHRASE_DP_MAX_LETTERS + 1];
	size_t top = 0;     /* most letters possible so far */
	long double sum = 0;

	if (max_word_len > PASSPHRASE_DP_MAX_LETTERS ||
	    (max_word_len != 0 &&
	     words > PASSPHRASE_DP_MAX_LETTERS / max_word_len))
		return -EINVAL;
	if (budget > words * max_word_len)
		budget = words * max_word_len;  /* every tuple fits */
	ways[0] = 1;
	for (size_t w = 0; w < words; w++) {
		size_t ntop = top + max_word_len;

		if (ntop > budget)
			ntop = budget;  /* longer totals can never fit */
		for (size_t t = 0; t <= ntop; t++) {
			long double s = 0;

			for (size_t l = 0; l <= max_word_len && l <= t; l++)
				if (hist[l] != 0 && t - l <= top)
					s += (long double)hist[l] * ways[t - l];
			next[t] = s;
		}
		top = ntop;
		memcpy(ways, next, (top + 1) * sizeof(ways[0]));
	}
	for (size_t t = 0; t <= top; t++)
		sum += ways[t];
	*tuples = sum;
	return 0;
}

int passphrase_count(const struct passphrase_opts *o, long double *outputs,
		     long double *acceptance)
{
	long double all = 1, fit;
	size_t fixed;
	int rc;

	if (passphrase_opts_check(o) != 0)
		return -EINVAL;
	for (size_t w = 0; w < o->words; w++)
		all *= PASSPHRASE_WORDLIST_SIZE;
	fixed = fixed_len(o);
	if (o->max_length == 0 ||
	    o->max_length >= o->words * PASSPHRASE_WORD_MAX_LEN + fixed) {
		fit = all;  /* every candidate fits: no DP, acceptance 1 */
	} else {
		if (o->max_length < fixed)
			return -EINVAL;
		rc = passphrase_count_hist(passphrase_wordlist_hist,
					   PASSPHRASE_WORD_MAX_LEN, o->words,
					   o->max_length - fixed, &fit);
		if (rc != 0)
			return rc;
		if (fit == 0)
			return -EINVAL;
	}
	if (outputs)
		*outputs = fit * (o->number ? 10.0L * (long double)o->words : 1);
	if (acceptance)
		*acceptance = fit == all ? 1 : fit / all;
	return 0;
}

bool passphrase_choices_distinct(const struct passphrase_opts *o)
{
	if (o->words <= 1)
		return true;
	for (size_t i = 0; i < o->separator_len; i++) {
		unsigned char c = (unsigned char)o->separator[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool digit = c >= '0' && c <= '9';

		if (!letter && c != '-' && !(o->number && digit))
			return true;
	}
	return false;
}

/* Uniform on [0, 7776): see WORD_DRAW_LIMIT. */
static uint16_t draw_word(struct rng *r)
{
	for (;;) {
		unsigned v = (unsigned)rng_byte(r) << 8;

		v |= rng_byte(r);
		if (v < WORD_DRAW_LIMIT)
			return (uint16_t)(v % PASSPHRASE_WORDLIST_SIZE);
	}
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

size_t passphrase_generate(struct rng *r, const struct passphrase_opts *o,
			   char *out)
{
	uint16_t idx[PASSPHRASE_MAX_WORDS];
	size_t budget = SIZE_MAX, letters, n = 0;
	unsigned digit_word = 0, digit = 0;

	if (passphrase_opts_check(o) != 0)
		return 0;
	if (o->max_length != 0) {
		size_t fixed = fixed_len(o);

		if (o->max_length < fixed ||
		    o->max_length - fixed < o->words * min_word_len())
			return 0;  /* nothing fits: never loop */
		budget = o->max_length - fixed;
	}
	do {  /* whole candidates, rejected whole */
		letters = 0;
		for (size_t w = 0; w < o->words; w++) {
			idx[w] = draw_word(r);
			letters += passphrase_wordlist_len[idx[w]];
		}
	} while (letters > budget);
	if (o->number) {
		digit_word = rng_below(r, (unsigned)o->words);
		digit = rng_below(r, 10);
	}
	for (size_t w = 0; w < o->words; w++) {
		const char *word = passphrase_wordlist[idx[w]];
		size_t len = passphrase_wordlist_len[idx[w]];

		if (w > 0) {
			memcpy(out + n, o->separator, o->separator_len);
			n += o->separator_len;
		}
		memcpy(out + n, word, len);
		if (o->capitalize == PASSPHRASE_CASE_FIRST)
			out[n] = upper(out[n]);
		else if (o->capitalize == PASSPHRASE_CASE_ALL)
			for (size_t i = 0; i < len; i++)
				out[n + i] = upper(out[n + i]);
		n += len;
		if (o->number && w == digit_word)
			out[n++] = (char)('0' + digit);
	}
	secmem_wipe(idx, sizeof(idx));
	secmem_wipe(&digit_word, sizeof(digit_word));
	secmem_wipe(&digit, sizeof(digit));
	return n;
}

const char *passphrase_word(size_t i)
{
	return i < PASSPHRASE_WORDLIST_SIZE ? passphrase_wordlist[i] : NULL;
}

size_t passphrase_word_len(size_t i)
{
	return i < PASSPHRASE_WORDLIST_SIZE ? passphrase_wordlist_len[i] : 0;
}

static const char *const case_names[] = {
	[PASSPHRASE_CASE_NONE] = "none",
	[PASSPHRASE_CASE_FIRST] = "first",
	[PASSPHRASE_CASE_ALL] = "all",
};

int passphrase_case_parse(const char *s, size_t n, enum passphrase_case *c)
{
	int i = NAMES_INDEX(case_names, sizeof(case_names) /
					    sizeof(case_names[0]), s, n);

	if (i < 0)
		return -EINVAL;
	*c = (enum passphrase_case)i;
	return 0;
}

const char *passphrase_case_name(enum passphrase_case c)
{
	return (unsigned)c < sizeof(case_names) / sizeof(case_names[0])
		       ? case_names[c]
		       : NULL;
}
