/*
 * policyfile.c - see policyfile.h.
 *
 * libyaml's document API gives every node its line (start_mark), which is
 * what an operator needs to fix a file; JSON is a YAML flow document, so
 * the one parser serves both. Only two levels are read (names, then a
 * policy's scalars), so an alias can repeat a policy but never expand into
 * anything larger than the file.
 */
#include "policyfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "kind.h"
#include "names.h"
#include "request.h"
#include "sbuf.h"
#include "task.h"

const char policyfile_empty_listing[] = "{\"policies\":[]}";

/* Parameters a policy may not set: they are the client's, per request. */
static const char *const per_request[] = { "quantity", "format", "policy",
					   NULL };

/* One policy while it is read: the set's entry, its line, its listing. */
struct draft {
	struct named_policy p;
	size_t line;
	json_t *entry;
};

struct loader {
	yaml_document_t doc;
	const char *file;
	const struct policyfile_limits *lim;
	char *err;
	size_t errlen;
	struct draft *drafts;          /* [POLICIES_MAX] */
	size_t count;
};

/* "FILE:LINE: why" (line 0: "FILE: why"); returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail(struct loader *ld, size_t line, const char *fmt, ...)
{
	size_t o = (size_t)snprintf(ld->err, ld->errlen, "%s:", ld->file);
	va_list ap;

	if (line > 0 && o < ld->errlen)
		o += (size_t)snprintf(ld->err + o, ld->errlen - o, "%zu:", line);
	if (o + 1 >= ld->errlen)
		return -1;
	ld->err[o++] = ' ';
	va_start(ap, fmt);
	vsnprintf(ld->err + o, ld->errlen - o, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t line_of(const yaml_node_t *node)
{
	return node->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* A plain ~, null or nothing: YAML's null, which no parameter takes (a
 * quoted "" is an empty string, which separator takes). */
static bool is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(scalar(node), nulls[i]) == 0)
			return true;
	return false;
}

/* Policy names go into query strings and logs as they are. */
static bool valid_name(const yaml_node_t *key)
{
	size_t n = key->data.scalar.length;

	if (n == 0 || n > POLICIES_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)scalar(key)[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Is k the key `kind`? By length: a quoted key may hold a NUL, and
 * "kind\0x" is a (bad) parameter, not the kind. */
static bool is_kind_key(const yaml_node_t *k)
{
	return k->type == YAML_SCALAR_NODE && k->data.scalar.length == 4 &&
	       memcmp(scalar(k), "kind", 4) == 0;
}

/* The value of `kind`: a kind with routes of its own. */
static int set_kind(struct loader *ld, struct draft *d, const yaml_node_t *v)
{
	char path[48];
	bool explain = false;
	int kind;

	if (v->type != YAML_SCALAR_NODE || v->data.scalar.length > 32)
		return fail(ld, line_of(v), "policy %s: kind must be "
			    "password, pin, passphrase or token", d->p.name);
	snprintf(path, sizeof(path), "/%s", scalar(v));
	kind = kinds_find_route(path, strlen(path), &explain);
	if (kind < 0 || explain)
		return fail(ld, line_of(v), "policy %s: kind %s is not a "
			    "route's (password, pin, passphrase or token)",
			    d->p.name, scalar(v));
	d->p.kind = (enum gen_kind)kind;
	return 0;
}

/* The policy's one `kind` (a second would silently lose to the first). */
static int read_kind(struct loader *ld, struct draft *d,
		     const yaml_node_t *map)
{
	const yaml_node_t *first = NULL;

	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);

		if (!is_kind_key(k))
			continue;
		if (first != NULL)
			return fail(ld, line_of(k), "policy %s: kind is given "
				    "twice (also on line %zu)", d->p.name,
				    line_of(first));
		first = k;
		if (set_kind(ld, d, yaml_document_get_node(&ld->doc,
							   pr->value)) < 0)
			return -1;
	}
	if (first == NULL)
		return fail(ld, d->line, "policy %s has no kind: give the "
			    "route it is for, e.g. kind: password", d->p.name);
	return 0;
}

