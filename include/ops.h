/*
 * ops.h - the operational routes: what they are called and what they take.
 *
 *   GET /livez          200 {"status":"ok"} while the process runs
 *   GET /readyz         200 {"status":"ready"}; 503 when not ready
 *   GET /metrics        Prometheus text exposition (metrics.h)
 *   GET /version        build and library versions (version.h)
 *   GET /openapi.yaml   the embedded spec (spec.h), as application/yaml
 *   GET /openapi.json   the same bytes as application/json
 *   GET /policies       the named policies (http.c renders the set's)
 *   GET /               the generator page, with /app.js and /style.css
 *   GET /docs           Swagger UI, with /docs/init.js, /docs/docs.css,
 *                       /docs/swagger-ui-bundle.js and /docs/swagger-ui.css
 *
 * The pages and their files (web.h) carry the security headers of web.h
 * (Content-Security-Policy, X-Frame-Options, Referrer-Policy) in
 * ops_body.headers. Any other path, /docs/ and /docs/<unknown> included, is
 * not ours: request_parse answers it with its 404.
 *
 * (/healthz, the older name of /livez, stays in request.c's route table.)
 *
 * Pure, like request.c: no I/O and no libmicrohttpd types, so http.c asks
 * "is this target one of ours?" before request_parse and renders the reply.
 * Paths are matched as request.c matches its own: exactly, after
 * percent-decoding, absolute-form targets included. None of these routes
 * takes a parameter, which is /healthz's contract, so their query is checked
 * by request_parse itself as /healthz's: the same 400s, byte for byte.
 */
#ifndef PWGEND_OPS_H
#define PWGEND_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "request.h"

enum ops_route {
	OPS_LIVEZ,
	OPS_READYZ,
	OPS_METRICS,
	OPS_VERSION,
	OPS_OPENAPI_YAML,
	OPS_OPENAPI_JSON,
	OPS_POLICIES,           /* the named policies (policies.h) */
	OPS_WEB_INDEX,          /* /                            web/index.html */
	OPS_WEB_APP_JS,         /* /app.js */
	OPS_WEB_STYLE_CSS,      /* /style.css */
	OPS_DOCS,               /* /docs                        web/docs.html */
	OPS_DOCS_INIT_JS,       /* /docs/init.js                web/docs-init.js */
	OPS_DOCS_CSS,           /* /docs/docs.css */
	OPS_DOCS_SWAGGER_JS,    /* /docs/swagger-ui-bundle.js   vendor/swagger-ui/ */
	OPS_DOCS_SWAGGER_CSS,   /* /docs/swagger-ui.css */
};

/* If the path of `target` (n bytes) is an operational route: true, *route,
 * and the raw query after '?' in *query / *query_len (NULL / 0 without a
 * '?'). False for anything else, malformed paths included (request_parse
 * then gives the precise 400 or 404). */
bool ops_match(const char *target, size_t n, enum ops_route *route,
	       const char **query, size_t *query_len);

/* 0 if the query holds no parameter (absent, "", "&&"), else -1 and *err
 * filled exactly as request_parse fills it for /healthz with that query. */
int ops_check_query(const char *query, size_t query_len,
		    struct request_error *err);

/* The `route` label of the metrics. */
enum metrics_route ops_metrics_route(enum ops_route route);

/* The routes of the admin listener (admin.h): /livez, /readyz, /metrics,
 * /version. */
bool ops_is_admin(enum ops_route route);

/* Those only the admin listener serves once there is one: /metrics and
 * /version (what runs, and how much of it). */
bool ops_is_internal(enum ops_route route);

/* The page at /, /docs, and their files (--web). */
bool ops_is_page(enum ops_route route);

/* A reply body and its Content-Type. `owned`: a malloc'd body the caller
 * frees; otherwise static, valid for the process's life. */
/* An extra reply header (e.g. Content-Security-Policy on HTML pages). */
struct ops_header {
	const char *name;
	const char *value;
};

enum { OPS_MAX_HEADERS = 8 };

struct ops_body {
	const char *type;
	void *body;
	size_t len;
	bool owned;
	const struct ops_header *headers;  /* static; NULL when none */
	size_t n_headers;                  /* <= OPS_MAX_HEADERS */
};

/* The 200 body of a route other than /metrics (which needs the caller's
 * counters: metrics_render). `mhd_version` is for /version. 0, or -ENOMEM. */
int ops_render(enum ops_route route, const char *mhd_version,
	       struct ops_body *out);

#endif
