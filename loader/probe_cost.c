// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tells the user, before attaching, what the kernel will do at each function
 * probe: a single-stepped probe costs 5-7 us a hit here against 0.3-0.6 us
 * for an optimized or emulated one, and an unprobeable one (a lock- or
 * cs-prefixed first instruction) attaches without error and never fires,
 * which would be a silent wrong count of 0. Entry and return probes of a
 * function share the breakpoint at its first instruction, so both count.
 *
 * The nop5 optimization needs the 5 bytes in one page; the file offset is
 * used for that test, which is right because a loadable segment's virtual
 * address and file offset agree modulo the page size.
 */
#include "probe_cost.h"
#include "util.h"
#include "../helpers/insn_cost.h"
#include "../probes/uscope.h"

/* The class of the instruction at file offset OFF of B. */
static void classify(struct binary *b, uint64_t off, struct insn_info *ii)
{
	uint8_t buf[15];
	ssize_t n = binary__read(b, off, buf, sizeof(buf));

	insn_cost__classify(buf, n > 0 ? (size_t)n : 0, off, ii);
}

void probe_cost__report(const struct plan *plan)
{
	size_t i, k, funcs = 0, slow = 0;

	for (i = 0; i < plan->nsites; i++) {
		const struct site *s = &plan->sites[i];
		struct binary *b = plan__bin(plan, s->bin);
		struct insn_info ii;

		if (s->kind == USCOPE_SITE_USDT)
			continue;	/* USDT sites are nops: emulated */
		if (s->ret_insn) {	/* its probes are on its return instructions (ret_insn.c) */
			for (k = s->first_loc; k < s->first_loc + s->nlocs; k++, funcs++) {
				classify(b, plan->rets[k].offset, &ii);
				slow += ii.cost == INSN_SINGLE_STEP;
			}
			continue;
		}
		classify(b, s->offset, &ii);
		funcs++;
		if (ii.cost == INSN_SINGLE_STEP)
			slow++;
		else if (ii.cost == INSN_UNPROBEABLE && s->kind == USCOPE_SITE_ENTRY)
			warn_msg("%s in '%s' starts with '%s', which the kernel cannot probe (%s): its count will stay 0",
				 s->name, b->path, ii.text, ii.why);
	}
	if (slow)
		warn_msg("%zu of %zu function probe%s single-stepped (about 10x slower per hit); "
			 "uscope funcs --cost lists each function's class", slow, funcs,
			 funcs == 1 ? " is" : "s are");
}
