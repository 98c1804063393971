/*
 * passphrase.h - diceware-style passphrases from a word list (wordlist.h:
 * the EFF large wordlist by default, or one loaded at start-up), with exact
 * counting under a length limit.
 *
 * The list: 7776 = 6^5 words (log2 7776 = 12.925 bits each), lower-case
 * letters and, in four words (drop-down, felt-tip, t-shirt, yo-yo), one '-';
 * 3 to 9 characters. It is data/eff_large_wordlist.txt (EFF, CC BY 3.0, see
 * data/README.md), turned into C tables by mk/wordlist.mk at build time, so
 * the binary needs no file at run time. The build checks the list's shape.
 *
 * A passphrase is `words` words joined by `separator` (or, with
 * `separators`, by one of those characters drawn uniformly and
 * independently for each gap), optionally with one random digit appended
 * to one random word, then capitalised (ASCII letters only):
 *
 *   words=4 separator="-" capitalize=first number=true  ->  Aloe-Ravine7-Bust-Gap
 *
 * Uniformity. Each word index is uniform on [0, n) for a list of n <= 65536
 * words by rejection: two bytes make v in [0, 65536); v >= 65536 - 65536 % n
 * is redrawn, else the word is v % n (every residue has the same number of
 * preimages; for EFF's 7776 the limit is 62208 = 8 * 7776). The digit's word,
 * the digit and each gap's separator are uniform bytes by rejection too
 * (b >= 256 - 256 % k redrawn). With max_length, a candidate whose words are
 * too long is thrown away WHOLE and redrawn (never truncated, never fixed
 * up), so the output is uniform over exactly the choices that fit. The
 * number's position and digit and the separators do not change the length,
 * so they are drawn once the words fit; that is the same distribution as
 * drawing them with each candidate. max_length counts characters (code
 * points; bytes for ASCII lists).
 *
 * Counting. A choice is (word tuple, with `number` the word that gets the
 * digit and the digit: words * 10 more, with k `separators` one of k per
 * gap: k^(words - 1) more). passphrase_count() gives the exact
 * number of choices that fit max_length by dynamic programming over the
 * histogram of word lengths (passphrase_count_hist()), and the acceptance
 * probability of one unconstrained candidate. entropy_bits = log2(outputs).
 * That counts choices. Two different choices spell the same string only if
 * the separator is ambiguous with word characters (empty, or made only of
 * characters that occur in words and, with number, digits: "yo"+"-"+"yo" =
 * "yo-yo"), or with number when a word ends in a digit; then log2(outputs)
 * is an upper bound on the entropy, and passphrase_choices_distinct() says
 * so (the EFF list keeps that documented upper bound for `separator`; the
 * kind refuses every other ambiguous case). Capitalisation is a bijection
 * on a list (wordlist.h's dedupe rule), so it never merges choices.
 *
 * Precision: counts are long double (64-bit significand). They are exact
 * while below 2^64 (e.g. 7776^W for W <= 8 is exact because 7776^W =
 * 2^(5W) 3^(5W) and 3^40 < 2^64; the DP sums are exact for W <= 4); beyond
 * that each value is within a few units in the 64th bit, i.e. the reported
 * entropy is off by less than 1e-15 bits.
 *
 * No global mutable state (the tables are const); the rng is the caller's.
 */
#ifndef PWGEND_PASSPHRASE_H
#define PWGEND_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"
#include "wordlist.h"

enum {
	/* Limits on the options. 20 words are 258 bits, far beyond any use;
	 * the cap bounds item size (PASSPHRASE_MAX_ITEM_LEN) and DP work. */
	PASSPHRASE_MIN_WORDS = 1,
	PASSPHRASE_MAX_WORDS = 20,
	PASSPHRASE_DEFAULT_WORDS = 6,
	PASSPHRASE_MAX_SEPARATOR = 8,     /* bytes */
	PASSPHRASE_MAX_SEPARATORS = 95,   /* distinct printable ASCII */

	/* The longest passphrase under any options: 20 words of 32 bytes
	 * (WORDLIST_WORD_MAX_BYTES), 19 separators of 8, one digit. Buffers
	 * of this size always suffice. */
	PASSPHRASE_LONGEST_WORD = 32,
	PASSPHRASE_MAX_ITEM_LEN = PASSPHRASE_MAX_WORDS * PASSPHRASE_LONGEST_WORD +
				  (PASSPHRASE_MAX_WORDS - 1) *
					  PASSPHRASE_MAX_SEPARATOR + 1,

	/* passphrase_count_hist() handles totals up to this many letters. */
	PASSPHRASE_DP_MAX_LETTERS = 1024,
};

#define PASSPHRASE_DEFAULT_SEPARATOR "-"

