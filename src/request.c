/*
 * request.c - see request.h for the grammar.
 *
 * Generic: the route, then one pass over the query: decode each pair, look
 * the name up in the route's parameter table (kind.h), refuse repeats,
 * parse the value as its type says and hand it to the route's query; then
 * the query settles the request. Nothing here knows one kind from another.
 */
#include "request.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kind.h"
#include "names.h"
#include "original.h"
#include "policies.h"

/* Longest decoded values accepted (longer is a 400, never cut): rules= at
 * 1024 characters, character sets at 256, numbers and words at 32
 * (kind_value_max). Values are
 * decoded to the end anyway, so that an encoding error anywhere is
 * reported as such. */
enum { VALUE_CAP = KIND_TEXT_MAX, NAME_CAP = 64, PATH_CAP = 64 };

/* quantity, format and policy: every generation route's (kind.h); a
 * kind's table has fewer than 29 parameters. */
enum {
	SEEN_POLICY = 1u << 29,
	SEEN_QUANTITY = 1u << 30,
	SEEN_FORMAT = 1u << 31,
};

/* A route: the kind that generates its items and its query (which gives
 * the reply's shape). A kind's own routes are in the registry (kinds.c). */
struct route_spec {
	const char *path;          /* exact, or the prefix before {length} */
	enum route route;
	enum gen_kind kind;
	const struct kind_query *query;  /* NULL: takes no parameter */
};

/* A route as the parser sees it. */
struct parser {
	struct kind_parse kp;
	struct route_spec route;
	bool explain;                  /* GET /<kind>/explain */
	size_t max_quantity;
	unsigned seen;                 /* the query's bits, SEEN_* */
	char arg[32];                  /* the decoded path argument */
	const struct policies *policies; /* policy= looks names up here */
	const char *first_given;       /* the first table parameter given */
	char policy[POLICIES_NAME_MAX]; /* policy=, decoded */
	size_t policy_len;
};

/* Render bytes as printable ASCII: \xNN for anything else, "..." if cut. */
static void printable(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		int w = c > 0x20 && c < 0x7f ? 1 : 4;

		if (o + (size_t)w + 4 > cap) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (w == 1)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02X", c);
	}
	dst[o] = '\0';
}

double request_expected_work(const struct gen_request *g)
{
	double acceptance = g->acceptance > 0 ? g->acceptance : 1;

	return (double)g->quantity * (double)g->length / acceptance;
}

int request_check_work(const struct gen_request *g, size_t max_work,
		       struct request_error *err)
{
	double work = request_expected_work(g);

	if (g->explain || work <= (double)max_work)
		return 0;
	return request_fail(err, 400, PROBLEM_TOO_MUCH_WORK, "Too much work",
			    "quantity", "this request would draw about %.3g "
			    "characters (quantity x length / acceptance %.3g), "
			    "over the server's limit of %zu: ask for fewer or "
			    "shorter items, or relax the minimums",
			    work, g->acceptance > 0 ? g->acceptance : 1,
			    max_work);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode src[0, n) into dst[0, cap). Returns the full decoded length
 * (only the first `cap` bytes are stored), or -1 on a malformed escape.
 * *nul is set when a byte decodes to NUL.
 */
static long decode(const char *src, size_t n, char *dst, size_t cap,
		   bool plus_is_space, bool *nul)
{
	size_t o = 0;

	*nul = false;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -1;
			hi = hex_value(src[i + 1]);
			lo = hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			*nul = true;
		if (o < cap)
			dst[o] = c;
		o++;
	}
	return (long)o;
}

long request_decode_path(const char *src, size_t n, char *dst, size_t cap)
{
	bool nul;
	long len = decode(src, n, dst, cap, false, &nul);

	return len < 0 || nul || (size_t)len > cap ? -1 : len;
}

/* The parameter called name[0, n) on this route: *bit is its seen-bit. */
static const struct kind_param *find_param(const struct parser *p,
					   const char *name, size_t n,
					   unsigned *bit)
{
	const struct kind_query *q = p->route.query;
	int i;

	if (q == NULL)
		return NULL;
	if (names_equal("quantity", name, n)) {
		*bit = SEEN_QUANTITY;
		return &kind_quantity;
	}
	if (q->shape == SHAPE_PWGEND && !p->explain &&
	    names_equal("format", name, n)) {
		*bit = SEEN_FORMAT;  /* an explain route answers JSON only */
		return &kind_format;
	}
	if (q->shape == SHAPE_PWGEND && names_equal("policy", name, n)) {
		*bit = SEEN_POLICY;
		return &kind_policy;
	}
	i = NAMES_FIND(q->params, q->count, name, name, n);
	if (i < 0)
		return NULL;
	*bit = 1u << i;
	return &q->params[i];
}

