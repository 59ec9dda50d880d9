# umark: the demo/test target uscope traces.  GNU make fragment included by
# the top-level Makefile, which defines BUILD and CC.  Run from the repo root.
#
#   $(BUILD)/umark        PIE (default)
#   $(BUILD)/umark-nopie  same sources, -no-pie -fno-pie
#   $(BUILD)/libumark.so  shared library both link against ($$ORIGIN rpath)
#
# Everything here is prefixed UMARK_/umark so it cannot clash with other
# fragments; rules are static pattern rules (no global % rules).

UMARK_DIR     := umark
UMARK_OBJDIR  := $(BUILD)/umark-obj
UMARK_SRCS    := umark.c ops.c probes.c probe3.c typed.c
UMARK_LIB_SRC := libumark.c

# -fno-omit-frame-pointer: every function starts with push %rbp (cheap for
# the kernel's uprobe to emulate).  -fno-ipa-icf: keep the 64 ops distinct.
UMARK_CFLAGS  := -O2 -g -Wall -Wextra -fno-omit-frame-pointer -fno-ipa-icf \
		 -MMD -MP $(UMARK_EXTRA_CFLAGS)
UMARK_LDLIBS  := -L$(BUILD) -lumark -lpthread -Wl,-rpath,'$$ORIGIN'

UMARK_PIE_OBJS   := $(addprefix $(UMARK_OBJDIR)/pie/,$(UMARK_SRCS:.c=.o))
UMARK_NOPIE_OBJS := $(addprefix $(UMARK_OBJDIR)/nopie/,$(UMARK_SRCS:.c=.o))
UMARK_LIB_OBJS   := $(addprefix $(UMARK_OBJDIR)/lib/,$(UMARK_LIB_SRC:.c=.o))

UMARK_OUTPUTS := $(BUILD)/umark $(BUILD)/umark-nopie $(BUILD)/libumark.so

$(UMARK_PIE_OBJS): $(UMARK_OBJDIR)/pie/%.o: $(UMARK_DIR)/%.c $(UMARK_DIR)/umark.mk
	@mkdir -p $(@D)
	$(CC) $(UMARK_CFLAGS) -fPIE -c $< -o $@

$(UMARK_NOPIE_OBJS): $(UMARK_OBJDIR)/nopie/%.o: $(UMARK_DIR)/%.c $(UMARK_DIR)/umark.mk
	@mkdir -p $(@D)
	$(CC) $(UMARK_CFLAGS) -fno-pie -c $< -o $@

$(UMARK_LIB_OBJS): $(UMARK_OBJDIR)/lib/%.o: $(UMARK_DIR)/%.c $(UMARK_DIR)/umark.mk
	@mkdir -p $(@D)
	$(CC) $(UMARK_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/libumark.so: $(UMARK_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libumark.so -o $@ $^

$(BUILD)/umark: $(UMARK_PIE_OBJS) $(BUILD)/libumark.so
	$(CC) -pie -o $@ $(UMARK_PIE_OBJS) $(UMARK_LDLIBS)

$(BUILD)/umark-nopie: $(UMARK_NOPIE_OBJS) $(BUILD)/libumark.so
	$(CC) -no-pie -fno-pie -o $@ $(UMARK_NOPIE_OBJS) $(UMARK_LDLIBS)

-include $(UMARK_PIE_OBJS:.o=.d) $(UMARK_NOPIE_OBJS:.o=.d) $(UMARK_LIB_OBJS:.o=.d)
