/*
 * test_edge.c - what an operator and a browser meet around the routes
 * (issue 14): the admin listener, the public port without /metrics and
 * /version once there is one, --web off, GET / for HTML and JSON clients,
 * CORS preflights and headers, and X-Request-Id.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

static unsigned admin;                 /* the admin port of the fixture */
static char admin_arg[16];

static void setup_default(void)
{
	fixture_start(NULL);
}

static void setup_admin(void)
{
	const char *flags[] = { "--admin-port", admin_arg, NULL };

	admin = free_port();
	ck_assert_uint_gt(admin, 0);
	snprintf(admin_arg, sizeof(admin_arg), "%u", admin);
	fixture_start(flags);
}

static void setup_web_off(void)
{
	static const char *const flags[] = { "--web", "off", NULL };

	fixture_start(flags);
}

static void setup_cors(void)
{
	static const char *const flags[] = {
		"--cors-origins", "https://a.example, https://b.example:8443",
		NULL };

	fixture_start(flags);
}

static const char *header(const struct response *r, const char *name)
{
	const char *v = response_header(r, name);

	return v != NULL ? v : "(absent)";
}

/* ========================================================= admin listener */

START_TEST(admin_serves_its_four_routes)
{
	static const char *const routes[] = { "/livez", "/readyz", "/metrics",
					      "/version" };
	struct response r;

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(http_get(admin, routes[i], &r), 0);
		ck_assert_msg(r.status == 200, "%s: %d", routes[i], r.status);
		ck_assert_str_eq(header(&r, "Cache-Control"), "no-store");
		response_free(&r);
		ck_assert_int_eq(http_do(admin, "HEAD", routes[i], &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_uint_eq(r.body_len, 0);
		response_free(&r);
	}
}
END_TEST

/* Probes and scrapes keep their connection (a reply on the first handler
 * call would close it). */
START_TEST(admin_keeps_alive)
{
	struct conn c;

	ck_assert_int_eq(conn_open(&c, admin), 0);
	for (int i = 0; i < 3; i++) {
		struct response r;

		ck_assert_int_eq(conn_request(&c, "GET", "/livez", NULL), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert(!r.closed);
		response_free(&r);
	}
	conn_close(&c);
}
END_TEST

/* A body, which no admin route takes, is dropped; past 64 KiB the
 * connection is closed without a reply. */
START_TEST(admin_refuses_a_long_body)
{
	static char body[200 * 1024];
	struct response r;
	struct conn c;

	memset(body, 'x', sizeof(body));
	ck_assert_int_eq(conn_open(&c, admin), 0);
	ck_assert_int_eq(conn_request(&c, "POST", "/metrics",
				      "Content-Length: 204800\r\n"), 0);
	conn_send(&c, body, sizeof(body));  /* may fail once it closes */
	ck_assert_int_ne(conn_read(&c, &r, false), 0);
	conn_close(&c);
	/* and the listener serves on */
	ck_assert_int_eq(http_get(admin, "/livez", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
}
END_TEST

/* Nothing else: no generation, no pages, no spec; GET and HEAD only. */
START_TEST(admin_serves_nothing_else)
{
	static const char *const others[] = { "/password", "/pin?quantity=1",
		"/", "/docs", "/openapi.json", "/healthz", "/nope" };
	struct response r;

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		ck_assert_int_eq(http_get(admin, others[i], &r), 0);
		EXPECT_OK(verify_problem(&r, 404, URN "not-found", NULL));
		response_free(&r);
	}
	ck_assert_int_eq(http_do(admin, "POST", "/metrics", &r), 0);
	EXPECT_OK(verify_problem(&r, 405, URN "method-not-allowed", NULL));
	ck_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
	response_free(&r);
	ck_assert_int_eq(http_get(admin, "/metrics?x=1", &r), 0);
	EXPECT_OK(verify_problem(&r, 400, URN "unknown-parameter", "x"));
	response_free(&r);
}
END_TEST

/* With an admin listener, /metrics and /version leave the public port;
 * the probes, the pages and the API stay. */
START_TEST(public_port_keeps_only_public_routes)
{
	static const char *const gone[] = { "/metrics", "/version" };
	static const char *const kept[] = { "/livez", "/readyz", "/healthz",
		"/docs", "/openapi.json", "/password" };
	struct response r;

	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(http_get(fixture.port, gone[i], &r), 0);
		EXPECT_OK(verify_problem(&r, 404, URN "not-found", NULL));
		response_free(&r);
	}
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		ck_assert_int_eq(http_get(fixture.port, kept[i], &r), 0);
		ck_assert_msg(r.status == 200, "%s: %d", kept[i], r.status);
		response_free(&r);
	}
}
END_TEST

/* A scrape of the admin port counts what the public port served, and
 * the admin listener's own requests. */
START_TEST(admin_scrape_sees_every_loop)
{
	struct response r;
	double before, after;

	ck_assert_int_eq(http_get(admin, "/metrics", &r), 0);
	before = metrics_sample(r.body, "pwgend_requests_total{route="
				"\"pin\",code=\"200\"}");
	response_free(&r);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(http_get(fixture.port, "/pin?quantity=3", &r),
				 0);
		ck_assert_int_eq(r.status, 200);
		response_free(&r);
	}
	/* a reply is counted once libmicrohttpd reports it complete, which
	 * can be just after the client has it: up to 2 s for the last one */
	for (int tries = 0;; tries++) {
		ck_assert_int_eq(http_get(admin, "/metrics", &r), 0);
		after = metrics_sample(r.body, "pwgend_requests_total{route="
				       "\"pin\",code=\"200\"}");
		if (after >= (before < 0 ? 0 : before) + 4 || tries == 200)
			break;
		response_free(&r);
		sleep_ms(10);
	}
	ck_assert_double_eq(after, (before < 0 ? 0 : before) + 4);
	ck_assert_double_ge(metrics_sample(r.body, "pwgend_requests_total{"
					   "route=\"metrics\",code=\"200\"}"),
			    1);
	response_free(&r);
}
END_TEST

