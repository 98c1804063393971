/*
 * spec.h - the OpenAPI document, embedded at build time.
 *
 * openapi.yaml is the contract; openapi.json is the same document converted
 * by the pinned @redocly/cli (`make spec-json`; `make spec-check` fails when
 * the committed copy is stale). Both are compiled in as byte arrays
 * (scripts/embed.sh, mk/ops.mk), so the binary serves exactly the files of
 * the commit it was built from and needs neither at run time.
 */
#ifndef PWGEND_SPEC_H
#define PWGEND_SPEC_H

#include <stddef.h>

/* The bytes of openapi.yaml (not NUL-terminated); length in *len. */
const unsigned char *spec_yaml(size_t *len);

/* The bytes of openapi.json (not NUL-terminated); length in *len. */
const unsigned char *spec_json(size_t *len);

#endif
