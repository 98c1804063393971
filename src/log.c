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

/* Printable ASCII verbatim, everything else (and backslash) as \xNN;
 * spaces too, unless `keep_space` (JSON strings, where a space is no
 * separator). */
static void put_escaped_as(struct out *o, const char *s, size_t n,
			   bool keep_space)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];

		if ((c > 0x20 || (c == 0x20 && keep_space)) && c < 0x7f &&
		    c != '\\') {
			put(o, (const char *)&c, 1);
			continue;
		}
		snprintf(esc, sizeof(esc), "\\x%02X", c);
		put(o, esc, 4);
	}
}

static void put_escaped(struct out *o, const char *s, size_t n)
{
	put_escaped_as(o, s, n, false);
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
 * 1000 for the path + 16 x 160 for names + 800 for the User-Agent + ~550
 * for the rest (ids are already plain) is under 5 KiB; a line is written
 * with one write(2), which keeps it whole on a file or a terminal, and
 * on a pipe up to PIPE_BUF (4 KiB), which only a hostile client's line
 * passes. */
enum {
	JSON_PATH_MAX = 200,           /* raw bytes of the path kept */
	JSON_NAME_MAX = 32,            /* raw bytes of each name kept */
	JSON_NAMES_MAX = 16,           /* names kept */
	JSON_UA_MAX = 160,             /* raw bytes of the User-Agent kept */
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
	put_escaped_as(&o, s, n, true);
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

/* Set a member; a NULL value (jansson's ENOMEM), which jansson refuses,
 * clears *ok, so one check at the end covers every allocation. */
static void put_member(json_t *o, const char *key, json_t *value, bool *ok)
{
	if (json_object_set_new(o, key, value) != 0)
		*ok = false;
}

/* A plain string field, \xNN-escaped and cut to `max` bytes; absent when
 * empty. */
static void put_escaped_field(json_t *o, const char *key, const char *s,
			      size_t max, bool *truncated, bool *ok)
{
	if (s != NULL && s[0] != '\0')
		put_member(o, key, escaped_string(s, strlen(s), max, truncated), ok);
}

/* The members every line starts with. */
static void put_head(json_t *o, const char *level, const char *message,
		     bool *ok)
{
	char ts[64];

	format_timestamp(ts, sizeof(ts));
	put_member(o, "time", json_string(ts), ok);
	put_member(o, "level", json_string(level), ok);
	put_member(o, "message", json_string(message), ok);
}

/* At most `max` bytes of an escaped path, not cutting a \xNN escape. */
static size_t message_path_len(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	for (size_t i = max; i > max - 4 && i > 0; i--)
		if (s[i - 1] == '\\')
			return i - 1;  /* an escape starts inside the cut */
	return max;
}

/* The OpenTelemetry semantic conventions' names where they have one (HTTP
 * server spans: http.request.method, url.path, ...), pwgend.* for the
 * rest. The duration is http.server.request.duration's, in seconds. */
static json_t *access_object(const struct access_record *r,
			     const struct access_gen *gen)
{
	const char *q = memchr(r->target, '?', r->target_len);
	size_t path = q != NULL ? (size_t)(q - r->target) : r->target_len;
	bool truncated = false;
	json_t *o = json_object();
	json_t *method = escaped_string(r->method, strlen(r->method),
					JSON_NAME_MAX, &truncated);
	json_t *url_path = escaped_string(r->target, path, JSON_PATH_MAX,
					  &truncated);
	char message[JSON_NAME_MAX * 4 + 64 + 16];
	bool ok = true;

	if (o == NULL || method == NULL || url_path == NULL) {
		json_decref(o);
		json_decref(method);
		json_decref(url_path);
		return NULL;
	}
	/* "GET /password 200", for people (the path cut to 64 bytes, never
	 * inside a \xNN escape; the parts are fields of their own) */
	snprintf(message, sizeof(message), "%s %.*s %d",
		 json_string_value(method),
		 (int)message_path_len(json_string_value(url_path), 64),
		 json_string_value(url_path), r->status);
	put_head(o, "info", message, &ok);
	put_member(o, "http.request.method", method, &ok);
	put_member(o, "url.path", url_path, &ok);
	put_member(o, "pwgend.params", q == NULL ? json_array() :
		   param_names(q + 1, r->target_len - path - 1, &truncated),
		   &ok);
	put_member(o, "http.response.status_code", json_integer(r->status),
		   &ok);
	put_member(o, "http.response.body.size",
		   json_integer((json_int_t)r->bytes), &ok);
	put_member(o, "http.server.request.duration",
		   json_real((double)r->duration_us / 1e6), &ok);
	put_member(o, "pwgend.aborted", json_boolean(r->aborted), &ok);
	put_escaped_field(o, "request.id", r->request_id, JSON_NAME_MAX * 4,
			  &truncated, &ok);
	put_escaped_field(o, "client.address", r->client, JSON_NAME_MAX * 2,
			  &truncated, &ok);
	put_escaped_field(o, "user_agent.original", r->user_agent,
			  JSON_UA_MAX, &truncated, &ok);
	if (gen != NULL) {
		put_member(o, "pwgend.kind", json_string(gen->kind), &ok);
		put_member(o, "pwgend.quantity",
			   json_integer((json_int_t)gen->quantity), &ok);
	}
	if (truncated)
		put_member(o, "pwgend.truncated", json_true(), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Compact, in insertion order, newline-terminated; malloc'd. */
static char *dump_line(json_t *o, size_t *len)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				     JSON_REAL_PRECISION(6));
	char *line;
	size_t n;

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

char *log_format_access_json(const struct access_record *r,
			     const struct access_gen *gen, size_t *len)
{
	json_t *o = access_object(r, gen);
	char *line;

	if (o == NULL)
		return NULL;
	line = dump_line(o, len);
	json_decref(o);
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

/* The one process-wide setting (see log.h): written by main before any
 * thread starts, read-only afterwards. */
static enum log_format log_format_in_use = LOG_FORMAT_TEXT;

void log_set_format(enum log_format format)
{
	log_format_in_use = format;
}

void log_access(const struct access_record *r, const struct access_gen *gen)
{
	char line[1024];
	char *json;
	size_t len = 0;

	if (log_format_in_use == LOG_FORMAT_TEXT) {
		write_line(line, log_format_access(line, sizeof(line), r));
		return;
	}
	json = log_format_access_json(r, gen, &len);
	if (json == NULL) {
		log_error("access log: out of memory");
		return;
	}
	write_line(json, len);
	free(json);
}

/* A service message as a JSON line: time, level, message, and `port`
 * when not 0 (the start-up line). */
static void write_json_message(const char *level, const char *msg,
			       const char *address, unsigned port)
{
	json_t *o = json_object();
	char *line = NULL;
	size_t len = 0;

	bool ok = true;

	if (o != NULL) {
		put_head(o, level, msg, &ok);
		if (port != 0) {
			put_member(o, "server.address", json_string(address), &ok);
			put_member(o, "server.port", json_integer(port), &ok);
		}
		line = ok ? dump_line(o, &len) : NULL;
		json_decref(o);
	}
	if (line != NULL)
		write_line(line, len);
	free(line);
}

static void write_message(const char *level, const char *fmt, va_list ap)
{
	char line[512];
	struct out o = { line, sizeof(line), 0 };
	char msg[480];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_format_in_use == LOG_FORMAT_JSON) {
		write_json_message(level, msg, NULL, 0);
		return;
	}
	put(&o, "pwgend: ", 8);
	put(&o, msg, strlen(msg));
	line[o.len++] = '\n';
	write_line(line, o.len);
}

static void log_message(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_message(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_message(level, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_message("info", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_message("error", fmt, ap);
	va_end(ap);
}

void log_library(void *cls, const char *fmt, va_list ap)
{
	char msg[480];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_message("warn", "%s", msg);
}

void log_listening(const char *url, const char *address, unsigned port)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "pwgend listening on %s", url);
	if (log_format_in_use == LOG_FORMAT_JSON) {
		write_json_message("info", msg, address, port);
		return;
	}
	printf("%s\n", msg);
	fflush(stdout);
}
