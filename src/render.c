/* render.c - see render.h. */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

/* Compact output, reals as %.10g: entropy is rounded to 2 decimals first, so
 * 10 significant digits print it exactly (e.g. 119.09, not 119.09000000000001). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

static double round2(double x)
{
	return round(x * 100.0) / 100.0;
}

/* Dump `doc` (stealing the reference) to a malloc'd string. */
static char *dump_and_free(json_t *doc, size_t *len)
{
	char *body = NULL;

	if (doc != NULL)
		body = json_dumps(doc, DUMP_FLAGS);
	json_decref(doc);
	if (body != NULL && len != NULL)
		*len = strlen(body);
	return body;
}

/* Decimal digits of v at p (which has room for 20): the end. */
static char *put_uint(char *p, unsigned long long v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* entropy_bits as jansson printed it (%.10g of the value rounded to 2
 * decimals, ".0" added to a whole number): integer arithmetic on the
 * hundredths, since printf's floating-point path cost more than the rest
 * of the head. Exact for 0 <= x < 1e7, far above any entropy served (a
 * 1024-character password of 256 symbols has 8192 bits); anything else
 * is printed by jansson itself. */
static char *put_bits(char *p, double x, size_t room)
{
	unsigned long long cents, frac;
	int n;

	if (!(x >= 0 && x < 1e7)) {  /* never in practice: jansson's way */
		json_t *v = json_real(round2(x));
		char *s = v != NULL ? json_dumps(v, DUMP_FLAGS |
							    JSON_ENCODE_ANY)
				    : NULL;

		json_decref(v);

		n = s != NULL ? (int)strlen(s) : -1;
		if (n > 0 && (size_t)n < room)
			memcpy(p, s, (size_t)n);
		free(s);
		return n > 0 && (size_t)n < room ? p + n : NULL;
	}
	cents = (unsigned long long)llround(x * 100.0);
	frac = cents % 100;
	p = put_uint(p, cents / 100);
	*p++ = '.';
	if (frac == 0) {
		*p++ = '0';
	} else {
		*p++ = (char)('0' + frac / 10);
		if (frac % 10 != 0)
			*p++ = (char)('0' + frac % 10);
	}
	return p;
}

/*
 * The head of the items document, written directly: every request renders
 * one, and building it with jansson (pack, dump, free), then with
 * snprintf, cost more than the rest of a quantity=1 request's own work.
 * The fields are fixed ASCII names, integers and a finite real; the bytes
 * are those jansson printed (check_render.c compares the two).
 */
int render_items_open(struct sbuf *out, const struct items_header *h)
{
	char head[192], *p = head;

	if (strlen(h->kind) + strlen(h->size_name) > 64)
		return -EINVAL;
	p = put_str(p, "{\"kind\":\"");
	p = put_str(p, h->kind);
	p = put_str(p, "\",\"quantity\":");
	p = put_uint(p, h->quantity);
	p = put_str(p, ",\"");
	p = put_str(p, h->size_name);
	p = put_str(p, "\":");
	p = put_uint(p, h->size);
	p = put_str(p, ",\"entropy_bits\":");
	p = put_bits(p, h->entropy_bits, sizeof(head) - 20 - (size_t)(p - head));
	if (p == NULL)
		return -EINVAL;
	if (h->note != NULL &&
	    (sbuf_add(out, head, (size_t)(p - head)) < 0 ||
	     sbuf_add(out, ",\"entropy_note\":\"",
		      sizeof(",\"entropy_note\":\"") - 1) < 0 ||
	     sbuf_add(out, h->note, strlen(h->note)) < 0 ||
	     sbuf_add(out, "\"", 1) < 0))
		return -ENOMEM;
	if (h->note != NULL)
		p = head;
	p = put_str(p, ",\"items\":[");
	return sbuf_add(out, head, (size_t)(p - head));
}

size_t render_bits(char *out, size_t cap, double bits)
{
	char *end = cap >= 32 ? put_bits(out, bits, cap - 1) : NULL;

	if (end == NULL) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	*end = '\0';
	return (size_t)(end - out);
}

/* Bytes that JSON strings cannot carry verbatim: controls, '"' and '\\'. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

int render_explain(struct sbuf *out, const struct items_header *h,
		   json_t *details)
{
	json_t *doc = json_pack("{s:s, s:I, s:I, s:f, s:o}",
				"kind", h->kind,
				"quantity", (json_int_t)h->quantity,
				h->size_name, (json_int_t)h->size,
				"entropy_bits", round2(h->entropy_bits),
				"explain", details);
	size_t len = 0;
	char *body = dump_and_free(doc, &len);
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = sbuf_add(out, body, len);
	free(body);
	return rc;
}

int render_json_string(struct sbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t clean = 0;
	int rc;
	char *p;

	/* Fast path: most items need no escaping at all. */
	while (clean < n && !needs_escape((unsigned char)s[clean]))
		clean++;
	/* worst case: every byte becomes \u00XX, plus the quotes */
	rc = sbuf_reserve(out, 2 + clean + (n - clean) * 6);
	if (rc < 0)
		return rc;
	p = out->buf + out->len;
	*p++ = '"';
	memcpy(p, s, clean);
	p += clean;
	for (size_t i = clean; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!needs_escape(c)) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 0xf];
		}
	}
	*p++ = '"';
	out->len = (size_t)(p - out->buf);
	return 0;
}

