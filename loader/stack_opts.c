// SPDX-License-Identifier: BSD-2-Clause
/* Parses and checks the stack options of `uscope trace`; every bad value is named in its message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "stack_opts.h"
#include "util.h"
#include <linux/types.h>
#include "../probes/uscope.h"

void stack_opts__init(struct stack_opts *s)
{
	memset(s, 0, sizeof(*s));
	s->depth = 64;
	s->bytes = 8192;
}

/* Refuse at start, not after tracing, a flame graph that cannot be written. */
static bool flamegraph_dir_unwritable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (!path[0] || (slash && !slash[1]) || (!stat(path, &st) && S_ISDIR(st.st_mode))) {
		err_msg("--flamegraph '%s': not a file name", path);
		return true;
	}
	if (access(dir, W_OK)) {
		err_msg("--flamegraph '%s': cannot write in '%s': %s", path, dir, strerror(errno));
		return true;
	}
	return false;
}

static int bad(const char *what, const char *value, const char *expected)
{
	err_msg("invalid %s '%s': expected %s", what, value, expected);
	return -EINVAL;
}

int stack_opts__option(struct stack_opts *s, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case STACK_OPT_STACK:
		if (!arg || !strcmp(arg, "auto"))
			s->want = STACK_AUTO;
		else if (!strcmp(arg, "fp"))
			s->want = STACK_FP;
		else if (!strcmp(arg, "dwarf"))
			s->want = STACK_DWARF;
		else
			return bad("--stack mode", arg, "fp, dwarf or auto");
		return 1;
	case STACK_OPT_DEPTH:
		if (!parse_u64(arg, USCOPE_STACK_MAX_DEPTH, &v) || !v)
			return bad("--stack-depth", arg, "1 to 127");
		s->depth = v;
		return 1;
	case STACK_OPT_SIZE:
		if (!parse_u64(arg, USCOPE_STACK_MAX_BYTES, &v) || v < 512 || v % 8)
			return bad("--stack-size", arg, "a multiple of 8 from 512 to 16384");
		s->bytes = v;
		return 1;
	case STACK_OPT_FOLDED:
		s->folded = true;
		return 1;
	case STACK_OPT_FLAME:
		s->flamegraph = arg;
		return 1;
	}
	return 0;
}

int stack_opts__check(struct stack_opts *s, bool *count, bool latency, bool noop, bool strs)
{
	if ((s->folded || s->flamegraph) && s->want == STACK_NONE)
		s->want = STACK_AUTO;	/* a flame graph is made of stacks */
	if ((s->folded || s->flamegraph) && !latency && !noop)
		*count = true;		/* ... counted ones */
	if (s->flamegraph && flamegraph_dir_unwritable(s->flamegraph))
		return -EINVAL;
	if (s->want != STACK_NONE && strs) {
		/* A stack is appended to the fixed-size event; --str's larger record would need its own tail. */
		err_msg("--stack cannot be used with --str (not supported yet)");
		return -EINVAL;
	}
	if (s->want != STACK_NONE && noop) {
		err_msg("--stack cannot be used with --noop");
		return -EINVAL;
	}
	if (latency && (s->folded || s->flamegraph)) {
		err_msg("%s counts stacks; it cannot be used with --latency (use --latency --stack)",
			s->folded ? "--folded" : "--flamegraph");
		return -EINVAL;
	}
	/* The histograms live in the kernel, keyed by stack id: only a stack the kernel walks has one. */
	if (latency && s->want == STACK_DWARF) {
		err_msg("--latency --stack needs frame-pointer stacks (--stack=fp): a DWARF stack is unwound in "
			"user space, after the kernel has timed the call");
		return -EINVAL;
	}
	return 0;
}
