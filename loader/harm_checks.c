// SPDX-License-Identifier: BSD-2-Clause
/*
 * Checks of the planned sites against the ways a probe harms a target or
 * counts wrong. See harm_checks.h; the measurements behind each are in
 * docs/DESIGN.md ("No harm to the target").
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "harm_checks.h"
#include "util.h"
#include <linux/types.h>
#include "../helpers/elf_traits.h"
#include "../helpers/ifunc.h"
#include "../probes/uscope.h"

static bool has_returns(const struct plan *plan, size_t bi)
{
	size_t i;

	for (i = 0; i < plan->nsites; i++)
		if (plan->sites[i].bin == bi && plan->sites[i].kind == USCOPE_SITE_RETURN)
			return true;
	return false;
}

/* True if F calls or jumps to another function of B or out through the PLT (code that may throw). */
static bool calls_out(struct binary *b, const struct elf_func *f, const struct elf_throw_info *ti)
{
	uint64_t t[64];
	int n = f->size ? elf_branch_targets(b->open_path, f->offset, f->size, f->addr, t, 64) : 0, i, k;

	for (i = 0; i < n; i++) {
		const struct elf_func *g;

		for (k = 0; k < ti->nplt; k++)
			if (t[i] >= ti->plt_lo[k] && t[i] < ti->plt_hi[k])
				return true;
		/* Near branches stay in the segment, where offset - address is constant. */
		g = t[i] >= f->addr - f->offset ? binary__func_at(b, t[i] - f->addr + f->offset) : NULL;
		if (g && g->offset != f->offset)
			return true;
	}
	return false;
}

/*
 * Go: uretprobes refused (--ret-mode uretprobe), else ret_insn.c probes the
 * return instructions. C++ functions an exception may unwind through are
 * probed on their return instructions too (--ret-mode auto, with one note
 * each), or warned about (--ret-mode uretprobe).
 */
static int check_returns(const struct plan *plan, size_t bi)
{
	struct binary *b = plan__bin(plan, bi);
	struct elf_lsda_list lsda;
	struct elf_throw_info ti;
	size_t i;
	int go = binary__is_go(b);

	if (go > 0 && plan->ret_mode != RET_MODE_URETPROBE)
		return 0;	/* ret_insn.c */
	if (go > 0) {
		for (i = 0; plan->sites[i].bin != bi || plan->sites[i].kind != USCOPE_SITE_RETURN; i++)
			;
		err_msg("return probes (ret:, --latency) on %s in '%s' are refused: it is a Go binary, and a "
			"uretprobe corrupts Go stacks (fatal error: unknown caller pc); without --ret-mode uretprobe uscope probes "
			"its return instructions instead",
			plan->sites[i].name, b->path);
		return -EPERM;
	}
	if (go < 0 || plan->ret_mode == RET_MODE_INSN || elf_lsda__load(b->open_path, &lsda))
		return 0;	/* unreadable here: the attach reports it */
	if (elf_throw_info__load(b->open_path, &ti))
		ti.can_throw = false;
	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];
		const struct elf_func *f;
		const char *why = NULL;

		if (s->bin != bi || s->kind != USCOPE_SITE_RETURN || !(f = binary__func_at(b, s->func_offset)))
			continue;
		if (elf_lsda__has(&lsda, f->addr))
			why = "it has a handler or cleanup in its unwind info";
		else if (ti.can_throw && calls_out(b, f, &ti))
			why = "it calls code of a program that throws C++ exceptions";
		if (why && plan->ret_mode == RET_MODE_AUTO) {
			s->ret_insn = true;	/* placed by ret_insn.c */
			warn_msg("return probe on %s: an exception may unwind through it (%s), so it is probed on "
				 "its return instructions, not by a uretprobe (which would end the program in "
				 "std::terminate)", s->name, why);
		} else if (why)
			warn_msg("return probe on %s: an exception may unwind through it (%s), and one that does "
				 "meets the probe's return trampoline and ends the program in std::terminate",
				 s->name, why);
	}
	elf_lsda__free(&lsda);
	return 0;
}

/* The IFUNC symbol NAME at file offset OFF of B, if that is what NAME is (aliases share offsets). */
static const struct elf_func *ifunc_named(struct binary *b, uint64_t off, const char *name)
{
	const struct elf_func_list *fl = binary__funcs(b);
	const struct elf_func *f = binary__func_at(b, off);

	for (; f && f < fl->funcs + fl->cnt && f->offset == off; f++)
		if (f->ifunc && !strcmp(f->name, name))
			return f;
	return NULL;
}

/* Move every IFUNC site to the implementation, or refuse it. A resolver named as such is probed as asked. */
static int resolve_ifuncs(struct plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];
		struct binary *b = plan__bin(plan, s->bin);
		const struct elf_func *f;
		const char *why;
		uint64_t off;

		if (s->kind == USCOPE_SITE_USDT || !(f = ifunc_named(b, s->offset, s->name)))
			continue;
		if (ifunc_resolve(b->open_path, f->name, &off, &why)) {
			err_msg("%s in '%s' is a GNU IFUNC (a resolver run once at load; the calls go to an "
				"implementation chosen for the CPU) and %s: probe the implementation by name "
				"(e.g. from the debug symbols) or its --offset", f->name, b->path, why);
			return -ENOENT;
		}
		for (j = 0; j < plan->nsites; j++)
			if (j != i && plan->sites[j].bin == s->bin && plan->sites[j].kind == s->kind &&
			    plan->sites[j].offset == off) {
				err_msg("%s and %s are the same function in '%s' (the IFUNC resolves to it): probe one",
					s->name, plan->sites[j].name, b->path);
				return -EINVAL;
			}
		s->offset = s->func_offset = off;
	}
	return 0;
}

int harm__check_plan(struct plan *plan)
{
	size_t bi;
	int err;

	for (bi = 0; bi < plan->bins->n; bi++)
		if (has_returns(plan, bi) && (err = check_returns(plan, bi)))
			return err;
	return resolve_ifuncs(plan);
}
