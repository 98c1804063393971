/*
 * pin.h - weak PINs: an exact definition, a predicate and exact counts.
 *
 * A PIN is a string of len decimal digits, PIN_MIN_LEN <= len <= PIN_MAX_LEN.
 * It is WEAK when at least one of these holds:
 *
 *   (a) periodic: it is a block of p digits repeated len / p times, for some
 *       p < len that divides len. Covers every all-same-digit PIN (p = 1),
 *       1212 and 6969 (p = 2), 123123 (p = 3), 12341234 (p = 4);
 *   (b) a run: each digit is the previous one plus 1 (ascending: 0123,
 *       3456789) or each is the previous one minus 1 (descending: 9876), with
 *       no wrap-around (7890 is not a run). Runs exist only for len <= 10;
 *   (c) blocklisted: one of the most common PINs measured in two studies:
 *       - four digits: the 5 most frequent four-digit PINs in Nick Berry's
 *         DataGenetics analysis of 3.4 million leaked four-digit numeric
 *         passwords (2012, http://www.datagenetics.com/blog/september32012/:
 *         1234 1111 0000 1212 7777) and the 10 most popular four-digit PINs
 *         reported by Markert et al., "This PIN Can Be Easily Guessed:
 *         Analyzing the Security of Smartphone Unlock PINs", IEEE S&P 2020
 *         (0000 0852 1111 1212 1234 1998 2222 2580 5555 5683: adds the
 *         keypad patterns 0852, 2580, 5683 and the year 1998). Only ranks we
 *         could check against these sources are listed;
 *       - six digits: the 10 most popular six-digit PINs in Markert et al.
 *         2020: 000000 111111 112233 121212 123123 123456 159753 654321
 *         666666 789456.
 *       The full list is pin_blocklist(). Most entries are also periodic or
 *       runs; the list matters for the others: 1998 0852 2580 5683 and
 *       112233 159753 789456. "Stutter" PINs such as 112233 (each digit
 *       doubled) are NOT periodic, so they are weak only when blocklisted:
 *       112233 is, 1122 and 11223344 are not.
 *
 * Counting (pin_weak_count), exact:
 *   |periodic| = 10^len - A(len), where A(len) = sum over d | len of
 *                mu(d) 10^(len/d) counts the aperiodic (primitive) strings
 *                (Moebius inversion of 10^len = sum over p | len of A(p));
 *   |runs|     = 2 (11 - len) for len <= 10, else 0; a run has distinct
 *                digits, so it is never periodic (len >= 2);
 *   |extra|    = blocklist entries of length len that are neither periodic
 *                nor runs (each checked with the predicates, not assumed).
 * A periodic string has period <= len / 2, so |periodic| <= about
 * 2 * 10^(len/2) <= 2 * 10^32 < 2^128: the count is computed exactly in
 * unsigned __int128 for every len up to 64, then converted to long double
 * (64-bit significand): exact whenever the count is below 2^64, which holds
 * for every len <= 39, and correctly rounded beyond. pin_allowed_count()
 * subtracts exactly in __int128 while 10^len fits (len <= 38) and converts
 * once (exact for len <= 19); beyond, it is powl(10, len) - weak in long
 * double, within a few units in the 64th bit: entropy_bits is off by less
 * than 1e-17 bits.
 *
 * Generation is the caller's: draw len uniform digits, and with
 * exclude_weak redraw the whole PIN while pin_is_weak(); that is uniform over
 * the allowed PINs, and the acceptance is allowed / 10^len >= 0.9882 (len 4).
 */
#ifndef PWGEND_PIN_H
#define PWGEND_PIN_H

#include <stdbool.h>
#include <stddef.h>

enum {
	PIN_MIN_LEN = 4,
	PIN_MAX_LEN = 64,
};

/* Whether pin[0, len) is weak by (a), (b) or (c) above. pin must be len
 * ASCII digits (the generator's output); any len >= 1 is accepted. */
bool pin_is_weak(const char *pin, size_t len);

/* The three parts of the definition, exposed for tests and explain. */
bool pin_is_periodic(const char *pin, size_t len);
bool pin_is_run(const char *pin, size_t len);
bool pin_is_blocklisted(const char *pin, size_t len);

/* The blocklist, NUL-terminated strings; *n receives the entry count. */
const char *const *pin_blocklist(size_t *n);

/* The exact number of weak PINs of `len` digits (see above) in *weak.
 * 0, or -EINVAL for len outside PIN_MIN_LEN..PIN_MAX_LEN. */
int pin_weak_count(size_t len, long double *weak);

/* The number of PINs a request can produce: 10^len, or 10^len minus the weak
 * ones with exclude_weak. 0, or -EINVAL for len out of range.
 * entropy_bits = log2l(*count). */
int pin_allowed_count(size_t len, bool exclude_weak, long double *count);

#endif
