# mk/docs.mk - what keeps the documentation and the contract usable
# (included by Makefile; all three are part of `make test`):
#
#   client-test    TypeScript types generated from openapi.yaml by the
#                  pinned openapi-typescript, a small client (openapi-fetch)
#                  compiled with tsc --strict and run against the real
#                  binary (tests/client/)
#   docs-check     README.md and docs/*.md: relative links and anchors
#                  resolve, README links every topic page, every curl
#                  example fails on errors, encodes its query and is run
#   examples-test  every ```sh example of those pages run against the real
#                  binary on an ephemeral loopback port, its output's shape
#                  checked (tests/docs/docs_test.py; the convention is in
#                  docs/CONTRIBUTING.md)
#
# Safe to include anywhere in Makefile (keeps .DEFAULT_GOAL; defaults BUILD).

BUILD ?= build

DOCS_DEFAULT_GOAL := $(.DEFAULT_GOAL)

DOCS_PYTHON ?= /usr/bin/python3

.PHONY: client-test docs-check examples-test

client-test: $(BUILD)/pwgend
	tests/client/run.sh $(BUILD)

docs-check:
	$(DOCS_PYTHON) tests/docs/docs_test.py links

examples-test: $(BUILD)/pwgend
	scripts/with-server.sh $(BUILD)/pwgend \
		$(DOCS_PYTHON) tests/docs/docs_test.py examples

ifeq ($(DOCS_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
