// SPDX-License-Identifier: BSD-2-Clause
/*
 * -f and --cgroup on the loaded BPF object: the fork and exit tracepoints,
 * the set's seeds, the cgroup, the counters at the end. (The knobs and
 * which programs load are bpf_obj.c's: the tracepoint programs are tp_btf,
 * and loading one makes libbpf parse the kernel's BTF to find its attach
 * target, about 11 MB here; with autoload off libbpf 1.1 skips them and,
 * the object having no CO-RE relocations, never opens
 * /sys/kernel/btf/vmlinux at all, so a run without -f pays nothing.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "follow.h"
#include "follow_internal.h"
#include "util.h"
#include "bpf_obj.h"
#include <linux/types.h>
#include "../probes/uscope.h"

static struct bpf_link *attach_tp(struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach(prog);

	if (!link)
		err_msg("-f: cannot attach the %s tracepoint: %s", bpf_program__section_name(prog),
			strerror(errno));
	return link;
}

int follow__start(struct follow *f, const struct bpf_obj *obj, const struct target *t)
{
	uint32_t key = 0;
	int err;

	bpf_obj__follow_handles(obj, &f->h);
	if (f->cgroup_fd >= 0 && bpf_map_update_elem(f->h.cgroup_fd, &key, &f->cgroup_fd, BPF_ANY)) {
		err_msg("--cgroup '%s': cannot store the cgroup: %s", f->cgroup_arg, strerror(errno));
		return -errno;
	}
	if (!f->tree)
		return 0;
	/* Tracepoints first, then the seeds: a fork in between is seen by one side or both. */
	f->fork_link = attach_tp(f->h.fork);
	f->exit_link = f->fork_link ? attach_tp(f->h.exit) : NULL;
	if (!f->exit_link)
		return -errno;
	err = follow_seed(f->h.set_fd, t->pid, 0);
	if (!err && !t->child)	/* -c: a child just forked has no children yet */
		err = follow_seed_descendants(f->h.set_fd, t->pid);
	return err;
}

static uint64_t stat_of(const struct follow *f, uint32_t which)
{
	uint64_t v = 0;

	if (bpf_map_lookup_elem(f->h.stats_fd, &which, &v))
		return 0;
	return v;
}

bool follow_check_layout(const struct follow *f)
{
	if (!stat_of(f, USCOPE_FOLLOW_BAD_LAYOUT))
		return false;
	err_msg("-f: this kernel's task_struct is not laid out as the one uscope was built for; "
		"children cannot be followed (rebuild uscope on this kernel)");
	return true;
}

void follow__report(const struct follow *f)
{
	uint64_t forks, full;

	if (!f->tree)
		return;
	forks = stat_of(f, USCOPE_FOLLOW_FORKS);
	full = stat_of(f, USCOPE_FOLLOW_SET_FULL);
	fprintf(stderr, "Followed %llu process%s forked by the tree\n", (unsigned long long)forks,
		forks == 1 ? "" : "es");
	if (full)
		err_msg("%llu process%s forked by the tree were not traced: the set of traced processes "
			"was full (%d)", (unsigned long long)full, full == 1 ? "" : "es", USCOPE_FOLLOW_MAX);
}

void follow__detach(struct follow *f)
{
	bpf_link__destroy(f->fork_link);
	bpf_link__destroy(f->exit_link);
	f->fork_link = f->exit_link = NULL;
}
