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
struct bpf_knobs;

/*
 * Before load: has_filter, the --by and --hist knobs; the sizes of
 * filter_ids, filters, by_counts (or by_lat and by_frames, by_stack_counts), vhists.
 */
int context_maps__size(struct uscope_bpf *skel, const struct bpf_knobs *k, size_t nsites);

/* After load: the compiled filters. Prints one message on failure. */
int context_maps__fill(struct uscope_bpf *skel, const struct filter_set *f);

/* Every row of the key table (at most MAX), allocated into *ROWS, sorted by key. */
int context_maps__by_rows(struct uscope_bpf *skel, uint32_t max, struct by_row **rows, size_t *n);

/* The same into ROWS (room for CAP; fewer than the table holds if CAP is smaller), no allocation. */
int context_maps__by_read(struct uscope_bpf *skel, struct by_row *rows, size_t cap, size_t *n);

/*
 * --latency --by: the (key, bucket) rows, summed over CPUs, allocated into
 * *ROWS, sorted by key; aux is left the bucket. HALF -1: every row; 0 or 1:
 * only that half's, which are then deleted (-i).
 */
int context_maps__by_lat_rows(struct uscope_bpf *skel, uint32_t max, int half, struct by_row **rows, size_t *n);
/* The same into ROWS (room for CAP), no allocation (--metrics; half -1 there: never flipped). */
int context_maps__by_lat_read(struct uscope_bpf *skel, int half, struct by_row *rows, size_t cap, size_t *n);

/* --count --stack --by (frame pointers): FN for each (stack, key) counted, with the stack's IPS[DEPTH]. */
int context_maps__by_stacks(struct uscope_bpf *skel, uint32_t depth, bpf_by_stack_fn fn, void *arg);

/* Hits that found the key table full. */
uint64_t context_maps__by_dropped(struct uscope_bpf *skel);

#endif
