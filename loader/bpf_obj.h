/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_obj: the one owner of uscope's BPF object (the skeleton). Who sets
 * the knobs, how big is every map, which programs load, and what do the
 * maps say afterwards? Nothing else in the loader includes the skeleton:
 * attach gets program and map handles (struct attach_progs), the session
 * gets the ring buffer fd and the readers below. Adding a map means
 * editing only this room (and the BPF side).
 */
#ifndef USCOPE_BPF_OBJ_H
#define USCOPE_BPF_OBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "attach.h"
#include "by.h"
#include "filter.h"
#include "hist.h"
#include "plan.h"

struct bpf_obj;

/* What the BPF side is told before load (read-only knobs and map sizes). */
struct bpf_knobs {
	enum attach_mode mode;	/* resolved: MULTI, PERF or NOCOOKIE */
	pid_t tgid;		/* 0: every process */
	uint32_t tid, uid;	/* USCOPE_NO_FILTER: none */
	bool events;		/* emit events through the ring buffer */
	bool latency;
	bool interval;		/* -i: per-interval tables */
	bool noop;		/* entries get an empty program (benchmark floor) */
	int nargs;
	uint16_t str_mask;	/* --str: arguments read as strings */
	uint32_t str_len;	/* --str-len */
	uint64_t ringbuf_size;
	bool verbose;		/* -v: ask the verifier for its log */
	const struct filter_set *filter;	/* --filter, compiled per site, or NULL */
	const struct by_spec *by;		/* --by keys, or NULL */
	const struct hist_spec *hist;		/* --hist / --lhist, or NULL */
	int stack_mode;		/* --stack: enum uscope_stack_mode, USCOPE_STACK_OFF when none */
	bool stack_count;	/* --count --stack */
	uint32_t stack_depth;	/* frames kept */
	bool stack_caller;	/* fp: some entry site needs its caller read from [%rsp] */
	uint32_t stack_bytes;	/* dwarf: stack bytes copied */
	bool follow;		/* -f: the tgid set decides (tgid ignored); fork/exit tracepoints load */
	bool cgroup;		/* --cgroup: the target_cgroup map decides */
	/* Libraries that arrive later (late.h): loader_brk loads, the maps keep room. */
	bool late;		/* some library waits for the loader's r_brk */
	uint32_t late_room;	/* sites kept free in the per-site maps for them */
	bool late_kinds[2];	/* entry / return sites may arrive: their programs load */
	int64_t late_rdebug_delta;	/* &_r_debug - &_dl_debug_state in the target's ld.so */
};

/*
 * Open the object, set the knobs, size every map from PLAN, choose the
 * programs, load (one verifier run per program, whatever the site count).
 * Returns 0 or a negative errno after printing one message.
 */
int bpf_obj__load(const struct bpf_knobs *k, const struct plan *plan, struct bpf_obj **out);
void bpf_obj__free(struct bpf_obj *o);

/* The programs and maps attach uses (valid while O lives). */
void bpf_obj__attach_progs(const struct bpf_obj *o, struct attach_progs *out);

/*
 * Stop counting at once: sets the BPF global `stopped` (see uscope.h), which
 * every program checks first, while the probes are still attached.
 */
void bpf_obj__stop(struct bpf_obj *o);

/* -f / --cgroup (follow_bpf.c): the tracepoint programs and the maps they share with the probes. */
struct follow_handles {
	struct bpf_program *fork, *exit;	/* tp_btf programs, loaded only with -f */
	int set_fd;		/* traced_tgids */
	int cgroup_fd;		/* target_cgroup (a cgroup array) */
	int stats_fd;		/* follow_stats */
};
void bpf_obj__follow_handles(const struct bpf_obj *o, struct follow_handles *out);

/* Libraries that arrive later (late_*.c): the r_brk program and its maps. */
struct late_handles {
	struct bpf_program *brk;	/* loader_brk, loaded only when a library waits */
	int held_fd;		/* late_held: tgid -> when it was stopped */
	int events_fd;		/* late_events: a ring buffer of struct uscope_late_event */
	int stats_fd;		/* late_stats: enum uscope_late_stat counters */
};
void bpf_obj__late_handles(const struct bpf_obj *o, struct late_handles *out);

/* The ring buffer map's fd (events), or -1 when events are off. */
int bpf_obj__events_fd(const struct bpf_obj *o);

/* Hits per site, summed over CPUs, into OUT[nsites]. Returns 0 or a negative errno. */
int bpf_obj__counts(const struct bpf_obj *o, uint64_t *out);

