/* check_framing.c - the framing verdict on header fields as libmicrohttpd
 * 0.9.75 hands them over, folded names included. */
#include <stddef.h>

#include "framing.h"
#include "suites.h"

struct field {
	const char *name;
	const char *value;
};

static const char *verdict(const struct field *fields, size_t n)
{
	struct framing f = FRAMING_INIT;

	for (size_t i = 0; i < n; i++)
		framing_add(&f, fields[i].name, fields[i].value);
	return framing_verdict(&f);
}

#define VERDICT(...)                                                        \
	verdict((const struct field[]){ __VA_ARGS__ },                      \
		sizeof((const struct field[]){ __VA_ARGS__ }) /             \
			sizeof(struct field))

START_TEST(test_plain_requests_pass)
{
	ck_assert_ptr_null(VERDICT({ "Host", "a" }));
	ck_assert_ptr_null(VERDICT({ "Host", "a" }, { "Content-Length", "5" }));
	ck_assert_ptr_null(VERDICT({ "Host", "a" },
				   { "Transfer-Encoding", "chunked" }));
	ck_assert_ptr_null(VERDICT({ "host", "a" },
				   { "transfer-encoding", "CHUNKED" }));
	/* repeated but equal lengths are one length (RFC 9112 6.3) */
	ck_assert_ptr_null(VERDICT({ "Content-Length", "5" },
				   { "Content-Length", "5" }));
	/* a name that merely contains a framing field's is not one */
	ck_assert_ptr_null(VERDICT({ "X-Content-Length", "1" }));
	ck_assert_ptr_null(VERDICT({ "Content-Type", "application/json" }));
}
END_TEST

START_TEST(test_smuggling_shapes_refused)
{
	ck_assert_str_eq(VERDICT({ "Content-Length", "5" },
				 { "Transfer-Encoding", "chunked" }),
			 "both Content-Length and Transfer-Encoding");
	ck_assert_str_eq(VERDICT({ "Transfer-Encoding", "chunked" },
				 { "Content-Length", "5" }),
			 "both Content-Length and Transfer-Encoding");
	ck_assert_str_eq(VERDICT({ "Transfer-Encoding", "chunked" },
				 { "Transfer-Encoding", "identity" }),
			 "more than one Transfer-Encoding field");
	ck_assert_str_eq(VERDICT({ "Transfer-Encoding", "chunked" },
				 { "Transfer-Encoding", "chunked" }),
			 "more than one Transfer-Encoding field");
	ck_assert_str_eq(VERDICT({ "Content-Length", "0" },
				 { "Content-Length", "31" }),
			 "conflicting Content-Length fields");
	ck_assert_str_eq(VERDICT({ "Host", "a" }, { "Host", "b" }),
			 "more than one Host field");
	ck_assert_str_eq(VERDICT({ "X-A ", "1" }),
			 "whitespace between a field name and its colon");
}
END_TEST

START_TEST(test_encodings_other_than_chunked)
{
	static const char *const bad[] = { "identity", "xchunked",
		"chunked, identity", "gzip, chunked", "gzip", "", " chunked",
		"chunked;q=1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(VERDICT({ "Transfer-Encoding", bad[i] }) != NULL,
			      "\"%s\" passed", bad[i]);
	ck_assert_ptr_nonnull(VERDICT({ "Transfer-Encoding", NULL }));
}
END_TEST

/* libmicrohttpd 0.9.75 glues a continuation line onto the field name:
 * "Transfer-Encoding:\r\n chunked" arrives as "Transfer-Encodingchunked". */
START_TEST(test_folded_framing_fields)
{
	ck_assert_str_eq(VERDICT({ "Transfer-Encodingchunked", "" },
				 { "Content-Length", "3" }),
			 "a framing field folded onto a continuation line");
	ck_assert_str_eq(VERDICT({ "content-length5", "" }),
			 "a framing field folded onto a continuation line");
	/* the first fault is the one reported */
	ck_assert_str_eq(VERDICT({ "X-A ", "1" }, { "Host", "a" },
				 { "Host", "b" }),
			 "whitespace between a field name and its colon");
}
END_TEST

Suite *framing_suite(void)
{
	Suite *s = suite_create("framing");
	TCase *tc = tcase_create("framing");

	tcase_add_test(tc, test_plain_requests_pass);
	tcase_add_test(tc, test_smuggling_shapes_refused);
	tcase_add_test(tc, test_encodings_other_than_chunked);
	tcase_add_test(tc, test_folded_framing_fields);
	suite_add_tcase(s, tc);
	return s;
}
