/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach: the site table in, links out. The rest of uscope never touches a
 * link. Two paths, chosen once per run:
 *   multi  one uprobe_multi link per (binary, entry|return|usdt), carrying
 *          the arrays of offsets, semaphore offsets and cookies (6.6+)
 *   perf   one perf-event uprobe per function site, and libbpf's
 *          bpf_program__attach_usdt() per USDT site (5.15+)
 *   nocookie  for kernels without BPF cookies (before 5.15): perf-event
 *          uprobes without cookies; BPF finds the site by its address in the
 *          one traced process, from a map filled once that process has mapped
 *          the binaries (attach__map_addresses). Needs -p or -c; no return
 *          probes (a return probe's address is its caller's), so no --latency.
 */
#ifndef USCOPE_ATTACH_H
#define USCOPE_ATTACH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "plan.h"

struct uscope_bpf;

enum attach_mode { ATTACH_AUTO, ATTACH_MULTI, ATTACH_PERF, ATTACH_NOCOOKIE };

struct attach_state {
	enum attach_mode mode;	/* what was used: MULTI or PERF */
	int *fds;		/* uprobe_multi link fds */
	size_t nfds;
	struct bpf_link **links;	/* perf-event and libbpf USDT links */
	size_t nlinks;
	size_t probes;		/* kernel probe points installed */
};

const char *attach_mode_name(enum attach_mode mode);

struct attach_cfg {
	enum attach_mode mode;	/* resolved: MULTI or PERF */
	pid_t pid;		/* 0: every process */
	bool noop;		/* entries get an empty program (benchmark floor) */
};

/* AUTO -> the best path this kernel has; MULTI checked. Message printed on failure. */
int attach__resolve_mode(enum attach_mode asked, enum attach_mode *out);

/* Before load: expected attach types, which programs load, USDT spec map size. */
int attach__prepare(struct uscope_bpf *skel, const struct plan *plan, const struct attach_cfg *cfg);

/*
 * After load: attach every site. Stops early, with
 * everything detached, when *STOP becomes nonzero. On failure prints one
 * message, detaches what was attached and returns a negative errno.
 */
int attach__run(struct uscope_bpf *skel, const struct plan *plan, const struct attach_cfg *cfg,
		volatile sig_atomic_t *stop, struct attach_state *st);

/*
 * Attach the sites of binary BI alone (multi or perf), adding to ST: for a
 * library that arrived after attach__run(). Message printed on failure.
 */
int attach__binary(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, const struct attach_cfg *cfg,
		   struct attach_state *st);

/*
 * nocookie only: once PID has mapped the binaries, fill the address -> site
 * maps from /proc/PID/maps. Sites of a binary PID has not mapped are reported
 * and stay silent. Returns 0 or a negative errno (message printed).
 */
int attach__map_addresses(struct uscope_bpf *skel, const struct plan *plan, pid_t pid);

/* The Kconfig text the BPF object is opened with for MODE. */
const char *attach_kconfig(enum attach_mode mode);

void attach__destroy(struct attach_state *st);

#endif
