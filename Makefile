# pwgend - see README.md. One non-recursive Makefile driven by pkg-config.
#
#   make run      install missing packages, build, serve on :8080
#   make test     install missing packages, build, run every test
#   make asan     the whole suite under AddressSanitizer + UBSan
#   make clean

.DEFAULT_GOAL := all

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
SANFLAGS ?=
PKGS    := libmicrohttpd jansson libsodium gnutls yaml-0.1

# -iquote: our headers (sched.h among them) must never shadow the system's <...>
CPPFLAGS += -iquote include -D_POSIX_C_SOURCE=200809L -MMD -MP
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -pthread $(CFLAGS) $(SANFLAGS) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

SRCS    := $(filter-out src/main.c,$(wildcard src/*.c))
OBJS    := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
# The EFF wordlist, embedded at build time (mk/wordlist.mk).
include mk/wordlist.mk
OBJS    += $(GEN_OBJS)
UNIT_SRCS := $(wildcard tests/unit/*.c)
INTEG_SRCS := $(wildcard tests/integration/*.c)

BIN     := $(BUILD)/pwgend
UNIT    := $(BUILD)/check_unit
INTEG   := $(BUILD)/check_integration

.PHONY: binaries all deps deps-test run test unit integration integration-once \
        lint tls-test \
        compat-test metrics-test rules-test asan clean \
        docker docker-test compose-test kube-test scale-test k8s-lint fuzz \
        fuzz-short
.DELETE_ON_ERROR:

all: $(BIN)

# /livez /readyz /metrics /version /openapi.*: generated sources (mk/ops.mk).
-include mk/ops.mk
# / and /docs: the pages and Swagger UI, embedded at build time (mk/web.mk).
-include mk/web.mk
# Every reply checked against openapi.yaml (mk/contract.mk).
-include mk/contract.mk
# Generated clients, documentation links and examples (mk/docs.mk).
-include mk/docs.mk

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tobj/%.o: tests/%.c | $(BUILD)/tobj/unit $(BUILD)/tobj/integration
	$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) \
		$(shell pkg-config --cflags check 2>/dev/null) -c $< -o $@

$(BUILD)/obj $(BUILD)/tobj/unit $(BUILD)/tobj/integration:
	mkdir -p $@

$(BIN): $(OBJS) $(BUILD)/obj/main.o
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LIBS)

$(UNIT): $(OBJS) $(UNIT_SRCS:tests/%.c=$(BUILD)/tobj/%.o)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(CHECK_LIBS) $(LIBS)

$(INTEG): $(INTEG_SRCS:tests/%.c=$(BUILD)/tobj/%.o)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(CHECK_LIBS) $(LIBS)

run: deps
	@$(MAKE) --no-print-directory all
	./$(BIN)

# Check's default per-test timeout is 4 s; a sanitized build on a loaded
# 2-core machine once took longer over a 64-byte self-test.
unit: $(UNIT)
	CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-20} ./$(UNIT)

# Three times, so each loop count sees the whole suite: with the defaults
# (one loop per usable CPU, replies over 1 MiB streamed); with one loop and
# every GET reply streamed (sent chunked once it passes one 128 KiB chunk);
# and with four loops, more than this machine has cores.
INTEG_RUN = PWGEND_BIN=./$(BIN) ./$(INTEG)
integration: $(BIN) $(INTEG)
	$(INTEG_RUN)
	PWGEND_LOOPS=1 PWGEND_STREAM_MIN_BYTES=0 CK_EXCLUDE_TAGS=faults $(INTEG_RUN)
	PWGEND_LOOPS=4 CK_EXCLUDE_TAGS=faults $(INTEG_RUN)

# The whole suite once, with the defaults: what the sanitizer builds run
# (three sanitized passes took longer than the rest of CI together).
integration-once: $(BIN) $(INTEG)
	$(INTEG_RUN)

lint: deps-test
	scripts/lint-openapi.sh

# The original service's clients: every /v1 and blog-era route as they
# used it (tests/compat/).
compat-test: $(BIN)
	PWGEND_BIN=./$(BIN) /usr/bin/python3 tests/compat/compat_test.py

# rules= (passwordrules) against an independent checker: a fixture of
# valid, refused and malformed rules over HTTP and the CLI, and seeded
# random rules compared with /password/explain (tests/rules/).
rules-test: $(BIN)
	PWGEND_BIN=./$(BIN) /usr/bin/python3 tests/rules/rules_test.py

# HTTPS end to end with throwaway certificates made at test time
# (tests/tls/): curl and Python's ssl, refusals, rotation under load.
tls-test: $(BIN)
	PWGEND_BIN=./$(BIN) /usr/bin/python3 tests/tls/tls_test.py

# /metrics through Prometheus' own promtool (scripts/promtool.sh fetches
# it from Debian's prometheus package) and the series operators need.
metrics-test: $(BIN)
	PROMTOOL=$$(BUILD=$(BUILD) sh scripts/promtool.sh) && \
	PWGEND_BIN=./$(BIN) PROMTOOL=$$PROMTOOL \
		/usr/bin/python3 tests/metrics/metrics_test.py

# Every binary the suites run, built in parallel first (the suites
# themselves run one at a time: they time servers and count sockets).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
binaries: $(BIN) $(UNIT) $(INTEG) $(OPS_ZERO_RNG)

test: deps-test
	@$(MAKE) --no-print-directory -j$(JOBS) binaries
	@$(MAKE) --no-print-directory unit integration
	@$(MAKE) --no-print-directory contract-test
	@$(MAKE) --no-print-directory tls-test
	@$(MAKE) --no-print-directory compat-test
	@$(MAKE) --no-print-directory rules-test
	@$(MAKE) --no-print-directory metrics-test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory spec-check
	@$(MAKE) --no-print-directory client-test
	@$(MAKE) --no-print-directory docs-check
	@$(MAKE) --no-print-directory examples-test
	@$(MAKE) --no-print-directory web-check
	@$(MAKE) --no-print-directory browser-test
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory k8s-lint
	@$(MAKE) --no-print-directory docker-test
	@$(MAKE) --no-print-directory kube-test

# ASan + UBSan over the whole suite (one integration pass), in its own
# build directory. Leaks fail
# the forked Check children (LeakSanitizer); any UB report aborts. Huge
# allocations return NULL as in production (tests check ENOMEM paths).
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-O1 -g" \
	SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

# The unit suites run in one process here (CK_FORK=no): LeakSanitizer's
# scan at the exit of every forked test took 177 of the run's 220 s, and
# one scan at the end fails on a leak just the same (make test runs them
# forked, isolated); timeout stands in for Check's per-test ones, which
# need the fork.
asan: deps-test
	@$(ASAN_ENV) $(ASAN_MAKE) -j$(JOBS) binaries
	@$(ASAN_ENV) CK_FORK=no timeout 900 $(ASAN_MAKE) unit
	@$(ASAN_ENV) $(ASAN_MAKE) integration-once

# libFuzzer (clang 14 with Debian's libclang-rt-14-dev) on the two parsers
# of untrusted input: the request-target parser and router, and the JSON
# body of POST /v1/complex_password, FUZZ_TIME seconds each. The committed
# seeds in tests/fuzz/corpus* are read; new inputs go to $(BUILD)/fuzz/, so
# runs never dirty the tree.
FUZZ_TIME ?= 60
FUZZER := $(BUILD)/fuzz/fuzz_request
FUZZER_COMPLEX := $(BUILD)/fuzz/fuzz_complex
FUZZ_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -iquote include -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# the parser and what it links: the kinds it dispatches to (their runs
# come along), complex.c (the complex kind, and its errors go through it)
FUZZ_LIB_SRCS := src/request.c src/problem.c src/names.c src/kind.c src/kinds.c \
                 src/kind_chars.c src/kind_password.c src/kind_pin.c \
                 src/kind_passphrase.c src/kind_token.c src/kind_complex.c \
                 src/original.c src/complex.c src/render.c src/sbuf.c \
                 src/uniq.c src/policy.c src/passphrase.c src/token.c \
                 src/pin.c src/gen.c src/rng.c src/secmem.c src/policies.c \
                 src/wordlist.c src/pwrules.c \
                 $(GEN_SRCS)
FUZZ_SRCS := tests/fuzz/fuzz_request.c $(FUZZ_LIB_SRCS)
FUZZ_COMPLEX_SRCS := tests/fuzz/fuzz_complex.c $(FUZZ_LIB_SRCS)

$(FUZZER): $(FUZZ_SRCS) include/request.h include/policy.h include/kind.h
	mkdir -p $(BUILD)/fuzz/corpus
	clang $(FUZZ_FLAGS) -Wall -Wextra -Werror $(FUZZ_SRCS) -ljansson -lsodium -lm \
		-o $@

$(FUZZER_COMPLEX): $(FUZZ_COMPLEX_SRCS) include/complex.h include/request.h
	mkdir -p $(BUILD)/fuzz/corpus_complex
	clang $(FUZZ_FLAGS) -Wall -Wextra -Werror $(FUZZ_COMPLEX_SRCS) \
		-ljansson -lsodium -lm -o $@

fuzz: deps-test $(FUZZER) $(FUZZER_COMPLEX)
	$(FUZZER) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus
	$(FUZZER_COMPLEX) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		-max_len=4096 $(BUILD)/fuzz/corpus_complex \
		tests/fuzz/corpus_complex

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=15

# Containers and scale-out (docs/DEPLOY.md). docker-test runs the image
# with podman (installed on demand; prints SKIPPED only where podman cannot
# run at all), hardened, and checks size, labels, contents, health, output,
# user, HTTPS, JSON logs and SIGTERM. kube-test runs
# docker/k8s/deployment.yaml with `podman kube play` and checks its pods,
# probes, env, securityContext, limits and drain (same SKIPPED rule).
docker:
	scripts/docker.sh build

docker-test:
	scripts/docker.sh test

kube-test:
	scripts/docker.sh kube-test

compose-test:
	scripts/docker.sh compose-test

scale-test: all
	scripts/scale-test.sh

k8s-lint:
	scripts/validate-k8s.sh

clean:
	rm -rf build node_modules/.cache docker/k8s/node_modules

# Benchmarks (make bench, make bench-quick): see bench/README.md.
-include bench/bench.mk
# make tsan, make stats, make known-bugs (mk/reliability.mk).
-include mk/reliability.mk

-include $(OBJS:.o=.d) $(BUILD)/obj/main.d
-include $(UNIT_SRCS:tests/%.c=$(BUILD)/tobj/%.d)
-include $(INTEG_SRCS:tests/%.c=$(BUILD)/tobj/%.d)
