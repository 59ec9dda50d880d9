// SPDX-License-Identifier: BSD-2-Clause
/*
 * metrics_by: which series does `--metrics --by KEY,...` expose?
 * (See metrics_by.h.) With --count a row of the key table becomes one
 * series of uscope_probe_hits_total: its site's labels, then one label per
 * key. With --latency the rows of one (function, key), one a log2 bucket,
 * become one uscope_probe_latency_seconds histogram: the function's labels,
 * then the keys. Rows are normalized as the text output does (a register's
 * garbage above a narrower C type folded away, rows that became one key
 * merged, by__normalize) and grouped as it does (by__groups), so a series'
 * value is the sum of the same rows every time and never drops: the table is
 * never cleared, and --metrics has no -i, so both latency halves are summed.
 * Hits that found the table full are not in any series: they are
 * uscope_by_dropped_total, and said on stderr once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf_obj.h"
#include "metrics_by.h"
#include "util.h"

void metrics_by__init(struct metrics_by *m, const struct by_spec *by)
{
	int k;

	memset(m, 0, sizeof(*m));
	m->by = by && by->nkeys ? by : NULL;
	for (k = 0; m->by && k < by->nkeys; k++) {
		const struct by_key *key = &by->keys[k];

		/* str(arg1) is not a label name: str_arg1. The rest are names already. */
		if (key->operand == USCOPE_OPND_STR)
			snprintf(m->names[k], sizeof(m->names[k]), "str_arg%d", key->arg);
		else
			snprintf(m->names[k], sizeof(m->names[k]), "%s", key->text);
	}
}

/* Room for N rows in every buffer (N at most --by-max). */
static int grow(struct metrics_by *m, size_t n)
{
	void *p;

#define GROW(field, count)                                            \
	do {                                                          \
		p = realloc(m->field, (count) * sizeof(*m->field));   \
		if (!p)                                               \
			return -ENOMEM;                               \
		m->field = p;                                         \
	} while (0)
	GROW(rows, n);
	GROW(sites, n);
	GROW(hits, n);
	GROW(labels, n * USCOPE_BY_KEYS);
	GROW(nums, n * USCOPE_BY_KEYS);
	if (m->by->latency) {	/* at most one histogram per row */
		GROW(groups, n);
		GROW(hists, n);
	}
#undef GROW
	m->cap = n;
	return 0;
}

/* Every row of the table: the buffers double until it fits (or reach --by-max). */
static int read_rows(struct metrics_by *m, const struct bpf_obj *obj, size_t *n)
{
	size_t max = m->by->max;
	int err;

	if (!m->cap && (err = grow(m, max < 64 ? max : 64)))
		return err;
	for (;;) {
		err = m->by->latency ? bpf_obj__by_lat_read(obj, m->rows, m->cap, n)
				     : bpf_obj__by_read(obj, m->rows, m->cap, n);
		if (err || *n < m->cap || m->cap >= max)
			return err;
		err = grow(m, m->cap * 2 < max ? m->cap * 2 : max);
		if (err)
			return err;
	}
}

/* Key K of row R (series I) as a label value: comm and str(argN) as strings, numbers signed where the site's are. */
static const char *key_value(struct metrics_by *m, struct by_row *r, size_t i, int k)
{
	const struct by_key *key = &m->by->keys[k];
	char *num = m->nums[i * USCOPE_BY_KEYS + k];
	uint64_t v = r->key.v[k];

	if (key->operand == USCOPE_OPND_COMM) {
		r->key.comm[USCOPE_COMM_LEN - 1] = '\0';
		return r->key.comm;
	}
	if (key->operand == USCOPE_OPND_STR) {
		r->key.str[USCOPE_BY_STR_LEN - 1] = '\0';
		return r->key.str;
	}
	if (key->operand == USCOPE_OPND_RET || m->by->is_signed[r->key.site * USCOPE_BY_KEYS + k])
		snprintf(num, 24, "%lld", (long long)v);
	else
		snprintf(num, 24, "%llu", (unsigned long long)v);
	return num;
}

static void say_full(struct metrics_by *m, uint64_t dropped)
{
	if (!dropped || m->warned)
		return;
	m->warned = true;
	warn_msg("--metrics: the --by key table is full (--by-max %u): hits of new keys are counted in "
		 "uscope_by_dropped_total, not by key", m->by->max);
}

/* Series I: SITE's labels, then row R's keys. */
static void label_series(struct metrics_by *m, size_t i, const struct metrics_site *site, struct by_row *r)
{
	struct metrics_label *l = &m->labels[i * USCOPE_BY_KEYS];
	int k;

	for (k = 0; k < m->by->nkeys; k++)
		l[k] = (struct metrics_label){ m->names[k], key_value(m, r, i, k) };
	m->sites[i] = *site;
	m->sites[i].extra = l;
	m->sites[i].nextra = m->by->nkeys;
}

/* --latency: the N rows (sorted by key, then bucket) as one histogram per (function, key). */
static void read_hists(struct metrics_by *m, size_t n, const struct metrics_site *sites, size_t nsites,
		       struct metrics_snapshot *s)
{
	size_t i, kept = 0, ng;

	for (i = 0; i < n; i++)
		if (m->rows[i].key.site < nsites)
			m->rows[kept++] = m->rows[i];
	ng = by__groups(m->rows, kept, m->groups);
	for (i = 0; i < ng; i++) {
		label_series(m, i, &sites[m->rows[m->groups[i].first].key.site], &m->rows[m->groups[i].first]);
		by__group_latency(&m->groups[i], &m->hists[i]);
	}
	s->hist_sites = m->sites;
	s->hists = m->hists;
	s->nhists = ng;
}

int metrics_by__read(struct metrics_by *m, const struct bpf_obj *obj, const struct metrics_site *sites,
		     size_t nsites, struct metrics_snapshot *s)
{
	size_t n, i, kept = 0;
	int err;

	if (!m->by)
		return 0;
	err = read_rows(m, obj, &n);
	if (err)
		return err;
	n = by__normalize(m->by, m->rows, n);
	if (m->by->latency) {
		read_hists(m, n, sites, nsites, s);
	} else {
		for (i = 0; i < n; i++) {
			if (m->rows[i].key.site >= nsites)
				continue;
			label_series(m, kept, &sites[m->rows[i].key.site], &m->rows[i]);
			m->hits[kept++] = m->rows[i].count;
		}
		s->sites = m->sites;
		s->hits = m->hits;
		s->nsites = kept;
	}
	s->by = true;
	s->by_dropped = bpf_obj__by_dropped(obj);
	say_full(m, s->by_dropped);
	return 0;
}

void metrics_by__free(struct metrics_by *m)
{
	free(m->rows);
	free(m->sites);
	free(m->hits);
	free(m->labels);
	free(m->nums);
	free(m->groups);
	free(m->hists);
	memset(m, 0, sizeof(*m));
}
