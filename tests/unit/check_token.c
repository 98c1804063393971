/*
 * check_token.c - the RFC 4648 encoders (test vectors, full alphabets,
 * lengths), chunked generation against a replay of the same seeded stream,
 * encoding names, and chi-square uniformity of the characters (p = 0.001,
 * seeded stream, critical values chi2.ppf(0.999, df) written down).
 */
#include <errno.h>
#include <string.h>

#include "rng.h"
#include "suites.h"
#include "token.h"

#define CRIT_DF15 37.697
#define CRIT_DF31 61.098
#define CRIT_DF63 103.442

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define B32 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define HEX "0123456789abcdef"

static const unsigned char seed[RNG_KEY_SIZE] = { 't', 'o', 'k' };

static void check_vector(enum token_encoding enc, const char *in,
			 size_t n, const char *want)
{
	char out[64];
	size_t len = token_encode((const unsigned char *)in, n, enc, out);

	ck_assert_uint_eq(len, strlen(want));
	ck_assert_uint_eq(token_encoded_len(n, enc), strlen(want));
	ck_assert_mem_eq(out, want, len);
}

/* RFC 4648 section 10, padding removed. */
START_TEST(test_rfc4648_vectors)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
					  "fooba", "foobar" };
	static const char *const b64[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
					   "Zm9vYmE", "Zm9vYmFy" };
	static const char *const b32[] = { "", "MY", "MZXQ", "MZXW6",
					   "MZXW6YQ", "MZXW6YTB",
					   "MZXW6YTBOI" };
	static const char *const b16[] = { "", "66", "666f", "666f6f",
					   "666f6f62", "666f6f6261",
					   "666f6f626172" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		check_vector(TOKEN_BASE64URL, in[i], strlen(in[i]), b64[i]);
		check_vector(TOKEN_BASE32, in[i], strlen(in[i]), b32[i]);
		check_vector(TOKEN_HEX, in[i], strlen(in[i]), b16[i]);
	}
	/* the URL-safe characters: standard base64 would say "+/+/" */
	check_vector(TOKEN_BASE64URL, "\xfb\xff\xbf", 3, "-_-_");
	check_vector(TOKEN_BASE64URL, "\xfb\xff", 2, "-_8");
	check_vector(TOKEN_BASE64URL, "\x00\x10\x83", 3, "ABCD");
	check_vector(TOKEN_HEX, "\x00\xff\xab\x09", 4, "00ffab09");
	check_vector(TOKEN_BASE32, "\xff\xff\xff\xff\xff", 5, "77777777");
	check_vector(TOKEN_BASE32, "\x00\x00\x00\x00\x00", 5, "AAAAAAAA");
}
END_TEST

/* Every digit value maps to its alphabet character (the arithmetic
 * encoders against the RFC tables). */
START_TEST(test_full_alphabets)
{
	char out[8];

	for (unsigned v = 0; v < 64; v++) {
		unsigned char b = (unsigned char)(v << 2);

		ck_assert_uint_eq(token_encode(&b, 1, TOKEN_BASE64URL, out), 2);
		ck_assert_int_eq(out[0], B64URL[v]);
		ck_assert_int_eq(out[1], 'A');
	}
	for (unsigned v = 0; v < 32; v++) {
		unsigned char b = (unsigned char)(v << 3);

		ck_assert_uint_eq(token_encode(&b, 1, TOKEN_BASE32, out), 2);
		ck_assert_int_eq(out[0], B32[v]);
		ck_assert_int_eq(out[1], 'A');
	}
	for (unsigned v = 0; v < 256; v++) {
		unsigned char b = (unsigned char)v;

		ck_assert_uint_eq(token_encode(&b, 1, TOKEN_HEX, out), 2);
		ck_assert_int_eq(out[0], HEX[v >> 4]);
		ck_assert_int_eq(out[1], HEX[v & 15]);
	}
	ck_assert_uint_eq(token_encode((const unsigned char *)"x", 1,
				       (enum token_encoding)9, out), 0);
}
END_TEST

START_TEST(test_lengths)
{
	static const size_t b64[] = { 0, 2, 3, 4, 6, 7, 8 };
	static const size_t b32[] = { 0, 2, 4, 5, 7, 8, 10 };

	for (size_t n = 0; n < 7; n++) {
		ck_assert_uint_eq(token_encoded_len(n, TOKEN_HEX), 2 * n);
		ck_assert_uint_eq(token_encoded_len(n, TOKEN_BASE64URL), b64[n]);
		ck_assert_uint_eq(token_encoded_len(n, TOKEN_BASE32), b32[n]);
	}
	for (size_t n = 0; n <= 2000; n++) {
		/* ceil(4n/3) and ceil(8n/5) */
		ck_assert_uint_eq(token_encoded_len(n, TOKEN_BASE64URL),
				  (4 * n + 2) / 3);
		ck_assert_uint_eq(token_encoded_len(n, TOKEN_BASE32),
				  (8 * n + 4) / 5);
	}
	ck_assert_uint_eq(token_encoded_len(32, TOKEN_HEX), 64);
	ck_assert_uint_eq(token_encoded_len(32, TOKEN_BASE64URL), 43);
	ck_assert_uint_eq(token_encoded_len(32, TOKEN_BASE32), 52);
	ck_assert_uint_eq(token_encoded_len(32, (enum token_encoding)9), 0);
	ck_assert_double_eq(token_entropy_bits(32), 256.0);
	ck_assert_double_eq(token_entropy_bits(1), 8.0);
	ck_assert_double_eq(token_entropy_bits(TOKEN_MAX_BYTES), 8192.0);
}
END_TEST

