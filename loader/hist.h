/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist: --hist VALUE (log2) and --lhist VALUE,MIN,MAX,STEP (linear), one
 * value histogram per probe, filled in BPF (probes/hist.bpf.h).
 *
 *   hist_spec.c        the option parsed and checked against every site
 *   bpf_obj_context.c  (bpf_obj room) the knobs and the map's size
 *   output_hist.c      (output room) the histograms drawn, with bounds
 */
#ifndef USCOPE_HIST_H
#define USCOPE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../probes/uscope.h"

struct plan;
struct output;

struct hist_spec {
	int mode;		/* enum uscope_vhist_mode; NONE: no --hist / --lhist */
	int operand;		/* USCOPE_OPND_ARG0 + N or USCOPE_OPND_RET */
	char text[16];		/* the VALUE as written */
	uint64_t min, max, step;	/* --lhist, as 64-bit patterns (signed if is_signed) */
	uint32_t steps;		/* --lhist: (max - min) / step */
	bool lin_signed;	/* --lhist: the value is signed (on every site) */
	bool *site_signed;	/* [site]: the value is signed there */
	uint64_t *prev;		/* -i: buckets at the last print, [site][USCOPE_VHIST_BUCKETS] */
};

/* --hist VALUE / --lhist VALUE,MIN,MAX,STEP. Returns 0 or -EINVAL after one message. */
int hist__parse(const char *text, bool linear, struct hist_spec *out);

/* Every site must have VALUE (a usage error naming the probe otherwise). */
int hist__check(struct hist_spec *h, const struct plan *plan);

/* -i: BUCKETS[site][..] become their growth since the last call. */
void hist__deltas(struct hist_spec *h, uint64_t *buckets, size_t nsites);

void hist__free(struct hist_spec *h);

/* output_hist.c: one histogram per site that was hit, busiest first, at most TOP (0: all). */
void output__vhists(struct output *o, const struct hist_spec *h, const uint64_t *buckets, size_t top);
/* One histogram BUCKETS[USCOPE_VHIST_BUCKETS] of SITE; --by: LABEL after the name (text), BY_JSON the "by" members. */
void output__vhist(struct output *o, const struct hist_spec *h, uint32_t site, const uint64_t *buckets,
		   const char *label, const char *by_json);

#endif
