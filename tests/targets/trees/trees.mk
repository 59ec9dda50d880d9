# Targets of tests/trees.bats (uscope -f, --cgroup, late libraries). GNU make
# fragment included by the top-level Makefile (BUILD, CC). Outputs in
# $(BUILD)/trees/; libplug.so alone in $(BUILD)/trees/plugdir (libplug2.so in
# plugdir2), directories neither the ld cache nor the standard directories cover.

TREES_SRC  := tests/targets/trees
TREES_OUT  := $(BUILD)/trees
TREES_CFLAGS := -O2 -g -Wall -Wextra -fno-omit-frame-pointer

TREES_OUTPUTS := $(TREES_OUT)/tree_fork $(TREES_OUT)/tree_exec $(TREES_OUT)/libtreelib.so \
		 $(TREES_OUT)/tree_dlopen $(TREES_OUT)/plugdir/libplug.so $(TREES_OUT)/plugdir2/libplug2.so

all: $(TREES_OUTPUTS)

$(TREES_OUT)/libtreelib.so: $(TREES_SRC)/treelib.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) -fPIC -shared -Wl,-soname,libtreelib.so $< -o $@

$(TREES_OUT)/plugdir/libplug.so: $(TREES_SRC)/plug.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) -fPIC -shared -Wl,-soname,libplug.so $< -o $@

$(TREES_OUT)/plugdir2/libplug2.so: $(TREES_SRC)/plug2.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) -fPIC -shared -Wl,-soname,libplug2.so $< -o $@

$(TREES_OUT)/tree_exec: $(TREES_SRC)/tree_exec.c $(TREES_OUT)/libtreelib.so
	$(CC) $(TREES_CFLAGS) $< -L$(TREES_OUT) -ltreelib -Wl,-rpath,'$$ORIGIN' -o $@

$(TREES_OUT)/tree_fork: $(TREES_SRC)/tree_fork.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) $< -o $@

$(TREES_OUT)/tree_dlopen: $(TREES_SRC)/tree_dlopen.c $(TREES_SRC)/trees.mk
	@mkdir -p $(@D)
	$(CC) $(TREES_CFLAGS) $< -ldl -o $@
