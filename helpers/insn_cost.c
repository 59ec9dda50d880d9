// SPDX-License-Identifier: BSD-2-Clause
/*
 * insn_cost: the kernel's rules for a uprobe on one x86-64 instruction.
 *
 * Restated from arch/x86/kernel/uprobes.c of Linux 6.18, in the order
 * arch_uprobe_analyze_insn() applies them:
 *   1. The 5-byte nop 0f 1f 44 00 00, wholly inside one page, can be
 *      optimized: the int3 is replaced by a call into a trampoline (6.18).
 *   2. Otherwise the instruction must pass the kernel's validity check:
 *      no es/cs/ss/ds segment or lock prefix, and an opcode outside the
 *      refused sets below (privileged, I/O, invalid in 64-bit mode, the
 *      three-byte 0f 38 / 0f 3a maps). Refused ones cannot be probed.
 *   3. branch_setup_xol_ops() emulates nops (0x90 and 0f 1f /0, whatever
 *      their prefixes), jmp rel8 / rel32, call rel32 and every jcc, refusing
 *      those branches with a 0x66 prefix; push_setup_xol_ops() emulates push
 *      of a register (one byte, or with REX 0x41 alone).
 *   4. Everything else is single-stepped out of line.
 * Checked by measurement on this 6.18 kernel (tests/targets/usdtforms/cost.S,
 * docs/DESIGN.md): 66 90, 0f 1f 40 00 and 66 0f 1f 44 00 00 cost what a
 * 1-byte nop costs, not a single-step; lock- and cs-prefixed first
 * instructions attach without error and never fire. A later kernel may
 * move an instruction to a cheaper class.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <Zydis/Zydis.h>

#include "insn_cost.h"

const char *insn_cost_name(enum insn_cost cost)
{
	static const char *names[] = { "optimized", "emulated", "single-step", "unprobeable" };

	return cost <= INSN_UNPROBEABLE ? names[cost] : "?";
}

/* One-byte opcodes the kernel refuses in 64-bit code (its good_insns_64 zeros, 0f excluded). */
static bool bad_opcode1(uint8_t op)
{
	static const uint8_t bad[] = {
		0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x26, 0x27, 0x2e, 0x2f, 0x36, 0x37,
		0x3e, 0x3f, 0x60, 0x61, 0x62, 0x66, 0x67, 0x6c, 0x6d, 0x6e, 0x6f, 0x82, 0xc4,
		0xc5, 0xcc, 0xcd, 0xce, 0xcf, 0xd4, 0xd5, 0xd6, 0xe4, 0xe5, 0xe6, 0xe7, 0xec,
		0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xfa, 0xfb,
	};

	return (op >= 0x40 && op <= 0x4f) || memchr(bad, op, sizeof(bad)) != NULL;
}

/* Two-byte opcodes 0f xx the kernel refuses (its good_2byte_insns zeros). */
static bool bad_opcode2(uint8_t op)
{
	static const uint8_t bad[] = { 0x18, 0x24, 0x25, 0x26, 0x27, 0x30, 0xa6, 0xa7, 0xae, 0xb8, 0xd0, 0xf0, 0xff };

	return op <= 0x0d || (op >= 0x34 && op <= 0x3f) || (op >= 0x78 && op <= 0x7d) ||
	       memchr(bad, op, sizeof(bad)) != NULL;
}

static bool has_prefix(const ZydisDecodedInstruction *in, uint8_t value)
{
	int i;

	for (i = 0; i < in->raw.prefix_count; i++)
		if (in->raw.prefixes[i].value == value)
			return true;
	return false;
}

/* Step 2: why the kernel refuses IN, or NULL. */
static const char *refused(const ZydisDecodedInstruction *in)
{
	if (has_prefix(in, 0xf0))
		return "a lock prefix";
	if (has_prefix(in, 0x26) || has_prefix(in, 0x2e) || has_prefix(in, 0x36) || has_prefix(in, 0x3e))
		return "an es/cs/ss/ds segment prefix, as in the 10-byte nop";
	/* VEX/EVEX/XOP: the kernel's decoder reports the bare opcode byte, checked as one-byte. */
	if (in->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY || in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT)
		return bad_opcode1(in->opcode) ? "an opcode the kernel refuses" : NULL;
	if (in->opcode_map == ZYDIS_OPCODE_MAP_0F)
		return bad_opcode2(in->opcode) ? "an opcode the kernel refuses" : NULL;
	return "a three-byte opcode (0f 38 / 0f 3a)";
}

/* Step 3: does the kernel emulate IN? Sets *WHY when a 0x66 prefix makes it refuse instead. */
static bool emulated(const ZydisDecodedInstruction *in, const char **why)
{
	bool map0 = in->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY && in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT;
	bool map0f = in->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY && in->opcode_map == ZYDIS_OPCODE_MAP_0F;
	uint8_t op = in->opcode;

	/* nops go to the emulation before the 0x66 check (66 90 measured as emulated) */
	if ((map0 && op == 0x90 && in->mnemonic == ZYDIS_MNEMONIC_NOP) ||
	    (map0f && op == 0x1f && in->raw.modrm.reg == 0))
		return true;
	if ((map0 && (op == 0xeb || op == 0xe9 || op == 0xe8 || (op >= 0x70 && op <= 0x7f))) ||
	    (map0f && op >= 0x80 && op <= 0x8f)) {
		if (has_prefix(in, 0x66)) {
			*why = "a branch with a 0x66 prefix";
			return false;
		}
		return true;
	}
	if (map0 && op >= 0x50 && op <= 0x57)
		return in->length == 1 || (in->length == 2 && in->raw.prefix_count == 1 && in->raw.prefixes[0].value == 0x41);
	return false;
}

