# mk/ops.mk - build rules for the operations surface (included by Makefile):
#
#   - the version string compiled into src/version.c;
#   - openapi.json embedded into src/spec.c as a byte array, once: it is
#     served at /openapi.json and /openapi.yaml alike (JSON is YAML 1.2)
#     (scripts/embed.sh: od + awk only, so plain `make` and the container
#     build need nothing beyond the compiler);
#   - spec-json / spec-check: regenerate openapi.json from openapi.yaml with
#     the pinned @redocly/cli, or fail when the committed copy is stale
#     (needs Node.js, like `make lint`; never needed by `make`).
#
# Safe to include anywhere in Makefile: it defines no rule before `all`
# matters (.DEFAULT_GOAL is kept) and defaults BUILD itself.

BUILD   ?= build
VERSION ?= 0.2.0

OPS_DEFAULT_GOAL := $(.DEFAULT_GOAL)
OPS_GEN := $(BUILD)/gen
OPS_SPECS := $(OPS_GEN)/openapi_json.inc

CPPFLAGS += -I$(OPS_GEN)

# Only version.o sees the version, so changing VERSION rebuilds one file.
$(BUILD)/obj/version.o: CPPFLAGS += -DPWGEND_VERSION='"$(VERSION)"'
$(BUILD)/obj/version.o: mk/ops.mk

$(BUILD)/obj/spec.o: $(OPS_SPECS)

$(OPS_GEN)/openapi_json.inc: openapi.json scripts/embed.sh | $(OPS_GEN)
	sh scripts/embed.sh openapi.json > $@

# $(OPS_GEN) is $(BUILD)/gen, whose rule mk/wordlist.mk already has.

# The broken random source the integration suite preloads (test_ops.c):
# plain flags, no sanitizers, whatever the build.
OPS_ZERO_RNG := $(BUILD)/zero_rng.so

$(OPS_ZERO_RNG): tests/shims/zero_rng.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC $< -o $@

integration: $(OPS_ZERO_RNG)

.PHONY: spec-json spec-check

# Rewrite openapi.json after editing openapi.yaml (then commit both).
spec-json: deps-test
	node_modules/.bin/redocly bundle openapi.yaml --ext json -o openapi.json

# Fail if openapi.json is not what openapi.yaml converts to.
spec-check: deps-test | $(OPS_GEN)
	node_modules/.bin/redocly bundle openapi.yaml --ext json \
		-o $(OPS_GEN)/openapi.check.json
	@cmp -s openapi.json $(OPS_GEN)/openapi.check.json || { \
		echo "openapi.json is stale: run 'make spec-json' and commit it" >&2; \
		exit 1; }
	@echo "openapi.json matches openapi.yaml"

# Keep `make` with no goal building `all` whichever place this is included.
ifeq ($(OPS_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
