# Fuzzing of the ELF / USDT parsers in helpers/ with libFuzzer.  GNU make
# fragment included by the top-level Makefile, which defines BUILD and CLANG.
# Run from the repo root.
#
#   make fuzz                  build the harnesses, run each FUZZ_SECONDS (60)
#   make fuzz-ci               the same, 20 s each
#   make fuzz-build            only build $(BUILD)/fuzz/fuzz_* and the seeds
#   make fuzz-regress          no fuzzing: run every seed (regress-* included)
#                              through its harness once; a few seconds
#   make fuzz FUZZ_SECONDS=600 FUZZ_ARGS='-jobs=4 -workers=4'
#
# Each harness runs on a fresh COPY of its seed corpus, in
# $(BUILD)/fuzz/corpus-<target>/, so tests/fuzz/corpus/ is never written to.
# The copy is tests/fuzz/corpus/<target>/ (small hand-made inputs and the
# regress-* inputs of crashes already fixed) plus, for the ELF harnesses,
# seeds generated here: tests/unit/sdt_fixture.c built PIE, non-PIE and stripped,
# and the synthetic, truncated and corrupted files tests/fuzz/mkseeds.c
# derives from them.  A crash, leak, UB report, timeout or failed invariant
# fails the target (exit 1) after printing the end of the log; the input is
# saved as $(BUILD)/fuzz/artifacts/<target>/crash-* (or leak-*, timeout-*).
# Reproduce with:  $(BUILD)/fuzz/fuzz_<target> $(BUILD)/fuzz/artifacts/<target>/crash-...
#
# Everything here is prefixed FUZZ_/fuzz so it cannot clash with other
# fragments; the recipes are sequential, so `make -j3 fuzz` runs the three
# harnesses at once.  BUILD defaults to build, so the fragment also works
# alone:  make -f tests/fuzz/fuzz.mk fuzz

BUILD        ?= build
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?=
FUZZ_CLANG   ?= $(or $(CLANG),clang)
FUZZ_HOSTCC  ?= $(CC)

FUZZ_DIR     := tests/fuzz
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_TARGETS := elf_funcs usdt_notes usdt_args

FUZZ_HELPERS := helpers/elf_funcs.c helpers/usdt_notes.c helpers/usdt_args.c helpers/usdt_syms.c \
		helpers/elf_file.c helpers/debug_find.c helpers/demangle.c \
		helpers/minidebuginfo.c
