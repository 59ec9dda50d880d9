// SPDX-License-Identifier: BSD-2-Clause
/*
 * The perf-event path (5.15+, before uprobe_multi): one perf-event uprobe
 * per function site or USDT location, carrying its cookie (attach.c says
 * what a USDT location's cookie holds).
 */
#include <errno.h>
#include "attach_paths.h"
#include "util.h"

static int attach_site(const struct attach_progs *progs, const struct plan *plan, size_t id, pid_t pid,
		       struct attach_state *st)
{
	const struct site *s = &plan->sites[id];
	const struct binary *b = plan__bin(plan, s->bin);
	struct bpf_link *link;
	char what[256];

	size_t k, n = s->kind == USCOPE_SITE_USDT ? s->nlocs : 1;
	int err;

	for (k = 0; k < n; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, po, .bpf_cookie = USCOPE_COOKIE(id, s->slot),
			    .retprobe = s->kind == USCOPE_SITE_RETURN);

		if (s->kind == USCOPE_SITE_USDT) {
			err = attach_store_usdt_spec(progs, plan, s->first_loc + k);
			if (err)
				return err;
			link = attach_usdt_loc(progs, plan, s->first_loc + k, pid, true);
		} else {
			link = bpf_program__attach_uprobe_opts(progs->prog[s->kind], pid > 0 ? pid : -1,
							       b->open_path, s->offset, &po);
		}
		if (!link) {
			err = -errno;
			snprintf(what, sizeof(what), "%s (%s)", s->name, site_kind_name(s->kind));
			attach_report_failure(err, what, 0, b->path, pid);
			return err;
		}
		st->probes++;
		err = attach_add_link(st, link);
		if (err)
			return err;
	}
	return 0;
}

int attach_perf_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		    volatile sig_atomic_t *stop, struct attach_state *st)
{
	size_t i;
	int err = 0;

	/* Two passes, returns first: a return seen before its entry is ignored, the reverse would pair wrongly. */
	for (i = 0; i < 2 * plan->nsites && !err; i++) {
		size_t id = i % plan->nsites;

		if (*stop)
			return -EINTR;
		if ((plan->sites[id].kind == USCOPE_SITE_RETURN) == (i < plan->nsites))
			err = attach_site(progs, plan, id, cfg->pid, st);
	}
	return err;
}
