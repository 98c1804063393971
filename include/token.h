/*
 * token.h - random tokens (API keys, secrets): `bytes` CSPRNG bytes, encoded.
 *
 * The bytes come straight from the caller's rng (every byte value equally
 * likely, so no sampling step and no bias), and encoding is a bijection, so a
 * token of n bytes has exactly 8n bits of entropy whatever the encoding.
 *
 * Encodings (RFC 4648), all without padding:
 *   TOKEN_HEX        lower-case hexadecimal (section 8), 2n characters;
 *   TOKEN_BASE64URL  the URL- and filename-safe alphabet A-Z a-z 0-9 '-' '_'
 *                    (section 5), ceil(4n/3) characters;
 *   TOKEN_BASE32     A-Z 2-7 (section 6), ceil(8n/5) characters.
 * Why no '=' padding: the length of a token is fixed by `bytes`, so padding
 * carries no information; '=' must be percent-encoded in URLs and is awkward
 * in shell and .env files; RFC 4648 section 3.2 allows omitting it when the
 * length is known. A decoder that insists on padding can append '=' up to a
 * multiple of 4 (base64url) or 8 (base32) characters.
 *
 * The encoders compute each character arithmetically (no table indexed by a
 * secret value) and have no secret-dependent branches, the same care
 * libsodium's sodium_bin2hex takes. Raw bytes are held in a small stack
 * buffer that is wiped before token_generate() returns.
 *
 * No global state; the rng is the caller's (one per scheduler).
 */
#ifndef PWGEND_TOKEN_H
#define PWGEND_TOKEN_H

#include <stddef.h>

#include "rng.h"

enum token_encoding {
	TOKEN_HEX,
	TOKEN_BASE64URL,
	TOKEN_BASE32,
};

/* Suggested request limits: 32 bytes = 256 bits by default; 1..1024. */
enum {
	TOKEN_DEFAULT_BYTES = 32,
	TOKEN_MIN_BYTES = 1,
	TOKEN_MAX_BYTES = 1024,
};

/* Characters of the encoding of `bytes` bytes (no padding, no NUL); 0 for an
 * unknown encoding. Exact: 2n, ceil(4n/3), ceil(8n/5). Callers keep bytes
 * within their limits; this does not check for overflow beyond SIZE_MAX/2. */
size_t token_encoded_len(size_t bytes, enum token_encoding enc);

/* Encode in[0, n) into out[0, token_encoded_len(n, enc)); returns that
 * length (0 for an unknown encoding). Pure: the test-vector entry point. */
size_t token_encode(const unsigned char *in, size_t n, enum token_encoding enc,
		    char *out);

/* Draw `bytes` bytes from r and write their encoding to out, which must hold
 * token_encoded_len(bytes, enc) characters (no NUL is written). Returns the
 * length written, 0 for an unknown encoding. */
size_t token_generate(struct rng *r, size_t bytes, enum token_encoding enc,
		      char *out);

/* Parse an encoding name: exactly "hex", "base64url" or "base32" (n bytes,
 * case-sensitive like the service's booleans). 0, or -EINVAL. */
int token_encoding_parse(const char *s, size_t n, enum token_encoding *enc);

/* The canonical name of an encoding, for replies and explain output; NULL
 * for an unknown value. */
const char *token_encoding_name(enum token_encoding enc);

/* log2 of the number of possible tokens: 8 * bytes. */
double token_entropy_bits(size_t bytes);

#endif
