// SPDX-License-Identifier: BSD-2-Clause
/*
 * The perf-event path (5.15+, before uprobe_multi): one perf-event uprobe
 * per function site and one per USDT location, each carrying its cookie.
 * USDT is attached as on the multi path (attach.c says what a location's
 * cookie holds), with uscope's own argument records.
 */
#include <errno.h>
#include "attach_paths.h"
#include "util.h"

static int attach_usdt_site(const struct attach_progs *progs, const struct plan *plan, const struct site *s,
			    pid_t pid, struct attach_state *st)
{
	const struct binary *b = plan__bin(plan, s->bin);
	uint32_t loc;
	int err;

	for (loc = s->first_loc; loc < s->first_loc + s->nlocs; loc++) {
		struct bpf_link *link;

		err = attach_store_usdt_spec(progs, plan, loc);
		if (err)
			return err;
		link = attach_usdt_loc(progs, plan, loc, pid, true);
		err = attach_keep_link(st, link, s, b->path, pid);
		if (err)
			return err;
	}
	return 0;
}

/* An insn return site: one entry-style probe per return instruction. */
static int attach_insn_rets(const struct attach_progs *progs, const struct plan *plan, const struct site *s,
			    pid_t pid, struct attach_state *st)
{
	const struct binary *b = plan__bin(plan, s->bin);
	uint32_t k;
	int err;

	for (k = s->first_loc; k < s->first_loc + s->nlocs; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, po, .bpf_cookie = plan__ret_cookie(plan, k));
		struct bpf_link *link = bpf_program__attach_uprobe_opts(progs->insn_ret, pid > 0 ? pid : -1,
									 b->open_path, plan->rets[k].offset, &po);

		err = attach_keep_link(st, link, s, b->path, pid);
		if (err)
			return err;
	}
	return 0;
}

static int attach_site(const struct attach_progs *progs, const struct plan *plan, size_t id, pid_t pid,
		       struct attach_state *st)
{
	const struct site *s = &plan->sites[id];
	const struct binary *b = plan__bin(plan, s->bin);
	struct bpf_link *link;

	LIBBPF_OPTS(bpf_uprobe_opts, po, .bpf_cookie = plan__cookie(plan, id),
		    .retprobe = s->kind == USCOPE_SITE_RETURN);

	if (s->kind == USCOPE_SITE_USDT)
		return attach_usdt_site(progs, plan, s, pid, st);
	if (s->ret_insn)
		return attach_insn_rets(progs, plan, s, pid, st);
	link = bpf_program__attach_uprobe_opts(progs->prog[s->kind], pid > 0 ? pid : -1, b->open_path, s->offset,
					       &po);
	return attach_keep_link(st, link, s, b->path, pid);
}

/* The sites of binary BI (every binary: UINT32_MAX), USDT ones only if USDT. */
static int attach_sites(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
			uint32_t bi, bool usdt, volatile sig_atomic_t *stop, struct attach_state *st)
{
	size_t i;
	int err = 0;

	/* Two passes, returns first: a return seen before its entry is ignored, the reverse would pair wrongly. */
	for (i = 0; i < 2 * plan->nsites && !err; i++) {
		const struct site *s = &plan->sites[i % plan->nsites];

		if (stop && *stop)
			return -EINTR;
		if ((bi == UINT32_MAX || s->bin == bi) && (usdt || s->kind != USCOPE_SITE_USDT) &&
		    (s->kind == USCOPE_SITE_RETURN) == (i < plan->nsites))
			err = attach_site(progs, plan, i % plan->nsites, cfg->pid, st);
	}
	return err;
}

int attach_perf_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		    volatile sig_atomic_t *stop, struct attach_state *st)
{
	return attach_sites(progs, plan, cfg, UINT32_MAX, true, stop, st);
}

int attach_perf_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		       uint32_t bi, bool usdt, struct attach_state *st)
{
	return attach_sites(progs, plan, cfg, bi, usdt, NULL, st);
}
