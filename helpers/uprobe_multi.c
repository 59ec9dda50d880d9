// SPDX-License-Identifier: BSD-2-Clause
/*
 * Creates uprobe_multi links with the raw bpf(2) BPF_LINK_CREATE command.
 *
 * Why by hand: libbpf gained bpf_program__attach_uprobe_multi() in 1.3, and
 * the Debian libbpf we build against is 1.1.2, whose union bpf_attr does not
 * even have the uprobe_multi member. So the part of union bpf_attr that
 * BPF_LINK_CREATE reads is spelled out below as our own struct. Its layout
 * is the kernel's ABI (stable once released, kernel commit 89ae89f53d20,
 * "bpf: Add multi uprobe link", v6.6); the build checks every offset against
 * the running kernel's BTF (helpers/uprobe_multi_abi_check.c, compiled with
 * the generated vmlinux.h), so a mismatch fails `make`, not a trace.
 *
 * Why one link per (binary, entry|return): the kernel takes arrays of
 * offsets, ref_ctr offsets and cookies, installs every breakpoint in one
 * syscall, and tears them all down when the fd is closed, with one RCU wait
 * for the whole link instead of one per probe (a perf-event uprobe costs
 * about 0.1 s to detach here; a link of 50,000 probes, well under 0.1 s).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "uprobe_multi.h"

/* union bpf_attr as BPF_LINK_CREATE reads it for BPF_TRACE_UPROBE_MULTI. */
struct link_create_uprobe_multi_attr {
	uint32_t prog_fd;		/* 0 */
	uint32_t target_fd;		/* 4: unused, 0 */
	uint32_t attach_type;		/* 8: BPF_TRACE_UPROBE_MULTI */
	uint32_t flags;			/* 12: link_create.flags, must be 0 */
	uint64_t path;			/* 16: const char * */
	uint64_t offsets;		/* 24: const u64 * */
	uint64_t ref_ctr_offsets;	/* 32: const u64 *, may be 0 */
	uint64_t cookies;		/* 40: const u64 *, may be 0 */
	uint32_t cnt;			/* 48 */
	uint32_t um_flags;		/* 52: BPF_F_UPROBE_MULTI_RETURN */
	uint32_t pid;			/* 56: 0 = every process */
	uint32_t pad;			/* 60 */
};

_Static_assert(offsetof(struct link_create_uprobe_multi_attr, path) == 16, "path");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, offsets) == 24, "offsets");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, ref_ctr_offsets) == 32, "ref_ctr");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, cookies) == 40, "cookies");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, cnt) == 48, "cnt");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, um_flags) == 52, "flags");
_Static_assert(offsetof(struct link_create_uprobe_multi_attr, pid) == 56, "pid");
_Static_assert(sizeof(struct link_create_uprobe_multi_attr) == 64, "size");

int uprobe_multi_link_create(int prog_fd, const char *path, const struct uprobe_multi_opts *opts)
{
	struct link_create_uprobe_multi_attr attr;
	int fd;

	if (!path || !opts || !opts->offsets || opts->cnt == 0 || opts->pid < 0)
		return -EINVAL;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.attach_type = USCOPE_BPF_TRACE_UPROBE_MULTI;
	attr.path = (uint64_t)(uintptr_t)path;
	attr.offsets = (uint64_t)(uintptr_t)opts->offsets;
	attr.ref_ctr_offsets = (uint64_t)(uintptr_t)opts->ref_ctr_offsets;
	attr.cookies = (uint64_t)(uintptr_t)opts->cookies;
	attr.cnt = opts->cnt;
	attr.um_flags = opts->retprobe ? USCOPE_BPF_F_UPROBE_MULTI_RETURN : 0;
	attr.pid = (uint32_t)opts->pid;

	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}
