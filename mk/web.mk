# mk/web.mk - the browser face (included by Makefile): the generator page at
# / and Swagger UI at /docs, embedded into the binary like the spec.
#
#   - web/*.{html,js,css} (hand-written) and vendor/swagger-ui/* (copied
#     from the pinned npm package swagger-ui-dist) become byte arrays in
#     $(BUILD)/gen/web_*.inc through scripts/embed.sh (od + awk), compiled
#     into src/web.c. Plain `make` needs neither Node.js nor npm: the
#     vendored copies are committed.
#   - vendor-swagger: refresh vendor/swagger-ui/ from node_modules after
#     changing the pinned version in package.json (then commit both).
#   - web-check: fail when vendor/swagger-ui/ differs from the package
#     pinned in package-lock.json (part of `make test`).
#   - browser-test: tests/browser/run.sh, the end-to-end test in Debian's
#     chromium (part of `make test`; screenshots in $(BUILD)/browser/).
#
# Safe to include anywhere in Makefile (keeps .DEFAULT_GOAL; defaults BUILD).

BUILD ?= build

WEB_DEFAULT_GOAL := $(.DEFAULT_GOAL)
WEB_GEN := $(BUILD)/gen

# The files served, and the .inc each becomes (web_<name with _ for . ->).
WEB_PAGES := web/index.html web/app.js web/style.css web/docs.html \
             web/docs-init.js web/docs.css
SWAGGER_FILES := swagger-ui-bundle.js swagger-ui.css
SWAGGER_DIR := vendor/swagger-ui
SWAGGER_VENDORED := $(SWAGGER_FILES:%=$(SWAGGER_DIR)/%)
# Copied with the code: its licence and notice (Apache-2.0 4(a), 4(d)).
SWAGGER_LEGAL := LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt

web_inc = $(WEB_GEN)/web_$(subst -,_,$(subst .,_,$(notdir $(1)))).inc
WEB_INCS := $(foreach f,$(WEB_PAGES) $(SWAGGER_VENDORED),$(call web_inc,$(f)))

ifeq ($(filter -I$(WEB_GEN),$(CPPFLAGS)),)
CPPFLAGS += -I$(WEB_GEN)
endif

$(BUILD)/obj/web.o: $(WEB_INCS)

define WEB_EMBED_RULE
$(call web_inc,$(1)): $(1) scripts/embed.sh | $(WEB_GEN)
	sh scripts/embed.sh $(1) > $$@
endef
$(foreach f,$(WEB_PAGES) $(SWAGGER_VENDORED),$(eval $(call WEB_EMBED_RULE,$(f))))

# $(WEB_GEN) is $(BUILD)/gen, whose rule mk/wordlist.mk already has.

.PHONY: vendor-swagger web-check browser-test

SWAGGER_NPM := node_modules/swagger-ui-dist

# Copy the pinned swagger-ui-dist's files into vendor/swagger-ui/ and record
# its version there.
vendor-swagger: deps-test
	@[ -f $(SWAGGER_NPM)/package.json ] || npm ci --no-audit --no-fund
	cp $(SWAGGER_FILES:%=$(SWAGGER_NPM)/%) $(SWAGGER_LEGAL:%=$(SWAGGER_NPM)/%) $(SWAGGER_DIR)/
	node -p 'require("./$(SWAGGER_NPM)/package.json").version' > $(SWAGGER_DIR)/VERSION
	@echo "vendor/swagger-ui/ now holds swagger-ui-dist $$(cat $(SWAGGER_DIR)/VERSION)"

# Fail when the vendored copies are not byte for byte the pinned package's.
# The version comes from package-lock.json, so a stale node_modules is
# refreshed (npm ci) rather than trusted.
web-check: deps-test
	@want=$$(node -p 'require("./package-lock.json").packages["node_modules/swagger-ui-dist"].version') && \
	have=$$(node -p 'try { require("./$(SWAGGER_NPM)/package.json").version } catch (e) { "" }') && \
	{ [ "$$have" = "$$want" ] || npm ci --no-audit --no-fund; } && \
	vendored=$$(cat $(SWAGGER_DIR)/VERSION) && \
	{ [ "$$vendored" = "$$want" ] || { echo "web-check: vendor/swagger-ui/ holds swagger-ui-dist $$vendored, package-lock.json pins $$want: run 'make vendor-swagger'" >&2; exit 1; }; } && \
	for f in $(SWAGGER_FILES) $(SWAGGER_LEGAL); do \
		cmp -s $(SWAGGER_NPM)/$$f $(SWAGGER_DIR)/$$f || { \
			echo "web-check: $(SWAGGER_DIR)/$$f differs from swagger-ui-dist $$want: run 'make vendor-swagger'" >&2; \
			exit 1; }; \
	done && \
	echo "web-check: vendor/swagger-ui/ is swagger-ui-dist $$want"

# The end-to-end test in a real browser (needs Node.js and chromium, which
# run.sh installs when missing).
browser-test: all
	tests/browser/run.sh $(BUILD)

# Keep `make` with no goal building `all` whichever place this is included.
ifeq ($(WEB_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
