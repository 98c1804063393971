# bench/bench.mk - benchmarks, included by the top-level Makefile.
# Never part of `make test`. See bench/README.md.
#
#   make bench         full run (< 6 min): writes bench/RESULTS.md
#   make bench-quick   short run (~1 min): writes $(BUILD)/bench/RESULTS-quick.md
#
# Uses the top-level CC, CPPFLAGS, ALL_CFLAGS, LIBS, OBJS, BIN and BUILD.

BENCH_DIR  := $(BUILD)/bench
CEILING    := $(BENCH_DIR)/ceiling
GENBENCH   := $(BENCH_DIR)/genbench
BENCH_BINS := $(CEILING) $(GENBENCH)
BENCH_ARGS  = --pwgend $(BIN) --ceiling $(CEILING) --genbench $(GENBENCH) \
              --work $(BENCH_DIR)

.PHONY: bench bench-quick bench-build

bench-build: $(BIN) $(BENCH_BINS)

bench: $(BIN) $(BENCH_BINS)
	bench/run.sh full $(BENCH_ARGS) --out bench/RESULTS.md

bench-quick: $(BIN) $(BENCH_BINS)
	bench/run.sh quick $(BENCH_ARGS) --out $(BENCH_DIR)/RESULTS-quick.md

$(BENCH_DIR)/%.o: bench/%.c | $(BENCH_DIR)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(CEILING): $(BENCH_DIR)/ceiling.o
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LIBS)

# genbench links the service's own objects: it measures the server's code.
$(GENBENCH): $(BENCH_DIR)/genbench.o $(OBJS)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LIBS)

$(BENCH_DIR):
	mkdir -p $@

-include $(BENCH_DIR)/ceiling.d $(BENCH_DIR)/genbench.d
