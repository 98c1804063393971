/* check_request.c - the request-target parser: routes, defaults, every
 * class of bad input, each with its exact status, type and parameter. */
#include <math.h>
#include <string.h>

#include "gen.h"
#include "request.h"
#include "suites.h"

enum { MAXQ = 100000 };

static int parse(const char *target, struct request *req,
		 struct request_error *err)
{
	return request_parse(target, strlen(target), MAXQ, req, err);
}

static struct request parse_ok(const char *target)
{
	struct request req;
	struct request_error err;

	ck_assert_msg(parse(target, &req, &err) == 0, "%s: %s", target,
		      err.detail);
	return req;
}

/* ---------------------------------------------------------------- routes */

START_TEST(test_password_defaults)
{
	struct request r = parse_ok("/password");

	ck_assert_int_eq(r.route, ROUTE_PASSWORD);
	ck_assert_int_eq(r.gen.kind, GEN_KIND_PASSWORD);
	ck_assert_uint_eq(r.gen.quantity, 1);
	ck_assert_uint_eq(r.gen.length, 20);
	ck_assert_uint_eq(r.gen.classes,
			  GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS);
}
END_TEST

START_TEST(test_pin_defaults)
{
	struct request r = parse_ok("/pin");

	ck_assert_int_eq(r.route, ROUTE_PIN);
	ck_assert_int_eq(r.gen.kind, GEN_KIND_PIN);
	ck_assert_uint_eq(r.gen.quantity, 1);
	ck_assert_uint_eq(r.gen.length, 6);
	ck_assert_uint_eq(r.gen.classes, GEN_CLASS_DIGITS);
}
END_TEST

START_TEST(test_healthz)
{
	ck_assert_int_eq(parse_ok("/healthz").route, ROUTE_HEALTHZ);
	ck_assert_int_eq(parse_ok("/healthz?").route, ROUTE_HEALTHZ);
}
END_TEST

START_TEST(test_all_parameters)
{
	struct request r = parse_ok("/password?quantity=7&length=33&lower=0&"
				    "upper=true&digits=false&symbols=1");

	ck_assert_uint_eq(r.gen.quantity, 7);
	ck_assert_uint_eq(r.gen.length, 33);
	ck_assert_uint_eq(r.gen.classes, GEN_CLASS_UPPER | GEN_CLASS_SYMBOLS);
	r = parse_ok("/pin?length=64&quantity=100000");
	ck_assert_uint_eq(r.gen.length, 64);
	ck_assert_uint_eq(r.gen.quantity, 100000);
}
END_TEST

START_TEST(test_lenient_but_exact_forms)
{
	/* leading zeros, %-encoded names and values, '+' as space is
	 * irrelevant here, skipped empty pairs */
	ck_assert_uint_eq(parse_ok("/password?quantity=005").gen.quantity, 5);
	ck_assert_uint_eq(parse_ok("/password?qu%61ntity=%32").gen.quantity,
			  2);
	ck_assert_uint_eq(parse_ok("/password?&&quantity=3&").gen.quantity, 3);
	ck_assert_uint_eq(parse_ok("/pin?length=4").gen.length, 4);
	ck_assert_uint_eq(parse_ok("/password?length=1024").gen.length, 1024);
}
END_TEST

/* ------------------------------------------------------------ bad inputs */

struct bad_case {
	const char *target;
	int status;
	const char *type;
	const char *parameter;         /* "" when none is at fault */
};

