// SPDX-License-Identifier: BSD-2-Clause
/*
 * insn_rets: the return sites of one function, by decoding all of it with
 * Zydis (insn_rets.h says what counts and what is refused, and why).
 *
 * The decode is linear from each part's start to its symbol size: gcc,
 * clang and Go put no data inside a function's symbol (jump tables live in
 * .rodata; Go pads with int3, which decodes). A byte range that does not
 * decode is refused rather than skipped, so a return cannot hide in it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <Zydis/Zydis.h>

#include "insn_cost.h"
#include "insn_rets.h"

static bool in_parts(const struct insn_code *parts, int nparts, uint64_t a)
{
	int i;

	for (i = 0; i < nparts; i++)
		if (a >= parts[i].vaddr && a < parts[i].vaddr + parts[i].n)
			return true;
	return false;
}

static void text_of(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, uint64_t a, char *buf,
		    size_t size)
{
	ZydisFormatter f;

	if (ZYAN_FAILED(ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT)) ||
	    ZYAN_FAILED(ZydisFormatterFormatInstruction(&f, in, ops, in->operand_count_visible, buf, size, a, NULL)))
		snprintf(buf, size, "(%u bytes)", in->length);
}

/* jmp *disp(%rip): a tail call through a GOT slot or a function pointer variable (-fno-plt, Go wrappers). */
static bool is_rip_slot(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	return in->operand_count_visible == 1 && ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY &&
	       ops[0].mem.base == ZYDIS_REGISTER_RIP && ops[0].mem.index == ZYDIS_REGISTER_NONE;
}

/*
 * What the instruction IN at A means for the return list: 1 a return site
 * (*KIND set), 0 nothing, -1 refused (*WHY set).
 */
static int judge(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, uint64_t a,
		 const struct insn_code *parts, int nparts, uint64_t entry, int *kind, const char **why)
{
	ZyanU64 to;
	bool cond = in->meta.category == ZYDIS_CATEGORY_COND_BR;

	if (in->mnemonic == ZYDIS_MNEMONIC_RET) {
		*kind = INSN_RET_RET;
		return 1;
	}
	if (!cond && in->meta.category != ZYDIS_CATEGORY_UNCOND_BR)
		return 0;	/* calls come back; everything else falls through */
	if (!(in->attributes & ZYDIS_ATTRIB_IS_RELATIVE)) {
		if (!cond && is_rip_slot(in, ops)) {
			*kind = INSN_RET_TAIL;
			return 1;
		}
		*why = "an indirect jmp whose targets cannot be proven (a jump table, or a tail call through a "
		       "pointer)";
		return -1;
	}
	if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(in, &ops[0], a, &to))) {
		*why = "a branch whose target does not compute";
		return -1;
	}
	if (entry && to == entry) {
		*why = "a branch back to the entry probe (it would count as a new call)";
		return -1;
	}
	if (in_parts(parts, nparts, to))
		return 0;
	if (cond) {
		*why = "a conditional jump out of the function (a probe on it cannot tell taken from not taken)";
		return -1;
	}
	*kind = INSN_RET_TAIL;
	return 1;
}

/* Fill REF for the instruction at A of part P; returns -1. */
static long refuse(struct insn_rets_refusal *ref, int p, uint64_t a, const char *why, const char *text)
{
	ref->part = (uint8_t)p;
	ref->vaddr = a;
	ref->why = why;
	snprintf(ref->text, sizeof(ref->text), "%s", text);
	return -1;
}

/* The return sites of part P, appended from OUT[*CNT]. */
static long scan_part(ZydisDecoder *dec, const struct insn_code *parts, int nparts, int p, uint64_t entry,
		      struct insn_ret *out, size_t max, size_t *cnt, struct insn_rets_refusal *ref)
{
	const struct insn_code *c = &parts[p];
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	struct insn_info ii;
	const char *why = NULL;
	char text[96];
	size_t off;
	int kind = 0, r;

	for (off = 0; off < c->n; off += in.length) {
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(dec, c->bytes + off, c->n - off, &in, ops)))
			return refuse(ref, p, c->vaddr + off, "bytes that do not decode as an instruction", "(bad)");
		r = judge(&in, ops, c->vaddr + off, parts, nparts, entry, &kind, &why);
		if (r == 0)
			continue;
		text_of(&in, ops, c->vaddr + off, text, sizeof(text));
		if (r < 0)
			return refuse(ref, p, c->vaddr + off, why, text);
		insn_cost__classify(c->bytes + off, c->n - off, c->vaddr + off, &ii);
		if (ii.cost == INSN_UNPROBEABLE)
			return refuse(ref, p, c->vaddr + off, "a return instruction the kernel cannot probe", text);
		if (*cnt < max) {
			out[*cnt].vaddr = c->vaddr + off;
			out[*cnt].kind = (uint8_t)kind;
			out[*cnt].part = (uint8_t)p;
			memcpy(out[*cnt].text, text, sizeof(text));
		}
		(*cnt)++;
	}
	return 0;
}

long insn_rets__find(const struct insn_code *parts, int nparts, uint64_t entry, struct insn_ret *out, size_t max,
		     struct insn_rets_refusal *ref)
{
	ZydisDecoder dec;
	size_t cnt = 0;
	int p;

	memset(ref, 0, sizeof(*ref));
	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return refuse(ref, 0, parts[0].vaddr, "the decoder does not start", "");
	for (p = 0; p < nparts; p++)
		if (scan_part(&dec, parts, nparts, p, entry, out, max, &cnt, ref) < 0)
			return -1;
	return (long)cnt;
}
