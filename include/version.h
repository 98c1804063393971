/*
 * version.h - what this build is: pwgend's own version (VERSION in the
 * Makefile, passed as -DPWGEND_VERSION), the libraries it runs against and
 * the compiler that built it. Served by GET /version and as the labels of
 * the pwgend_build_info metric.
 *
 * Library versions are the ones loaded at run time (sodium_version_string(),
 * jansson_version_str(), MHD_get_version()), not the headers compiled
 * against, because that is what a bug report needs. libmicrohttpd's is
 * passed in by http.c, the only module that includes microhttpd.h.
 */
#ifndef PWGEND_VERSION_H
#define PWGEND_VERSION_H

#include <stddef.h>

struct versions {
	const char *name;              /* "pwgend" */
	const char *version;           /* e.g. "0.2.0" */
	const char *libmicrohttpd;
	const char *libsodium;
	const char *jansson;
	const char *build;             /* compiler, e.g. "gcc 12.2.0" */
};

/* Fill *v (static strings); `mhd` is MHD_get_version()'s answer. */
void version_get(struct versions *v, const char *mhd);

/* {"name":..,"version":..,"libmicrohttpd":..,"libsodium":..,"jansson":..,
 * "build":..} as a malloc'd body (length in *len), NULL on ENOMEM. */
char *version_render(const char *mhd, size_t *len);

#endif
