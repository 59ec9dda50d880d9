// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_obj_context: how do --filter and --by reach the BPF side, and what
 * does the key table say? (The bpf_obj room's part for them; see
 * bpf_obj_context.h.)
 *
 * Before load: the has_filter knob (false lets the verifier drop the whole
 * filter path), the --by knobs, and the sizes of filter_ids (one entry per
 * site), filters (one per distinct program) and by_counts (--by-max).
 * After load: the filter records, written with one batch update per map, so
 * that 10,000 filtered sites cost two syscalls, not 10,000. At report time:
 * the key table, read whole, and the count of hits that found it full.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_obj.h"
#include "bpf_obj_context.h"
#include "util.h"
#include "uscope.skel.h"

/* --by: the one table the run fills gets --by-max rows (and --latency the per-thread key frames). */
/*
 * The bytes of struct uscope_by_key the keys NEED use: the map hashes and
 * compares only those (the fields past them are always zero), so a key
 * without str(argN) does not pay for its 32 bytes on every hit.
 */
static uint32_t by_key_size(uint32_t need, int nkeys)
{
	if (need & 1u << USCOPE_OPND_STR)
		return sizeof(struct uscope_by_key);
	if (!(need & ~(1u << USCOPE_OPND_COMM)))
		return offsetof(struct uscope_by_key, v);	/* comm only: 24 bytes */
	return offsetof(struct uscope_by_key, v) + nkeys * sizeof(uint64_t);	/* v[i]: key i's number */
}

static int size_by(struct uscope_bpf *skel, const struct bpf_knobs *kn)
{
	const struct by_spec *by = kn->by;
	bool stacks = kn->stack_mode == USCOPE_STACK_FP && kn->stack_count;
	uint32_t need = 0;
	int k, err;

	skel->rodata->by_nkeys = by ? by->nkeys : 0;
	if (!by || !by->nkeys)
		return 0;
	for (k = 0; k < by->nkeys; k++) {
		const struct by_key *key = &by->keys[k];

		skel->rodata->by_opnd[k] = key->operand;
		need |= 1u << key->operand;
		if (key->operand == USCOPE_OPND_STR) {
			skel->rodata->by_str_arg = key->arg;
			need |= 1u << (USCOPE_OPND_ARG0 + key->arg);
		}
	}
	skel->rodata->by_need = need;
	err = bpf_map__set_max_entries(skel->maps.by_counts, kn->latency ? 1 : by->max);
	if (!err)
		err = bpf_map__set_key_size(skel->maps.by_counts, by_key_size(need, by->nkeys));
	if (!err && stacks)
		err = bpf_map__set_max_entries(skel->maps.by_stack_counts, by->max);
	if (!err && kn->latency)
		err = bpf_map__set_max_entries(skel->maps.by_lat, by->max);
	if (!err && kn->latency)
		err = bpf_map__set_max_entries(skel->maps.by_frames, USCOPE_BY_THREADS);
	return err;
}

static int size_hist(struct uscope_bpf *skel, const struct hist_spec *h, size_t nsites)
{
	skel->rodata->vhist_mode = h ? h->mode : USCOPE_VHIST_NONE;
	if (!h || !h->mode)
		return 0;
	skel->rodata->vhist_opnd = h->operand;
	skel->rodata->lhist_signed = h->lin_signed;
	skel->rodata->lhist_min = h->min;
	skel->rodata->lhist_max = h->max;
	skel->rodata->lhist_step = h->step ? h->step : 1;
	skel->rodata->lhist_steps = h->steps;
	return bpf_map__set_max_entries(skel->maps.vhists, nsites ? nsites : 1);
}

int context_maps__size(struct uscope_bpf *skel, const struct bpf_knobs *k, size_t nsites)
{
	const struct filter_set *f = k->filter;
	int err = size_by(skel, k);

	if (!err)
		err = size_hist(skel, k->hist, k->by && k->by->nkeys ? 1 : nsites);

	skel->rodata->has_filter = f && f->nprogs > 0;
	if (err || !skel->rodata->has_filter)
		return err;
	if (f->entry_prog >= 0 && !getenv("USCOPE_FILTER_MAPS_ONLY")) {
		skel->rodata->filter_entry_ro = true;
		/* Before the cookie, unless a rejected entry must push a latency frame, or a twin could fault a page of an untraced process in. */
		skel->rodata->filter_entry_early = !k->latency && !(f->progs[f->entry_prog].need & 1u << USCOPE_OPND_STR);
		skel->rodata->filter_entry_go = f->entry_go;
		memcpy((void *)&skel->rodata->filter_entry, &f->progs[f->entry_prog], sizeof(f->progs[0]));
	}
	err = bpf_map__set_max_entries(skel->maps.filter_ids, nsites ? nsites : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.filters, f->nprogs);
	return err;
}

/* Keys 0..N-1 of array FD := VALUES, in one batch where the kernel has it. */
static int fill_array(int fd, const void *values, size_t size, size_t n)
{
	uint32_t *keys = malloc((n + 1) * sizeof(*keys)), count = n, i;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = i;
	if (n && bpf_map_update_batch(fd, keys, values, &count, NULL)) {
		for (i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &keys[i], (const char *)values + i * size, 0))
				err = -errno;
	}
	free(keys);
	return err;
}

