# mk/contract.mk - contract tests (included by Makefile; tests/contract/):
# the real binary on loopback, every route and every documented error class,
# each reply validated against openapi.yaml with Draft 2020-12 JSON Schema,
# /metrics through prometheus_client's parser, and the routes[] tables of
# src/*.c compared with the spec's paths. See tests/contract/README.md.
#
# Needs Debian's python3-yaml, python3-jsonschema and
# python3-prometheus-client (scripts/deps.sh test) and /usr/bin/python3,
# where they are installed (not a pyenv or venv python that lacks them).
#
# Safe to include anywhere in Makefile (keeps .DEFAULT_GOAL; defaults BUILD).

BUILD ?= build

CONTRACT_DEFAULT_GOAL := $(.DEFAULT_GOAL)
CONTRACT_PYTHON ?= /usr/bin/python3

.PHONY: contract-test

contract-test: $(BUILD)/pwgend
	PWGEND_BIN=./$(BUILD)/pwgend $(CONTRACT_PYTHON) tests/contract/contract_test.py

ifeq ($(CONTRACT_DEFAULT_GOAL),)
.DEFAULT_GOAL :=
endif
