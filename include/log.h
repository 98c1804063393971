/*
 * log.h - stderr logging: one access line per request, and service messages.
 *
 * The access line never contains a generated item or a query value: only the
 * method, the path, the *names* of the query parameters, status, bytes sent
 * and the duration (and in JSON the request id, client address and
 * User-Agent). Bytes outside printable ASCII are written as \xNN, so a
 * client cannot forge log lines. Each line is a single write(2).
 *
 * Two formats (--log-format), chosen once at start-up (log_set_format, a
 * process-wide setting written before any thread starts and only read
 * afterwards):
 *   text  the access line is space-separated, service messages are
 *         "pwgend: <message>", and the start-up line goes to stdout;
 *   json  every line, access, service message and start-up alike, is one
 *         JSON object on stderr with time (RFC 3339 UTC), level and
 *         message; access lines add the OpenTelemetry HTTP semantic
 *         conventions' fields:
 *   {"time":"2026-12-05T03:04:05.678Z","level":"info",
 *    "message":"GET /password 200",
 *    "http.request.method":"GET","url.path":"/password",
 *    "pwgend.params":["quantity","length"],"http.response.status_code":200,
 *    "http.response.body.size":1234,"http.server.request.duration":5.6e-05,
 *    "pwgend.aborted":false,"request.id":"...","client.address":"10.0.0.7",
 *    "user_agent.original":"curl/7.88.1","pwgend.kind":"password",
 *    "pwgend.quantity":10}
 * request.id, client.address and user_agent.original are left out when
 * unknown, pwgend.kind and pwgend.quantity unless the request was a valid
 * generation request. Strings hold the same \xNN-escaped text as the text
 * format. Long values are cut (path 200 bytes, 16 names of 32 bytes,
 * User-Agent 160) and the line then carries "pwgend.truncated":true.
 */
#ifndef PWGEND_LOG_H
#define PWGEND_LOG_H

#include <stdarg.h>
#include <stddef.h>

struct access_record {
	const char *method;
	const char *target;            /* raw request-target, not NUL-terminated */
	size_t target_len;
	int status;
	size_t bytes;                  /* body bytes of the reply */
	long duration_us;
	int aborted;                   /* the client did not get it all */
	const char *request_id;        /* JSON only; NULL or "": none */
	const char *client;            /* peer address, JSON only */
	const char *user_agent;        /* JSON only */
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

/* The format of every line from now on; call before any thread starts.
 * The default is text. */
void log_set_format(enum log_format format);

/* Write an access line to stderr (`gen` as above). */
void log_access(const struct access_record *r, const struct access_gen *gen);

/* A service message on stderr: "pwgend: <message>", or a JSON line with
 * level "info" / "error". */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* libmicrohttpd's error messages (MHD_OPTION_EXTERNAL_LOGGER), which it
 * would otherwise print as text: level "warn", the trailing newline cut. */
void log_library(void *cls, const char *fmt, va_list ap);

/* The start-up line with the address served, e.g. "pwgend listening on
 * http://127.0.0.1:8080": on stdout in text (scripts and tests read it),
 * as a JSON line on stderr with server.address and server.port in JSON.
 * `url` is the scheme://host:port part. */
void log_listening(const char *url, const char *address, unsigned port);

#endif
