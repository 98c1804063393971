/* ops.c - see ops.h. */
#include "ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render.h"
#include "spec.h"
#include "version.h"

static const struct {
	const char *path;
	enum ops_route route;
} routes[] = {
	{ "/livez", OPS_LIVEZ },
	{ "/readyz", OPS_READYZ },
	{ "/metrics", OPS_METRICS },
	{ "/version", OPS_VERSION },
	{ "/openapi.yaml", OPS_OPENAPI_YAML },
	{ "/openapi.json", OPS_OPENAPI_JSON },
};

enum { PATH_CAP = 32 };  /* longer than every route's path */

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

/* Percent-decode a path into dst (PATH_CAP bytes): its length, or -1 if it
 * is malformed, holds a NUL or is too long to be one of ours. '+' stays. */
static long decode_path(const char *src, size_t n, char *dst)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++, o++) {
		char c = src[i];

		if (o == PATH_CAP)
			return -1;
		if (c == '%') {
			int hi = n - i >= 3 ? hex_value(src[i + 1]) : -1;
			int lo = n - i >= 3 ? hex_value(src[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return -1;
		dst[o] = c;
	}
	return (long)o;
}

/* "http://host:port/path?q" -> "/path?q" (RFC 9112 3.2.2), as request.c. */
static void skip_absolute_form(const char **target, size_t *n)
{
	static const char *const schemes[] = { "http://", "https://" };

	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(schemes[i]);
		const char *path;

		if (*n < len || strncasecmp(*target, schemes[i], len) != 0)
			continue;
		path = memchr(*target + len, '/', *n - len);
		if (path == NULL)
			path = *target + *n;
		*n -= (size_t)(path - *target);
		*target = path;
		return;
	}
}

bool ops_match(const char *target, size_t n, enum ops_route *route,
	       const char **query, size_t *query_len)
{
	char path[PATH_CAP];
	const char *qmark;
	size_t path_len;
	long len;

	skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	len = decode_path(target, path_len, path);
	for (size_t i = 0; len >= 0 && i < sizeof(routes) / sizeof(routes[0]);
	     i++) {
		if (strlen(routes[i].path) != (size_t)len ||
		    memcmp(routes[i].path, path, (size_t)len) != 0)
			continue;
		*route = routes[i].route;
		*query = qmark != NULL ? qmark + 1 : NULL;
		*query_len = qmark != NULL ? n - path_len - 1 : 0;
		return true;
	}
	return false;
}

static bool only_empty_pairs(const char *q, size_t n)
{
	return strspn(q, "&") >= n;
}

int ops_check_query(const char *query, size_t query_len,
		    struct request_error *err)
{
	static const char prefix[] = "/healthz?";
	struct request req;
	char *target;
	int rc;

	if (query == NULL || only_empty_pairs(query, query_len))
		return 0;
	/* Error path only: the copy costs nothing on good requests. */
	target = malloc(sizeof(prefix) + query_len);
	if (target == NULL) {
		memset(err, 0, sizeof(*err));
		err->stage = REQUEST_STAGE_QUERY;
		err->status = 400;
		err->type = PROBLEM_UNKNOWN_PARAMETER;
		err->title = "Unknown parameter";
		strcpy(err->detail, "this route takes no parameters");
		return -1;
	}
	memcpy(target, prefix, sizeof(prefix) - 1);
	memcpy(target + sizeof(prefix) - 1, query, query_len);
	rc = request_parse(target, sizeof(prefix) - 1 + query_len, 1, &req,
			   err);
	free(target);
	return rc;
}

enum metrics_route ops_metrics_route(enum ops_route route)
{
	switch (route) {
	case OPS_LIVEZ:
		return METRICS_ROUTE_LIVEZ;
	case OPS_READYZ:
		return METRICS_ROUTE_READYZ;
	case OPS_METRICS:
		return METRICS_ROUTE_METRICS;
	case OPS_VERSION:
		return METRICS_ROUTE_VERSION;
	case OPS_OPENAPI_YAML:
	case OPS_OPENAPI_JSON:
		return METRICS_ROUTE_OPENAPI;
	}
	return METRICS_ROUTE_OTHER;
}

/* The embedded spec: static, never copied. libmicrohttpd's API takes a
 * void *, but MHD_RESPMEM_PERSISTENT never writes to or frees it. */
static void render_spec(enum ops_route route, struct ops_body *out)
{
	size_t len = 0;
	const unsigned char *body = route == OPS_OPENAPI_YAML ? spec_yaml(&len)
							      : spec_json(&len);

	*out = (struct ops_body){
		route == OPS_OPENAPI_YAML ? "application/yaml"
					  : "application/json",
		(void *)body, len, false, NULL, 0,
	};
}

int ops_render(enum ops_route route, const char *mhd_version,
	       struct ops_body *out)
{
	size_t len = 0;
	char *body = NULL;

	switch (route) {
	case OPS_OPENAPI_YAML:
	case OPS_OPENAPI_JSON:
		render_spec(route, out);
		return 0;
	case OPS_LIVEZ:
		body = render_status("ok", &len);
		break;
	case OPS_READYZ:
		body = render_status("ready", &len);
		break;
	case OPS_VERSION:
		body = version_render(mhd_version, &len);
		break;
	case OPS_METRICS:
		return -EINVAL;  /* metrics_render: it needs the counters */
	}
	if (body == NULL)
		return -ENOMEM;
	*out = (struct ops_body){ "application/json", body, len, true, NULL,
				  0 };
	return 0;
}