/* One parameter into the policy's query: name=value, percent-encoded. */
static int add_param(struct loader *ld, struct draft *d, struct sbuf *q,
		     const yaml_node_t *k, const yaml_node_t *v)
{
	if (k->type != YAML_SCALAR_NODE)
		return fail(ld, line_of(k), "policy %s: a parameter's name "
			    "must be a string", d->p.name);
	if (NAMES_INDEX(per_request, SIZE_MAX, scalar(k),
			k->data.scalar.length) >= 0)
		return fail(ld, line_of(k), "policy %s, parameter %s: %s is "
			    "the client's to give with each request, not a "
			    "policy's", d->p.name, scalar(k), scalar(k));
	if (v->type != YAML_SCALAR_NODE || is_null(v))
		return fail(ld, line_of(k), "policy %s, parameter %s: the "
			    "value must be a single value (a number, true or "
			    "false, or a string)", d->p.name, scalar(k));
	if ((q->len > 0 && sbuf_add(q, "&", 1) < 0) ||
	    sbuf_add_encoded(q, scalar(k), k->data.scalar.length) < 0 ||
	    sbuf_add(q, "=", 1) < 0 ||
	    sbuf_add_encoded(q, scalar(v), v->data.scalar.length) < 0)
		return fail(ld, 0, "out of memory");
	return 0;
}

/* The line of the key `param` in the policy's mapping; the policy's own
 * line if it has none (an error about the policy as a whole). */
static size_t param_line(struct loader *ld, const struct draft *d,
			 const yaml_node_t *map, const char *param)
{
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);

		if (k->type == YAML_SCALAR_NODE && param[0] != '\0' &&
		    strcmp(scalar(k), param) == 0)
			return line_of(k);
	}
	return d->line;
}

/* Parse GET /<kind>[/explain]?<query> as a client's request would be. */
static int parse_as_request(struct loader *ld, const struct draft *d,
			    bool explain, struct request *req,
			    struct request_error *rerr)
{
	struct sbuf t = SBUF_INIT;
	const char *kind = gen_kind_name(d->p.kind);
	int rc = -1;

	if (sbuf_add(&t, "/", 1) == 0 && sbuf_adds(&t, kind) == 0 &&
	    (!explain || sbuf_adds(&t, "/explain") == 0) &&
	    sbuf_add(&t, "?", 1) == 0 &&
	    sbuf_add(&t, d->p.query, d->p.query_len) == 0)
		rc = request_parse(t.buf, t.len, ld->lim->max_quantity, req,
				   rerr);
	else
		rerr->detail[0] = rerr->parameter[0] = '\0';
	sbuf_release(&t);
	return rc;
}

/* The API's own checks, on the route and on its explain route. */
static int check_policy(struct loader *ld, const struct draft *d,
			const yaml_node_t *map, struct request *explained)
{
	struct request req;
	struct request_error rerr;

	if (parse_as_request(ld, d, false, &req, &rerr) == 0 &&
	    parse_as_request(ld, d, true, explained, &rerr) == 0)
		return 0;
	if (rerr.detail[0] == '\0')
		return fail(ld, 0, "out of memory");
	if (rerr.parameter[0] == '\0')
		return fail(ld, d->line, "policy %s: %s", d->p.name,
			    rerr.detail);
	return fail(ld, param_line(ld, d, map, rerr.parameter),
		    "policy %s, parameter %s: %s", d->p.name, rerr.parameter,
		    rerr.detail);
}

/* A parameter as GET /policies lists it: typed as its table declares. */
static json_t *typed_value(const struct kind_query *q, const yaml_node_t *k,
			   const yaml_node_t *v)
{
	int i = NAMES_FIND(q->params, q->count, name, scalar(k),
			   k->data.scalar.length);
	enum kind_param_type type = i >= 0 ? q->params[i].type : KIND_TEXT;

	if (type == KIND_UINT)
		return json_integer(strtoll(scalar(v), NULL, 10));
	if (type == KIND_BOOL)
		return json_boolean(strcmp(scalar(v), "true") == 0 ||
				    strcmp(scalar(v), "1") == 0);
	return json_stringn(scalar(v), v->data.scalar.length);
}

/* The document GET /<kind>/explain?policy=NAME answers. */
static json_t *explain_document(const struct gen_request *g)
{
	struct items_header h = task_header(g);
	struct sbuf out = SBUF_INIT;
	json_t *doc = NULL;

	if (render_explain(&out, &h, kinds_get(g->kind)->explain(g)) == 0)
		doc = json_loadb(out.buf, out.len, 0, NULL);
	sbuf_release(&out);
	return doc;
}

