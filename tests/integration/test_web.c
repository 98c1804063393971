/*
 * test_web.c - the browser face on the real binary: / and /docs and their
 * files, with their statuses, Content-Types, the security headers, HEAD,
 * 405, the no-parameter 400s of every ops route, 404 for any other path
 * under /docs, bodies byte for byte the repository's files, and the binary
 * serving all of it when started alone in an empty directory.
 * (tests/browser/ drives the pages themselves in chromium.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"
#define HTML "text/html; charset=utf-8"
#define JS "text/javascript; charset=utf-8"
#define CSS "text/css; charset=utf-8"
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; " \
	    "form-action 'self'; frame-ancestors 'none'"

static const struct {
	const char *target;
	const char *type;
	const char *source;            /* the file it serves */
} pages[] = {
	{ "/", HTML, "web/index.html" },
	{ "/app.js", JS, "web/app.js" },
	{ "/style.css", CSS, "web/style.css" },
	{ "/docs", HTML, "web/docs.html" },
	{ "/docs/init.js", JS, "web/docs-init.js" },
	{ "/docs/docs.css", CSS, "web/docs.css" },
	{ "/docs/swagger-ui-bundle.js", JS,
	  "vendor/swagger-ui/swagger-ui-bundle.js" },
	{ "/docs/swagger-ui.css", CSS, "vendor/swagger-ui/swagger-ui.css" },
};

enum { N_PAGES = sizeof(pages) / sizeof(pages[0]) };

static void setup_default(void)
{
	fixture_start(NULL);
}

/* Content-Type, Cache-Control, nosniff, Content-Length (verify_headers)
 * and the three page headers, exactly. */
static void expect_page_headers(const struct response *r, const char *type,
				int head)
{
	const char *csp = response_header(r, "Content-Security-Policy");
	const char *xfo = response_header(r, "X-Frame-Options");
	const char *ref = response_header(r, "Referrer-Policy");

	EXPECT_OK(verify_headers(r, type, head));
	ck_assert_msg(csp != NULL && strcmp(csp, CSP) == 0, "CSP: %s",
		      csp ? csp : "(absent)");
	ck_assert_msg(xfo != NULL && strcmp(xfo, "DENY") == 0,
		      "X-Frame-Options: %s", xfo ? xfo : "(absent)");
	ck_assert_msg(ref != NULL && strcmp(ref, "no-referrer") == 0,
		      "Referrer-Policy: %s", ref ? ref : "(absent)");
}

static int browser_get(unsigned port, const char *target, struct response *r)
{
	return http_do_with(port, "GET", target, BROWSER_ACCEPT, r);
}

/* GET: 200, the headers, the file's bytes; HEAD: the same without body. */
static void expect_page(unsigned port, size_t i)
{
	struct response r, h;
	size_t len;
	char *want = read_file(pages[i].source, &len);

	ck_assert_msg(want != NULL, "cannot read %s", pages[i].source);
	ck_assert_int_eq(browser_get(port, pages[i].target, &r), 0);
	ck_assert_msg(r.status == 200, "%s: %d", pages[i].target, r.status);
	expect_page_headers(&r, pages[i].type, 0);
	ck_assert_msg(r.body_len == len, "%s: %zu bytes, %s has %zu",
		      pages[i].target, r.body_len, pages[i].source, len);
	ck_assert_msg(memcmp(r.body, want, len) == 0, "%s differs from %s",
		      pages[i].target, pages[i].source);
	ck_assert_int_eq(http_do_with(port, "HEAD", pages[i].target,
				      BROWSER_ACCEPT, &h), 0);
	ck_assert_int_eq(h.status, 200);
	expect_page_headers(&h, pages[i].type, 1);
	ck_assert_str_eq(response_header(&h, "Content-Length"),
			 response_header(&r, "Content-Length"));
	free(want);
	response_free(&r);
	response_free(&h);
}

START_TEST(get_and_head)
{
	expect_page(fixture.port, (size_t)_i);
}
END_TEST

START_TEST(other_methods_405)
{
	EXPECT_OK(verify_get_only(fixture.port, pages[_i].target));
}
END_TEST

/* No parameters, like every ops route: a name is a 400 (problem+json, no
 * page headers), an empty query is the page. */
START_TEST(query_refused)
{
	char target[128];
	struct response r;

	snprintf(target, sizeof(target), "%s?url=https://example.org/x.json",
		 pages[_i].target);
	ck_assert_int_eq(http_get(fixture.port, target, &r), 0);
	EXPECT_OK(verify_problem(&r, 400, URN "unknown-parameter", "url"));
	response_free(&r);
	snprintf(target, sizeof(target), "%s?", pages[_i].target);
	ck_assert_int_eq(browser_get(fixture.port, target, &r), 0);
	ck_assert_int_eq(r.status, 200);
	expect_page_headers(&r, pages[_i].type, 0);
	response_free(&r);
}
END_TEST