static void format(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, uint64_t vaddr,
		   struct insn_info *out)
{
	ZydisFormatter f;

	if (ZYAN_FAILED(ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT)) ||
	    ZYAN_FAILED(ZydisFormatterFormatInstruction(&f, in, ops, in->operand_count_visible, out->text,
							 sizeof(out->text), vaddr, NULL)))
		snprintf(out->text, sizeof(out->text), "(%u bytes)", in->length);
}

void insn_cost__classify(const uint8_t *bytes, size_t n, uint64_t vaddr, struct insn_info *out)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	const char *why = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, bytes, n, &in, ops))) {
		out->cost = INSN_UNPROBEABLE;
		out->why = "bytes that do not decode as an instruction";
		snprintf(out->text, sizeof(out->text), "(bad)");
		return;
	}
	out->len = in.length;
	format(&in, ops, vaddr, out);
	for (i = 0; i < in.length; i++)
		snprintf(out->hex + (i ? 3 * i - 1 : 0), sizeof(out->hex) - (i ? 3 * i - 1 : 0), i ? " %02x" : "%02x",
			 bytes[i]);
	if (in.length == 5 && !memcmp(bytes, nop5, 5) && (vaddr & 0xfff) <= 0x1000 - 5)
		out->cost = INSN_OPTIMIZED;
	else if ((out->why = refused(&in)) != NULL)
		out->cost = INSN_UNPROBEABLE;
	else if (emulated(&in, &why))
		out->cost = INSN_EMULATED;
	else if (why) {
		out->cost = INSN_UNPROBEABLE;
		out->why = why;
	} else
		out->cost = INSN_SINGLE_STEP;
}

/* Does IN, at ADDR, branch to TARGET (directly), or possibly anywhere (a notrack jump table)? */
static bool branches_to(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, uint64_t addr,
			uint64_t target)
{
	ZyanU64 to;
	int i;

	if (in->meta.category != ZYDIS_CATEGORY_COND_BR && in->meta.category != ZYDIS_CATEGORY_UNCOND_BR &&
	    in->meta.category != ZYDIS_CATEGORY_CALL)
		return false;
	if (!(in->attributes & ZYDIS_ATTRIB_IS_RELATIVE))
		return (in->attributes & ZYDIS_ATTRIB_HAS_NOTRACK) != 0;
	for (i = 0; i < in->operand_count_visible; i++)
		if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(in, &ops[i], addr, &to)) && to == target)
			return true;
	return false;
}

int insn_cost__branch_to(const uint8_t *bytes, size_t n, uint64_t vaddr, uint64_t target)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	size_t off;

	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -1;
	for (off = 0; off < n; off += in.length) {
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, bytes + off, n - off, &in, ops)))
			return -1;
		if (branches_to(&in, ops, vaddr + off, target))
			return 1;
	}
	return 0;
}

int insn_cost__endbr_skip(const uint8_t *bytes, size_t n, uint64_t vaddr, const char **why)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	struct insn_info next;

	*why = NULL;
	if (n < 5 || memcmp(bytes, endbr64, 4))
		return 0;
	insn_cost__classify(bytes + 4, n - 4, vaddr + 4, &next);
	if (next.cost != INSN_OPTIMIZED && next.cost != INSN_EMULATED) {
		*why = "the instruction after endbr64 is no cheaper";
		return 0;
	}
	switch (insn_cost__branch_to(bytes, n, vaddr, vaddr + 4)) {
	case 0:
		break;
	case 1:
		*why = "a branch in the function may jump to the instruction after endbr64";
		return 0;
	default:
		*why = "the function does not decode to its end";
		return 0;
	}
	return 4;
}

int insn_cost__boundary(const uint8_t *bytes, size_t n, size_t off, size_t *before, size_t *after)
{
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	size_t at = 0;

	*before = *after = 0;
	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -1;
	while (at < off) {
		if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, bytes + at, n - at, &in))) {
			*before = at;
			return -1;
		}
		if (at + in.length > off) {
			*before = at;
			*after = at + in.length;
			return 0;
		}
		at += in.length;
	}
	return 1;
}

/* Is IN "cmp 0x10(%r14), REG" (g.stackguard0, Go's register ABI keeps g in r14)? */
static bool is_stack_guard_cmp(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	int i;

	if (in->mnemonic != ZYDIS_MNEMONIC_CMP)
		return false;
	for (i = 0; i < in->operand_count_visible; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[i].mem.base == ZYDIS_REGISTER_R14 &&
		    ops[i].mem.disp.value == 0x10)
			return true;
	return false;
}

size_t insn_cost__go_entry(const uint8_t *bytes, size_t n, uint64_t vaddr, const char **why)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	size_t off = 0;
	bool cmp = false;
	int k;

	*why = NULL;
	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return 0;
	/* [lea -X(%rsp),%r12;] cmp 0x10(%r14),%rsp|%r12; jbe|jb morestack */
	for (k = 0; k < 3 && off < n; k++, off += in.length) {
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, bytes + off, n - off, &in, ops)))
			return 0;
		if (cmp && (in.mnemonic == ZYDIS_MNEMONIC_JBE || in.mnemonic == ZYDIS_MNEMONIC_JB))
			break;
		cmp = is_stack_guard_cmp(&in, ops);
		if (!cmp && !(k == 0 && in.mnemonic == ZYDIS_MNEMONIC_LEA))
			return 0;
	}
	if (k == 3 || off >= n)
		return 0;
	off += in.length;	/* just past the jump to morestack */
	if (insn_cost__branch_to(bytes, n, vaddr, vaddr + off) != 0) {
		*why = "a branch in the function may jump past its stack check";
		return 0;
	}
	return off;
}
