# tests/targets/house: hsite, the target of tests/house.bats (string
# arguments, per-location USDT signedness, skipped USDT locations, a child's
# fate). Built once into $(BUILD)/house/.
HOUSE_TARGETS := $(BUILD)/house/hsite

$(BUILD)/house/hsite: tests/targets/house/hsite.c tests/targets/house/house.mk
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -fno-omit-frame-pointer -o $@ $<

.PHONY: house-targets
house-targets: $(HOUSE_TARGETS)

# `make` builds it with the rest, so the suite never builds at test time.
all: $(HOUSE_TARGETS)