/* token_generate draws in 240-byte chunks; the result must equal encoding
 * the same bytes in one go (replayed from an identically seeded rng), at
 * every size around the chunk boundaries, and write exactly its length. */
START_TEST(test_generate_matches_encode)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 16, 32, 239, 240, 241,
					479, 480, 481, 1000, TOKEN_MAX_BYTES };
	static const enum token_encoding encs[] = { TOKEN_HEX, TOKEN_BASE64URL,
						    TOKEN_BASE32 };
	static unsigned char raw[TOKEN_MAX_BYTES];
	static char want[2 * TOKEN_MAX_BYTES + 1], got[2 * TOKEN_MAX_BYTES + 1];

	for (size_t e = 0; e < 3; e++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct rng a, b;
			size_t n = sizes[i];
			size_t len = token_encoded_len(n, encs[e]);

			rng_init_seeded(&a, seed);
			rng_init_seeded(&b, seed);
			rng_bytes(&a, raw, n);
			ck_assert_uint_eq(token_encode(raw, n, encs[e], want),
					  len);
			memset(got, '#', sizeof(got));
			ck_assert_uint_eq(token_generate(&b, n, encs[e], got),
					  len);
			ck_assert_mem_eq(got, want, len);
			ck_assert_int_eq(got[len], '#');
			rng_wipe(&a);
			rng_wipe(&b);
		}
	{
		struct rng r;

		rng_init_seeded(&r, seed);
		ck_assert_uint_eq(token_generate(&r, 32,
						 (enum token_encoding)9, got),
				  0);
		ck_assert_uint_eq(token_generate(&r, 0, TOKEN_HEX, got), 0);
		rng_wipe(&r);
	}
}
END_TEST

START_TEST(test_encoding_names)
{
	static const char *const bad[] = { "", "HEX", "Hex", "base64",
					   "base64URL", "base32hex", "hexx",
					   "he", "base3" };
	enum token_encoding e = (enum token_encoding)9;

	ck_assert_int_eq(token_encoding_parse("hex", 3, &e), 0);
	ck_assert_int_eq(e, TOKEN_HEX);
	ck_assert_int_eq(token_encoding_parse("base64url", 9, &e), 0);
	ck_assert_int_eq(e, TOKEN_BASE64URL);
	ck_assert_int_eq(token_encoding_parse("base32", 6, &e), 0);
	ck_assert_int_eq(e, TOKEN_BASE32);
	/* n bytes, not up to a NUL: "hexx" with n = 3 is "hex" */
	ck_assert_int_eq(token_encoding_parse("hexx", 3, &e), 0);
	ck_assert_int_eq(token_encoding_parse("hex\0", 4, &e), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(token_encoding_parse(bad[i], strlen(bad[i]),
						      &e), -EINVAL);
	ck_assert_str_eq(token_encoding_name(TOKEN_HEX), "hex");
	ck_assert_str_eq(token_encoding_name(TOKEN_BASE64URL), "base64url");
	ck_assert_str_eq(token_encoding_name(TOKEN_BASE32), "base32");
	ck_assert_ptr_null(token_encoding_name((enum token_encoding)9));
}
END_TEST

/* Character frequencies over many tokens whose encodings have no partial
 * final group (32 bytes hex, 30 bytes base64url and base32): every
 * character position is then uniform over the whole alphabet. */
static double chi_square_chars(enum token_encoding enc, size_t bytes,
			       const char *alphabet, size_t k, int tokens)
{
	static unsigned long counts[64];
	char out[128];
	struct rng r;
	double x = 0, expected;
	size_t total = 0;

	memset(counts, 0, sizeof(counts));
	rng_init_seeded(&r, seed);
	for (int t = 0; t < tokens; t++) {
		size_t n = token_generate(&r, bytes, enc, out);

		for (size_t i = 0; i < n; i++) {
			const char *p = memchr(alphabet, out[i], k);

			if (p == NULL)
				ck_abort_msg("character %d outside the alphabet",
					     out[i]);
			counts[p - alphabet]++;
		}
		total += n;
	}
	rng_wipe(&r);
	expected = (double)total / (double)k;
	for (size_t i = 0; i < k; i++) {
		double d = (double)counts[i] - expected;

		x += d * d / expected;
	}
	return x;
}

START_TEST(test_character_uniformity)
{
	ck_assert_double_lt(chi_square_chars(TOKEN_HEX, 32, HEX, 16, 20000),
			    CRIT_DF15);
	ck_assert_double_lt(chi_square_chars(TOKEN_BASE64URL, 30, B64URL, 64,
					     20000), CRIT_DF63);
	ck_assert_double_lt(chi_square_chars(TOKEN_BASE32, 30, B32, 32,
					     20000), CRIT_DF31);
}
END_TEST

Suite *token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("encode");
	TCase *tu = tcase_create("chi-square");

	tcase_add_test(tc, test_rfc4648_vectors);
	tcase_add_test(tc, test_full_alphabets);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_generate_matches_encode);
	tcase_add_test(tc, test_encoding_names);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tu, 60);
	tcase_add_test(tu, test_character_uniformity);
	suite_add_tcase(s, tu);
	return s;
}
