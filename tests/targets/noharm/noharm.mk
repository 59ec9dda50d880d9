# Targets and tools of the noharm suites (tests/noharm*.bats), built once and
# cached under $(BUILD)/noharm. Included by the top-level Makefile.
#
#   victim      10,000 generated functions called every millisecond, and a
#               semaphore-gated USDT probe (tests/targets/noharm/victim.c)
#   memscan     the /proc/PID/mem scanner (tests/tools/memscan.c)

NOHARM_DIR   := tests/targets/noharm
NOHARM_OUT   := $(BUILD)/noharm
NOHARM_NFUNC := 10000
NOHARM_CFLAGS := -O2 -fno-omit-frame-pointer -fcf-protection=none -fno-ipa-icf -g0

NOHARM_OUTPUTS := $(NOHARM_OUT)/victim $(NOHARM_OUT)/memscan

.PHONY: noharm-targets
all: noharm-targets
noharm-targets: $(NOHARM_OUTPUTS)

$(NOHARM_OUT)/victim_funcs.c: $(NOHARM_DIR)/noharm.mk
	@mkdir -p $(@D)
	awk -v n=$(NOHARM_NFUNC) 'BEGIN { print "long victim_helper(long);"; \
		for (i = 0; i < n; i++) printf "__attribute__((noinline)) long f_%d(long x) { return victim_helper(x ^ %dL) * %d + %dL; }\n", i, (i * 2654435761) % 2147483647, (i % 97) + 3, i * 7 + 1; \
		printf "long (*const victim_table[])(long) = {\n"; for (i = 0; i < n; i++) printf "\tf_%d,\n", i; \
		printf "};\nconst long victim_count = %d;\n", n }' > $@.tmp && mv $@.tmp $@

$(NOHARM_OUT)/victim: $(NOHARM_DIR)/victim.c $(NOHARM_OUT)/victim_funcs.c
	$(CC) $(NOHARM_CFLAGS) -o $@ $^

$(NOHARM_OUT)/memscan: tests/tools/memscan.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -o $@ $<
