# usdtforms: targets whose USDT probes use every argument form gcc and clang
# emit (tests/usdt_forms.bats).  GNU make fragment included by the top-level
# Makefile, which defines BUILD, CC and CLANG.  Run from the repo root.
#
#   $(BUILD)/usdtforms/forms-gcc          gcc -O2, PIE: sym(%rip), 8+ti(%rip), SIB
#   $(BUILD)/usdtforms/forms-gcc-nopie    gcc -O2, non-PIE: a16(%rbx,%rbx), a64(,%rbx,8)
#   $(BUILD)/usdtforms/forms-clang        clang -O2: stack slots
#   $(BUILD)/usdtforms/forms-gcc-stripped forms-gcc without .symtab
#   $(BUILD)/usdtforms/cost               functions starting with one instruction
#                                         of each uprobe class (uscope funcs --cost)
#   $(BUILD)/usdtforms/cet                -fcf-protection=full: the endbr64 skip
#   $(BUILD)/usdtforms/gorec              Go (Debian's golang-go): stacks that grow mid-call
#
# Built once with `make` (part of `all`), so the suite only runs them.
# Everything here is prefixed USDTFORMS_ so it cannot clash with other fragments.

USDTFORMS_DIR  := tests/targets/usdtforms
USDTFORMS_OUT  := $(BUILD)/usdtforms
USDTFORMS_SRCS := $(USDTFORMS_DIR)/forms.c $(USDTFORMS_DIR)/tu2.c
USDTFORMS_DEPS := $(USDTFORMS_SRCS) $(USDTFORMS_DIR)/usdtforms.mk
USDTFORMS_CFLAGS := -O2 -g -Wall -Wextra

USDTFORMS_OUTPUTS := $(USDTFORMS_OUT)/forms-gcc $(USDTFORMS_OUT)/forms-gcc-nopie \
		     $(USDTFORMS_OUT)/forms-clang $(USDTFORMS_OUT)/forms-gcc-stripped \
		     $(USDTFORMS_OUT)/cost $(USDTFORMS_OUT)/cet $(USDTFORMS_OUT)/gorec

all: $(USDTFORMS_OUTPUTS)

$(USDTFORMS_OUT)/forms-gcc: $(USDTFORMS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(USDTFORMS_CFLAGS) -fPIE -pie $(USDTFORMS_SRCS) -o $@

$(USDTFORMS_OUT)/forms-gcc-nopie: $(USDTFORMS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(USDTFORMS_CFLAGS) -fno-pie -no-pie $(USDTFORMS_SRCS) -o $@

$(USDTFORMS_OUT)/forms-clang: $(USDTFORMS_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(USDTFORMS_CFLAGS) -fPIE -pie $(USDTFORMS_SRCS) -o $@

$(USDTFORMS_OUT)/forms-gcc-stripped: $(USDTFORMS_OUT)/forms-gcc
	strip -o $@ $<

$(USDTFORMS_OUT)/cost: $(USDTFORMS_DIR)/cost.S $(USDTFORMS_DIR)/cost_main.c $(USDTFORMS_DIR)/usdtforms.mk
	@mkdir -p $(@D)
	$(CC) $(USDTFORMS_CFLAGS) $(USDTFORMS_DIR)/cost_main.c $(USDTFORMS_DIR)/cost.S -o $@

$(USDTFORMS_OUT)/cet: $(USDTFORMS_DIR)/cet.S $(USDTFORMS_DIR)/cet_main.c $(USDTFORMS_DIR)/usdtforms.mk
	@mkdir -p $(@D)
	$(CC) $(USDTFORMS_CFLAGS) -fcf-protection=full -fno-omit-frame-pointer $(USDTFORMS_DIR)/cet_main.c \
		$(USDTFORMS_DIR)/cet.S -o $@

$(USDTFORMS_OUT)/gorec: $(USDTFORMS_DIR)/gorec/main.go $(USDTFORMS_DIR)/usdtforms.mk
	@mkdir -p $(@D)
	cd $(USDTFORMS_DIR)/gorec && GOCACHE=$(abspath $(USDTFORMS_OUT))/gocache GO111MODULE=off \
		go build -o $(abspath $@) main.go
