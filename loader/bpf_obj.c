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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_obj.h"
#include "bpf_obj_context.h"
#include "util.h"
#include "uscope.skel.h"
#include "bpf_obj_stacks.h"
#include "bpf_obj_late.h"
#include "../helpers/uprobe_multi.h"

struct bpf_obj {
	struct uscope_bpf *skel;
	const struct plan *plan;
	bool events, noop, interval;
	bool sleepable;		/* strings read: the uprobe.s twins serve entries and USDT (str_read.bpf.h) */
	struct uscope_hist *hist_total;	/* -i --latency: the intervals read so far */
	uint32_t by_max;	/* --by: rows in the key table */
	int stack_mode;
	uint32_t stack_depth;
};

/* The program that serves sites of KIND. */
static struct bpf_program *prog_for(const struct bpf_obj *o, int kind)
{
	if (kind == USCOPE_SITE_ENTRY && o->noop)
		return o->skel->progs.noop_entry;
	if (kind == USCOPE_SITE_ENTRY)
		return o->sleepable ? o->skel->progs.generic_entry_s : o->skel->progs.generic_entry;
	if (kind == USCOPE_SITE_USDT)
		return o->sleepable ? o->skel->progs.usdt_site_s : o->skel->progs.usdt_site;
	return o->skel->progs.generic_return;
}

/* Does the run read any user string: --str (and DWARF char *), str(argN) in --filter or --by? */
static bool reads_strings(const struct bpf_knobs *k)
{
	size_t i;

	if (k->str_mask)
		return true;
	for (i = 0; k->filter && i < k->filter->nprogs; i++)
		if (k->filter->progs[i].need & (1u << USCOPE_OPND_STR))
			return true;
	for (i = 0; k->by && i < (size_t)k->by->nkeys; i++)
		if (k->by->keys[i].operand == USCOPE_OPND_STR)
			return true;
	return false;
}

/*
 * The sleepable twins, only when strings are read: count-only runs keep the
 * cheaper programs. Sleepable programs may not use a stack-trace or cgroup
 * array map, so --stack and --cgroup keep the non-sleepable ones, and their
 * strings read without faulting pages in (said once). USCOPE_NO_SLEEPABLE=1
 * turns the twins off (the benchmarks compare both).
 */
static bool use_sleepable(const struct bpf_knobs *k)
{
	const char *off = getenv("USCOPE_NO_SLEEPABLE");

	if (!reads_strings(k) || k->noop || (off && *off == '1'))
		return false;
	if (k->stack_mode || k->cgroup) {
		warn_msg("with %s, strings in pages the target has not touched yet read as unreadable",
			k->stack_mode ? "--stack" : "--cgroup");
		return false;
	}
	return true;
}

/* The one function entry site's index, or -1 (none, several, or sites may be added later). */
static ssize_t one_entry_site(const struct plan *plan, const struct bpf_knobs *k)
{
	ssize_t one = -1;
	size_t i;

	if (k->mode == ATTACH_NOCOOKIE || k->late)
		return -1;
	for (i = 0; i < plan->nsites; i++) {
		if (plan->sites[i].kind != USCOPE_SITE_ENTRY)
			continue;
		if (one >= 0)
			return -1;
		one = i;
	}
	return one;
}

