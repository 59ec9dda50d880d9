# Targets of tests/names.bats (symbol sources and demangling).  GNU make
# fragment included by the top-level Makefile, which defines BUILD and CC.
#
#   $(NAMES_OUT)/split-full   split.c with -g, unstripped: the readelf oracle
#   $(NAMES_OUT)/split        the same, stripped, with a .gnu_debuglink to
#   $(NAMES_OUT)/split.debug  its debug file (objcopy --only-keep-debug),
#                             split the way Debian's dh_strip does it
#   $(NAMES_OUT)/split-mini   the same, stripped, with MiniDebugInfo instead:
#                             .gnu_debugdata = xz(.symtab of what .dynsym
#                             lacks), made the way Fedora's find-debuginfo does
#   $(NAMES_OUT)/cxx          C++: namespaces, overloads, templates
#   $(NAMES_OUT)/rust-legacy  Rust with its default (legacy) mangling, and
#   $(NAMES_OUT)/rust-v0      -C symbol-mangling-version=v0 (stable since
#                             rustc 1.59; Debian 12's 1.63 accepts it);
#                             only when Debian's rustc is installed
#
# Everything here is prefixed NAMES_/names; built once by `make`.

NAMES_DIR   := tests/targets/names
NAMES_OUT   := $(BUILD)/names
NAMES_CFLAGS := -O2 -g -Wall -Wextra
# Debian's own rustc, not whatever rustup put first on PATH.
NAMES_RUSTC ?= /usr/bin/rustc

NAMES_OUTPUTS := $(NAMES_OUT)/split-full $(NAMES_OUT)/split $(NAMES_OUT)/split.debug \
		 $(NAMES_OUT)/split-mini \
		 $(NAMES_OUT)/cxx
ifneq ($(wildcard $(NAMES_RUSTC)),)
NAMES_OUTPUTS += $(NAMES_OUT)/rust-legacy $(NAMES_OUT)/rust-v0
endif

.PHONY: names-targets
names-targets: $(NAMES_OUTPUTS)
all: names-targets

$(NAMES_OUT)/split-full: $(NAMES_DIR)/split.c $(NAMES_DIR)/names.mk
	@mkdir -p $(@D)
	$(CC) $(NAMES_CFLAGS) $< -o $@

# The debug file, then the stripped binary linking to it (by name and CRC).
$(NAMES_OUT)/split.debug: $(NAMES_OUT)/split-full
	objcopy --only-keep-debug $< $@

$(NAMES_OUT)/split: $(NAMES_OUT)/split-full $(NAMES_OUT)/split.debug
	strip --strip-all -o $@.tmp $<
	cd $(@D) && objcopy --add-gnu-debuglink=split.debug split.tmp split && rm -f split.tmp

$(NAMES_OUT)/split-mini: $(NAMES_OUT)/split-full
	nm -D --format=posix --defined-only $< | awk '{ print $$1 }' | sort > $@.dyn
	nm --format=posix --defined-only $< | awk '$$2 ~ /[TtWw]/ { print $$1 }' | sort > $@.funcs
	comm -13 $@.dyn $@.funcs > $@.keep
	objcopy --only-keep-debug $< $@.mini
	objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=$@.keep $@.mini
	xz -f $@.mini
	strip --strip-all -o $@.tmp $<
	objcopy --add-section .gnu_debugdata=$@.mini.xz $@.tmp $@
	rm -f $@.dyn $@.funcs $@.keep $@.mini.xz $@.tmp

$(NAMES_OUT)/cxx: $(NAMES_DIR)/cxx.cpp $(NAMES_DIR)/names.mk
	@mkdir -p $(@D)
	$(CXX) $(NAMES_CFLAGS) $< -o $@

$(NAMES_OUT)/rust-legacy: $(NAMES_DIR)/rust.rs $(NAMES_DIR)/names.mk
	@mkdir -p $(@D)
	$(NAMES_RUSTC) -O -C debuginfo=0 -o $@ $<

$(NAMES_OUT)/rust-v0: $(NAMES_DIR)/rust.rs $(NAMES_DIR)/names.mk
	@mkdir -p $(@D)
	$(NAMES_RUSTC) -O -C debuginfo=0 -C symbol-mangling-version=v0 -o $@ $<
