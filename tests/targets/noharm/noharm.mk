# Targets and tools of the noharm suites (tests/noharm*.bats), built once and
# cached under $(BUILD)/noharm. Included by the top-level Makefile.
#
#   victim      10,000 generated functions called every millisecond, and a
#               semaphore-gated USDT probe (tests/targets/noharm/victim.c)
#   memscan     the /proc/PID/mem scanner (tests/tools/memscan.c)
#   gospin      a Go program (Debian's golang-go), for the return-probe refusal
#   throw       a C++ program throwing through a function with an LSDA
#   ifunc_strlen  calls glibc's IFUNC strlen N times through a pointer
#   libnoharm_ifunc.so  a library with an IFUNC of its own

NOHARM_DIR   := tests/targets/noharm
NOHARM_OUT   := $(BUILD)/noharm
NOHARM_NFUNC := 10000
NOHARM_CFLAGS := -O2 -fno-omit-frame-pointer -fcf-protection=none -fno-ipa-icf -g0

NOHARM_OUTPUTS := $(NOHARM_OUT)/victim $(NOHARM_OUT)/memscan $(NOHARM_OUT)/gospin $(NOHARM_OUT)/throw \
		  $(NOHARM_OUT)/ifunc_strlen $(NOHARM_OUT)/libnoharm_ifunc.so

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

# The Go build cache stays inside the build tree.
$(NOHARM_OUT)/gospin: $(NOHARM_DIR)/gospin/main.go
	@mkdir -p $(@D)
	cd $(NOHARM_DIR)/gospin && GOCACHE=$(abspath $(NOHARM_OUT))/gocache GO111MODULE=off go build -o $(abspath $@) main.go

$(NOHARM_OUT)/throw: $(NOHARM_DIR)/throw.cc
	@mkdir -p $(@D)
	g++ -O2 -g -o $@ $<

$(NOHARM_OUT)/ifunc_strlen: $(NOHARM_DIR)/ifunc_strlen.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $<

$(NOHARM_OUT)/libnoharm_ifunc.so: $(NOHARM_DIR)/ifunc_lib.c
	@mkdir -p $(@D)
	$(CC) -O2 -shared -fPIC -o $@ $<
