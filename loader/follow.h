/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * follow: which processes are traced beyond the one of -p/-c.
 *   -f, --follow   the target and every process it forks, and theirs, from
 *                  their first instruction, until the whole tree has exited
 *   --cgroup PATH  every process in a cgroup v2 directory and below it
 * The filtering happens in BPF (probes/follow.bpf.h); this side sets the
 * knobs, attaches the fork/exit tracepoints, seeds the set of traced
 * processes, opens the cgroup, and watches for the end of the tree.
 */
#ifndef USCOPE_FOLLOW_H
#define USCOPE_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "bpf_obj.h"
#include "target.h"

struct bpf_link;
struct trace_opts;

struct follow {
	bool tree;		/* -f */
	const char *cgroup_arg;	/* --cgroup, as given */
	char *cgroup_path;	/* the cgroup v2 directory it names */
	int cgroup_fd;		/* -1: none */
	struct target member;	/* --cgroup: a process inside, whose /proc/PID/root names binaries */
	struct follow_handles h;	/* the BPF object's programs and maps for -f/--cgroup */
	struct bpf_link *fork_link, *exit_link;
	uint64_t next_prune_ns;	/* -f: when to look for members that died unseen */
	bool failed;		/* -f: the tree cannot be followed (message printed) */
};

/* Option checks that need both -f/--cgroup and the rest. Message printed; -EINVAL. */
int follow__check_opts(const struct trace_opts *o);

/* From the options; --cgroup opens the directory and finds a member. Message printed on failure. */
int follow__init(struct follow *f, const struct trace_opts *o);

/* The target binaries are resolved against: a --cgroup member, else T itself. */
const struct target *follow__resolver(const struct follow *f, const struct target *t);

/* The pid the probe links filter on: 0 when following (children have other pids). */
pid_t follow__link_pid(const struct follow *f, pid_t target_pid);

/* After load, before the probes are attached: tracepoints, the set's seeds, the cgroup. */
int follow__start(struct follow *f, const struct bpf_obj *obj, const struct target *t);

/* -f: does any process of the tree still live? Also prunes members that died unseen. */
bool follow__tree_alive(struct follow *f);

/* -f: the processes followed, and anything that went wrong, on stderr. */
void follow__report(const struct follow *f);

/* The sentence the Attached line adds ("" when neither -f nor --cgroup). */
const char *follow__scope(const struct follow *f);

/*
 * PREV, followed by a sentence for each binary of BINS that the -p target T
 * has not mapped yet (its probes wait on the file: follow_late.c).
 */
struct binaries;
const char *follow__late_scope(const struct binaries *bins, const struct target *t, const char *prev);

/* Detach the tracepoints (the probes' links are gone first, so the counts are final). */
void follow__detach(struct follow *f);

void follow__free(struct follow *f);

/* --cgroup: resolve and open f->cgroup_arg, find a member (follow_cgroup.c). */
int follow__open_cgroup(struct follow *f);

/* --cgroup PATH -> the cgroup v2 directory (allocated), or NULL with a message. Exposed for tests. */
char *follow__cgroup_dir(const char *arg);

#endif
