/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach: the site table in, links out. How are the plan's sites put into
 * the kernel, and taken out again? Three paths, chosen once per run:
 *   multi     one uprobe_multi link per (binary, entry|return|usdt), carrying
 *             the arrays of offsets, semaphore offsets and cookies (6.6+);
 *             attach_multi.c
 *   perf      one perf-event uprobe per function site or USDT location, with
 *             its cookie (5.15+); attach_perf.c
 *   nocookie  for kernels without BPF cookies (before 5.15): perf-event
 *             uprobes without cookies; BPF finds the site by its address in
 *             the one traced process, from a map filled once that process
 *             has mapped the binaries. Needs -p or -c; no return probes (a
 *             return probe's address is its caller's), so no --latency;
 *             attach_nocookie.c
 *
 * Attach is a self-contained function of (programs and map fds, plan, cfg):
 * it keeps no global state and prints only error lines on stderr, and
 * its result (struct attach_state) is nothing but fds and links, so that it
 * can run in another process (a guardian) and be torn down there.
 */
#ifndef USCOPE_ATTACH_H
#define USCOPE_ATTACH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "plan.h"

struct bpf_program;

enum attach_mode { ATTACH_AUTO, ATTACH_MULTI, ATTACH_PERF, ATTACH_NOCOOKIE };

/* What attach uses of the loaded BPF object (bpf_obj__attach_progs fills it). */
struct attach_progs {
	struct bpf_program *prog[3];	/* the program serving each site kind */
	struct bpf_program *insn_ret;	/* return instructions of --ret-mode insn sites (ret_insn.h) */
	int usdt_specs_fd;		/* USDT spec id -> argument record (usdt_read.bpf.h) */
	int usdt_ip_fd;			/* USDT ip -> cookie (nocookie) */
	int ip_sites_fd;		/* ip -> cookie (nocookie) */
};

struct attach_state {
	enum attach_mode mode;	/* what was used */
	int *fds;		/* uprobe_multi link fds */
	size_t nfds;
	struct bpf_link **links;	/* perf-event links */
	size_t nlinks;
	size_t probes;		/* kernel probe points installed */
};

struct attach_cfg {
	enum attach_mode mode;	/* resolved: MULTI, PERF or NOCOOKIE */
	pid_t pid;		/* 0: every process */
};

/* What a path needs of the rest of the session, returned by attach__check(). */
struct attach_needs {
	bool stop_child_at_exec;	/* -c: stop the child right after exec, then attach__after_exec() */
	bool after_exec;		/* call attach__after_exec() once the target has mapped the binaries */
};

const char *attach_mode_name(enum attach_mode mode);

/* AUTO -> the best path this kernel has; MULTI checked. Message printed on failure. */
int attach__resolve_mode(enum attach_mode asked, enum attach_mode *out);

/*
 * Can CFG's path serve PLAN, and what does it need? CHILD: the target is a
 * -c child. Returns 0 or -EINVAL after printing why not.
 */
int attach__check(const struct plan *plan, const struct attach_cfg *cfg, bool child, struct attach_needs *needs);

/*
 * After load: attach every site. Stops early, with everything detached,
 * when *STOP becomes nonzero (-EINTR). On failure prints one message,
 * detaches what was attached and returns a negative errno.
 */
int attach__run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		volatile sig_atomic_t *stop, struct attach_state *st);

/* When needs.after_exec: the process has mapped the binaries (see attach_nocookie.c). */
int attach__after_exec(const struct attach_progs *progs, const struct plan *plan, pid_t pid);

/*
 * --metrics: attach the sites of binary BI alone into a fresh *ST (multi or
 * perf path), its USDT sites only if USDT (a replaced file gets its function
 * sites again). Message printed and negative errno on failure, with nothing
 * left attached.
 */
int attach__run_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		       uint32_t bi, bool usdt, struct attach_state *st);

/* Keep one more link in ST (late.h merges a late library's links); 0 or -ENOMEM (released, message printed). */
int attach_state__add_fd(struct attach_state *st, int fd);
struct bpf_link;
int attach_state__add_link(struct attach_state *st, struct bpf_link *link);

void attach__destroy(struct attach_state *st);

#endif
