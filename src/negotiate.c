/* negotiate.c - see negotiate.h. */
#include "negotiate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *type;              /* "text" */
	const char *subtype;           /* "plain" */
	enum reply_format format;
} formats[] = {   /* in order of preference for ties */
	{ "application", "json", FORMAT_JSON },
	{ "text", "plain", FORMAT_TEXT },
	{ "application", "x-ndjson", FORMAT_NDJSON },
	{ "text", "html", FORMAT_JSON },  /* GET /'s page, not a reply format */
};

/* The reply formats are the first three; the page only scores. */
enum { N_SCORED = sizeof(formats) / sizeof(formats[0]), N_FORMATS = 3,
       HTML = 3 };

/* How specifically a range matches a format: 3 exact, 2 type/star,
 * 1 star/star, 0 no match. */
static int specificity(const char *range, size_t n, size_t f)
{
	const char *slash = memchr(range, '/', n);
	size_t tlen, slen;
	const char *sub;

	if (slash == NULL)
		return 0;
	tlen = (size_t)(slash - range);
	sub = slash + 1;
	slen = n - tlen - 1;
	if (tlen == 1 && range[0] == '*' && slen == 1 && sub[0] == '*')
		return 1;
	if (tlen != strlen(formats[f].type) ||
	    strncasecmp(range, formats[f].type, tlen) != 0)
		return 0;
	if (slen == 1 && sub[0] == '*')
		return 2;
	if (slen == strlen(formats[f].subtype) &&
	    strncasecmp(sub, formats[f].subtype, slen) == 0)
		return 3;
	return 0;
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* The q of one media range's parameters ("; q=0.5; x=y"). */
static double q_of(const char *p, const char *end)
{
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi != NULL ? semi : end;

		p = skip_space(p, stop);
		if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') &&
		    p[1] == '=') {
			char buf[8] = { 0 };
			size_t len = (size_t)(stop - p - 2);
			char *tail;
			double q;

			memcpy(buf, p + 2, len < 7 ? len : 7);
			q = strtod(buf, &tail);
			return tail != buf && q >= 0 && q <= 1 ? q : 1;
		}
		p = semi != NULL ? semi + 1 : end;
	}
	return 1;
}

/* Apply one media range "type/subtype;params" to the per-format scores. */
static void apply_range(const char *r, const char *end, double q[N_SCORED],
			int spec[N_SCORED])
{
	const char *semi = memchr(r, ';', (size_t)(end - r));
	const char *type_end = semi != NULL ? semi : end;
	double qv;

	r = skip_space(r, type_end);
	while (type_end > r && (type_end[-1] == ' ' || type_end[-1] == '\t'))
		type_end--;
	qv = semi != NULL ? q_of(semi + 1, end) : 1;
	for (size_t f = 0; f < N_SCORED; f++) {
		int s = specificity(r, (size_t)(type_end - r), f);

		if (s > spec[f]) {
			spec[f] = s;
			q[f] = qv;
		}
	}
}

/* Score every entry of formats[] against the header (not empty). */
static void score(const char *accept, double q[N_SCORED], int spec[N_SCORED])
{
	const char *p = accept, *end = accept + strlen(accept);

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;

		apply_range(p, stop, q, spec);
		p = comma != NULL ? comma + 1 : end;
	}
}

static bool is_blank(const char *accept)
{
	return accept == NULL ||
	       *skip_space(accept, accept + strlen(accept)) == '\0';
}

int negotiate_format(const char *accept, enum reply_format *out)
{
	double q[N_SCORED] = { 0 };
	int spec[N_SCORED] = { 0 };
	size_t best = N_FORMATS;

	if (is_blank(accept)) {
		*out = FORMAT_JSON;
		return 0;
	}
	score(accept, q, spec);
	for (size_t f = 0; f < N_FORMATS; f++) {
		if (q[f] > 0 && (best == N_FORMATS || q[f] > q[best]))
			best = f;
	}
	if (best == N_FORMATS)
		return -1;
	*out = formats[best].format;
	return 0;
}

bool negotiate_wants_html(const char *accept)
{
	double q[N_SCORED] = { 0 };
	int spec[N_SCORED] = { 0 };

	if (is_blank(accept))
		return false;
	score(accept, q, spec);
	return spec[HTML] >= 2 && q[HTML] > 0 && q[HTML] >= q[0];
}