/* The policy's entry in GET /policies. */
static int list_policy(struct loader *ld, struct draft *d,
		       const yaml_node_t *map, const struct request *explained)
{
	const struct kind_query *q = kinds_get(d->p.kind)->query;
	json_t *params = json_object();

	d->entry = json_pack("{s:s, s:s, s:o*, s:o*}", "name", d->p.name,
			     "kind", gen_kind_name(d->p.kind), "parameters",
			     params, "explain",
			     explain_document(&explained->gen));
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     d->entry != NULL && pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&ld->doc, pr->value);

		if (!is_kind_key(k) &&
		    json_object_setn_new(params, scalar(k),
					 k->data.scalar.length,
					 typed_value(q, k, v)) < 0)
			return fail(ld, 0, "out of memory");
	}
	if (d->entry == NULL || json_object_get(d->entry, "explain") == NULL)
		return fail(ld, 0, "out of memory");
	return 0;
}

/* One `name: {parameters}` pair of the top-level mapping. */
static int read_policy(struct loader *ld, const yaml_node_t *key,
		       const yaml_node_t *map)
{
	struct draft *d = &ld->drafts[ld->count];
	struct sbuf q = SBUF_INIT;
	struct request explained;
	int rc = 0;

	if (key->type != YAML_SCALAR_NODE || !valid_name(key))
		return fail(ld, line_of(key), "a policy's name must be 1 to %d "
			    "of A-Z a-z 0-9 . _ -", POLICIES_NAME_MAX);
	if (ld->count == POLICIES_MAX)
		return fail(ld, line_of(key), "more than %d policies",
			    POLICIES_MAX);
	memcpy(d->p.name, scalar(key), key->data.scalar.length + 1);
	d->line = line_of(key);
	if (map->type != YAML_MAPPING_NODE)
		return fail(ld, line_of(map), "policy %s must be a mapping of "
			    "parameters, e.g. {kind: password, length: 32}",
			    d->p.name);
	if (read_kind(ld, d, map) < 0)
		return -1;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     rc == 0 && pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);

		if (!is_kind_key(k))
			rc = add_param(ld, d, &q, k, yaml_document_get_node(
						     &ld->doc, pr->value));
	}
	if (rc == 0 && (d->p.query = strndup(q.len ? q.buf : "", q.len)) ==
			       NULL)
		rc = fail(ld, 0, "out of memory");
	d->p.query_len = q.len;
	sbuf_release(&q);
	ld->count++;  /* owns its query now, whatever follows */
	if (rc == 0)
		rc = check_policy(ld, d, map, &explained);
	return rc < 0 ? rc : list_policy(ld, d, map, &explained);
}

static int compare_drafts(const void *a, const void *b)
{
	return strcmp(((const struct draft *)a)->p.name,
		      ((const struct draft *)b)->p.name);
}

/* The drafts, sorted by name, into a set and its listing. */
static struct policies *build_set(struct loader *ld)
{
	struct policies *set = calloc(1, sizeof(*set));
	json_t *list = json_array(), *doc = NULL;

	qsort(ld->drafts, ld->count, sizeof(ld->drafts[0]), compare_drafts);
	for (size_t i = 1; i < ld->count; i++)
		if (strcmp(ld->drafts[i - 1].p.name, ld->drafts[i].p.name) == 0) {
			const struct draft *a = &ld->drafts[i - 1],
					   *b = &ld->drafts[i];

			fail(ld, a->line > b->line ? a->line : b->line,
			     "policy %s is defined twice (also on line %zu)",
			     a->p.name, a->line < b->line ? a->line : b->line);
			goto fail;
		}
	if (set == NULL || list == NULL ||
	    (ld->count > 0 &&
	     (set->items = calloc(ld->count, sizeof(set->items[0]))) == NULL))
		goto oom;
	for (size_t i = 0; i < ld->count; i++) {
		set->items[i] = ld->drafts[i].p;
		ld->drafts[i].p.query = NULL;  /* the set owns it now */
		if (json_array_append(list, ld->drafts[i].entry) < 0)
			goto oom;
	}
	set->count = ld->count;
	doc = json_pack("{s:O}", "policies", list);
	/* 12 digits: the explain documents' entropy reads as the route
	 * rounds it (26.58, not 26.579999999999998) */
	set->listing = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(12));
	if (set->listing == NULL)
		goto oom;
	set->listing_len = strlen(set->listing);
	json_decref(doc);
	json_decref(list);
	return set;