static const struct bad_case bad_cases[] = {
	/* unknown, duplicate, empty */
	{ "/password?lenght=5", 400, PROBLEM_UNKNOWN_PARAMETER, "lenght" },
	{ "/pin?symbols=true", 400, PROBLEM_UNKNOWN_PARAMETER, "symbols" },
	{ "/healthz?x=1", 400, PROBLEM_UNKNOWN_PARAMETER, "x" },
	{ "/password?Quantity=5", 400, PROBLEM_UNKNOWN_PARAMETER, "Quantity" },
	{ "/password?=5", 400, PROBLEM_UNKNOWN_PARAMETER, "" },
	{ "/password?qu%00antity=5", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "qu\\x00antity" },
	{ "/password?%C3%A9=1", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "\\xC3\\xA9" },
	{ "/password?quantity=1&quantity=2", 400, PROBLEM_DUPLICATE_PARAMETER,
	  "quantity" },
	{ "/password?symbols=1&symbols=1", 400, PROBLEM_DUPLICATE_PARAMETER,
	  "symbols" },
	{ "/password?quantity=", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?lower=", 400, PROBLEM_INVALID_VALUE, "lower" },
	/* not a number */
	{ "/password?quantity=abc", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=-1", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=%2B5", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=+5", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=%205", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=5%20", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?length=1e3", 400, PROBLEM_INVALID_VALUE, "length" },
	{ "/password?length=0x10", 400, PROBLEM_INVALID_VALUE, "length" },
	{ "/password?length=20.0", 400, PROBLEM_INVALID_VALUE, "length" },
	{ "/password?length=%EF%BC%92", 400, PROBLEM_INVALID_VALUE, "length" },
	{ "/password?quantity=5%00", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=5%0A", 400, PROBLEM_INVALID_VALUE, "quantity" },
	/* never cut: 33 characters, even if only leading zeros */
	{ "/pin?quantity=000000000000000000000000000000123", 400,
	  PROBLEM_INVALID_VALUE, "quantity" },
	{ "http://h/nope", 404, PROBLEM_NOT_FOUND, "" },
	/* malformed percent-encoding */
	{ "/password?quantity=%zz", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=%4", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?quantity=5%", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/password?qu%zzantity=5", 400, PROBLEM_INVALID_VALUE,
	  "qu%zzantity" },
	/* out of range, overflow */
	{ "/password?quantity=0", 400, PROBLEM_OUT_OF_RANGE, "quantity" },
	{ "/password?quantity=100001", 400, PROBLEM_OUT_OF_RANGE, "quantity" },
	{ "/password?quantity=18446744073709551616", 400, PROBLEM_OUT_OF_RANGE,
	  "quantity" },
	{ "/password?quantity=99999999999999999999999999999999", 400,
	  PROBLEM_OUT_OF_RANGE, "quantity" },
	{ "/password?quantity=999999999999999999999999999999999999", 400,
	  PROBLEM_INVALID_VALUE, "quantity" },  /* > 32 characters */
	{ "/password?length=3", 400, PROBLEM_OUT_OF_RANGE, "length" },
	{ "/password?length=1025", 400, PROBLEM_OUT_OF_RANGE, "length" },
	{ "/pin?length=3", 400, PROBLEM_OUT_OF_RANGE, "length" },
	{ "/pin?length=65", 400, PROBLEM_OUT_OF_RANGE, "length" },
	/* booleans */
	{ "/password?symbols=yes", 400, PROBLEM_INVALID_VALUE, "symbols" },
	{ "/password?symbols=TRUE", 400, PROBLEM_INVALID_VALUE, "symbols" },
	{ "/password?symbols=2", 400, PROBLEM_INVALID_VALUE, "symbols" },
	{ "/password?symbols=true%00", 400, PROBLEM_INVALID_VALUE, "symbols" },
	/* no class left */
	{ "/password?lower=false&upper=false&digits=false", 400,
	  PROBLEM_EMPTY_ALPHABET, "digits" },
	{ "/password?digits=0&upper=0&lower=0&symbols=false", 400,
	  PROBLEM_EMPTY_ALPHABET, "symbols" },
	/* password policies */
	{ "/password?preset=hex&lower=true", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "preset" },
	{ "/password?charset=abc&preset=hex", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "preset" },
	{ "/password?charset=abc&symbol_set=%40", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "charset" },
	{ "/password?symbols=false&symbol_set=%40", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "symbol_set" },
	{ "/password?min_entropy=64&length=20", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "min_entropy" },
	{ "/password?preset=base64", 400, PROBLEM_INVALID_VALUE, "preset" },
	{ "/password?charset=ab%20c", 400, PROBLEM_INVALID_VALUE, "charset" },
	{ "/password?charset=ab%C3%A9", 400, PROBLEM_INVALID_VALUE, "charset" },
	{ "/password?symbol_set=%40a", 400, PROBLEM_INVALID_VALUE,
	  "symbol_set" },
	{ "/password?exclude=%09", 400, PROBLEM_INVALID_VALUE, "exclude" },
	{ "/password?first=digit", 400, PROBLEM_INVALID_VALUE, "first" },
	{ "/password?min_digits=-1", 400, PROBLEM_INVALID_VALUE,
	  "min_digits" },
	{ "/password?min_digits=257", 400, PROBLEM_OUT_OF_RANGE,
	  "min_digits" },
	{ "/password?min_entropy=0", 400, PROBLEM_OUT_OF_RANGE,
	  "min_entropy" },
	{ "/password?preset=hex&exclude=0123456789abcdef", 400,
	  PROBLEM_EMPTY_ALPHABET, "exclude" },
	{ "/password?min_symbols=1", 400, PROBLEM_UNSATISFIABLE,
	  "min_symbols" },
	{ "/password?length=4&min_lower=2&min_digits=3", 400,
	  PROBLEM_UNSATISFIABLE, "min_digits" },
	{ "/password?length=16&symbols=1&min_digits=12", 400,
	  PROBLEM_UNSATISFIABLE, "min_digits" },
	{ "/password?charset=0123&first=letter", 400, PROBLEM_UNSATISFIABLE,
	  "first" },
	{ "/password?charset=ab&min_entropy=2000", 400, PROBLEM_OUT_OF_RANGE,
	  "min_entropy" },
	{ "/pin?min_digits=2", 400, PROBLEM_UNKNOWN_PARAMETER, "min_digits" },
	{ "/password?min_digits=4&min_upper=0&length=4", 400,
	  PROBLEM_UNSATISFIABLE, "min_digits" },
	{ "/password?charset=a", 400, PROBLEM_EMPTY_ALPHABET, "charset" },
	{ "/password?lower=0&upper=0&digits=0&symbol_set=%40", 400,
	  PROBLEM_EMPTY_ALPHABET, "symbol_set" },
	/* explain is a route of its own (/password/explain), which answers
	 * JSON only */
	{ "/password?explain=true", 400, PROBLEM_UNKNOWN_PARAMETER, "explain" },
	{ "/pin/explain?explain=true", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "explain" },
	{ "/token/explain?format=json", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "format" },
	{ "/password/explain?charset=abc&preset=hex", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "preset" },
	/* passphrases, tokens, PIN options */
	{ "/passphrase?words=0", 400, PROBLEM_OUT_OF_RANGE, "words" },
	{ "/passphrase?separator=%01", 400, PROBLEM_INVALID_VALUE,
	  "separator" },
	{ "/passphrase?capitalize=First", 400, PROBLEM_INVALID_VALUE,
	  "capitalize" },
	{ "/passphrase?max_length=12", 400, PROBLEM_UNSATISFIABLE,
	  "max_length" },
	{ "/passphrase?symbols=true", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "symbols" },
	{ "/passphrase?min_entropy=64&words=6", 400,
	  PROBLEM_CONFLICTING_PARAMETERS, "min_entropy" },
	{ "/passphrase?min_entropy=300", 400, PROBLEM_OUT_OF_RANGE,
	  "min_entropy" },
	{ "/token?bytes=2000", 400, PROBLEM_OUT_OF_RANGE, "bytes" },
	{ "/token?encoding=HEX", 400, PROBLEM_INVALID_VALUE, "encoding" },
	{ "/token?length=10", 400, PROBLEM_UNKNOWN_PARAMETER, "length" },
	{ "/pin?length=4&quantity=20000&unique=1", 400, PROBLEM_UNSATISFIABLE,
	  "quantity" },
	{ "/pin?unique=2", 400, PROBLEM_INVALID_VALUE, "unique" },
	{ "/password?format=xml", 400, PROBLEM_INVALID_VALUE, "format" },
	{ "/healthz?format=text", 400, PROBLEM_UNKNOWN_PARAMETER, "format" },
	/* the original service's routes */
	{ "/v1/pin?password_length=2", 400, PROBLEM_OUT_OF_RANGE,
	  "password_length" },
	{ "/v1/?quantity=101", 400, PROBLEM_OUT_OF_RANGE, "quantity" },
	{ "/v1/?has_punctuation=maybe", 400, PROBLEM_INVALID_VALUE,
	  "has_punctuation" },
	{ "/v1/pin?has_punctuation=true", 400, PROBLEM_UNKNOWN_PARAMETER,
	  "has_punctuation" },
	{ "/pin/4", 400, PROBLEM_INVALID_VALUE, "quantity" },
	{ "/pin/0?quantity=1", 400, PROBLEM_OUT_OF_RANGE, "password_lenght" },
	{ "/pass/x?quantity=1", 400, PROBLEM_INVALID_VALUE,
	  "password_lenght" },
	{ "/v2/pin", 404, PROBLEM_NOT_FOUND, "" },
	/* paths */
	{ "/", 404, PROBLEM_NOT_FOUND, "" },
	{ "/password/", 404, PROBLEM_NOT_FOUND, "" },
	{ "//password", 404, PROBLEM_NOT_FOUND, "" },
	{ "/PASSWORD", 404, PROBLEM_NOT_FOUND, "" },
	{ "/password%00", 404, PROBLEM_NOT_FOUND, "" },
	{ "/password.json", 404, PROBLEM_NOT_FOUND, "" },
	{ "*", 404, PROBLEM_NOT_FOUND, "" },
	{ "", 404, PROBLEM_NOT_FOUND, "" },
	{ "/pass%zzword", 400, PROBLEM_MALFORMED_TARGET, "" },
	{ "/pin%", 400, PROBLEM_MALFORMED_TARGET, "" },
};

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	struct request req;
	struct request_error err;

	ck_assert_msg(parse(c->target, &req, &err) == -1, "%s accepted",
		      c->target);
	ck_assert_msg(err.status == c->status, "%s: status %d", c->target,
		      err.status);
	ck_assert_str_eq(err.type, c->type);
	ck_assert_str_eq(err.parameter, c->parameter);
	ck_assert(err.title != NULL && err.title[0] != '\0');
	ck_assert(err.detail[0] != '\0');
}
END_TEST

START_TEST(test_absolute_form)
{
	ck_assert_int_eq(parse_ok("http://pwgend:8080/pin?length=5").route,
			 ROUTE_PIN);
	ck_assert_uint_eq(parse_ok("HTTPS://h/pin?length=5").gen.length, 5);
	ck_assert_int_eq(parse_ok("http://h/healthz").route, ROUTE_HEALTHZ);
}
END_TEST

START_TEST(test_longest_value_accepted)
{
	/* 32 characters is the limit: 31 zeros and a 7 */
	ck_assert_uint_eq(
		parse_ok("/pin?quantity=00000000000000000000000000000007")
			.gen.quantity, 7);
}
END_TEST

START_TEST(test_percent_encoded_path_routes)
{
	/* unreserved characters may be %-encoded (RFC 3986, 6.2.2.2) */
	ck_assert_int_eq(parse_ok("/p%69n").route, ROUTE_PIN);
}
END_TEST

START_TEST(test_password_policies)
{
	struct request r = parse_ok("/password?length=16&symbols=true&"
				    "min_lower=1&min_upper=1&min_digits=1&"
				    "min_symbols=1");
	const struct password_policy *p = &r.gen.policy;

	ck_assert_uint_eq(p->alphabet_len, 94);
	ck_assert_uint_eq(p->min[CLASS_SYMBOL], 1);
	ck_assert_double_eq_tol(r.gen.entropy_bits, 104.59, 0.005);
	ck_assert(r.gen.classes_only);

	r = parse_ok("/password?exclude_ambiguous=true&exclude=%2B%26%23%25");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 62 - 6);  /* Il1O0o */
	ck_assert(!r.gen.classes_only);
	ck_assert_ptr_null(memchr(r.gen.policy.alphabet, 'O', 56));

	r = parse_ok("/password?symbols=1&exclude=%2B%26%23%25%20");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 94 - 4);
	ck_assert_ptr_null(memchr(r.gen.policy.alphabet, '+', 90));

	r = parse_ok("/password?charset=aabbcc123&first=letter");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 6);  /* deduplicated */
	ck_assert(r.gen.policy.first_letter);

	r = parse_ok("/password?symbol_set=%40%23%24%3D");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 62 + 4);

	r = parse_ok("/password?preset=base32");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 32);
	ck_assert_double_eq_tol(r.gen.entropy_bits, 100, 1e-9);
}
END_TEST

