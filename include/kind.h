/*
 * kind.h - what one kind of secret provides: the interface every kind
 * module (src/kind_<name>.c) fills in, and the registry (kinds.h) lists.
 *
 * A kind is
 *   - its query: a table of parameters (name, type, range, default, doc)
 *     that request.c parses generically (duplicates, unknown names, typed
 *     values), then the kind's own set() per value and settle() once, for
 *     conflicts, the exact count of outputs and its entropy, and the largest
 *     item (gen_request.length);
 *   - its run: the size of one gather slot, begin() once per job and
 *     item_step(), the per-item coroutine step, in task.c's gather;
 *   - its description: the reply header's size field and explain's extras.
 *
 * Routes that are not a kind's own (the original service's, original.h)
 * reuse a kind's run and bring a query of their own.
 */
#ifndef PWGEND_KIND_H
#define PWGEND_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "kinds.h"
#include "policy.h"
#include "render.h"
#include "genreq.h"
#include "problem.h"
#include "task.h"

enum kind_param_type {
	KIND_UINT,                 /* plain decimal, lo..hi */
	KIND_BOOL,                 /* true, false, 1 or 0 */
	KIND_LOOSE_BOOL,           /* the original's: also yes/no, on/off,
				    * t/f, y/n, in any case */
	KIND_WORD,                 /* up to 32 characters; one of `choices`
				    * when they are given */
	KIND_TEXT,                 /* up to 32 characters, may be empty */
	KIND_CHARS,                /* up to 256 characters: a character set
				    * (or `hi` characters, when set) */
};

struct kind_param {
	const char *name;
	enum kind_param_type type;
	size_t lo, hi;             /* KIND_UINT's range; KIND_CHARS's
				    * longest value if hi > 0 */
	const char *const *choices;/* KIND_WORD: NULL-terminated, or NULL */
	const char *expect;        /* KIND_WORD: "<name> must be <expect>" */
	const char *def;           /* the default, as text; NULL if none */
	const char *doc;           /* one line, for --help */
};

/* A parsed value, as its type gives it; s[0, n) is the decoded text. */
struct kind_value {
	const char *s;
	size_t n;
	size_t u;                  /* KIND_UINT, or the index of the choice */
	bool b;                    /* the booleans */
};

/* KIND_VALUE_CAP: a kept value's longest (KIND_CHARS' default);
 * KIND_TEXT_MAX: the longest value any parameter takes (rules=). */
enum { KIND_VALUE_CAP = 256, KIND_TEXT_MAX = 1024, KIND_STORE = 3 };

/* What a query's set() and settle() work on (no allocation: on the stack
 * of request_parse). */
struct kind_parse {
	struct request *req;
	struct gen_request *g;
	struct request_error *err;
	struct password_options pw;    /* the policy's options (policy.h) */
	unsigned given;                /* bit i: the table's parameter i */
	bool quantity_given;
	bool option;                   /* a switch a query keeps for settle() */
	const char *path_arg;          /* a prefixed route's {length}, decoded; */
	long path_arg_len;             /* -1: malformed, NUL or too long */
	char store[KIND_STORE][KIND_VALUE_CAP]; /* for kept string values */
};

/* A route's parameters and what reads them. */
struct kind_query {
	const struct kind_param *params;
	size_t count;
	size_t quantity_max;       /* 0: the server's --max-quantity */
	enum reply_shape shape;    /* pwgend's own replies take format= */
	void (*defaults)(struct kind_parse *kp);   /* may be NULL */
	int (*set)(struct kind_parse *kp, size_t i, const struct kind_value *v);
	int (*settle)(struct kind_parse *kp);
};

/* A kind's own query over its table `params`: pwgend's shape, the
 * server's quantity limit. */
#define KIND_QUERY(params, defaults, set, settle)                            \
	{ (params), sizeof(params) / sizeof((params)[0]), 0, SHAPE_PWGEND,   \
	  (defaults), (set), (settle) }

struct kind {
	const char *name;          /* the reply's "kind", /<name>, the CLI's */
	const char *label;         /* counted and logged as; NULL: name */
	const struct kind_query *query;  /* GET /<name>'s; NULL if none */
	/* the run: one gather slot per item in flight */
	size_t (*slot_size)(const struct gen_request *g);
	bool length_prefixed;      /* a slot starts with its item's length */
	int (*begin)(struct task *t, const struct task_env *env); /* or NULL */
	int (*item_step)(struct task *t, struct coro *child, void *slot);
	size_t (*cost)(const struct gen_request *g); /* reply bytes; NULL:
						      * task.c's estimate */
	/* what a job holds besides its reply (unique PINs: the set of those
	 * drawn), charged to the admission budget too; NULL: nothing */
	size_t (*held_bytes)(const struct gen_request *g);
	const char *data_entropy_note; /* /v1 replies add entropy_bits and
					* this note; NULL: they do not */
	/* the reply header's size field and note (NULL: "length", none) */
	void (*describe)(const struct gen_request *g, struct items_header *h);
	/* GET /<name>/explain's "explain" object: what would be drawn, from
	 * what; new reference, NULL on ENOMEM (NULL hook: no explain route) */
	json_t *(*explain)(const struct gen_request *g);
};

/* The parameters every generation route takes besides its table: quantity
 * (its upper bound is the route's, see kind_query.quantity_max) and, on
 * pwgend's own item routes (SHAPE_PWGEND), format. */
extern const struct kind_param kind_quantity;
extern const struct kind_param kind_format;
/* policy=NAME (policies.h), on pwgend's own item and explain routes. */
extern const struct kind_param kind_policy;

/* The parameters a route with query `q` takes, in order: quantity, the
 * table, format (not on an explain route), policy (pwgend's own routes).
 * At most `cap` into out[]; the count. 0 for a NULL query. */
size_t kind_route_params(const struct kind_query *q, bool explain,
			 const struct kind_param **out, size_t cap);

/* s[0, n) (decoded) as prm's type says, into *v: 0, or -1 with the 400 in
 * kp->err (not a number, out of range, not a boolean, not a choice, too
 * long: the same words for every kind). */
int kind_value_parse(struct kind_parse *kp, const struct kind_param *prm,
		     const char *s, size_t n, struct kind_value *v);

/* Shared by the queries' set() and settle(): fill kp->err, return -1. */
int kind_fail_invalid(struct kind_parse *kp, const char *param,
		      const char *what);
/* A limit for explain: v, or null for 0 (no limit); new reference. */
json_t *kind_json_limit(size_t v);

/* The longest value parameter prm takes, in characters. */
size_t kind_value_max(const struct kind_param *prm);

/* A decimal value in lo..hi into *out, or -1 with the parser's errors. */
int kind_parse_uint(struct kind_parse *kp, const char *name, const char *s,
		    size_t n, size_t lo, size_t hi, size_t *out);

#endif
