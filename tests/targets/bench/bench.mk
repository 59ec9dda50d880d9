# tests/targets/bench: targets only `make bench` uses (scripts/bench*.sh);
# included by the top-level Makefile, which defines BUILD and CC. Not part of
# `all`: `make bench` builds them.
#   $(BUILD)/bench/ctx       bench_int / bench_str loops and their twins
#                            (pairs: two tracers at once; filters, keys,
#                            histograms, strings), -fcf-protection=none
#   $(BUILD)/bench/ctx-cet   the same, -fcf-protection=full (endbr64 first)
#   $(BUILD)/bench/ctx-cetpair  the same, but bench_int_b without endbr64
#                            (nocf_check): a CET and a non-CET twin, paired
#   $(BUILD)/bench/stk       stack paths, frame pointers, -g
BENCH_T_DIR    := tests/targets/bench
BENCH_T_OUT    := $(BUILD)/bench
BENCH_T_CFLAGS := -O2 -g -Wall -Wextra -fno-omit-frame-pointer -fno-ipa-icf -fno-inline-small-functions
BENCH_TARGETS  := $(BENCH_T_OUT)/ctx $(BENCH_T_OUT)/ctx-cet $(BENCH_T_OUT)/ctx-cetpair $(BENCH_T_OUT)/stk

$(BENCH_T_OUT):
	@mkdir -p $@

$(BENCH_T_OUT)/ctx: $(BENCH_T_DIR)/ctx.c $(BENCH_T_DIR)/bench.mk | $(BENCH_T_OUT)
	$(CC) $(BENCH_T_CFLAGS) -fcf-protection=none -o $@ $<

$(BENCH_T_OUT)/ctx-cet: $(BENCH_T_DIR)/ctx.c $(BENCH_T_DIR)/bench.mk | $(BENCH_T_OUT)
	$(CC) $(BENCH_T_CFLAGS) -fcf-protection=full -o $@ $<

$(BENCH_T_OUT)/ctx-cetpair: $(BENCH_T_DIR)/ctx.c $(BENCH_T_DIR)/bench.mk | $(BENCH_T_OUT)
	$(CC) $(BENCH_T_CFLAGS) -fcf-protection=full -DCTX_TWIN_NOCF -o $@ $<

$(BENCH_T_OUT)/tree.c: $(BENCH_T_DIR)/gen-tree.sh | $(BENCH_T_OUT)
	$(BENCH_T_DIR)/gen-tree.sh $@

$(BENCH_T_OUT)/stk: $(BENCH_T_DIR)/stk.c $(BENCH_T_OUT)/tree.c $(BENCH_T_DIR)/bench.mk | $(BENCH_T_OUT)
	$(CC) $(BENCH_T_CFLAGS) -fno-optimize-sibling-calls -fcf-protection=none -o $@ $< $(BENCH_T_OUT)/tree.c

.PHONY: bench-targets
bench-targets: $(BENCH_TARGETS)
bench: bench-targets