oom:
	fail(ld, 0, "out of memory");
fail:
	json_decref(doc);
	json_decref(list);
	policies_free(set);
	return NULL;
}

/* The top level: a mapping (an empty file is most likely a mistake, such
 * as a volume not mounted; {} says "no policies"). */
static struct policies *read_document(struct loader *ld)
{
	yaml_node_t *root = yaml_document_get_root_node(&ld->doc);

	if (root == NULL) {
		fail(ld, 0, "the file is empty (write {} for no policies)");
		return NULL;
	}
	if (root->type != YAML_MAPPING_NODE) {
		fail(ld, line_of(root), "the file must be a mapping of policy "
		     "names to their parameters");
		return NULL;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++)
		if (read_policy(ld, yaml_document_get_node(&ld->doc, pr->key),
				yaml_document_get_node(&ld->doc, pr->value)) < 0)
			return NULL;
	return build_set(ld);
}

/* libyaml's own syntax error: its line and column. */
static void fail_syntax(struct loader *ld, const yaml_parser_t *parser)
{
	const yaml_mark_t *m = &parser->problem_mark;

	if (parser->error == YAML_MEMORY_ERROR) {
		fail(ld, 0, "out of memory");
		return;
	}
	fail(ld, m->line + 1, "column %zu: %s%s%s", m->column + 1,
	     parser->problem != NULL ? parser->problem : "syntax error",
	     parser->context != NULL ? " " : "",
	     parser->context != NULL ? parser->context : "");
}

/* One document, no more (a second one would be silently ignored). */
static int load_document(struct loader *ld, const char *text, size_t n)
{
	yaml_parser_t parser;
	yaml_document_t next;
	int rc = -1;

	if (!yaml_parser_initialize(&parser))
		return fail(ld, 0, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		fail_syntax(ld, &parser);
		yaml_parser_delete(&parser);
		return -1;
	}
	if (!yaml_parser_load(&parser, &next)) {
		fail_syntax(ld, &parser);
	} else {
		if (yaml_document_get_root_node(&next) != NULL)
			fail(ld, next.start_mark.line + 1, "a second document: "
			     "the file holds one mapping of policies");
		else
			rc = 0;
		yaml_document_delete(&next);
	}
	yaml_parser_delete(&parser);
	if (rc < 0)
		yaml_document_delete(&ld->doc);
	return rc;
}

struct policies *policyfile_parse(const char *text, size_t n, const char *file,
				  const struct policyfile_limits *lim,
				  char *err, size_t errlen)
{
	struct loader ld = { .file = file, .lim = lim, .err = err,
			     .errlen = errlen };
	struct policies *set = NULL;

	if (n > POLICIES_MAX_BYTES) {
		fail(&ld, 0, "larger than %d bytes", POLICIES_MAX_BYTES);
		return NULL;
	}
	ld.drafts = calloc(POLICIES_MAX, sizeof(ld.drafts[0]));
	if (ld.drafts == NULL) {
		fail(&ld, 0, "out of memory");
		return NULL;
	}
	if (load_document(&ld, text, n) == 0) {
		set = read_document(&ld);
		yaml_document_delete(&ld.doc);
	}
	for (size_t i = 0; i < ld.count; i++) {
		free(ld.drafts[i].p.query);
		json_decref(ld.drafts[i].entry);
	}
	free(ld.drafts);
	return set;
}

/* The whole file, up to one byte past the limit (to tell it was over). */
static char *read_file(const char *path, size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rbe");
	char *buf = malloc(POLICIES_MAX_BYTES + 1);

	if (f == NULL || buf == NULL) {
		snprintf(err, errlen, "%s: %s", path,
			 f == NULL ? strerror(errno) : "out of memory");
		if (f != NULL)
			fclose(f);
		free(buf);
		return NULL;
	}
	*n = fread(buf, 1, POLICIES_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read it", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct policies *policyfile_load(const char *path,
				 const struct policyfile_limits *lim,
				 char *err, size_t errlen)
{
	size_t n = 0;
	char *text = read_file(path, &n, err, errlen);
	struct policies *set;

	if (text == NULL)
		return NULL;
	set = policyfile_parse(text, n, path, lim, err, errlen);
	free(text);
	return set;
}