/* Paths match exactly: nothing else under /docs, no index.html, no source
 * maps, no directory listing. */
START_TEST(other_paths_404)
{
	static const char *const targets[] = {
		"/docs/", "/docs/index.html", "/docs/swagger-ui-bundle.js.map",
		"/docs/swagger-ui.css.map", "/docs/swagger-ui-standalone-preset.js",
		"/docs/oauth2-redirect.html", "/docs/../app.js", "/docs/app.js",
		"/index.html", "/favicon.ico", "/DOCS", "/app.js/", "/web/app.js",
		"/vendor/swagger-ui/swagger-ui.css", "/docs/%2e%2e/app.js",
	};
	struct response r;

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		ck_assert_int_eq(http_get(fixture.port, targets[i], &r), 0);
		ck_assert_msg(r.status == 404, "%s: %d", targets[i], r.status);
		EXPECT_OK(verify_problem(&r, 404, URN "not-found", NULL));
		ck_assert_ptr_null(response_header(&r,
						   "Content-Security-Policy"));
		response_free(&r);
	}
}
END_TEST

/* Percent-decoded and absolute-form like every route. */
START_TEST(decoded_and_absolute_form)
{
	struct conn c;
	struct response r;

	ck_assert_int_eq(http_get(fixture.port, "/%64ocs", &r), 0);
	ck_assert_int_eq(r.status, 200);
	expect_page_headers(&r, HTML, 0);
	response_free(&r);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_request(&c, "GET", "http://127.0.0.1/app.js",
				      NULL), 0);
	ck_assert_int_eq(conn_read(&c, &r, false), 0);
	ck_assert_int_eq(r.status, 200);
	expect_page_headers(&r, JS, 0);
	response_free(&r);
	conn_close(&c);
}
END_TEST

/* Keep-alive: the page and its files on one connection, as a browser. */
START_TEST(page_and_files_on_one_connection)
{
	struct conn c;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	for (size_t i = 0; i < N_PAGES; i++) {
		struct response r;

		ck_assert_int_eq(conn_request(&c, "GET", pages[i].target,
					      BROWSER_ACCEPT), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		ck_assert_msg(r.status == 200, "%s", pages[i].target);
		ck_assert(!r.closed);
		response_free(&r);
	}
	conn_close(&c);
}
END_TEST

/* ============================================== alone in an empty folder */

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	return close(out) == 0 && n == 0 ? 0 : -1;
}

/* The binary copied into a fresh temporary directory and started there
 * (its working directory too), nothing else in it: every page, and the
 * spec, are still served, byte for byte. */
START_TEST(served_with_no_files_beside_it)
{
	char repo[PATH_MAX], bin[2 * PATH_MAX], dir[] = "/tmp/pwgend-web-XXXXXX";
	char copy[PATH_MAX + 16];
	const char *old_bin = getenv("PWGEND_BIN");
	struct server s;
	size_t i;

	ck_assert_ptr_nonnull(getcwd(repo, sizeof(repo)));
	if (server_binary()[0] == '/')
		snprintf(bin, sizeof(bin), "%s", server_binary());
	else
		snprintf(bin, sizeof(bin), "%s/%s", repo, server_binary());
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/pwgend", dir);
	ck_assert_int_eq(copy_file(bin, copy), 0);
	ck_assert_int_eq(chdir(dir), 0);
	setenv("PWGEND_BIN", copy, 1);
	ck_assert_int_eq(server_start(&s, NULL), 0);
	if (old_bin != NULL)
		setenv("PWGEND_BIN", old_bin, 1);
	else
		unsetenv("PWGEND_BIN");
	/* the expected bytes come from the repository */
	ck_assert_int_eq(chdir(repo), 0);
	for (i = 0; i < N_PAGES; i++)
		expect_page(s.port, i);
	{
		struct response r;
		size_t len;
		char *want = read_file("openapi.json", &len);

		ck_assert_ptr_nonnull(want);
		ck_assert_int_eq(http_get(s.port, "/openapi.json", &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_uint_eq(r.body_len, len);
		ck_assert(memcmp(r.body, want, len) == 0);
		free(want);
		response_free(&r);
	}
	server_stop(&s);
	ck_assert_int_eq(unlink(copy), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *tc = server_case("pages", setup_default, TIMEOUT_LIGHT);
	TCase *alone = tcase_create("alone");

	tcase_add_loop_test(tc, get_and_head, 0, N_PAGES);
	tcase_add_loop_test(tc, other_methods_405, 0, N_PAGES);
	tcase_add_loop_test(tc, query_refused, 0, N_PAGES);
	tcase_add_test(tc, other_paths_404);
	tcase_add_test(tc, decoded_and_absolute_form);
	tcase_add_test(tc, page_and_files_on_one_connection);
	tcase_set_timeout(alone, TIMEOUT_LIGHT);
	tcase_add_test(alone, served_with_no_files_beside_it);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, alone);
	return s;
}