bool render_is_clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (needs_escape((unsigned char)s[i]))
			return false;
	}
	return true;
}

int render_item(struct sbuf *out, size_t index, const char *s, size_t n)
{
	int rc;

	if (!render_is_clean(s, n)) {
		if (index > 0 && (rc = sbuf_add(out, ",", 1)) < 0)
			return rc;
		return render_json_string(out, s, n);
	}
	return render_item_clean(out, index, s, n);
}

/* The common case, one reservation and straight copies: ,"item" */
int render_item_clean(struct sbuf *out, size_t index, const char *s, size_t n)
{
	char *p;
	int rc = sbuf_reserve(out, n + 3);

	if (rc < 0)
		return rc;
	p = out->buf + out->len;
	if (index > 0)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	out->len = (size_t)(p - out->buf);
	return 0;
}

int render_items_close(struct sbuf *out)
{
	return sbuf_add(out, "]}", 2);
}

int render_data_open(struct sbuf *out, int blog)
{
	return sbuf_adds(out, blog ? "{\"message\":\"Success\",\"data\":["
				   : "{\"data\":[");
}

int render_data_item(struct sbuf *out, size_t index, const char *s, size_t n,
		     int blog)
{
	char key[48];
	int rc;

	if (!blog)
		return render_item(out, index, s, n);
	/* {"1º pin":"..."}: the same "pin" key for passwords, and U+00BA
	 * MASCULINE ORDINAL INDICATOR as raw UTF-8, exactly as the original */
	snprintf(key, sizeof(key), "%s{\"%zu\xc2\xba pin\":",
		 index > 0 ? "," : "", index + 1);
	rc = sbuf_adds(out, key);
	if (rc == 0)
		rc = render_json_string(out, s, n);
	return rc < 0 ? rc : sbuf_add(out, "}", 1);
}

int render_data_close(struct sbuf *out)
{
	return sbuf_add(out, "]}", 2);
}

int render_data_close_entropy(struct sbuf *out, double entropy_bits,
			      const char *note)
{
	size_t len = 0;
	char *tail = dump_and_free(json_pack("{s:f, s:s}", "entropy_bits",
					     round2(entropy_bits),
					     "entropy_note", note), &len);
	int rc;

	if (tail == NULL)
		return -ENOMEM;
	/* "]," then the object without its '{': the keys follow "data" */
	rc = sbuf_add(out, "],", 2);
	if (rc == 0)
		rc = sbuf_add(out, tail + 1, len - 1);
	free(tail);
	return rc;
}

char *render_v1_health(size_t *len)
{
	struct timespec ts;
	struct tm tm;
	char when[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when),
		 ".%06ld+00:00", ts.tv_nsec / 1000);
	return dump_and_free(json_pack("{s:s, s:s}", "status", "ok",
				       "timestamp", when), len);
}

int render_text_item(struct sbuf *out, const char *s, size_t n)
{
	int rc = sbuf_reserve(out, n + 1);

	if (rc < 0)
		return rc;
	memcpy(out->buf + out->len, s, n);
	out->buf[out->len + n] = '\n';
	out->len += n + 1;
	return 0;
}

int render_ndjson_item(struct sbuf *out, const char *s, size_t n)
{
	int rc = render_json_string(out, s, n);

	return rc < 0 ? rc : sbuf_add(out, "\n", 1);
}

char *render_problem(int status, const char *type, const char *title,
		     const char *detail, const char *parameter, size_t *len)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s}",
				"type", type,
				"title", title,
				"status", status,
				"detail", detail);

	if (doc != NULL && parameter != NULL &&
	    json_object_set_new(doc, "parameter", json_string(parameter)) != 0) {
		json_decref(doc);
		return NULL;
	}
	return dump_and_free(doc, len);
}

char *render_status(const char *status, size_t *len)
{
	return dump_and_free(json_pack("{s:s}", "status", status), len);
}
