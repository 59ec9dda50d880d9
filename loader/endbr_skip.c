// SPDX-License-Identifier: BSD-2-Clause
/*
 * Places function probes after a leading endbr64 where that counts exactly
 * the same calls. endbr64 is single-stepped by the kernel's uprobe code, and
 * the instruction after it (push %rbp, a nop, ...) is often emulated, about
 * 10x cheaper a hit. Every call executes both, so the count is the same,
 * unless something jumps straight to the second instruction: a loop back to
 * the function's top, or a jump table. helpers/insn_cost.c decodes the whole
 * function, and its NAME.cold part, and refuses the skip then. Entry and return sites of a function
 * move together, so they keep sharing one breakpoint. --no-skip-endbr keeps
 * every probe at the symbol's address.
 */
#include <string.h>
#include "endbr_skip.h"
#include "func_names.h"
#include "util.h"
#include "../helpers/insn_cost.h"
#include "../probes/uscope.h"

/* Does F's NAME.cold part (gcc's split-off cold code) branch to link-time address TARGET, or fail to decode? */
static bool cold_part_jumps_to(struct binary *b, const struct elf_func *f, uint64_t target)
{
	const struct elf_func *cold = binary__cold_part(b, f);
	const uint8_t *bytes = cold ? binary__func_bytes(b, cold) : NULL;

	if (!cold)
		return false;
	return !bytes || insn_cost__branch_to(bytes, cold->size, cold->addr, target) != 0;
}

/* How far site S may move: past endbr64 (ENDBR), or past a Go stack check (GO). */
static size_t skip_of(struct binary *b, const struct site *s, bool endbr, bool go)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	const struct elf_func *f = binary__func_at(b, s->offset);
	const uint8_t *buf;
	uint8_t head[4];
	const char *why;
	size_t skip = 0;

	/* FUNC+0 names itself "f+0x0": the user placed it, it stays */
	if (!f || (strcmp(func_shown_name(f, false), s->name) && strcmp(func_shown_name(f, true), s->name)) ||
	    f->size < 5)
		return 0;
	/* most functions of a non-CET build: one 4-byte read decides, nothing is kept */
	if (!go && (binary__read(b, f->offset, head, 4) != 4 || memcmp(head, endbr64, 4)))
		return 0;
	if (!(buf = binary__func_bytes(b, f)))
		return 0;
	if (go)
		skip = insn_cost__go_entry(buf, f->size, f->addr, &why);
	else if (endbr)
		skip = (size_t)insn_cost__endbr_skip(buf, f->size, f->addr, &why);
	/* a jump from the .cold part to the new place would be counted as a call */
	if (skip && cold_part_jumps_to(b, f, f->addr + skip))
		skip = 0;
	return skip;
}

void endbr_skip__apply(struct plan *plan, bool endbr)
{
	size_t i, j, moved = 0, go_moved = 0;

	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];
		struct binary *b = plan__bin(plan, s->bin);
		uint64_t from = s->offset;
		bool go;
		size_t skip;

		if (s->kind != USCOPE_SITE_ENTRY)
			continue;
		go = binary__is_go(b) == 1;
		if (!endbr && !go)
			continue;
		skip = skip_of(b, s, endbr, go);
		if (!skip)
			continue;
		/* its return site (--latency, ret:) shares the breakpoint: move it too */
		for (j = 0; !go && j < plan->nsites; j++)
			if (plan->sites[j].kind == USCOPE_SITE_RETURN && plan->sites[j].bin == s->bin &&
			    plan->sites[j].offset == from)
				plan->sites[j].offset += skip;
		s->offset += skip;
		*(go ? &go_moved : &moved) += 1;
	}
	if (moved)
		warn_msg("%zu entry probe%s placed after endbr64, where the kernel emulates instead of "
			 "single-stepping (same counts; --no-skip-endbr keeps them at the start)", moved,
			 moved == 1 ? "" : "s");
	if (go_moved)
		warn_msg("%zu Go entry probe%s placed after the stack check, so that a call whose stack grows "
			 "counts once", go_moved, go_moved == 1 ? "" : "s");
}