static void set_knobs(struct bpf_obj *o, const struct bpf_knobs *k)
{
	struct uscope_bpf *skel = o->skel;
	ssize_t one = one_entry_site(o->plan, k);

	skel->rodata->target_tgid = k->tgid;
	skel->rodata->target_tid = k->tid;
	skel->rodata->target_uid = k->uid;
	skel->rodata->emit_events = k->events;
	skel->rodata->latency = k->latency;
	skel->rodata->func_nargs = k->nargs;
	skel->rodata->str_mask = k->str_mask;
	skel->rodata->str_len = k->str_len;
	skel->rodata->str_record = USCOPE_STR_RECORD(__builtin_popcount(k->str_mask), k->str_len);
	skel->rodata->wakeup_bytes = k->ringbuf_size / 8;
	/* Only -i --latency needs the second half of the histograms. */
	skel->rodata->hist_nslots = o->interval ? o->plan->nslots : 0;
	skel->rodata->follow = k->follow;
	skel->rodata->cgroup_filter = k->cgroup;
	skel->rodata->one_entry = one >= 0;	/* its cookie is known: no helper call a hit (site_cookie.bpf.h) */
	skel->rodata->one_entry_cookie = one >= 0 ? plan__cookie(o->plan, one) : 0;
	if (k->follow)
		skel->rodata->target_tgid = 0;	/* the set decides, children included */
	skel->rodata->proc_filtered = skel->rodata->target_tgid || k->tid != USCOPE_NO_FILTER ||
				      k->uid != USCOPE_NO_FILTER || k->follow || k->cgroup;
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
	bpf_program__set_autoload(o->skel->progs.generic_entry_s, false);
	bpf_program__set_autoload(o->skel->progs.usdt_site, false);
	bpf_program__set_autoload(o->skel->progs.usdt_site_s, false);
	/* tp_btf: loading them makes libbpf parse the kernel's BTF, so only with -f. */
	bpf_program__set_autoload(o->skel->progs.follow_fork, k->follow);
	bpf_program__set_autoload(o->skel->progs.follow_exit, k->follow);
	kinds[USCOPE_SITE_RETURN] -= plan__ret_insn_sites(o->plan);	/* those use insn_return */
	for (i = 0; i < 4; i++) {
		struct bpf_program *prog = i < 3 ? prog_for(o, i) : o->skel->progs.insn_return;

		bpf_program__set_autoload(prog, i < 3 ? kinds[i] > 0 || (i < 2 && k->late_kinds[i])
						 : o->plan->nrets > 0);
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

	err = bpf_map__set_max_entries(skel->maps.counts, p->nsites + k->late_room);
	if (!err && !k->follow)
		err = bpf_map__set_max_entries(skel->maps.traced_tgids, 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.drops, p->nsites + k->late_room);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, k->events || k->stack_mode ? k->ringbuf_size : 4096);
	if (!err)
		err = bpf_obj_stacks__size(skel, k);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists, p->nslots ? p->nslots * (o->interval ? 2 : 1) : 1);
	if (!err && !k->latency)
		err = bpf_map__set_max_entries(skel->maps.stacks, 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.ip_sites, nocookie ? p->nsites + 1 : 1);
	/* One USDT argument record per location, on every path. */
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.usdt_specs, p->nlocs ? p->nlocs : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.usdt_ip_cookies, nocookie && p->nlocs ? p->nlocs : 1);
	if (!err)
		err = context_maps__size(skel, k, p->nsites);
	return err;
}

/*
 * Open the skeleton, set knobs and sizes, load. Returns 0, -EAGAIN when the
 * sleepable twins failed to load (quietly: the caller retries with the plain
 * programs), or another negative errno after one message.
 */