START_TEST(test_min_entropy_picks_the_shortest_length)
{
	struct request r = parse_ok("/password?min_entropy=128&preset=hex");

	ck_assert_uint_eq(r.gen.length, 32);  /* 4 bits per character */
	ck_assert_double_ge(r.gen.entropy_bits, 128);
	r = parse_ok("/password?min_entropy=100&min_digits=2");
	ck_assert_double_ge(r.gen.entropy_bits, 100);
	r.gen.policy.length--;
	ck_assert_double_lt(policy_entropy_bits(&r.gen.policy), 100);
	r = parse_ok("/password?min_entropy=1");
	ck_assert_uint_eq(r.gen.length, 4);  /* never below the minimum */
	/* the shortest length must also meet the minimums often enough:
	 * 100 bits need 17 characters, but 10 digits in 17 are too rare */
	r = parse_ok("/password?min_digits=10&min_entropy=100");
	ck_assert_double_ge(r.gen.acceptance, POLICY_MIN_ACCEPTANCE);
	ck_assert_uint_gt(r.gen.length, 17);
	r.gen.policy.length--;
	ck_assert_double_lt(policy_acceptance(&r.gen.policy),
			    POLICY_MIN_ACCEPTANCE);
}
END_TEST

START_TEST(test_other_kinds)
{
	struct request r = parse_ok("/passphrase");

	ck_assert_int_eq(r.gen.kind, GEN_KIND_PASSPHRASE);
	ck_assert_uint_eq(r.gen.passphrase.words, 6);
	ck_assert_str_eq(r.gen.passphrase.separator, "-");
	ck_assert_double_eq_tol(r.gen.entropy_bits, 77.55, 0.005);
	r = parse_ok("/passphrase?min_entropy=100");
	ck_assert_uint_eq(r.gen.passphrase.words, 8);  /* 12.925 bits each */
	ck_assert_double_ge(r.gen.entropy_bits, 100);
	r = parse_ok("/passphrase?min_entropy=60&number=true");
	ck_assert_uint_eq(r.gen.passphrase.words, 5);  /* 64.6 + log2(50) */
	r = parse_ok("/passphrase?separator=&words=3&number=1");
	ck_assert_uint_eq(r.gen.passphrase.separator_len, 0);
	ck_assert(r.gen.passphrase.number);
	r = parse_ok("/token?bytes=16&encoding=base64url");
	ck_assert_int_eq(r.gen.kind, GEN_KIND_TOKEN);
	ck_assert_uint_eq(r.gen.length, 22);
	ck_assert_double_eq(r.gen.entropy_bits, 128);
	r = parse_ok("/pin?length=6&exclude_weak=true&unique=true");
	ck_assert(r.gen.exclude_weak && r.gen.unique);
	ck_assert_double_lt(r.gen.entropy_bits, 6 * log2(10));
	ck_assert_str_eq(gen_kind_name(GEN_KIND_TOKEN), "token");
	r = parse_ok("/token?format=ndjson");
	ck_assert(r.gen.format_given);
	ck_assert_int_eq(r.gen.format, FORMAT_NDJSON);
	ck_assert(!parse_ok("/pin").gen.format_given);
}
END_TEST

