// SPDX-License-Identifier: BSD-2-Clause
/*
 * Places function probes after a leading endbr64 where that counts exactly
 * the same calls. endbr64 is single-stepped by the kernel's uprobe code, and
 * the instruction after it (push %rbp, a nop, ...) is often emulated, about
 * 10x cheaper a hit. Every call executes both, so the count is the same,
 * unless something jumps straight to the second instruction: a loop back to
 * the function's top, or a jump table. helpers/insn_cost.c decodes the whole
 * function and refuses the skip then. Entry and return sites of a function
 * move together, so they keep sharing one breakpoint. --no-skip-endbr keeps
 * every probe at the symbol's address.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "endbr_skip.h"
#include "func_names.h"
#include "insn_check.h"
#include "util.h"
#include "../helpers/elf_traits.h"
#include "../helpers/insn_cost.h"
#include "../probes/uscope.h"

/* The function of B that starts at file offset OFF, or NULL. */
static const struct elf_func *func_at(struct binary *b, uint64_t off)
{
	const struct elf_func_list *fl = binary__funcs(b);
	size_t lo = 0, hi = fl ? fl->cnt : 0;

	while (lo < hi) {	/* sorted by offset (elf_funcs.h) */
		size_t mid = lo + (hi - lo) / 2;

		if (fl->funcs[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (fl ? fl->cnt : 0) && fl->funcs[lo].offset == off ? &fl->funcs[lo] : NULL;
}

/* How far site S may move: past endbr64 (ENDBR), or past a Go stack check (GO); FD is B's file. */
static size_t skip_of(int fd, struct binary *b, const struct site *s, bool endbr, bool go)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	const struct elf_func *f = func_at(b, s->offset);
	uint8_t head[4], *buf;
	const char *why;
	size_t skip = 0;

	/* FUNC+0 names itself "f+0x0": the user placed it, it stays */
	if (!f || (strcmp(func_shown_name(f, false), s->name) && strcmp(func_shown_name(f, true), s->name)) ||
	    f->size < 5)
		return 0;
	/* most functions of a non-CET build: one 4-byte read decides */
	if (!go && (pread(fd, head, 4, (off_t)f->offset) != 4 || memcmp(head, endbr64, 4)))
		return 0;
	if (insn_check__read_func(b, f, &buf))
		return 0;
	if (go)
		skip = insn_cost__go_entry(buf, f->size, f->addr, &why);
	else if (endbr)
		skip = (size_t)insn_cost__endbr_skip(buf, f->size, f->addr, &why);
	free(buf);
	return skip;
}

void endbr_skip__apply(struct plan *plan, bool endbr)
{
	size_t i, j, moved = 0, go_moved = 0;
	uint32_t go_bin = UINT32_MAX;
	bool go = false;
	int fd = -1;

	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];
		uint64_t from = s->offset;
		size_t skip;

		if (s->kind != USCOPE_SITE_ENTRY)
			continue;
		if (s->bin != go_bin) {	/* a new binary: what it is, and its file */
			go_bin = s->bin;
			go = elf_is_go(plan__bin(plan, s->bin)->open_path) == 1;
			if (fd >= 0)
				close(fd);
			fd = open(plan__bin(plan, s->bin)->open_path, O_RDONLY | O_CLOEXEC);
		}
		if (fd < 0 || (!endbr && !go))
			continue;
		skip = skip_of(fd, plan__bin(plan, s->bin), s, endbr, go);
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
	if (fd >= 0)
		close(fd);
	if (moved)
		warn_msg("%zu entry probe%s placed after endbr64, where the kernel emulates instead of "
			 "single-stepping (same counts; --no-skip-endbr keeps them at the start)", moved,
			 moved == 1 ? "" : "s");
	if (go_moved)
		warn_msg("%zu Go entry probe%s placed after the stack check, so that a call whose stack grows "
			 "counts once", go_moved, go_moved == 1 ? "" : "s");
}
