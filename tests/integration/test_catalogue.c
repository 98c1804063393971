/*
 * test_catalogue.c - the HTTP-level rows of tests/BAD_INPUTS.md, each sent
 * as exact raw bytes on a fresh connection to a server with a 2 s idle
 * timeout. Every row states what must come back:
 *
 *   PROBLEM  pwgend's own problem+json (status, type, parameter; 405 also
 *            carries Allow: GET, HEAD);
 *   SERVED   the input is tolerated: a normal 200 for GET /pin;
 *   LIBRARY  libmicrohttpd refuses it before pwgend sees it: its own reply
 *            with that status (no generated data in it), then it closes;
 *   CLOSED   no reply at all: the connection is closed within the idle
 *            timeout + 1 s.
 *
 * After every row a request on a fresh connection must still be served, so
 * no input crashes, wedges or poisons the server. Rows that only end at the
 * idle timeout (F_IDLE) run together in one test, so they cost one timeout,
 * not one each. The query-string rows of the catalogue are in test_errors.c;
 * the rows here add what only raw bytes can express (methods, versions,
 * framing, headers, raw control and non-ASCII bytes, sizes).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "suites.h"
#include "verify.h"

#define URN "urn:pwgend:problem:"

enum { IDLE_TIMEOUT_S = 2, CLOSE_WITHIN_MS = (IDLE_TIMEOUT_S + 1) * 1000 };

enum expect { PROBLEM, SERVED, LIBRARY, CLOSED };

enum {
	F_IDLE = 1u << 0,      /* ends only at the idle timeout */
	F_CONTINUE = 1u << 1,  /* a "100 Continue" may come first */
};

struct row {
	const char *id;                /* as in tests/BAD_INPUTS.md */
	const char *bytes;             /* the request, or NULL: see build */
	size_t len;
	void (*build)(FILE *out);      /* writes a large request */
	enum expect expect;
	int status;                    /* PROBLEM and LIBRARY */
	const char *type;              /* PROBLEM: after the URN prefix */
	const char *parameter;         /* PROBLEM: NULL = none named */
	unsigned flags;
};

#define RAW(s) .bytes = (s), .len = sizeof(s) - 1
#define GET(target) RAW("GET " target " HTTP/1.1\r\nHost: a\r\n\r\n")
#define WITH(line, headers) RAW(line "\r\nHost: a\r\n" headers "\r\n")
#define BODY(line, headers, body) \
	RAW(line "\r\nHost: a\r\n" headers "\r\n" body)
#define PROB(st, ty, pa) .expect = PROBLEM, .status = (st), .type = (ty), \
			 .parameter = (pa)
#define LIB(st) .expect = LIBRARY, .status = (st)
#define SERVE .expect = SERVED
#define CLOSE .expect = CLOSED

/* ============================================================ builders */

static void repeat(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputs(s, out);
}

static void target_of(FILE *out, const char *prefix, size_t pad)
{
	fprintf(out, "GET %s", prefix);
	repeat(out, "a", pad);
	fputs(" HTTP/1.1\r\nHost: a\r\n\r\n", out);
}

static void query_8k(FILE *out)
{
	target_of(out, "/pin?x=", 8192);
}

static void target_40k(FILE *out)
{
	target_of(out, "/pin?x=", 40000);
}

/* Past libmicrohttpd's connection memory (160 KiB by default). */
static void target_200k(FILE *out)
{
	target_of(out, "/pin?x=", 200000);
}

static void params_500(FILE *out)
{
	fputs("GET /pin?a0=1", out);
	for (int i = 1; i < 500; i++)
		fprintf(out, "&a%d=1", i);
	fputs(" HTTP/1.1\r\nHost: a\r\n\r\n", out);
}

static void headers_n(FILE *out, int n)
{
	fputs("GET /pin HTTP/1.1\r\nHost: a\r\n", out);
	for (int i = 0; i < n; i++)
		fprintf(out, "X-H%d: v\r\n", i);
	fputs("\r\n", out);
}

static void headers_1000(FILE *out)
{
	headers_n(out, 1000);
}

static void headers_3000(FILE *out)
{
	headers_n(out, 3000);
}

static void header_of(FILE *out, size_t n)
{
	fputs("GET /pin HTTP/1.1\r\nHost: a\r\nX-Big: ", out);
	repeat(out, "a", n);
	fputs("\r\n\r\n", out);
}

static void header_40k(FILE *out)
{
	header_of(out, 40000);
}

