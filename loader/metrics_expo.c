// SPDX-License-Identifier: BSD-2-Clause
/*
 * What does one scrape of /metrics say? The Prometheus text exposition
 * format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/)
 * and OpenMetrics 1.0.0, written from a snapshot of counts and histograms.
 *
 * - Label values are escaped as the spec says (\\, \", \n). They must also be
 *   UTF-8, or Prometheus drops the whole scrape; a file name is any bytes, so
 *   a byte that does not start a valid UTF-8 sequence is written as U+FFFD.
 * - Histograms: uscope's bucket b holds the integer ns values v with
 *   floor(log2 v) = b (b = 0 also holds 0), i.e. [2^b, 2^(b+1) - 1]. A
 *   Prometheus bucket counts v <= le, so bucket b's le is exactly
 *   2^(b+1) - 1 ns, written in exact decimal seconds (no float rounding), and
 *   the counts are made cumulative. Buckets are written from the one below
 *   the lowest in use (a zero, so that histogram_quantile() interpolates from
 *   there rather than from 0) up to the highest one in use: at 10,000
 *   functions that is a few lines each instead of 64. A series gets new le
 *   values over time but never loses one (the counts only grow). _count and +Inf are the sum of the buckets, so the
 *   histogram stays consistent even if a CPU's count was read mid-update.
 * - Numbers are formatted by hand: a scrape over 10,000 sites writes 10,000
 *   lines, and snprintf per field was the measurable part of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "metrics_expo.h"

void metrics_buf__reset(struct metrics_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void metrics_buf__free(struct metrics_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool reserve(struct metrics_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put_mem(struct metrics_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put(struct metrics_buf *b, const char *s)
{
	put_mem(b, s, strlen(s));
}

/* The decimal digits of V, written backwards ending at END (NUL-terminated there). */
static char *u64_digits(uint64_t v, char *end)
{
	*end = '\0';
	do
		*--end = '0' + v % 10;
	while (v /= 10);
	return end;
}

void metrics_expo__seconds(uint64_t ns, char out[32])
{
	char tmp[24], *s = u64_digits(ns / 1000000000u, tmp + sizeof(tmp) - 1);
	uint32_t f = ns % 1000000000u;
	size_t n = strlen(s);
	int i;

	memcpy(out, s, n);
	if (f) {
		out[n++] = '.';
		for (i = 8; i >= 0; i--, f /= 10)
			out[n + i] = '0' + f % 10;
		n += 9;
		while (out[n - 1] == '0')
			n--;
	}
	out[n] = '\0';
}

/* Length of the valid UTF-8 sequence at S (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0;	/* overlong, or a UTF-16 surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;	/* overlong, or past U+10FFFF */
		return 4;
	}
	return 0;
}

/* A label value between quotes: \\ \" \n escaped, invalid UTF-8 as U+FFFD. */
static void put_label_value(struct metrics_buf *b, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");
	const unsigned char *run = s;
	size_t n;

	put_mem(b, "\"", 1);
	while (*s) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

		n = esc ? 0 : utf8_len(s);
		if (!esc && n) {
			s += n;
			continue;
		}
		put_mem(b, (const char *)run, s - run);
		put(b, esc ? esc : "\xef\xbf\xbd");
		run = ++s;
	}
	put_mem(b, (const char *)run, s - run);
	put_mem(b, "\"", 1);
}

static void put_label(struct metrics_buf *b, const char *name, const char *value, bool *first)
{
	put_mem(b, *first ? "{" : ",", 1);
	*first = false;
	put(b, name);
	put_mem(b, "=", 1);
	put_label_value(b, value);
}

/* Where a series' label set was written in B, to be copied for the next lines of a histogram. */
struct span {
	size_t off, len;
};

/* {binary=..,probe=..[,kind=..][,extra..] (unclosed) of SITE, escaped; *SP says where. */
static void put_site_labels(struct metrics_buf *b, const struct metrics_site *site, struct span *sp)
{
	bool first = true;
	size_t i;

	sp->off = b->len;
	put_label(b, "binary", site->binary, &first);
	put_label(b, "probe", site->probe, &first);
	if (site->kind)
		put_label(b, "kind", site->kind, &first);
	for (i = 0; i < site->nextra; i++)
		put_label(b, site->extra[i].name, site->extra[i].value, &first);
	sp->len = b->oom ? 0 : b->len - sp->off;
}

