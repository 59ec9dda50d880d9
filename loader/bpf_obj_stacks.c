// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack maps: knobs, sizes, readers. The kernel's frame-pointer stacks are
 * deduplicated in a BPF_MAP_TYPE_STACK_TRACE map (value: 8 bytes a frame,
 * --stack-depth frames) and counted per (site, stack id, caller, pid) in a
 * per-CPU hash, like bcc's stackcount; both hold 16,384 entries, and a stack
 * that finds no room is counted as lost, never dropped silently. Maps the
 * run does not use shrink to one entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_obj_stacks.h"
#include "uscope.skel.h"

#define STACK_MAP_ENTRIES 16384

void bpf_obj_stacks__knobs(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	skel->rodata->stack_mode = k->stack_mode;
	skel->rodata->stack_count = k->stack_count;
	if (k->stack_depth)
		skel->rodata->stack_depth = k->stack_depth;
	if (k->stack_bytes)
		skel->rodata->stack_bytes = k->stack_bytes;
}

int bpf_obj_stacks__size(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	bool kernel_counts = k->stack_mode == USCOPE_STACK_FP && k->stack_count;
	uint32_t depth = kernel_counts ? k->stack_depth : 1;
	int err;

	err = bpf_map__set_max_entries(skel->maps.stack_traces, kernel_counts ? STACK_MAP_ENTRIES : 1);
	if (!err)
		err = bpf_map__set_value_size(skel->maps.stack_traces, depth * sizeof(uint64_t));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.stack_counts, kernel_counts ? STACK_MAP_ENTRIES : 1);
	if (!err && k->stack_mode == USCOPE_STACK_OFF)
		err = bpf_map__set_max_entries(skel->maps.stack_pids, 1);
	return err;
}

int bpf_obj_stacks__counts(struct uscope_bpf *skel, uint32_t depth, bpf_stack_fn fn, void *arg)
{
	int cfd = bpf_map__fd(skel->maps.stack_counts), sfd = bpf_map__fd(skel->maps.stack_traces);
	int ncpu = libbpf_num_possible_cpus(), c, err = 0;
	struct uscope_stack_key key, next, *prev = NULL;
	uint64_t *vals, *ips;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	ips = calloc(depth + 1, sizeof(*ips));
	if (!vals || !ips) {
		err = -ENOMEM;
		goto out;
	}
	while (!err && !bpf_map_get_next_key(cfd, prev, &next)) {
		uint64_t count = 0;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(cfd, &key, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			count += vals[c];
		memset(ips, 0, depth * sizeof(*ips));
		if (!bpf_map_lookup_elem(sfd, &key.stack_id, ips))
			err = fn(arg, &key, count, ips, depth);
	}
out:
	free(vals);
	free(ips);
	return err;
}

uint64_t bpf_obj_stacks__lost(struct uscope_bpf *skel, uint32_t why)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *v = ncpu > 0 ? calloc(ncpu, sizeof(*v)) : NULL, total = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stack_lost), &why, v))
		for (c = 0; c < ncpu; c++)
			total += v[c];
	free(v);
	return total;
}
