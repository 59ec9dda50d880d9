// SPDX-License-Identifier: BSD-2-Clause
/*
 * output_hist: how is a value histogram shown? (The output room's part for
 * --hist / --lhist.)
 *
 * Drawn like the latency histograms, one per probe that was hit, busiest
 * first; each bucket with its closed integer bounds [lo, hi], an open side
 * where it has none (the linear under- and overflow, the log2 negatives).
 * JSON carries the same bounds as "ge" / "le" (absent when unbounded).
 */
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "output.h"
#include "util.h"

struct bounds {
	bool has_lo, has_hi;
	uint64_t lo, hi;	/* 64-bit patterns, signed when the value is */
};

static struct bounds bucket_bounds(const struct hist_spec *h, bool sgn, int b)
{
	struct bounds r = { true, true, 0, 0 };

	if (h->mode == USCOPE_VHIST_LINEAR) {
		if (b == 0) {
			r.has_lo = false;
			r.hi = h->min - 1;
		} else if ((uint32_t)b == h->steps + 1) {
			r.has_hi = false;
			r.lo = h->max;
		} else {
			r.lo = h->min + (uint64_t)(b - 1) * h->step;
			r.hi = r.lo + h->step - 1;
		}
		return r;
	}
	if (b > 64) {		/* past the log2 buckets: never filled by BPF, no bounds */
		r.has_lo = r.has_hi = false;
		return r;
	}
	if (b == 64) {		/* the top bit set */
		r.has_lo = !sgn;
		r.lo = 1ull << 63;
		r.hi = sgn ? (uint64_t)-1 : UINT64_MAX;
		return r;
	}
	r.lo = b ? 1ull << (b - 1) : 0;
	r.hi = b ? (1ull << (b - 1)) * 2 - 1 : 0;
	return r;
}

static void fmt(char *buf, size_t len, uint64_t v, bool sgn)
{
	if (sgn)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static uint64_t total(const uint64_t *b)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < USCOPE_VHIST_BUCKETS; i++)
		t += b[i];
	return t;
}

static void draw_text(struct output *o, const struct hist_spec *h, const struct site *s, bool sgn,
		      const uint64_t *b, const char *label)
{
	uint64_t peak = 0;
	int i, first = -1, last = -1;
	char lo[32], hi[32], range[80];

	for (i = 0; i < USCOPE_VHIST_BUCKETS; i++) {
		if (!b[i])
			continue;
		first = first < 0 ? i : first;
		last = i;
		peak = b[i] > peak ? b[i] : peak;
	}
	fprintf(o->f, "%s (%s)%s%s %s: count %llu\n", s->name, site_kind_name(s->kind), label ? " " : "",
		label ? label : "", h->text, (unsigned long long)total(b));
	for (i = first; i >= 0 && i <= last; i++) {
		struct bounds r = bucket_bounds(h, sgn, i);
		int bar = peak ? (int)((b[i] * 40 + peak - 1) / peak) : 0;

		if (h->mode == USCOPE_VHIST_LOG2 && i == 64 && !b[i])
			continue;
		fmt(lo, sizeof(lo), r.lo, sgn);
		fmt(hi, sizeof(hi), r.hi, sgn);
		snprintf(range, sizeof(range), "%s%s, %s%s", r.has_lo ? "[" : "(", r.has_lo ? lo : "-inf",
			 r.has_hi ? hi : "+inf", r.has_hi ? "]" : ")");
		fprintf(o->f, "  %-24s %10llu |%-40.*s|\n", range, (unsigned long long)b[i], bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	}
	fputc('\n', o->f);
}

static void draw_json(struct output *o, const struct hist_spec *h, const struct site *s, bool sgn,
		      const uint64_t *b, const char *by)
{
	char v[32];
	int i, n = 0;

	fputs("{\"probe\": ", o->f);
	json_string(o->f, s->name);
	if (by)
		fprintf(o->f, ", \"by\": {%s}", by);
	fprintf(o->f, ", \"kind\": \"%s\", \"hist\": ", site_kind_name(s->kind));
	json_string(o->f, h->text);
	fprintf(o->f, ", \"count\": %llu, \"buckets\": [", (unsigned long long)total(b));
	for (i = 0; i < USCOPE_VHIST_BUCKETS; i++) {
		struct bounds r = bucket_bounds(h, sgn, i);

		if (!b[i])
			continue;
		fputs(n++ ? ", {" : "{", o->f);
		if (r.has_lo) {
			fmt(v, sizeof(v), r.lo, sgn);
			fprintf(o->f, "\"ge\": %s, ", v);
		}
		if (r.has_hi) {
			fmt(v, sizeof(v), r.hi, sgn);
			fprintf(o->f, "\"le\": %s, ", v);
		}
		fprintf(o->f, "\"count\": %llu}", (unsigned long long)b[i]);
	}
	fputs("]}\n", o->f);
}

void output__vhist(struct output *o, const struct hist_spec *h, uint32_t site, const uint64_t *buckets,
		   const char *label, const char *by_json)
{
	if (o->json)
		draw_json(o, h, &o->plan->sites[site], h->site_signed[site], buckets, by_json);
	else
		draw_text(o, h, &o->plan->sites[site], h->site_signed[site], buckets, label);
}

static const uint64_t *sort_buckets;

static int by_total_desc(const void *a, const void *b)
{
	uint64_t x = total(sort_buckets + *(const uint32_t *)a * USCOPE_VHIST_BUCKETS);
	uint64_t y = total(sort_buckets + *(const uint32_t *)b * USCOPE_VHIST_BUCKETS);

	return x < y ? 1 : x > y ? -1 : 0;
}

void output__vhists(struct output *o, const struct hist_spec *h, const uint64_t *buckets, size_t top)
{
	uint32_t *order = malloc((o->plan->nsites + 1) * sizeof(*order));
	size_t i, n = 0;

	if (!order) {
		err_msg("out of memory");
		return;
	}
	for (i = 0; i < o->plan->nsites; i++)
		if (total(buckets + i * USCOPE_VHIST_BUCKETS))
			order[n++] = i;
	sort_buckets = buckets;
	qsort(order, n, sizeof(*order), by_total_desc);
	if (top && n > top)
		n = top;
	for (i = 0; i < n; i++) {
		output__vhist(o, h, order[i], buckets + (size_t)order[i] * USCOPE_VHIST_BUCKETS, NULL, NULL);
	}
	free(order);
}
