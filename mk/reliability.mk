# mk/reliability.mk - sanitizers and statistics beyond `make test`
# (included by the top-level Makefile; see tests/README.md):
#
#   make tsan         ThreadSanitizer: the unit tests, the load suite
#                     against a TSan-built server with four loops, and the
#                     edge suite (admin listener scraping while loops
#                     serve), in build/tsan
#   make stats        a large sample through the real server: chi-square
#                     report, Debian's ent, and a few dieharder tests
#                     (not part of `make test`)
#   make known-bugs   the known_bugs integration suite: inputs accepted today
#                     that should be refused (fails until they are fixed)
#
# Uses the top-level CC, BUILD, CPPFLAGS, ALL_CFLAGS, LIBS, CHECK_LIBS, BIN,
# INTEG and the unit/integration targets.

.PHONY: tsan stats known-bugs

# ----------------------------------------------------------------- tsan
# halt_on_error: the first report is fatal; huge allocations return NULL as
# in production (unit tests check the ENOMEM paths, as with make asan).
# Reports go to build/tsan/report.PID as well as failing the run, so that
# one from a server that a test has already finished with (and kills) is
# not lost: any such file fails `make tsan`. libmicrohttpd is not
# instrumented (TSan sees its pthread calls, not its memory), so the
# suppressions file may list races inside libmicrohttpd's own frames, each
# with its reason; never one in pwgend's code.
TSAN_DIR := build/tsan
TSAN_RUN_OPTIONS = halt_on_error=1 second_deadlock_stack=1 \
                   allocator_may_return_null=1 \
                   suppressions=$(CURDIR)/tests/tsan.supp \
                   log_path=$(CURDIR)/$(TSAN_DIR)/report
TSAN_MAKE = $(MAKE) --no-print-directory BUILD=$(TSAN_DIR) CFLAGS="-O1 -g" \
            SANFLAGS="-fsanitize=thread -fno-omit-frame-pointer"
TSAN_UNIT_SUITES ?=                # empty: every unit suite

tsan: deps-test
	@mkdir -p $(TSAN_DIR); rm -f $(TSAN_DIR)/report.*; \
	start=$$(date +%s); \
	$(TSAN_MAKE) -j$(JOBS) binaries && \
	TSAN_OPTIONS="$(TSAN_RUN_OPTIONS)" \
	$(if $(TSAN_UNIT_SUITES),CK_RUN_SUITE="$(TSAN_UNIT_SUITES)") \
		$(TSAN_MAKE) unit && \
	TSAN_OPTIONS="$(TSAN_RUN_OPTIONS)" CK_RUN_SUITE=load PWGEND_LOOPS=4 \
		$(TSAN_MAKE) integration-once && \
	TSAN_OPTIONS="$(TSAN_RUN_OPTIONS)" CK_RUN_SUITE=edge \
		$(TSAN_MAKE) integration-once && \
	TSAN_OPTIONS="$(TSAN_RUN_OPTIONS)" CK_RUN_SUITE=policies \
		$(TSAN_MAKE) integration-once; rc=$$?; \
	if ls $(TSAN_DIR)/report.* >/dev/null 2>&1; then \
		cat $(TSAN_DIR)/report.*; echo "tsan: reports above"; exit 1; fi; \
	[ $$rc = 0 ] && echo "tsan: clean in $$(( $$(date +%s) - start )) s"; \
	exit $$rc

# ---------------------------------------------------------------- stats
STATS_DIR := $(BUILD)/stats
STATS_TOOL := $(STATS_DIR)/stats
STATS_OBJS := $(BUILD)/tobj/integration/harness.o \
              $(BUILD)/tobj/integration/verify.o
# dieharder tests that need at most ~100 MB each (about 35 s in all):
# birthdays, count-the-1s (stream), parking lot, runs, STS monobit, runs
# and serial, DAB DCT. STATS_DIEHARDER= skips dieharder.
STATS_DIEHARDER ?= 0 8 10 15 100 101 102 206
STATS_PKGS = ent dieharder

$(STATS_DIR):
	mkdir -p $@

$(STATS_TOOL): tests/integration/stats/stats.c $(STATS_OBJS) | $(STATS_DIR)
	$(CC) $(CPPFLAGS) -Itests -Itests/integration $(ALL_CFLAGS) \
		$(filter %.c %.o,$^) -o $@ $(LIBS)

# ent and dieharder come from Debian: installed here when missing (as
# root), else their part of the report is skipped with a note. The report
# is also kept in $(STATS_DIR)/REPORT.txt.
stats: $(BIN) $(STATS_TOOL)
	@for p in $(STATS_PKGS); do command -v $$p >/dev/null 2>&1 || \
		{ [ "$$(id -u)" = 0 ] && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$p \
			>/dev/null 2>&1; } || true; done
	@start=$$(date +%s); \
	tests/integration/stats/report.sh ./$(BIN) ./$(STATS_TOOL) \
		$(STATS_DIR) "$(STATS_DIEHARDER)" > $(STATS_DIR)/REPORT.txt; \
	rc=$$?; cat $(STATS_DIR)/REPORT.txt; \
	echo "stats: $$(( $$(date +%s) - start )) s, report in $(STATS_DIR)/REPORT.txt"; \
	exit $$rc

# --------------------------------------------------------- known bugs
known-bugs: $(BIN) $(INTEG)
	PWGEND_KNOWN_BUGS=1 CK_RUN_SUITE=known_bugs PWGEND_BIN=./$(BIN) ./$(INTEG)

-include $(STATS_DIR)/stats.d
