/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * output: events, counts and summaries as aligned text or JSON Lines.
 * Everything the user reads about a site (its name, kind, binary, how to
 * print its arguments) is found here by site id, once per event.
 */
#ifndef USCOPE_OUTPUT_H
#define USCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "plan.h"
#include "../probes/uscope.h"

struct output {
	FILE *f;
	const struct plan *plan;
	bool json;
	bool hex;		/* arguments and return values in hex */
	uint64_t t0_ns;		/* text timestamps are seconds since this */
	bool header_done;
	int str_arg;		/* --str K, -1: none */
};

const char *site_kind_name(int kind);	/* "entry", "return", "usdt" */

void output__event(struct output *o, const struct uscope_event *e);

/* COUNTS[site id]; only sites that were hit are printed, busiest first, at most TOP (0: all). */
void output__counts(struct output *o, const uint64_t *counts, size_t top);

/* --latency: HISTS[slot], summed over CPUs; one histogram per function that returned. */
void output__hists(struct output *o, const struct uscope_hist *hists, size_t top);

#endif
