// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack maps: knobs, sizes, readers. The kernel's frame-pointer stacks are
 * deduplicated in a BPF_MAP_TYPE_STACK_TRACE map (value: 8 bytes a frame,
 * --stack-depth frames) and counted per (site, stack id, caller, pid) in a
 * per-CPU hash, like bcc's stackcount; both hold 16,384 entries (--latency
 * --stack: 4,096 per-CPU histograms per (site, stack)), and a stack
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
#define STACK_HIST_ENTRIES 4096	/* --latency --stack: (site, stack) histograms */

void bpf_obj_stacks__knobs(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	skel->rodata->stack_mode = k->stack_mode;
	skel->rodata->stack_count = k->stack_count;
	skel->rodata->stack_caller = k->stack_caller;
	if (k->stack_depth)
		skel->rodata->stack_depth = k->stack_depth;
	if (k->stack_bytes)
		skel->rodata->stack_bytes = k->stack_bytes;
}

int bpf_obj_stacks__size(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	bool kernel_counts = k->stack_mode == USCOPE_STACK_FP && k->stack_count;
	bool kernel_hists = k->stack_mode == USCOPE_STACK_FP && k->latency;
	uint32_t depth = kernel_counts || kernel_hists ? k->stack_depth : 1;
	int err;

	err = bpf_map__set_max_entries(skel->maps.stack_traces,
				       kernel_counts || kernel_hists ? STACK_MAP_ENTRIES : 1);
	if (!err)
		err = bpf_map__set_value_size(skel->maps.stack_traces, depth * sizeof(uint64_t));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.stack_counts, kernel_counts ? STACK_MAP_ENTRIES : 1);
	if (!err)	/* a histogram is 544 bytes a CPU: fewer of them */
		err = bpf_map__set_max_entries(skel->maps.stack_hists, kernel_hists ? STACK_HIST_ENTRIES : 1);
	if (!err && k->stack_mode == USCOPE_STACK_OFF)
		err = bpf_map__set_max_entries(skel->maps.stack_pids, 1);
	return err;
}

/* Per key of the per-CPU map FD (values VSIZE bytes a CPU): the values and the key's frames. */
typedef int (*keyed_fn)(void *arg, const struct uscope_stack_key *key, const void *vals, int ncpu,
			const uint64_t *ips, uint32_t depth);

static int walk_keyed(struct uscope_bpf *skel, int fd, size_t vsize, uint32_t depth, keyed_fn fn, void *arg)
{
	int sfd = bpf_map__fd(skel->maps.stack_traces), ncpu = libbpf_num_possible_cpus(), err = 0;
	struct uscope_stack_key key, next, *prev = NULL;
	uint64_t *ips;
	void *vals;

	vals = ncpu > 0 ? calloc(ncpu, vsize) : NULL;
	ips = calloc(depth + 1, sizeof(*ips));
	if (!vals || !ips) {
		err = -ENOMEM;
		goto out;
	}
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		memset(ips, 0, depth * sizeof(*ips));
		if (key.stack_id < 0 || !bpf_map_lookup_elem(sfd, &key.stack_id, ips))
			err = fn(arg, &key, vals, ncpu, ips, depth);	/* no stack id: no frames */
	}
out:
	free(vals);
	free(ips);
	return err;
}

struct counts_walk {
	bpf_stack_fn fn;
	bpf_stack_hist_fn hfn;
	void *arg;
};

static int sum_counts(void *arg, const struct uscope_stack_key *key, const void *vals, int ncpu, const uint64_t *ips,
		      uint32_t depth)
{
	const struct counts_walk *w = arg;
	const uint64_t *v = vals;
	uint64_t count = 0;
	int c;

	for (c = 0; c < ncpu; c++)
		count += v[c];
	return w->fn(w->arg, key, count, ips, depth);
}

int bpf_obj_stacks__counts(struct uscope_bpf *skel, uint32_t depth, bpf_stack_fn fn, void *arg)
{
	struct counts_walk w = { .fn = fn, .arg = arg };

	return walk_keyed(skel, bpf_map__fd(skel->maps.stack_counts), sizeof(uint64_t), depth, sum_counts, &w);
}

/* Per-CPU histograms into one: buckets, counts and sums add; the least nonzero minimum, the greatest maximum. */
static int sum_hists(void *arg, const struct uscope_stack_key *key, const void *vals, int ncpu, const uint64_t *ips,
		     uint32_t depth)
{
	const struct counts_walk *w = arg;
	const struct uscope_hist *v = vals;
	struct uscope_hist h = { 0 };
	int c, b;

	for (c = 0; c < ncpu; c++) {
		for (b = 0; b < USCOPE_HIST_BUCKETS; b++)
			h.buckets[b] += v[c].buckets[b];
		h.count += v[c].count;
		h.sum_ns += v[c].sum_ns;
		if (v[c].min_ns && (!h.min_ns || v[c].min_ns < h.min_ns))
			h.min_ns = v[c].min_ns;
		if (v[c].max_ns > h.max_ns)
			h.max_ns = v[c].max_ns;
	}
	return h.count ? w->hfn(w->arg, key, &h, ips, depth) : 0;
}

int bpf_obj_stacks__hists(struct uscope_bpf *skel, uint32_t depth, bpf_stack_hist_fn fn, void *arg)
{
	struct counts_walk w = { .hfn = fn, .arg = arg };

	return walk_keyed(skel, bpf_map__fd(skel->maps.stack_hists), sizeof(struct uscope_hist), depth, sum_hists,
			  &w);
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
