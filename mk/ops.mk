# mk/ops.mk - build rules for the operations surface (included by Makefile):
#
#   - the version string compiled into src/version.c: openapi.yaml's
#     info.version, the one place it is written (make spec-check checks it);
#   - openapi.json embedded into src/spec.c as a byte array, once: it is
#     served at /openapi.json and /openapi.yaml alike (JSON is YAML 1.2)
#     (scripts/embed.sh: od + awk only, so plain `make` and the container
#     build need nothing beyond the compiler);
#   - spec-json / spec-check: regenerate openapi.json from openapi.yaml with
#     the pinned @redocly/cli, or fail when the committed copy is stale, when
#     openapi.yaml is over SPEC_MAX_BYTES (prose belongs in docs/API.md) or
#     when its info.version is not a plain x.y.z or not the VERSION built
#     (needs Node.js, like `make lint`; never needed by `make`).
#
# Safe to include anywhere in Makefile: it defines no rule before `all`
# matters (.DEFAULT_GOAL is kept) and defaults BUILD itself.

BUILD   ?= build
# pwgend's version is the contract's: info.version in openapi.yaml (the
# first "  version:" line, which is info's). Bump it there.
VERSION ?= $(shell sed -n 's/^  version: *//p' openapi.yaml | head -n 1)

OPS_DEFAULT_GOAL := $(.DEFAULT_GOAL)
OPS_GEN := $(BUILD)/gen
OPS_SPECS := $(OPS_GEN)/openapi_json.inc

CPPFLAGS += -I$(OPS_GEN)

# Only version.o sees the version, so changing VERSION rebuilds one file.
$(BUILD)/obj/version.o: CPPFLAGS += -DPWGEND_VERSION='"$(VERSION)"'
$(BUILD)/obj/version.o: mk/ops.mk openapi.yaml

$(BUILD)/obj/spec.o: $(OPS_SPECS)

$(OPS_GEN)/openapi_json.inc: openapi.json scripts/embed.sh | $(OPS_GEN)
	sh scripts/embed.sh openapi.json > $@

# $(OPS_GEN) is $(BUILD)/gen, whose rule mk/wordlist.mk already has.

# The broken random source the integration suite preloads (test_ops.c):
# plain flags, no sanitizers, whatever the build.
OPS_ZERO_RNG := $(BUILD)/zero_rng.so

$(OPS_ZERO_RNG): tests/shims/zero_rng.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC $< -o $@

integration integration-once: $(OPS_ZERO_RNG)

.PHONY: spec-json spec-check

# Rewrite openapi.json after editing openapi.yaml (then commit both).
spec-json: deps-test
	node_modules/.bin/redocly bundle openapi.yaml --ext json -o openapi.json

# The contract stays a contract: the reference prose lives in docs/API.md.
SPEC_MAX_BYTES ?= 60000

# Fail if openapi.json is not what openapi.yaml converts to, if a generation
# route's parameters are not exactly the kinds registry's (the unit suite
# `kinds`), if openapi.yaml outgrew SPEC_MAX_BYTES, or if the version is
# not one x.y.z everywhere.
spec-check: deps-test | $(OPS_GEN)
	node_modules/.bin/redocly bundle openapi.yaml --ext json \
		-o $(OPS_GEN)/openapi.check.json
	@cmp -s openapi.json $(OPS_GEN)/openapi.check.json || { \
		echo "openapi.json is stale: run 'make spec-json' and commit it" >&2; \
		exit 1; }
	@echo "openapi.json matches openapi.yaml"
	@$(MAKE) --no-print-directory $(BUILD)/check_unit >/dev/null && CK_RUN_SUITE=kinds ./$(BUILD)/check_unit
	@size=$$(wc -c < openapi.yaml); [ "$$size" -le $(SPEC_MAX_BYTES) ] || { \
		echo "openapi.yaml is $$size bytes, over $(SPEC_MAX_BYTES): move prose to docs/API.md" >&2; \
		exit 1; }; \
	echo "openapi.yaml is $$size bytes (at most $(SPEC_MAX_BYTES))"
	@info=$$(node -p 'require("./$(OPS_GEN)/openapi.check.json").info.version') && \
	echo "$$info" | grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+' || { \
		echo "openapi.yaml info.version '$$info' is not x.y.z" >&2; exit 1; }; \
	[ "$$info" = "$(VERSION)" ] || { \
		echo "openapi.yaml info.version is $$info but VERSION is '$(VERSION)' (bump info.version, the one place)" >&2; \
		exit 1; }; \
	echo "version $$info: openapi.yaml info.version, built into /version"

# Keep `make` with no goal building `all` whichever place this is included.
ifeq ($(OPS_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