/* Hand a typed value to its owner: quantity and format are kept here. */
static int set_value(struct parser *p, const struct kind_param *prm,
		     unsigned bit, const char *s, size_t n)
{
	const struct kind_query *q = p->route.query;
	struct kind_param quantity = *prm;  /* bounded by the route */
	struct gen_request *g = p->kp.g;
	struct kind_value v;

	quantity.hi = q->quantity_max > 0 ? q->quantity_max : p->max_quantity;
	if (kind_value_parse(&p->kp, bit == SEEN_QUANTITY ? &quantity : prm, s,
			     n, &v) < 0)
		return -1;
	if (bit == SEEN_QUANTITY) {
		p->kp.quantity_given = true;
		g->quantity = v.u;
		return 0;
	}
	if (bit == SEEN_FORMAT) {
		g->format = (enum reply_format)v.u;
		g->format_given = true;
		return 0;
	}
	if (bit == SEEN_POLICY) {  /* a word: at most POLICIES_NAME_MAX */
		memcpy(p->policy, v.s, v.n);
		p->policy_len = v.n;
		return 0;
	}
	if (p->first_given == NULL)
		p->first_given = prm->name;
	p->kp.given |= bit;
	return q->set(&p->kp, (size_t)(prm - q->params), &v);
}

/* Not a parameter of this route: explain moved to a route of its own. */
static int fail_unknown(struct parser *p, const char *shown)
{
	if (route_is_kind(p->kp.req->route) && !p->explain &&
	    strcmp(shown, "explain") == 0)
		return request_fail(p->kp.err, 400, PROBLEM_UNKNOWN_PARAMETER,
				    "Unknown parameter", shown,
				    "explain is not a parameter of this "
				    "route; use GET /%s/explain",
				    gen_kind_name(p->kp.g->kind));
	return request_fail(p->kp.err, 400, PROBLEM_UNKNOWN_PARAMETER,
			    "Unknown parameter", shown,
			    "%s is not a parameter of this route", shown);
}

/* One name[=value] pair, raw (still percent-encoded). */
static int parse_pair(struct parser *p, const char *pair, size_t n)
{
	struct request_error *err = p->kp.err;
	const char *eq = memchr(pair, '=', n);
	size_t raw_name = eq != NULL ? (size_t)(eq - pair) : n;
	char name[NAME_CAP], value[VALUE_CAP], shown[sizeof(err->parameter)];
	long name_len, value_len = 0;
	const struct kind_param *prm;
	unsigned bit = 0;
	bool nul;

	name_len = decode(pair, raw_name, name, sizeof(name), true, &nul);
	if (name_len < 0) {
		printable(shown, sizeof(shown), pair, raw_name);
		return request_fail(err, 400, PROBLEM_INVALID_VALUE,
				    "Malformed percent-encoding", shown,
				    "parameter name %s has a malformed "
				    "%%-escape", shown);
	}
	if ((size_t)name_len <= sizeof(name))
		printable(shown, sizeof(shown), name, (size_t)name_len);
	else  /* too long to have been decoded whole: show it raw, cut */
		printable(shown, sizeof(shown), pair, raw_name);
	if (name_len == 0)
		return request_fail(err, 400, PROBLEM_UNKNOWN_PARAMETER,
				    "Unknown parameter", NULL,
				    "a parameter has an empty name");
	prm = nul || (size_t)name_len > sizeof(name)
		      ? NULL
		      : find_param(p, name, (size_t)name_len, &bit);
	if (prm == NULL)
		return fail_unknown(p, shown);
	if (p->seen & bit)
		return request_fail(err, 400, PROBLEM_DUPLICATE_PARAMETER,
				    "Duplicate parameter", prm->name,
				    "%s is given more than once", prm->name);
	p->seen |= bit;
	if (eq != NULL)
		value_len = decode(eq + 1, n - raw_name - 1, value,
				   sizeof(value), true, &nul);
	if (value_len < 0)
		return request_fail(err, 400, PROBLEM_INVALID_VALUE,
				    "Malformed percent-encoding", prm->name,
				    "%s has a malformed %%-escape", prm->name);
	if (value_len == 0 && !(prm->type == KIND_TEXT && eq != NULL))
		return kind_fail_invalid(&p->kp, prm->name, "given a value");
	if (nul)
		return kind_fail_invalid(&p->kp, prm->name,
					 "free of NUL bytes");
	if ((size_t)value_len > sizeof(value))  /* too long to decode */
		return request_fail(err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", prm->name,
				    "%s is longer than %zu characters",
				    prm->name, kind_value_max(prm));
	return set_value(p, prm, bit, value, (size_t)value_len);
}

