/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * insn_rets: where does a function return? Every instruction at which a call
 * of the function ends, found by decoding the whole function (and its
 * compiler-split `NAME.cold` part) once: `ret`, `ret imm16`, and a `jmp` out
 * of the function (a tail call: the callee returns straight to our caller).
 * `--ret-mode insn` puts entry-style probes there instead of a uretprobe,
 * which Go and C++ exception unwinding cannot stand (docs/DESIGN.md).
 *
 * A function is refused, naming the instruction, when the list could be
 * wrong: an indirect jmp whose targets cannot be proven (a switch's jump
 * table or a tail call through a pointer), a conditional jump out of the
 * function (a probe on it fires whether or not it is taken), a branch back
 * to the entry probe (that would count as a new call), bytes that do not
 * decode, or a return instruction the kernel cannot probe.
 */
#ifndef USCOPE_INSN_RETS_H
#define USCOPE_INSN_RETS_H

#include <stddef.h>
#include <stdint.h>

/* One piece of a function's code: its body, or its .cold part. */
struct insn_code {
	const uint8_t *bytes;
	size_t n;
	uint64_t vaddr;		/* link-time address of bytes[0] */
};

enum insn_ret_kind {
	INSN_RET_RET = 0,	/* ret, ret imm16 */
	INSN_RET_TAIL = 1,	/* jmp out of the function: the return value is the callee's, unknown here */
};

struct insn_ret {
	uint64_t vaddr;		/* link-time address of the instruction */
	uint8_t kind;		/* enum insn_ret_kind */
	uint8_t part;		/* index into the parts given */
	char text[96];		/* AT&T, as insn_cost prints it */
};

/* Why a function's returns cannot be listed exactly. */
struct insn_rets_refusal {
	uint64_t vaddr;		/* the instruction that decides it */
	uint8_t part;
	const char *why;
	char text[96];
};

/*
 * The return sites of the function made of PARTS[0..NPARTS) (part 0 its
 * body), in address order within each part, into OUT[0..MAX). ENTRY: the
 * link-time address of its entry probe, or 0 (a branch there is refused).
 * Returns how many (possibly more than MAX: only MAX are stored), or -1 with
 * *REF filled.
 */
long insn_rets__find(const struct insn_code *parts, int nparts, uint64_t entry, struct insn_ret *out, size_t max,
		     struct insn_rets_refusal *ref);

#endif
