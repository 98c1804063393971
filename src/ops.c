/* ops.c - see ops.h. */
#include "ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render.h"
#include "spec.h"
#include "version.h"
#include "web.h"

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
	{ "/policies", OPS_POLICIES },
	{ "/", OPS_WEB_INDEX },
	{ "/docs", OPS_DOCS },
};

/* The files the two pages load. Parts of / and /docs, documented with
 * them, rather than routes of the API: so a table of their own, which
 * tests/contract does not require openapi.yaml to list path by path. */
static const struct {
	const char *path;
	enum ops_route route;
} page_files[] = {
	{ "/app.js", OPS_WEB_APP_JS },
	{ "/style.css", OPS_WEB_STYLE_CSS },
	{ "/docs/init.js", OPS_DOCS_INIT_JS },
	{ "/docs/docs.css", OPS_DOCS_CSS },
	{ "/docs/swagger-ui-bundle.js", OPS_DOCS_SWAGGER_JS },
	{ "/docs/swagger-ui.css", OPS_DOCS_SWAGGER_CSS },
};

enum { PATH_CAP = 32 };  /* longer than every route's path */

static bool is_path(const char *want, const char *path, size_t len)
{
	return strlen(want) == len && memcmp(want, path, len) == 0;
}

/* The route of a decoded path, from either table. */
static bool find_route(const char *path, size_t len, enum ops_route *route)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (is_path(routes[i].path, path, len)) {
			*route = routes[i].route;
			return true;
		}
	for (size_t i = 0; i < sizeof(page_files) / sizeof(page_files[0]);
	     i++)
		if (is_path(page_files[i].path, path, len)) {
			*route = page_files[i].route;
			return true;
		}
	return false;
}

bool ops_match(const char *target, size_t n, enum ops_route *route,
	       const char **query, size_t *query_len)
{
	char path[PATH_CAP];
	const char *qmark;
	size_t path_len;
	long len;

	request_skip_absolute_form(&target, &n);
	qmark = memchr(target, '?', n);
	path_len = qmark != NULL ? (size_t)(qmark - target) : n;
	len = request_decode_path(target, path_len, path, sizeof(path));
	if (len < 0 || !find_route(path, (size_t)len, route))
		return false;
	*query = qmark != NULL ? qmark + 1 : NULL;
	*query_len = qmark != NULL ? n - path_len - 1 : 0;
	return true;
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
	case OPS_POLICIES:
		return METRICS_ROUTE_POLICIES;
	case OPS_WEB_INDEX:
	case OPS_WEB_APP_JS:
	case OPS_WEB_STYLE_CSS:
		return METRICS_ROUTE_PAGE;
	case OPS_DOCS:
	case OPS_DOCS_INIT_JS:
	case OPS_DOCS_CSS:
	case OPS_DOCS_SWAGGER_JS:
	case OPS_DOCS_SWAGGER_CSS:
		return METRICS_ROUTE_DOCS;
	}
	return METRICS_ROUTE_OTHER;
}

bool ops_is_admin(enum ops_route route)
{
	return route == OPS_LIVEZ || route == OPS_READYZ ||
	       ops_is_internal(route);
}

bool ops_is_internal(enum ops_route route)
{
	return route == OPS_METRICS || route == OPS_VERSION;
}

bool ops_is_page(enum ops_route route)
{
	enum metrics_route label = ops_metrics_route(route);

	return label == METRICS_ROUTE_PAGE || label == METRICS_ROUTE_DOCS;
}

/* The embedded spec, one copy for both routes (spec.h: JSON is YAML 1.2):
 * static, never copied. libmicrohttpd's API takes a void *, but
 * MHD_RESPMEM_PERSISTENT never writes to or frees it. */
static void render_spec(enum ops_route route, struct ops_body *out)
{
	size_t len = 0;
	const unsigned char *body = spec_json(&len);

	*out = (struct ops_body){
		route == OPS_OPENAPI_YAML ? "application/yaml"
					  : "application/json",
		(void *)body, len, false, NULL, 0,
	};
}

/* The security headers of every page and page file (web.h). */
static const struct ops_header web_headers[] = {
	{ "Content-Security-Policy", WEB_CONTENT_SECURITY_POLICY },
	{ "X-Frame-Options", WEB_FRAME_OPTIONS },
	{ "Referrer-Policy", WEB_REFERRER_POLICY },
};

static enum web_file web_file_of(enum ops_route route)
{
	switch (route) {
	case OPS_WEB_APP_JS:
		return WEB_APP_JS;
	case OPS_WEB_STYLE_CSS:
		return WEB_STYLE_CSS;
	case OPS_DOCS:
		return WEB_DOCS_HTML;
	case OPS_DOCS_INIT_JS:
		return WEB_DOCS_INIT_JS;
	case OPS_DOCS_CSS:
		return WEB_DOCS_CSS;
	case OPS_DOCS_SWAGGER_JS:
		return WEB_SWAGGER_UI_JS;
	case OPS_DOCS_SWAGGER_CSS:
		return WEB_SWAGGER_UI_CSS;
	default:
		return WEB_INDEX_HTML;
	}
}

/* A page or page file: static, never copied, like the spec. */
static void render_web(enum ops_route route, struct ops_body *out)
{
	const struct web_asset *a = web_asset(web_file_of(route));

	*out = (struct ops_body){
		a->type, (void *)a->body, a->len, false, web_headers,
		sizeof(web_headers) / sizeof(web_headers[0]),
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
	case OPS_WEB_INDEX:
	case OPS_WEB_APP_JS:
	case OPS_WEB_STYLE_CSS:
	case OPS_DOCS:
	case OPS_DOCS_INIT_JS:
	case OPS_DOCS_CSS:
	case OPS_DOCS_SWAGGER_JS:
	case OPS_DOCS_SWAGGER_CSS:
		render_web(route, out);
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
	case OPS_POLICIES:
		return -EINVAL;  /* http.c: they need the counters, the set */
	}
	if (body == NULL)
		return -ENOMEM;
	*out = (struct ops_body){ "application/json", body, len, true, NULL,
				  0 };
	return 0;
}