START_TEST(test_original_routes)
{
	struct request r = parse_ok("/v1/pin?password_length=4&quantity=5");

	ck_assert_int_eq(r.gen.kind, GEN_KIND_PIN);
	ck_assert_int_eq(r.gen.shape, SHAPE_DATA);
	ck_assert_uint_eq(r.gen.length, 4);
	ck_assert_uint_eq(r.gen.quantity, 5);
	r = parse_ok("/v1/");
	ck_assert_int_eq(r.gen.kind, GEN_KIND_PASSWORD);
	ck_assert_uint_eq(r.gen.length, 12);
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 94);  /* punctuation */
	ck_assert_uint_eq(r.gen.policy.min[CLASS_SYMBOL], 1);
	r = parse_ok("/v1/?has_punctuation=False&password_length=3");
	ck_assert_uint_eq(r.gen.policy.alphabet_len, 62);
	ck_assert_uint_eq(r.gen.policy.min[CLASS_UPPER], 1);
	r = parse_ok("/pass/3?quantity=2&ponctuation=yes");
	ck_assert_int_eq(r.gen.shape, SHAPE_BLOG);
	ck_assert_uint_eq(r.gen.length, 3);  /* exact, unlike the original */
	ck_assert_uint_eq(r.gen.policy.min[CLASS_UPPER], 0);
	ck_assert_uint_eq(r.gen.policy.min[CLASS_SYMBOL], 1);
	ck_assert_uint_eq(parse_ok("/pin/%36?quantity=1").gen.length, 6);
	r = parse_ok("/pin/100?quantity=100");
	ck_assert_uint_eq(r.gen.length, 100);
	ck_assert_int_eq(parse_ok("/v1/health").route, ROUTE_V1_HEALTH);
	ck_assert_int_eq(parse_ok("/v1").route, ROUTE_V1_PASSWORD);
}
END_TEST

