/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * by: --count --by KEY[,KEY...], per-key counts from a BPF hash.
 *
 *   by_keys.c   the key list: parsed, checked against every site, set as knobs
 *   by_table.c  the hash read back, turned into rows (deltas for -i), printed
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
struct uscope_bpf;

struct by_key {
	int operand;		/* enum uscope_filter_operand */
	int arg;		/* str(argN): N */
	char text[16];		/* as written: "pid", "arg0", "str(arg1)" */
};

struct by_row {
	struct uscope_by_key key;
	uint64_t count;
};

struct by_spec {
	struct by_key keys[USCOPE_BY_KEYS];
	int nkeys;		/* 0: no --by */
	uint32_t max;		/* --by-max: rows in the table */
	bool *is_signed;	/* [site * USCOPE_BY_KEYS + key] */
	struct by_row *prev;	/* -i: the rows at the last print, sorted by key */
	size_t nprev;
	uint64_t prev_dropped;
};

/* Parse "pid,arg0,comm". Returns 0 or -EINVAL after one message. */
int by__parse(const char *text, struct by_spec *out);

/* Check every key against every site (usage error naming the probe) and note signedness. */
int by__check(struct by_spec *by, const struct plan *plan);

/* Before load: knobs and the table's size. */
int by__size_maps(const struct by_spec *by, struct uscope_bpf *skel);

/* Print the table (busiest first, at most TOP rows; since the last call if INTERVAL). */
void by__print(struct by_spec *by, struct uscope_bpf *skel, struct output *out, size_t top, bool interval);

/* Hits the full table could not count, in all. */
uint64_t by__dropped(struct uscope_bpf *skel);

void by__free(struct by_spec *by);

#endif