static int parse_query(struct parser *p, const char *q, size_t n)
{
	while (n > 0) {
		const char *amp = memchr(q, '&', n);
		size_t len = amp != NULL ? (size_t)(amp - q) : n;

		if (len > 0 && parse_pair(p, q, len) < 0)
			return -1;
		if (amp == NULL)
			break;
		q += len + 1;
		n -= len + 1;
	}
	return 0;
}

static const struct route_spec routes[] = {
	{ "/healthz", ROUTE_HEALTHZ, GEN_KIND_PASSWORD, NULL },
	{ "/v1/pin", ROUTE_V1_PIN, GEN_KIND_PIN, &original_v1_pin },
	{ "/v1/", ROUTE_V1_PASSWORD, GEN_KIND_PASSWORD, &original_v1_password },
	/* the original redirected (307) */
	{ "/v1", ROUTE_V1_PASSWORD, GEN_KIND_PASSWORD, &original_v1_password },
	{ "/v1/health", ROUTE_V1_HEALTH, GEN_KIND_PASSWORD, NULL },
	/* POST: the body is read later, see http.c */
	{ "/v1/complex_password", ROUTE_V1_COMPLEX, GEN_KIND_PASSWORD, NULL },
};

/* The blog-era routes carry the length in the path: /pin/12, /pass/16. */
static const struct route_spec path_routes[] = {
	{ "/pin/", ROUTE_BLOG_PIN, GEN_KIND_PIN, &original_blog_pin },
	{ "/pass/", ROUTE_BLOG_PASS, GEN_KIND_PASSWORD, &original_blog_pass },
	/* POST: the path and query now, the body later (complex.h) */
	{ "/complex_password/", ROUTE_BLOG_COMPLEX, GEN_KIND_PASSWORD,
	  &original_blog_pass },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The route of a decoded path: a kind's own (or its explain route), an
 * exact one, then the prefixed ones (so /pin/explain is not a blog-era
 * PIN). */
static bool find_route(const char *s, size_t len, struct route_spec *out,
		       bool *explain)
{
	int k = kinds_find_route(s, len, explain);

	if (k >= 0) {
		*out = (struct route_spec){ NULL, (enum route)k,
					    (enum gen_kind)k,
					    kinds_get(k)->query };
		return true;
	}
	k = NAMES_FIND(routes, COUNT(routes), path, s, len);
	if (k >= 0) {
		*out = routes[k];
		return true;
	}
	for (size_t i = 0; i < COUNT(path_routes); i++) {
		size_t plen = strlen(path_routes[i].path);

		if (len > plen && memcmp(path_routes[i].path, s, plen) == 0) {
			*out = path_routes[i];
			return true;  /* the length is checked with the query */
		}
	}
	return false;
}

bool request_route_query(const char *path, size_t n,
			 const struct kind_query **query, bool *explain)
{
	struct route_spec spec;

	*explain = false;
	if (!find_route(path, n, &spec, explain))
		return false;
	*query = spec.query;
	return true;
}

static int route_path(const char *path, size_t n, struct route_spec *route,
		      bool *explain, struct request_error *err)
{
	char decoded[PATH_CAP], shown[64];
	bool nul;
	long len = decode(path, n, decoded, sizeof(decoded), false, &nul);

	if (len < 0)
		return request_fail(err, 400, PROBLEM_MALFORMED_TARGET,
				    "Malformed request target", NULL,
				    "the path has a malformed %%-escape");
	if (!nul && (size_t)len <= sizeof(decoded) &&
	    find_route(decoded, (size_t)len, route, explain))
		return 0;
	printable(shown, sizeof(shown), path, n);
	return request_fail(err, 404, PROBLEM_NOT_FOUND, "Not Found", NULL,
			    "no route for %s", shown);
}

void request_skip_absolute_form(const char **target, size_t *n)
{
	static const char *const schemes[] = { "http://", "https://" };

	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(schemes[i]);
		const char *path;

		if (*n < len || strncasecmp(*target, schemes[i], len) != 0)
			continue;
		path = memchr(*target + len, '/', *n - len);
		if (path == NULL)  /* "http://host" or "http://host?q" */
			path = *target + *n;
		*n -= (size_t)(path - *target);
		*target = path;
		return;
	}
}

/* The route of a target's path (its query aside), or -1. */
static int target_route(const char *target, size_t n)
{
	struct request_error err;
	struct route_spec spec;
	bool explain;
	const char *qmark;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	if (qmark != NULL)
		n = (size_t)(qmark - target);
	if (route_path(target, n, &spec, &explain, &err) < 0)
		return -1;
	return (int)spec.route;
}

