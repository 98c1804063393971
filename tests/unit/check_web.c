/*
 * check_web.c - the browser face's pure parts: the pages' paths (ops.c's
 * table), the embedded bytes against the repository's files, the
 * Content-Types and security headers, and the rules the pages follow so
 * that the strict Content-Security-Policy holds: no inline script, style or
 * event handler, and every file they load is one the binary serves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "suites.h"
#include "web.h"

static const struct {
	const char *path;
	enum ops_route route;
	enum web_file file;
	const char *type;
} pages[] = {
	{ "/", OPS_WEB_INDEX, WEB_INDEX_HTML, WEB_TYPE_HTML },
	{ "/app.js", OPS_WEB_APP_JS, WEB_APP_JS, WEB_TYPE_JS },
	{ "/style.css", OPS_WEB_STYLE_CSS, WEB_STYLE_CSS, WEB_TYPE_CSS },
	{ "/docs", OPS_DOCS, WEB_DOCS_HTML, WEB_TYPE_HTML },
	{ "/docs/init.js", OPS_DOCS_INIT_JS, WEB_DOCS_INIT_JS, WEB_TYPE_JS },
	{ "/docs/docs.css", OPS_DOCS_CSS, WEB_DOCS_CSS, WEB_TYPE_CSS },
	{ "/docs/swagger-ui-bundle.js", OPS_DOCS_SWAGGER_JS,
	  WEB_SWAGGER_UI_JS, WEB_TYPE_JS },
	{ "/docs/swagger-ui.css", OPS_DOCS_SWAGGER_CSS, WEB_SWAGGER_UI_CSS,
	  WEB_TYPE_CSS },
};

enum { N_PAGES = sizeof(pages) / sizeof(pages[0]) };

/* The whole file; the tests run from the repository root. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s (run from the repository "
		      "root)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(test_paths_match)
{
	enum ops_route route = (enum ops_route)-1;
	const char *query = "unset";
	size_t qlen = 99;
	const char *p = pages[_i].path;

	ck_assert_msg(ops_match(p, strlen(p), &route, &query, &qlen), "%s", p);
	ck_assert_int_eq(route, pages[_i].route);
	ck_assert_ptr_null(query);
	ck_assert_uint_eq(qlen, 0);
	/* labelled apart from 404s and from each other */
	ck_assert_int_eq(ops_metrics_route(route),
			 strncmp(p, "/docs", 5) == 0 ? METRICS_ROUTE_DOCS
						     : METRICS_ROUTE_PAGE);
	ck_assert(ops_is_page(route));
	ck_assert(!ops_is_admin(route) && !ops_is_internal(route));
}
END_TEST

START_TEST(test_query_is_split_off)
{
	enum ops_route route;
	const char *query;
	size_t qlen;

	ck_assert(ops_match("/?a=1", 5, &route, &query, &qlen));
	ck_assert_int_eq(route, OPS_WEB_INDEX);
	ck_assert_uint_eq(qlen, 3);
	ck_assert(memcmp(query, "a=1", 3) == 0);
	ck_assert(ops_match("/%64ocs", 7, &route, &query, &qlen));
	ck_assert_int_eq(route, OPS_DOCS);
	ck_assert(ops_match("http://h:1/docs/init.js?", 24, &route, &query,
			    &qlen));
	ck_assert_int_eq(route, OPS_DOCS_INIT_JS);
	ck_assert_uint_eq(qlen, 0);
}
END_TEST

/* Paths match exactly: anything else is request_parse's 404. */
static const char *const not_pages[] = {
	"/docs/", "/docs/x", "/docs/index.html", "/index.html", "/app.js/",
	"/Docs", "/DOCS", "/docs/swagger-ui-standalone-preset.js",
	"/docs/swagger-ui-bundle.js.map", "/docs/swagger-ui.css.map",
	"/docs/../app.js", "/docs/app.js", "/style.css/", "//", "/docs/init",
	"/favicon.ico", "/app.j", "/docsx",
};

