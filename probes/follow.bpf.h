/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which processes are traced beyond one pid: a process tree (-f) or a
 * cgroup (--cgroup). Included once, by uscope.bpf.c; wanted() calls
 * follow_wanted().
 *
 * -f: traced_tgids is the set of processes in the tree. User space seeds it
 * with the target (and, for -p, the descendants it already has); the
 * sched_process_fork tracepoint adds every process a member forks, and
 * sched_process_exit removes a member once its last thread is gone, so user
 * space ends when the set is empty. The uprobe_multi links are made with
 * pid 0 in this mode: a link's own pid filter would drop the children.
 *
 * Both tracepoints are BTF-enabled raw tracepoints (tp_btf: no tracefs, the
 * arguments are typed kernel pointers). They are the only programs that need
 * the kernel's BTF to load (libbpf resolves their attach target in it, about
 * 60 ms and 10 MB), so the loader autoloads them only with -f. The object is
 * built without CO-RE, so `child->tgid` is read at the offset of the build
 * machine's vmlinux.h. That offset is checked on every fork against the
 * parent, whose pid and tgid the helper returns independently; a mismatch
 * (a binary built for another kernel) is counted, never silently used.
 *
 * --cgroup: bpf_current_task_under_cgroup() against the one cgroup in
 * target_cgroup: true for that cgroup and every cgroup below it, whatever
 * the cgroup namespace the loader runs in.
 */
#ifndef USCOPE_FOLLOW_BPF_H
#define USCOPE_FOLLOW_BPF_H

const volatile bool follow = false;		/* -f: filter by traced_tgids */
const volatile bool cgroup_filter = false;	/* --cgroup: filter by target_cgroup */

/* tgid -> the tgid that forked it (0 for the processes user space seeded). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, USCOPE_FOLLOW_MAX);
	__type(key, __u32);
	__type(value, __u32);
} traced_tgids SEC(".maps");

/* Slot 0: the --cgroup directory's fd, stored by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_cgroup SEC(".maps");

/* enum uscope_follow_stat counters (uscope.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, USCOPE_FOLLOW_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} follow_stats SEC(".maps");

static __always_inline bool follow_filtering(void)
{
	return follow || cgroup_filter;
}

/* SLEEPABLE: a sleepable program may not use a cgroup array (the loader keeps --cgroup off the twins). */
static __always_inline bool follow_wanted(__u32 tgid, const bool sleepable)
{
	if (follow && !bpf_map_lookup_elem(&traced_tgids, &tgid))
		return false;
	if (!sleepable && cgroup_filter && bpf_current_task_under_cgroup(&target_cgroup, 0) != 1)
		return false;
	return true;
}

static __always_inline void follow_stat(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&follow_stats, &which);

	if (c)
		__sync_fetch_and_add(c, 1);
}

/* (parent, child); runs in the parent (current), before the child first runs. */
SEC("tp_btf/sched_process_fork")
int follow_fork(__u64 *ctx)
{
	struct task_struct *parent = (void *)ctx[0], *child = (void *)ctx[1];
	__u64 id = bpf_get_current_pid_tgid();
	__u32 ptgid = id >> 32, ctgid;

	if (!bpf_map_lookup_elem(&traced_tgids, &ptgid))
		return 0;
	if (parent->tgid != (pid_t)ptgid || parent->pid != (pid_t)id) {
		follow_stat(USCOPE_FOLLOW_BAD_LAYOUT);
		return 0;
	}
	ctgid = child->tgid;
	if (ctgid == ptgid)
		return 0;	/* a new thread of a member: already traced */
	if (bpf_map_update_elem(&traced_tgids, &ctgid, &ptgid, BPF_NOEXIST) == 0)
		follow_stat(USCOPE_FOLLOW_FORKS);
	else if (!bpf_map_lookup_elem(&traced_tgids, &ctgid))
		follow_stat(USCOPE_FOLLOW_SET_FULL);
	return 0;
}

/* Runs in the exiting thread; group_dead: it was the process's last. */
SEC("tp_btf/sched_process_exit")
int follow_exit(__u64 *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (ctx[1])	/* (task, group_dead): the process's last thread */
		bpf_map_delete_elem(&traced_tgids, &tgid);
	return 0;
}

#endif
