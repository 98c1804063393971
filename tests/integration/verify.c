/* verify.c - see verify.h. */
#include "verify.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char PARAM_ANY[] = "(any parameter)";

static _Thread_local char why[1024];

__attribute__((format(printf, 1, 2)))
static const char *wrong(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return why;
}

const char *alphabet_of(unsigned classes)
{
	/* one entry per class set, built on first use of each */
	static const char *const parts[] = { LOWER_CHARS, UPPER_CHARS,
					     DIGIT_CHARS, SYMBOL_CHARS };
	static _Thread_local char built[16][128];

	classes &= 15u;
	if (built[classes][0] == '\0') {
		for (unsigned i = 0; i < 4; i++) {
			if (classes & (1u << i))
				strcat(built[classes], parts[i]);
		}
	}
	return built[classes];
}

double expected_entropy(size_t length, size_t k)
{
	return round((double)length * log2((double)k) * 100.0) / 100.0;
}

const char *verify_headers(const struct response *r, const char *type,
			   int head)
{
	const char *cc = response_header(r, "Cache-Control");
	const char *xcto = response_header(r, "X-Content-Type-Options");
	const char *ct = response_header(r, "Content-Type");
	const char *cl = response_header(r, "Content-Length");
	char len[32];

	if (cc == NULL || strcmp(cc, "no-store") != 0)
		return wrong("Cache-Control is %s, want no-store",
			     cc ? cc : "(absent)");
	if (xcto == NULL || strcmp(xcto, "nosniff") != 0)
		return wrong("X-Content-Type-Options is %s, want nosniff",
			     xcto ? xcto : "(absent)");
	if (ct == NULL || strcmp(ct, type) != 0)
		return wrong("Content-Type is %s, want %s",
			     ct ? ct : "(absent)", type);
	if (r->chunked)  /* a streamed reply: chunked framing instead */
		return cl == NULL ? NULL
				  : wrong("Content-Length on a chunked reply");
	if (cl == NULL)
		return wrong("no Content-Length");
	if (head)
		return r->body_len == 0 ? NULL
					: wrong("HEAD reply has a body");
	snprintf(len, sizeof(len), "%zu", r->body_len);
	if (strcmp(cl, len) != 0)
		return wrong("Content-Length %s but body of %s bytes", cl, len);
	return NULL;
}

/* The object's members are exactly `names`, in this order (jansson keeps
 * the order of the text). */
static const char *check_members(const json_t *doc, const char *const *names,
				 size_t n)
{
	size_t i = 0;
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)doc, key, value) {
		if (i >= n || strcmp(key, names[i]) != 0)
			return wrong("member %zu is \"%s\", want \"%s\"", i,
				     key, i < n ? names[i] : "(none)");
		i++;
	}
	return i == n ? NULL : wrong("member \"%s\" is missing", names[i]);
}

static const char *check_header_fields(const json_t *doc, const char *kind,
				       size_t quantity, size_t length,
				       size_t k)
{
	const json_t *e = json_object_get(doc, "entropy_bits");
	const char *got_kind = json_string_value(json_object_get(doc, "kind"));
	json_int_t q = json_integer_value(json_object_get(doc, "quantity"));
	json_int_t l = json_integer_value(json_object_get(doc, "length"));
	double want = expected_entropy(length, k);
	static const char *const members[] = { "kind", "quantity", "length",
					       "entropy_bits", "items" };
	const char *bad = check_members(doc, members, 5);

	if (bad != NULL)
		return bad;
	if (got_kind == NULL || strcmp(got_kind, kind) != 0)
		return wrong("kind is %s, want %s", got_kind ? got_kind : "?",
			     kind);
	if (!json_is_integer(json_object_get(doc, "quantity")) ||
	    q != (json_int_t)quantity)
		return wrong("quantity is %lld, want %zu", (long long)q,
			     quantity);
	if (!json_is_integer(json_object_get(doc, "length")) ||
	    l != (json_int_t)length)
		return wrong("length is %lld, want %zu", (long long)l, length);
	if (!json_is_number(e) || fabs(json_number_value(e) - want) > 1e-9)
		return wrong("entropy_bits is %.6f, want %.2f",
			     json_number_value(e), want);
	return NULL;
}

/* `allowed` has a 1 for each byte of the alphabet (a table, not strchr:
 * the largest reply has 100 million characters). */
static const char *check_item(const json_t *item, size_t i, size_t length,
			      const unsigned char allowed[256],
			      const char *alphabet)
{
	const char *s = json_string_value(item);

	if (s == NULL)
		return wrong("item %zu is not a string", i);
	if (json_string_length(item) != length)
		return wrong("item %zu has %zu characters, want %zu", i,
			     json_string_length(item), length);
	for (size_t j = 0; j < length; j++) {
		if (!allowed[(unsigned char)s[j]])
			return wrong("item %zu has 0x%02X at %zu, not in %s", i,
				     (unsigned char)s[j], j, alphabet);
	}
	return NULL;
}

