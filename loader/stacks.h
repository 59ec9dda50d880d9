/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stacks: the loader's side of --stack. Decides the unwinding mode, sizes
 * the stack maps and sets the knobs before load, captures the target's
 * mappings at attach, turns ring buffer records into stacks (printing them
 * under their event, or counting them), and reads the kernel's stack counts
 * at the end. Printing lives in the output room (output_stacks.c, output_flamegraph.c).
 */
#ifndef USCOPE_STACKS_H
#define USCOPE_STACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "bpf_obj.h"
#include "output.h"
#include "plan.h"
#include "stack_opts.h"
#include "stack_table.h"
#include "by_stacks.h"
#include "../helpers/symbolize.h"
#include "../helpers/unwind_dwarf.h"


/* --latency --stack: one histogram of an (entry site, stack, pid). */
struct stack_hist {
	struct uscope_hist h;
	uint32_t site, pid;
	uint64_t *pcs;		/* the program counters, as for a counted stack */
	int n;
	bool no_stack;		/* timed under stack id -1: the stack map had no room */
};

struct stacks {
	const struct stack_opts *opts;
	const struct plan *plan;
	int mode;		/* enum uscope_stack_mode; USCOPE_STACK_OFF: no --stack */
	bool count;		/* --count --stack */
	bool *adds_caller;	/* per site: the kernel's walk misses the caller, insert [rsp] */
	struct symbolizer *sym;
	struct dwarf_unwinder *dw;
	struct stack_table table;
	uint64_t *pcs;		/* scratch: one stack's program counters */
	uint64_t lost_table;	/* stacks not counted (out of memory) */
	struct stack_hist *hists;	/* --latency --stack, read at the end */
	size_t nhists;
	uint64_t sym_stacks, sym_frames, sym_ns;	/* what symbolizing took (-v) */
	struct by_stacks *by;	/* --by: keys as root frames (by_stacks.h), or NULL */
};

/* Resolve --stack=auto against the plan's binaries; per-site facts. 0 or -errno (message printed). */
int stacks__prepare(struct stacks *st, const struct stack_opts *opts, const struct plan *plan, bool count);

/* Before load: what the BPF object must be told (mode, depth, stack bytes). */
void stacks__knobs(const struct stacks *st, struct bpf_knobs *k);

/* The target is attached (and runs): take a first snapshot of its mappings. */
void stacks__attached(struct stacks *st, pid_t pid);

/*
 * A ring buffer record. Returns 0 when it is not about stacks (print it as
 * usual), 1 when it was consumed silently, 2 when its event was printed
 * with its stack.
 */
int stacks__on_record(struct stacks *st, struct output *out, const void *data, size_t size);

/* The end: read the kernel's counts (fp), print stacks, folded lines, the flame graph. */
int stacks__report(struct stacks *st, const struct bpf_obj *obj, struct output *out);

void stacks__free(struct stacks *st);

/* Frame-pointer IPS[N] (zero-terminated early) -> st->pcs, the missed caller inserted. Returns the count. */
int stack_fp_pcs(struct stacks *st, uint32_t site, uint64_t caller, const uint64_t *ips, uint32_t n);

#endif
