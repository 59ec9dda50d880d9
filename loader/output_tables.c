// SPDX-License-Identifier: BSD-2-Clause
/*
 * Count tables and --latency histograms, text or JSON: the busiest first,
 * ties by site id, so two runs with the same counts print the same table.
 */
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "util.h"

struct count_row {
	uint64_t count;
	uint32_t site;
};

static int by_count_desc(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->site < y->site ? -1 : x->site > y->site;
}

void output__counts(struct output *o, const uint64_t *counts, size_t top)
{
	const struct plan *p = o->plan;
	struct count_row *rows = malloc((p->nsites + 1) * sizeof(*rows));
	size_t i, n = 0, w = 5;

	if (!rows) {
		err_msg("out of memory");
		return;
	}
	for (i = 0; i < p->nsites; i++) {
		if (!counts[i])
			continue;
		rows[n].count = counts[i];
		rows[n++].site = i;
		if (strlen(p->sites[i].name) > w)
			w = strlen(p->sites[i].name);
	}
	qsort(rows, n, sizeof(*rows), by_count_desc);
	if (top && n > top)
		n = top;
	if (!o->json)
		fprintf(o->f, "%-*s %-6s %12s\n", (int)w, "PROBE", "KIND", "COUNT");
	for (i = 0; i < n; i++) {
		const struct site *s = &p->sites[rows[i].site];

		if (o->json) {
			fputs("{\"probe\": ", o->f);
			json_string(o->f, s->name);
			fprintf(o->f, ", \"kind\": \"%s\", \"count\": %llu", site_kind_name(s->kind),
				(unsigned long long)rows[i].count);
			if (p->bins->n > 1) {
				fputs(", \"binary\": ", o->f);
				json_string(o->f, plan__bin(p, s->bin)->path);
			}
			fputs("}\n", o->f);
		} else {
			fprintf(o->f, "%-*s %-6s %12llu\n", (int)w, s->name, site_kind_name(s->kind),
				(unsigned long long)rows[i].count);
		}
	}
	free(rows);
}

/* "[1.0ms, 2.1ms)"-style bucket bounds, like bpftrace's hist() but in time units. */
static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
}

/* Upper bound of the bucket holding the Q-quantile: an estimate at log2 resolution. */
static uint64_t quantile_le(const struct uscope_hist *h, double q)
{
	uint64_t want = (uint64_t)(q * h->count + 0.999999), seen = 0;
	int b;

	for (b = 0; b < USCOPE_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= want && seen)
			return b >= 63 ? UINT64_MAX : (2ull << b) - 1;
	}
	return h->max_ns;
}

static void hist_text(struct output *o, const char *name, const char *label, const struct uscope_hist *h)
{
	char lo[32], hi[32], mn[32], av[32], mx[32], p50[32], p99[32];
	uint64_t peak = 0;
	int b, first = -1, last = -1;

	for (b = 0; b < USCOPE_HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		if (first < 0)
			first = b;
		last = b;
		if (h->buckets[b] > peak)
			peak = h->buckets[b];
	}
	fmt_ns(mn, sizeof(mn), h->min_ns);
	fmt_ns(av, sizeof(av), h->sum_ns / h->count);
	fmt_ns(mx, sizeof(mx), h->max_ns);
	fmt_ns(p50, sizeof(p50), quantile_le(h, 0.50));
	fmt_ns(p99, sizeof(p99), quantile_le(h, 0.99));
	fprintf(o->f, "%s%s%s: count %llu, min %s, avg %s, max %s, p50 <= %s, p99 <= %s\n", name, label ? " " : "",
		label ? label : "", (unsigned long long)h->count, mn, av, mx, p50, p99);
	for (b = first; b >= 0 && b <= last; b++) {
		int bar = peak ? (int)((h->buckets[b] * 40 + peak - 1) / peak) : 0;

		fmt_ns(lo, sizeof(lo), 1ull << b);
		fmt_ns(hi, sizeof(hi), 2ull << b);
		fprintf(o->f, "  [%7s, %7s) %10llu |%-40.*s|\n", lo, hi, (unsigned long long)h->buckets[b],
			bar, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	}
	fputc('\n', o->f);
}

static void hist_json(struct output *o, const char *name, const char *by, const struct uscope_hist *h)
{
	int b, n = 0;

	fputs("{\"probe\": ", o->f);
	json_string(o->f, name);
	if (by)
		fprintf(o->f, ", \"by\": {%s}", by);
	fprintf(o->f, ", \"kind\": \"latency\", \"count\": %llu, \"sum_ns\": %llu, \"min_ns\": %llu, "
		"\"max_ns\": %llu, \"buckets\": [",
		(unsigned long long)h->count, (unsigned long long)h->sum_ns, (unsigned long long)h->min_ns,
		(unsigned long long)h->max_ns);
	for (b = 0; b < USCOPE_HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		fprintf(o->f, "%s{\"ge_ns\": %llu, \"le_ns\": %llu, \"count\": %llu}", n++ ? ", " : "",
			(unsigned long long)(b ? 1ull << b : 0),
			(unsigned long long)(b >= 63 ? UINT64_MAX : (2ull << b) - 1),
			(unsigned long long)h->buckets[b]);
	}
	fputs("]}\n", o->f);
}

void output__hist(struct output *o, const char *name, const char *label, const char *by_json,
		  const struct uscope_hist *h)
{
	if (o->json)
		hist_json(o, name, by_json, h);
	else
		hist_text(o, name, label, h);
}

static const struct uscope_hist *sort_hists;

static int by_hist_count_desc(const void *a, const void *b)
{
	uint64_t x = sort_hists[*(const uint32_t *)a].count, y = sort_hists[*(const uint32_t *)b].count;

	return x < y ? 1 : x > y ? -1 : 0;
}

void output__hists(struct output *o, const struct uscope_hist *hists, size_t top)
{
	uint32_t *order = malloc((o->plan->nslots + 1) * sizeof(*order));
	const char **names = calloc(o->plan->nslots + 1, sizeof(*names));
	size_t i, n = 0;

	if (!order || !names) {
		free(order);
		free(names);
		err_msg("out of memory");
		return;
	}
	for (i = 0; i < o->plan->nsites; i++)
		if (o->plan->sites[i].kind == USCOPE_SITE_ENTRY && o->plan->sites[i].slot < o->plan->nslots)
			names[o->plan->sites[i].slot] = o->plan->sites[i].name;
	for (i = 0; i < o->plan->nslots; i++)
		if (hists[i].count)
			order[n++] = i;
	sort_hists = hists;
	qsort(order, n, sizeof(*order), by_hist_count_desc);
	if (top && n > top)
		n = top;
	for (i = 0; i < n; i++) {
		const char *name = names[order[i]] ? names[order[i]] : "?";

		output__hist(o, name, NULL, NULL, &hists[order[i]]);
	}
	free(order);
	free(names);
}