START_TEST(test_explain_routes)
{
	static const struct {
		const char *target;
		enum route route;
	} cases[] = {
		{ "/password/explain?length=12&symbols=true", ROUTE_PASSWORD },
		{ "/pin/explain?exclude_weak=1", ROUTE_PIN },
		{ "/passphrase/explain", ROUTE_PASSPHRASE },
		{ "/token/explain?encoding=base32", ROUTE_TOKEN },
		{ "/p%69n/explain", ROUTE_PIN },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request r = parse_ok(cases[i].target);

		ck_assert_int_eq(r.route, cases[i].route);
		ck_assert_msg(r.gen.explain, "%s", cases[i].target);
	}
	ck_assert_uint_eq(parse_ok("/password/explain?length=12").gen.length,
			  12);
	/* the item routes generate; /pin/{length} stays the blog's */
	ck_assert(!parse_ok("/password").gen.explain);
	ck_assert(!parse_ok("/pin").gen.explain);
	ck_assert_int_eq(parse_ok("/pin/12?quantity=1").route, ROUTE_BLOG_PIN);
	ck_assert(!parse_ok("/pin/12?quantity=1").gen.explain);
}
END_TEST

/* explain moved to a route of its own: the 400 says where. */
START_TEST(test_explain_param_points_to_its_route)
{
	static const struct {
		const char *target, *detail;
	} cases[] = {
		{ "/password?explain=true", "explain is not a parameter of this "
		  "route; use GET /password/explain" },
		{ "/token?quantity=2&explain=1", "explain is not a parameter "
		  "of this route; use GET /token/explain" },
		{ "/pin/explain?explain=true", "explain is not a parameter "
		  "of this route" },
		{ "/v1/pin?explain=true", "explain is not a parameter of this "
		  "route" },
	};
	struct request req;
	struct request_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].target;

		ck_assert_int_eq(request_parse(t, strlen(t), 100, &req, &err),
				 -1);
		ck_assert_str_eq(err.type, PROBLEM_UNKNOWN_PARAMETER);
		ck_assert_str_eq(err.parameter, "explain");
		ck_assert_str_eq(err.detail, cases[i].detail);
	}
}
END_TEST

