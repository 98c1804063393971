/* framing.c - see framing.h. */
#include "framing.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char HOST[] = "Host";
static const char LENGTH[] = "Content-Length";
static const char ENCODING[] = "Transfer-Encoding";

static void fault(struct framing *f, const char *why)
{
	if (f->why == NULL)
		f->why = why;
}

/* `name` starts with `field` and has more after it: a folded line. */
static bool extends(const char *name, const char *field, size_t n)
{
	return strncasecmp(name, field, n) == 0 && name[n] != '\0';
}

static void add_length(struct framing *f, const char *value)
{
	if (f->lengths++ == 0)
		f->length = value;
	else if (value == NULL || f->length == NULL ||
		 strcmp(value, f->length) != 0)
		fault(f, "conflicting Content-Length fields");
}

static void add_encoding(struct framing *f, const char *value)
{
	if (++f->encodings > 1)
		fault(f, "more than one Transfer-Encoding field");
	else if (value == NULL || strcasecmp(value, "chunked") != 0)
		fault(f, "a Transfer-Encoding other than chunked");
}

void framing_add(struct framing *f, const char *name, const char *value)
{
	size_t n = strlen(name);

	if (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		fault(f, "whitespace between a field name and its colon");
	else if (strcasecmp(name, HOST) == 0)
		f->hosts++;
	else if (strcasecmp(name, LENGTH) == 0)
		add_length(f, value);
	else if (strcasecmp(name, ENCODING) == 0)
		add_encoding(f, value);
	else if (extends(name, LENGTH, sizeof(LENGTH) - 1) ||
		 extends(name, ENCODING, sizeof(ENCODING) - 1))
		fault(f, "a framing field folded onto a continuation line");
}

const char *framing_verdict(const struct framing *f)
{
	if (f->why != NULL)
		return f->why;
	if (f->hosts > 1)
		return "more than one Host field";
	if (f->lengths > 0 && f->encodings > 0)
		return "both Content-Length and Transfer-Encoding";
	return NULL;
}