static void copy_span(struct metrics_buf *b, const struct span *sp)
{
	if (!sp->len || !reserve(b, sp->len))
		return;
	memcpy(b->p + b->len, b->p + sp->off, sp->len);	/* after reserve(): p may have moved */
	b->len += sp->len;
	b->p[b->len] = '\0';
}

/* The rest of a line after its name and site labels: [,le="LE"]} VALUE\n */
static void put_tail(struct metrics_buf *b, bool labels, const char *le, const char *value)
{
	if (le) {
		put(b, labels ? ",le=\"" : "{le=\"");
		put(b, le);	/* a number or +Inf: nothing to escape */
		put_mem(b, "\"", 1);
	}
	if (labels || le)
		put_mem(b, "}", 1);
	put_mem(b, " ", 1);
	put(b, value);
	put_mem(b, "\n", 1);
}

/* NAME{binary=..,probe=..[,kind=..][,extra..]} VALUE\n, or NAME VALUE\n without SITE. */
static void put_series(struct metrics_buf *b, const char *name, const struct metrics_site *site, const char *value)
{
	struct span sp = { 0, 0 };

	put(b, name);
	if (site)
		put_site_labels(b, site, &sp);
	put_tail(b, site, NULL, value);
}

static void put_series_u64(struct metrics_buf *b, const char *name, const struct metrics_site *site, uint64_t v)
{
	char tmp[24];

	put_series(b, name, site, u64_digits(v, tmp + sizeof(tmp) - 1));
}

/* One histogram line, its labels copied from SP (escaped once per histogram, not once per line). */
static void put_hist_line(struct metrics_buf *b, const char *name, const struct span *sp, const char *le,
			  uint64_t v)
{
	char tmp[24];

	put(b, name);
	copy_span(b, sp);
	put_tail(b, true, le, u64_digits(v, tmp + sizeof(tmp) - 1));
}

/*
 * # HELP / # TYPE (and # UNIT) of a family. OpenMetrics names a counter's
 * family without its _total suffix, and an info metric without _info.
 */
static void put_family(struct metrics_buf *b, enum metrics_format fmt, const char *family, const char *type,
		       const char *unit, const char *help)
{
	const char *omtype = type;
	size_t n = strlen(family);
	char name[96];

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, family, n);
	name[n] = '\0';
	if (fmt == METRICS_OPENMETRICS) {
		if (!strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
			name[n - 6] = '\0';
		if (!strcmp(type, "info")) {
			if (n > 5 && !strcmp(name + n - 5, "_info"))
				name[n - 5] = '\0';
		}
	} else if (!strcmp(type, "info")) {
		omtype = "gauge";	/* 0.0.4 has no info type */
	}
	put(b, "# HELP ");
	put(b, name);
	put_mem(b, " ", 1);
	put(b, help);
	put(b, "\n# TYPE ");
	put(b, name);
	put_mem(b, " ", 1);
	put(b, omtype);
	put_mem(b, "\n", 1);
	if (unit && fmt == METRICS_OPENMETRICS) {
		put(b, "# UNIT ");
		put(b, name);
		put_mem(b, " ", 1);
		put(b, unit);
		put_mem(b, "\n", 1);
	}
}

