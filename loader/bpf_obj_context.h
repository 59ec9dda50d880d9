/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_obj_context: the bpf_obj room's part for --filter and --by (private
 * to bpf_obj.c): their knobs, map sizes and contents, and the key table
 * read back. Only bpf_obj.c calls these; the rest of the loader asks
 * bpf_obj.h.
 */
#ifndef USCOPE_BPF_OBJ_CONTEXT_H
#define USCOPE_BPF_OBJ_CONTEXT_H

#include <stddef.h>
#include <stdint.h>
#include "by.h"
#include "filter.h"
#include "hist.h"

struct uscope_bpf;

/* Before load: has_filter, the --by and --hist knobs; the sizes of filter_ids, filters, by_counts, vhists. */
int context_maps__size(struct uscope_bpf *skel, const struct filter_set *f, const struct by_spec *by,
		       const struct hist_spec *h, size_t nsites);

/* After load: the compiled filters. Prints one message on failure. */
int context_maps__fill(struct uscope_bpf *skel, const struct filter_set *f);

/* Every row of the key table (at most MAX), allocated into *ROWS, sorted by key. */
int context_maps__by_rows(struct uscope_bpf *skel, uint32_t max, struct by_row **rows, size_t *n);

/* The same into ROWS (room for CAP; fewer than the table holds if CAP is smaller), no allocation. */
int context_maps__by_read(struct uscope_bpf *skel, struct by_row *rows, size_t cap, size_t *n);

/* Hits that found the key table full. */
uint64_t context_maps__by_dropped(struct uscope_bpf *skel);

#endif
