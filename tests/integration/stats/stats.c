/*
 * stats.c - `make stats`: a large sample from the real server, through HTTP,
 * and the statistics on it (see tests/README.md, "Statistics").
 *
 *   stats OUTDIR        the report below
 *   stats --stream      packed symbol bytes on stdout, without end (for
 *                       dieharder -g 200, which reads raw bytes from stdin)
 *
 * Starts $PWGEND_BIN on loopback (harness.c), then for each alphabet
 *
 *   pin        /pin?quantity=100000&length=64, twice      k = 10, 12.8 M
 *   password   /password?quantity=100000&length=100       k = 62, 10 M
 *   all        the same with symbols=true                 k = 94, 10 M
 *   symbols    symbols only, quantity=100000&length=160   k = 32, 16 M
 *
 * reports chi-square tests at p = 0.001 (character frequencies, each
 * position within an item, non-overlapping pairs) and the Shannon entropy
 * per character against log2(k). It writes the raw characters of the first
 * three to OUTDIR/{pin,password,all}.txt (for `ent`, whose entropy per
 * "byte" is then log2(k) bits) and packs the symbols sample into a byte
 * stream, OUTDIR/bytes.bin: 32 symbols are exactly 5 bits each, so 8
 * characters make 5 uniform bytes with no rejection and no bias, and byte
 * tests (ent, dieharder) apply as they stand. Exit status 1 when a
 * chi-square test fails (which a correct generator does with probability
 * about 0.001 per test).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chi_square.h"
#include "harness.h"
#include "verify.h"

enum { MAX_K = 94, QUANTITY = 100000 };

struct sample {
	const char *name;
	const char *target;
	int requests;
	size_t length;                 /* characters per item */
	const char *alphabet;
	size_t k;
	const char *file;              /* raw characters, or NULL */
};

static const struct sample samples[] = {
	{ "pin", "/pin?quantity=100000&length=64", 2, 64, DIGIT_CHARS, 10,
	  "pin.txt" },
	{ "password", "/password?quantity=100000&length=100", 1, 100,
	  LOWER_CHARS UPPER_CHARS DIGIT_CHARS, 62, "password.txt" },
	{ "all", "/password?quantity=100000&length=100&symbols=true", 1, 100,
	  LOWER_CHARS UPPER_CHARS DIGIT_CHARS SYMBOL_CHARS, 94, "all.txt" },
	{ "symbols", "/password?lower=0&upper=0&digits=0&symbols=1&"
		     "quantity=100000&length=160", 1, 160, SYMBOL_CHARS, 32,
	  NULL },
};

/* ======================================================== chi-square */

/* Regularized upper incomplete gamma Q(a, x), Numerical Recipes' series
 * and continued fraction; the p-value of a chi-square x2 with df degrees
 * of freedom is Q(df / 2, x2 / 2). */
static double gamma_q(double a, double x)
{
	double gln = lgamma(a);

	if (x <= 0)
		return 1.0;
	if (x < a + 1) {
		double sum = 1.0 / a, del = sum, ap = a;

		for (int n = 0; n < 100000 && fabs(del) > fabs(sum) * 1e-15;
		     n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
		}
		return 1.0 - sum * exp(-x + a * log(x) - gln);
	}
	double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;

	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a), del;

		b += 2;
		d = an * d + b;
		d = fabs(d) < 1e-300 ? 1e-300 : d;
		c = b + an / c;
		c = fabs(c) < 1e-300 ? 1e-300 : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return exp(-x + a * log(x) - gln) * h;
}

static int failures;

/* One line of the report; a p-value under 0.001 is a failure. */
static void report(const char *sample, const char *test, double x2,
		   double df)
{
	double p = gamma_q(df / 2, x2 / 2);
	int ok = p >= 0.001;

	failures += !ok;
	printf("  %-9s %-28s chi2 %12.1f  df %6.0f  p %.4f  %s\n", sample,
	       test, x2, df, p, ok ? "ok" : "FAIL");
}

/* ========================================================== counting */

struct counts {
	size_t k, length;
	unsigned long total;
	unsigned long freq[MAX_K];
	unsigned long *pos;            /* length x k */
	unsigned long *pair;           /* k x k */
	signed char index[256];        /* character -> 0..k-1, or -1 */
};

static void counts_init(struct counts *c, const struct sample *s)
{
	memset(c, 0, sizeof(*c));
	c->k = s->k;
	c->length = s->length;
	c->pos = calloc(s->length * s->k, sizeof(*c->pos));
	c->pair = calloc(s->k * s->k, sizeof(*c->pair));
	if (c->pos == NULL || c->pair == NULL) {
		perror("calloc");
		exit(2);
	}
	memset(c->index, -1, sizeof(c->index));
	for (size_t i = 0; i < s->k; i++)
		c->index[(unsigned char)s->alphabet[i]] = (signed char)i;
}

/* Count one item; -1 if it is not `length` characters of the alphabet. */
static int count_item(struct counts *c, const char *item, size_t n)
{
	int prev = -1;

	if (n != c->length)
		return -1;
	for (size_t j = 0; j < n; j++) {
		int x = c->index[(unsigned char)item[j]];

		if (x < 0)
			return -1;
		c->freq[x]++;
		c->pos[j * c->k + (size_t)x]++;
		if (j % 2 == 1)
			c->pair[(size_t)prev * c->k + (size_t)x]++;
		prev = x;
	}
	c->total += n;
	return 0;
}

static double entropy_bits(const struct counts *c)
{
	double h = 0;

	for (size_t i = 0; i < c->k; i++) {
		double p = (double)c->freq[i] / (double)c->total;

		if (p > 0)
			h -= p * log2(p);
	}
	return h;
}

/* Frequencies, each position, the positions' worst p against a Bonferroni
 * bound, pairs, entropy. */
