/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_expo: what does one scrape of /metrics say? Pure functions from
 * counts, histograms and site names to the Prometheus text exposition format
 * 0.0.4, or OpenMetrics 1.0.0 when the scraper asks for it. No BPF, no I/O:
 * the caller reads the maps into a struct metrics_snapshot and gets a buffer
 * back, which is reused from scrape to scrape (it grows with the number of
 * sites and buckets in use, never with the history).
 */
#ifndef USCOPE_METRICS_EXPO_H
#define USCOPE_METRICS_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../probes/uscope.h"

/* A growable output buffer; p is always NUL-terminated once anything was written. */
struct metrics_buf {
	char *p;
	size_t len, cap;
	bool oom;		/* an allocation failed: the content is incomplete */
};

void metrics_buf__reset(struct metrics_buf *b);
void metrics_buf__free(struct metrics_buf *b);

/* One extra label: the hook for `--by` keys (issue 12: pid, comm, ...). */
struct metrics_label {
	const char *name;	/* a valid label name, e.g. "pid" */
	const char *value;	/* any bytes; escaped (and made UTF-8) by the writer */
};

/* The labels of one series: binary, probe, kind, then any extra labels. */
struct metrics_site {
	const char *binary;	/* the probed file, as shown to the user */
	const char *probe;	/* function, "provider:name" or "func+0xOFF" */
	const char *kind;	/* "entry", "return", "usdt"; NULL: no kind label */
	const struct metrics_label *extra;
	size_t nextra;
	/*
	 * Optional: binary, probe and kind as metrics_expo__put_labels() writes
	 * them, made once per site, so that a scrape copies them instead of
	 * escaping them again (NULL: escaped at every scrape).
	 */
	const char *labels;
	size_t labels_len;
};

/* Append SITE's binary, probe and kind labels, escaped, to B: {binary="..",probe=".."[,kind=".."] (unclosed). */
void metrics_expo__put_labels(struct metrics_buf *b, const struct metrics_site *site);

/*
 * Build the labels of SITES[0..N) once into ARENA (reset first; it must not
 * be written again while the sites are in use) and point each site at its
 * own. 0, or -ENOMEM (then every site's labels is NULL: escaped at each scrape).
 */
int metrics_expo__prebuild(struct metrics_buf *arena, struct metrics_site *sites, size_t n);

enum metrics_format {
	METRICS_TEXT_004,	/* text/plain; version=0.0.4 */
	METRICS_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

struct metrics_snapshot {
	const struct metrics_site *sites;	/* uscope_probe_hits_total, one series a site */
	const uint64_t *hits;			/* hits[i] of sites[i] */
	size_t nsites;
	const struct metrics_site *hist_sites;	/* uscope_probe_latency_seconds, one a function */
	const struct uscope_hist *hists;	/* summed over CPUs */
	size_t nhists;
	uint64_t lost;		/* ring buffer records dropped */
	uint64_t unpaired;	/* returns without a timed entry */
	uint64_t attached;	/* kernel probe points in place now */
	bool by;		/* --by: sites[] are key-table rows, and by_dropped is written */
	uint64_t by_dropped;	/* hits that found the key table full */
	const char *version;
};

/* The Content-Type header that goes with FORMAT. */
const char *metrics_expo__content_type(enum metrics_format format);

/* OpenMetrics if ACCEPT (an HTTP Accept header, may be NULL) asks for it, else text 0.0.4. */
enum metrics_format metrics_expo__negotiate(const char *accept);

/*
 * Write the whole exposition of S into B (reset first). Returns 0, or
 * -ENOMEM with B incomplete.
 */
int metrics_expo__write(struct metrics_buf *b, const struct metrics_snapshot *s, enum metrics_format format);

/*
 * ns as seconds in exact decimal ("0.000001023", "2", "18446744073.709551615"):
 * histogram bounds and sums are integers of ns, so no float rounding is ever
 * shown. OUT must hold 32 bytes.
 */
void metrics_expo__seconds(uint64_t ns, char out[32]);

#endif
