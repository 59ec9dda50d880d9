/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uprobe_multi: one BPF link that puts one program on many offsets of one
 * binary, each with its own cookie (kernel 6.6+, BPF_TRACE_UPROBE_MULTI).
 * Debian's libbpf 1.1.2 predates bpf_program__attach_uprobe_multi(), so the
 * link is created here with the bpf(2) syscall directly.
 */
#ifndef USCOPE_UPROBE_MULTI_H
#define USCOPE_UPROBE_MULTI_H

#include <stdint.h>
#include <sys/types.h>

/* The kernel's values (include/uapi/linux/bpf.h); libbpf 1.1.2's copy lacks them. */
#define USCOPE_BPF_TRACE_UPROBE_MULTI 48
#define USCOPE_BPF_F_UPROBE_MULTI_RETURN 1u

struct uprobe_multi_opts {
	const uint64_t *offsets;	/* file offsets, cnt of them */
	const uint64_t *ref_ctr_offsets;	/* USDT semaphores' file offsets, or NULL */
	const uint64_t *cookies;	/* one per offset, or NULL for all 0 */
	uint32_t cnt;
	int retprobe;		/* 1: probe the returns of the functions at offsets */
	pid_t pid;		/* 0: every process that maps the binary */
};

/*
 * Create the link for PROG_FD (loaded with expected attach type
 * USCOPE_BPF_TRACE_UPROBE_MULTI) on PATH. Returns the link fd, or a
 * negative errno; closing the fd detaches every probe of the link.
 */
int uprobe_multi_link_create(int prog_fd, const char *path, const struct uprobe_multi_opts *opts);

#endif