START_TEST(test_not_pages)
{
	enum ops_route route;
	const char *query;
	size_t qlen;
	const char *p = not_pages[_i];

	ck_assert_msg(!ops_match(p, strlen(p), &route, &query, &qlen), "%s",
		      p);
}
END_TEST

/* Each route renders its file, byte for byte the repository's, static,
 * with its Content-Type and exactly the three security headers. */
START_TEST(test_render_embedded_files)
{
	const struct web_asset *a = web_asset(pages[_i].file);
	struct ops_body out;
	unsigned char *want;
	size_t len;

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->type, pages[_i].type);
	want = slurp(a->source, &len);
	ck_assert_msg(a->len == len, "%s: %zu bytes, embedded %zu", a->source,
		      len, a->len);
	ck_assert_msg(memcmp(a->body, want, len) == 0, "%s differs",
		      a->source);
	free(want);

	ck_assert_int_eq(ops_render(pages[_i].route, "x", &out), 0);
	ck_assert_str_eq(out.type, pages[_i].type);
	ck_assert_ptr_eq(out.body, a->body);
	ck_assert_uint_eq(out.len, a->len);
	ck_assert(!out.owned);
	ck_assert_uint_eq(out.n_headers, 3);
	ck_assert_uint_le(out.n_headers, OPS_MAX_HEADERS);
	ck_assert_str_eq(out.headers[0].name, "Content-Security-Policy");
	ck_assert_str_eq(out.headers[0].value,
			 "default-src 'none'; script-src 'self'; "
			 "style-src 'self'; img-src 'self' data:; "
			 "connect-src 'self'; base-uri 'none'; "
			 "form-action 'self'; frame-ancestors 'none'");
	ck_assert_str_eq(out.headers[1].name, "X-Frame-Options");
	ck_assert_str_eq(out.headers[1].value, "DENY");
	ck_assert_str_eq(out.headers[2].name, "Referrer-Policy");
	ck_assert_str_eq(out.headers[2].value, "no-referrer");
}
END_TEST

START_TEST(test_other_routes_have_no_page_headers)
{
	struct ops_body out;

	ck_assert_int_eq(ops_render(OPS_OPENAPI_JSON, "x", &out), 0);
	ck_assert_uint_eq(out.n_headers, 0);
	ck_assert_int_eq(ops_render(OPS_LIVEZ, "x", &out), 0);
	ck_assert_uint_eq(out.n_headers, 0);
	free(out.body);
}
END_TEST

START_TEST(test_out_of_range)
{
	ck_assert_ptr_null(web_asset(WEB_FILE_COUNT));
	ck_assert_ptr_null(web_asset((enum web_file)-1));
}
END_TEST

static bool page_path_served(const char *p, size_t n)
{
	for (size_t i = 0; i < N_PAGES; i++)
		if (strlen(pages[i].path) == n &&
		    memcmp(pages[i].path, p, n) == 0)
			return true;
	/* the spec, linked from the pages */
	return (n == 13 && memcmp(p, "/openapi.yaml", 13) == 0) ||
	       (n == 13 && memcmp(p, "/openapi.json", 13) == 0);
}

/* Every src="/..." and href="/..." of the page names a served path. */
static size_t check_links(const char *html, const char *attr)
{
	size_t count = 0;

	for (const char *p = strstr(html, attr); p != NULL;
	     p = strstr(p + 1, attr)) {
		const char *v = p + strlen(attr), *end = strchr(v, '"');

		ck_assert_ptr_nonnull(end);
		if (strncmp(v, "data:", 5) == 0)
			continue;
		ck_assert_msg(v[0] == '/' && v[1] != '/', "%s%.*s: not a path "
			      "of this server", attr, (int)(end - v), v);
		ck_assert_msg(page_path_served(v, (size_t)(end - v)),
			      "%s%.*s is not served", attr, (int)(end - v), v);
		count++;
	}
	return count;
}

