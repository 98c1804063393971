/* token.c - see token.h. */
#include "token.h"

#include <errno.h>
#include <string.h>

#include "names.h"
#include "secmem.h"

/* Raw bytes drawn per encoding step: a multiple of 3 (base64) and 5 (base32)
 * so that encoding chunk by chunk equals encoding the whole. */
enum { CHUNK = 240 };

/* Branch-free digit -> character. (x > k) is 0 or 1 (a setcc, no jump);
 * multiplying by it selects an offset without indexing by the secret. */
static char hex_char(unsigned v)          /* 0..15 */
{
	return (char)('0' + v + (unsigned)(v > 9) * ('a' - '0' - 10));
}

static char base64url_char(unsigned v)    /* 0..63 */
{
	int c = (int)v + 'A';

	c += (v > 25) * ('a' - 'A' - 26);        /* 26..51 -> a..z */
	c += (v > 51) * ('0' - 'a' - 26);        /* 52..61 -> 0..9 */
	c += (v > 61) * ('-' - '0' - 10);        /* 62 -> '-' */
	c += (v > 62) * ('_' - '-' - 1);         /* 63 -> '_' */
	return (char)c;
}

static char base32_char(unsigned v)       /* 0..31 */
{
	return (char)((int)v + 'A' + (v > 25) * ('2' - 'A' - 26));
}

size_t token_encoded_len(size_t bytes, enum token_encoding enc)
{
	switch (enc) {
	case TOKEN_HEX:
		return 2 * bytes;
	case TOKEN_BASE64URL:
		return bytes / 3 * 4 + (bytes % 3 ? bytes % 3 + 1 : 0);
	case TOKEN_BASE32:
		return bytes / 5 * 8 + (bytes % 5 * 8 + 4) / 5;
	}
	return 0;
}

static size_t encode_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_char(in[i] >> 4);
		out[2 * i + 1] = hex_char(in[i] & 15u);
	}
	return 2 * n;
}

/* Big-endian bit accumulator, `width` bits (5 or 6) out at a time through
 * `digit`; a final partial group is zero-padded on the right (RFC 4648
 * section 4). base64url and base32 differ only in width and alphabet. */
static size_t encode_bits(const unsigned char *in, size_t n, char *out,
			  unsigned width, char (*digit)(unsigned))
{
	unsigned long acc = 0, mask = (1ul << width) - 1;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= width) {
			bits -= width;
			out[o++] = digit((unsigned)((acc >> bits) & mask));
		}
		acc &= (1ul << bits) - 1;
	}
	if (bits > 0)
		out[o++] = digit((unsigned)((acc << (width - bits)) & mask));
	secmem_wipe(&acc, sizeof(acc));
	return o;
}

size_t token_encode(const unsigned char *in, size_t n, enum token_encoding enc,
		    char *out)
{
	switch (enc) {
	case TOKEN_HEX:
		return encode_hex(in, n, out);
	case TOKEN_BASE64URL:
		return encode_bits(in, n, out, 6, base64url_char);
	case TOKEN_BASE32:
		return encode_bits(in, n, out, 5, base32_char);
	}
	return 0;
}

size_t token_generate(struct rng *r, size_t bytes, enum token_encoding enc,
		      char *out)
{
	unsigned char raw[CHUNK];
	size_t o = 0;

	if (token_encoded_len(1, enc) == 0)
		return 0;
	while (bytes > 0) {
		size_t n = bytes < CHUNK ? bytes : CHUNK;

		rng_bytes(r, raw, n);
		o += token_encode(raw, n, enc, out + o);
		bytes -= n;
	}
	secmem_wipe(raw, sizeof(raw));
	return o;
}

static const struct {
	const char *name;
	enum token_encoding enc;
} encodings[] = {
	{ "hex", TOKEN_HEX },
	{ "base64url", TOKEN_BASE64URL },
	{ "base32", TOKEN_BASE32 },
};

int token_encoding_parse(const char *s, size_t n, enum token_encoding *enc)
{
	int i = NAMES_FIND(encodings, sizeof(encodings) / sizeof(encodings[0]),
			   name, s, n);

	if (i < 0)
		return -EINVAL;
	*enc = encodings[i].enc;
	return 0;
}

const char *token_encoding_name(enum token_encoding enc)
{
	for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++)
		if (encodings[i].enc == enc)
			return encodings[i].name;
	return NULL;
}

double token_entropy_bits(size_t bytes)
{
	return 8.0 * (double)bytes;
}
