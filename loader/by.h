/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * by: --count --by KEY[,KEY...], per-key counts from a BPF hash.
 *
 *   by_keys.c          the key list: parsed, checked against every site; -i growth
 *   bpf_obj_context.c  (bpf_obj room) the knobs, the table's size, the rows read back
 *   output_by.c        (output room) the rows printed
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
	struct uscope_by_key key;
	uint64_t count;
};

struct by_spec {
	struct by_key keys[USCOPE_BY_KEYS];
	int nkeys;		/* 0: no --by */
	uint32_t max;		/* --by-max: rows in the table */
	bool *is_signed;	/* [site * USCOPE_BY_KEYS + key] */
	uint8_t *shift;		/* [site * USCOPE_BY_KEYS + key]: 64 - width of a narrower C type */
	struct by_row *prev;	/* -i: the rows at the last print, sorted by key */
	size_t nprev;
};

/* Parse "pid,arg0,comm". Returns 0 or -EINVAL after one message. */
int by__parse(const char *text, struct by_spec *out);

/* Check every key against every site (usage error naming the probe) and note signedness. */
int by__check(struct by_spec *by, const struct plan *plan);

/*
 * Registers hold garbage above a narrower C type (int in %edi): extend each
 * key value from its width, then merge the rows that became one key.
 * ROWS stay sorted by key; returns the new count.
 */
size_t by__normalize(const struct by_spec *by, struct by_row *rows, size_t n);

/* Rows ordered by key (memcmp), as the table is read back. */
int by_row__key_cmp(const void *a, const void *b);

/* -i: turn ROWS (sorted by key) into their growth since the last call, and remember them. */
void by__deltas(struct by_spec *by, struct by_row *rows, size_t n);

/* output_by.c: the rows, busiest first, at most TOP (0: all); rows that did not grow are left out. */
void output__by(struct output *o, const struct by_spec *by, struct by_row *rows, size_t n, size_t top);

void by__free(struct by_spec *by);

#endif
