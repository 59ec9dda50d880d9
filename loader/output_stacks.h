/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * output_stacks: stacks as people and programs read them. Text puts one frame
 * a line under its event ("  func+0x1a (binary) file.c:42"); JSON adds
 * "stack": [{addr, func, offset, binary, file, line}] innermost first;
 * --folded prints "root;...;probed_function COUNT" (Brendan Gregg's format);
 * --flamegraph hands the same folded counts to loader/output_flamegraph.c.
 */
#ifndef USCOPE_OUTPUT_STACKS_H
#define USCOPE_OUTPUT_STACKS_H

#include <stdint.h>
#include "output.h"
#include "stacks.h"

/* One event and its stack PCS[N]. */
void output_stacks__event(struct stacks *st, struct output *out, const struct uscope_event *e, const uint64_t *pcs,
			int n);

/* Count mode: the counted stacks (st->table, sorted), as text, JSON or folded; the flame graph. */
int output_stacks__report(struct stacks *st, struct output *out);

/* --latency --stack: one (entry site, stack) histogram with its stack. */
void output_stacks__latency(struct stacks *st, struct output *out, const struct stack_hist *sh);

/* One folded stack and its count, merged over identical lines. */
struct folded_line {
	char *line;
	uint64_t count;
};

#endif
