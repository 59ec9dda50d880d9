/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Build-time check, never linked: the layout helpers/uprobe_multi.c writes
 * must be the one in the running kernel's BTF. Compiled with -fsyntax-only
 * against the vmlinux.h that bpftool dumped from /sys/kernel/btf/vmlinux.
 */
#include "vmlinux.h"

#define AT(member, off) \
	_Static_assert(__builtin_offsetof(union bpf_attr, link_create.member) == (off), \
		       "union bpf_attr link_create." #member " is not at " #off)

AT(prog_fd, 0);
AT(target_fd, 4);
AT(attach_type, 8);
AT(flags, 12);
AT(uprobe_multi.path, 16);
AT(uprobe_multi.offsets, 24);
AT(uprobe_multi.ref_ctr_offsets, 32);
AT(uprobe_multi.cookies, 40);
AT(uprobe_multi.cnt, 48);
AT(uprobe_multi.flags, 52);
AT(uprobe_multi.pid, 56);
_Static_assert(BPF_TRACE_UPROBE_MULTI == 48, "BPF_TRACE_UPROBE_MULTI");
_Static_assert(BPF_F_UPROBE_MULTI_RETURN == 1, "BPF_F_UPROBE_MULTI_RETURN");
