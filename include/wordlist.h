/*
 * wordlist.h - the word lists passphrases are drawn from: the EFF large
 * list built into the binary ("eff", the default) and lists loaded from
 * files at start-up (--wordlist NAME=FILE, PWGEND_WORDLISTS).
 *
 * A file is one word per line, UTF-8. Loading trims whitespace at both ends
 * of a line (a CRLF file loads as its LF twin), skips empty lines and a
 * leading byte order mark, and refuses, naming the file and the line:
 * invalid UTF-8 (overlong forms, surrogates, past U+10FFFF), control
 * characters (C0, DEL, C1), a space inside a word, invisible characters
 * (Unicode spaces, zero-width and bidi controls), a word of more than
 * WORDLIST_WORD_MAX_BYTES bytes, a file of more than
 * WORDLIST_MAX_FILE_BYTES. Then it deduplicates:
 *
 * Dedupe rule. Two words that differ only in the case of ASCII letters are
 * one word (the first one in the file is kept). capitalize= upper-cases
 * ASCII letters only, so with this rule every capitalize mode maps distinct
 * words to distinct strings: "Apple" and "apple" would both give "APPLE"
 * under capitalize=all and the count would claim two outputs where there
 * is one. Words are compared as bytes otherwise: no Unicode normalisation
 * (a precomposed and a decomposed "é" are two words; they are different
 * strings, so the count stays exact, but they look alike).
 *
 * Minimum size. After dedupe a file must hold at least WORDLIST_MIN_WORDS
 * (1024) words, i.e. at least 10 bits a word: below that the list is more
 * likely a mistake (a wrong file, a truncated download) than a choice, and
 * six words would fall under 60 bits. The rule is the loader's
 * (wordlist_load); wordlist_build() takes any size, so tests can count
 * tiny lists exhaustively. At most WORDLIST_MAX_WORDS (65536) words: a word
 * is drawn from two random bytes.
 *
 * Memory. A list is built once in its own mapping, which is then made
 * read-only (mprotect), so every loop thread reads it without a lock and
 * nothing can write it. The registry of loaded lists is the one documented
 * singleton of this module: filled by wordlist_load() at start-up, before
 * any loop thread exists (thread creation orders the writes before every
 * read), never changed afterwards.
 */
#ifndef PWGEND_WORDLIST_H
#define PWGEND_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

enum {
	WORDLIST_NAME_MAX = 16,          /* [a-z0-9_-], 1..16 */
	WORDLIST_MIN_WORDS = 1024,       /* loading rule, see above */
	WORDLIST_MAX_WORDS = 65536,      /* a draw is two bytes */
	WORDLIST_WORD_MAX_BYTES = 32,    /* 32 ASCII letters, 8..16 of most
					  * other scripts */
	WORDLIST_MAX_FILE_BYTES = 4 << 20,
	WORDLIST_MAX_LOADED = 16,        /* custom lists per process */
};

#define WORDLIST_DEFAULT "eff"

/* The built-in EFF large list: 7776 words of 3 to 9 letters, as fixed
 * records NUL-padded to PASSPHRASE_WORD_STRIDE, in tables the build
 * generates ($(BUILD)/gen/wordlist.c from data/eff_large_wordlist.txt, by
 * mk/wordlist.mk). passphrase_wordlist_hist[L]: the words of L letters.
 * Read them through wordlist_eff(). */
enum {
	PASSPHRASE_WORDLIST_SIZE = 7776,
	PASSPHRASE_WORD_MAX_LEN = 9,      /* its longest word */
	PASSPHRASE_WORD_STRIDE = 10,      /* record size: word + NUL padding */
};
extern const char passphrase_wordlist[PASSPHRASE_WORDLIST_SIZE]
				     [PASSPHRASE_WORD_STRIDE];
extern const unsigned char passphrase_wordlist_len[PASSPHRASE_WORDLIST_SIZE];
extern const unsigned passphrase_wordlist_hist[PASSPHRASE_WORD_MAX_LEN + 1];

struct wordlist {
	char name[WORDLIST_NAME_MAX + 1];
	size_t count;                 /* distinct words, 1..65536 */
	const char *words;            /* word i at words + i * stride, NUL-
				       * terminated */
	size_t stride;
	const unsigned char *bytes;   /* bytes of word i */
	const unsigned char *chars;   /* characters (code points) of word i */
	/* hist[L]: words of L characters, 0 <= L <= max_chars (max_length
	 * counts characters, so the exact count runs on these) */
	const unsigned *hist;
	size_t max_chars, max_bytes;
	size_t max_char_bytes;        /* 1 for an ASCII list, up to 4 */
	/* The ASCII characters that occur in some word, as a string: a
	 * separator must avoid them (passphrase.h) */
	const char *ascii;
	bool digit_end;               /* some word ends with an ASCII digit */
	size_t mapped;                /* bytes of its mapping; 0: built in */
};

/* The built-in EFF large list (7776 words, passphrase.h's tables). */
const struct wordlist *wordlist_eff(void);

/* The list named s[0, n): "eff" or a loaded one; NULL if none. */
const struct wordlist *wordlist_find(const char *s, size_t n);

/* Is s[0, n) a list name: 1..WORDLIST_NAME_MAX of [a-z0-9_-]? */
bool wordlist_name_ok(const char *s, size_t n);

/*
 * A list from text[0, len) (the file format above), with no minimum size:
 * tests build tiny lists through this. NULL with a message in err
 * ("line N: why", or why for the whole text); free with wordlist_free().
 * The list is read-only once returned.
 */
struct wordlist *wordlist_build(const char *name, const char *text,
				size_t len, char *err, size_t errlen);
void wordlist_free(struct wordlist *w);

/*
 * Load each "NAME=FILE" of `specs` (entries separated by newlines) into the
 * registry, with every loading rule (minimum size included). Start-up
 * only, before any thread that reads lists starts. 0, or -1 with
 * "--wordlist NAME=FILE: line N: why" in err (the caller exits: start-up
 * fails).
 */
int wordlist_load_specs(const char *specs, char *err, size_t errlen);

/* The loaded lists' names after "eff", comma-separated, into out (for a
 * refusal's detail). */
void wordlist_names(char *out, size_t cap);

#endif
