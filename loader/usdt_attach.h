/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_attach: how do a plan's USDT locations get onto each attach path, with
 * uscope's own argument records (probes/usdt_read.bpf.h)?
 *
 * Location L of plan.locs has spec id L: its record is usdt_specs[L], and
 * every path hands the BPF side the same 64-bit value for it,
 * USCOPE_COOKIE(site, L):
 *   multi     one uprobe_multi link per binary, that value as each cookie,
 *             each semaphore's file offset as its ref_ctr_offset;
 *   perf      one perf-event uprobe per location, the same cookie and
 *             ref_ctr_offset (bpf_program__attach_uprobe_opts);
 *   nocookie  the same uprobe without a cookie; usdt_ip_cookies maps the
 *             location's address in the traced process to the value.
 */
#ifndef USCOPE_USDT_ATTACH_H
#define USCOPE_USDT_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "plan.h"

struct uscope_bpf;
struct bpf_link;

/* Before load: size usdt_specs (and, without cookies, usdt_ip_cookies) to the locations. */
int usdt_attach__prepare(struct uscope_bpf *skel, const struct plan *plan, bool nocookie);

/* After load: write every location's spec. Message printed on failure. */
int usdt_attach__specs(struct uscope_bpf *skel, const struct plan *plan);

/*
 * multi: one link for every location of binary BI. Returns the link fd and
 * sets *N to the locations, or 0 with *N = 0 when BI has none, or a negative
 * errno with *N = the locations it tried (the caller reports it).
 */
int usdt_attach__multi(struct uscope_bpf *skel, const struct plan *plan, uint32_t bi, pid_t pid, size_t *n);

/* perf / nocookie: location L as a perf-event uprobe; NULL with errno set on failure. */
struct bpf_link *usdt_attach__loc(struct uscope_bpf *skel, const struct plan *plan, size_t l, pid_t pid,
				  bool cookie);

/* nocookie: location L is at run-time address IP in the traced process. */
int usdt_attach__map_ip(struct uscope_bpf *skel, const struct plan *plan, size_t l, uint64_t ip);

/* Warn once for a location some of whose arguments cannot be read, naming them; BIN is shown. */
void usdt_attach__warn_unreadable(const struct usdt_note *n, const char *bin);

#endif
