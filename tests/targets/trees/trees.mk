# Targets of tests/trees.bats (uscope -f, --cgroup). GNU make
# fragment included by the top-level Makefile (BUILD, CC). Outputs in
# $(BUILD)/trees/.

TREES_SRC  := tests/targets/trees
TREES_OUT  := $(BUILD)/trees
TREES_CFLAGS := -O2 -g -Wall -Wextra -fno-omit-frame-pointer

TREES_OUTPUTS := $(TREES_OUT)/tree_fork $(TREES_OUT)/tree_exec $(TREES_OUT)/libtreelib.so

all: $(TREES_OUTPUTS)

$(TREES_OUT)/libtreelib.so: $(TREES_SRC)/treelib.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) -fPIC -shared -Wl,-soname,libtreelib.so $< -o $@

$(TREES_OUT)/tree_exec: $(TREES_SRC)/tree_exec.c $(TREES_OUT)/libtreelib.so
	$(CC) $(TREES_CFLAGS) $< -L$(TREES_OUT) -ltreelib -Wl,-rpath,'$$ORIGIN' -o $@

$(TREES_OUT)/tree_fork: $(TREES_SRC)/tree_fork.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) $< -o $@
