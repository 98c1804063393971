/* wordlist.c - see wordlist.h. */
#define _DEFAULT_SOURCE  /* MAP_ANONYMOUS */
#include "wordlist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct wordlist eff = {
	.name = WORDLIST_DEFAULT,
	.count = PASSPHRASE_WORDLIST_SIZE,
	.words = &passphrase_wordlist[0][0],
	.stride = PASSPHRASE_WORD_STRIDE,
	.bytes = passphrase_wordlist_len,
	.chars = passphrase_wordlist_len,
	.hist = passphrase_wordlist_hist,
	.max_chars = PASSPHRASE_WORD_MAX_LEN,
	.max_bytes = PASSPHRASE_WORD_MAX_LEN,
	.max_char_bytes = 1,
	/* mk/wordlist.mk admits [a-z-] only; check_passphrase verifies */
	.ascii = "-abcdefghijklmnopqrstuvwxyz",
};

/* The registry (wordlist.h): written at start-up only, then read-only. */
static struct {
	struct wordlist *list[WORDLIST_MAX_LOADED];
	size_t count;
} registry;

/* One line's word, before dedupe. */
struct entry {
	const char *s;
	uint32_t pos;                 /* order in the file */
	unsigned char bytes, chars;
};

const struct wordlist *wordlist_eff(void)
{
	return &eff;
}

bool wordlist_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > WORDLIST_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

const struct wordlist *wordlist_find(const char *s, size_t n)
{
	if (n == strlen(WORDLIST_DEFAULT) && memcmp(s, WORDLIST_DEFAULT, n) == 0)
		return &eff;
	for (size_t i = 0; i < registry.count; i++)
		if (strlen(registry.list[i]->name) == n &&
		    memcmp(registry.list[i]->name, s, n) == 0)
			return registry.list[i];
	return NULL;
}

void wordlist_names(char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "%s", WORDLIST_DEFAULT);

	for (size_t i = 0; i < registry.count && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, ", %s",
				      registry.list[i]->name);
}

/* One UTF-8 sequence at s[0, n): its length (1..4) and code point, or 0
 * when it is not well formed (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
				   : (s[0] & 0xf0) == 0xe0	? 3
				   : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
								  : 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7f >> len);

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Unicode spaces, zero-width and bidirectional controls: a word holding
 * one looks like another word (or like two) and cannot be typed from
 * what is shown. */
static bool is_invisible(uint32_t cp)
{
	return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) ||
	       (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff;
}

/* Check one trimmed word s[0, n) and count its characters; NULL, or why
 * it is refused. */
static const char *check_word(const char *s, size_t n, size_t *chars)
{
	size_t k = 0;

	if (n > WORDLIST_WORD_MAX_BYTES)
		return "a word of more than 32 bytes";
	for (size_t i = 0; i < n; k++) {
		uint32_t cp;
		size_t len = utf8_next((const unsigned char *)s + i, n - i,
				       &cp);

		if (len == 0)
			return "invalid UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "a control character";
		if (cp == ' ')
			return "a space inside a word (one word per line)";
		if (is_invisible(cp))
			return "an invisible character (a Unicode space, "
			       "zero-width or bidirectional control)";
		i += len;
	}
	*chars = k;
	return NULL;
}

/* Split text into trimmed, checked words (empty lines skipped). The count,
 * or -1 with "line N: why" in err. */
static long split_lines(const char *text, size_t len, struct entry *out,
			char *err, size_t errlen)
{
	size_t line = 0, n = 0;
	const char *p = text, *end = text + len;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;  /* a byte order mark, as some editors write */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end, *s = p;
		const char *why;
		size_t chars;

		line++;
		p = nl != NULL ? nl + 1 : end;
		while (s < e && is_space(*s))
			s++;
		while (e > s && is_space(e[-1]))
			e--;
		if (s == e)
			continue;
		why = check_word(s, (size_t)(e - s), &chars);
		if (why != NULL) {
			snprintf(err, errlen, "line %zu: %s", line, why);
			return -1;
		}
		out[n] = (struct entry){ s, (uint32_t)n, (unsigned char)(e - s),
					 (unsigned char)chars };
		n++;
	}
	return (long)n;
}

