// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later, while tracing: probe the dynamic loader's
 * r_brk, and at each report from a traced process (held by BPF with
 * SIGSTOP) look for the waiting names among its mappings, plan and attach a
 * library that has arrived, then let the process continue (SIGCONT).
 *
 * The new library's sites are planned in a plan of its own (kept until the
 * end: the names point into it) and appended to the run's site table, whose
 * maps were sized with LATE_RESERVE sites of room. ld.so calls r_brk twice
 * per dlopen: before mapping (nothing to find yet) and once the library is
 * mapped but before its relocations and constructors run, so not even those
 * are missed.
 *
 * Cost to the target: every dlopen/dlclose of a traced process, whatever it
 * loads, is held twice while uscope reads /proc/PID/maps (a fraction of a
 * millisecond each); the dlopen that brings a waiting library is held
 * until its probes are attached. Its parent sees the stop and the continue
 * (SIGCHLD with CLD_STOPPED / CLD_CONTINUED; a shell with job control may
 * report it). Once every name has arrived, r_brk is detached and nothing is
 * held any more.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "binpath.h"
#include "follow_late.h"
#include "util.h"
#include "uscope.skel.h"
#include "../helpers/elf_funcs.h"
#include "../helpers/elf_interp.h"
#include "../helpers/uprobe_multi.h"
#include "../probes/uscope.h"

/* The file offset of the loader's _dl_debug_state in LD (its r_brk). */
static int rbrk_offset(const char *ld, uint64_t *off)
{
	struct elf_func_list fl;
	size_t i;
	int err = elf_funcs__load(ld, &fl);

	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < fl.cnt && err; i++) {
		if (!strcmp(fl.funcs[i].name, "_dl_debug_state")) {
			*off = fl.funcs[i].offset;
			err = 0;
		}
	}
	elf_funcs__free(&fl);
	return err;
}

static int attach_rbrk(struct late *l, const char *open_path, uint64_t off)
{
	struct bpf_program *prog = l->skel->progs.loader_brk;

	if (l->cfg->mode == ATTACH_MULTI) {
		struct uprobe_multi_opts o = { .offsets = &off, .cnt = 1, .pid = l->cfg->pid };

		l->ld_fd = uprobe_multi_link_create(bpf_program__fd(prog), open_path, &o);
		return l->ld_fd < 0 ? l->ld_fd : 0;
	}
	l->ld_link = bpf_program__attach_uprobe(prog, false, l->cfg->pid > 0 ? l->cfg->pid : -1, open_path, off);
	return l->ld_link ? 0 : -errno;
}

static int on_loader_event(void *ctx, void *data, size_t size);

int late__start(struct late *l, struct uscope_bpf *skel, struct plan *plan, const struct attach_cfg *cfg,
		struct attach_state *links, const struct target *t)
{
	char *open_path = NULL;
	uint64_t off = 0;
	int err;

