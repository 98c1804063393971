/* passphrase.c - see passphrase.h. */
#include "passphrase.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "names.h"
#include "secmem.h"
#include "wordlist.h"

/* passphrase.h sizes its buffers for words of this many bytes at most */
_Static_assert((int)WORDLIST_WORD_MAX_BYTES == (int)PASSPHRASE_LONGEST_WORD,
	       "passphrase.h's longest word is the loader's limit");

const struct wordlist *passphrase_list(const struct passphrase_opts *o)
{
	return o->list != NULL ? o->list : wordlist_eff();
}

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
	if (o->separator_len > PASSPHRASE_MAX_SEPARATOR ||
	    o->separators_len > PASSPHRASE_MAX_SEPARATORS)
		return -EINVAL;
	switch (o->capitalize) {
	case PASSPHRASE_CASE_NONE:
	case PASSPHRASE_CASE_FIRST:
	case PASSPHRASE_CASE_ALL:
		return 0;
	}
	return -EINVAL;
}

/* Bytes (and characters: they are ASCII) of one gap. */
static size_t gap_len(const struct passphrase_opts *o)
{
	return o->separators_len > 0 ? 1 : o->separator_len;
}

/* Characters that are not word characters: separators and the digit. */
static size_t fixed_len(const struct passphrase_opts *o)
{
	return (o->words - 1) * gap_len(o) + (o->number ? 1 : 0);
}

static size_t min_word_len(const struct wordlist *l)
{
	for (size_t c = 0; c <= l->max_chars; c++)
		if (l->hist[c] != 0)
			return c;
	return 0;
}

