// SPDX-License-Identifier: BSD-2-Clause
/*
 * Libraries that arrive later, in the guardian (guardian.h), which creates
 * and drops every link: the r_brk link on the target's ld.so, the links of
 * each library that arrived (attached with attach__run_binary(), as the
 * --metrics re-attach does, and kept with the others), and, when it lets
 * go, every process still held at r_brk is continued. So a SIGKILL of
 * uscope at any moment, mid-attach of a late library included, leaves
 * nothing attached and no process stopped. See late.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "late.h"
#include "util.h"
#include "../helpers/uprobe_multi.h"

int late__guard_attach(struct late *l, const struct bpf_obj *obj, const struct attach_cfg *cfg)
{
	struct late_handles h;
	uint64_t off = l->rtld.brk_off;
	int fd;

	if (!l->nnames)
		return 0;
	bpf_obj__late_handles(obj, &h);
	memset(&l->brk, 0, sizeof(l->brk));
	if (cfg->mode == ATTACH_MULTI) {
		struct uprobe_multi_opts o = { .offsets = &off, .cnt = 1, .pid = cfg->pid };

		fd = uprobe_multi_link_create(bpf_program__fd(h.brk), l->ld_open, &o);
		if (fd >= 0 && !attach_state__add_fd(&l->brk, fd))
			return 0;
	} else {
		struct bpf_link *link = bpf_program__attach_uprobe(h.brk, false, cfg->pid > 0 ? cfg->pid : -1,
								  l->ld_open, off);

		fd = link ? 0 : -errno;
		if (link && !attach_state__add_link(&l->brk, link))
			return 0;
	}
	err_msg("cannot wait for '%s' (no such file yet): cannot probe the loader's r_brk (_dl_debug_state) in "
		"'%s': %s", l->names[0].name, l->ld_path, strerror(fd < 0 ? -fd : ENOMEM));
	return fd < 0 ? fd : -ENOMEM;
}

/* Read "PATH\nOPEN\nFIRST N\n": the binary (added to PLAN's cache) and where its sites go. */
static int parse_head(struct plan *plan, char **p, int *bi, size_t *first, size_t *n)
{
	char *path = strsep(p, "\n"), *open_path = strsep(p, "\n"), *counts = strsep(p, "\n");

	if (!path || !open_path || !counts || sscanf(counts, "%zu %zu", first, n) != 2)
		return -EPROTO;
	if (*first != plan->nsites) {
		err_msg("late library '%s': site ids from %zu, but the guardian has %zu sites", path, *first,
			plan->nsites);
		return -EPROTO;
	}
	*bi = binaries__add(plan->bins, path, open_path);
	return *bi < 0 ? *bi : 0;
}

/* The N "KIND OFFSET SLOT NAME" lines at P, appended to PLAN as binary BI. */
static int parse_sites(struct plan *plan, char *p, int bi, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *line = strsep(&p, "\n");
		struct site s = { .bin = (uint32_t)bi };
		unsigned kind, slot;
		unsigned long long off;
		int used = 0;

		if (!line || sscanf(line, "%u %llu %u %n", &kind, &off, &slot, &used) != 3 || !used ||
		    kind > USCOPE_SITE_RETURN)
			return -EPROTO;
		s.kind = (uint8_t)kind;
		s.offset = off;
		s.slot = slot;
		if (plan__append_site(plan, &s, line + used) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Move the links of FRESH into KEEP (FRESH is left empty). */
static int keep_links(struct attach_state *keep, struct attach_state *fresh)
{
	size_t i;
	int err = 0;

	for (i = 0; i < fresh->nfds && !err; i++)
		err = attach_state__add_fd(keep, fresh->fds[i]);
	for (i = 0; i < fresh->nlinks && !err; i++)
		err = attach_state__add_link(keep, fresh->links[i]);
	keep->probes += fresh->probes;
	free(fresh->fds);
	free(fresh->links);
	memset(fresh, 0, sizeof(*fresh));
	return err;
}

int late__guard_more(struct late *l, struct plan *plan, const struct attach_progs *progs,
		     const struct attach_cfg *cfg, const char *msg, size_t len, size_t *probes)
{
	char *copy = strndup(msg, len), *p = copy;
	size_t first = plan->nsites, n = 0;
	struct attach_state fresh;
	int bi = -1, err;

	*probes = 0;
	err = copy ? parse_head(plan, &p, &bi, &first, &n) : -ENOMEM;
	if (!err)
		err = parse_sites(plan, p, bi, n);
	free(copy);
	if (err == -EPROTO)
		err_msg("the guardian cannot read uscope's request to attach a late library");
	if (!err)
		err = attach__run_binary(progs, plan, cfg, (uint32_t)bi, false, &fresh);	/* failure printed */
	if (!err) {
		*probes = fresh.probes;
		err = keep_links(&l->links, &fresh);
	}
	if (err)
		plan->nsites = first;	/* as uscope does: the ids are given again to the next library */
	return err;
}

void late__guard_unhold(struct late *l, const struct bpf_obj *obj)
{
	struct late_handles h;
	uint32_t key;

	if (!l->nnames)
		return;
	/* No program runs on r_brk once its link is gone: every process it stopped is in the set now. */
	attach__destroy(&l->brk);
	bpf_obj__late_handles(obj, &h);
	while (!bpf_map_get_next_key(h.held_fd, NULL, &key)) {
		if (bpf_map_delete_elem(h.held_fd, &key))
			break;
		kill((pid_t)key, SIGCONT);
	}
}

void late__guard_detach(struct late *l, const struct bpf_obj *obj)
{
	late__guard_unhold(l, obj);
	attach__destroy(&l->links);
}
