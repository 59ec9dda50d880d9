// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope trace --metrics`: what happens at a scrape, and who owns the links.
 *
 * A scrape reads the BPF maps then and there (no attach, no thread): the
 * per-CPU arrays are read with BPF_MAP_LOOKUP_BATCH into buffers sized once
 * from the plan, summed over CPUs, and written by metrics_expo. Nothing a
 * scrape allocates grows with time (only the output buffer, up to the size
 * of one exposition). The counters are the BPF maps themselves, which live
 * as long as uscope and are indexed by site id; a re-attached file gets the
 * same site ids, so its counts continue where the old file's stopped.
 *
 * Without -p/-c the probes are system-wide on each file: every process that
 * runs it, now or after a restart, is counted. The agent then attaches one
 * binary at a time (attach__run_binary) and keeps each binary's links apart,
 * so that a file replaced under its path can be re-attached alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "metrics_agent.h"
#include "output.h"
#include "util.h"
#include "uscope.skel.h"

#define PERCPU_BATCH_BYTES (256u << 10)	/* one BPF_MAP_LOOKUP_BATCH worth of values */

static int render(void *ctx, enum metrics_format fmt, const char **body, size_t *len);

int metrics_agent__open(struct metrics_agent *a, const char *addr_text)
{
	struct metrics_addr addr;
	int err;

	memset(a, 0, sizeof(*a));
	err = metrics_addr__parse(addr_text, &addr);
	if (err)
		return err;
	return metrics_http__open(&addr, render, a, &a->http);
}

/*
 * Sum the per-CPU values of keys [0, N) of the per-CPU array FD, each WORDS
 * u64 wide, into OUT, in batches of whatever fits the preallocated buffer.
 */
static int read_percpu(struct metrics_agent *a, int fd, uint32_t n, size_t words, uint64_t *out)
{
	size_t stride = words * sizeof(uint64_t) * a->ncpu, w;
	uint32_t chunk = PERCPU_BATCH_BYTES / stride, in = 0, next = 0, cnt, k;
	const uint64_t *v;
	bool first = true;
	int err = 0, c;

	memset(out, 0, (size_t)n * words * sizeof(*out));
	while (n && err != -ENOENT) {
		cnt = chunk;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &next, a->keys, a->percpu, &cnt, NULL);
		if (err && err != -ENOENT)
			return err;
		for (k = 0; k < cnt; k++) {
			if (a->keys[k] >= n)
				continue;
			v = (const uint64_t *)((const char *)a->percpu + k * stride);
			for (c = 0; c < a->ncpu; c++)
				for (w = 0; w < words; w++)
					out[a->keys[k] * words + w] += v[c * words + w];
		}
		in = next;
		first = false;
	}
	return 0;
}

static int read_one(struct metrics_agent *a, struct bpf_map *map, uint32_t n, uint64_t *total)
{
	int err = read_percpu(a, bpf_map__fd(map), n, 1, a->hits);
	uint32_t i;

	*total = 0;
	for (i = 0; !err && i < n; i++)
		*total += a->hits[i];
	return err;
}

static int render(void *ctx, enum metrics_format fmt, const char **body, size_t *len)
{
	struct metrics_agent *a = ctx;
	const struct plan *p = a->plan;
	struct metrics_snapshot s = {
		.sites = a->sites, .hits = a->hits, .nsites = p->nsites, .hist_sites = a->hist_sites,
		.hists = a->hists, .nhists = p->latency ? p->nslots : 0, .version = USCOPE_VERSION,
		.attached = metrics_agent__probes(a),
	};
	int err;

	/* hits[] doubles as the scratch buffer of the single-total maps, so read them first. */
	err = read_one(a, a->skel->maps.drops, p->nsites, &s.lost);
	if (!err && p->latency)
		err = read_one(a, a->skel->maps.unpaired, 1, &s.unpaired);
	if (!err)
		err = read_percpu(a, bpf_map__fd(a->skel->maps.counts), p->nsites, 1, a->hits);
	/* min_ns / max_ns come out as sums: the exposition uses only buckets and sum_ns. */
	if (!err && s.nhists)
		err = read_percpu(a, bpf_map__fd(a->skel->maps.hists), p->nslots,
				  sizeof(struct uscope_hist) / sizeof(uint64_t), (uint64_t *)a->hists);
	if (!err)
		err = metrics_expo__write(&a->out, &s, fmt);
	if (err) {
		warn_msg("--metrics: cannot answer a scrape: %s", strerror(-err));
		return err;
	}
	*body = a->out.p;
	*len = a->out.len;
	return 0;
}

