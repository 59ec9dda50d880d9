/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stack_table: how often was each distinct stack seen? One entry per
 * (process, site, program counters), counts summed; filled from the kernel's
 * stack_counts map (frame pointers) or, for --stack=dwarf, from every
 * unwound record (the kernel cannot key a stack it cannot walk).
 */
#ifndef USCOPE_STACK_TABLE_H
#define USCOPE_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct stack_entry {
	uint32_t pid, site;
	uint32_t n;		/* program counters: [0] the probed one, then return addresses */
	uint64_t count;
	uint64_t *pcs;
};

struct stack_table {
	struct stack_entry *e;
	size_t n, cap;
	size_t *slots;		/* open addressing over e[], index + 1, 0: free */
	size_t nslots;
};

/* Count COUNT more hits of the stack PCS[N] of SITE in PID. Returns 0 or -ENOMEM. */
int stack_table__add(struct stack_table *t, uint32_t pid, uint32_t site, const uint64_t *pcs, uint32_t n,
		     uint64_t count);
void stack_table__free(struct stack_table *t);

/* Sort the entries, most frequent first (then by site), for printing. */
void stack_table__sort(struct stack_table *t);

#endif
