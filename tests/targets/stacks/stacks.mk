# tests/targets/stacks: the stacks test target, built twice (included by the
# top-level Makefile, which defines BUILD and CC):
#   $(BUILD)/stacks-fp     -O2 -fno-omit-frame-pointer (frame-pointer walks;
#                          gcc still keeps the leaf frameless)
#   $(BUILD)/stacks-nofp   -O2 -fomit-frame-pointer (needs --stack=dwarf)
#   $(BUILD)/stacks-stripped  stacks-fp with every symbol and debug section
#                          removed: frames nothing names print [binary+0xOFF]
# The first two keep -g (line tables, CFI); all are PIE.
STACKS_SRC    := tests/targets/stacks/stacks.c
STACKS_CFLAGS := -O2 -g -Wall -Wextra -fno-inline -fno-optimize-sibling-calls -fno-ipa-icf
STACKS_OUTPUTS := $(BUILD)/stacks-fp $(BUILD)/stacks-nofp $(BUILD)/stacks-stripped

$(BUILD)/stacks-fp: $(STACKS_SRC) tests/targets/stacks/stacks.mk | $(BUILD)
	$(CC) $(STACKS_CFLAGS) -fno-omit-frame-pointer -o $@ $<

$(BUILD)/stacks-nofp: $(STACKS_SRC) tests/targets/stacks/stacks.mk | $(BUILD)
	$(CC) $(STACKS_CFLAGS) -fomit-frame-pointer -o $@ $<

$(BUILD)/stacks-stripped: $(BUILD)/stacks-fp
	strip --strip-all -o $@ $<

all: $(STACKS_OUTPUTS)
