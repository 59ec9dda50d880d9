/* SPDX-License-Identifier: BSD-2-Clause */
/* stack_opts: what the user asked of stacks (--stack, --stack-depth, --stack-size, --folded, --flamegraph). */
#ifndef USCOPE_STACK_OPTS_H
#define USCOPE_STACK_OPTS_H

#include <stdbool.h>
#include <stdint.h>

enum stack_want { STACK_NONE, STACK_FP, STACK_DWARF, STACK_AUTO };

struct stack_opts {
	enum stack_want want;
	uint32_t depth;		/* --stack-depth, 1..127 (default 64) */
	uint32_t bytes;		/* --stack-size, dwarf stack bytes copied (default 8 KiB) */
	bool folded;		/* --folded */
	const char *flamegraph;	/* --flamegraph FILE.svg */
	bool verbose;		/* -v: say how long symbolizing took */
};

/* getopt codes, above trace_opts' own. */
enum { STACK_OPT_STACK = 512, STACK_OPT_DEPTH, STACK_OPT_SIZE, STACK_OPT_FOLDED, STACK_OPT_FLAME };

#define STACK_LONGOPTS                                                    \
	{ "stack", optional_argument, NULL, STACK_OPT_STACK },            \
	{ "stack-depth", required_argument, NULL, STACK_OPT_DEPTH },      \
	{ "stack-size", required_argument, NULL, STACK_OPT_SIZE },        \
	{ "folded", no_argument, NULL, STACK_OPT_FOLDED },                \
	{ "flamegraph", required_argument, NULL, STACK_OPT_FLAME }

#define STACK_USAGE                                                                         \
	"Stacks:\n"                                                                         \
	"      --stack[=MODE]    take the user stack at every hit: fp (frame pointers,\n"  \
	"                        walked in the kernel), dwarf (registers and stack bytes\n" \
	"                        unwound in user space with the CFI) or auto (default:\n"   \
	"                        dwarf when a probed binary lacks frame pointers);\n"       \
	"                        with --latency, a histogram per stack (fp only)\n"          \
	"      --stack-depth N   frames kept, 1-127 (default 64)\n"                        \
	"      --stack-size N    dwarf: stack bytes copied per hit, 512-16384 (default 8192)\n" \
	"      --folded          count stacks, print one line each: root;...;func COUNT\n"   \
	"      --flamegraph FILE count stacks, also write an SVG flame graph to FILE\n"

void stack_opts__init(struct stack_opts *s);

/* Handle getopt code C; returns 1 if it was a stack option, 0 if not, -EINVAL (message printed). */
int stack_opts__option(struct stack_opts *s, int c, const char *arg);

/* Checks across options; --folded and --flamegraph set *COUNT. Returns 0 or -EINVAL (message printed). */
int stack_opts__check(struct stack_opts *s, bool *count, bool latency, bool noop, bool strs);

#endif
