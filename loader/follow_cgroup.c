// SPDX-License-Identifier: BSD-2-Clause
/*
 * --cgroup PATH: which cgroup v2 directory is meant, and which process in it
 * names the binaries.
 *
 * PATH is a cgroup v2 directory (/sys/fs/cgroup/system.slice/x.service), or
 * a path inside the cgroup v2 hierarchy (/system.slice/x.service, as
 * /proc/PID/cgroup and systemd print it). On a hybrid system, where
 * /sys/fs/cgroup holds the v1 hierarchies and v2 is mounted below it
 * (/sys/fs/cgroup/unified), /sys/fs/cgroup/X is read as X in v2.
 *
 * The BPF filter needs only the directory's fd (bpf_current_task_under_cgroup
 * matches it and every cgroup below it). The binaries, though, are files as
 * the cgroup's processes see them, in their mount namespace (a container):
 * they are opened through a member's /proc/PID/root, as -p does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "follow.h"
#include "util.h"

static bool is_cgroup2(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Where the cgroup v2 hierarchy is mounted (allocated), from /proc/self/mountinfo. */
static char *cgroup2_mount(void)
{
	char line[PATH_MAX + 512], mnt[PATH_MAX], *found = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS" */
		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			found = strdup(mnt);
	}
	fclose(f);
	return found;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *follow__cgroup_dir(const char *arg)
{
	char *mnt = cgroup2_mount(), *dir = NULL, *real = NULL;
	const char *rest = arg;

	if (!mnt) {
		err_msg("--cgroup '%s': no cgroup v2 hierarchy is mounted", arg);
		return NULL;
	}
	if (arg[0] == '/' && is_cgroup2(arg)) {
		dir = strdup(arg);
	} else {
		if (!strncmp(arg, "/sys/fs/cgroup/", 15))
			rest = arg + 14;	/* hybrid: v1 at /sys/fs/cgroup, v2 below it */
		else if (arg[0] == '/' && is_dir(arg))
			rest = NULL;	/* a directory, but none of cgroup v2 */
		while (rest && *rest == '/')
			rest++;
		if (rest && asprintf(&dir, "%s/%s", mnt, rest) < 0)
			dir = NULL;
	}
	if (dir && is_cgroup2(dir))
		real = realpath(dir, NULL);
	if (!real) {
		if (is_dir(arg) || (dir && is_dir(dir)))
			err_msg("--cgroup '%s': not a cgroup v2 directory (cgroup v2 is mounted at %s)", arg, mnt);
		else
			err_msg("--cgroup '%s': no such cgroup (looked for %s)", arg, dir ? dir : arg);
	}
	free(dir);
	free(mnt);
	return real;
}

/* The first process listed in DIR/cgroup.procs, or in a cgroup below DIR; 0 if none. */
static pid_t find_member(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	pid_t pid = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 || depth > 64 || !(d = opendir(dir)))
		return pid > 0 ? pid : 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			pid = find_member(path, depth + 1);
	}
	closedir(d);
	return pid;
}

int follow__open_cgroup(struct follow *f)
{
	f->cgroup_path = follow__cgroup_dir(f->cgroup_arg);
	if (!f->cgroup_path)
		return -ENOENT;
	f->cgroup_fd = open(f->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->cgroup_fd < 0) {
		err_msg("--cgroup '%s': cannot open %s: %s", f->cgroup_arg, f->cgroup_path, strerror(errno));
		return -errno;
	}
	f->member.pid = find_member(f->cgroup_path, 0);
	if (!f->member.pid)
		warn_msg("cgroup %s has no process yet: binaries are looked up on this host", f->cgroup_path);
	return 0;
}