enum passphrase_case {
	PASSPHRASE_CASE_NONE,    /* as in the list: lower case */
	PASSPHRASE_CASE_FIRST,   /* first letter of each word upper-case */
	PASSPHRASE_CASE_ALL,     /* every letter upper-case ('-' stays) */
};

/* Parse a case name: exactly "none", "first" or "all" (n bytes). 0, or
 * -EINVAL. */
int passphrase_case_parse(const char *s, size_t n, enum passphrase_case *c);

/* The name of a case, for explain output; NULL for an unknown value. */
const char *passphrase_case_name(enum passphrase_case c);

struct passphrase_opts {
	size_t words;                 /* PASSPHRASE_MIN_WORDS..MAX_WORDS */
	/* separator[0, separator_len): any bytes, copied verbatim (the caller
	 * decides which bytes a request may use and escapes on output).
	 * separator_len 0 joins the words directly. */
	char separator[PASSPHRASE_MAX_SEPARATOR + 1];
	size_t separator_len;         /* 0..PASSPHRASE_MAX_SEPARATOR */
	enum passphrase_case capitalize;
	bool number;                  /* append one digit to one word */
	size_t max_length;            /* characters; 0 = no limit */
	const struct wordlist *list;  /* NULL: the EFF list */
	/* separators[0, separators_len): distinct printable ASCII, one drawn
	 * per gap; when separators_len > 0, separator is not used */
	char separators[PASSPHRASE_MAX_SEPARATORS + 1];
	size_t separators_len;
};

/* The service defaults: 6 words, "-", lower case, no number, no limit. */
void passphrase_opts_default(struct passphrase_opts *o);

/* 0 if the options are in range, else -EINVAL (words, separator_len or
 * capitalize out of range). Does not look at max_length. */
int passphrase_opts_check(const struct passphrase_opts *o);

/* Bytes of the longest passphrase these options can produce (at most
 * max_length when that is set); size output buffers with it. 0 for options
 * that fail passphrase_opts_check(). Never above PASSPHRASE_MAX_ITEM_LEN. */
size_t passphrase_max_item_len(const struct passphrase_opts *o);

/*
 * The exact number of distinct choices (word tuples, times words * 10 with
 * `number`) whose passphrase is at most max_length bytes, in *outputs, and
 * the probability that one unconstrained candidate fits, in *acceptance
 * (1 without max_length). Either pointer may be NULL.
 * Returns 0, or -EINVAL for bad options or when no passphrase fits
 * max_length (then the outputs are untouched).
 * Callers must refuse options whose acceptance is below their floor before
 * calling passphrase_generate(): the expected number of candidates per item
 * is 1 / acceptance.
 */
int passphrase_count(const struct passphrase_opts *o, long double *outputs,
		     long double *acceptance);

/*
 * The counting core, over any histogram of word lengths so tests can
 * brute-force small lists: hist[L] words have L letters, for
 * 0 <= L <= max_word_len. *tuples = the number of ordered `words`-tuples of
 * words whose lengths sum to at most `budget`. Returns 0, or -EINVAL when
 * words * max_word_len > PASSPHRASE_DP_MAX_LETTERS (the DP table bound).
 */
int passphrase_count_hist(const unsigned *hist, size_t max_word_len,
			  size_t words, size_t budget, long double *tuples);

/* Can byte c occur in a word segment: in a word of the list, in either
 * case when capitalize is set, or as the digit with `number`? */
bool passphrase_in_segment(const struct passphrase_opts *o, char c);

/* Whether every choice spells a different string, so that log2(outputs) is
 * the entropy exactly (else an upper bound): true when words == 1, or when
 * no word ends in a digit if `number` is set and the separator has a byte
 * that cannot occur in a word segment (passphrase_in_segment) or, with
 * `separators`, none of them can. Proof: the first such byte in the string
 * belongs to the first separator at a known offset, which fixes the first
 * segment; a segment is one word plus at most a trailing digit, and no word
 * ends in a digit, so the segment splits one way; repeat on the rest. */
bool passphrase_choices_distinct(const struct passphrase_opts *o);

/* The list o draws from (the EFF list when o->list is NULL). */
const struct wordlist *passphrase_list(const struct passphrase_opts *o);

/*
 * Write one passphrase to out[0, n) and return n (no NUL). out must hold
 * passphrase_max_item_len(o) bytes. Uniform over all choices that fit
 * max_length (see above). Returns 0 and writes nothing for bad options or
 * when no passphrase fits; if some fit but very few, this loops about
 * 1 / acceptance times, so check passphrase_count() first. The word indices
 * it holds are wiped before it returns.
 */
size_t passphrase_generate(struct rng *r, const struct passphrase_opts *o,
			   char *out);

/* Word i (0 <= i < PASSPHRASE_WORDLIST_SIZE), NUL-terminated, and its
 * length; NULL / 0 for i out of range. For tests and explain output. */
const char *passphrase_word(size_t i);
size_t passphrase_word_len(size_t i);

#endif
