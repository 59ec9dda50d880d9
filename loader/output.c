// SPDX-License-Identifier: BSD-2-Clause
/*
 * Formats what the BPF side reported. Text is for people (one event per
 * line, aligned columns); JSON Lines is for programs, with every integer a
 * JSON number. Function arguments print unsigned (their C types are not in
 * the binary), return values signed, USDT arguments as their note's spec
 * says (a leading '-' in the size marks a signed argument).
 */
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "util.h"

const char *site_kind_name(int kind)
{
	static const char *names[] = { "entry", "return", "usdt" };

	return kind >= 0 && kind < 3 ? names[kind] : "?";
}

static bool usdt_arg_signed(const struct plan *plan, const struct site *s, int i)
{
	const struct usdt_note *n;

	if (!s->nlocs)
		return true;
	n = plan->locs[s->first_loc].note;
	return i < n->nargs ? n->args[i].is_signed : true;
}

static void print_value(struct output *o, uint64_t v, bool is_signed)
{
	if (o->hex && !o->json)
		fprintf(o->f, "0x%llx", (unsigned long long)v);
	else if (is_signed)
		fprintf(o->f, "%lld", (long long)v);
	else
		fprintf(o->f, "%llu", (unsigned long long)v);
}

static void print_args(struct output *o, const struct site *s, const struct uscope_event *e,
		       const char *open, const char *close)
{
	int i, n = e->nargs < USCOPE_MAX_ARGS ? e->nargs : USCOPE_MAX_ARGS;

	fputs(open, o->f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", o->f);
		if (s->kind == USCOPE_SITE_USDT && e->bad_args & (1u << i)) {
			fputs(o->json ? "null" : "?", o->f);	/* unreadable: usdt_read.bpf.h */
			continue;
		}
		print_value(o, e->args[i], s->kind == USCOPE_SITE_USDT && usdt_arg_signed(o->plan, s, i));
	}
	fputs(close, o->f);
}

/* The --str argument, NUL-terminated whatever BPF read. */
static const char *event_str(const struct uscope_event *e)
{
	static char buf[USCOPE_STR_LEN + 1];

	memcpy(buf, e->str, USCOPE_STR_LEN);
	buf[USCOPE_STR_LEN] = 0;
	return buf;
}

static void event_json(struct output *o, const struct site *s, const struct uscope_event *e)
{
	char comm[USCOPE_COMM_LEN + 1];

	memcpy(comm, e->comm, USCOPE_COMM_LEN);
	comm[USCOPE_COMM_LEN] = 0;
	fprintf(o->f, "{\"time_ns\": %llu, \"pid\": %u, \"tid\": %u, \"comm\": ",
		(unsigned long long)e->time_ns, e->pid, e->tid);
	json_string(o->f, comm);
	fputs(", \"probe\": ", o->f);
	json_string(o->f, s->name);
	fprintf(o->f, ", \"kind\": \"%s\"", site_kind_name(s->kind));
	if (o->plan->nbins > 1) {
		fputs(", \"binary\": ", o->f);
		json_string(o->f, o->plan->bins[s->bin].path);
	}
	if (s->kind == USCOPE_SITE_RETURN) {
		fputs(", \"ret\": ", o->f);
		print_value(o, e->args[0], true);
	} else {
		print_args(o, s, e, ", \"args\": [", "]");
	}
	if (o->str_arg >= 0 && s->kind != USCOPE_SITE_RETURN) {
		fputs(", \"str\": ", o->f);
		json_string(o->f, event_str(e));
	}
	fputs("}\n", o->f);
}

void output__event(struct output *o, const struct uscope_event *e)
{
	char comm[USCOPE_COMM_LEN + 1];
	const struct site *s;

	if (e->site >= o->plan->nsites)
		return;		/* cannot happen: cookies are site ids */
	s = &o->plan->sites[e->site];
	if (o->json) {
		event_json(o, s, e);
		return;
	}
	if (!o->header_done) {
		fprintf(o->f, "%-11s %-7s %-7s %-15s %-6s %s\n", "TIME(s)", "PID", "TID", "COMM", "KIND",
			"EVENT");
		o->header_done = true;
	}
	memcpy(comm, e->comm, USCOPE_COMM_LEN);
	comm[USCOPE_COMM_LEN] = 0;
	fprintf(o->f, "%-11.6f %-7u %-7u %-15s %-6s %s", e->time_ns > o->t0_ns ? (e->time_ns - o->t0_ns) / 1e9 : 0.0,
		e->pid, e->tid, comm, site_kind_name(s->kind), s->name);
	if (s->kind == USCOPE_SITE_RETURN) {
		fputs(" = ", o->f);
		print_value(o, e->args[0], true);
	} else {
		print_args(o, s, e, "(", ")");
		if (o->str_arg >= 0) {
			fprintf(o->f, " arg%d=", o->str_arg);
			json_string(o->f, event_str(e));
		}
	}
	fputc('\n', o->f);
}

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
			if (p->nbins > 1) {
				fputs(", \"binary\": ", o->f);
				json_string(o->f, p->bins[s->bin].path);
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

static void hist_text(struct output *o, const char *name, const struct uscope_hist *h)
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
	fprintf(o->f, "%s: count %llu, min %s, avg %s, max %s, p50 <= %s, p99 <= %s\n", name,
		(unsigned long long)h->count, mn, av, mx, p50, p99);
	for (b = first; b >= 0 && b <= last; b++) {
		int bar = peak ? (int)((h->buckets[b] * 40 + peak - 1) / peak) : 0;

		fmt_ns(lo, sizeof(lo), 1ull << b);
		fmt_ns(hi, sizeof(hi), 2ull << b);
		fprintf(o->f, "  [%7s, %7s) %10llu |%-40.*s|\n", lo, hi, (unsigned long long)h->buckets[b],
			bar, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	}
	fputc('\n', o->f);
}

static void hist_json(struct output *o, const char *name, const struct uscope_hist *h)
{
	int b, n = 0;

	fputs("{\"probe\": ", o->f);
	json_string(o->f, name);
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

		if (o->json)
			hist_json(o, name, &hists[order[i]]);
		else
			hist_text(o, name, &hists[order[i]]);
	}
	free(order);
	free(names);
}
