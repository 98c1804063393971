/*
 * log.h - stderr logging: one access line per request, and service messages.
 *
 * The access line never contains a generated item or a query value: only the
 * method, the path, the *names* of the query parameters, status, bytes sent
 * and the duration. Bytes outside printable ASCII are written as \xNN, so a
 * client cannot forge log lines. Each line is a single write(2).
 *
 * Two formats (--log-format): `text`, a space-separated line, and `json`,
 * one JSON object per line (built with jansson, so quoting is right):
 *   {"ts":"2025-01-02T03:04:05.678Z","method":"GET","path":"/password",
 *    "params":["quantity","length"],"status":200,"bytes":1234,
 *    "duration_us":56,"kind":"password","quantity":10,"aborted":false}
 * kind and quantity come from the validated request of a generation route
 * and are null otherwise. Strings hold the same \xNN-escaped text as the
 * text format (printable ASCII only, backslash escaped too). Long targets
 * are cut (path 200 bytes, 16 names of 32 bytes) and then carry
 * "truncated":true, so a line stays under 4 KiB (PIPE_BUF).
 */
#ifndef PWGEND_LOG_H
#define PWGEND_LOG_H

#include <stddef.h>

struct access_record {
	const char *method;
	const char *target;            /* raw request-target, not NUL-terminated */
	size_t target_len;
	int status;
	size_t bytes;                  /* body bytes of the reply */
	long duration_us;
	int aborted;                   /* the client did not get it all */
};

/* What a validated generation request asked for (JSON lines only). */
struct access_gen {
	const char *kind;              /* "password", "pin" */
	size_t quantity;
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/* Format an access line into buf (always NUL-terminated, newline included).
 * Returns its length. Exposed for tests. */
size_t log_format_access(char *buf, size_t cap, const struct access_record *r);

/* The JSON form of the line, newline included, as a malloc'd string
 * (length in *len); NULL on ENOMEM. `gen` NULL: kind and quantity are
 * null. Exposed for tests. */
char *log_format_access_json(const struct access_record *r,
			     const struct access_gen *gen, size_t *len);

/* Write an access line in `format` to stderr (`gen` as above). */
void log_access(enum log_format format, const struct access_record *r,
		const struct access_gen *gen);

/* "pwgend: <message>" on stderr. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
