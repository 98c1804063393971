/*
 * log.h - stderr logging: one access line per request, and service messages.
 *
 * The access line never contains a generated item or a query value: only the
 * method, the path, the *names* of the query parameters, status, bytes sent
 * and the duration. Bytes outside printable ASCII are written as \xNN, so a
 * client cannot forge log lines. Each line is a single write(2).
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

/* Format an access line into buf (always NUL-terminated, newline included).
 * Returns its length. Exposed for tests. */
size_t log_format_access(char *buf, size_t cap, const struct access_record *r);

/* Write an access line to stderr. */
void log_access(const struct access_record *r);

/* "pwgend: <message>" on stderr. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
