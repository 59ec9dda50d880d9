/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Libraries that arrive later: the dynamic loader's r_brk. Included by
 * uscope.bpf.c after its filters, which it uses.
 *
 * When a probed library is named by a name no file matched at start (a
 * soname the target will dlopen by full path), the guardian attaches
 * loader_brk to the target's ld.so at _dl_debug_state, which ld.so calls
 * after every change to its list of objects, with _r_debug.r_state saying
 * which: RT_ADD (about to map), RT_DELETE (about to unmap), RT_CONSISTENT
 * (done). At RT_CONSISTENT after an add (during dlopen, the new objects are
 * mapped but not yet relocated, their constructors not run, dlopen not
 * returned) the whole process is stopped with SIGSTOP, delivered before it
 * runs another instruction of its own, and user space is told; it attaches
 * to the library if it is the one awaited, then sends SIGCONT. So calls made
 * right after dlopen returns, and in constructors, are counted too.
 *
 * late_held is the set of processes held now, written before the signal is
 * sent: whoever continues a process removes it, and the guardian continues
 * whatever is left when it detaches (uscope killed at any moment), so no
 * process stays stopped.
 */
#ifndef USCOPE_LATE_BPF_H
#define USCOPE_LATE_BPF_H

#define USCOPE_SIGSTOP 19
#define USCOPE_RT_CONSISTENT 0	/* enum r_state of <link.h> */
#define USCOPE_RT_DELETE 2
#define USCOPE_R_STATE_OFF 24	/* offsetof(struct r_debug, r_state) on x86-64 */

/* &_r_debug - &_dl_debug_state in the probed loader (elf_rtld.h). */
const volatile __s64 late_rdebug_delta = 0;

/* tgid -> the r_state it had at its last r_brk (an RT_DELETE's RT_CONSISTENT holds nothing). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, USCOPE_LATE_HELD_MAX);
	__type(key, __u32);
	__type(value, __u32);
} late_state SEC(".maps");

/* tgid -> when it was stopped: the processes held now. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, USCOPE_LATE_HELD_MAX);
	__type(key, __u32);
	__type(value, __u64);
} late_held SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} late_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, USCOPE_LATE_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} late_stats SEC(".maps");

static __always_inline void late_stat(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&late_stats, &which);

	if (c)
		__sync_fetch_and_add(c, 1);
}

/* Should this r_brk call hold the process? At RT_CONSISTENT, unless what changed was a delete. */
static __always_inline bool late_loaded(struct pt_regs *ctx, __u32 tgid)
{
	__u32 state = USCOPE_RT_CONSISTENT, *prev;
	bool after_delete;

	/* Unreadable: treat as loaded; an extra hold costs time, a missed one costs counts. */
	bpf_probe_read_user(&state, sizeof(state), (void *)(PT_REGS_IP(ctx) + late_rdebug_delta + USCOPE_R_STATE_OFF));
	prev = bpf_map_lookup_elem(&late_state, &tgid);
	after_delete = prev && *prev == USCOPE_RT_DELETE;
	bpf_map_update_elem(&late_state, &tgid, &state, BPF_ANY);
	return state == USCOPE_RT_CONSISTENT && !after_delete;
}

SEC("uprobe")
int loader_brk(struct pt_regs *ctx)
{
	struct uscope_late_event *e;
	__u64 id = bpf_get_current_pid_tgid(), t;
	__u32 tgid = id >> 32;

	if (stopped || (target_tgid && tgid != target_tgid) || (follow_filtering() && !follow_wanted(tgid, false)))
		return 0;
	if (!late_loaded(ctx, tgid))
		return 0;
	e = bpf_ringbuf_reserve(&late_events, sizeof(*e), 0);
	t = bpf_ktime_get_ns();
	if (!e || bpf_map_update_elem(&late_held, &tgid, &t, BPF_ANY)) {
		/* Never stop a process nobody was told about; said at the end. */
		if (e)
			bpf_ringbuf_discard(e, 0);
		late_stat(USCOPE_LATE_UNHELD);
		return 0;
	}
	e->time_ns = t;
	e->pid = tgid;
	e->tid = (__u32)id;
	/* A signal that cannot be sent (rare: -EBUSY) leaves the process running: not held, said at the end. */
	late_stat(bpf_send_signal(USCOPE_SIGSTOP) ? USCOPE_LATE_UNHELD : USCOPE_LATE_HOLDS);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

#endif