START_TEST(test_configured_max_quantity)
{
	struct request req;
	struct request_error err;
	const char *t = "/pin?quantity=11";

	ck_assert_int_eq(request_parse(t, strlen(t), 10, &req, &err), -1);
	ck_assert_str_eq(err.type, PROBLEM_OUT_OF_RANGE);
	ck_assert_ptr_nonnull(strstr(err.detail, "1 to 10"));
	ck_assert_int_eq(request_parse(t, strlen(t), 11, &req, &err), 0);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	/* the parser honours the length, never reads past it */
	char buf[] = "/pin?quantity=12XXXX";
	struct request req;
	struct request_error err;

	ck_assert_int_eq(request_parse(buf, 16, MAXQ, &req, &err), 0);
	ck_assert_uint_eq(req.gen.quantity, 12);
}
END_TEST

START_TEST(test_long_name_is_shown_cut)
{
	char target[600] = "/password?";
	struct request req;
	struct request_error err;

	memset(target + 10, 'a', 500);
	target[510] = '\0';
	ck_assert_int_eq(parse(target, &req, &err), -1);
	ck_assert_str_eq(err.type, PROBLEM_UNKNOWN_PARAMETER);
	ck_assert_uint_lt(strlen(err.parameter), sizeof(err.parameter));
	ck_assert_ptr_nonnull(strstr(err.parameter, "..."));
}
END_TEST

/* The work cap: quantity x length / acceptance against the limit. */
START_TEST(test_expected_work_is_capped)
{
	struct request req;
	struct request_error err;
	static const char strict[] =
		"/password?length=1024&min_digits=202&quantity=1000";
	static const char plain[] = "/password?length=1024&quantity=100000";

	ck_assert_int_eq(request_parse(strict, strlen(strict), 100000, &req,
				       &err), 0);
	ck_assert_double_gt(request_expected_work(&req.gen), 5e8);
	ck_assert_int_eq(request_check_work(&req.gen, 1 << 28, &err), -1);
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.type, PROBLEM_TOO_MUCH_WORK);
	ck_assert_str_eq(err.parameter, "quantity");
	ck_assert_ptr_nonnull(strstr(err.detail, "268435456"));
	/* explain generates nothing: never too much work */
	req.gen.explain = true;
	ck_assert_int_eq(request_check_work(&req.gen, 1 << 28, &err), 0);
	/* the largest plain request fits the default */
	ck_assert_int_eq(request_parse(plain, strlen(plain), 100000, &req,
				       &err), 0);
	ck_assert_double_eq(request_expected_work(&req.gen), 102400000.0);
	ck_assert_int_eq(request_check_work(&req.gen, 1 << 28, &err), 0);
	ck_assert_int_eq(request_check_work(&req.gen, 1 << 20, &err), -1);
}
END_TEST

