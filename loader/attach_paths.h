/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach_paths: what the three attach paths share, and their entry points.
 * Private to attach*.c; the rest of the loader includes attach.h only.
 */
#ifndef USCOPE_ATTACH_PATHS_H
#define USCOPE_ATTACH_PATHS_H

#include <bpf/libbpf.h>
#include "attach.h"

/*
 * Keep LINK, one kernel probe of site S in PATH, in ST; a NULL LINK is libbpf's
 * failure (errno), printed here. Returns 0 or a negative errno.
 */
int attach_keep_link(struct attach_state *st, struct bpf_link *link, const struct site *s, const char *path,
		     pid_t pid);
/* Keep FD in ST (or release it and return -ENOMEM). */
int attach_add_fd(struct attach_state *st, int fd);

/*
 * The one printer of attach failures: "cannot attach WHAT in 'PATH': why",
 * naming an exited process when that is why. N > 0: N probes of kind WHAT.
 */
void attach_report_failure(int err, const char *what, size_t n, const char *path, pid_t pid);

/* Store location LOC's USDT spec (usdt_read.bpf.h) under spec id LOC. Message printed on failure. */
int attach_store_usdt_spec(const struct attach_progs *progs, const struct plan *plan, uint32_t loc);

/* What the BPF side gets for USDT location LOC: USCOPE_COOKIE(site, spec id LOC). */
uint64_t attach_usdt_cookie(const struct plan *plan, uint32_t loc);

/* perf / nocookie: location LOC as a perf-event uprobe, its semaphore as ref_ctr_offset; NULL + errno. */
struct bpf_link *attach_usdt_loc(const struct attach_progs *progs, const struct plan *plan, uint32_t loc,
				 pid_t pid, bool cookie);

int attach_multi_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		     volatile sig_atomic_t *stop, struct attach_state *st);
int attach_perf_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		    volatile sig_atomic_t *stop, struct attach_state *st);
/* One binary's sites (attach__run_binary). */
int attach_multi_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
			uint32_t bi, bool usdt, struct attach_state *st);
int attach_perf_binary(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
		       uint32_t bi, bool usdt, struct attach_state *st);
int attach_nocookie_run(const struct attach_progs *progs, const struct plan *plan, const struct attach_cfg *cfg,
			volatile sig_atomic_t *stop, struct attach_state *st);
int attach_nocookie_check(const struct plan *plan, const struct attach_cfg *cfg, bool child,
			  struct attach_needs *needs);

#endif
