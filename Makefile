# uscope: one binary (build/uscope) with its BPF object embedded, the demo
# target umark, and the bats suite. `make deps` installs what is missing;
# every other target depends on it, so a fresh Debian 12 needs only `make test`.

# SANITIZE=1 builds everything with ASan + UBSan into its own tree, so the
# normal build is never mixed with instrumented objects.
ifeq ($(SANITIZE),1)
BUILD    := build/asan
else
BUILD    := build
endif
CC       := gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PREFIX   ?= /usr/local
DESTDIR  ?=

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra
CPPFLAGS := -D_GNU_SOURCE -I$(BUILD) -Iprobes -Ihelpers -Iloader
# libbpf is linked statically so build/uscope runs without libbpf installed.
LIBS     := -Wl,-Bstatic -lbpf -Wl,-Bdynamic -lelf -lz -lZydis
# --metrics: libmicrohttpd (Debian libmicrohttpd12) is dlopen()ed, not linked (loader/metrics_mhd.c):
# only its header is needed at build time, and other runs map neither it nor GnuTLS.
# --stack: libdw/libdwfl (DWARF line tables, CFI unwinding, debug-file lookup).
LIBS     += $(shell pkg-config --libs libdw 2>/dev/null || echo -ldw)
# Symbol sources and demangling (helpers/debug_find.c, minidebuginfo.c, demangle.c):
# libdw's libdwelf (above), liblzma, libiberty (static only); libdebuginfod is dlopen()ed.
LIBS     += -llzma -liberty -ldl

ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 $(WARN) \
	      -idirafter /usr/include/x86_64-linux-gnu

HELPERS_SRC := $(wildcard helpers/*.c)
HELPERS_SRC := $(filter-out helpers/uprobe_multi_abi_check.c,$(HELPERS_SRC))
LOADER_SRC  := $(wildcard loader/*.c)
HELPERS_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(HELPERS_SRC))
LOADER_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LOADER_SRC))

.PHONY: all deps demo test bench install clean
# `make fuzz` (60 s a parser) and `make fuzz-ci` (20 s) come from tests/fuzz/fuzz.mk.
.DEFAULT_GOAL := all

all: $(BUILD)/uscope umark

deps:
	@scripts/install-deps.sh

$(BUILD) $(BUILD)/helpers $(BUILD)/loader: | deps
	@mkdir -p $@

# vmlinux.h: every kernel type, from the running kernel's BTF.
$(BUILD)/vmlinux.h: | $(BUILD)
	@test -r /sys/kernel/btf/vmlinux || { echo "error: this kernel has no BTF (/sys/kernel/btf/vmlinux); uscope needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# The uprobe_multi attr layout written by helpers/uprobe_multi.c, checked against BTF.
$(BUILD)/abi-check.stamp: helpers/uprobe_multi_abi_check.c $(BUILD)/vmlinux.h
	$(CLANG) -target bpf -fsyntax-only -I$(BUILD) $<
	@touch $@

$(BUILD)/uscope.bpf.o: probes/uscope.bpf.c $(wildcard probes/*.h) $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -I$(BUILD) -Iprobes -c $< -o $@

$(BUILD)/uscope.skel.h: $(BUILD)/uscope.bpf.o
	$(BPFTOOL) gen skeleton $< name uscope_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/helpers/%.o: helpers/%.c $(wildcard helpers/*.h) | $(BUILD)/helpers
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -std=gnu11 -c $< -o $@

$(BUILD)/loader/%.o: loader/%.c $(wildcard loader/*.h helpers/*.h) probes/uscope.h $(BUILD)/uscope.skel.h | $(BUILD)/loader
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -std=gnu11 -c $< -o $@

$(BUILD)/uscope: $(LOADER_OBJ) $(HELPERS_OBJ) $(BUILD)/abi-check.stamp
	$(CC) $(CFLAGS) $(LDFLAGS) $(LOADER_OBJ) $(HELPERS_OBJ) $(LIBS) -lm -o $@

include umark/umark.mk
include tests/fuzz/fuzz.mk
include tests/targets/usdtforms/usdtforms.mk
include tests/targets/names/names.mk
include tests/targets/house/house.mk
include tests/targets/noharm/noharm.mk
include tests/targets/stacks/stacks.mk
include tests/targets/trees/trees.mk
include tests/targets/bench/bench.mk
include tests/targets/insn/insn.mk
include tests/targets/context/context.mk
include tests/targets/bykeys/bykeys.mk

.PHONY: umark
umark: $(UMARK_OUTPUTS)

demo: all
	@scripts/demo.sh

test: all
	@USCOPE_BUILD=$(abspath $(BUILD)) SANITIZE=$(SANITIZE) scripts/run-tests.sh

bench: all
	@BENCH=1 scripts/install-deps.sh
	@scripts/bench.sh

install: $(BUILD)/uscope
	install -D -m 0755 $(BUILD)/uscope $(DESTDIR)$(PREFIX)/bin/uscope
	install -D -m 0644 docs/uscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/uscope.1
	install -D -m 0644 completion/uscope.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/uscope

clean:
	rm -rf $(BUILD)
