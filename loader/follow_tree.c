// SPDX-License-Identifier: BSD-2-Clause
/*
 * -f: which processes belong to the tree when tracing starts, and whether
 * any of it is still alive.
 *
 * BPF keeps the set from the moment its fork tracepoint is attached; what
 * it cannot know is the past: the children a -p target already had. Those
 * are found here, by walking /proc once (every process's parent, then the
 * descendants of the target), after the tracepoint is attached, so a
 * process forked meanwhile is caught by one side or both.
 *
 * The exit tracepoint removes a member when its last thread exits. A member
 * seeded from /proc that exited before it was seeded would stay forever, so
 * once a second the set is checked against /proc and such members dropped.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "follow.h"
#include "follow_internal.h"
#include "util.h"

/* Parent and state of PID from /proc/PID/stat; false if it is gone. */
static bool proc_stat(pid_t pid, pid_t *ppid, char *state)
{
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	return p && sscanf(p + 1, " %c %d", state, ppid) == 2;
}

/* Alive: exists and is neither a zombie nor dead (whose exit the tracepoint may have seen already). */
bool follow_proc_alive(pid_t pid)
{
	char state;
	pid_t ppid;

	return proc_stat(pid, &ppid, &state) && state != 'Z' && state != 'X';
}

int follow_seed(int map_fd, pid_t pid, pid_t parent)
{
	uint32_t k = pid, v = parent;

	if (bpf_map_update_elem(map_fd, &k, &v, BPF_ANY)) {
		err_msg("cannot add process %d to the traced set: %s", pid, strerror(errno));
		return -errno;
	}
	return 0;
}

struct proc_link {
	pid_t pid, ppid;
};

/* Every live process and its parent. */
static struct proc_link *read_procs(size_t *n)
{
	struct proc_link *all = NULL, *m;
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		pid_t pid, ppid;
		char state;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (!proc_stat(pid, &ppid, &state) || state == 'Z' || state == 'X')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 512;
			m = realloc(all, cap * sizeof(*all));
			if (!m)
				break;
			all = m;
		}
		all[(*n)++] = (struct proc_link){ pid, ppid };
	}
	closedir(d);
	return all;
}

int follow_seed_descendants(int map_fd, pid_t root)
{
	size_t n, i, added = 1;
	struct proc_link *all = read_procs(&n);
	uint32_t k, v;
	int err = 0;

	if (!all)
		return 0;
	/* Add children of members until nothing changes: parents may be listed after their children. */
	while (added && !err) {
		added = 0;
		for (i = 0; i < n && !err; i++) {
			k = all[i].ppid;
			if (all[i].pid == root || bpf_map_lookup_elem(map_fd, &k, &v))
				continue;	/* the root itself, or a parent outside the tree */
			k = all[i].pid;
			if (!bpf_map_lookup_elem(map_fd, &k, &v))
				continue;	/* already a member */
			err = follow_seed(map_fd, all[i].pid, all[i].ppid);
			added++;
		}
	}
	free(all);
	return err;
}

/* Drop members that are gone without the exit tracepoint seeing them (see the top). */
static void prune(int map_fd)
{
	uint32_t kept, next;
	bool have = false;

	/* Iterate from the last member kept, so a deletion never restarts the walk. */
	while (!bpf_map_get_next_key(map_fd, have ? &kept : NULL, &next)) {
		if (!follow_proc_alive(next)) {
			bpf_map_delete_elem(map_fd, &next);
			continue;
		}
		kept = next;
		have = true;
	}
}

bool follow__tree_alive(struct follow *f)
{
	int fd = f->h.set_fd;
	uint64_t now = now_ns();
	uint32_t key;

	if (!f->tree)
		return true;
	if (f->failed || follow_check_layout(f))
		return false;
	if (now >= f->next_prune_ns) {
		prune(fd);
		f->next_prune_ns = now + 1000000000ull;
	}
	return bpf_map_get_next_key(fd, NULL, &key) == 0;
}
