/* SPDX-License-Identifier: BSD-2-Clause */
/* trace_opts: `uscope trace` argv, validated into one struct. */
#ifndef USCOPE_TRACE_OPTS_H
#define USCOPE_TRACE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "attach.h"
#include "stack_opts.h"

#define MAX_BINARY_OPTS 16

struct trace_opts {
	const char *binaries[MAX_BINARY_OPTS];	/* -x, in order */
	int nbinaries;
	const char *pid;	/* -p */
	const char *command;	/* -c */
	bool follow;		/* -f: and its descendants */
	const char *cgroup;	/* --cgroup PATH */
	double duration;	/* -d, 0: until stopped */
	double interval;	/* --interval, 0: only at the end */
	size_t top;		/* --top, 0: all */
	enum attach_mode attach;
	bool count;
	bool latency;
	bool json;
	bool hex;
	bool noop;
	bool no_skip_endbr;	/* keep entry probes on a leading endbr64 */
	int ret_mode;		/* --ret-mode: enum ret_mode (plan.h) */
	bool no_demangle;	/* --no-demangle: raw symbol names */
	bool verbose;		/* -v: libbpf's debug output on stderr */
	int nargs;		/* --args */
	uint16_t str_mask;	/* --str: bit K reads argument K as a string */
	uint32_t str_len;	/* --str-len: bytes kept per string */
	const char *filter;	/* --filter EXPR, NULL: none (loader/filter.h) */
	const char *by;		/* --by KEY,..., NULL: none (loader/by.h) */
	uint32_t by_max;	/* --by-max: rows in the key table */
	uint32_t late_room;	/* --late-room: sites kept for libraries that arrive later (late.h) */
	const char *hist;	/* --hist VALUE (log2), NULL: none (loader/hist.h) */
	const char *lhist;	/* --lhist VALUE,MIN,MAX,STEP, NULL: none */
	uint32_t tid;		/* --tid, USCOPE_NO_FILTER: none */
	uint32_t uid;		/* --uid, USCOPE_NO_FILTER: none */
	uint64_t ringbuf_size;
	const char *metrics;	/* --metrics ADDR:PORT, NULL: none */
	char **probes;
	int nprobes;
	uint64_t offsets[MAX_BINARY_OPTS];	/* --offset: raw file offsets in the first binary */
	bool offset_unsafe[MAX_BINARY_OPTS];	/* given as --unsafe-offset: not checked */
	int noffsets;
	struct stack_opts stack;	/* --stack and friends */
};

/* Returns 0, or -EINVAL after printing one message (a usage error). Exits 0 on --help. */
int trace_opts__parse(int argc, char **argv, struct trace_opts *o);

#endif