/* The original's routes with a trailing slash: a 307 to the path without
 * it, query kept; pwgend's own routes and /v1/ itself are left alone. */
START_TEST(test_slash_redirects)
{
	static const struct {
		const char *target;
		const char *location;  /* NULL: no redirect */
	} cases[] = {
		{ "/v1/pin/", "/v1/pin" },
		{ "/v1/pin/?quantity=2", "/v1/pin?quantity=2" },
		{ "/v1/health/", "/v1/health" },
		{ "/pin/6/?quantity=3", "/pin/6?quantity=3" },
		{ "/pass/12/?quantity=1&ponctuation=True",
		  "/pass/12?quantity=1&ponctuation=True" },
		{ "/complex_password/10/?quantity=3",
		  "/complex_password/10?quantity=3" },
		{ "/v1/complex_password/", "/v1/complex_password" },
		{ "http://a/v1/pin/?q=1", "/v1/pin?q=1" },
		{ "/v1/", NULL },
		{ "/v1/pin", NULL },
		{ "/password/", NULL },
		{ "/pin/", NULL },
		{ "/healthz/", NULL },
		{ "/nope/", NULL },
		{ "/", NULL },
		{ "/pin/6/?x=a\x01", NULL },
	};
	char location[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool r = request_slash_redirect(cases[i].target,
						strlen(cases[i].target),
						location, sizeof(location));

		ck_assert_msg(r == (cases[i].location != NULL), "%s: %d",
			      cases[i].target, r);
		if (r)
			ck_assert_str_eq(location, cases[i].location);
	}
}
END_TEST

/* POST /complex_password/{n}: the path and query now (quantity required,
 * ponctuation lenient), the body later. */
START_TEST(test_blog_complex_route)
{
	struct request req;
	struct request_error err;
	static const char ok[] =
		"/complex_password/10?quantity=3&ponctuation=True";
	static const char no_quantity[] = "/complex_password/10";
	static const char too_long[] = "/complex_password/101?quantity=1";

	ck_assert_int_eq(request_parse(ok, strlen(ok), 100000, &req, &err), 0);
	ck_assert_int_eq(req.route, ROUTE_BLOG_COMPLEX);
	ck_assert_uint_eq(req.blog_length, 10);
	ck_assert_uint_eq(req.gen.quantity, 3);
	ck_assert(req.blog_punctuation);
	ck_assert(route_takes_body(req.route));
	ck_assert(request_takes_body(ok, strlen(ok)));
	ck_assert_int_eq(request_parse(no_quantity, strlen(no_quantity),
				       100000, &req, &err), -1);
	ck_assert_str_eq(err.parameter, "quantity");
	ck_assert_int_eq(request_parse(too_long, strlen(too_long), 100000,
				       &req, &err), -1);
	ck_assert_str_eq(err.parameter, "adicional_lenght");
	ck_assert_int_eq(err.status, 400);
}
END_TEST

Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_password_defaults);
	tcase_add_test(tc, test_pin_defaults);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_all_parameters);
	tcase_add_test(tc, test_lenient_but_exact_forms);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_percent_encoded_path_routes);
	tcase_add_test(tc, test_absolute_form);
	tcase_add_test(tc, test_longest_value_accepted);
	tcase_add_test(tc, test_configured_max_quantity);
	tcase_add_test(tc, test_password_policies);
	tcase_add_test(tc, test_min_entropy_picks_the_shortest_length);
	tcase_add_test(tc, test_explain_routes);
	tcase_add_test(tc, test_explain_param_points_to_its_route);
	tcase_add_test(tc, test_original_routes);
	tcase_add_test(tc, test_other_kinds);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_long_name_is_shown_cut);
	tcase_add_test(tc, test_expected_work_is_capped);
	tcase_add_test(tc, test_slash_redirects);
	tcase_add_test(tc, test_blog_complex_route);
	suite_add_tcase(s, tc);
	return s;
}