const char *verify_items(const struct response *r, const char *kind,
			 size_t quantity, size_t length, unsigned classes,
			 json_t **out)
{
	const char *alphabet = alphabet_of(classes);
	unsigned char allowed[256] = { 0 };
	const char *bad;
	json_t *doc, *items;

	for (const char *c = alphabet; *c != '\0'; c++)
		allowed[(unsigned char)*c] = 1;

	if (out != NULL)
		*out = NULL;
	if (r->status != 200)
		return wrong("status %d, want 200: %.300s", r->status,
			     r->body ? r->body : "");
	if ((bad = verify_headers(r, "application/json", 0)) != NULL)
		return bad;
	doc = response_json(r);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return wrong("body is not a JSON object: %.200s", r->body);
	}
	bad = check_header_fields(doc, kind, quantity, length,
				  strlen(alphabet));
	items = json_object_get(doc, "items");
	if (bad == NULL && (!json_is_array(items) ||
			    json_array_size(items) != quantity))
		bad = wrong("items: %zu, want %zu", json_array_size(items),
			    quantity);
	for (size_t i = 0; bad == NULL && i < json_array_size(items); i++)
		bad = check_item(json_array_get(items, i), i, length, allowed,
				 alphabet);
	if (bad != NULL || out == NULL)
		json_decref(doc);
	else
		*out = doc;
	return bad;
}

const char *verify_coverage(const json_t *doc, const char *alphabet)
{
	const json_t *items = json_object_get(doc, "items");
	unsigned char seen[256] = { 0 };

	for (size_t i = 0; i < json_array_size(items); i++) {
		const char *s = json_string_value(json_array_get(items, i));

		for (; s != NULL && *s != '\0'; s++)
			seen[(unsigned char)*s] = 1;
	}
	for (const char *c = alphabet; *c != '\0'; c++) {
		if (!seen[(unsigned char)*c])
			return wrong("'%c' never occurs in %zu items", *c,
				     json_array_size(items));
	}
	return NULL;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *verify_distinct(const char **items, size_t n)
{
	qsort(items, n, sizeof(*items), compare_strings);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(items[i - 1], items[i]) == 0)
			return wrong("item %s occurs twice among %zu", items[i],
				     n);
	}
	return NULL;
}

static const char *check_problem_member(const json_t *doc, const char *name,
					const char *want)
{
	const char *got = json_string_value(json_object_get(doc, name));

	if (got == NULL)
		return wrong("problem has no string \"%s\"", name);
	if (want != NULL && strcmp(got, want) != 0)
		return wrong("problem %s is \"%s\", want \"%s\"", name, got,
			     want);
	if (got[0] == '\0')
		return wrong("problem %s is empty", name);
	return NULL;
}

static const char *check_problem_body(const json_t *doc, int status,
				      const char *type, const char *parameter)
{
	const json_t *st = json_object_get(doc, "status");
	const json_t *param = json_object_get(doc, "parameter");
	static const char *const members[] = { "type", "title", "status",
					       "detail", "parameter" };
	const char *bad = check_members(doc, members, param != NULL ? 5 : 4);

	if (bad != NULL)
		return bad;
	if ((bad = check_problem_member(doc, "type", type)) != NULL ||
	    (bad = check_problem_member(doc, "title", NULL)) != NULL ||
	    (bad = check_problem_member(doc, "detail", NULL)) != NULL)
		return bad;
	if (!json_is_integer(st) || json_integer_value(st) != status)
		return wrong("problem status member is not the integer %d",
			     status);
	if (parameter == NULL)
		return param == NULL ? NULL
				     : wrong("problem names a parameter (%s) "
					     "but none is at fault",
					     json_string_value(param));
	return check_problem_member(doc, "parameter",
				    parameter == PARAM_ANY ? NULL : parameter);
}

const char *verify_problem(const struct response *r, int status,
			   const char *type, const char *parameter)
{
	const char *bad;
	json_t *doc;

	if (r->status != status)
		return wrong("status %d, want %d: %.300s", r->status, status,
			     r->body ? r->body : "");
	if ((bad = verify_headers(r, "application/problem+json", 0)) != NULL)
		return bad;
	doc = response_json(r);
	if (!json_is_object(doc))
		bad = wrong("problem body is not a JSON object: %.200s",
			    r->body);
	else
		bad = check_problem_body(doc, status, type, parameter);
	json_decref(doc);
	return bad;
}

const char *verify_get_only(unsigned port, const char *target)
{
	static const char *const methods[] = { "POST", "PUT", "DELETE",
					       "OPTIONS" };

	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		struct response r;
		const char *why, *allow;

		if (http_do(port, methods[m], target, &r) < 0)
			return wrong("%s %s: no reply", methods[m], target);
		why = verify_problem(&r, 405,
				     "urn:pwgend:problem:method-not-allowed",
				     NULL);
		allow = response_header(&r, "Allow");
		if (why == NULL && (allow == NULL ||
				    strcmp(allow, "GET, HEAD") != 0))
			why = wrong("%s %s: Allow is %s", methods[m], target,
				    allow != NULL ? allow : "(absent)");
		response_free(&r);
		if (why != NULL)
			return why;
	}
	return NULL;
}

double metrics_sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *line = text; *line != '\0';) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
		line += strcspn(line, "\n");
		line += *line == '\n';
	}
	return -1;
}