/* Totals over every site: hits, ring-buffer records lost, returns without a timed entry. */
uint64_t bpf_obj__hits(const struct bpf_obj *o);
uint64_t bpf_obj__lost(const struct bpf_obj *o);
uint64_t bpf_obj__unpaired(const struct bpf_obj *o);
/* --latency pairing statistics, OUT[USCOPE_PAIR_NSTATS] (enum uscope_pairing_stat). */
int bpf_obj__pairing(const struct bpf_obj *o, uint64_t *out);

/* --by: every row of the key table, sorted by key (allocated into *ROWS); hits it had no room for. */
int bpf_obj__by_rows(const struct bpf_obj *o, struct by_row **rows, size_t *n);
uint64_t bpf_obj__by_dropped(const struct bpf_obj *o);
/* --metrics: the same into ROWS (room for CAP rows), sorted by key, nothing allocated. */
int bpf_obj__by_read(const struct bpf_obj *o, struct by_row *rows, size_t cap, size_t *n);
/*
 * --latency --by: the (key, bucket) rows, allocated into *ROWS, sorted by
 * key: all of them, or (INTERVAL) exactly those since the last call: the half
 * BPF writes to is flipped, as for bpf_obj__hists_interval, and the old
 * half's rows are read and deleted.
 */
int bpf_obj__by_lat(struct bpf_obj *o, bool interval, struct by_row **rows, size_t *n);
/*
 * --metrics --latency --by: every (key, bucket) row into ROWS (room for CAP),
 * both halves (a row of each half is two rows: by__normalize() merges them),
 * nothing deleted, so each series only grows; nothing allocated.
 */
int bpf_obj__by_lat_read(const struct bpf_obj *o, struct by_row *rows, size_t cap, size_t *n);
/* --count --stack --by with frame pointers: FN for each (stack, key) counted (bpf_obj_context.h). */
struct uscope_by_stack_key;
typedef int (*bpf_by_stack_fn)(void *arg, const struct uscope_by_stack_key *k, uint64_t count, const uint64_t *ips,
			       uint32_t depth);
int bpf_obj__by_stacks(const struct bpf_obj *o, bpf_by_stack_fn fn, void *arg);

/* --hist / --lhist: [site][USCOPE_VHIST_BUCKETS], summed over CPUs (allocated), or NULL. */
uint64_t *bpf_obj__vhists(const struct bpf_obj *o);
/*
 * --count --stack with frame pointers: FN(ARG, key, count summed over CPUs,
 * the kernel's frames IPS[DEPTH], zero-padded) for every (site, stack) the
 * kernel counted; a nonzero return stops. Returns 0 or a negative errno.
 */
struct uscope_stack_key;
typedef int (*bpf_stack_fn)(void *arg, const struct uscope_stack_key *key, uint64_t count, const uint64_t *ips,
			    uint32_t depth);
int bpf_obj__stack_counts(const struct bpf_obj *o, bpf_stack_fn fn, void *arg);

/* --latency --stack: FN(ARG, key, histogram summed over CPUs, frames) per (entry site, stack) timed. */
struct uscope_hist;
typedef int (*bpf_stack_hist_fn)(void *arg, const struct uscope_stack_key *key, const struct uscope_hist *h,
				 const uint64_t *ips, uint32_t depth);
int bpf_obj__stack_hists(const struct bpf_obj *o, bpf_stack_hist_fn fn, void *arg);

/* Hits whose stack was not recorded, for one enum uscope_stack_loss reason. */
uint64_t bpf_obj__stack_lost(const struct bpf_obj *o, uint32_t why);

/*
 * --latency: histograms per slot, summed over CPUs (allocated, nslots + 1),
 * or NULL: all of the run so far (bpf_obj__hists), or, with -i, exactly
 * those since the last call (bpf_obj__hists_interval).
 */
struct uscope_hist *bpf_obj__hists(struct bpf_obj *o);
struct uscope_hist *bpf_obj__hists_interval(struct bpf_obj *o);

/*
 * Readers for a caller that reads again and again (--metrics scrapes):
 * buffers sized once in bpf_obj__reader_new() (NULL if out of memory),
 * batched map lookups, nothing allocated per read.
 */
struct bpf_obj_reader;
struct bpf_obj_reader *bpf_obj__reader_new(const struct bpf_obj *o);
void bpf_obj__reader_free(struct bpf_obj_reader *r);
/* Hits per site into OUT[nsites]. 0 or a negative errno. */
int bpf_obj__read_counts(struct bpf_obj_reader *r, uint64_t *out);
/* Records lost and unpaired returns; SCRATCH holds nsites values. */
int bpf_obj__read_totals(struct bpf_obj_reader *r, uint64_t *scratch, uint64_t *lost, uint64_t *unpaired);
/* --latency: histograms per slot into OUT[nslots], summed over CPUs. */
int bpf_obj__read_hists(struct bpf_obj_reader *r, struct uscope_hist *out);

#endif