static int open_and_load(struct bpf_obj *o, const struct bpf_knobs *k, const struct bpf_object_open_opts *oo)
{
	int err;

	o->skel = uscope_bpf__open_opts(oo);
	if (!o->skel) {
		err = -errno;
		err_msg("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	set_knobs(o, k);
	err = choose_programs(o, k);
	if (!err)
		err = size_maps(o, k);
	if (!err)
		err = bpf_obj_late__prepare(o->skel, k);
	if (err) {
		err_msg("cannot size the BPF maps: %s", strerror(-err));
		return err;
	}
	if (o->sleepable)
		libbpf_log_quiet(true);
	err = uscope_bpf__load(o->skel);
	libbpf_log_quiet(false);
	if (err && o->sleepable)
		return -EAGAIN;
	if (err)
		err_msg("cannot load the BPF programs: %s", strerror(-err));
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
	o->interval = k->latency && k->interval;
	o->sleepable = use_sleepable(k);
	o->by_max = k->by ? k->by->max : 0;
	o->stack_mode = k->stack_mode;
	o->stack_depth = k->stack_depth;
	err = open_and_load(o, k, &oo);
	if (err == -EAGAIN) {	/* no sleepable uprobes (before 6.0): the plain programs */
		uscope_bpf__destroy(o->skel);
		o->sleepable = false;
		warn_msg("the sleepable uprobe programs did not load (they need Linux 6.0): strings in pages the target has not touched yet read as unreadable");
		err = open_and_load(o, k, &oo);
	}
	if (err) {
		bpf_obj__free(o);
		return err;
	}
	err = context_maps__fill(o->skel, k->filter);
	if (err) {
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
	free(o->hist_total);
	free(o);
}

void bpf_obj__follow_handles(const struct bpf_obj *o, struct follow_handles *out)
{
	out->fork = o->skel->progs.follow_fork;
	out->exit = o->skel->progs.follow_exit;
	out->set_fd = bpf_map__fd(o->skel->maps.traced_tgids);
	out->cgroup_fd = bpf_map__fd(o->skel->maps.target_cgroup);
	out->stats_fd = bpf_map__fd(o->skel->maps.follow_stats);
}

void bpf_obj__late_handles(const struct bpf_obj *o, struct late_handles *out)
{
	bpf_obj_late__handles(o->skel, out);
}

void bpf_obj__attach_progs(const struct bpf_obj *o, struct attach_progs *out)
{
	int i;

	for (i = 0; i < 3; i++)
		out->prog[i] = prog_for(o, i);
	out->insn_ret = o->skel->progs.insn_return;
	out->usdt_specs_fd = bpf_map__fd(o->skel->maps.usdt_specs);
	out->usdt_ip_fd = bpf_map__fd(o->skel->maps.usdt_ip_cookies);
	out->ip_sites_fd = bpf_map__fd(o->skel->maps.ip_sites);
}

void bpf_obj__stop(struct bpf_obj *o)
{
	__atomic_store_n(&o->skel->data_stop->stopped, 1, __ATOMIC_SEQ_CST);
}

int bpf_obj__events_fd(const struct bpf_obj *o)
{
	return o->events || o->stack_mode ? bpf_map__fd(o->skel->maps.events) : -1;
}

int bpf_obj__stack_counts(const struct bpf_obj *o, bpf_stack_fn fn, void *arg)
{
	return bpf_obj_stacks__counts(o->skel, o->stack_depth, fn, arg);
}

int bpf_obj__stack_hists(const struct bpf_obj *o, bpf_stack_hist_fn fn, void *arg)
{
	return bpf_obj_stacks__hists(o->skel, o->stack_depth, fn, arg);
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

int bpf_obj__pairing(const struct bpf_obj *o, uint64_t *out)
{
	return sum_percpu(bpf_map__fd(o->skel->maps.unpaired), out, USCOPE_PAIR_NSTATS, 1);
}

int bpf_obj__by_rows(const struct bpf_obj *o, struct by_row **rows, size_t *n)
{
	return context_maps__by_rows(o->skel, o->by_max, rows, n);
}

int bpf_obj__by_read(const struct bpf_obj *o, struct by_row *rows, size_t cap, size_t *n)
{
	return context_maps__by_read(o->skel, rows, cap < o->by_max ? cap : o->by_max, n);
}

uint64_t *bpf_obj__vhists(const struct bpf_obj *o)
{
	size_t n = o->plan->nsites * USCOPE_VHIST_BUCKETS;
	uint64_t *out = calloc(n + 1, sizeof(*out));

	if (out && sum_percpu(bpf_map__fd(o->skel->maps.vhists), out, o->plan->nsites, USCOPE_VHIST_BUCKETS)) {
		free(out);
		return NULL;
	}
	return out;
}

int bpf_obj__by_lat(struct bpf_obj *o, bool interval, struct by_row **rows, size_t *n)
{
	uint32_t old = o->skel->bss->hist_half & 1;
	struct timespec ts = { 0, 5000000 };

	if (!interval)
		return context_maps__by_lat_rows(o->skel, o->by_max, -1, rows, n);
	/* As bpf_obj__hists_interval: programs still on the old half finish within 5 ms. */
	__atomic_store_n(&o->skel->bss->hist_half, old ^ 1, __ATOMIC_SEQ_CST);
	nanosleep(&ts, NULL);
	return context_maps__by_lat_rows(o->skel, o->by_max, (int)old, rows, n);
}

int bpf_obj__by_lat_read(const struct bpf_obj *o, struct by_row *rows, size_t cap, size_t *n)
{
	return context_maps__by_lat_read(o->skel, -1, rows, cap < o->by_max ? cap : o->by_max, n);
}

int bpf_obj__by_stacks(const struct bpf_obj *o, bpf_by_stack_fn fn, void *arg)
{
	return context_maps__by_stacks(o->skel, o->stack_depth, fn, arg);
}

uint64_t bpf_obj__by_dropped(const struct bpf_obj *o)
{
	return context_maps__by_dropped(o->skel);
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

/* Histograms of slots [FIRST, FIRST + nslots) summed over CPUs into OUT; ZERO: then clear them. */
static int read_hists(const struct bpf_obj *o, uint32_t first, struct uscope_hist *out, bool zero)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(o->skel->maps.hists), c;
	struct uscope_hist *vals;
	uint32_t k;

	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < o->plan->nslots; k++) {
		uint32_t key = first + k;

		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			hist_add(&out[k], &vals[c]);
		if (zero) {
			memset(vals, 0, ncpu * sizeof(*vals));
			bpf_map_update_elem(fd, &key, vals, BPF_ANY);
		}
	}
	free(vals);
	return 0;
}

struct uscope_hist *bpf_obj__hists(struct bpf_obj *o)
{
	size_t nslots = o->plan->nslots, k;
	struct uscope_hist *out = calloc(nslots + 1, sizeof(*out));
	uint32_t half = o->skel->bss->hist_half & 1;

	if (!out || read_hists(o, o->interval ? half * nslots : 0, out, false)) {
		free(out);
		return NULL;
	}
	for (k = 0; o->hist_total && k < nslots; k++)
		hist_add(&out[k], &o->hist_total[k]);
	return out;
}

/*
 * Flip the half BPF writes to, give programs still running on the old half
 * time to finish (a uprobe program runs for microseconds; 5 ms is ample),
 * then read and zero the old half: exact histograms of the interval.
 */
struct uscope_hist *bpf_obj__hists_interval(struct bpf_obj *o)
{
	size_t nslots = o->plan->nslots, k;
	struct uscope_hist *out = calloc(nslots + 1, sizeof(*out));
	uint32_t old = o->skel->bss->hist_half & 1;
	struct timespec ts = { 0, 5000000 };

	if (!o->hist_total)
		o->hist_total = calloc(nslots + 1, sizeof(*o->hist_total));
	if (!out || !o->hist_total || !o->interval) {
		free(out);
		return NULL;
	}
	__atomic_store_n(&o->skel->bss->hist_half, old ^ 1, __ATOMIC_SEQ_CST);
	nanosleep(&ts, NULL);
	if (read_hists(o, old * nslots, out, true)) {
		free(out);
		return NULL;
	}
	for (k = 0; k < nslots; k++)
		hist_add(&o->hist_total[k], &out[k]);
	return out;
}

/*
 * --metrics reads the maps at every scrape: one reader with buffers sized
 * once, and BPF_MAP_LOOKUP_BATCH (Linux 5.6+) instead of one lookup per key
 * (10,000 sites: a handful of syscalls instead of 10,000).
 */
#define READER_BATCH_BYTES (256u << 10)	/* one batch worth of per-CPU values */

struct bpf_obj_reader {
	const struct bpf_obj *o;
	int ncpu;
	void *vals;
	uint32_t *keys;		/* as many as the smallest values (one u64 per CPU) fill VALS with */
};

struct bpf_obj_reader *bpf_obj__reader_new(const struct bpf_obj *o)
{
	struct bpf_obj_reader *r = calloc(1, sizeof(*r));
	int ncpu = libbpf_num_possible_cpus();

	if (!r || ncpu <= 0 || sizeof(struct uscope_hist) * ncpu > READER_BATCH_BYTES) {
		free(r);
		return NULL;
	}
	r->o = o;
	r->ncpu = ncpu;
	r->vals = malloc(READER_BATCH_BYTES);
	r->keys = calloc(READER_BATCH_BYTES / (sizeof(uint64_t) * ncpu) + 1, sizeof(*r->keys));
	if (!r->vals || !r->keys) {
		bpf_obj__reader_free(r);
		return NULL;
	}
	return r;
}

void bpf_obj__reader_free(struct bpf_obj_reader *r)
{
	if (!r)
		return;
	free(r->vals);
	free(r->keys);
	free(r);
}

/* Call ADD(out, key, values of every CPU) for the keys [0, N) of per-CPU array FD, VSIZE bytes a value. */
static int read_batched(struct bpf_obj_reader *r, int fd, uint32_t n, size_t vsize, void *out,
			void (*add)(void *out, uint32_t key, const void *vals, int ncpu))
{
	uint32_t chunk = READER_BATCH_BYTES / (vsize * r->ncpu), in = 0, next = 0, cnt, k;
	bool first = true;
	int err = 0;

	while (n && err != -ENOENT) {
		cnt = chunk;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &next, r->keys, r->vals, &cnt, NULL);
		if (err && err != -ENOENT)
			return err;
		for (k = 0; k < cnt; k++)
			if (r->keys[k] < n)
				add(out, r->keys[k], (const char *)r->vals + (size_t)k * vsize * r->ncpu, r->ncpu);
		in = next;
		first = false;
	}
	return 0;
}

static void add_u64(void *out, uint32_t key, const void *vals, int ncpu)
{
	const uint64_t *v = vals;
	int c;

	for (c = 0; c < ncpu; c++)
		((uint64_t *)out)[key] += v[c];
}

static void add_hist(void *out, uint32_t key, const void *vals, int ncpu)
{
	const struct uscope_hist *v = vals;
	int c;

	for (c = 0; c < ncpu; c++)
		hist_add(&((struct uscope_hist *)out)[key], &v[c]);
}

static int read_u64s(struct bpf_obj_reader *r, struct bpf_map *map, uint32_t n, uint64_t *out)
{
	memset(out, 0, (size_t)n * sizeof(*out));
	return read_batched(r, bpf_map__fd(map), n, sizeof(uint64_t), out, add_u64);
}

int bpf_obj__read_counts(struct bpf_obj_reader *r, uint64_t *out)
{
	return read_u64s(r, r->o->skel->maps.counts, r->o->plan->nsites, out);
}

int bpf_obj__read_totals(struct bpf_obj_reader *r, uint64_t *scratch, uint64_t *lost, uint64_t *unpaired)
{
	size_t i, n = r->o->plan->nsites;
	int err = read_u64s(r, r->o->skel->maps.drops, n, scratch);

	for (*lost = 0, i = 0; !err && i < n; i++)
		*lost += scratch[i];
	if (!err)
		err = read_u64s(r, r->o->skel->maps.unpaired, 1, unpaired);
	return err;
}

int bpf_obj__read_hists(struct bpf_obj_reader *r, struct uscope_hist *out)
{
	size_t n = r->o->plan->nslots;

	memset(out, 0, n * sizeof(*out));
	return read_batched(r, bpf_map__fd(r->o->skel->maps.hists), n, sizeof(struct uscope_hist), out, add_hist);
}