/* The labels of every site and histogram, and the scrape buffers: once, from the plan. */
static int alloc_snapshot(struct metrics_agent *a)
{
	const struct plan *p = a->plan;
	size_t n = p->nsites ? p->nsites : 1, nh = p->nslots ? p->nslots : 1, i;
	size_t maxw = p->latency ? sizeof(struct uscope_hist) : sizeof(uint64_t);

	a->ncpu = libbpf_num_possible_cpus();
	if (a->ncpu <= 0)
		return -EINVAL;
	a->sites = calloc(n, sizeof(*a->sites));
	a->hist_sites = calloc(nh, sizeof(*a->hist_sites));
	a->hits = calloc(n, sizeof(*a->hits));
	a->hists = calloc(nh, sizeof(*a->hists));
	a->percpu = malloc(PERCPU_BATCH_BYTES);
	/* as many keys as the smallest values (one u64 per CPU) fill the batch buffer with */
	a->keys = calloc(PERCPU_BATCH_BYTES / (sizeof(uint64_t) * a->ncpu) + 1, sizeof(*a->keys));
	if (!a->sites || !a->hist_sites || !a->hits || !a->hists || !a->percpu || !a->keys ||
	    maxw * a->ncpu > PERCPU_BATCH_BYTES)
		return -ENOMEM;
	for (i = 0; i < p->nsites; i++) {
		const struct site *s = &p->sites[i];

		/* --by labels (issue 12) go into .extra / .nextra here. */
		a->sites[i] = (struct metrics_site){ .binary = p->bins[s->bin].path, .probe = s->name,
						     .kind = site_kind_name(s->kind) };
		if (p->latency && s->kind == USCOPE_SITE_ENTRY && s->slot < p->nslots)
			a->hist_sites[s->slot] = (struct metrics_site){ .binary = a->sites[i].binary,
									.probe = s->name };
	}
	return 0;
}

uint64_t metrics_agent__probes(const struct metrics_agent *a)
{
	uint64_t n = a->links ? a->links->probes : 0;
	size_t i;

	for (i = 0; i < a->nbins; i++)
		n += a->bins[i].cur.probes + a->bins[i].prev.probes;
	return n;
}

/* System-wide: each binary's own links, its path watched. */
static int attach_each(struct metrics_agent *a, volatile sig_atomic_t *stop)
{
	size_t i;
	int err;

	a->bins = calloc(a->plan->nbins, sizeof(*a->bins));
	if (!a->bins)
		return -ENOMEM;
	a->nbins = a->plan->nbins;
	err = metrics_watch__open(&a->watch);
	for (i = 0; !err && i < a->nbins; i++) {
		if (*stop)
			return -EINTR;
		struct stat st;

		err = attach__run_binary(a->skel, a->plan, &a->cfg, i, true, &a->bins[i].cur);
		if (!err)
			err = metrics_watch__add(a->watch, a->plan->bins[i].open_path, i);
		if (!err && !stat(a->plan->bins[i].open_path, &st)) {
			a->bins[i].cur_dev = st.st_dev;
			a->bins[i].cur_ino = st.st_ino;
		}
	}
	return err;
}

int metrics_agent__attach(struct metrics_agent *a, struct uscope_bpf *skel, struct plan *plan,
			  const struct attach_cfg *cfg, volatile sig_atomic_t *stop, struct attach_state *links)
{
	int err;

	a->skel = skel;
	a->plan = plan;
	a->cfg = *cfg;
	err = alloc_snapshot(a);
	if (err) {
		err_msg("--metrics: out of memory");
		return err;
	}
	if (cfg->pid) {
		a->links = links;
		return attach__run(skel, plan, cfg, stop, links);
	}
	err = attach_each(a, stop);
	if (err) {
		metrics_agent__detach(a);
		return err;
	}
	memset(links, 0, sizeof(*links));
	links->mode = cfg->mode;
	links->probes = metrics_agent__probes(a);
	a->next_full_check = now_ns() + 1000000000ull;
	return 0;
}

void metrics_agent__fds(struct metrics_agent *a, struct pollfd *pfd, int *n)
{
	pfd[*n].fd = metrics_http__fd(a->http);
	pfd[(*n)++].events = POLLIN;
	if (a->watch) {
		pfd[*n].fd = metrics_watch__fd(a->watch);
		pfd[(*n)++].events = POLLIN;
	}
}

void metrics_agent__after_poll(struct metrics_agent *a)
{
	uint64_t now = now_ns();
	bool full = now >= a->next_full_check;
	size_t tries;
	int id;

	if (a->watch) {
		/* Each re-attach accepts or refuses the new file; a file that vanished meanwhile waits. */
		for (tries = 0; tries < a->nbins && (id = metrics_watch__next(a->watch, full)) >= 0; tries++)
			metrics_agent__reattach(a, id);
		if (now >= a->next_full_check)
			a->next_full_check = now + 1000000000ull;
	}
	metrics_http__run(a->http);
}

void metrics_agent__detach(struct metrics_agent *a)
{
	size_t i;

	for (i = 0; i < a->nbins; i++) {
		attach__destroy(&a->bins[i].cur);
		attach__destroy(&a->bins[i].prev);
		a->bins[i].cur.probes = a->bins[i].prev.probes = 0;
	}
}

void metrics_agent__close(struct metrics_agent *a)
{
	metrics_agent__detach(a);
	metrics_http__close(a->http);
	metrics_watch__close(a->watch);
	free(a->bins);
	free(a->sites);
	free(a->hist_sites);
	free(a->hits);
	free(a->hists);
	free(a->percpu);
	free(a->keys);
	metrics_buf__free(&a->out);
	memset(a, 0, sizeof(*a));
}