int context_maps__fill(struct uscope_bpf *skel, const struct filter_set *f)
{
	int err;

	if (!f || !f->nprogs)
		return 0;
	err = fill_array(bpf_map__fd(skel->maps.filters), f->progs, sizeof(*f->progs), f->nprogs);
	if (!err)
		err = fill_array(bpf_map__fd(skel->maps.filter_ids), f->ids, sizeof(*f->ids), f->nids);
	if (err)
		err_msg("cannot write the --filter maps: %s", strerror(-err));
	return err;
}

/* by_counts' rows, their per-CPU counts summed; keys past the map's key size read as zeros. */
int context_maps__by_read(struct uscope_bpf *skel, struct by_row *rows, size_t cap, size_t *n)
{
	int fd = bpf_map__fd(skel->maps.by_counts), ncpu = libbpf_num_possible_cpus(), c;
	struct uscope_by_key k = { 0 }, last = { 0 };
	bool have_last = false;
	uint64_t *vals;

	*n = 0;
	if (ncpu <= 0)
		return ncpu;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (*n < cap && !bpf_map_get_next_key(fd, have_last ? &last : NULL, &k)) {
		last = k;
		have_last = true;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		rows[*n].count = 0;
		for (c = 0; c < ncpu; c++)
			rows[*n].count += vals[c];
		rows[(*n)++].key = k;
	}
	free(vals);
	qsort(rows, *n, sizeof(*rows), by_row__key_cmp);
	return 0;
}

int context_maps__by_rows(struct uscope_bpf *skel, uint32_t max, struct by_row **out, size_t *n)
{
	struct by_row *rows = calloc((size_t)max + 1, sizeof(*rows));

	*n = 0;
	*out = rows;
	if (!rows)
		return -ENOMEM;
	return context_maps__by_read(skel, rows, max, n);
}

/* Sum one (key, bucket) row's per-CPU values VALS[NCPU] into R. */
static void lat_row(struct by_row *r, const struct uscope_by_lat *vals, int ncpu)
{
	int c;

	for (c = 0; c < ncpu; c++) {
		if (!vals[c].count)
			continue;
		r->count += vals[c].count;
		r->sum_ns += vals[c].sum_ns;
		if (!r->min_ns || vals[c].min_ns < r->min_ns)
			r->min_ns = vals[c].min_ns;
		if (vals[c].max_ns > r->max_ns)
			r->max_ns = vals[c].max_ns;
	}
}

int context_maps__by_lat_read(struct uscope_bpf *skel, int half, struct by_row *rows, size_t cap, size_t *n)
{
	int fd = bpf_map__fd(skel->maps.by_lat), ncpu = libbpf_num_possible_cpus();
	struct uscope_by_lat *vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	struct uscope_by_key k, last;
	bool have_last = false;
	size_t i;

	*n = 0;
	if (!vals)
		return -ENOMEM;
	while (*n < cap && !bpf_map_get_next_key(fd, have_last ? &last : NULL, &k)) {
		last = k;
		have_last = true;
		if ((half >= 0 && (int)(k.aux >> 8) != half) || bpf_map_lookup_elem(fd, &k, vals))
			continue;
		memset(&rows[*n], 0, sizeof(rows[*n]));
		rows[*n].key = k;
		lat_row(&rows[*n], vals, ncpu);
		(*n)++;
	}
	/* -i: this half is read; delete its rows (the programs now fill the other one). */
	for (i = 0; half >= 0 && i < *n; i++)
		bpf_map_delete_elem(fd, &rows[i].key);
	for (i = 0; i < *n; i++)
		rows[i].key.aux &= 0xff;	/* the bucket; the half is spent */
	free(vals);
	qsort(rows, *n, sizeof(*rows), by_row__key_cmp);
	return 0;
}

int context_maps__by_lat_rows(struct uscope_bpf *skel, uint32_t max, int half, struct by_row **out, size_t *n)
{
	struct by_row *rows = calloc((size_t)max + 1, sizeof(*rows));

	*n = 0;
	*out = rows;
	if (!rows)
		return -ENOMEM;
	return context_maps__by_lat_read(skel, half, rows, max, n);
}

static int add_by_stack(int fd, int stack_fd, uint32_t depth, bpf_by_stack_fn fn, void *arg)
{
	struct uscope_by_stack_key k, last;
	uint64_t *ips = calloc(USCOPE_STACK_MAX_DEPTH + 1, sizeof(*ips)), count;
	bool have_last = false;
	int err = 0;

	if (!ips)
		return -ENOMEM;
	while (!err && !bpf_map_get_next_key(fd, have_last ? &last : NULL, &k)) {
		last = k;
		have_last = true;
		if (bpf_map_lookup_elem(fd, &k, &count))
			continue;
		memset(ips, 0, (USCOPE_STACK_MAX_DEPTH + 1) * sizeof(*ips));
		if (bpf_map_lookup_elem(stack_fd, &k.stack.stack_id, ips))
			continue;
		err = fn(arg, &k, count, ips, depth);
	}
	free(ips);
	return err;
}

int context_maps__by_stacks(struct uscope_bpf *skel, uint32_t depth, bpf_by_stack_fn fn, void *arg)
{
	return add_by_stack(bpf_map__fd(skel->maps.by_stack_counts), bpf_map__fd(skel->maps.stack_traces), depth,
			    fn, arg);
}

uint64_t context_maps__by_dropped(struct uscope_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *vals, total = 0;
	uint32_t zero = 0;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.by_dropped), &zero, vals))
		for (c = 0; c < ncpu; c++)
			total += vals[c];
	free(vals);
	return total;
}