static void put_hist(struct metrics_buf *b, const struct metrics_site *site, const struct uscope_hist *h)
{
	static const char bucket[] = "uscope_probe_latency_seconds_bucket";
	uint64_t cum = 0;
	struct span sp;
	char le[32], tmp[24];
	int top = -1, low = -1, i;

	for (i = 0; i < USCOPE_HIST_BUCKETS; i++) {
		if (h->buckets[i]) {
			top = i;
			if (low < 0)
				low = i;
		}
	}
	/* The first line writes the labels; every other line copies them. */
	sp.len = 0;
	for (i = low > 0 ? low - 1 : 0; i <= top + 1; i++) {
		const char *bound = "+Inf";

		if (i <= top) {
			cum += h->buckets[i];
			/* bucket i's largest value: 2^(i+1) - 1 ns (all ones for the last) */
			metrics_expo__seconds(i == 63 ? UINT64_MAX : (2ull << i) - 1, le);
			bound = le;
		}
		if (!sp.len) {
			put(b, bucket);
			put_site_labels(b, site, &sp);
			put_tail(b, true, bound, u64_digits(cum, tmp + sizeof(tmp) - 1));
		} else {
			put_hist_line(b, bucket, &sp, bound, cum);
		}
	}
	metrics_expo__seconds(h->sum_ns, le);
	put(b, "uscope_probe_latency_seconds_sum");
	copy_span(b, &sp);
	put_tail(b, true, NULL, le);
	put_hist_line(b, "uscope_probe_latency_seconds_count", &sp, NULL, cum);
}

const char *metrics_expo__content_type(enum metrics_format format)
{
	return format == METRICS_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
					     : "text/plain; version=0.0.4; charset=utf-8";
}

enum metrics_format metrics_expo__negotiate(const char *accept)
{
	/*
	 * Prometheus 2.x sends "application/openmetrics-text;version=1.0.0,...;
	 * text/plain;version=0.0.4;q=0.5,...": it prefers OpenMetrics. Only
	 * version 1.0.0 (or an unversioned request) is served as OpenMetrics.
	 */
	const char *p = accept ? strstr(accept, "application/openmetrics-text") : NULL;
	const char *end;

	if (!p)
		return METRICS_TEXT_004;
	end = strchr(p, ',');
	p = strstr(p, "version=");
	if (p && (!end || p < end) && strncmp(p + 8, "1.0.0", 5))
		return METRICS_TEXT_004;
	return METRICS_OPENMETRICS;
}

int metrics_expo__write(struct metrics_buf *b, const struct metrics_snapshot *s, enum metrics_format fmt)
{
	bool first;
	size_t i;

	metrics_buf__reset(b);
	put_family(b, fmt, "uscope_probe_hits_total", "counter", NULL,
		   "Hits of each probe (function entry or return, USDT probe) since uscope started.");
	for (i = 0; i < s->nsites; i++)
		put_series_u64(b, "uscope_probe_hits_total", &s->sites[i], s->hits[i]);
	if (s->nhists) {
		put_family(b, fmt, "uscope_probe_latency_seconds", "histogram", "seconds",
			   "Entry-to-return time of each function; log2 buckets, le is the largest ns value of a bucket.");
		for (i = 0; i < s->nhists; i++)
			put_hist(b, &s->hist_sites[i], &s->hists[i]);
	}
	put_family(b, fmt, "uscope_events_lost_total", "counter", NULL,
		   "Event records dropped because the ring buffer was full.");
	put_series_u64(b, "uscope_events_lost_total", NULL, s->lost);
	put_family(b, fmt, "uscope_latency_unpaired_total", "counter", NULL,
		   "Returns seen without a timed entry (not in any latency histogram).");
	put_series_u64(b, "uscope_latency_unpaired_total", NULL, s->unpaired);
	if (s->by) {
		put_family(b, fmt, "uscope_by_dropped_total", "counter", NULL,
			   "Hits not counted by --by key because the key table (--by-max rows) was full.");
		put_series_u64(b, "uscope_by_dropped_total", NULL, s->by_dropped);
	}
	put_family(b, fmt, "uscope_probes_attached", "gauge", NULL, "Kernel probe points uscope has in place.");
	put_series_u64(b, "uscope_probes_attached", NULL, s->attached);
	put_family(b, fmt, "uscope_build_info", "info", NULL, "uscope's version; the value is always 1.");
	first = true;
	put(b, "uscope_build_info");
	put_label(b, "version", s->version, &first);
	put(b, "} 1\n");
	if (fmt == METRICS_OPENMETRICS)
		put(b, "# EOF\n");
	return b->oom ? -ENOMEM : 0;
}
