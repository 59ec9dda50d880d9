/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * insn_cost: what is the instruction at a probe point, and how will the
 * kernel's uprobe handle a hit there?
 *
 * The kernel decides per probed instruction (arch/x86/kernel/uprobes.c,
 * arch_uprobe_analyze_insn) and the class sets the cost of every hit far
 * more than the BPF program does (shared/KERNEL-FACTS.md, this VM):
 *   optimized    the 5-byte nop 0f 1f 44 00 00, rewritten into a call (6.18+)   ~300 ns
 *   emulated     nops, push of a register, jmp/call rel, jcc                   ~600 ns
 *   single-step  everything else the kernel accepts (endbr64, mov, lea, ...)   5-7 us
 *   unprobeable  refused by the kernel: lock/segment prefixes, in/out, int3,
 *                0f 38 / 0f 3a opcodes, ... (attach fails, or the probe
 *                never fires)
 * Decoded with Zydis (docs/DESIGN.md says why).
 */
#ifndef USCOPE_INSN_COST_H
#define USCOPE_INSN_COST_H

#include <stddef.h>
#include <stdint.h>

enum insn_cost {
	INSN_OPTIMIZED,
	INSN_EMULATED,
	INSN_SINGLE_STEP,
	INSN_UNPROBEABLE,
};

struct insn_info {
	uint8_t len;		/* bytes; 0 when it could not be decoded */
	enum insn_cost cost;
	char text[96];		/* AT&T, Zydis's spelling (objdump adds size suffixes: nopl) */
	const char *why;	/* INSN_UNPROBEABLE: what the kernel refuses ("a lock prefix"), else NULL */
	char hex[48];		/* its bytes, "0f 1f 44 00 00", as objdump -d shows them */
};

/*
 * Classify the instruction at the start of BYTES[0..N) (N may be shorter
 * than 15 at the end of a function or file), found at link-time address
 * VADDR (the nop5 optimization needs all 5 bytes in one page). Never fails:
 * bytes that do not decode are INSN_UNPROBEABLE with a reason.
 */
void insn_cost__classify(const uint8_t *bytes, size_t n, uint64_t vaddr, struct insn_info *out);

/*
 * May a probe at the start of the function BYTES[0..N) (its whole body, at
 * link-time address VADDR) move past the function's endbr64? Yes (returns
 * 4) when it starts with endbr64, the next instruction is optimized or
 * emulated (the skip then turns a 5-7 us single-step into an emulation),
 * and no branch in the function targets the skipped-to address (a loop back
 * to it would be counted as calls) nor can an indirect jump table. Else 0,
 * with *WHY saying why not (NULL: the function does not start with endbr64).
 */
int insn_cost__endbr_skip(const uint8_t *bytes, size_t n, uint64_t vaddr, const char **why);

/*
 * Does byte OFF of the function BYTES[0..N) start an instruction, decoding
 * from the function's start? 1: yes. 0: no, it is inside the instruction
 * from *BEFORE to *AFTER. -1: the bytes do not decode that far (*BEFORE is
 * the last instruction start reached), so nobody can tell.
 */
int insn_cost__boundary(const uint8_t *bytes, size_t n, size_t off, size_t *before, size_t *after);

/*
 * Go: where does the function BYTES[0..N) (at VADDR) really start? A Go
 * prologue checks the stack against the goroutine's guard and, when it must
 * grow, calls runtime.morestack and jumps back to the first instruction, so
 * a probe there counts such a call twice. Returns the offset just past that
 * check (cmp 0x10(%r14),%rsp|%r12 then jbe/jb, after an optional lea into
 * %r12), or 0 when the function has no such check or a branch in it targets
 * that offset (*WHY says which; NULL: no check).
 */
size_t insn_cost__go_entry(const uint8_t *bytes, size_t n, uint64_t vaddr, const char **why);

/*
 * Does some instruction of BYTES[0..N) (at VADDR) branch to TARGET, or may
 * it (a notrack jump table)? 1 yes, 0 no, -1 the bytes do not decode. For
 * the parts of a function insn_cost__endbr_skip() does not see (NAME.cold).
 */
int insn_cost__branch_to(const uint8_t *bytes, size_t n, uint64_t vaddr, uint64_t target);

/* "optimized", "emulated", "single-step", "unprobeable". */
const char *insn_cost_name(enum insn_cost cost);

#endif