	l->skel = skel, l->plan = plan, l->cfg = cfg, l->links = links, l->target = t;
	if (!l->nnames)
		return 0;
	err = elf_interp(t->exe_open, &l->ld_path);
	if (err) {
		err_msg("cannot wait for '%s' (not found): '%s' has no dynamic loader to watch (%s)", l->names[0],
			t->exe, err == -ENOENT ? "no PT_INTERP" : elf_strerror(err));
		return err;
	}
	open_path = target__open_path(t, l->ld_path);
	err = open_path ? rbrk_offset(open_path, &off) : -ENOMEM;
	if (!err)
		err = attach_rbrk(l, open_path, off);
	if (err)
		err_msg("cannot wait for '%s' (not found): cannot probe the loader's r_brk (_dl_debug_state) in '%s': %s",
			l->names[0], l->ld_path, err == -ENOENT ? "no such function" : strerror(-err));
	free(open_path);
	if (err)
		return err;
	l->rb = ring_buffer__new(bpf_map__fd(skel->maps.loader_events), on_loader_event, l, NULL);
	if (!l->rb) {
		err_msg("cannot open the loader's ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Append the sites of SIDE (one binary, index 0) to the run's plan as binary BI. */
static int append_sites(struct late *l, const struct plan *side, int bi)
{
	struct plan *p = l->plan;
	size_t i, first = p->nsites, loc0 = p->nlocs;
	struct site *sites;
	struct usdt_loc *locs = NULL;

	if (p->nsites + side->nsites > l->capacity) {
		err_msg("'%s': %zu probes do not fit in the room kept for late libraries (%d)", side->bins[0].path,
			side->nsites, LATE_RESERVE);
		return -E2BIG;
	}
	sites = realloc(p->sites, (p->nsites + side->nsites + 1) * sizeof(*sites));
	if (sites)
		p->sites = sites;
	if (sites && side->nlocs && !(locs = realloc(p->locs, (p->nlocs + side->nlocs) * sizeof(*locs))))
		sites = NULL;
	if (!sites) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	if (locs)
		p->locs = locs;
	for (i = 0; i < side->nsites; i++) {
		p->sites[first + i] = side->sites[i];
		p->sites[first + i].bin = bi;
		p->sites[first + i].first_loc += loc0;
	}
	for (i = 0; i < side->nlocs; i++) {
		p->locs[loc0 + i] = side->locs[i];
		p->locs[loc0 + i].site += first;
	}
	p->nsites += side->nsites;
	p->nlocs += side->nlocs;
	return 0;
}

/* The probes waiting for name K, planned against PATH in a plan of their own. */
static int plan_side(struct late *l, size_t k, const char *path, const char *open_path, struct plan *side)
{
	struct probe_spec *specs = calloc(l->nspecs + 1, sizeof(*specs));
	size_t i, n = 0;
	int zero = 0, err;

	if (!specs)
		return -ENOMEM;
	for (i = 0; i < l->nspecs; i++) {
		const struct probe_spec *sp = &l->specs[i];

		if (sp->binary ? strcmp(sp->binary, l->names[k]) : !l->defaults_wait)
			continue;
		specs[n] = *sp;
		specs[n++].bin = 0;
	}
	err = plan__add_binary(side, path, open_path);
	if (err >= 0)
		err = plan__build(side, specs, n, &zero, 1);
	free(specs);
	return err;
}

/* Name K has arrived in process PID as PATH: plan, attach, say so. */
static int attach_arrived(struct late *l, size_t k, const char *path, pid_t pid)
{
	struct target in = { .pid = pid, .child = l->target->child };
	char *open_path = target__open_path(&in, path);
	struct plan *side = realloc(l->side, (l->nside + 1) * sizeof(*side));
	size_t before = l->links->probes;
	int bi, err;

	if (!open_path || !side) {
		free(open_path);
		return -ENOMEM;
	}
	l->side = side;
	side = &l->side[l->nside++];
	memset(side, 0, sizeof(*side));
	l->attached[k] = true;	/* whatever happens next, it is not waited for again */
	err = plan_side(l, k, path, open_path, side);
	bi = err ? err : plan__add_binary(l->plan, path, open_path);
	free(open_path);
	if (bi < 0)
		return bi;
	err = append_sites(l, side, bi);
	if (!err)
		err = attach__binary(l->skel, l->plan, bi, l->cfg, l->links);
	if (!err)
		fprintf(stderr, "Attached %zu probe%s to %s when process %d loaded it (named '%s')\n",
			l->links->probes - before, l->links->probes - before == 1 ? "" : "s", path, pid, l->names[k]);
	return err;
}

static bool all_arrived(const struct late *l)
{
	size_t i;

	for (i = 0; i < l->nnames; i++)
		if (!l->attached[i])
			return false;
	return true;
}

static int on_loader_event(void *ctx, void *data, size_t size)
{
	const struct uscope_loader_event *e = data;
	struct late *l = ctx;
	size_t k;

	if (size < sizeof(*e))
		return 0;
	for (k = 0; k < l->nnames; k++) {
		char *path;

		if (l->attached[k] || !(path = binpath_mapped(l->names[k], e->pid)))
			continue;
		attach_arrived(l, k, path, e->pid);	/* a failure is printed; the process must go on */
		free(path);
	}
	kill(e->pid, SIGCONT);
	l->holds++;
	l->held_ns += now_ns() - e->time_ns;
	if (all_arrived(l)) {
		/* Nothing to wait for: stop holding. */
		if (l->ld_fd >= 0)
			close(l->ld_fd);
		bpf_link__destroy(l->ld_link);
		l->ld_fd = -1;
		l->ld_link = NULL;
	}
	return 0;
}

int late__poll_fd(const struct late *l)
{
	return l->rb ? ring_buffer__epoll_fd(l->rb) : -1;
}

void late__consume(struct late *l)
{
	if (l->rb)
		ring_buffer__consume(l->rb);
}

void late__free(struct late *l)
{
	size_t i;

	if (l->ld_fd >= 0)
		close(l->ld_fd);
	bpf_link__destroy(l->ld_link);
	ring_buffer__free(l->rb);
	for (i = 0; i < l->nside; i++)
		plan__free(&l->side[i]);
	free(l->side);
	free(l->ld_path);
	memset(l, 0, sizeof(*l));
	l->ld_fd = -1;
}
