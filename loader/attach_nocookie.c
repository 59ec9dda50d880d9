// SPDX-License-Identifier: BSD-2-Clause
/*
 * The no-cookie path (kernels before 5.15): how is a site recognised
 * without a BPF cookie? By its address in the one traced process. Each
 * function site or USDT location gets a perf-event uprobe without cookie;
 * once the process has mapped the binaries, attach__after_exec() fills the
 * address -> cookie maps (functions, and USDT locations: attach.c) from
 * /proc/PID/maps. That is why this path needs -p or -c, and for
 * -c asks the session to stop the child right after exec (the mappings
 * exist from then on, before the program's first instruction).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "attach_paths.h"
#include "proc_maps.h"
#include "util.h"

int attach_nocookie_check(const struct plan *plan, const struct attach_cfg *cfg, bool child,
			  struct attach_needs *needs)
{
	size_t kinds[3];

	plan__kind_counts(plan, kinds);
	if (!cfg->pid) {
		err_msg("--attach nocookie needs -p or -c: without cookies a probe is recognised by its "
			"address, which is known only in one process");
		return -EINVAL;
	}
	if (kinds[USCOPE_SITE_RETURN]) {
		err_msg("--attach nocookie cannot probe returns (ret:, --latency): a return probe's address "
			"is its caller's");
		return -EINVAL;
	}
	needs->stop_child_at_exec = child;
	needs->after_exec = true;
	return 0;
}

/* The file offset of location K of site S (K = 0 for a function). */
static uint64_t site_offset(const struct plan *plan, const struct site *s, size_t k)
{
	return s->kind == USCOPE_SITE_USDT ? plan->locs[s->first_loc + k].note->offset : s->offset;
}

static size_t site_nlocs(const struct site *s)
{
	return s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;
}

/* One perf-event uprobe per function site or USDT location, no cookie. */
static int attach_site(const struct attach_progs *progs, const struct plan *plan, size_t id, pid_t pid,
		       struct attach_state *st)
{
	const struct site *s = &plan->sites[id];
	const struct binary *b = plan__bin(plan, s->bin);
	size_t k;
	int err;

	for (k = 0; k < site_nlocs(s); k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, po);
		struct bpf_link *link;

		if (s->kind == USCOPE_SITE_USDT) {
			err = attach_store_usdt_spec(progs, plan, s->first_loc + k);
			if (err)
				return err;
			link = attach_usdt_loc(progs, plan, s->first_loc + k, pid, false);
		} else {
			link = bpf_program__attach_uprobe_opts(progs->prog[s->kind], pid, b->open_path,
							       site_offset(plan, s, k), &po);
		}
		err = attach_keep_link(st, link, s, b->path, pid);
		if (err)
			return err;
	}
	return 0;
}

int attach_nocookie_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
			volatile sig_atomic_t *stop, struct attach_state *st)
{
	size_t i;
	int err = 0;

	for (i = 0; i < plan->nsites && !err; i++)
		err = *stop ? -EINTR : attach_site(progs, plan, i, cfg->pid, st);
	return err;
}

/* Store the addresses of site I's locations; a binary not mapped (yet) is reported and skipped. */
static int map_site(const struct attach_progs *progs, const struct plan *plan, size_t i,
		    const struct proc_maps *pm, const struct stat *st, pid_t pid)
{
	const struct site *s = &plan->sites[i];
	size_t k;

	for (k = 0; k < site_nlocs(s); k++) {
		uint64_t ip, val = plan__cookie(plan, i);
		int err;

		if (proc_maps__addr_of(pm, st[s->bin].st_dev, st[s->bin].st_ino, site_offset(plan, s, k), &ip)) {
			warn_msg("'%s' is not mapped in process %d (yet): without cookies, %s cannot be recognised",
				 plan__bin(plan, s->bin)->path, pid, s->name);
			return 0;
		}
		if (s->kind == USCOPE_SITE_USDT) {
			val = attach_usdt_cookie(plan, s->first_loc + k);
			err = bpf_map_update_elem(progs->usdt_ip_fd, &ip, &val, BPF_ANY);
		}
		else
			err = bpf_map_update_elem(progs->ip_sites_fd, &ip, &val, BPF_ANY);
		if (err) {
			err = -errno;
			err_msg("cannot store the address of %s: %s", s->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

int attach__after_exec(const struct attach_progs *progs, const struct plan *plan, pid_t pid)
{
	size_t nbins = plan->bins->n, i;
	struct proc_maps pm;
	struct stat *st;
	int err;

	err = proc_maps__load(pid, &pm);
	if (err) {
		err_msg("cannot read the mappings of process %d: %s", pid, strerror(-err));
		return err;
	}
	st = calloc(nbins, sizeof(*st));
	if (!st) {
		proc_maps__free(&pm);
		err_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < nbins; i++)
		if (stat(plan__bin(plan, i)->open_path, &st[i]))
			memset(&st[i], 0, sizeof(st[i]));
	for (i = 0, err = 0; i < plan->nsites && !err; i++)
		err = map_site(progs, plan, i, &pm, st, pid);
	free(st);
	proc_maps__free(&pm);
	return err;
}