static void report_counts(const char *name, const struct counts *c)
{
	double k = (double)c->k, sum = 0, worst = 1;
	double per_pos = (double)c->total / (double)c->length / k;

	report(name, "character frequencies",
	       chi_square(c->freq, c->k, (double)c->total / k), k - 1);
	for (size_t j = 0; j < c->length; j++) {
		double x2 = chi_square(c->pos + j * c->k, c->k, per_pos);
		double p = gamma_q((k - 1) / 2, x2 / 2);

		sum += x2;
		worst = p < worst ? p : worst;
	}
	report(name, "positions (sum)", sum, (double)c->length * (k - 1));
	printf("  %-9s %-28s worst p %.5f over %zu positions  %s\n", name,
	       "positions (each)", worst, c->length,
	       worst >= 0.001 / (double)c->length ? "ok" : "FAIL");
	failures += worst < 0.001 / (double)c->length;
	report(name, "pairs (non-overlapping)",
	       chi_square(c->pair, c->k * c->k, (double)c->total / 2 / k / k),
	       k * k - 1);
	printf("  %-9s %-28s %.6f bits/char, log2(%zu) = %.6f\n", name,
	       "entropy", entropy_bits(c), c->k, log2(k));
}

/* ========================================================== sampling */

/* 8 symbols of 5 bits -> 5 bytes, most significant bits first. */
struct packer {
	FILE *out;
	unsigned long long acc;
	int bits;
	unsigned long bytes;
};

static void pack(struct packer *p, int value)
{
	p->acc = (p->acc << 5) | (unsigned)value;
	p->bits += 5;
	if (p->bits < 40)
		return;
	for (int shift = 32; shift >= 0; shift -= 8)
		fputc((int)((p->acc >> shift) & 0xff), p->out);
	p->bytes += 5;
	p->acc = 0;
	p->bits = 0;
}

static FILE *open_out(const char *dir, const char *file)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "stats: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return f;
}

/* One reply's items into the counts (and the raw file or the packer). */
static void take_reply(const struct response *r, const struct sample *s,
		       struct counts *c, FILE *raw, struct packer *pk)
{
	json_t *doc = response_json(r);
	const json_t *items = json_object_get(doc, "items");

	if (r->status != 200 || json_array_size(items) != QUANTITY) {
		fprintf(stderr, "stats: GET %s: status %d\n", s->target,
			r->status);
		exit(2);
	}
	for (size_t i = 0; i < QUANTITY; i++) {
		const json_t *item = json_array_get(items, i);
		const char *str = json_string_value(item);
		size_t n = json_string_length(item);

		if (str == NULL || count_item(c, str, n) < 0) {
			fprintf(stderr, "stats: %s: bad item %zu\n", s->name, i);
			exit(2);
		}
		if (raw != NULL)
			fwrite(str, 1, n, raw);
		for (size_t j = 0; pk != NULL && j < n; j++)
			pack(pk, c->index[(unsigned char)str[j]]);
	}
	json_decref(doc);
}

static void run_sample(unsigned port, const struct sample *s,
		       const char *dir)
{
	struct counts c;
	struct packer pk = { 0 };
	FILE *raw = s->file != NULL ? open_out(dir, s->file) : NULL;

	if (s->file == NULL)
		pk.out = open_out(dir, "bytes.bin");
	counts_init(&c, s);
	for (int i = 0; i < s->requests; i++) {
		struct response r;

		if (http_get(port, s->target, &r) < 0) {
			fprintf(stderr, "stats: GET %s failed\n", s->target);
			exit(2);
		}
		take_reply(&r, s, &c, raw, pk.out != NULL ? &pk : NULL);
		response_free(&r);
	}
	printf("%s: %lu characters from %d x GET %s\n", s->name, c.total,
	       s->requests, s->target);
	report_counts(s->name, &c);
	if (raw != NULL)
		fclose(raw);
	if (pk.out != NULL) {
		fclose(pk.out);
		printf("  %-9s packed 5 bits/char into %lu bytes: bytes.bin\n",
		       s->name, pk.bytes);
	}
	free(c.pos);
	free(c.pair);
}

/* --stream: the symbols sample, packed, until stdout is closed (the
 * reader has had enough). dieharder reads a stream rather than a file
 * because most of its tests need more than any file we would keep: a file
 * would be rewound and the test would see the same bytes again. */
static void stream(unsigned port)
{
	const struct sample *s = &samples[3];
	struct packer pk = { .out = stdout };

	signal(SIGPIPE, SIG_IGN);
	while (!ferror(stdout)) {
		struct counts c;
		struct response r;

		counts_init(&c, s);
		if (http_get(port, s->target, &r) < 0) {
			fprintf(stderr, "stats: GET %s failed\n", s->target);
			exit(2);
		}
		take_reply(&r, s, &c, NULL, &pk);
		response_free(&r);
		free(c.pos);
		free(c.pair);
	}
}

int main(int argc, char **argv)
{
	struct server srv;
	long t0 = now_ms();

	if (argc != 2) {
		fprintf(stderr, "usage: PWGEND_BIN=... stats OUTDIR | "
			"--stream\n");
		return 2;
	}
	if (server_start(&srv, NULL) < 0) {
		fprintf(stderr, "stats: cannot start %s\n", server_binary());
		return 2;
	}
	if (strcmp(argv[1], "--stream") == 0) {
		stream(srv.port);
		server_stop(&srv);
		return 0;
	}
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		run_sample(srv.port, &samples[i], argv[1]);
	server_stop(&srv);
	printf("chi-square: %d failure(s) at p = 0.001 (%.1f s)\n", failures,
	       (double)(now_ms() - t0) / 1000);
	return failures == 0 ? 0 : 1;
}
