/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * follow_late: libraries that arrive later.
 *
 * A library named with -x or BIN: that no file matches at start (a soname
 * only, in a directory no search covers, that the target will dlopen by full
 * path) waits: the dynamic loader's r_brk (_dl_debug_state) is probed in the
 * traced process, which is held at every call (SIGSTOP from BPF) while this
 * side reads its mappings; once the name matches a mapped file, that file's
 * sites are planned and attached, and the process continues (SIGCONT).
 * Libraries that a file does match, but that a -p target has not mapped yet,
 * need none of this: they are attached by file from the start.
 */
#ifndef USCOPE_FOLLOW_LATE_H
#define USCOPE_FOLLOW_LATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "attach.h"
#include "plan.h"
#include "target.h"

#define LATE_MAX_NAMES 16
#define LATE_RESERVE 4096	/* sites kept free in the maps for late libraries */

struct uscope_bpf;
struct ring_buffer;
struct bpf_link;

struct late {
	const char *names[LATE_MAX_NAMES];	/* waiting library names, as given */
	bool attached[LATE_MAX_NAMES];
	size_t nnames;
	bool defaults_wait;	/* every -x waits: probes without BIN: go to the late ones */
	struct probe_spec *specs;	/* the probes of the run (not owned) */
	size_t nspecs;
	struct plan *side;	/* one plan per attached late library, kept for its names */
	size_t nside;
	size_t capacity;	/* sites the maps can hold */
	/* set by late__start */
	struct uscope_bpf *skel;
	struct plan *plan;
	const struct attach_cfg *cfg;
	struct attach_state *links;
	const struct target *target;
	int ld_fd;		/* uprobe_multi link on r_brk, -1: none */
	struct bpf_link *ld_link;	/* perf-event link on r_brk */
	struct ring_buffer *rb;
	char *ld_path;		/* the dynamic loader */
	uint64_t holds, held_ns;	/* times a process was held, and for how long in all */
};

/*
 * Resolve NAME (a -x or BIN:) like binpath_resolve(). Returns 0 with *SHOWN
 * and *OPEN set, 1 when NAME waits for the loader (a bare name, a -p/-c
 * target, no file found), or -ENOENT with the message printed.
 */
int late__resolve(struct late *l, const char *name, const struct target *rt, bool allowed, char **shown,
		  char **open);

/* Does spec SP (BIN: resolved or waiting) wait? Sets sp->bin = -1 if so. */
bool late__spec_waits(struct late *l, struct probe_spec *sp);

/* The specs plan__build takes at start (allocated shallow copies) and how many; the rest wait. */
struct probe_spec *late__start_specs(struct late *l, struct probe_spec *specs, size_t n, size_t ndefault,
				     size_t *nout);

/* Before load: the r_brk program loads only when a name waits; the maps get room. */
int late__prepare(struct late *l, struct uscope_bpf *skel, const struct plan *plan, enum attach_mode mode,
		  bool noop);

/* After attach__run: probe r_brk. Message printed on failure. */
int late__start(struct late *l, struct uscope_bpf *skel, struct plan *plan, const struct attach_cfg *cfg,
		struct attach_state *links, const struct target *t);

/* The loader's ring buffer fd to poll, or -1; late__consume() handles what it says. */
int late__poll_fd(const struct late *l);
void late__consume(struct late *l);

/* The sentence(s) the Attached line adds: which library was attached by file, which waits. */
const char *late__scope(const struct late *l, const struct plan *plan, const struct target *t);

/* Names that never arrived, and what holding cost, on stderr. */
void late__report(const struct late *l);

void late__free(struct late *l);

#endif