bool request_takes_body(const char *target, size_t n)
{
	int route = target_route(target, n);

	return route >= 0 && route_takes_body((enum route)route);
}

/* Printable ASCII without spaces: what a Location may carry verbatim. */
static bool is_location_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	}
	return true;
}

bool request_slash_redirect(const char *target, size_t n, char *location,
			    size_t cap)
{
	const char *qmark;
	size_t path_len;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	if (path_len < 2 || target[path_len - 1] != '/' || n >= cap ||
	    !is_location_safe(target, n))
		return false;
	/* an exact route ("/v1/") is served as it is */
	if (NAMES_FIND(routes, COUNT(routes), path, target, path_len) >= 0)
		return false;
	if (target_route(target, path_len - 1) < ROUTE_V1_PIN)
		return false;  /* not one of the original's */
	memcpy(location, target, path_len - 1);
	memcpy(location + path_len - 1, target + path_len, n - path_len);
	location[n - 1] = '\0';
	return true;
}

/* A prefixed route's argument (/pin/{length}): the raw text after the
 * path's second slash, decoded on its own. */
static void path_arg(struct parser *p, const char *path, size_t n)
{
	const char *slash = memchr(path + 1, '/', n - 1);
	size_t start = slash != NULL ? (size_t)(slash - path) + 1 : n;

	p->kp.path_arg = p->arg;
	p->kp.path_arg_len = request_decode_path(path + start, n - start,
						 p->arg, sizeof(p->arg));
}

/* policy=NAME: the named policy's parameters, parsed as if the client had
 * sent them, once the client's own are read. Only quantity and format may
 * come with it: a policy is a site's rule, and a rule a client could
 * override (or extend) would be no rule. */
static int apply_policy(struct parser *p)
{
	const char *name = p->policy;
	int len = (int)p->policy_len;
	const struct named_policy *np =
		policies_find(p->policies, name, p->policy_len);
	struct request_error *err = p->kp.err;

	if (np == NULL)
		return request_fail(err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "policy",
				    "no policy is named %.*s (GET /policies "
				    "lists them)", len, name);
	if (np->kind != p->kp.g->kind)
		return request_fail(err, 400, PROBLEM_INVALID_VALUE,
				    "Invalid parameter value", "policy",
				    "policy %.*s is for /%s, not this route",
				    len, name, gen_kind_name(np->kind));
	if (p->first_given != NULL)
		return request_fail(err, 400, PROBLEM_CONFLICTING_PARAMETERS,
				    "Conflicting parameters", p->first_given,
				    "policy %.*s sets this route's parameters: "
				    "only quantity and format may be given "
				    "with it, not %s", len, name,
				    p->first_given);
	return parse_query(p, np->query, np->query_len);
}

int request_parse(const char *target, size_t n, size_t max_quantity,
		  struct request *req, struct request_error *err)
{
	return request_parse_policies(target, n, max_quantity, NULL, req, err);
}

int request_parse_policies(const char *target, size_t n, size_t max_quantity,
			   const struct policies *policies,
			   struct request *req, struct request_error *err)
{
	const char *qmark;
	size_t path_len;
	struct parser *p = &(struct parser){ .max_quantity = max_quantity,
					     .policies = policies };
	struct kind_parse *kp = &p->kp;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	memset(req, 0, sizeof(*req));
	memset(err, 0, sizeof(*err));
	if (route_path(target, path_len, &p->route, &p->explain, err) < 0)
		return -1;
	kp->req = req;
	kp->g = &req->gen;
	kp->err = err;
	if (p->route.path != NULL && p->route.path[strlen(p->route.path) - 1] ==
				     '/')
		path_arg(p, target, path_len);
	req->route = p->route.route;
	req->gen.explain = p->explain;
	req->gen.kind = p->route.kind;
	req->gen.quantity = QUANTITY_DEFAULT;
	if (p->route.query != NULL && p->route.query->shape != SHAPE_PWGEND) {
		req->gen.shape = p->route.query->shape;
		req->gen.format_given = true;  /* theirs, whatever Accept says */
	}
	if (p->route.query != NULL && p->route.query->defaults != NULL)
		p->route.query->defaults(kp);
	err->stage = REQUEST_STAGE_QUERY;
	if (qmark != NULL && parse_query(p, qmark + 1, n - path_len - 1) < 0)
		return -1;
	if ((p->seen & SEEN_POLICY) && apply_policy(p) < 0)
		return -1;
	return p->route.query != NULL ? p->route.query->settle(kp) : 0;
}
