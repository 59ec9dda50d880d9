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

/* Room for MORE bytes and a NUL at the end of B (the slow path of reserve()). */
static bool grow(struct metrics_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
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

static inline bool reserve(struct metrics_buf *b, size_t more)
{
	return (b->len + more + 1 <= b->cap && !b->oom) || grow(b, more);
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

void metrics_expo__put_labels(struct metrics_buf *b, const struct metrics_site *site)
{
	bool first = true;

	put_label(b, "binary", site->binary, &first);
	put_label(b, "probe", site->probe, &first);
	if (site->kind)
		put_label(b, "kind", site->kind, &first);
}

int metrics_expo__prebuild(struct metrics_buf *arena, struct metrics_site *sites, size_t n)
{
	size_t i, start;

	metrics_buf__reset(arena);
	/* First the text, each site's end offset kept in labels_len (ARENA moves as it grows)... */
	for (i = 0; i < n; i++) {
		sites[i].labels = NULL;
		metrics_expo__put_labels(arena, &sites[i]);
		sites[i].labels_len = arena->len;
	}
	if (arena->oom)
		return -ENOMEM;
	/* ...then the pointers. */
	for (i = 0, start = 0; i < n; i++) {
		sites[i].labels = arena->p + start;
		sites[i].labels_len -= start;
		start += sites[i].labels_len;
	}
	return 0;
}

/*
 * A series' label set {binary=..,probe=..[,kind=..][,extra..] (unclosed)
 * is escaped once and copied for every line: from SITE->labels (escaped
 * once per site, metrics_expo__put_labels), or from where the series' first
 * line wrote it in B.
 */
struct span {
	const char *ext;	/* the site's prebuilt labels; NULL: at b->p + off */
	size_t off, len;	/* len 0: not written yet */
};

static struct span site_span(const struct metrics_site *site)
{
	if (site->labels && !site->nextra)
		return (struct span){ site->labels, 0, site->labels_len };
	return (struct span){ NULL, 0, 0 };
}

/* NAME and the labels of SITE: escaped into B the first time (*SP then says where), else copied. */
static void put_head(struct metrics_buf *b, const char *name, size_t nlen, const struct metrics_site *site,
		     struct span *sp)
{
	size_t i;
	bool first;

	if (sp->len) {
		if (!reserve(b, nlen + sp->len))
			return;
		memcpy(b->p + b->len, name, nlen);
		/* after reserve(): b->p may have moved */
		memcpy(b->p + b->len + nlen, sp->ext ? sp->ext : b->p + sp->off, sp->len);
		b->len += nlen + sp->len;
		return;
	}
	put_mem(b, name, nlen);
	sp->off = b->len;
	if (site->labels)
		put_mem(b, site->labels, site->labels_len);
	else
		metrics_expo__put_labels(b, site);
	for (i = 0, first = false; i < site->nextra; i++)
		put_label(b, site->extra[i].name, site->extra[i].value, &first);
	sp->len = b->oom ? 0 : b->len - sp->off;
}

/* The rest of a series' line: [,le="LE"]} VALUE\n, one reserve() for all of it. */
static void put_tail(struct metrics_buf *b, const char *le, size_t lelen, const char *value, size_t vlen)
{
	char *w;

	if (!reserve(b, lelen + vlen + 9))
		return;
	w = b->p + b->len;
	if (le) {
		memcpy(w, ",le=\"", 5);
		memcpy(w + 5, le, lelen);	/* a number or +Inf: nothing to escape */
		w += 5 + lelen;
		*w++ = '"';
	}
	*w++ = '}';
	*w++ = ' ';
	memcpy(w, value, vlen);
	w += vlen;
	*w++ = '\n';
	b->len = w - b->p;
}

/* One line of a series of SITE with an integer value; SP as for put_head(). */
static void put_line_u64(struct metrics_buf *b, const char *name, size_t nlen, const struct metrics_site *site,
			 struct span *sp, const char *le, size_t lelen, uint64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp) - 1, *d = u64_digits(v, end);

	put_head(b, name, nlen, site, sp);
	put_tail(b, le, lelen, d, end - d);
}

/* NAME VALUE\n: a series without labels. */
static void put_plain_u64(struct metrics_buf *b, const char *name, uint64_t v)
{
	char tmp[24];

	put(b, name);
	put_mem(b, " ", 1);
	put(b, u64_digits(v, tmp + sizeof(tmp) - 1));
	put_mem(b, "\n", 1);
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

/* The le text of each uscope bucket: bucket i's largest value, 2^(i+1) - 1 ns (all ones for the last). */
struct le_text {
	char s[32];
	size_t len;
};

static void le_texts(struct le_text les[USCOPE_HIST_BUCKETS])
{
	int i;

	for (i = 0; i < USCOPE_HIST_BUCKETS; i++) {
		metrics_expo__seconds(i == 63 ? UINT64_MAX : (2ull << i) - 1, les[i].s);
		les[i].len = strlen(les[i].s);
	}
}

#define NAME_LEN(s) s, sizeof(s) - 1

static void put_hist(struct metrics_buf *b, const struct metrics_site *site, const struct uscope_hist *h,
		     const struct le_text *les)
{
	struct span sp = site_span(site);
	uint64_t cum = 0;
	char sum[32];
	int top = -1, low = -1, i;

	for (i = 0; i < USCOPE_HIST_BUCKETS; i++) {
		if (h->buckets[i]) {
			top = i;
			if (low < 0)
				low = i;
		}
	}
	for (i = low > 0 ? low - 1 : 0; i <= top; i++) {
		cum += h->buckets[i];
		put_line_u64(b, NAME_LEN("uscope_probe_latency_seconds_bucket"), site, &sp, les[i].s, les[i].len, cum);
	}
	put_line_u64(b, NAME_LEN("uscope_probe_latency_seconds_bucket"), site, &sp, NAME_LEN("+Inf"), cum);
	metrics_expo__seconds(h->sum_ns, sum);
	put_head(b, NAME_LEN("uscope_probe_latency_seconds_sum"), site, &sp);
	put_tail(b, NULL, 0, sum, strlen(sum));
	put_line_u64(b, NAME_LEN("uscope_probe_latency_seconds_count"), site, &sp, NULL, 0, cum);
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
	struct le_text les[USCOPE_HIST_BUCKETS];
	struct span sp;
	bool first;
	size_t i;

	metrics_buf__reset(b);
	le_texts(les);
	put_family(b, fmt, "uscope_probe_hits_total", "counter", NULL,
		   "Hits of each probe (function entry or return, USDT probe) since uscope started.");
	for (i = 0; i < s->nsites; i++) {
		sp = site_span(&s->sites[i]);
		put_line_u64(b, NAME_LEN("uscope_probe_hits_total"), &s->sites[i], &sp, NULL, 0, s->hits[i]);
	}
	if (s->nhists) {
		put_family(b, fmt, "uscope_probe_latency_seconds", "histogram", "seconds",
			   "Entry-to-return time of each function; log2 buckets, le is the largest ns value of a bucket.");
		for (i = 0; i < s->nhists; i++)
			put_hist(b, &s->hist_sites[i], &s->hists[i], les);
	}
	put_family(b, fmt, "uscope_events_lost_total", "counter", NULL,
		   "Event records dropped because the ring buffer was full.");
	put_plain_u64(b, "uscope_events_lost_total", s->lost);
	put_family(b, fmt, "uscope_latency_unpaired_total", "counter", NULL,
		   "Returns seen without a timed entry (not in any latency histogram).");
	put_plain_u64(b, "uscope_latency_unpaired_total", s->unpaired);
	if (s->by) {
		put_family(b, fmt, "uscope_by_dropped_total", "counter", NULL,
			   "Hits not counted by --by key because the key table (--by-max rows) was full.");
		put_plain_u64(b, "uscope_by_dropped_total", s->by_dropped);
	}
	put_family(b, fmt, "uscope_probes_attached", "gauge", NULL, "Kernel probe points uscope has in place.");
	put_plain_u64(b, "uscope_probes_attached", s->attached);
	put_family(b, fmt, "uscope_build_info", "info", NULL, "uscope's version; the value is always 1.");
	first = true;
	put(b, "uscope_build_info");
	put_label(b, "version", s->version, &first);
	put(b, "} 1\n");
	if (fmt == METRICS_OPENMETRICS)
		put(b, "# EOF\n");
	return b->oom ? -ENOMEM : 0;
}
