// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF object's life before attach and its readers after (see
 * bpf_obj.h). Every map is sized from the plan; a map the run does not use
 * shrinks to one entry, so a 50,000-site trace pays for its counters only.
 *
 * A program loaded with expected attach type BPF_TRACE_UPROBE_MULTI cannot
 * make a perf-event link and vice versa, so the attach path is fixed before
 * load, and the no-cookie path is a Kconfig switch of the same object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_obj.h"
#include "util.h"
#include "uscope.skel.h"
#include "bpf_obj_stacks.h"
#include "../helpers/uprobe_multi.h"

struct bpf_obj {
	struct uscope_bpf *skel;
	const struct plan *plan;
	bool events, noop;
	int stack_mode;
	uint32_t stack_depth;
};

/* The program that serves sites of KIND. */
static struct bpf_program *prog_for(const struct bpf_obj *o, int kind)
{
	if (kind == USCOPE_SITE_ENTRY)
		return o->noop ? o->skel->progs.noop_entry : o->skel->progs.generic_entry;
	return kind == USCOPE_SITE_RETURN ? o->skel->progs.generic_return : o->skel->progs.usdt_site;
}

static void set_knobs(struct uscope_bpf *skel, const struct bpf_knobs *k)
{
	skel->rodata->target_tgid = k->tgid;
	skel->rodata->target_tid = k->tid;
	skel->rodata->target_uid = k->uid;
	skel->rodata->emit_events = k->events;
	skel->rodata->latency = k->latency;
	skel->rodata->func_nargs = k->nargs;
	skel->rodata->str_arg = k->str_arg;
	skel->rodata->wakeup_bytes = k->ringbuf_size / 8;
	bpf_obj_stacks__knobs(skel, k);
}

/* Which programs load, with which expected attach type. */
static int choose_programs(struct bpf_obj *o, const struct bpf_knobs *k)
{
	size_t kinds[3];
	int i, err;

	plan__kind_counts(o->plan, kinds);
	bpf_program__set_autoload(o->skel->progs.noop_entry, false);
	bpf_program__set_autoload(o->skel->progs.generic_entry, false);
	for (i = 0; i < 3; i++) {
		struct bpf_program *prog = prog_for(o, i);

		bpf_program__set_autoload(prog, kinds[i] > 0);
		if (k->mode != ATTACH_MULTI)
			continue;
		err = bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)USCOPE_BPF_TRACE_UPROBE_MULTI);
		if (err)
			return err;
	}
	return 0;
}

/* Every map sized from the plan; unused ones shrink to one entry. */
static int size_maps(struct bpf_obj *o, const struct bpf_knobs *k)
{
	const struct plan *p = o->plan;
	struct uscope_bpf *skel = o->skel;
	bool nocookie = k->mode == ATTACH_NOCOOKIE;
	int err;

	err = bpf_map__set_max_entries(skel->maps.counts, p->nsites);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.drops, p->nsites);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, k->events || k->stack_mode ? k->ringbuf_size : 4096);
	if (!err)
		err = bpf_obj_stacks__size(skel, k);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists, p->nslots ? p->nslots : 1);
	if (!err && !k->latency)
		err = bpf_map__set_max_entries(skel->maps.stacks, 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.ip_sites, nocookie ? p->nsites + 1 : 1);
	/* One USDT argument record per location, on every path. */
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.usdt_specs, p->nlocs ? p->nlocs : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.usdt_ip_cookies, nocookie && p->nlocs ? p->nlocs : 1);
	return err;
}

int bpf_obj__load(const struct bpf_knobs *k, const struct plan *plan, struct bpf_obj **out)
{
	const char *kconfig = k->mode == ATTACH_NOCOOKIE ? "CONFIG_USCOPE_BPF_COOKIE=n\n"
							 : "CONFIG_USCOPE_BPF_COOKIE=y\n";
	/* -v: the verifier's log of every program, which libbpf prints at debug level. */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kconfig = kconfig, .kernel_log_level = k->verbose ? 1 : 0);
	struct bpf_obj *o = calloc(1, sizeof(*o));
	int err;

	*out = NULL;
	if (!o) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	o->plan = plan;
	o->events = k->events;
	o->noop = k->noop;
	o->stack_mode = k->stack_mode;
	o->stack_depth = k->stack_depth;
	o->skel = uscope_bpf__open_opts(&oo);
	if (!o->skel) {
		err = -errno;
		err_msg("cannot open the BPF object: %s", strerror(-err));
		free(o);
		return err;
	}
	set_knobs(o->skel, k);
	err = choose_programs(o, k);
	if (!err)
		err = size_maps(o, k);
	if (err) {
		err_msg("cannot size the BPF maps: %s", strerror(-err));
		bpf_obj__free(o);
		return err;
	}
	err = uscope_bpf__load(o->skel);
	if (err) {
		err_msg("cannot load the BPF programs: %s", strerror(-err));
		bpf_obj__free(o);
		return err;
	}
	*out = o;
	return 0;
}

