// SPDX-License-Identifier: BSD-2-Clause
/*
 * Places --ret-mode insn return probes (ret_insn.h): decode each function
 * and its NAME.cold part once (helpers/insn_rets.c) and give its return site
 * one location per return instruction, all with the site's id, so the BPF
 * side (insn_return) counts, reads rax and closes the latency pairing there.
 *
 * A tail call (`jmp` out of the function) ends our call: the callee returns
 * straight to our caller, so for timing the jmp is where the function
 * returns, and its time excludes the callee's (a uretprobe would include
 * it). Its return value is the callee's, not computed yet: events print `?`,
 * and a ret filter, key or histogram on such a function is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ret_insn.h"
#include "util.h"
#include "../helpers/insn_rets.h"

long ret_insn__find(struct binary *b, const struct elf_func *f, uint64_t entry_off, struct insn_ret *out,
		    size_t max, struct insn_rets_refusal *ref, const struct elf_func **refused_in)
{
	const struct elf_func *cold = binary__cold_part(b, f);
	struct insn_code parts[2];
	int nparts = 1;
	long n;

	memset(ref, 0, sizeof(*ref));
	*refused_in = f;
	parts[0] = (struct insn_code){ .bytes = binary__func_bytes(b, f), .n = f->size, .vaddr = f->addr };
	if (!parts[0].bytes) {
		ref->why = errno == E2BIG ? "no symbol size, or too large to decode" : strerror(errno);
		return -1;
	}
	if (cold) {
		parts[1] = (struct insn_code){ .bytes = binary__func_bytes(b, cold), .n = cold->size,
					       .vaddr = cold->addr };
		if (!parts[1].bytes) {
			*refused_in = cold;
			ref->why = "its .cold part cannot be read";
			return -1;
		}
		nparts = 2;
	}
	n = insn_rets__find(parts, nparts, entry_off ? f->addr + (entry_off - f->offset) : 0, out, max, ref);
	if (n < 0 && ref->part == 1)
		*refused_in = cold;
	return n;
}

/* The entry site timed with return site S (same binary and function), or NULL. */
static const struct site *entry_of(const struct plan *plan, const struct site *s)
{
	size_t i;

	for (i = 0; i < plan->nsites; i++)
		if (plan->sites[i].kind == USCOPE_SITE_ENTRY && plan->sites[i].bin == s->bin &&
		    plan->sites[i].func_offset == s->func_offset && plan->sites[i].slot == s->slot)
			return &plan->sites[i];
	return NULL;
}

/* Append the return instructions of site ID to plan.rets. */
static int place_site(struct plan *plan, size_t id, bool ret_value)
{
	struct site *s = &plan->sites[id];
	struct binary *b = plan__bin(plan, s->bin);
	const struct elf_func *f = binary__func_at(b, s->func_offset), *in, *part;
	const struct site *e = plan->latency ? entry_of(plan, s) : NULL;
	struct insn_rets_refusal ref;
	struct insn_ret *r = NULL;
	struct ret_loc *v;
	long n = -1, k;

	if (f)
		n = ret_insn__find(b, f, e ? e->offset : 0, NULL, 0, &ref, &in);
	if (n >= 0 && (!(r = calloc(n ? n : 1, sizeof(*r))) ||
		       !(v = realloc(plan->rets, (plan->nrets + n + 1) * sizeof(*v))))) {
		free(r);
		err_msg("out of memory");
		return -ENOMEM;
	}
	if (n < 0) {
		if (!f)
			err_msg("return probe on %s in '%s': no function starts at its offset", s->name, b->path);
		else
			err_msg("return probe on %s in '%s' cannot be placed on its return instructions: %s+0x%llx "
				"'%s' is %s", s->name, b->path, in->name,
				(unsigned long long)(ref.vaddr - in->addr), ref.text, ref.why);
		return -EINVAL;
	}
	plan->rets = v;
	ret_insn__find(b, f, e ? e->offset : 0, r, n, &ref, &in);
	s->ret_insn = true;
	if (e)	/* its frame, at its stack position, ends at one of these (latency_pair.bpf.h) */
		((struct site *)e)->cflags |= USCOPE_COOKIE_INSN;
	s->first_loc = plan->nrets;
	s->nlocs = n;
	for (k = 0; k < n; k++) {
		part = r[k].part ? binary__cold_part(b, f) : f;
		if (r[k].kind == INSN_RET_TAIL && ret_value) {
			err_msg("return probe on %s: it returns through a tail call at %s+0x%llx '%s', where its "
				"return value is not known yet, so ret cannot be filtered, keyed or bucketed",
				s->name, part->name, (unsigned long long)(r[k].vaddr - part->addr), r[k].text);
			free(r);
			return -EINVAL;
		}
		v[plan->nrets++] = (struct ret_loc){ .site = id, .offset = part->offset + (r[k].vaddr - part->addr),
						     .tail = r[k].kind == INSN_RET_TAIL };
	}
	if (!n)
		warn_msg("%s in '%s' has no return instruction (it never returns, or only by an exception, "
			 "longjmp or exit): its return count stays 0", s->name, b->path);
	free(r);
	return 0;
}

void ret_insn__report_pairing(const uint64_t *st)
{
	if (st[USCOPE_PAIR_ABANDONED])
		warn_msg("%llu timed call%s never returned (an exception, longjmp or panic unwound %s, or %s "
			 "goroutine ended): not in the histograms", (unsigned long long)st[USCOPE_PAIR_ABANDONED],
			 st[USCOPE_PAIR_ABANDONED] == 1 ? "" : "s", st[USCOPE_PAIR_ABANDONED] == 1 ? "it" : "them",
			 st[USCOPE_PAIR_ABANDONED] == 1 ? "its" : "their");
	if (st[USCOPE_PAIR_GO_CALLS])
		warn_msg("%llu of %llu timed Go calls returned on another thread than they entered on; calls are "
			 "paired by goroutine, so their times are right", (unsigned long long)st[USCOPE_PAIR_GO_MOVED],
			 (unsigned long long)st[USCOPE_PAIR_GO_CALLS]);
}

int ret_insn__plan(struct plan *plan, bool ret_value)
{
	size_t i, go_rets = 0, insn = 0;
	int err;

	for (i = 0; i < plan->nsites; i++) {
		struct site *s = &plan->sites[i];

		if (s->kind == USCOPE_SITE_USDT)
			continue;
		if (binary__is_go(plan__bin(plan, s->bin)) == 1) {
			s->cflags |= USCOPE_COOKIE_GO;
			if (s->kind == USCOPE_SITE_RETURN && !s->ret_insn)
				go_rets++, s->ret_insn = true;
		}
		if (s->kind == USCOPE_SITE_RETURN && plan->ret_mode == RET_MODE_INSN)
			s->ret_insn = true;
	}
	for (i = 0; i < plan->nsites; i++) {
		if (plan->sites[i].kind != USCOPE_SITE_RETURN || !plan->sites[i].ret_insn)
			continue;
		err = place_site(plan, i, ret_value);
		if (err)
			return err;
		insn++;
	}
	if (go_rets)
		warn_msg("%zu Go return probe%s placed on the functions' return instructions (a uretprobe "
			 "corrupts Go stacks); calls are timed per goroutine", go_rets, go_rets == 1 ? "" : "s");
	return 0;
}
