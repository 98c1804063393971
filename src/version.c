/* version.c - see version.h. */
#include "version.h"

#include <string.h>

#include <jansson.h>
#include <sodium.h>

#ifndef PWGEND_VERSION
#define PWGEND_VERSION "0.0.0-unknown"  /* built without the Makefile */
#endif

#if defined(__clang__)
#define BUILD_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define BUILD_COMPILER "gcc " __VERSION__
#else
#define BUILD_COMPILER "unknown compiler"
#endif

static const char *jansson_version(void)
{
#if JANSSON_VERSION_HEX >= 0x020d00
	return jansson_version_str();  /* the library loaded (2.13+) */
#else
	return JANSSON_VERSION;
#endif
}

void version_get(struct versions *v, const char *mhd)
{
	*v = (struct versions){
		.name = "pwgend",
		.version = PWGEND_VERSION,
		.libmicrohttpd = mhd != NULL ? mhd : "unknown",
		.libsodium = sodium_version_string(),
		.jansson = jansson_version(),
		.build = BUILD_COMPILER,
	};
}

char *version_render(const char *mhd, size_t *len)
{
	struct versions v;
	json_t *doc;
	char *body;

	version_get(&v, mhd);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", v.name,
			"version", v.version, "libmicrohttpd", v.libmicrohttpd,
			"libsodium", v.libsodium, "jansson", v.jansson,
			"build", v.build);
	if (doc == NULL)
		return NULL;
	body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (body != NULL)
		*len = strlen(body);
	return body;
}
