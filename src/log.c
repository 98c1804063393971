/* log.c - see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void put_timestamp(struct out *o)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	put_fmt(o, "%s.%03ldZ ", when, ts.tv_nsec / 1000000);
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

void log_access(const struct access_record *r)
{
	char line[1024];

	write_line(line, log_format_access(line, sizeof(line), r));
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