/* --healthcheck goes to the admin listener when there is one: with the
 * public port wrong it still passes, with the admin port wrong it fails. */
START_TEST(healthcheck_uses_admin_port)
{
	char wrong[16];
	const char *good[] = { "--healthcheck", "--port", "1",
			       "--admin-port", admin_arg, NULL };
	const char *live[] = { "--healthcheck=live", "--port", "1",
			       "--admin-port", admin_arg, NULL };
	const char *bad[] = { "--healthcheck", "--admin-port", wrong, NULL };

	snprintf(wrong, sizeof(wrong), "%u", free_port());
	ck_assert_int_eq(run_binary_status(good), 0);
	ck_assert_int_eq(run_binary_status(live), 0);
	ck_assert_int_eq(run_binary_status(bad), 1);
}
END_TEST

/* SIGTERM: the admin /readyz turns 503 draining at once, so an
 * orchestrator stops sending traffic, while /livez and /metrics answer. */
START_TEST(admin_readyz_503_while_draining)
{
	char port_arg[16];
	const char *flags[] = { "--admin-port", port_arg, "--grace", "3",
				NULL };
	unsigned port = free_port();
	struct server s;
	struct conn big;
	struct response r;

	snprintf(port_arg, sizeof(port_arg), "%u", port);
	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(conn_hold_budget(&big, s.port), 0);  /* in flight */
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	sleep_ms(200);
	ck_assert_int_eq(http_get(port, "/readyz", &r), 0);
	EXPECT_OK(verify_problem(&r, 503, URN "draining", NULL));
	response_free(&r);
	ck_assert_int_eq(http_get(port, "/livez", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(http_get(port, "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	conn_close(&big);
	ck_assert_int_eq(server_wait(&s, 7000), 0);
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	server_stop(&s);
}
END_TEST

/* A busy admin port is a start-up failure, said in one line. */
START_TEST(admin_port_busy_fails)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
	char port_arg[16];
	const char *args[] = { "--bind", "127.0.0.1", "--port", "0",
			       "--admin-port", port_arg, NULL };
	char *out, *err;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(port_arg, sizeof(port_arg), "%u", ntohs(a.sin_port));
	ck_assert_int_eq(run_binary(args, 10000, &status, &out, &err), 0);
	close(fd);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "cannot listen") != NULL &&
			      strstr(err, "(admin)") != NULL,
		      "%s", err);
	ck_assert_ptr_null(strstr(out, "listening"));
	free(out);
	free(err);
}
END_TEST

/* ================================================ GET /, pages and --web */

/* {"message":"Success","data":[{"1º pin":"<12 characters>"}]} */
static void expect_blog_index(const struct response *r)
{
	json_t *doc = response_json(r), *item;
	const char *pw;

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(header(r, "Content-Type"), "application/json");
	ck_assert_str_eq(header(r, "Vary"), "Accept");
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "message")),
			 "Success");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "data")), 1);
	item = json_array_get(json_object_get(doc, "data"), 0);
	pw = json_string_value(json_object_get(item, "1\xc2\xba pin"));
	ck_assert_msg(pw != NULL && strlen(pw) == 12, "%s", r->body);
	json_decref(doc);
}

