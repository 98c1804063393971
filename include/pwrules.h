/*
 * pwrules.h - the Password Rules language: the `passwordrules` attribute
 * Apple proposed to the WHATWG, which Safari and password managers read,
 * e.g.
 *     minlength: 8; maxlength: 16; required: lower; required: upper;
 *     required: digit; required: [-!@#]; max-consecutive: 2
 *
 * The grammar (after Apple's password-manager-resources, which documents
 * it and keeps real sites' rules):
 *     rules     = property *( ";" property ) [ ";" ]
 *     property  = name ":" [ value ]         (an empty value is ignored)
 *     name      = "required" / "allowed" / "max-consecutive" /
 *                 "minlength" / "maxlength"  (lowercase, as written)
 *     classes   = class *( "," class )       (required:, allowed:)
 *     class     = "upper" / "lower" / "digit" / "special" /
 *                 "ascii-printable" / "unicode"   (any case) / custom
 *     custom    = "[" printable ASCII "]"    ("-" only first, "]" only
 *                                             last, as "]]")
 *     integer   = 1*DIGIT                    (max-consecutive, *length)
 * with ASCII whitespace around tokens. Repeated properties combine as the
 * grammar says: each required: is one more set the password needs a
 * character of ("required: digit, upper" is one set, a digit OR an upper);
 * allowed: sets and every required set are unioned into what may be used
 * (ascii-printable if none is given); the smallest max-consecutive and
 * maxlength and the largest minlength win; a value of 0 is no limit.
 *
 * pwgend's reading, where the grammar leaves room:
 *   - `unicode` is refused: pwgend draws printable ASCII only;
 *   - `special` and `ascii-printable` do not bring the space (a site that
 *     allows a character does not require it, so leaving it out keeps
 *     every password acceptable, and a space at either end is what sites
 *     trim); a custom class "[ ]" does bring it;
 *   - whatever Apple's parser skips with a warning (a "-" past the start
 *     of a custom class, a control character in it) is an error here, as
 *     are unknown names: a malformed rule is refused, never half-read.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef PWGEND_PWRULES_H
#define PWGEND_PWRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PWRULES_REQUIRED_MAX = 8,  /* distinct required: sets */
	PWRULES_TEXT_MAX = 1024,   /* characters of rules= */
	PWRULES_INT_MAX = 1000000, /* largest integer value read */
};

/* A set of ASCII characters, bit c for character c. */
struct pwrules_set {
	uint64_t bits[2];
};

struct pwrules {
	struct pwrules_set allowed;    /* allowed: and required: together */
	struct pwrules_set required[PWRULES_REQUIRED_MAX];
	size_t n_required;             /* distinct sets, in order given */
	size_t max_consecutive;        /* 0: none */
	size_t minlength;              /* 0: none */
	size_t maxlength;              /* 0: none */
};

/* Where and why a rules string was refused. */
struct pwrules_error {
	const char *property;          /* its name; NULL before one is read */
	size_t position;               /* 1-based character of the fault */
	char detail[128];
};

/* Parse s[0, n): 0, or -1 with *err. */
int pwrules_parse(const char *s, size_t n, struct pwrules *out,
		  struct pwrules_error *err);

bool pwrules_set_has(const struct pwrules_set *set, unsigned char c);

/* Its characters in ASCII order into out[0, 96), NUL-terminated; their
 * count. */
size_t pwrules_set_chars(const struct pwrules_set *set, char out[96]);

/* The rules in canonical form ("required: upper; required: digit, [-!];
 * allowed: lower; max-consecutive: 2; minlength: 8; maxlength: 16"),
 * named classes for the whole classes a set holds, the rest as one custom
 * class; NUL-terminated, cut at cap. Its length. */
size_t pwrules_format(const struct pwrules *r, char *out, size_t cap);

#endif
