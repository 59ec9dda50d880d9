/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * by: --by KEY[,KEY...], per-key counts, latency and value histograms from
 * BPF hashes (a keyed histogram is one row per key and bucket: key.aux).
 *
 *   by_keys.c          the key list: parsed, checked against every site; -i growth; a
 *                      histogram's rows grouped per key (output_by.c, metrics_by.c)
 *   bpf_obj_context.c  (bpf_obj room) the knobs, the tables' sizes, the rows read back
 *   output_by.c        (output room) the rows printed, or grouped into histograms
 */
#ifndef USCOPE_BY_H
#define USCOPE_BY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../probes/uscope.h"

struct plan;
struct output;

struct by_key {
	int operand;		/* enum uscope_filter_operand */
	int arg;		/* str(argN): N */
	char text[16];		/* as written: "pid", "arg0", "str(arg1)" */
};

struct by_row {
	struct uscope_by_key key;	/* aux: the bucket of a histogram row, else 0 */
	uint64_t count;
	uint64_t sum_ns, min_ns, max_ns;	/* --latency rows (min 0: none) */
};

struct by_spec {
	struct by_key keys[USCOPE_BY_KEYS];
	int nkeys;		/* 0: no --by */
	uint32_t max;		/* --by-max: rows in the table */
	bool *is_signed;	/* [site * USCOPE_BY_KEYS + key] */
	uint8_t *shift;		/* [site * USCOPE_BY_KEYS + key]: 64 - width of a narrower C type */
	struct by_row *prev;	/* -i: the rows at the last print, sorted by key */
	size_t nprev;
	bool latency;		/* rows are --latency rows, key.site the entry site */
	int hist;		/* enum uscope_vhist_mode: rows are --hist/--lhist buckets */
	struct by_row *total;	/* --latency -i: the intervals read (and deleted) so far */
	size_t ntotal;
};

/* Parse "pid,arg0,comm". Returns 0 or -EINVAL after one message. */
int by__parse(const char *text, struct by_spec *out);

/*
 * Check every key against every site (usage error naming the probe) and note
 * signedness. With --latency each function's entry site answers for the keys
 * read at the entry and its return site for ret.
 */
int by__check(struct by_spec *by, const struct plan *plan);

/*
 * Registers hold garbage above a narrower C type (int in %edi): extend each
 * key value from its width, then merge the rows that became one key.
 * ROWS stay sorted by key; returns the new count.
 */
size_t by__normalize(const struct by_spec *by, struct by_row *rows, size_t n);
/* The same for one row, without merging. */
void by__extend(const struct by_spec *by, struct by_row *r);

/* Rows ordered by site, key values, then aux (a histogram's buckets in a row). */
int by_row__key_cmp(const void *a, const void *b);

/* The same key, whatever the bucket. */
bool by_row__same_key(const struct by_row *a, const struct by_row *b);

/* A run of rows of one key (a histogram's buckets), and their total. */
struct by_group {
	size_t first, n;
	uint64_t count;
	const struct by_row *rows;
};

/* ROWS sorted by key: their runs of one key into G (room for N). Returns the number of runs. */
size_t by__groups(const struct by_row *rows, size_t n, struct by_group *g);

/* The rows of a --latency run as one latency histogram: each row is one log2 bucket. */
void by__group_latency(const struct by_group *g, struct uscope_hist *h);

/* --latency -i: add an interval's ROWS to the totals (by->total). Returns 0 or -ENOMEM. */
int by__add_total(struct by_spec *by, const struct by_row *rows, size_t n);

/* -i: turn ROWS (sorted by key) into their growth since the last call, and remember them. */
void by__deltas(struct by_spec *by, struct by_row *rows, size_t n);

/*
 * output_by.c: the rows, busiest first, at most TOP (0: all); rows that did
 * not grow are left out. Histogram rows (--latency, --hist, --lhist; sorted
 * by key) are drawn as one histogram per (probe, key), HIST its shape.
 */
struct hist_spec;
void output__by(struct output *o, const struct by_spec *by, struct by_row *rows, size_t n, size_t top);
/* Row R's keys as "pid=12 comm=x", or (JSON) as members "pid": 12, "comm": "x"; malloc'd. */
char *by__key_label(const struct output *o, const struct by_spec *by, const struct by_row *r, bool json);
void output__by_hists(struct output *o, const struct by_spec *by, const struct hist_spec *hist, struct by_row *rows,
		      size_t n, size_t top);

void by__free(struct by_spec *by);

#endif
