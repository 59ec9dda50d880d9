// SPDX-License-Identifier: BSD-2-Clause
/*
 * `uscope trace --metrics`: what happens at a scrape, and who owns the links.
 *
 * A scrape reads the BPF maps then and there (no attach, no thread) with the
 * BPF-object room's batched readers into buffers sized once from the plan,
 * and metrics_expo (a sink of the output room) writes the exposition. Nothing a
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
#include "bpf_obj.h"
#include "metrics_agent.h"
#include "util.h"

static int render(void *ctx, enum metrics_format fmt, struct metrics_buf *out);

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

static int render(void *ctx, enum metrics_format fmt, struct metrics_buf *out)
{
	struct metrics_agent *a = ctx;
	const struct plan *p = a->plan;
	struct metrics_snapshot s = {
		.sites = a->sites, .hits = a->hits, .nsites = p->nsites, .hist_sites = a->hist_sites,
		.hists = a->hists, .nhists = p->latency ? p->nslots : 0, .version = USCOPE_VERSION,
		.attached = a->probes,
	};
	int err;

	/* hits[] doubles as the scratch buffer of the totals, so read them first. */
	err = bpf_obj__read_totals(a->reader, a->hits, &s.lost, &s.unpaired);
	if (!err)
		err = bpf_obj__read_counts(a->reader, a->hits);
	/* --latency --by: the histograms are the key table's (by_hist_sites: each entry site's labels). */
	if (!err && s.nhists && !a->by.by)
		err = bpf_obj__read_hists(a->reader, a->hists);
	if (!err)
		err = metrics_by__read(&a->by, a->obj, a->by_hist_sites ? a->by_hist_sites : a->sites, p->nsites,
				       &s);
	if (!err)
		err = metrics_expo__write(out, &s, fmt);
	if (err) {
		warn_msg("--metrics: cannot answer a scrape: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * --latency --by: a keyed row names its function by the entry site's id, so
 * each entry site gets its function's histogram labels (prebuilt with the
 * unkeyed ones: a scrape escapes only the keys).
 */
static int by_hist_sites(struct metrics_agent *a)
{
	const struct plan *p = a->plan;
	size_t i;

	a->by_hist_sites = calloc(p->nsites ? p->nsites : 1, sizeof(*a->by_hist_sites));
	if (!a->by_hist_sites)
		return -ENOMEM;
	for (i = 0; i < p->nsites; i++)
		if (p->sites[i].kind == USCOPE_SITE_ENTRY && p->sites[i].slot < p->nslots)
			a->by_hist_sites[i] = a->hist_sites[p->sites[i].slot];
	return 0;
}

/* The labels of every site and histogram, and the scrape buffers: once, from the plan. */
static int alloc_snapshot(struct metrics_agent *a, const struct bpf_obj *obj)
{
	const struct plan *p = a->plan;
	size_t n = p->nsites ? p->nsites : 1, nh = p->nslots ? p->nslots : 1, i;

	a->reader = bpf_obj__reader_new(obj);
	a->sites = calloc(n, sizeof(*a->sites));
	a->hist_sites = calloc(nh, sizeof(*a->hist_sites));
	a->hits = calloc(n, sizeof(*a->hits));
	a->hists = calloc(nh, sizeof(*a->hists));
	if (!a->reader || !a->sites || !a->hist_sites || !a->hits || !a->hists)
		return -ENOMEM;
	for (i = 0; i < p->nsites; i++) {
		const struct site *s = &p->sites[i];

		a->sites[i] = (struct metrics_site){ .binary = plan__bin(p, s->bin)->path, .probe = s->name,
						     .kind = site_kind_name(s->kind) };
		if (p->latency && s->kind == USCOPE_SITE_ENTRY && s->slot < p->nslots)
			a->hist_sites[s->slot] = (struct metrics_site){ .binary = a->sites[i].binary,
									.probe = s->name };
	}
	/* Escaped once here, copied at every scrape. */
	if (metrics_expo__prebuild(&a->site_labels, a->sites, p->nsites) ||
	    metrics_expo__prebuild(&a->hist_labels, a->hist_sites, p->latency ? p->nslots : 0))
		return -ENOMEM;
	return a->by.by && p->latency ? by_hist_sites(a) : 0;
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

	a->bins = calloc(a->plan->bins->n, sizeof(*a->bins));
	if (!a->bins)
		return -ENOMEM;
	a->nbins = a->plan->bins->n;
	err = metrics_watch__open(&a->watch);
	for (i = 0; !err && i < a->nbins; i++) {
		if (*stop)
			return -EINTR;
		const char *path = plan__bin(a->plan, i)->open_path;
		struct stat st;

		err = attach__run_binary(a->progs, a->plan, &a->cfg, i, true, &a->bins[i].cur);
		if (!err)
			err = metrics_watch__add(a->watch, path, i);
		if (!err && !stat(path, &st)) {
			a->bins[i].cur_dev = st.st_dev;
			a->bins[i].cur_ino = st.st_ino;
		}
	}
	return err;
}

int metrics_agent__prepare(struct metrics_agent *a, const struct bpf_obj *obj, struct plan *plan,
			   const struct by_spec *by)
{
	a->plan = plan;
	a->obj = obj;
	metrics_by__init(&a->by, by);
	if (alloc_snapshot(a, obj)) {
		err_msg("--metrics: out of memory");
		return -ENOMEM;
	}
	return 0;
}

int metrics_agent__attach(struct metrics_agent *a, const struct attach_progs *progs, struct plan *plan,
			  const struct attach_cfg *cfg, volatile sig_atomic_t *stop, struct attach_state *links)
{
	int err;

	a->progs = progs;
	a->plan = plan;
	a->cfg = *cfg;
	if (cfg->pid) {
		a->links = links;
		return attach__run(progs, plan, cfg, stop, links);
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

int metrics_agent__watch_fd(const struct metrics_agent *a)
{
	return a->watch ? metrics_watch__fd(a->watch) : -1;
}

bool metrics_agent__watch(struct metrics_agent *a)
{
	uint64_t now = now_ns();
	bool full = now >= a->next_full_check;
	size_t tries;
	int id;

	if (!a->watch)
		return false;
	/* Each re-attach accepts or refuses the new file; a file that vanished meanwhile waits. */
	for (tries = 0; tries < a->nbins && (id = metrics_watch__next(a->watch, full)) >= 0; tries++)
		metrics_agent__reattach(a, id);
	if (full)
		a->next_full_check = now + 1000000000ull;
	return tries > 0;
}

void metrics_agent__fds(struct metrics_agent *a, struct pollfd *pfd, int *n)
{
	pfd[*n].fd = metrics_http__fd(a->http);
	pfd[(*n)++].events = POLLIN;
}

void metrics_agent__after_poll(struct metrics_agent *a)
{
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
	free(a->by_hist_sites);
	free(a->hits);
	free(a->hists);
	bpf_obj__reader_free(a->reader);
	metrics_by__free(&a->by);
	metrics_buf__free(&a->site_labels);
	metrics_buf__free(&a->hist_labels);
	memset(a, 0, sizeof(*a));
}
