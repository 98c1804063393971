/*
 * original.c - see original.h.
 *
 * /v1/pin, /v1/, /pin/{n}, /pass/{n}: the original's parameters and limits,
 * answered by pwgend's generators with its bugs fixed: exact lengths, no
 * hang, CSPRNG everywhere, uniform output. Passwords keep the guarantees
 * the original meant: a lower-case letter, an upper-case letter and a digit,
 * and a symbol with punctuation on (one of the two letters is dropped where
 * the length cannot hold them all; a 1- or 2-character password only draws
 * from the alphabet).
 */
#include "original.h"

#include <string.h>

#include "gen.h"
#include "kind_chars.h"

/* /v1: password_length (both), has_punctuation (/v1/ only). */
static const struct kind_param v1_params[] = {
	{ "password_length", KIND_UINT, V1_LENGTH_MIN, V1_LENGTH_MAX, NULL,
	  NULL, "12", "characters per item" },
	{ "has_punctuation", KIND_LOOSE_BOOL, 0, 0, NULL, NULL, "true",
	  "add symbols" },
};

/* The blog era: ponctuation (sic), on /pass/{n} and the complex one. */
static const struct kind_param blog_params[] = {
	{ "ponctuation", KIND_LOOSE_BOOL, 0, 0, NULL, NULL, "false",
	  "add symbols" },
};

static void v1_defaults(struct kind_parse *kp)
{
	kp->pw.length = V1_LENGTH_DEFAULT;
	kp->option = kp->req->route == ROUTE_V1_PASSWORD; /* punctuation */
}

static void blog_defaults(struct kind_parse *kp)
{
	kp->pw.length = PASSWORD_LENGTH_DEFAULT;
}

static int v1_set(struct kind_parse *kp, size_t i, const struct kind_value *v)
{
	if (i == 0) {
		kp->pw.length_given = true;
		kp->pw.length = v->u;
	} else {
		kp->option = v->b;
	}
	return 0;
}

static int blog_set(struct kind_parse *kp, size_t i,
		    const struct kind_value *v)
{
	(void)i;
	kp->option = v->b;
	return 0;
}

static int password_policy(struct kind_parse *kp, bool punctuation)
{
	struct password_options *o = &kp->pw;
	size_t wanted = punctuation ? 4 : 3;

	o->classes = GEN_CLASS_LOWER | GEN_CLASS_UPPER | GEN_CLASS_DIGITS |
		     (punctuation ? GEN_CLASS_SYMBOLS : 0);
	o->classes_given = 0;
	if (o->length >= 3) {
		o->min[CLASS_LOWER] = 1;
		o->min[CLASS_UPPER] = o->length >= wanted;  /* 3 + symbol */
		o->min[CLASS_DIGIT] = 1;
		o->min[CLASS_SYMBOL] = punctuation;
	}
	return kind_chars_settle(kp);
}

/* /pin/{length} and /pass/{length}: the digits after the prefix. */
static int path_length(struct kind_parse *kp)
{
	/* sic, theirs: the names their 422s used */
	const char *name = kp->req->route == ROUTE_BLOG_COMPLEX
				   ? "adicional_lenght"
				   : "password_lenght";

	kp->pw.length_given = true;
	if (kp->path_arg_len < 0)
		return kind_fail_invalid(kp, name, "a decimal integer");
	return kind_parse_uint(kp, name, kp->path_arg,
			       (size_t)kp->path_arg_len, BLOG_LENGTH_MIN,
			       BLOG_LENGTH_MAX, &kp->pw.length);
}

static int settle(struct kind_parse *kp)
{
	struct request *req = kp->req;

	if (kp->g->shape == SHAPE_BLOG) {
		if (!kp->quantity_given)
			return kind_fail_invalid(kp, "quantity",
						 "given (it is required on "
						 "this route)");
		if (path_length(kp) < 0)
			return -1;
	}
	if (req->route == ROUTE_BLOG_COMPLEX) {  /* the body comes later */
		req->blog_length = kp->pw.length;
		req->blog_punctuation = kp->option;
		return 0;
	}
	if (kp->g->kind == GEN_KIND_PIN) {
		kp->pw = (struct password_options){ .classes = GEN_CLASS_DIGITS,
						    .length = kp->pw.length };
		return kind_chars_settle(kp);
	}
	return password_policy(kp, kp->option);
}

enum { COMPAT_Q = COMPAT_QUANTITY_MAX };

const struct kind_query original_v1_pin = {
	v1_params, 1, COMPAT_Q, SHAPE_DATA, v1_defaults, v1_set, settle,
};
const struct kind_query original_v1_password = {
	v1_params, 2, COMPAT_Q, SHAPE_DATA, v1_defaults, v1_set, settle,
};
const struct kind_query original_blog_pin = {
	blog_params, 0, COMPAT_Q, SHAPE_BLOG, blog_defaults, blog_set, settle,
};
const struct kind_query original_blog_pass = {
	blog_params, 1, COMPAT_Q, SHAPE_BLOG, blog_defaults, blog_set, settle,
};

int original_settle_complex(struct request *req, size_t additional_length,
			    bool punctuation, size_t quantity,
			    struct request_error *err)
{
	struct gen_request *g = &req->gen;
	struct kind_parse *kp = &(struct kind_parse){ .req = req, .g = g,
						      .err = err };

	memset(err, 0, sizeof(*err));
	err->stage = REQUEST_STAGE_QUERY;
	g->kind = GEN_KIND_COMPLEX;
	g->quantity = quantity;
	g->shape = req->route == ROUTE_BLOG_COMPLEX ? SHAPE_BLOG : SHAPE_DATA;
	g->format = FORMAT_JSON;
	g->format_given = true;
	kp->pw.length = additional_length;
	return password_policy(kp, punctuation);
}