START_TEST(index_json_for_scripts_html_for_browsers)
{
	static const char *const json_clients[] = {
		NULL, "Accept: */*\r\n", "Accept: application/json\r\n",
		"Accept: application/json, text/html;q=0.5\r\n" };
	struct response r;

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(http_do_with(fixture.port, "GET", "/",
					      json_clients[i], &r), 0);
		expect_blog_index(&r);
		response_free(&r);
	}
	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/",
				      BROWSER_ACCEPT, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Content-Type"), "text/html; charset=utf-8");
	ck_assert_str_eq(header(&r, "Vary"), "Accept");
	ck_assert_ptr_nonnull(strstr(r.body, "<html"));
	response_free(&r);
}
END_TEST

/* --web off: no page, no /docs, no page files; GET / is JSON for all. */
START_TEST(web_off_leaves_the_api)
{
	static const char *const gone[] = { "/docs", "/app.js", "/style.css",
		"/docs/init.js", "/docs/swagger-ui-bundle.js" };
	struct response r;

	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		ck_assert_int_eq(http_do_with(fixture.port, "GET", gone[i],
					      BROWSER_ACCEPT, &r), 0);
		EXPECT_OK(verify_problem(&r, 404, URN "not-found", NULL));
		response_free(&r);
	}
	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/",
				      BROWSER_ACCEPT, &r), 0);
	expect_blog_index(&r);
	response_free(&r);
	ck_assert_int_eq(http_get(fixture.port, "/openapi.json", &r), 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
}
END_TEST

/* ==================================================================== CORS */

#define ORIGIN_A "Origin: https://a.example\r\n"
#define PREFLIGHT_GET "Access-Control-Request-Method: GET\r\n"

/* Without --cors-origins: no CORS header, and a preflight is a 405. */
START_TEST(cors_off_by_default)
{
	struct response r;

	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/pin?quantity=1",
				      ORIGIN_A, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(response_header(&r, "Access-Control-Allow-Origin"));
	response_free(&r);
	ck_assert_int_eq(http_do_with(fixture.port, "OPTIONS", "/pin",
				      ORIGIN_A PREFLIGHT_GET, &r), 0);
	ck_assert_int_eq(r.status, 405);
	response_free(&r);
}
END_TEST

/* A listed origin may read replies, errors included; another may not. */
START_TEST(cors_listed_origins)
{
	static const char *const targets[] = { "/pin?quantity=1",
		"/password?quantity=0", "/nope" };
	struct response r;

	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(http_do_with(fixture.port, "GET", targets[i],
					      ORIGIN_A, &r), 0);
		ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"),
				 "https://a.example");
		ck_assert_str_eq(header(&r, "Vary"), "Origin");
		ck_assert_ptr_nonnull(strstr(header(&r, "Access-Control-"
						     "Expose-Headers"),
					      "X-Request-Id"));
		ck_assert_ptr_null(response_header(
			&r, "Access-Control-Allow-Credentials"));
		response_free(&r);
	}
	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/pin?quantity=1",
				      "Origin: https://a.example.evil\r\n",
				      &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(response_header(&r, "Access-Control-Allow-Origin"));
	response_free(&r);
}
END_TEST

