// SPDX-License-Identifier: BSD-2-Clause
/*
 * What -f and --cgroup ask for, and how they combine with the rest of the
 * options. See follow.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "follow.h"
#include "trace_opts.h"
#include "util.h"

int follow__check_opts(const struct trace_opts *o)
{
	if (o->follow && !o->pid && !o->command) {
		err_msg("-f/--follow needs -p or -c: it follows the children of one process");
		return -EINVAL;
	}
	if (o->cgroup && (o->pid || o->command)) {
		err_msg("--cgroup cannot be used with -p or -c");
		return -EINVAL;
	}
	if ((o->follow || o->cgroup) && o->attach == ATTACH_NOCOOKIE) {
		err_msg("--attach nocookie cannot be used with %s: without cookies a probe is recognised by "
			"its address in one process", o->follow ? "-f" : "--cgroup");
		return -EINVAL;
	}
	return 0;
}

int follow__init(struct follow *f, const struct trace_opts *o)
{
	memset(f, 0, sizeof(*f));
	f->cgroup_fd = -1;
	f->member.pidfd = f->member.go_fd = -1;
	f->tree = o->follow;
	f->cgroup_arg = o->cgroup;
	if (!o->cgroup)
		return 0;
	return follow__open_cgroup(f);
}

const struct target *follow__resolver(const struct follow *f, const struct target *t)
{
	return f->member.pid > 0 ? &f->member : t;
}

pid_t follow__link_pid(const struct follow *f, pid_t target_pid)
{
	return f->tree ? 0 : target_pid;
}

const char *follow__scope(const struct follow *f)
{
	static char buf[PATH_MAX + 32];

	if (f->tree)
		return " Following the process tree.";
	if (!f->cgroup_path)
		return "";
	snprintf(buf, sizeof(buf), " Tracing cgroup %s.", f->cgroup_path);
	return buf;
}

void follow__free(struct follow *f)
{
	follow__detach(f);
	if (f->cgroup_fd >= 0)
		close(f->cgroup_fd);
	free(f->cgroup_path);
	f->cgroup_path = NULL;
	f->cgroup_fd = -1;
}
