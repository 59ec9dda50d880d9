/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Libraries that arrive later: the dynamic loader's r_brk. Included by
 * uscope.bpf.c after wanted(), which it uses.
 *
 * ld.so calls _dl_debug_state() (the r_brk of struct r_debug, the hook
 * debuggers use) before and after every change to the list of loaded
 * objects: dlopen, dlclose, and start-up. When a probed library is named
 * only by a name that no file matched at start, the loader attaches
 * loader_brk there. Each call from a traced process sends user space a
 * record and, with hold_loads, stops the whole process (SIGSTOP, delivered
 * before it runs another instruction of its own); user space reads its
 * mappings, attaches to the library if it is now mapped, and sends SIGCONT.
 * So calls made right after dlopen returns are counted too.
 */
#ifndef USCOPE_LATE_BPF_H
#define USCOPE_LATE_BPF_H

#define USCOPE_SIGSTOP 19

const volatile bool hold_loads = true;	/* stop the process at r_brk until user space resumes it */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} loader_events SEC(".maps");

SEC("uprobe")
int loader_brk(struct pt_regs *ctx __attribute__((unused)))
{
	struct uscope_loader_event *e;
	__u64 id;

	if (!wanted())
		return 0;
	e = bpf_ringbuf_reserve(&loader_events, sizeof(*e), 0);
	if (!e)
		return 0;	/* never stop a process nobody was told about */
	id = bpf_get_current_pid_tgid();
	e->time_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	if (hold_loads)
		bpf_send_signal(USCOPE_SIGSTOP);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

#endif
