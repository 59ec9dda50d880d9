/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * late: libraries that arrive later by a name no file matches yet.
 *
 * `-x libplug.so` (or `libplug.so:GLOB`) with a -p/-c target, where no file
 * of that name is found at start (the target will dlopen it by a full path
 * no search covers), waits for the dynamic loader: the target's ld.so r_brk
 * (_dl_debug_state) is probed (probes/late.bpf.h); at each dlopen that has
 * mapped new objects the process is stopped from BPF (SIGSTOP) and uscope is
 * told. uscope looks for the waiting names among the process's mappings;
 * for one that has arrived it plans the waiting probes against that file,
 * appends the sites to its plan with new site ids (into room the per-site
 * maps kept at load: --late-room), and hands the path and the site records
 * to the guardian (guardian.h), which attaches them with
 * attach__run_binary() and keeps the links with its own. Then the process
 * continues (SIGCONT). Once every name has arrived, the r_brk link is
 * dropped and nothing is held any more.
 *
 * A library that a file does match is attached by file from the start
 * (follow_late.c); nothing of this runs for it.
 *
 *   late_names.c  which names wait, which probes with them, what the run allows (prepare, load)
 *   late_run.c    in uscope while tracing: a held process, an arrived library, the report
 *   late_guard.c  in the guardian: the r_brk link, the late links, continuing held processes
 */
#ifndef USCOPE_LATE_H
#define USCOPE_LATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "attach.h"
#include "bpf_obj.h"
#include "plan.h"
#include "probe_spec.h"
#include "target.h"
#include "../helpers/elf_rtld.h"

#define LATE_MAX_NAMES 16
#define LATE_ROOM_DEFAULT 4096	/* --late-room: sites kept free for libraries loaded later */
#define LATE_WAITS (-EINPROGRESS)	/* late__resolve: NAME waits for the loader */

struct guardian;
struct ring_buffer;
struct trace_opts;

struct late_name {
	const char *name;	/* as given */
	bool done;		/* arrived (attached or refused): not waited for again */
	bool attached;
};

struct late {
	struct late_name names[LATE_MAX_NAMES];
	size_t nnames;
	bool defaults_wait;	/* every -x waits: probes without BIN: wait with them */
	uint32_t room;		/* sites the maps keep for late libraries (--late-room) */
	size_t start_sites;	/* plan.nsites at start: the ids from there on arrived later */
	char *ld_path, *ld_open;	/* the target's dynamic loader, as shown and as opened */
	struct elf_rtld rtld;
	/* In uscope, set by late__start(). */
	struct late_handles h;
	struct ring_buffer *rb;
	struct plan *plan;
	struct probe_spec *specs;
	size_t nspecs;
	struct guardian *guard;
	const struct target *target;	/* a late library is opened as the target's files are */
	bool skip_endbr;
	bool unheld;		/* every name arrived: the guardian dropped r_brk */
	uint64_t holds, held_ns, held_max_ns;
	size_t probes;		/* probe points the guardian attached to late libraries */
	/* In the guardian. */
	struct attach_state brk;	/* the r_brk link */
	struct attach_state links;	/* the late libraries' links */
};

void late__init(struct late *l, uint32_t room);

/*
 * Resolve NAME (a -x or BIN:) into BINS like binaries__resolve(). Returns the
 * binary's index, LATE_WAITS when NAME waits (a bare library file name such
 * as libplug.so, MAY_WAIT: a -p/-c target, no file found), or a negative
 * errno after one message.
 */
int late__resolve(struct late *l, struct binaries *bins, const char *name, const struct target *t, bool may_wait);

/* Does probe SP wait (its BIN: is a waiting name)? */
bool late__spec_waits(const struct late *l, const struct probe_spec *sp);

/*
 * The specs to plan at start (allocated shallow copies) into *OUT, *NOUT;
 * NDEFAULT: -x binaries resolved now. 0 or -ENOMEM (message printed).
 */
int late__start_specs(struct late *l, struct probe_spec *specs, size_t n, size_t ndefault,
		      struct probe_spec **out, size_t *nout);

/*
 * What a run with waiting names cannot do, said in one line (-EINVAL), and
 * where the target's loader and its r_brk are (a message on failure).
 */
int late__check(struct late *l, const struct trace_opts *o, enum attach_mode mode, const struct target *t,
		const struct probe_spec *specs, size_t nspecs);

/* The knobs the BPF object needs (room, programs, r_debug). */
void late__knobs(const struct late *l, struct bpf_knobs *k);

/* The Attached line's sentence for each waiting name, after PREV. */
const char *late__scope(const struct late *l, const char *prev);

/* In uscope, after the guardian attached: the loader's ring buffer. Message printed on failure. */
int late__start(struct late *l, const struct bpf_obj *obj, struct plan *plan, struct probe_spec *specs,
		size_t nspecs, struct guardian *guard, const struct target *t, bool skip_endbr);

/* The fd to poll (-1: none), and handling what it says (first: a process may be held). */
int late__fd(const struct late *l);
void late__consume(struct late *l);

/* At the end: what holding cost, names that never arrived, loads not held. */
void late__report(const struct late *l);

void late__free(struct late *l);

/* In the guardian: attach the r_brk (after the plan's links). Message printed on failure. */
int late__guard_attach(struct late *l, const struct bpf_obj *obj, const struct attach_cfg *cfg);

/* In the guardian: attach the library MSG (LEN bytes, from late_run.c) describes; see guardian_ops.more. */
int late__guard_more(struct late *l, struct plan *plan, const struct attach_progs *progs,
		     const struct attach_cfg *cfg, const char *msg, size_t len, size_t *probes);

/* In the guardian: drop the r_brk link, then continue every process still held. */
void late__guard_unhold(struct late *l, const struct bpf_obj *obj);

/* In the guardian: unhold, and drop the late libraries' links. */
void late__guard_detach(struct late *l, const struct bpf_obj *obj);

#endif
