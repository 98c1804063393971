/* pin.c - see pin.h. */
#include "pin.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* C11 has no 128-bit integer; gcc and clang on 64-bit targets do.
 * __extension__ keeps -pedantic quiet should anyone turn it on. */
__extension__ typedef __int128 i128;

/* Sources in pin.h. Grouped by source; overlaps are kept once. */
static const char *const blocklist[] = {
	/* DataGenetics 2012, top 5 four-digit, in rank order */
	"1234", "1111", "0000", "1212", "7777",
	/* Markert et al. 2020, top 10 four-digit, those not listed above */
	"0852", "1998", "2222", "2580", "5555", "5683",
	/* Markert et al. 2020, top 10 six-digit */
	"000000", "111111", "112233", "121212", "123123", "123456",
	"159753", "654321", "666666", "789456",
};

enum { BLOCKLIST_SIZE = sizeof(blocklist) / sizeof(blocklist[0]) };

const char *const *pin_blocklist(size_t *n)
{
	*n = BLOCKLIST_SIZE;
	return blocklist;
}

/* Period p means pin[i] == pin[i + p] for every i < len - p; a proper
 * divisor p of len then makes the PIN p-block repeated len / p times. */
bool pin_is_periodic(const char *pin, size_t len)
{
	for (size_t p = 1; p <= len / 2; p++)
		if (len % p == 0 && memcmp(pin, pin + p, len - p) == 0)
			return true;
	return false;
}

bool pin_is_run(const char *pin, size_t len)
{
	int step;

	if (len < 2)
		return false;
	step = pin[1] - pin[0];
	if (step != 1 && step != -1)
		return false;
	for (size_t i = 2; i < len; i++)
		if (pin[i] - pin[i - 1] != step)
			return false;
	return true;
}

bool pin_is_blocklisted(const char *pin, size_t len)
{
	for (size_t i = 0; i < BLOCKLIST_SIZE; i++)
		if (strlen(blocklist[i]) == len &&
		    memcmp(blocklist[i], pin, len) == 0)
			return true;
	return false;
}

bool pin_is_weak(const char *pin, size_t len)
{
	return pin_is_periodic(pin, len) || pin_is_run(pin, len) ||
	       pin_is_blocklisted(pin, len);
}

/* Moebius function, for 1 <= n <= PIN_MAX_LEN. */
static int moebius(size_t n)
{
	int mu = 1;

	for (size_t p = 2; p * p <= n; p++) {
		if (n % p == 0) {
			n /= p;
			if (n % p == 0)
				return 0;  /* p^2 divides n */
			mu = -mu;
		}
	}
	return n > 1 ? -mu : mu;
}

static i128 pow10_i128(size_t e)  /* e <= 38 */
{
	i128 v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

/* 10^len - sum_{d | len} mu(d) 10^(len/d) = -sum_{d | len, d > 1} ... :
 * every term has len/d <= len/2 <= 32, so it fits. */
static i128 periodic_count(size_t len)
{
	i128 n = 0;

	for (size_t d = 2; d <= len; d++)
		if (len % d == 0)
			n -= moebius(d) * pow10_i128(len / d);
	return n;
}

static i128 weak_count(size_t len)
{
	i128 n = periodic_count(len);

	if (len <= 10)
		n += 2 * (i128)(11 - len);
	for (size_t i = 0; i < BLOCKLIST_SIZE; i++) {
		const char *s = blocklist[i];

		if (strlen(s) == len && !pin_is_periodic(s, len) &&
		    !pin_is_run(s, len))
			n++;
	}
	return n;
}

int pin_weak_count(size_t len, long double *weak)
{
	if (len < PIN_MIN_LEN || len > PIN_MAX_LEN)
		return -EINVAL;
	*weak = (long double)weak_count(len);
	return 0;
}

int pin_allowed_count(size_t len, bool exclude_weak, long double *count)
{
	i128 weak;

	if (len < PIN_MIN_LEN || len > PIN_MAX_LEN)
		return -EINVAL;
	weak = exclude_weak ? weak_count(len) : 0;
	if (len <= 38)
		*count = (long double)(pow10_i128(len) - weak);
	else
		*count = powl(10.0L, (long double)len) - (long double)weak;
	return 0;
}
