/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_by: which series does `--metrics --by KEY,...` expose?
 * With --count one uscope_probe_hits_total series per row of the BPF key
 * table; with --latency one uscope_probe_latency_seconds histogram per
 * (function, key), from its bucket rows. The keys are labels (pid, tid,
 * uid, comm, argN, ret; str(argN) as str_argN), read at scrape time. The buffers grow with the rows the table holds, never
 * past --by-max (the table's size), so a scrape allocates nothing once the
 * table stops growing; the table is never cleared, so the counters only grow.
 */
#ifndef USCOPE_METRICS_BY_H
#define USCOPE_METRICS_BY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "by.h"
#include "metrics_expo.h"

struct bpf_obj;

struct metrics_by {
	const struct by_spec *by;	/* NULL or no keys: no --by */
	char names[USCOPE_BY_KEYS][24];	/* the label name of each key */
	struct by_row *rows;
	struct metrics_site *sites;
	uint64_t *hits;
	struct metrics_label *labels;	/* [row * USCOPE_BY_KEYS + key] */
	char (*nums)[24];		/* [row * USCOPE_BY_KEYS + key]: numeric values as text */
	struct by_group *groups;	/* --latency: each (function, key)'s run of bucket rows */
	struct uscope_hist *hists;	/* --latency: their histograms */
	size_t cap;			/* rows the buffers hold */
	bool warned;			/* the full table was said on stderr */
};

/* Label names from BY (may be NULL or have no keys: nothing to do). */
void metrics_by__init(struct metrics_by *m, const struct by_spec *by);

/*
 * Read the key table into S's hit series (S->sites, hits, nsites; SITES:
 * each site's labels) or, with --latency, its histograms (S->hist_sites,
 * hists, nhists; SITES: each entry site's histogram labels, by site id),
 * and S->by / S->by_dropped. Says once on
 * stderr when the table was first found full. 0 or a negative errno.
 */
int metrics_by__read(struct metrics_by *m, const struct bpf_obj *obj, const struct metrics_site *sites,
		     size_t nsites, struct metrics_snapshot *s);

void metrics_by__free(struct metrics_by *m);

#endif
