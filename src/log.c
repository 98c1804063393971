/* log.c - see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

/* Append, always leaving room for a final newline and the NUL. */
static void put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && o->len + 2 < o->cap; i++)
		o->buf[o->len++] = s[i];
	o->buf[o->len] = '\0';
}

/* Printable ASCII verbatim, everything else (and backslash) as \xNN. */
static void put_escaped(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];

		if (c > 0x20 && c < 0x7f && c != '\\') {
			put(o, (const char *)&c, 1);
			continue;
		}
		snprintf(esc, sizeof(esc), "\\x%02X", c);
		put(o, esc, 4);
	}
}

static void put_fmt(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put_fmt(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* RFC 3339 UTC with milliseconds: "2025-01-02T03:04:05.678Z". */
static void format_timestamp(char *buf, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%03dZ", when, (int)(ts.tv_nsec / 1000000 % 1000));
}

static void put_timestamp(struct out *o)
{
	char when[64];

	format_timestamp(when, sizeof(when));
	put_fmt(o, "%s ", when);
}

/* The path, then "?name&name" with the values left out. */
static void put_target(struct out *o, const char *t, size_t n)
{
	const char *q = memchr(t, '?', n);
	size_t path = q != NULL ? (size_t)(q - t) : n;

	put_escaped(o, t, path);
	for (size_t i = path; i < n;) {
		const char *amp = memchr(t + i + 1, '&', n - i - 1);
		size_t end = amp != NULL ? (size_t)(amp - t) : n;
		const char *eq = memchr(t + i + 1, '=', end - i - 1);
		size_t name_end = eq != NULL ? (size_t)(eq - t) : end;

		put(o, i == path ? "?" : "&", 1);
		put_escaped(o, t + i + 1, name_end - i - 1);
		i = end;
	}
}

size_t log_format_access(char *buf, size_t cap, const struct access_record *r)
{
	struct out o = { buf, cap, 0 };

	if (cap < 2)
		return 0;
	buf[0] = '\0';
	put_timestamp(&o);
	put_escaped(&o, r->method, strlen(r->method));
	put(&o, " ", 1);
	put_target(&o, r->target, r->target_len);
	put_fmt(&o, " %d %zu %ldus%s", r->status, r->bytes, r->duration_us,
		r->aborted ? " aborted" : "");
	/* put() keeps len <= cap - 2, so the newline and NUL always fit */
	buf[o.len++] = '\n';
	buf[o.len] = '\0';
	return o.len;
}

/* ================================================================= JSON */

/* Worst case, every byte escaped (\xNN, then \\xNN in JSON: 5 bytes):
 * 1000 for the path + 16 x 160 for names + ~250 for the rest < 4096, so
 * even a hostile line is one atomic write to a pipe (PIPE_BUF). */
enum {
	JSON_PATH_MAX = 200,           /* raw bytes of the path kept */
	JSON_NAME_MAX = 32,            /* raw bytes of each name kept */
	JSON_NAMES_MAX = 16,           /* names kept */
};

/* A JSON string of s[0, n) (at most `max` bytes of it) in the text format's
 * \xNN escaping, so it is plain ASCII whatever the client sent. */
static json_t *escaped_string(const char *s, size_t n, size_t max,
			      bool *truncated)
{
	char buf[4 * JSON_PATH_MAX + 2];
	struct out o = { buf, sizeof(buf), 0 };

	if (n > max) {
		n = max;
		*truncated = true;
	}
	buf[0] = '\0';
	put_escaped(&o, s, n);
	return json_stringn(buf, o.len);
}

/* The names of the query's non-empty pairs, never their values. */
static json_t *param_names(const char *q, size_t n, bool *truncated)
{
	json_t *names = json_array();

	while (names != NULL && n > 0) {
		const char *amp = memchr(q, '&', n);
		size_t len = amp != NULL ? (size_t)(amp - q) : n;
		const char *eq = memchr(q, '=', len);
		size_t name = eq != NULL ? (size_t)(eq - q) : len;

		if (len > 0 && json_array_size(names) == JSON_NAMES_MAX) {
			*truncated = true;
			break;
		}
		if (len > 0 && json_array_append_new(
				       names, escaped_string(q, name,
							     JSON_NAME_MAX,
							     truncated)) < 0) {
			json_decref(names);
			return NULL;
		}
		if (amp == NULL)
			break;
		q += len + 1;
		n -= len + 1;
	}
	return names;
}

/* Build the object; jansson's setters ignore (and free) NULL values, and
 * a missing member is caught below, so one check covers every ENOMEM. */
static json_t *access_object(const struct access_record *r,
			     const struct access_gen *gen)
{
	const char *q = memchr(r->target, '?', r->target_len);
	size_t path = q != NULL ? (size_t)(q - r->target) : r->target_len;
	bool truncated = false;
	char ts[64];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	format_timestamp(ts, sizeof(ts));
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "method", escaped_string(r->method,
		strlen(r->method), JSON_NAME_MAX, &truncated));
	json_object_set_new(o, "path", escaped_string(r->target, path,
		JSON_PATH_MAX, &truncated));
	json_object_set_new(o, "params", q == NULL ? json_array() :
		param_names(q + 1, r->target_len - path - 1, &truncated));
	json_object_set_new(o, "status", json_integer(r->status));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "duration_us", json_integer(r->duration_us));
	json_object_set_new(o, "kind", gen != NULL ? json_string(gen->kind)
						   : json_null());
	json_object_set_new(o, "quantity", gen != NULL ?
		json_integer((json_int_t)gen->quantity) : json_null());
	json_object_set_new(o, "aborted", json_boolean(r->aborted));
	if (truncated)
		json_object_set_new(o, "truncated", json_true());
	if (json_object_size(o) != 10u + truncated) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *log_format_access_json(const struct access_record *r,
			     const struct access_gen *gen, size_t *len)
{
	json_t *o = access_object(r, gen);
	char *text, *line;
	size_t n;

	if (o == NULL)
		return NULL;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return NULL;
	n = strlen(text);
	line = realloc(text, n + 2);
	if (line == NULL) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

/* ================================================================ output */

static void write_line(const char *line, size_t n)
{
	/* one write(2) per line keeps concurrent lines whole */
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, n);

		if (w <= 0)
			return;
		line += w;
		n -= (size_t)w;
	}
}

void log_access(enum log_format format, const struct access_record *r,
		const struct access_gen *gen)
{
	char line[1024];
	char *json;
	size_t len = 0;

	if (format == LOG_FORMAT_TEXT) {
		write_line(line, log_format_access(line, sizeof(line), r));
		return;
	}
	json = log_format_access_json(r, gen, &len);
	if (json == NULL) {
		log_info("access log: out of memory");
		return;
	}
	write_line(json, len);
	free(json);
}

void log_info(const char *fmt, ...)
{
	char line[512];
	struct out o = { line, sizeof(line), 0 };
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put(&o, "pwgend: ", 8);
	put(&o, msg, strlen(msg));
	line[o.len++] = '\n';
	write_line(line, o.len);
}
