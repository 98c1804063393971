/* check_pwrules.c - the Password Rules grammar: every property, class and
 * custom-class form, how repeated properties combine, the canonical text,
 * and every malformed rule refused with its property and position. */
#include <string.h>

#include "pwrules.h"
#include "suites.h"

static struct pwrules parse_ok(const char *text)
{
	struct pwrules r;
	struct pwrules_error e;

	ck_assert_msg(pwrules_parse(text, strlen(text), &r, &e) == 0,
		      "\"%s\": %s at %zu", text, e.detail, e.position);
	return r;
}

static const char *chars(const struct pwrules_set *set)
{
	static char buf[96];

	pwrules_set_chars(set, buf);
	return buf;
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGIT "0123456789"
#define SPECIAL "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
/* in ASCII order, as pwrules_set_chars gives them */
#define PRINTABLE "!\"#$%&'()*+,-./" DIGIT ":;<=>?@" UPPER "[\\]^_`" LOWER \
		  "{|}~"

START_TEST(test_named_classes)
{
	struct pwrules r = parse_ok("required: upper; required: lower; "
				    "required: digit; required: special");

	ck_assert_uint_eq(r.n_required, 4);
	ck_assert_str_eq(chars(&r.required[0]), UPPER);
	ck_assert_str_eq(chars(&r.required[1]), LOWER);
	ck_assert_str_eq(chars(&r.required[2]), DIGIT);
	ck_assert_uint_eq(strlen(chars(&r.required[3])), 32);
	ck_assert_str_eq(chars(&r.allowed), PRINTABLE);  /* no space */
	r = parse_ok("allowed: ascii-printable");
	ck_assert_str_eq(chars(&r.allowed), PRINTABLE);
	ck_assert_uint_eq(r.n_required, 0);
	r = parse_ok("required: UPPER, Digit");  /* class names: any case */
	ck_assert_str_eq(chars(&r.required[0]), DIGIT UPPER);
}
END_TEST

/* Nothing allowed or required: ascii-printable (less the space). */
START_TEST(test_default_allowed)
{
	struct pwrules r = parse_ok("minlength: 8");

	ck_assert_str_eq(chars(&r.allowed), PRINTABLE);
	ck_assert_uint_eq(r.minlength, 8);
	/* a required set is allowed, and then nothing else is */
	r = parse_ok("required: digit");
	ck_assert_str_eq(chars(&r.allowed), DIGIT);
	r = parse_ok("allowed: lower; required: [-]");
	ck_assert_str_eq(chars(&r.allowed), "-" LOWER);
}
END_TEST

START_TEST(test_custom_classes)
{
	struct pwrules r = parse_ok("required: [-().&@?'#,/\"+]");

	ck_assert_str_eq(chars(&r.required[0]), "\"#&'()+,-./?@");
	r = parse_ok("allowed: [abc]]");       /* "]]": a literal ] last */
	ck_assert_str_eq(chars(&r.allowed), "]abc");
	r = parse_ok("allowed: []]");
	ck_assert_str_eq(chars(&r.allowed), "]");
	r = parse_ok("allowed: [ ], lower");   /* the space, when asked */
	ck_assert_str_eq(chars(&r.allowed), " " LOWER);
	r = parse_ok("allowed: [[\\^`]");
	ck_assert_str_eq(chars(&r.allowed), "[\\^`");
}
END_TEST

/* One required: with two classes is one set (either); two are two. */
START_TEST(test_required_sets)
{
	struct pwrules r = parse_ok("required: digit, upper");

	ck_assert_uint_eq(r.n_required, 1);
	ck_assert_str_eq(chars(&r.required[0]), DIGIT UPPER);
	r = parse_ok("required: digit; required: upper");
	ck_assert_uint_eq(r.n_required, 2);
	/* the same set twice is one need */
	r = parse_ok("required: digit; required: [0123456789]");
	ck_assert_uint_eq(r.n_required, 1);
	r = parse_ok("required: lower; required: lower, digit");
	ck_assert_uint_eq(r.n_required, 2);
}
END_TEST

/* Repeated limits: the largest minlength, the smallest maxlength and
 * max-consecutive; allowed: sets add up; 0 and empty values are none. */
START_TEST(test_repeated_properties)
{
	struct pwrules r = parse_ok("minlength: 8; minlength: 12; maxlength: "
				    "30; maxlength: 20; max-consecutive: 3; "
				    "max-consecutive: 2; allowed: lower; "
				    "allowed: digit");

	ck_assert_uint_eq(r.minlength, 12);
	ck_assert_uint_eq(r.maxlength, 20);
	ck_assert_uint_eq(r.max_consecutive, 2);
	ck_assert_str_eq(chars(&r.allowed), DIGIT LOWER);
	r = parse_ok("maxlength: 0; max-consecutive: 0; minlength: 0");
	ck_assert_uint_eq(r.maxlength, 0);
	ck_assert_uint_eq(r.max_consecutive, 0);
	r = parse_ok("required: ; allowed:;minlength:");
	ck_assert_uint_eq(r.n_required, 0);
	ck_assert_str_eq(chars(&r.allowed), PRINTABLE);
}
END_TEST

START_TEST(test_whitespace)
{
	struct pwrules r = parse_ok("  required:upper ,\tdigit ;\n"
				    "minlength :  8 ;\r\n");

	ck_assert_uint_eq(r.n_required, 1);
	ck_assert_str_eq(chars(&r.required[0]), DIGIT UPPER);
	ck_assert_uint_eq(r.minlength, 8);
}
END_TEST

static const struct {
	const char *text;
	const char *property;          /* NULL: none read yet */
	size_t position;
	const char *says;
} malformed[] = {
	{ "required: uper", "required", 11, "unknown character class" },
	{ "required: unicode", "required", 11, "unicode" },
	{ "allowed: lower, Unicode", "allowed", 17, "unicode" },
	{ "required: [ab-]", "required", 14, "'-' may only come first" },
	{ "required: [abc", "required", 11, "not closed" },
	{ "required: [a\tb]", "required", 13, "printable ASCII" },
	{ "required: [\xc3\xa9]", "required", 12, "non-ASCII" },
	{ "Required: upper", NULL, 1, "unknown property" },
	{ "minimum-length: 8", NULL, 1, "unknown property" },
	{ "minlength 8", "minlength", 11, "expected ':'" },
	{ "minlength: x", "minlength", 12, "whole number" },
	{ "minlength: 5 6", "minlength", 14, "expected ';'" },
	{ "minlength: 99999999", "minlength", 12, "over" },
	{ "required: upper digit", "required", 17, "expected ','" },
	{ "required: upper,", "required", 17, "expected a character class" },
	{ "required: []", "required", 11, "at least one character" },
	{ "required: upper;; ;42", NULL, 17, "expected a property name" },
	{ ";", NULL, 1, "expected a property name" },
	{ "  \t ", NULL, 5, "expected a property" },
	{ "required: 1", "required", 11, "expected a character class" },
	{ "required: [a]; required: [b]; required: [c]; required: [d]; "
	  "required: [e]; required: [f]; required: [g]; required: [h]; "
	  "required: [i]", "required", 131, "more than 8" },
};

START_TEST(test_malformed)
{
	struct pwrules r;
	struct pwrules_error e;
	const char *text = malformed[_i].text;

	ck_assert_int_eq(pwrules_parse(text, strlen(text), &r, &e), -1);
	if (malformed[_i].property == NULL)
		ck_assert_ptr_null(e.property);
	else
		ck_assert_str_eq(e.property, malformed[_i].property);
	ck_assert_msg(e.position == malformed[_i].position,
		      "\"%s\": position %zu, expected %zu (%s)", text,
		      e.position, malformed[_i].position, e.detail);
	ck_assert_msg(strstr(e.detail, malformed[_i].says) != NULL,
		      "\"%s\": \"%s\"", text, e.detail);
}
END_TEST

START_TEST(test_too_long)
{
	char text[PWRULES_TEXT_MAX + 2];
	struct pwrules r;
	struct pwrules_error e;

	memset(text, ' ', sizeof(text));
	memcpy(text, "minlength: 8", 12);
	ck_assert_int_eq(pwrules_parse(text, PWRULES_TEXT_MAX, &r, &e), 0);
	ck_assert_int_eq(pwrules_parse(text, PWRULES_TEXT_MAX + 1, &r, &e),
			 -1);
	ck_assert(strstr(e.detail, "longer than") != NULL);
}
END_TEST

/* The canonical text names whole classes, puts "-" first and "]" last in
 * a custom class, and parses back to the same rules. */
START_TEST(test_canonical)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "required: upper;required:digit,[-!]; max-consecutive: 2",
		  "required: upper; required: digit, [-!]; allowed: upper, "
		  "digit, [-!]; max-consecutive: 2" },
		{ "allowed: [ABCDEFGHIJKLMNOPQRSTUVWXYZ]",
		  "allowed: upper" },
		{ "minlength: 8", "allowed: ascii-printable; minlength: 8" },
		{ "allowed: [-]], [a]", "allowed: [-a]]" },
		{ "allowed: [], lower", "allowed: lower" },
		/* nothing allowed (refused later, by the policy): "allowed: "
		 * alone would read back as ascii-printable */
		{ "allowed: []; minlength: 8", "allowed: []; minlength: 8" },
	};
	char out[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pwrules r = parse_ok(cases[i].in), again;

		pwrules_format(&r, out, sizeof(out));
		ck_assert_str_eq(out, cases[i].out);
		again = parse_ok(out);
		ck_assert_mem_eq(&again, &r, sizeof(r));
	}
}
END_TEST

Suite *pwrules_suite(void)
{
	Suite *s = suite_create("pwrules");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_named_classes);
	tcase_add_test(tc, test_default_allowed);
	tcase_add_test(tc, test_custom_classes);
	tcase_add_test(tc, test_required_sets);
	tcase_add_test(tc, test_repeated_properties);
	tcase_add_test(tc, test_whitespace);
	tcase_add_loop_test(tc, test_malformed, 0,
			    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_canonical);
	suite_add_tcase(s, tc);
	return s;
}
