/*
 * spec.h - the OpenAPI document, embedded once at build time.
 *
 * openapi.yaml is the contract; openapi.json is the same document converted
 * by the pinned @redocly/cli (`make spec-json`; `make spec-check` fails when
 * the committed copy is stale). Only openapi.json is compiled in, as a byte
 * array (scripts/embed.sh, mk/ops.mk): GET /openapi.json serves it, and so
 * does GET /openapi.yaml (as application/yaml), because a JSON document is a
 * YAML 1.2 document too. The binary serves the document of the commit it was
 * built from and needs no file at run time.
 */
#ifndef PWGEND_SPEC_H
#define PWGEND_SPEC_H

#include <stddef.h>

/* The bytes of openapi.json (not NUL-terminated); length in *len. */
const unsigned char *spec_json(size_t *len);

#endif
