# Targets of tests/context_str*.bats. GNU make fragment included by the
# top-level Makefile (BUILD, CC). Outputs in $(BUILD)/context/.

CONTEXT_SRC := tests/targets/context
CONTEXT_OUT := $(BUILD)/context
CONTEXT_CFLAGS := -O2 -g -Wall -Wextra

all: $(CONTEXT_OUT)/coldstr

$(CONTEXT_OUT)/libcoldlib.so: $(CONTEXT_SRC)/coldlib.c $(CONTEXT_SRC)/context.mk
	@mkdir -p $(@D)
	$(CC) $(CONTEXT_CFLAGS) -fPIC -shared -Wl,-soname,libcoldlib.so $< -o $@

$(CONTEXT_OUT)/coldstr: $(CONTEXT_SRC)/coldstr.c $(CONTEXT_OUT)/libcoldlib.so
	$(CC) $(CONTEXT_CFLAGS) $< -L$(CONTEXT_OUT) -lcoldlib -Wl,-rpath,'$$ORIGIN' -o $@

# C++ member functions for tests/context_str_cxx.bats (DWARF of g++ -O2 -g).
all: $(CONTEXT_OUT)/cxxtyped

$(CONTEXT_OUT)/cxxtyped: $(CONTEXT_SRC)/cxxtyped.cpp $(CONTEXT_SRC)/context.mk
	@mkdir -p $(@D)
	$(CXX) -O2 -g -Wall -Wextra $< -o $@

# symop-stripped: no .symtab; its debug file under debugroot/.build-id/ (USCOPE_DEBUG_ROOT).
all: $(CONTEXT_OUT)/symop-stripped

$(CONTEXT_OUT)/symop-stripped: $(CONTEXT_SRC)/symop.c $(CONTEXT_SRC)/context.mk
	@mkdir -p $(@D)
	$(CC) $(CONTEXT_CFLAGS) -Wl,--build-id $< -o $@.full
	rm -rf $(CONTEXT_OUT)/debugroot
	id=$$(readelf -n $@.full | sed -n 's/.*Build ID: //p'); test -n "$$id" && \
	mkdir -p $(CONTEXT_OUT)/debugroot/.build-id/$${id%$${id#??}} && \
	objcopy --only-keep-debug $@.full $(CONTEXT_OUT)/debugroot/.build-id/$${id%$${id#??}}/$${id#??}.debug
	strip -s -o $@ $@.full
	rm -f $@.full