size_t passphrase_max_item_len(const struct passphrase_opts *o)
{
	const struct wordlist *l = passphrase_list(o);
	size_t n, fixed;

	if (passphrase_opts_check(o) != 0)
		return 0;
	fixed = fixed_len(o);
	n = o->words * l->max_bytes + fixed;
	/* max_length counts characters: a word character is at most
	 * max_char_bytes bytes, the fixed ones one each */
	if (o->max_length != 0 && o->max_length < fixed)
		return 0;
	if (o->max_length != 0 &&
	    fixed + (o->max_length - fixed) * l->max_char_bytes < n)
		n = fixed + (o->max_length - fixed) * l->max_char_bytes;
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

/* Choices besides the words: the digit's word and digit, the separators. */
static long double extra_choices(const struct passphrase_opts *o)
{
	long double x = o->number ? 10.0L * (long double)o->words : 1;

	for (size_t w = 1; w < o->words && o->separators_len > 0; w++)
		x *= (long double)o->separators_len;
	return x;
}

int passphrase_count(const struct passphrase_opts *o, long double *outputs,
		     long double *acceptance)
{
	const struct wordlist *l = passphrase_list(o);
	long double all = 1, fit;
	size_t fixed;
	int rc;

	if (passphrase_opts_check(o) != 0)
		return -EINVAL;
	for (size_t w = 0; w < o->words; w++)
		all *= (long double)l->count;
	fixed = fixed_len(o);
	if (o->max_length == 0 ||
	    o->max_length >= o->words * l->max_chars + fixed) {
		fit = all;  /* every candidate fits: no DP, acceptance 1 */
	} else {
		if (o->max_length < fixed)
			return -EINVAL;
		rc = passphrase_count_hist(l->hist, l->max_chars, o->words,
					   o->max_length - fixed, &fit);
		if (rc != 0)
			return rc;
		if (fit == 0)
			return -EINVAL;
	}
	if (outputs)
		*outputs = fit * extra_choices(o);
	if (acceptance)
		*acceptance = fit == all ? 1 : fit / all;
	return 0;
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool passphrase_in_segment(const struct passphrase_opts *o, char c)
{
	const char *ascii = passphrase_list(o)->ascii;
	unsigned char u = (unsigned char)c;

	if (c == '\0')
		return false;
	if (o->number && u >= '0' && u <= '9')
		return true;
	if (strchr(ascii, c) != NULL)
		return true;
	/* capitalised, a letter can appear in the other case */
	return o->capitalize != PASSPHRASE_CASE_NONE && is_letter(u) &&
	       strchr(ascii, c ^ 0x20) != NULL;
}

bool passphrase_choices_distinct(const struct passphrase_opts *o)
{
	if (o->words <= 1)
		return true;
	if (o->number && passphrase_list(o)->digit_end)
		return false;
	if (o->separators_len > 0) {
		for (size_t i = 0; i < o->separators_len; i++)
			if (passphrase_in_segment(o, o->separators[i]))
				return false;
		return true;
	}
	for (size_t i = 0; i < o->separator_len; i++)
		if (!passphrase_in_segment(o, o->separator[i]))
			return true;
	return false;
}

/* Uniform on [0, n) for 1 <= n <= 65536: two bytes, rejected at or above
 * the largest multiple of n (62208 = 8 * 7776 for the EFF list). */
static uint16_t draw_word(struct rng *r, size_t n)
{
	unsigned limit = 65536u - 65536u % (unsigned)n;

	for (;;) {
		unsigned v = (unsigned)rng_byte(r) << 8;

		v |= rng_byte(r);
		if (v < limit)
			return (uint16_t)(v % n);
	}
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whole candidates, rejected whole, until their characters fit budget. */
static void draw_words(struct rng *r, const struct wordlist *l, size_t words,
		       size_t budget, uint16_t *idx)
{
	size_t chars;

	do {
		chars = 0;
		for (size_t w = 0; w < words; w++) {
			idx[w] = draw_word(r, l->count);
			chars += l->chars[idx[w]];
		}
	} while (chars > budget);
}

/* Word w (its list index idx) at out, capitalised as asked; its bytes. */
static size_t put_word(const struct passphrase_opts *o,
		       const struct wordlist *l, uint16_t idx, char *out)
{
	size_t len = l->bytes[idx];

	memcpy(out, l->words + (size_t)idx * l->stride, len);
	if (o->capitalize == PASSPHRASE_CASE_FIRST)
		out[0] = upper(out[0]);
	else if (o->capitalize == PASSPHRASE_CASE_ALL)
		for (size_t i = 0; i < len; i++)
			out[i] = upper(out[i]);
	return len;
}

/* The separator before word w > 0: the fixed one, or gap w's draw. */
static size_t put_gap(const struct passphrase_opts *o, const uint8_t *gap,
		      size_t w, char *out)
{
	if (o->separators_len > 0) {
		out[0] = o->separators[gap[w]];
		return 1;
	}
	memcpy(out, o->separator, o->separator_len);
	return o->separator_len;
}

size_t passphrase_generate(struct rng *r, const struct passphrase_opts *o,
			   char *out)
{
	const struct wordlist *l = passphrase_list(o);
	uint16_t idx[PASSPHRASE_MAX_WORDS];
	uint8_t gap[PASSPHRASE_MAX_WORDS] = { 0 };
	size_t budget = SIZE_MAX, n = 0;
	unsigned digit_word = 0, digit = 0;

	if (passphrase_opts_check(o) != 0)
		return 0;
	if (o->max_length != 0) {
		size_t fixed = fixed_len(o);

		if (o->max_length < fixed ||
		    o->max_length - fixed < o->words * min_word_len(l))
			return 0;  /* nothing fits: never loop */
		budget = o->max_length - fixed;
	}
	draw_words(r, l, o->words, budget, idx);
	if (o->number) {
		digit_word = rng_below(r, (unsigned)o->words);
		digit = rng_below(r, 10);
	}
	for (size_t w = 1; w < o->words && o->separators_len > 0; w++)
		gap[w] = (uint8_t)rng_below(r, (unsigned)o->separators_len);
	for (size_t w = 0; w < o->words; w++) {
		if (w > 0)
			n += put_gap(o, gap, w, out + n);
		n += put_word(o, l, idx[w], out + n);
		if (o->number && w == digit_word)
			out[n++] = (char)('0' + digit);
	}
	secmem_wipe(idx, sizeof(idx));
	secmem_wipe(gap, sizeof(gap));
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
