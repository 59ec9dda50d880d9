/* SPDX-License-Identifier: BSD-2-Clause */
/* session_priv: the insides of a session, shared by session.c and session_run.c only. */
#ifndef USCOPE_SESSION_PRIV_H
#define USCOPE_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include "attach.h"
#include "binaries.h"
#include "follow.h"
#include "bpf_obj.h"
#include "by.h"
#include "filter.h"
#include "hist.h"
#include "late.h"
#include "metrics_agent.h"
#include "guardian.h"
#include "output.h"
#include "plan.h"
#include "stacks.h"
#include "session.h"
#include "target.h"

struct ring_buffer;

struct session {
	const struct trace_opts *opts;
	volatile sig_atomic_t *stop;
	bool done;		/* stopped before attaching: the remaining stages do nothing */
	struct target target;
	struct follow follow;	/* -f, --cgroup */
	struct binaries bins;
	struct plan plan;
	struct probe_spec *specs;
	int default_bins[MAX_BINARY_OPTS + 1];	/* -x, else the target's executable */
	size_t ndefault;
	struct attach_cfg cfg;
	struct attach_needs needs;
	struct bpf_obj *obj;
	struct attach_progs progs;
	struct attach_state links;	/* the links live in the guardian; uscope keeps mode and probes */
	struct guardian guard;		/* the process that creates and destroys the links */
	struct ring_buffer *rb;
	struct output out;
	uint64_t events;
	unsigned int batch;	/* events handled in this ring_buffer__consume() */
	bool final_drain;	/* probes detached: consume everything that is left */
	uint64_t *prev_counts;	/* --interval: totals at the last print */
	struct stat exe_st;	/* -p: the executable, to notice an exec */
	struct filter_expr filter;	/* --filter, parsed */
	struct filter_set fset;		/* --filter, compiled per site */
	struct by_spec by;		/* --by keys */
	struct hist_spec hist;		/* --hist / --lhist */
	struct metrics_agent metrics;	/* --metrics: the exporter (metrics_agent.h) */
	struct stacks stacks;	/* --stack */
	struct late late;	/* libraries that arrive later by a name no file matches yet */
	struct probe_spec *start_specs;	/* the probes planned at start (shallow copies); the rest wait */
	size_t nstart;
};

/* session_run.c: the ring buffer's callback, the aggregates, the loop. */
int session_on_event(void *ctx, void *data, size_t size);
void session_print_aggregates(struct session *s, bool interval);
void session_event_loop(struct session *s);

/* session_guard.c: attach__run() inside the guardian; 0 or a negative errno (message printed). */
int session_attach_guarded(struct session *s);

#endif
