// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF-object room's part of libraries that arrive later (late.h): which
 * program loads, what it is told, which maps the rest of uscope gets. The
 * per-site maps' room itself is sized in bpf_obj.c with the others.
 */
#include <bpf/libbpf.h>
#include "bpf_obj.h"
#include "bpf_obj_late.h"
#include "uscope.skel.h"
#include "../helpers/uprobe_multi.h"

int bpf_obj_late__prepare(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	int err = 0;

	bpf_program__set_autoload(skel->progs.loader_brk, k->late);
	if (!k->late)
		return 0;
	skel->rodata->late_rdebug_delta = k->late_rdebug_delta;
	/* Every site may still be to come (--late-room 0 and nothing found yet): no map of 0 entries. */
	if (!bpf_map__max_entries(skel->maps.counts)) {
		err = bpf_map__set_max_entries(skel->maps.counts, 1);
		if (!err)
			err = bpf_map__set_max_entries(skel->maps.drops, 1);
	}
	if (!err && k->mode == ATTACH_MULTI)
		err = bpf_program__set_expected_attach_type(skel->progs.loader_brk,
							    (enum bpf_attach_type)USCOPE_BPF_TRACE_UPROBE_MULTI);
	return err;
}

void bpf_obj_late__handles(struct uscope_bpf *skel, struct late_handles *out)
{
	out->brk = skel->progs.loader_brk;
	out->held_fd = bpf_map__fd(skel->maps.late_held);
	out->events_fd = bpf_map__fd(skel->maps.late_events);
	out->stats_fd = bpf_map__fd(skel->maps.late_stats);
}