START_TEST(cors_preflight)
{
	struct response r;

	ck_assert_int_eq(http_do_with(fixture.port, "OPTIONS",
				      "/password?quantity=5",
				      "Origin: https://b.example:8443\r\n"
				      PREFLIGHT_GET
				      "Access-Control-Request-Headers: "
				      "x-request-id\r\n", &r), 0);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"),
			 "https://b.example:8443");
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Methods"),
			 "GET, HEAD, POST");
	ck_assert_ptr_nonnull(strstr(header(&r, "Access-Control-Allow-"
					     "Headers"), "X-Request-Id"));
	ck_assert_str_eq(header(&r, "Access-Control-Max-Age"), "600");
	ck_assert_str_eq(header(&r, "Cache-Control"), "no-store");
	response_free(&r);
	/* a preflight to no route is the 404 the request would get */
	ck_assert_int_eq(http_do_with(fixture.port, "OPTIONS", "/nope",
				      ORIGIN_A PREFLIGHT_GET, &r), 0);
	EXPECT_OK(verify_problem(&r, 404, URN "not-found", NULL));
	response_free(&r);
	/* another origin, or no preflight request method: as before, 405 */
	ck_assert_int_eq(http_do_with(fixture.port, "OPTIONS", "/password",
				      "Origin: https://c.example\r\n"
				      PREFLIGHT_GET, &r), 0);
	ck_assert_int_eq(r.status, 405);
	response_free(&r);
	ck_assert_int_eq(http_do_with(fixture.port, "OPTIONS", "/password",
				      ORIGIN_A, &r), 0);
	ck_assert_int_eq(r.status, 405);
	response_free(&r);
}
END_TEST

/* --cors-origins '*': any origin, answered with * (no Vary: Origin). */
START_TEST(cors_any_origin)
{
	static const char *const flags[] = { "--cors-origins", "*", NULL };
	struct server s;
	struct response r;

	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(http_do_with(s.port, "GET", "/pin?quantity=1",
				      "Origin: https://anything.example\r\n",
				      &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "*");
	ck_assert_ptr_null(response_header(&r, "Vary"));
	response_free(&r);
	server_stop(&s);
}
END_TEST

/* ============================================================ request id */

START_TEST(request_id_echoed_or_made)
{
	struct response a, b, r;
	char long_id[200];

	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/pin?quantity=1",
				      "X-Request-Id: trace-42\r\n", &r), 0);
	ck_assert_str_eq(header(&r, "X-Request-Id"), "trace-42");
	response_free(&r);
	/* made when absent: distinct, valid */
	ck_assert_int_eq(http_get(fixture.port, "/livez", &a), 0);
	ck_assert_int_eq(http_get(fixture.port, "/nope", &b), 0);
	ck_assert_int_eq(b.status, 404);
	ck_assert_ptr_nonnull(response_header(&a, "X-Request-Id"));
	ck_assert_ptr_nonnull(response_header(&b, "X-Request-Id"));
	ck_assert_str_ne(header(&a, "X-Request-Id"),
			 header(&b, "X-Request-Id"));
	ck_assert_uint_ge(strlen(header(&a, "X-Request-Id")), 18);
	response_free(&a);
	response_free(&b);
	/* refused and replaced: too long, or bytes outside the set */
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	{
		char extra[300];

		snprintf(extra, sizeof(extra), "X-Request-Id: %s\r\n", long_id);
		ck_assert_int_eq(http_do_with(fixture.port, "GET", "/livez",
					      extra, &r), 0);
		ck_assert_str_ne(header(&r, "X-Request-Id"), long_id);
		ck_assert_uint_le(strlen(header(&r, "X-Request-Id")), 128);
		response_free(&r);
	}
	ck_assert_int_eq(http_do_with(fixture.port, "GET", "/livez",
				      "X-Request-Id: <script>\r\n", &r), 0);
	ck_assert_str_ne(header(&r, "X-Request-Id"), "<script>");
	response_free(&r);
}
END_TEST