void bpf_obj__free(struct bpf_obj *o)
{
	if (!o)
		return;
	uscope_bpf__destroy(o->skel);
	free(o);
}

void bpf_obj__attach_progs(const struct bpf_obj *o, struct attach_progs *out)
{
	int i;

	for (i = 0; i < 3; i++)
		out->prog[i] = prog_for(o, i);
	out->usdt_specs_fd = bpf_map__fd(o->skel->maps.usdt_specs);
	out->usdt_ip_fd = bpf_map__fd(o->skel->maps.usdt_ip_cookies);
	out->ip_sites_fd = bpf_map__fd(o->skel->maps.ip_sites);
}

int bpf_obj__events_fd(const struct bpf_obj *o)
{
	return o->events || o->stack_mode ? bpf_map__fd(o->skel->maps.events) : -1;
}

int bpf_obj__stack_counts(const struct bpf_obj *o, bpf_stack_fn fn, void *arg)
{
	return bpf_obj_stacks__counts(o->skel, o->stack_depth, fn, arg);
}

uint64_t bpf_obj__stack_lost(const struct bpf_obj *o, uint32_t why)
{
	return bpf_obj_stacks__lost(o->skel, why);
}

/* Sum the per-CPU values of keys [0, n) of map FD, each value WORDS u64 wide, into OUT. */
static int sum_percpu(int fd, uint64_t *out, size_t n, size_t words)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *vals;
	uint32_t k;
	size_t w;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu * words, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, n * words * sizeof(*out));
	for (k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			for (w = 0; w < words; w++)
				out[k * words + w] += vals[c * words + w];
	}
	free(vals);
	return 0;
}

static uint64_t sum_all(struct bpf_map *map, size_t n)
{
	uint64_t *v = calloc(n + 1, sizeof(*v)), total = 0;
	size_t i;

	if (v && !sum_percpu(bpf_map__fd(map), v, n, 1))
		for (i = 0; i < n; i++)
			total += v[i];
	free(v);
	return total;
}

int bpf_obj__counts(const struct bpf_obj *o, uint64_t *out)
{
	return sum_percpu(bpf_map__fd(o->skel->maps.counts), out, o->plan->nsites, 1);
}

uint64_t bpf_obj__hits(const struct bpf_obj *o)
{
	return sum_all(o->skel->maps.counts, o->plan->nsites);
}

uint64_t bpf_obj__lost(const struct bpf_obj *o)
{
	return sum_all(o->skel->maps.drops, o->plan->nsites);
}

uint64_t bpf_obj__unpaired(const struct bpf_obj *o)
{
	return sum_all(o->skel->maps.unpaired, 1);
}

/* Add one CPU's histogram V into H: min over the CPUs that saw a sample, max over all. */
static void hist_add(struct uscope_hist *h, const struct uscope_hist *v)
{
	int b;

	if (!v->count)
		return;
	for (b = 0; b < USCOPE_HIST_BUCKETS; b++)
		h->buckets[b] += v->buckets[b];
	h->count += v->count;
	h->sum_ns += v->sum_ns;
	if (!h->min_ns || v->min_ns < h->min_ns)
		h->min_ns = v->min_ns;
	if (v->max_ns > h->max_ns)
		h->max_ns = v->max_ns;
}

struct uscope_hist *bpf_obj__hists(const struct bpf_obj *o)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(o->skel->maps.hists), c;
	size_t nslots = o->plan->nslots;
	struct uscope_hist *out = calloc(nslots + 1, sizeof(*out)), *vals;
	uint32_t k;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (!out || !vals) {
		free(out);
		free(vals);
		return NULL;
	}
	for (k = 0; k < nslots; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			hist_add(&out[k], &vals[c]);
	}
	free(vals);
	return out;
}