/* What the CSP would block: inline script, inline style, handlers. */
static void check_no_inline(const char *html, const char *name)
{
	static const char *const handlers[] = { " onclick=", " onload=",
		" onsubmit=", " onerror=", " onchange=", " oninput=" };

	for (const char *p = strstr(html, "<script"); p != NULL;
	     p = strstr(p + 1, "<script")) {
		const char *close = strchr(p, '>');

		ck_assert_ptr_nonnull(close);
		ck_assert_msg(strstr(p, " src=\"") != NULL &&
			      strstr(p, " src=\"") < close,
			      "%s: a <script> without src", name);
		ck_assert_msg(strncmp(close, "></script>", 10) == 0,
			      "%s: a <script src> with content", name);
	}
	ck_assert_msg(strstr(html, "<style") == NULL, "%s: <style>", name);
	ck_assert_msg(strstr(html, " style=") == NULL, "%s: style=", name);
	ck_assert_msg(strstr(html, "javascript:") == NULL, "%s: javascript:",
		      name);
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		ck_assert_msg(strstr(html, handlers[i]) == NULL, "%s:%s", name,
			      handlers[i]);
}

/* A NUL-terminated copy of an embedded page. */
static char *page_text(enum web_file f)
{
	const struct web_asset *a = web_asset(f);
	char *s = malloc(a->len + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, a->body, a->len);
	s[a->len] = '\0';
	return s;
}

START_TEST(test_index_page)
{
	char *html = page_text(WEB_INDEX_HTML);

	check_no_inline(html, "index.html");
	ck_assert_uint_ge(check_links(html, " src=\""), 1);
	ck_assert_uint_ge(check_links(html, " href=\""), 3);
	/* the essentials: language, viewport, the docs link, the API forms */
	ck_assert_ptr_nonnull(strstr(html, "<html lang=\"en\">"));
	ck_assert_ptr_nonnull(strstr(html, "name=\"viewport\""));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/docs\">"));
	ck_assert_ptr_nonnull(strstr(html, "action=\"/password\""));
	ck_assert_ptr_nonnull(strstr(html, "action=\"/passphrase\""));
	ck_assert_ptr_nonnull(strstr(html, "action=\"/pin\""));
	free(html);
}
END_TEST

START_TEST(test_docs_page)
{
	char *html = page_text(WEB_DOCS_HTML);

	check_no_inline(html, "docs.html");
	ck_assert_uint_eq(check_links(html, " src=\""), 2);
	ck_assert_uint_ge(check_links(html, " href=\""), 4);
	ck_assert_ptr_nonnull(strstr(html, "id=\"swagger-ui\""));
	free(html);
}
END_TEST

/* The init script fetches this server's spec and sends nothing elsewhere:
 * no validator, no absolute URL. */
START_TEST(test_docs_init)
{
	char *js = page_text(WEB_DOCS_INIT_JS);

	ck_assert_ptr_nonnull(strstr(js, "fetch('/openapi.json'"));
	ck_assert_ptr_nonnull(strstr(js, "validatorUrl: null"));
	ck_assert_ptr_nonnull(strstr(js, "window.location.origin"));
	ck_assert_ptr_null(strstr(js, "http://"));
	ck_assert_ptr_null(strstr(js, "https://"));
	free(js);
}
END_TEST

Suite *web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("pages");

	tcase_add_loop_test(tc, test_paths_match, 0, N_PAGES);
	tcase_add_test(tc, test_query_is_split_off);
	tcase_add_loop_test(tc, test_not_pages, 0,
			    sizeof(not_pages) / sizeof(not_pages[0]));
	tcase_add_loop_test(tc, test_render_embedded_files, 0, N_PAGES);
	tcase_add_test(tc, test_other_routes_have_no_page_headers);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_index_page);
	tcase_add_test(tc, test_docs_page);
	tcase_add_test(tc, test_docs_init);
	suite_add_tcase(s, tc);
	return s;
}
