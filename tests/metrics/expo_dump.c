// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which bytes does the exposition writer produce for a known snapshot?
 * expo_dump text|openmetrics prints the exposition of a fixed snapshot
 * (labels that need escaping, a label that is not UTF-8, a histogram with
 * known buckets, an empty one, and --by style extra labels) for
 * tests/metrics.bats to check with promtool and against hand-computed lines.
 * expo_dump seconds NS... prints metrics_expo__seconds of each NS.
 * expo_dump negotiate ACCEPT prints the format chosen for an Accept header.
 * expo_dump big N prints the time to write N sites (and N histograms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "metrics_expo.h"

static int dump(enum metrics_format fmt)
{
	static const struct metrics_label by[] = { { "pid", "42" }, { "comm", "we\"ird\\" } };
	struct metrics_site sites[] = {
		{ "/usr/bin/app", "func_a", "entry", NULL, 0, NULL, 0 },
		{ "/usr/bin/app", "func_a", "return", NULL, 0, NULL, 0 },
		{ "/tmp/with \"quotes\"\\and\nnewline", "prov:name", "usdt", NULL, 0, NULL, 0 },
		{ "/tmp/bad\xff\xc0utf8-\xc3\xa9", "func_b", "entry", by, 2, NULL, 0 },
	};
	const uint64_t hits[] = { 7, 0, 18446744073709551615ull, 3 };
	struct metrics_site hsites[] = {
		{ "/usr/bin/app", "func_a", NULL, NULL, 0, NULL, 0 },
		{ "/usr/bin/app", "func_idle", NULL, NULL, 0, NULL, 0 },
		{ "/usr/bin/app", "func_slow", NULL, NULL, 0, NULL, 0 },
	};
	struct uscope_hist h[3];
	struct metrics_snapshot s = {
		.sites = sites, .hits = hits, .nsites = 4, .hist_sites = hsites, .hists = h, .nhists = 3,
		.lost = 5, .unpaired = 2, .attached = 3, .version = "9.8.7",
	};
	struct metrics_buf b = {}, arena1 = {}, arena2 = {};

	memset(h, 0, sizeof(h));
	h[0].buckets[0] = 1;	/* 0 or 1 ns */
	h[0].buckets[9] = 4;	/* 512..1023 ns */
	h[0].buckets[20] = 2;	/* 1048576..2097151 ns */
	h[0].count = 7;
	h[0].sum_ns = 2500000001ull;
	h[2].buckets[10] = 2;	/* 1024..2047 ns */
	h[2].buckets[12] = 1;	/* 4096..8191 ns */
	h[2].sum_ns = 7000;
	if (metrics_expo__write(&b, &s, fmt))
		return 1;
	fputs(b.p, stdout);
	/* A second write into the same buffer gives the same bytes; so does one from prebuilt labels. */
	{
		char *first = strdup(b.p);
		int same = first && !metrics_expo__write(&b, &s, fmt) && !strcmp(first, b.p);

		same = same && !metrics_expo__prebuild(&arena1, sites, 4) && !metrics_expo__prebuild(&arena2, hsites, 3) &&
		       !metrics_expo__write(&b, &s, fmt) && !strcmp(first, b.p);
		free(first);
		metrics_buf__free(&b);
		metrics_buf__free(&arena1);
		metrics_buf__free(&arena2);
		return same ? 0 : 1;
	}
}

static int big(size_t n)
{
	struct metrics_site *sites = calloc(n, sizeof(*sites));
	uint64_t *hits = calloc(n, sizeof(*hits));
	struct uscope_hist *h = calloc(n, sizeof(*h));
	char (*names)[24] = calloc(n, sizeof(*names));
	struct metrics_snapshot s = { .sites = sites, .hits = hits, .nsites = n, .version = "x" };
	struct metrics_buf b = {}, arena = {};
	struct timespec t0, t1;
	size_t i;

	if (!sites || !hits || !h || !names)
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "f_%zu", i);
		sites[i] = (struct metrics_site){ "/tmp/target-10000", names[i], "entry", NULL, 0, NULL, 0 };
		hits[i] = i * 1000003;
		h[i].buckets[8] = i;
		h[i].buckets[12] = 1;
		h[i].sum_ns = i * 300;
	}
	if (metrics_expo__prebuild(&arena, sites, n))	/* as the agent does, once */
		return 1;
	metrics_expo__write(&b, &s, METRICS_TEXT_004);	/* the buffer grows once, as at a first scrape */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	metrics_expo__write(&b, &s, METRICS_TEXT_004);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("counts %zu sites: %.2f ms, %zu bytes\n", n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, b.len);
	s.hist_sites = sites;
	s.hists = h;
	s.nhists = n;
	metrics_expo__write(&b, &s, METRICS_TEXT_004);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	metrics_expo__write(&b, &s, METRICS_TEXT_004);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("counts+hists %zu sites: %.2f ms, %zu bytes\n", n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, b.len);
	metrics_buf__free(&b);
	metrics_buf__free(&arena);
	free(sites);
	free(hits);
	free(h);
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	char out[32];
	int i;

	if (argc == 2 && !strcmp(argv[1], "text"))
		return dump(METRICS_TEXT_004);
	if (argc == 2 && !strcmp(argv[1], "openmetrics"))
		return dump(METRICS_OPENMETRICS);
	if (argc == 3 && !strcmp(argv[1], "negotiate")) {
		puts(metrics_expo__negotiate(argv[2]) == METRICS_OPENMETRICS ? "openmetrics" : "text");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "big"))
		return big(strtoul(argv[2], NULL, 10));
	if (argc >= 2 && !strcmp(argv[1], "seconds")) {
		for (i = 2; i < argc; i++) {
			metrics_expo__seconds(strtoull(argv[i], NULL, 10), out);
			puts(out);
		}
		return 0;
	}
	fprintf(stderr, "usage: expo_dump text|openmetrics|negotiate ACCEPT|seconds NS...|big N\n");
	return 2;
}