static void header_200k(FILE *out)
{
	header_of(out, 200000);
}

/* ================================================================ rows */

static const struct row rows[] = {
	/* methods: 405 with Allow, whatever the method looks like */
	{ "H01", WITH("POST /password HTTP/1.1", "Content-Length: 0\r\n"),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H02", WITH("PUT /password HTTP/1.1", "Content-Length: 0\r\n"),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H03", WITH("DELETE /pin HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H04", WITH("OPTIONS /password HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H05", WITH("TRACE /password HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H06", WITH("CONNECT /password HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H07", WITH("PATCH /pin HTTP/1.1", "Content-Length: 0\r\n"),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H08", WITH("FOO /pin HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H09", WITH("get /pin HTTP/1.1", ""),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H10", BODY("POST /pin HTTP/1.1", "Content-Length: 5\r\n", "hello"),
	  PROB(405, "method-not-allowed", NULL) },
	{ "H11", WITH("CONNECT 127.0.0.1:80 HTTP/1.1", ""),
	  PROB(404, "not-found", NULL) },
	{ "H12", WITH("OPTIONS * HTTP/1.1", ""), PROB(404, "not-found", NULL) },

	/* versions and request lines */
	{ "H13", RAW("GET /pin HTTP/1.0\r\n\r\n"), SERVE },
	{ "H14", RAW("GET /pin HTTP/1.1\r\n\r\n"), LIB(400) },
	{ "H15", RAW("GET /pin\r\n\r\n"), LIB(400) },
	{ "H16", WITH("GET /pin HTTP/2.0", ""), LIB(505) },
	{ "H17", WITH("GET /pin HTTP/9.9", ""), LIB(505) },
	{ "H18", WITH("GET /pin HTTX/1.1", ""), LIB(400) },
	{ "H19", WITH("GET /pin http/1.1", ""), LIB(400) },
	{ "H20", WITH("GET /pin HTTP/1.2", ""), SERVE },
	{ "H21", RAW("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), LIB(505) },
	{ "H22", RAW("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
	  CLOSE },
	{ "H23", RAW("hello world\r\n\r\n"), LIB(400) },
	{ "H24", WITH("GET /pin ?quantity=1 HTTP/1.1", ""), CLOSE },
	{ "H25", WITH("GET\t/pin\tHTTP/1.1", ""), CLOSE },
	{ "H26", WITH("GET  /pin HTTP/1.1", ""), SERVE },
	{ "H27", RAW("\r\nGET /pin HTTP/1.1\r\nHost: a\r\n\r\n"), SERVE },
	{ "H28", RAW("GET /pin HTTP/1.1\nHost: a\n\n"), SERVE },
	{ "H29", RAW(""), CLOSE, .flags = F_IDLE },
	{ "H30", RAW("GET /pin HTT"), CLOSE, .flags = F_IDLE },
	{ "H31", RAW("\r\n\r\n"), CLOSE, .flags = F_IDLE },
	{ "H32", RAW("GET /pin HTTP/1.1\r\nHost: a\r\n"), CLOSE,
	  .flags = F_IDLE },

	/* path tricks: paths match exactly, nothing is normalised */
	{ "H33", GET("//password"), PROB(404, "not-found", NULL) },
	{ "H34", GET("/password/"), PROB(404, "not-found", NULL) },
	{ "H35", GET("/PASSWORD"), PROB(404, "not-found", NULL) },
	{ "H36", GET("/password%00"), PROB(404, "not-found", NULL) },
	{ "H37", GET("/./password"), PROB(404, "not-found", NULL) },
	{ "H38", GET("/../password"), PROB(404, "not-found", NULL) },
	{ "H39", GET("/password/.."), PROB(404, "not-found", NULL) },
	{ "H40", GET("/%70in"), SERVE },
	{ "H41", GET("http://127.0.0.1/pin"), SERVE },
	{ "H42", GET("http://127.0.0.1/pin?bogus=1"),
	  PROB(400, "unknown-parameter", "bogus") },
	{ "H43", GET("pin"), PROB(404, "not-found", NULL) },
	{ "H44", GET("*"), PROB(404, "not-found", NULL) },
	{ "H45", GET("/pin#x"), PROB(404, "not-found", NULL) },
	{ "H46", GET("/pin?quantity=2#x"),
	  PROB(400, "invalid-value", "quantity") },
	{ "H47", GET("/pin\x01"), PROB(404, "not-found", NULL) },
	{ "H48", GET("/p\xc3\xadn"), PROB(404, "not-found", NULL) },
	{ "H49", GET("/pin\x7f"), PROB(404, "not-found", NULL) },

	/* raw control and non-ASCII bytes, and their escapes, in the query */
	{ "H50", GET("/pin?quantity=\x01"),
	  PROB(400, "invalid-value", "quantity") },
	{ "H51", GET("/pin?quantity=1\x7f"),
	  PROB(400, "invalid-value", "quantity") },
	{ "H52", GET("/pin?length=\xd9\xa6"),
	  PROB(400, "invalid-value", "length") },
	{ "H53", GET("/pin?\xff=1"), PROB(400, "unknown-parameter", "\\xFF") },
	{ "H54", GET("/pin?length=%D9%A6"),
	  PROB(400, "invalid-value", "length") },
	{ "H55", GET("/pin?length=%EF%BC%96"),
	  PROB(400, "invalid-value", "length") },
	{ "H56", GET("/pin?length=%FF"), PROB(400, "invalid-value", "length") },
	{ "H57", GET("/pin?length=6%0D%0AX-Injected:%201"),
	  PROB(400, "invalid-value", "length") },
	{ "H58", GET("/pin?length=%096"), PROB(400, "invalid-value", "length") },
	{ "H59", GET("/pin?length=\t6"), PROB(400, "invalid-value", "length") },
	{ "H60", GET("/pin?length=%E2%80%AE6"),
	  PROB(400, "invalid-value", "length") },
	{ "H61", GET("/pin?%1B[2J=1"), PROB(400, "unknown-parameter",
					       "\\x1B[2J") },

	/* sizes */
	{ "H62", .build = query_8k, PROB(414, "uri-too-long", NULL) },
	{ "H63", .build = target_40k, PROB(414, "uri-too-long", NULL) },
	{ "H64", .build = target_200k, LIB(414) },
	{ "H65", .build = params_500, PROB(414, "uri-too-long", NULL) },
	{ "H66", .build = headers_1000, SERVE },
	{ "H67", .build = headers_3000, LIB(431) },
	{ "H68", .build = header_40k, SERVE },
	{ "H69", .build = header_200k, LIB(431) },
	{ "H70", RAW("GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG"
		     "GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG"
		     " /pin HTTP/1.1\r\nHost: a\r\n\r\n"),
	  PROB(405, "method-not-allowed", NULL) },

	/* header fields (libmicrohttpd's leniencies are documented rows) */
	{ "H71", WITH("GET /pin HTTP/1.1", "Host: b\r\n"),
	  PROB(400, "malformed-request", NULL) },
	{ "H72", RAW("GET /pin HTTP/1.1\r\nHost:\r\n\r\n"), SERVE },
	{ "H73", WITH("GET /pin HTTP/1.1", "NoColonHere\r\n"), LIB(400) },
	{ "H74", WITH("GET /pin HTTP/1.1", "X-A : 1\r\n"),
	  PROB(400, "malformed-request", NULL) },
	{ "H75", WITH("GET /pin HTTP/1.1", "X-A: 1\r\n  folded\r\n"), SERVE },
	{ "H76", WITH("GET /pin HTTP/1.1", "X-A: \x01\x02\x1b\r\n"), SERVE },
	{ "H77", WITH("GET /pin HTTP/1.1", "X-A: a\x00z\r\n"), SERVE },
	{ "H78", WITH("GET /pin HTTP/1.1", ": x\r\n"), SERVE },
	{ "H79", WITH("GET /pin HTTP/1.1", "Upgrade: h2c\r\nConnection: "
		      "Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQ"
		      "AAP__\r\n"), SERVE },
	{ "H80", WITH("GET /pin HTTP/1.1", "X-\xc3\xa9: \xff\xfe\r\n"), SERVE },

	/* bodies on GET and message framing */
	{ "H81", BODY("GET /pin HTTP/1.1", "Content-Length: 5\r\n", "hello"),
	  SERVE },
	{ "H82", BODY("GET /pin HTTP/1.1", "Transfer-Encoding: chunked\r\n",
		      "5\r\nhello\r\n0\r\n\r\n"), SERVE },
	{ "H83", BODY("GET /pin HTTP/1.1", "Transfer-Encoding: chunked\r\n",
		      "5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"),
	  SERVE },
	{ "H84", BODY("GET /pin HTTP/1.1", "Transfer-Encoding: CHUNKED\r\n",
		      "0\r\n\r\n"), SERVE },
	{ "H85", BODY("GET /pin HTTP/1.1", "Content-Length: 5\r\n"
		      "Transfer-Encoding: chunked\r\n", "0\r\n\r\n"),
	  PROB(400, "malformed-request", NULL) },
	{ "H86", BODY("GET /pin HTTP/1.1", "Content-Length: 0\r\n"
		      "Content-Length: 5\r\n", "hello"),
	  PROB(400, "malformed-request", NULL) },
	{ "H87", BODY("GET /pin HTTP/1.1", "Content-Length: 5\r\n"
		      "Content-Length: 5\r\n", "hello"), SERVE },
	{ "H88", BODY("GET /pin HTTP/1.1", "Content-Length: 5, 5\r\n",
		      "hello"), LIB(400) },
	{ "H89", WITH("GET /pin HTTP/1.1", "Content-Length: -1\r\n"), LIB(400) },
	{ "H90", WITH("GET /pin HTTP/1.1", "Content-Length: abc\r\n"),
	  LIB(400) },
	{ "H91", BODY("GET /pin HTTP/1.1", "Content-Length: +5\r\n", "hello"),
	  LIB(400) },
	{ "H92", WITH("GET /pin HTTP/1.1",
		      "Content-Length: 99999999999999999999999\r\n"), LIB(413) },
	{ "H93", BODY("GET /pin HTTP/1.1", "Content-Length: 10\r\n", "hello"),
	  CLOSE, .flags = F_IDLE },
	{ "H94", BODY("GET /pin HTTP/1.1",
		      "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
	  PROB(400, "malformed-request", NULL) },
	{ "H95", WITH("GET /pin HTTP/1.1", "Transfer-Encoding: gzip\r\n"),
	  PROB(400, "malformed-request", NULL) },
	{ "H96", BODY("GET /pin HTTP/1.1", "Transfer-Encoding: chunked\r\n",
		      "zz\r\nhello\r\n0\r\n\r\n"), LIB(400) },
	{ "H97", BODY("GET /pin HTTP/1.1", "Transfer-Encoding: chunked\r\n",
		      "ffffffffffffffffff\r\nhello\r\n"), LIB(413) },
	{ "H98", BODY("GET /pin HTTP/1.1", "Expect: 100-continue\r\n"
		      "Content-Length: 5\r\n", "hello"),
	  SERVE, .flags = F_CONTINUE },
	{ "H99", WITH("GET /pin HTTP/1.1", "Expect: 100-continue\r\n"
		      "Content-Length: 5\r\n"),
	  CLOSE, .flags = F_IDLE | F_CONTINUE },
	/* an idle keep-alive connection after a served request */
	{ "H100", GET("/pin"), SERVE, .flags = F_IDLE },
	/* a raw NUL cuts the target as pwgend sees it: known bug K1/K2 */
	{ "H101", GET("/pin\0/../nope"), SERVE },
};

#define N_ROWS (int)(sizeof(rows) / sizeof(rows[0]))

/* ============================================================ checking */

static void setup_catalogue(void)
{
	/* 160 KiB per connection, so that long targets and header sets reach
	 * pwgend (the default 32 KiB is tuned for speed, see docs/CONFIGURATION.md) */
	static const char *const flags[] = { "--connection-timeout", "2",
					     "--connection-memory-limit",
					     "163840", NULL };

	fixture_start(flags);
}

/* Send the row's bytes. The server may refuse and close before it has read
 * them all (a 200 KB header, say): whether that is fine is the row's
 * expectation to judge, so the result is returned, not asserted. */
static int send_row(struct conn *c, const struct row *t)
{
	char *buf = NULL;
	size_t len = t->len;
	const char *bytes = t->bytes;
	int rc;

	if (bytes == NULL) {
		FILE *out = open_memstream(&buf, &len);

		ck_assert_ptr_nonnull(out);
		t->build(out);
		fclose(out);
		bytes = buf;
	}
	rc = conn_send(c, bytes, len);
	free(buf);
	return rc;
}

/* Read a reply, skipping the interim 100 Continue a row may get first. */
static int read_reply(struct conn *c, const struct row *t, struct response *r)
{
	if (conn_read(c, r, false) < 0)
		return -1;
	if (r->status == 100 && (t->flags & F_CONTINUE)) {
		response_free(r);
		return conn_read(c, r, false);
	}
	return 0;
}

/* True when what is left on the connection, before it closes, is nothing
 * but an allowed interim 100 (or whatever trails an already read reply,
 * `after_reply`); the connection must close by `deadline` (now_ms()). */
static bool closes_quietly(struct conn *c, const struct row *t,
			   long deadline, bool after_reply, char *why,
			   size_t why_len)
{
	size_t pending = c->len;       /* bytes conn_read left buffered */

	for (;;) {
		char buf[4096];
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			snprintf(why, why_len, "still open after %d ms",
				 CLOSE_WITHIN_MS);
			return false;
		}
		conn_set_timeout(c, (int)left);
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, why_len, "still open after %d ms",
				 CLOSE_WITHIN_MS);
			return false;
		}
		if (!after_reply && pending == 0 && (t->flags & F_CONTINUE) &&
		    strncmp(buf, "HTTP/1.1 100 ", 13) == 0)
			continue;
		pending += (size_t)n;
		if (!after_reply) {
			snprintf(why, why_len, "unexpected reply: %.60s", buf);
			return false;
		}
	}
	return true;
}

static void check_problem(const struct row *t, const struct response *r)
{
	char urn[96];
	const char *why, *allow;

	snprintf(urn, sizeof(urn), URN "%s", t->type);
	why = verify_problem(r, t->status, urn, t->parameter);
	ck_assert_msg(why == NULL, "%s: %s", t->id, why);
	if (t->status != 405)
		return;
	allow = response_header(r, "Allow");
	ck_assert_msg(allow != NULL && strcmp(allow, "GET, HEAD") == 0,
		      "%s: Allow is %s", t->id, allow ? allow : "(absent)");
}

/* libmicrohttpd's own refusal: the status, never JSON (so never anything
 * generated), then the connection closes. */
static void check_library(const struct row *t, const struct response *r)
{
	const char *type = response_header(r, "Content-Type");

	ck_assert_msg(r->status == t->status, "%s: status %d, want %d", t->id,
		      r->status, t->status);
	ck_assert_msg(type == NULL || strstr(type, "json") == NULL,
		      "%s: Content-Type %s", t->id, type);
}

/* The reply the row expects, on a connection it was sent on at `sent`. */
static void check_row(const struct row *t, struct conn *c, long sent)
{
	long deadline = sent + CLOSE_WITHIN_MS;
	struct response r;
	char why[160];

	if (t->expect == CLOSED) {
		ck_assert_msg(closes_quietly(c, t, deadline, false, why,
					     sizeof(why)), "%s: %s", t->id,
			      why);
		return;
	}
	ck_assert_msg(read_reply(c, t, &r) == 0, "%s: no reply", t->id);
	if (t->expect == PROBLEM)
		check_problem(t, &r);
	else if (t->expect == SERVED)
		EXPECT_OK(verify_items(&r, "pin", 1, 6, CLS_DIGITS, NULL));
	else
		check_library(t, &r);
	response_free(&r);
	if (t->expect == LIBRARY || (t->flags & F_IDLE))
		ck_assert_msg(closes_quietly(c, t, deadline, true, why,
					     sizeof(why)), "%s: %s", t->id,
			      why);
}

/* The server is still there and serving, on a fresh connection. */
static void expect_still_serving(const char *after)
{
	struct response r;

	ck_assert_msg(kill(fixture.pid, 0) == 0, "server gone after %s", after);
	ck_assert_msg(http_get(fixture.port, "/healthz", &r) == 0,
		      "no reply to /healthz after %s", after);
	ck_assert_msg(r.status == 200, "/healthz %d after %s", r.status,
		      after);
	response_free(&r);
}

/* One row that is answered (or refused) at once. */
START_TEST(row)
{
	const struct row *t = &rows[_i];
	struct conn c;
	long sent;
	int rc;

	if (t->flags & F_IDLE)
		return;  /* in idle_rows */
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	rc = send_row(&c, t);
	ck_assert_msg(rc == 0 || t->expect == LIBRARY || t->expect == CLOSED,
		      "%s: send failed: %s", t->id, strerror(errno));
	sent = now_ms();
	check_row(t, &c, sent);
	conn_close(&c);
	expect_still_serving(t->id);
}
END_TEST

/* The rows that end only at the idle timeout, all at once. */
START_TEST(idle_rows)
{
	struct conn c[N_ROWS];
	long sent;
	size_t n = 0;

	for (int i = 0; i < N_ROWS; i++) {
		if (!(rows[i].flags & F_IDLE))
			continue;
		ck_assert_int_eq(conn_open(&c[i], fixture.port), 0);
		ck_assert_msg(send_row(&c[i], &rows[i]) == 0, "%s: send failed",
			      rows[i].id);
	}
	sent = now_ms();
	for (int i = 0; i < N_ROWS; i++) {
		if (!(rows[i].flags & F_IDLE))
			continue;
		check_row(&rows[i], &c[i], sent);
		conn_close(&c[i]);
		n++;
	}
	ck_assert_uint_ge(n, 7);  /* the rows flagged F_IDLE */
	expect_still_serving("the idle rows");
}
END_TEST

/* ==================================================== one connection */

/* Requests that pwgend refuses leave the connection usable: each refusal
 * is followed by a served request on the same connection. */
START_TEST(keep_alive_after_errors)
{
	static const char *const refused[] = {
		"GET /password?lenght=5 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /pass%zzword HTTP/1.1\r\nHost: a\r\n\r\n",
		"DELETE /pin HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /pin HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"GET /pin?length=%FF HTTP/1.1\r\nHost: a\r\n\r\n",
	};
	static const int status[] = { 400, 404, 400, 405, 405, 400 };
	char *long_target = NULL;
	size_t long_len = 0;
	FILE *out = open_memstream(&long_target, &long_len);
	struct conn c;
	struct response r;

	ck_assert_ptr_nonnull(out);
	query_8k(out);
	fclose(out);
	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	for (size_t i = 0; i <= 6; i++) {
		const char *req = i < 6 ? refused[i] : long_target;

		ck_assert_int_eq(conn_send(&c, req, strlen(req)), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		ck_assert_int_eq(r.status, i < 6 ? status[i] : 414);
		ck_assert_msg(!r.closed, "closed after a %d", r.status);
		response_free(&r);
		ck_assert_int_eq(conn_request(&c, "GET", "/pin", NULL), 0);
		ck_assert_int_eq(conn_read(&c, &r, false), 0);
		EXPECT_OK(verify_items(&r, "pin", 1, 6, CLS_DIGITS, NULL));
		response_free(&r);
	}
	conn_close(&c);
	free(long_target);
}
END_TEST

/* Refusals and successes pipelined in one send are answered in order, a
 * POST body in the middle is not taken for a request, and the connection
 * closes after the request that asks for it. */
START_TEST(pipelined_with_errors)
{
	static const char reqs[] =
		"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /pin HTTP/1.1\r\nHost: a\r\nContent-Length: 31\r\n\r\n"
		"GET /healthz HTTP/1.1\r\nHost: \r\n"
		"GET /pin?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /pin?length=5 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /password?quantity=%zz HTTP/1.1\r\nHost: a\r\n\r\n"
		"HEAD /nope HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /pin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
		"GET /pin HTTP/1.1\r\nHost: a\r\n\r\n";
	static const int status[] = { 404, 405, 400, 200, 400, 404, 200 };
	struct conn c;
	struct response r;
	char byte;

	ck_assert_int_eq(conn_open(&c, fixture.port), 0);
	ck_assert_int_eq(conn_send(&c, reqs, sizeof(reqs) - 1), 0);
	for (size_t i = 0; i < 7; i++) {
		ck_assert_msg(conn_read(&c, &r, i == 5) == 0, "reply %zu", i);
		ck_assert_msg(r.status == status[i], "reply %zu: %d, want %d",
			      i, r.status, status[i]);
		if (i == 3)
			EXPECT_OK(verify_items(&r, "pin", 1, 5, CLS_DIGITS,
					       NULL));
		response_free(&r);
	}
	conn_set_timeout(&c, CLOSE_WITHIN_MS);
	ck_assert_msg(c.len == 0 && recv(c.fd, &byte, 1, 0) <= 0,
		      "the request after Connection: close was answered");
	conn_close(&c);
	expect_still_serving("pipelining");
}
END_TEST

/* ================================================================ suite */

Suite *catalogue_suite(void)
{
	Suite *s = suite_create("catalogue");
	TCase *tc = server_case("rows", setup_catalogue, TIMEOUT_HEAVY);

	tcase_add_loop_test(tc, row, 0, N_ROWS);
	tcase_add_test(tc, idle_rows);
	tcase_add_test(tc, keep_alive_after_errors);
	tcase_add_test(tc, pipelined_with_errors);
	suite_add_tcase(s, tc);
	return s;
}
