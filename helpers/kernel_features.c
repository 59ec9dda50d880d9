// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel feature probes. Each one asks the kernel a question whose answer is
 * a distinct error code, so nothing is attached and nothing is left behind:
 *
 * uprobe_multi: load an empty kprobe-type program with expected attach type
 *   BPF_TRACE_UPROBE_MULTI and ask for a link on "/" (a directory). A kernel
 *   that knows uprobe_multi gets as far as opening the path and fails with
 *   EBADF; one that does not rejects the attach type with EINVAL.
 * cookies: libbpf's helper probe tells whether a kprobe-type program may
 *   call bpf_get_attach_cookie().
 * privileges: capget(2), so the user hears which capability is missing
 *   instead of an EPERM from deep inside the loader.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_features.h"
#include "uprobe_multi.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int kfeat_uprobe_multi(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, popts,
		    .expected_attach_type = (enum bpf_attach_type)USCOPE_BPF_TRACE_UPROBE_MULTI);
	const uint64_t offset = 0;
	struct uprobe_multi_opts uopts = { .offsets = &offset, .cnt = 1 };
	int prog_fd, link_fd, err;

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &popts);
	if (prog_fd < 0)
		return prog_fd == -EINVAL ? 0 : prog_fd;
	link_fd = uprobe_multi_link_create(prog_fd, "/", &uopts);
	if (link_fd >= 0) {	/* cannot happen on a directory; be tidy anyway */
		close(link_fd);
		err = 1;
	} else {
		err = link_fd == -EBADF ? 1 : 0;
	}
	close(prog_fd);
	return err;
}

int kfeat_bpf_cookie(void)
{
	int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, NULL);

	return r < 0 ? r : r > 0;
}

bool kfeat_can_trace(const char **missing)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t eff;

	if (syscall(SYS_capget, &hdr, data)) {
		*missing = "CAP_BPF and CAP_PERFMON (capget failed)";
		return false;
	}
	eff = (uint64_t)data[1].effective << 32 | data[0].effective;
#define HAS(cap) (eff & (1ULL << (cap)))
	if (HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON)))
		return true;
	if (HAS(CAP_BPF))
		*missing = "CAP_PERFMON";
	else if (HAS(CAP_PERFMON))
		*missing = "CAP_BPF";
	else
		*missing = "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
#undef HAS
	return false;
}
