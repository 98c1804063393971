/*
 * problem.h - why a request was refused, as the problem+json reply
 * (RFC 9457) will say it: status, type, title, detail and the parameter at
 * fault. Filled by the parsers (request.h, kind.h, complex.h); http.c
 * turns it into the reply.
 */
#ifndef PWGEND_PROBLEM_H
#define PWGEND_PROBLEM_H

/* Why a target was refused; http.c turns this into a problem+json reply. */
/* Which part of the target was at fault: the path is checked before the
 * method (404 beats 405), the query after it (405 beats 400). */
enum request_stage {
	REQUEST_STAGE_PATH,
	REQUEST_STAGE_QUERY,
};

struct request_error {
	enum request_stage stage;
	int status;                /* 400 or 404 */
	const char *type;          /* problem type URI */
	const char *title;
	char detail[192];
	char parameter[80];        /* printable form of the name; "" if none */
};

/* Problem type URIs, also used by http.c for its own errors. */
#define PROBLEM_UNKNOWN_PARAMETER "urn:pwgend:problem:unknown-parameter"
#define PROBLEM_DUPLICATE_PARAMETER "urn:pwgend:problem:duplicate-parameter"
#define PROBLEM_INVALID_VALUE "urn:pwgend:problem:invalid-value"
#define PROBLEM_OUT_OF_RANGE "urn:pwgend:problem:out-of-range"
#define PROBLEM_EMPTY_ALPHABET "urn:pwgend:problem:empty-alphabet"
#define PROBLEM_CONFLICTING_PARAMETERS "urn:pwgend:problem:conflicting-parameters"
#define PROBLEM_UNSATISFIABLE "urn:pwgend:problem:unsatisfiable"
#define PROBLEM_MALFORMED_TARGET "urn:pwgend:problem:malformed-target"
#define PROBLEM_NOT_FOUND "urn:pwgend:problem:not-found"
#define PROBLEM_TOO_MUCH_WORK "urn:pwgend:problem:too-much-work"
/* the HTTP layer's own (http.c, admin.c) */
#define PROBLEM_METHOD_NOT_ALLOWED "urn:pwgend:problem:method-not-allowed"
#define PROBLEM_NOT_READY "urn:pwgend:problem:not-ready"
#define PROBLEM_DRAINING "urn:pwgend:problem:draining"

/* Fill *err (status, type, title, `param` or "" if NULL, and the detail
 * from fmt) and return -1; shared with complex.c's body errors. */
__attribute__((format(printf, 6, 7)))
int request_fail(struct request_error *err, int status, const char *type,
		 const char *title, const char *param, const char *fmt, ...);

#endif