static int fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* By ASCII-case-folded bytes, then by place in the file: the first of
 * each run of equal keys is the one kept. */
static int by_folded(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->bytes < y->bytes ? x->bytes : y->bytes;

	for (size_t i = 0; i < n; i++) {
		int d = fold((unsigned char)x->s[i]) -
			fold((unsigned char)y->s[i]);

		if (d != 0)
			return d;
	}
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_pos(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sort, keep the first of each case-folded key, back in file order. */
static size_t dedupe(struct entry *e, size_t n)
{
	size_t kept = 0;

	qsort(e, n, sizeof(*e), by_folded);
	for (size_t i = 0; i < n; i++) {
		struct entry prev = kept > 0 ? e[kept - 1] : e[i];

		prev.pos = e[i].pos;
		if (kept > 0 && by_folded(&prev, &e[i]) == 0)
			continue;
		e[kept++] = e[i];
	}
	qsort(e, kept, sizeof(*e), by_pos);
	return kept;
}

/* The mapping: the struct, hist, ascii, bytes, chars, then the words. */
struct layout {
	size_t hist, ascii, bytes, chars, words, total;
};

static void plan(struct layout *l, size_t count, size_t max_chars,
		 size_t stride)
{
	l->hist = sizeof(struct wordlist);
	l->ascii = l->hist + (max_chars + 1) * sizeof(unsigned);
	l->bytes = l->ascii + 128;
	l->chars = l->bytes + count;
	l->words = l->chars + count;
	l->total = l->words + count * stride;
}

/* The widest UTF-8 sequence that byte c starts (1 for continuations). */
static size_t lead_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* Fill the mapping at base (laid out as l says) from the kept words. */
static void fill(struct wordlist *w, char *base, const struct layout *l,
		 const struct entry *e)
{
	unsigned *hist = (unsigned *)(void *)(base + l->hist);
	char *ascii = base + l->ascii;
	bool in[128] = { false };
	size_t k = 0;

	for (size_t i = 0; i < w->count; i++) {
		const unsigned char *s = (const unsigned char *)e[i].s;

		memcpy(base + l->words + i * w->stride, s, e[i].bytes);
		((unsigned char *)base + l->bytes)[i] = e[i].bytes;
		((unsigned char *)base + l->chars)[i] = e[i].chars;
		hist[e[i].chars]++;
		for (size_t j = 0; j < e[i].bytes; j++) {
			if (s[j] < 128)
				in[s[j]] = true;
			if (lead_len(s[j]) > w->max_char_bytes)
				w->max_char_bytes = lead_len(s[j]);
		}
		if (s[e[i].bytes - 1] >= '0' && s[e[i].bytes - 1] <= '9')
			w->digit_end = true;
	}
	for (int c = 1; c < 128; c++)
		if (in[c])
			ascii[k++] = (char)c;
}

/* Lay the kept words out in one mapping and make it read-only. */
static struct wordlist *lay_out(const char *name, const struct entry *e,
				size_t count)
{
	struct layout l;
	struct wordlist *w;
	size_t max_chars = 0, max_bytes = 0;
	char *base;

	for (size_t i = 0; i < count; i++) {
		if (e[i].chars > max_chars)
			max_chars = e[i].chars;
		if (e[i].bytes > max_bytes)
			max_bytes = e[i].bytes;
	}
	plan(&l, count, max_chars, max_bytes + 1);
	base = mmap(NULL, l.total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	w = (struct wordlist *)(void *)base;  /* zero-filled by mmap */
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->count = count;
	w->stride = max_bytes + 1;
	w->words = base + l.words;
	w->bytes = (unsigned char *)base + l.bytes;
	w->chars = (unsigned char *)base + l.chars;
	w->hist = (unsigned *)(void *)(base + l.hist);
	w->ascii = base + l.ascii;
	w->max_chars = max_chars;
	w->max_bytes = max_bytes;
	w->max_char_bytes = 1;
	w->mapped = l.total;
	fill(w, base, &l, e);
	mprotect(base, l.total, PROT_READ);
	return w;
}

struct wordlist *wordlist_build(const char *name, const char *text,
				size_t len, char *err, size_t errlen)
{
	size_t cap = 1, count;
	struct entry *e;
	struct wordlist *w;
	long n;

	if (len > WORDLIST_MAX_FILE_BYTES) {
		snprintf(err, errlen, "more than %d bytes",
			 WORDLIST_MAX_FILE_BYTES);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	e = calloc(cap, sizeof(*e));
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = split_lines(text, len, e, err, errlen);
	count = n > 0 ? dedupe(e, (size_t)n) : 0;
	w = NULL;
	if (n == 0)
		snprintf(err, errlen, "no words");
	else if (count > WORDLIST_MAX_WORDS)
		snprintf(err, errlen, "%zu distinct words, at most %d", count,
			 WORDLIST_MAX_WORDS);
	else if (n > 0 && (w = lay_out(name, e, count)) == NULL)
		snprintf(err, errlen, "out of memory");
	free(e);
	return w;
}

void wordlist_free(struct wordlist *w)
{
	if (w != NULL && w->mapped != 0)
		munmap(w, w->mapped);
}

/* The whole file into a malloc'd buffer, at most the file size limit. */
static char *read_file(const char *path, size_t *len, char *err,
		       size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t r = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode) ||
		   st.st_size > WORDLIST_MAX_FILE_BYTES) {
		snprintf(err, errlen, S_ISREG(st.st_mode)
				 ? "more than %d bytes" : "not a regular file",
			 WORDLIST_MAX_FILE_BYTES);
	} else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
	} else {
		size_t got = 0;

		while (got < (size_t)st.st_size &&
		       (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)r;
		*len = got;
		if (r < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			free(buf);
			buf = NULL;
		}
	}
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Refuse a name that is malformed, reserved or taken; NULL if it is ok. */
static const char *name_problem(const char *name, size_t n)
{
	if (!wordlist_name_ok(name, n))
		return "the name must be 1 to 16 of a-z, 0-9, _ and -";
	if (wordlist_find(name, n) == &eff)
		return "the name eff is the built-in EFF list's";
	if (wordlist_find(name, n) != NULL)
		return "the name is given twice";
	if (registry.count == WORDLIST_MAX_LOADED)
		return "more than 16 word lists";
	return NULL;
}

/* One "NAME=FILE" (spec[0, n)) into the registry; why not in why. */
static int load_one(const char *spec, size_t n, char *why, size_t cap)
{
	const char *eq = memchr(spec, '=', n);
	char name[WORDLIST_NAME_MAX + 1], path[4096];
	const char *problem;
	struct wordlist *w;
	size_t len = 0;
	char *text;

	if (eq == NULL || (size_t)(spec + n - eq - 1) >= sizeof(path)) {
		snprintf(why, cap, "expected NAME=FILE");
		return -1;
	}
	if ((problem = name_problem(spec, (size_t)(eq - spec))) != NULL) {
		snprintf(why, cap, "%s", problem);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
	snprintf(path, sizeof(path), "%.*s", (int)(spec + n - eq - 1), eq + 1);
	if ((text = read_file(path, &len, why, cap)) == NULL)
		return -1;
	w = wordlist_build(name, text, len, why, cap);
	free(text);
	if (w != NULL && w->count < WORDLIST_MIN_WORDS) {
		snprintf(why, cap, "%zu distinct words (case-insensitively), "
			 "at least %d needed", w->count, WORDLIST_MIN_WORDS);
		wordlist_free(w);
		return -1;
	}
	if (w == NULL)
		return -1;
	registry.list[registry.count++] = w;
	return 0;
}

int wordlist_load_specs(const char *specs, char *err, size_t errlen)
{
	for (const char *p = specs; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char why[256];

		if (n > 0 && load_one(p, n, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "--wordlist %.*s: %s", (int)n, p,
				 why);
			return -1;
		}
		p += n + (nl != NULL);
	}
	return 0;
}