FUZZ_HEADERS := $(wildcard helpers/*.h) $(FUZZ_DIR)/fuzz_common.h
FUZZ_CFLAGS  := -D_GNU_SOURCE -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Wall -Wextra -Ihelpers -I$(FUZZ_DIR)
FUZZ_LDLIBS  := -lelf -lz -ldw -llzma -liberty -ldl

FUZZ_BINS    := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))
FUZZ_SEEDS   := $(FUZZ_OUT)/seeds/.stamp

# libFuzzer flags: no input > 64 KiB (the seeds are < 10 KiB), a run that
# takes 10 s is a hang, leaks are failures.
FUZZ_RUN_FLAGS = -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		 -timeout=10 -max_len=65536 -detect_leaks=1 -print_final_stats=1
FUZZ_DICT_usdt_args  := -dict=$(FUZZ_DIR)/usdt_args.dict
FUZZ_DICT_usdt_notes := -dict=$(FUZZ_DIR)/usdt_args.dict

.PHONY: fuzz fuzz-ci fuzz-build fuzz-regress fuzz-clean $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

# Target-specific: inherited by the fuzz-run-* prerequisites. A
# FUZZ_SECONDS given on the command line still wins.
fuzz-ci: FUZZ_SECONDS = 20
fuzz-ci: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)

fuzz-regress: $(FUZZ_BINS) $(FUZZ_SEEDS)
	@for t in $(FUZZ_TARGETS); do \
		dirs=$(FUZZ_DIR)/corpus/$$t; \
		[ $$t = usdt_args ] || dirs="$$dirs $(FUZZ_OUT)/seeds/elf"; \
		mkdir -p $(FUZZ_OUT)/artifacts/$$t; \
		if $(FUZZ_OUT)/fuzz_$$t -runs=0 -rss_limit_mb=2048 -timeout=10 -detect_leaks=1 \
			-artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/regress- $$dirs \
			> $(FUZZ_OUT)/regress-$$t.log 2>&1; then \
			echo "fuzz-regress: $$t ok ($$(grep -Eo 'Done [0-9]+ runs' $(FUZZ_OUT)/regress-$$t.log))"; \
		else \
			tail -n 60 $(FUZZ_OUT)/regress-$$t.log; \
			echo "fuzz-regress: $$t FAILED, log $(FUZZ_OUT)/regress-$$t.log" >&2; \
			exit 1; \
		fi; \
	done

fuzz-clean:
	rm -rf $(FUZZ_OUT)

# Every harness links all four parsers: usdt_notes needs usdt_args and
# elf_file, elf_funcs needs elf_file, and the linker keeps what is used.
$(FUZZ_BINS): $(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_HELPERS) $(FUZZ_HEADERS) $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_HELPERS) $(FUZZ_LDLIBS) -o $@

# Seed ELF files: real compiler output (sys/sdt.h probes, one with a
# semaphore), packed tight (-z noseparate-code) so each is ~8 KiB, then
# mkseeds' synthetic files and the truncated/corrupted/bit-flipped copies.
# The helpers unit tests' fixture program: one source of truth for "real compiler output".
FUZZ_SEED_SRC := tests/unit/sdt_fixture.c tests/unit/sdt_fixture_sema.c
FUZZ_SEED_LD  := -Wl,-z,noseparate-code -Wl,--build-id=none

$(FUZZ_OUT)/mkseeds: $(FUZZ_DIR)/mkseeds.c $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_HOSTCC) -O1 -Wall -Wextra -o $@ $<

$(FUZZ_SEEDS): $(FUZZ_OUT)/mkseeds $(FUZZ_SEED_SRC) $(FUZZ_DIR)/fuzz.mk
	@rm -rf $(@D) && mkdir -p $(@D)/bin $(@D)/elf
	$(FUZZ_HOSTCC) -O2 -fPIE -pie $(FUZZ_SEED_LD) $(FUZZ_SEED_SRC) -o $(@D)/bin/seed-pie
	$(FUZZ_HOSTCC) -O2 -fno-pie -no-pie $(FUZZ_SEED_LD) $(FUZZ_SEED_SRC) -o $(@D)/bin/seed-nopie
	$(FUZZ_HOSTCC) -O2 -fPIE -pie -rdynamic -s $(FUZZ_SEED_LD) $(FUZZ_SEED_SRC) -o $(@D)/bin/seed-pie-stripped
	$(FUZZ_OUT)/mkseeds $(@D)/elf $(@D)/bin/seed-pie $(@D)/bin/seed-nopie $(@D)/bin/seed-pie-stripped
	@touch $@

# Run one harness on a fresh copy of its corpus. libFuzzer's own exit status
# says whether it found something; the log is kept either way.
$(addprefix fuzz-run-,$(FUZZ_TARGETS)): fuzz-run-%: $(FUZZ_OUT)/fuzz_% $(FUZZ_SEEDS)
	@rm -rf $(FUZZ_OUT)/corpus-$* $(FUZZ_OUT)/artifacts/$*
	@mkdir -p $(FUZZ_OUT)/corpus-$* $(FUZZ_OUT)/artifacts/$*
	@cp $(FUZZ_DIR)/corpus/$*/* $(FUZZ_OUT)/corpus-$*/ 2>/dev/null || true
	@if [ "$*" != usdt_args ]; then cp $(FUZZ_OUT)/seeds/elf/* $(FUZZ_OUT)/corpus-$*/; fi
	@echo "fuzz: $* for $(FUZZ_SECONDS) s on $$(ls $(FUZZ_OUT)/corpus-$* | wc -l) seed inputs"
	@if $(FUZZ_OUT)/fuzz_$* $(FUZZ_RUN_FLAGS) $(FUZZ_DICT_$*) \
		-artifact_prefix=$(FUZZ_OUT)/artifacts/$*/ $(FUZZ_ARGS) \
		$(FUZZ_OUT)/corpus-$* > $(FUZZ_OUT)/$*.log 2>&1; then \
		echo "fuzz: $* ok: $$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $(FUZZ_OUT)/$*.log | sed 's/^stat:://' | tr -s ' \n' ' ')$$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' $(FUZZ_OUT)/$*.log | tail -n 1)"; \
	else \
		tail -n 60 $(FUZZ_OUT)/$*.log; \
		echo "fuzz: $* FAILED, input in $(FUZZ_OUT)/artifacts/$*/, log $(FUZZ_OUT)/$*.log" >&2; \
		exit 1; \
	fi
