/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ret_insn: which return probes are entry-style probes on the function's
 * return instructions instead of a uretprobe, and where are those? A
 * uretprobe replaces the return address on the stack, which Go's stack
 * walker and C++ exception unwinding cannot stand (docs/DESIGN.md); a
 * probe on each `ret` and tail-call `jmp` sees the same returns without
 * touching the stack.
 */
#ifndef USCOPE_RET_INSN_H
#define USCOPE_RET_INSN_H

#include "plan.h"

/*
 * After harm__check_plan (which marks the C++ sites an exception may unwind
 * through): marks the return sites --ret-mode insn and Go ask for, flags
 * every function site of a Go binary USCOPE_COOKIE_GO, and lists each
 * marked site's return instructions in plan.rets. RET_VALUE: some
 * --filter, --by or --hist reads `ret` (unknown at a tail call). Prints
 * one message naming the function and the instruction and returns a
 * negative errno when a function's returns cannot be listed exactly.
 */
int ret_insn__plan(struct plan *plan, bool ret_value);

/* After a --latency run: calls that never returned, Go calls that moved threads (STATS: enum uscope_pairing_stat). */
void ret_insn__report_pairing(const uint64_t *stats);

/* The return instructions of function F of B (entry probe at file offset ENTRY_OFF, 0: none), for `funcs --returns`. */
struct insn_ret;
struct insn_rets_refusal;
long ret_insn__find(struct binary *b, const struct elf_func *f, uint64_t entry_off, struct insn_ret *out,
		    size_t max, struct insn_rets_refusal *ref, const struct elf_func **refused_in);

#endif