/* The id is on the JSON access line of its request. */
START_TEST(request_id_in_json_log)
{
	static const char *const flags[] = { "--log-format", "json", NULL };
	struct server s;
	struct response r;
	char *log;

	ck_assert_int_eq(server_start(&s, flags), 0);
	ck_assert_int_eq(http_do_with(s.port, "GET", "/pin?quantity=1",
				      "X-Request-Id: follow-me-7\r\n"
				      "User-Agent: edge-test/1.0\r\n", &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	response_free(&r);
	ck_assert_int_eq(server_signal(&s, SIGTERM), 0);
	ck_assert_int_eq(server_wait(&s, 7000), 0);
	log = server_log(&s);
	ck_assert_msg(strstr(log, "\"request.id\":\"follow-me-7\"") != NULL,
		      "%s", log);
	ck_assert_msg(strstr(log, "\"user_agent.original\":\"edge-test/1.0\"")
			      != NULL, "%s", log);
	free(log);
	server_stop(&s);
}
END_TEST

/* =============================================================== entropy */

/* Every format says each item's entropy in X-Entropy-Bits, the figure
 * JSON carries in entropy_bits; unique=true says the items of a reply are
 * not independent, in a header and in JSON. */
START_TEST(entropy_header_on_every_format)
{
	static const char *const formats[] = { "json", "text", "ndjson" };
	struct response r;
	char target[96];
	json_t *doc;

	for (size_t i = 0; i < 3; i++) {
		snprintf(target, sizeof(target),
			 "/password?quantity=3&length=12&format=%s",
			 formats[i]);
		ck_assert_int_eq(http_get(fixture.port, target, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(header(&r, "X-Entropy-Bits"), "71.45");
		ck_assert_ptr_null(response_header(&r, "X-Entropy-Note"));
		response_free(&r);
	}
	ck_assert_int_eq(http_get(fixture.port, "/pin?quantity=5&unique=true"
				  "&format=text", &r), 0);
	ck_assert_str_eq(header(&r, "X-Entropy-Bits"), "19.93");
	ck_assert_ptr_nonnull(strstr(header(&r, "X-Entropy-Note"),
				     "not independent"));
	response_free(&r);
	ck_assert_int_eq(http_get(fixture.port, "/pin?quantity=5&unique=true",
				  &r), 0);
	doc = response_json(&r);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
					     doc, "entropy_note")),
				     "not independent"));
	ck_assert_double_eq_tol(json_real_value(json_object_get(
					doc, "entropy_bits")), 19.93, 1e-9);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 5);
	json_decref(doc);
	response_free(&r);
	/* explain generates nothing: no figure in a header */
	ck_assert_int_eq(http_get(fixture.port, "/pin/explain", &r), 0);
	ck_assert_ptr_null(response_header(&r, "X-Entropy-Bits"));
	response_free(&r);
}
END_TEST

Suite *edge_suite(void)
{
	Suite *s = suite_create("edge");
	TCase *adm = server_case("admin", setup_admin, TIMEOUT_LIGHT);
	TCase *web = server_case("web_default", setup_default, TIMEOUT_LIGHT);
	TCase *off = server_case("web_off", setup_web_off, TIMEOUT_LIGHT);
	TCase *cors = server_case("cors", setup_cors, TIMEOUT_LIGHT);
	TCase *own = tcase_create("own_server");

	tcase_add_test(adm, admin_serves_its_four_routes);
	tcase_add_test(adm, admin_serves_nothing_else);
	tcase_add_test(adm, admin_keeps_alive);
	tcase_add_test(adm, admin_refuses_a_long_body);
	tcase_add_test(adm, public_port_keeps_only_public_routes);
	tcase_add_test(adm, admin_scrape_sees_every_loop);
	tcase_add_test(adm, healthcheck_uses_admin_port);
	tcase_add_test(web, index_json_for_scripts_html_for_browsers);
	tcase_add_test(web, cors_off_by_default);
	tcase_add_test(web, request_id_echoed_or_made);
	tcase_add_test(web, entropy_header_on_every_format);
	tcase_add_test(off, web_off_leaves_the_api);
	tcase_add_test(cors, cors_listed_origins);
	tcase_add_test(cors, cors_preflight);
	tcase_set_timeout(own, TIMEOUT_HEAVY);
	tcase_add_test(own, admin_readyz_503_while_draining);
	tcase_add_test(own, admin_port_busy_fails);
	tcase_add_test(own, cors_any_origin);
	tcase_add_test(own, request_id_in_json_log);
	suite_add_tcase(s, adm);
	suite_add_tcase(s, web);
	suite_add_tcase(s, off);
	suite_add_tcase(s, cors);
	suite_add_tcase(s, own);
	return s;
}
