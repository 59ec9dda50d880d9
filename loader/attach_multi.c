// SPDX-License-Identifier: BSD-2-Clause
/*
 * The uprobe_multi path: how are thousands of sites attached in a few
 * syscalls? One link per (binary, entry | return | usdt), carrying arrays
 * of offsets and cookies (the site id, with the latency slot above it).
 *
 * USDT: all locations of a binary in one link, with each semaphore's file
 * offset as the link's ref_ctr_offset (the kernel then raises the semaphore
 * in the target while the probe is attached); each location's cookie is
 * USCOPE_COOKIE(site, spec id) and its argument record is uscope's own
 * (attach.c, usdt_read.bpf.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "attach_paths.h"
#include "usdt_spec.h"
#include "util.h"
#include "../helpers/uprobe_multi.h"

/* The arrays of one link. */
struct multi_arrays {
	uint64_t *offsets, *refs, *cookies;
	size_t n;
};

/* REFS: semaphores (USDT); functions pass none, as the kernel then skips the lookup. */
static int arrays_alloc(struct multi_arrays *a, size_t n, bool refs)
{
	a->offsets = calloc(n, sizeof(*a->offsets));
	a->refs = refs ? calloc(n, sizeof(*a->refs)) : NULL;
	a->cookies = calloc(n, sizeof(*a->cookies));
	a->n = 0;
	if (a->offsets && (a->refs || !refs) && a->cookies)
		return 0;
	err_msg("out of memory");
	return -ENOMEM;
}

static void arrays_free(struct multi_arrays *a)
{
	free(a->offsets);
	free(a->refs);
	free(a->cookies);
}

/* Create the link of PROG for A in binary BI; WHAT names the kind for messages. */
static int make_link(const struct bpf_program *prog, const struct plan *plan, uint32_t bi, bool retprobe,
		     const char *what, pid_t pid, struct multi_arrays *a, struct attach_state *st)
{
	struct uprobe_multi_opts o = { .retprobe = retprobe, .pid = pid, .offsets = a->offsets,
				       .ref_ctr_offsets = a->refs, .cookies = a->cookies, .cnt = a->n };
	int fd = uprobe_multi_link_create(bpf_program__fd(prog), plan__bin(plan, bi)->open_path, &o);

	if (fd < 0) {
		attach_report_failure(fd, what, a->n, plan__bin(plan, bi)->path, pid);
		return fd;
	}
	st->probes += a->n;
	return attach_add_fd(st, fd);
}

/* One uprobe_multi link for the sites of one (binary, function kind). */
static int attach_funcs(const struct attach_progs *progs, const struct plan *plan, uint32_t bi, int kind,
			pid_t pid, struct attach_state *st)
{
	struct multi_arrays a;
	size_t i, n = 0;
	int err;

	for (i = 0; i < plan->nsites; i++)
		n += plan->sites[i].bin == bi && plan->sites[i].kind == kind && !plan->sites[i].ret_insn;
	if (!n)
		return 0;
	err = arrays_alloc(&a, n, false);
	for (i = 0; i < plan->nsites && !err; i++) {
		if (plan->sites[i].bin != bi || plan->sites[i].kind != kind || plan->sites[i].ret_insn)
			continue;
		a.offsets[a.n] = plan->sites[i].offset;
		a.cookies[a.n++] = plan__cookie(plan, i);
	}
	if (!err)
		err = make_link(progs->prog[kind], plan, bi, kind == USCOPE_SITE_RETURN, site_kind_name(kind), pid,
				&a, st);
	arrays_free(&a);
	return err;
}

/* One uprobe_multi link (entry-style) for the return instructions of binary BI's insn return sites. */
static int attach_insn_rets(const struct attach_progs *progs, const struct plan *plan, uint32_t bi, pid_t pid,
			    struct attach_state *st)
{
	struct multi_arrays a;
	size_t k, n = 0;
	int err;

	for (k = 0; k < plan->nrets; k++)
		n += plan->sites[plan->rets[k].site].bin == bi;
	if (!n)
		return 0;
	err = arrays_alloc(&a, n, false);
	for (k = 0; k < plan->nrets && !err; k++) {
		if (plan->sites[plan->rets[k].site].bin != bi)
			continue;
		a.offsets[a.n] = plan->rets[k].offset;
		a.cookies[a.n++] = plan__ret_cookie(plan, k);
	}
	if (!err)
		err = make_link(progs->insn_ret, plan, bi, false, "return instruction", pid, &a, st);
	arrays_free(&a);
	return err;
}

/* One uprobe_multi link for every USDT location of one binary. */
static int attach_usdt(const struct attach_progs *progs, const struct plan *plan, uint32_t bi, pid_t pid,
		       struct attach_state *st)
{
	struct multi_arrays a;
	size_t i, n = 0;
	int err;

	for (i = 0; i < plan->nlocs; i++)
		n += plan->sites[plan->locs[i].site].bin == bi;
	if (!n)
		return 0;
	err = arrays_alloc(&a, n, true);
	for (i = 0; i < plan->nlocs && !err; i++) {
		const struct usdt_loc *l = &plan->locs[i];

		if (plan->sites[l->site].bin != bi)
			continue;
		err = attach_store_usdt_spec(progs, plan, i);
		a.offsets[a.n] = l->note->offset;
		a.refs[a.n] = l->note->sema_offset;
		a.cookies[a.n++] = attach_usdt_cookie(plan, i);
	}
	if (!err)
		err = make_link(progs->prog[USCOPE_SITE_USDT], plan, bi, false, site_kind_name(USCOPE_SITE_USDT),
				pid, &a, st);
	arrays_free(&a);
	return err;
}

/* Returns first: a return seen before its entry is ignored, the reverse would pair wrongly. */
static int attach_binary(const struct attach_progs *progs, const struct plan *plan, uint32_t bi, bool usdt,
			 pid_t pid, struct attach_state *st)
{
	int err = attach_funcs(progs, plan, bi, USCOPE_SITE_RETURN, pid, st);

	if (!err)
		err = attach_insn_rets(progs, plan, bi, pid, st);
	if (!err)
		err = attach_funcs(progs, plan, bi, USCOPE_SITE_ENTRY, pid, st);
	if (!err && usdt)
		err = attach_usdt(progs, plan, bi, pid, st);
	return err;
}

int attach_multi_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		     volatile sig_atomic_t *stop, struct attach_state *st)
{
	size_t i;
	int err = 0;

	for (i = 0; i < plan->bins->n && !err; i++) {
		if (*stop)
			return -EINTR;
		err = attach_binary(progs, plan, i, true, cfg->pid, st);
	}
	return err;
}

int attach_multi_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
			uint32_t bi, bool usdt, struct attach_state *st)
{
	return attach_binary(progs, plan, bi, usdt, cfg->pid, st);
}
