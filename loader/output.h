/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * output: the one writer of what a trace prints. Every line (the Attached
 * line, events, count tables, histograms, interval markers, the Summary)
 * goes through here, as aligned text or JSON Lines. Everything the user
 * reads about a site (name, kind, binary, how to print its arguments) is
 * found in the plan by site id, once per event; output never reads maps or
 * notes. New sinks (folded stacks, flame graphs, exposition) join here.
 *   output.c         events
 *   output_tables.c  count tables and latency histograms
 *   output_report.c  the Attached line, interval markers, the Summary
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
	FILE *f;		/* the trace: stdout */
	FILE *log;		/* the Attached line and the Summary: stderr */
	const struct plan *plan;
	bool json;
	bool hex;		/* arguments and return values in hex */
	uint64_t t0_ns;		/* text timestamps are seconds since this */
	bool header_done;
	uint16_t str_mask;	/* --str: the arguments the user asked to read as strings */
	uint32_t str_len;	/* --str-len: bytes of each string slot */
	uint16_t read_mask;	/* str_mask plus DWARF `char *` arguments: what BPF reads (typed__str_mask) */
	const char *scope;	/* a sentence the Attached line adds (-f, --cgroup), or NULL */
};

/* One ring buffer record of SIZE bytes (struct uscope_event, or USCOPE_STR_RECORD bytes with --str). */
void output__event(struct output *o, const void *data, size_t size);

struct dwarf_sig;
/* output_typed.c: events of functions whose DWARF signature is known. */
const struct dwarf_sig *typed__sig(const struct plan *plan, const struct site *s);
uint16_t typed__str_mask(const struct plan *plan, uint16_t mask, int nargs);
const char *typed__arg_str(const struct output *o, const struct uscope_event *e, int i, char *buf);
/* Cut strings: `"..."...` in text; JSON lists the cut arguments in "truncated" (output.c). */
bool typed__arg_cut(const struct output *o, const struct uscope_event *e, int i);
void typed__put_str(struct output *o, const struct uscope_event *e, int i, const char *str);
void typed__args(struct output *o, const struct dwarf_sig *sig, const struct uscope_event *e);
void typed__ret(struct output *o, const struct dwarf_sig *sig, const struct uscope_event *e);

/* COUNTS[site id]; only sites that were hit are printed, busiest first, at most TOP (0: all). */
void output__counts(struct output *o, const uint64_t *counts, size_t top);

/* --latency: HISTS[slot], summed over CPUs; one histogram per function that returned. */
void output__hists(struct output *o, const struct uscope_hist *hists, size_t top);
/* One latency histogram of probe NAME; --by: LABEL after the name (text), BY_JSON the "by" members. */
void output__hist(struct output *o, const char *name, const char *label, const char *by_json,
		  const struct uscope_hist *h);

/* "Attached N probes (...) to BIN via MODE in MS ms." */
void output__attached(struct output *o, size_t probes, const char *mode, double ms);

/* -i: the marker before each interval's table; before the final table, the totals marker. */
void output__interval_mark(struct output *o);
void output__totals_mark(struct output *o);

/* Before the final tables: a blank line after events (text). */
void output__end_of_events(struct output *o);

struct output_summary {
	enum { SUMMARY_NOOP, SUMMARY_COUNTS, SUMMARY_EVENTS, SUMMARY_LATENCY } what;
	uint64_t hits, events, lost, unpaired;
	size_t probes;
	uint32_t by_max;	/* --by: rows in the key table, 0: no --by */
	uint64_t by_dropped;	/* --by: hits whose key found the table full */
};

/*
 * The Summary line on stderr; with --json also the last record on stdout:
 * {"summary": true, "hits": N, "events": N, "lost": N, "unpaired": N, "probes": N}
 */
void output__summary(struct output *o, const struct output_summary *s);

/* Flush the trace; false once it cannot be written (stdout closed, e.g. piped into head). */
bool output__flush(struct output *o);

#endif
