# insn: targets of --ret-mode insn and Go returns (tests/insn.bats, tests/insn_go.bats).
# GNU make fragment included by the top-level Makefile (BUILD, CC). Run from the repo root.
#
#   $(BUILD)/insn/rets        gcc -O2: several rets, a tail call, a .cold part, a bare ret, a jump table
#   $(BUILD)/insn/rets-cet    the same with -fcf-protection=full (endbr64 first)
#   $(BUILD)/insn/throwing    g++ -O2: an exception through a function with an LSDA
#   $(BUILD)/insn/coldjump    CET asm: a .cold part that jumps to the instruction after endbr64
#   $(BUILD)/insn/goret       Go (Debian's golang-go): growing stacks, goroutines that sleep mid-call
#
# Everything here is prefixed INSN_ so it cannot clash with other fragments.

INSN_DIR := tests/targets/insn
INSN_OUT := $(BUILD)/insn
INSN_OUTPUTS := $(INSN_OUT)/rets $(INSN_OUT)/rets-cet $(INSN_OUT)/throwing $(INSN_OUT)/goret \
		$(INSN_OUT)/coldjump

all: $(INSN_OUTPUTS)

$(INSN_OUT)/rets: $(INSN_DIR)/rets.c $(INSN_DIR)/insn.mk
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -fcf-protection=none -o $@ $<

$(INSN_OUT)/rets-cet: $(INSN_DIR)/rets.c $(INSN_DIR)/insn.mk
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -fcf-protection=full -o $@ $<

$(INSN_OUT)/throwing: $(INSN_DIR)/throwing.cc $(INSN_DIR)/insn.mk
	@mkdir -p $(@D)
	g++ -O2 -g -o $@ $<

$(INSN_OUT)/goret: $(INSN_DIR)/goret/main.go $(INSN_DIR)/insn.mk
	@mkdir -p $(@D)
	cd $(INSN_DIR)/goret && GOCACHE=$(abspath $(INSN_OUT))/gocache GO111MODULE=off \
		go build -o $(abspath $@) main.go

$(INSN_OUT)/coldjump: $(INSN_DIR)/coldjump.S $(INSN_DIR)/coldjump_main.c $(INSN_DIR)/insn.mk
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -fcf-protection=full -o $@ $(INSN_DIR)/coldjump_main.c $(INSN_DIR)/coldjump.S
