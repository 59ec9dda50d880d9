# tests/targets/bykeys: the --by test target (included by the top-level
# Makefile, which defines BUILD and CC). Frame pointers kept, so that
# --count --stack --by takes the kernel's frame-pointer path.
BYKEYS_SRC := tests/targets/bykeys/bykeys.c

$(BUILD)/bykeys: $(BYKEYS_SRC) tests/targets/bykeys/bykeys.mk | $(BUILD)
	$(CC) -O2 -g -Wall -Wextra -fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-ipa-icf -o $@ $<

all: $(BUILD)/bykeys
