# mk/docs.mk - what keeps the documentation and the contract usable
# (included by Makefile; all three are part of `make test`):
#
#   client-test    TypeScript types generated from openapi.yaml by the
#                  pinned openapi-typescript, a small client (openapi-fetch)
#                  compiled with tsc --strict and run against the real
#                  binary (tests/client/)
#
# Safe to include anywhere in Makefile (keeps .DEFAULT_GOAL; defaults BUILD).

BUILD ?= build

DOCS_DEFAULT_GOAL := $(.DEFAULT_GOAL)

.PHONY: client-test

client-test: $(BUILD)/pwgend
	tests/client/run.sh $(BUILD)

ifeq ($(DOCS_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
